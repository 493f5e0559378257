/// The map page's script, written for this project (plain ES2020, no library). It reads the
/// data island, draws the map on a canvas in spherical Web Mercator, and links the map with the
/// ranked table. It sets `data-map-rendered` on the root element once the map is drawn.
let mapScript = #"""
"use strict";
(() => {
  const DATA = JSON.parse(document.getElementById("routerisk-data").textContent);
  const UNIT = 1e-4;                       // positions are integers in 1e-4 degree
  const RAD = Math.PI / 180;
  const BANDS = ["LOW", "MODERATE", "HIGH", "EXTREME"];
  const style = getComputedStyle(document.documentElement);
  const BAND_COLOUR = Object.fromEntries(BANDS.map((b) => [b, style.getPropertyValue("--band-" + b.toLowerCase()).trim()]));
  // Heat ramp: ColorBrewer "Purples" (colour-blind safe, one hue), opaque as the hazard rises.
  const HEAT_STOPS = [[0, [239, 237, 245, 0.10]], [0.35, [188, 189, 220, 0.45]], [0.65, [128, 125, 186, 0.65]], [1, [63, 0, 125, 0.80]]];
  const PEAKS_DRAWN = 500;                 // peak markers of the first ranks (all on selection)
  const LABELS_DRAWN = 150;                // rank labels at most, placed without overlap
  const FINE_LINES_FROM = 400;             // more lines than this on screen are drawn 1 px wide

  // Projection: spherical Web Mercator, in radians; the view maps it to pixels.
  const px = (lon) => lon * RAD;
  const py = (lat) => Math.log(Math.tan(Math.PI / 4 + lat * RAD / 2));
  const latOf = (y) => (2 * Math.atan(Math.exp(y)) - Math.PI / 2) / RAD;

  function decode(part) {
    const out = new Float64Array(part.length);
    let x = 0, y = 0;
    for (let i = 0; i < part.length; i += 2) {
      x += part[i]; y += part[i + 1];
      out[i] = px(x * UNIT); out[i + 1] = py(y * UNIT);
    }
    return out;
  }
  const emptyBox = () => ({ x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity });
  function grow(box, xy) {
    for (let i = 0; i < xy.length; i += 2) {
      box.x0 = Math.min(box.x0, xy[i]); box.x1 = Math.max(box.x1, xy[i]);
      box.y0 = Math.min(box.y0, xy[i + 1]); box.y1 = Math.max(box.y1, xy[i + 1]);
    }
    return box;
  }

  const lines = DATA.lines.map((parts) => { const p = parts.map(decode); return { parts: p, box: p.reduce(grow, emptyBox()) }; });
  const zones = DATA.zones.map((z) => {
    const rings = z.polygons.flatMap((polygon) => polygon.map(decode));
    return { ...z, rings, box: rings.reduce(grow, emptyBox()), lx: px(z.label[0]), ly: py(z.label[1]) };
  });
  const maxAge = DATA.model.half_life_days * Math.log2(1 / DATA.model.min_decay);
  const incidents = DATA.incidents.map((i) => ({
    ...i, x: px(i.at[0]), y: py(i.at[1]),
    amp: i.decay === null ? 0 : i.weight * i.decay,
    radius: i.decay === null ? 4 : 2.5 + 3 * Math.sqrt(i.weight * i.decay),
  }));
  const routes = DATA.routes.map((r, index) => ({
    ...r, index, peakX: px(r.peak[0]), peakY: py(r.peak[1]),
    top: r.top.map(([incident, share, closest, atKm, lon, lat]) => ({ incident, share, closest, atKm, x: px(lon), y: py(lat) })),
  }));
  const world = lines.map((l) => l.box).concat(zones.map((z) => z.box)).reduce((a, b) => ({
    x0: Math.min(a.x0, b.x0), y0: Math.min(a.y0, b.y0), x1: Math.max(a.x1, b.x1), y1: Math.max(a.y1, b.y1) }), emptyBox());
  if (!isFinite(world.x0)) Object.assign(world, { x0: px(60), y0: py(23), x1: px(78), y1: py(37) });

  // A uniform grid over the world for hit tests: each cell lists the items whose boxes meet it.
  class GridIndex {
    constructor(box, cells) {
      this.box = box; this.n = cells;
      this.w = (box.x1 - box.x0) / cells || 1; this.h = (box.y1 - box.y0) / cells || 1;
      this.cells = new Map();
    }
    range(x0, y0, x1, y1) {
      const c = (v, o, s) => Math.max(0, Math.min(this.n - 1, Math.floor((v - o) / s)));
      return [c(x0, this.box.x0, this.w), c(y0, this.box.y0, this.h), c(x1, this.box.x0, this.w), c(y1, this.box.y0, this.h)];
    }
    insert(x0, y0, x1, y1, id) {
      const [i0, j0, i1, j1] = this.range(x0, y0, x1, y1);
      for (let j = j0; j <= j1; j++) for (let i = i0; i <= i1; i++) {
        const key = j * this.n + i;
        const list = this.cells.get(key);
        if (!list) this.cells.set(key, [id]); else if (list[list.length - 1] !== id) list.push(id);
      }
    }
    query(x0, y0, x1, y1) {
      const [i0, j0, i1, j1] = this.range(x0, y0, x1, y1);
      const found = new Set();
      for (let j = j0; j <= j1; j++) for (let i = i0; i <= i1; i++) for (const id of this.cells.get(j * this.n + i) || []) found.add(id);
      return found;
    }
  }
  const lineIndex = new GridIndex(world, 128);
  lines.forEach((line, id) => line.parts.forEach((xy) => {
    for (let i = 0; i + 3 < xy.length; i += 2) {
      lineIndex.insert(Math.min(xy[i], xy[i + 2]), Math.min(xy[i + 1], xy[i + 3]), Math.max(xy[i], xy[i + 2]), Math.max(xy[i + 1], xy[i + 3]), id);
    }
  }));
  const incidentIndex = new GridIndex(world, 128);
  incidents.forEach((inc, id) => incidentIndex.insert(inc.x, inc.y, inc.x, inc.y, id));
  // The items drawn along each line, best rank last (drawn on top, found first).
  const itemsOnLine = lines.map(() => []);
  routes.forEach((r) => itemsOnLine[r.line].push(r.index));
  itemsOnLine.forEach((list) => list.sort((a, b) => routes[a].rank - routes[b].rank));

  // ---- View ----
  const mapBox = document.getElementById("map");
  const canvas = document.getElementById("map-canvas");
  const ctx = canvas.getContext("2d");
  const tooltip = document.getElementById("tooltip");
  const view = { cx: 0, cy: 0, scale: 1 };
  let width = 0, height = 0, ratio = 1;
  const toScreen = (x, y) => [(x - view.cx) * view.scale + width / 2, (view.cy - y) * view.scale + height / 2];
  const toWorld = (sx, sy) => [(sx - width / 2) / view.scale + view.cx, view.cy - (sy - height / 2) / view.scale];

  function fit(box, margin = 0.06) {
    const w = Math.max(box.x1 - box.x0, 1e-6), h = Math.max(box.y1 - box.y0, 1e-6);
    view.cx = (box.x0 + box.x1) / 2; view.cy = (box.y0 + box.y1) / 2;
    view.scale = Math.min(width / w, height / h) * (1 - 2 * margin);
  }
  function resize() {
    const rect = canvas.getBoundingClientRect();
    ratio = window.devicePixelRatio || 1;
    width = Math.max(1, rect.width); height = Math.max(1, rect.height);
    canvas.width = Math.round(width * ratio); canvas.height = Math.round(height * ratio);
    cache.width = canvas.width; cache.height = canvas.height;
  }

  // The scene (heat, zones, incidents, routes, labels) is drawn into a cache; panning and
  // zooming move the cached picture at once and redraw it when the gesture pauses, so 10,000
  // routes still pan smoothly. The selection and hover are drawn over it every time.
  const cache = document.createElement("canvas");
  const cacheView = { cx: 0, cy: 0, scale: 1 };
  let redrawTimer = 0;

  const heatImage = (() => {
    const heat = DATA.heat;
    if (!heat) return null;
    const bytes = Uint8Array.from(atob(heat.values), (c) => c.charCodeAt(0));
    const image = document.createElement("canvas");
    image.width = heat.columns; image.height = heat.rows;
    const g = image.getContext("2d");
    const pixels = g.createImageData(heat.columns, heat.rows);
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] === 0) continue;
      const [r, gg, b, a] = heatColour((bytes[i] - 1) / 254);
      pixels.data.set([r, gg, b, Math.round(a * 255)], i * 4);
    }
    g.putImageData(pixels, 0, 0);
    return { image, bytes, heat };
  })();
  function heatColour(t) {
    for (let k = 1; k < HEAT_STOPS.length; k++) {
      const [t1, c1] = HEAT_STOPS[k];
      if (t <= t1 || k === HEAT_STOPS.length - 1) {
        const [t0, c0] = HEAT_STOPS[k - 1];
        const f = Math.min(1, Math.max(0, (t - t0) / (t1 - t0)));
        return c0.map((v, n) => (n < 3 ? Math.round(v + (c1[n] - v) * f) : v + (c1[n] - v) * f));
      }
    }
    return HEAT_STOPS[0][1];
  }
  // The hazard at a world point, from the heat layer's bytes (nearest node).
  function heatAt(x, y) {
    if (!heatImage) return null;
    const h = heatImage.heat;
    const fx = (x - px(h.west)) / (px(h.east) - px(h.west)), fy = (py(h.north) - y) / (py(h.north) - py(h.south));
    if (fx < 0 || fx > 1 || fy < 0 || fy > 1) return null;
    const q = heatImage.bytes[Math.round(fy * (h.rows - 1)) * h.columns + Math.round(fx * (h.columns - 1))];
    return q === 0 ? 0 : h.low * Math.pow(h.high / h.low, (q - 1) / 254);
  }

  function tracePath(g, xy) {
    let [lx, ly] = toScreen(xy[0], xy[1]);
    g.moveTo(lx, ly);
    for (let i = 2; i < xy.length; i += 2) {
      const [sx, sy] = toScreen(xy[i], xy[i + 1]);
      // Points closer than 0.7 px to the last drawn one add nothing at this zoom.
      if (Math.abs(sx - lx) + Math.abs(sy - ly) < 0.7 && i + 2 < xy.length) continue;
      g.lineTo(sx, sy); lx = sx; ly = sy;
    }
  }
  function visible(box, pad = 0) {
    const [x0, y1] = toScreen(box.x0, box.y0), [x1, y0] = toScreen(box.x1, box.y1);
    return x1 >= -pad && x0 <= width + pad && y1 >= -pad && y0 <= height + pad;
  }
  const bandOfLine = lines.map((_, id) => routes[itemsOnLine[id][0]] ? routes[itemsOnLine[id][0]].band : "LOW");
  const escalatedLines = new Set(routes.filter((r) => r.escalation).map((r) => r.line));

  function drawScene(g) {
    g.save();
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.fillStyle = "#dfe7ec"; g.fillRect(0, 0, width, height);
    // Zones: provinces as land, other zones outlined over the heat.
    const areas = zones.filter((z) => visible(z.box));
    const provinces = areas.filter((z) => z.kind === "province" || z.kind === "capital" || z.kind === "territory");
    const special = areas.filter((z) => !provinces.includes(z));
    g.lineJoin = "round"; g.lineCap = "round";
    for (const z of provinces) {
      g.beginPath(); z.rings.forEach((r) => tracePath(g, r));
      g.fillStyle = "#f4f1ea"; g.fill("evenodd");
    }
    if (heatImage) {
      const h = heatImage.heat;
      const dx = (px(h.east) - px(h.west)) / (h.columns - 1) / 2, dy = (py(h.north) - py(h.south)) / (h.rows - 1) / 2;
      const [x0, y0] = toScreen(px(h.west) - dx, py(h.north) + dy), [x1, y1] = toScreen(px(h.east) + dx, py(h.south) - dy);
      g.imageSmoothingEnabled = true;
      g.drawImage(heatImage.image, x0, y0, x1 - x0, y1 - y0);
    }
    g.strokeStyle = "#8d877c"; g.lineWidth = 1.2;
    for (const z of provinces) { g.beginPath(); z.rings.forEach((r) => tracePath(g, r)); g.stroke(); }
    g.setLineDash([4, 3]); g.strokeStyle = "#2f6f5e"; g.lineWidth = 1.3;
    for (const z of special) { g.beginPath(); z.rings.forEach((r) => tracePath(g, r)); g.stroke(); }
    g.setLineDash([]);
    // Incidents: area by weight at the map time, darker when recent.
    const byAmp = incidents.filter((i) => { const [sx, sy] = toScreen(i.x, i.y); return sx > -20 && sy > -20 && sx < width + 20 && sy < height + 20; })
      .sort((a, b) => b.amp - a.amp);
    for (const i of byAmp) {
      const [sx, sy] = toScreen(i.x, i.y);
      g.beginPath(); g.arc(sx, sy, i.radius, 0, 2 * Math.PI);
      if (i.decay === null) {
        g.setLineDash([2, 2]); g.strokeStyle = "#333"; g.lineWidth = 1; g.stroke(); g.setLineDash([]);
      } else {
        const shade = Math.round(35 + 175 * Math.min(1, Math.max(0, i.age_days) / maxAge));
        g.fillStyle = `rgba(${shade},${shade},${shade},0.78)`; g.fill();
        g.strokeStyle = "#ffffff"; g.lineWidth = 1; g.stroke();
      }
    }
    // Routes: escalation halos, then a dark casing and the band colour, low bands first.
    const drawn = lines.map((l, id) => id).filter((id) => visible(lines[id].box, 10));
    if (escalatedLines.size) {
      g.setLineDash([6, 4]); g.strokeStyle = "#1d1d1f"; g.lineWidth = 11;
      g.beginPath(); drawn.filter((id) => escalatedLines.has(id)).forEach((id) => lines[id].parts.forEach((p) => tracePath(g, p))); g.stroke();
      g.setLineDash([]);
    }
    // Many lines at once are drawn one pixel wide: wide strokes cost the canvas far more, and
    // overlapping routes would hide each other anyway. Zoomed in, each gets its dark casing.
    const fine = drawn.length > FINE_LINES_FROM;
    for (const band of BANDS) {
      const ids = drawn.filter((id) => bandOfLine[id] === band);
      if (!ids.length) continue;
      if (fine) {
        g.beginPath(); ids.forEach((id) => lines[id].parts.forEach((p) => tracePath(g, p)));
        g.strokeStyle = BAND_COLOUR[band]; g.lineWidth = 1; g.stroke();
        continue;
      }
      for (const id of ids) {
        g.beginPath(); lines[id].parts.forEach((p) => tracePath(g, p));
        g.strokeStyle = "#1d1d1f"; g.lineWidth = 5.5; g.stroke();
        g.strokeStyle = BAND_COLOUR[band]; g.lineWidth = 3.2; g.stroke();
      }
    }
    // Peaks of the first ranks.
    for (const r of routes.slice(0, PEAKS_DRAWN)) drawPeak(g, r, 5);
    drawLabels(g, drawn);
    g.restore();
    mapBox.dataset.linesDrawn = String(drawn.length);
  }
  function drawPeak(g, r, size) {
    const [sx, sy] = toScreen(r.peakX, r.peakY);
    if (sx < -10 || sy < -10 || sx > width + 10 || sy > height + 10) return;
    g.beginPath(); g.moveTo(sx, sy - size); g.lineTo(sx + size, sy); g.lineTo(sx, sy + size); g.lineTo(sx - size, sy); g.closePath();
    g.fillStyle = "#ffffff"; g.fill(); g.strokeStyle = "#1d1d1f"; g.lineWidth = 2; g.stroke();
  }
  // Rank labels in rank order, each at its line's middle vertex, skipped where one would overlap.
  function drawLabels(g, drawn) {
    const onScreen = new Set(drawn), placed = [];
    g.font = "600 11px system-ui, sans-serif"; g.textAlign = "center"; g.textBaseline = "middle";
    const labelled = new Set();
    for (const r of routes) {
      if (placed.length >= LABELS_DRAWN) break;
      if (!onScreen.has(r.line) || labelled.has(r.line)) continue;
      const part = lines[r.line].parts.reduce((a, b) => (b.length > a.length ? b : a));
      const mid = Math.floor(part.length / 4) * 2;
      const [sx, sy] = toScreen(part[mid], part[mid + 1]);
      const w = 8 + 7 * String(r.rank).length, h = 16;
      const box = { x0: sx - w / 2, y0: sy - h / 2, x1: sx + w / 2, y1: sy + h / 2 };
      if (box.x0 < 0 || box.y0 < 0 || box.x1 > width || box.y1 > height) continue;
      if (placed.some((p) => p.x0 < box.x1 && box.x0 < p.x1 && p.y0 < box.y1 && box.y0 < p.y1)) continue;
      placed.push(box); labelled.add(r.line);
      g.fillStyle = "#ffffff"; g.strokeStyle = "#1d1d1f"; g.lineWidth = 1.5;
      g.beginPath(); g.rect(box.x0, box.y0, w, h); g.fill(); g.stroke();
      g.fillStyle = "#1d1d1f"; g.fillText(String(r.rank), sx, sy + 0.5);
    }
    // Zone names where they fit.
    g.font = "12px system-ui, sans-serif";
    for (const z of zones) {
      const [sx, sy] = toScreen(z.lx, z.ly);
      const [bx0, by1] = toScreen(z.box.x0, z.box.y0), [bx1, by0] = toScreen(z.box.x1, z.box.y1);
      const w = g.measureText(z.name).width;
      if (bx1 - bx0 < w + 12 || by1 - by0 < 18 || sx < 0 || sy < 0 || sx > width || sy > height) continue;
      const box = { x0: sx - w / 2 - 2, y0: sy - 8, x1: sx + w / 2 + 2, y1: sy + 8 };
      if (placed.some((p) => p.x0 < box.x1 && box.x0 < p.x1 && p.y0 < box.y1 && box.y0 < p.y1)) continue;
      placed.push(box);
      g.lineWidth = 3; g.strokeStyle = "rgba(255,255,255,0.9)"; g.strokeText(z.name, sx, sy);
      g.fillStyle = z.kind === "province" ? "#5b564c" : "#2f6f5e"; g.fillText(z.name, sx, sy);
    }
  }

  let selected = -1, hovered = -1;
  function drawOverlay(g) {
    g.save();
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    // Escalations always show their driving incident.
    for (const r of routes) if (r.escalation && r.escalation.driver !== null) drawApproach(g, r, r.escalation.driver, false);
    if (hovered >= 0 && hovered !== selected) strokeRoute(g, routes[hovered], 9, "rgba(11,87,164,0.45)");
    if (selected >= 0) {
      const r = routes[selected];
      strokeRoute(g, r, 12, "rgba(11,87,164,0.55)");
      strokeRoute(g, r, 5.5, "#1d1d1f");
      strokeRoute(g, r, 3.2, BAND_COLOUR[r.band]);
      r.top.forEach((t) => { if (t.incident !== null) drawApproach(g, r, t.incident, true, t); });
      drawPeak(g, r, 7);
    }
    g.restore();
  }
  function strokeRoute(g, r, widthPx, colour) {
    g.beginPath(); lines[r.line].parts.forEach((p) => tracePath(g, p));
    g.lineJoin = "round"; g.lineCap = "round"; g.strokeStyle = colour; g.lineWidth = widthPx; g.stroke();
  }
  // A line from an incident to the route's closest approach, with the incident ringed.
  function drawApproach(g, r, incidentIndex, withShare, top) {
    const inc = incidents[incidentIndex];
    const t = top || r.top.find((x) => x.incident === incidentIndex);
    if (!inc || !t) return;
    const [ix, iy] = toScreen(inc.x, inc.y), [cx, cy] = toScreen(t.x, t.y);
    g.beginPath(); g.moveTo(ix, iy); g.lineTo(cx, cy);
    g.strokeStyle = "#ffffff"; g.lineWidth = 4; g.stroke();
    g.strokeStyle = "#1d1d1f"; g.lineWidth = 1.8; g.setLineDash([5, 3]); g.stroke(); g.setLineDash([]);
    g.beginPath(); g.arc(cx, cy, 3.5, 0, 2 * Math.PI); g.fillStyle = "#1d1d1f"; g.fill();
    g.beginPath(); g.arc(ix, iy, inc.radius + 3, 0, 2 * Math.PI); g.strokeStyle = "#1d1d1f"; g.lineWidth = 2.5; g.stroke();
    if (withShare) {
      const text = (t.share * 100).toFixed(0) + " %";
      g.font = "600 12px system-ui, sans-serif"; g.textAlign = "left"; g.textBaseline = "middle";
      g.lineWidth = 3; g.strokeStyle = "#ffffff"; g.strokeText(text, ix + inc.radius + 6, iy);
      g.fillStyle = "#1d1d1f"; g.fillText(text, ix + inc.radius + 6, iy);
    }
  }

  function compose() {
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    // The cached scene, moved and scaled from the view it was drawn in to the current one.
    const s = view.scale / cacheView.scale;
    const [ox, oy] = toScreen(cacheView.cx, cacheView.cy);
    ctx.drawImage(cache, (ox - width / 2 * s) * ratio, (oy - height / 2 * s) * ratio, canvas.width * s, canvas.height * s);
    drawOverlay(ctx);
    updateScale();
  }
  function render() {
    clearTimeout(redrawTimer);
    Object.assign(cacheView, view);
    drawScene(cache.getContext("2d"));
    compose();
  }
  function scheduleRender() {
    compose();
    clearTimeout(redrawTimer);
    redrawTimer = setTimeout(render, 140);
  }

  // The scale bar is true east-west at the view's centre latitude: Mercator stretches a
  // parallel by sec(latitude), and a radian of longitude there is N cos(lat) on WGS84.
  function kmPerPixel() {
    const lat = latOf(view.cy) * RAD, e2 = 0.00669437999014;
    const n = 6378.137 / Math.sqrt(1 - e2 * Math.sin(lat) ** 2);
    return n * Math.cos(lat) / view.scale;
  }
  function updateScale() {
    const perPx = kmPerPixel();
    const target = 110 * perPx;
    const p = Math.pow(10, Math.floor(Math.log10(target)));
    const nice = [5, 2, 1].map((k) => k * p).find((v) => v <= target) || p;
    const box = document.getElementById("scale");
    box.querySelector(".bar").style.width = (nice / perPx).toFixed(1) + "px";
    box.querySelector(".label").textContent = (nice >= 1 ? nice : nice.toPrecision(1)) + " km";
    box.dataset.kmPerPx = perPx.toPrecision(8);
    box.dataset.centreLat = latOf(view.cy).toFixed(6);
    box.dataset.barKm = String(nice);
    box.dataset.barPx = (nice / perPx).toFixed(3);
    // The view, for tests and tools: centre in Web Mercator radians and pixels per radian.
    mapBox.dataset.view = [view.cx, view.cy, view.scale].join(",");
  }

  // ---- Interaction ----
  function zoomAt(factor, sx, sy) {
    const [wx, wy] = toWorld(sx, sy);
    const min = Math.min(width / (world.x1 - world.x0 || 1), height / (world.y1 - world.y0 || 1)) * 0.25;
    view.scale = Math.min(Math.max(view.scale * factor, min), min * 40000);
    const [nx, ny] = toWorld(sx, sy);
    view.cx += wx - nx; view.cy += wy - ny;
    scheduleRender();
  }
  function panBy(dx, dy) { view.cx -= dx / view.scale; view.cy += dy / view.scale; }

  let drag = null;
  canvas.addEventListener("pointerdown", (e) => {
    drag = { x: e.clientX, y: e.clientY, moved: 0 };
    canvas.setPointerCapture(e.pointerId);
  });
  canvas.addEventListener("pointermove", (e) => {
    if (drag) {
      const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      drag.moved += Math.abs(dx) + Math.abs(dy);
      drag.x = e.clientX; drag.y = e.clientY;
      if (drag.moved > 3) {
        mapBox.classList.add("dragging"); tooltip.hidden = true;
        panBy(dx, dy); compose();
      }
      return;
    }
    hover(e);
  });
  canvas.addEventListener("pointerup", (e) => {
    const wasDrag = drag && drag.moved > 3;
    drag = null; mapBox.classList.remove("dragging");
    if (wasDrag) { render(); return; }
    const rect = canvas.getBoundingClientRect();
    const hit = routeAt(e.clientX - rect.left, e.clientY - rect.top);
    select(hit, { scrollTable: true });
  });
  canvas.addEventListener("pointerleave", () => { tooltip.hidden = true; if (hovered >= 0) { hovered = -1; compose(); } });
  canvas.addEventListener("wheel", (e) => {
    e.preventDefault();
    const rect = canvas.getBoundingClientRect();
    zoomAt(Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0015)), e.clientX - rect.left, e.clientY - rect.top);
  }, { passive: false });
  document.getElementById("zoom-in").addEventListener("click", () => zoomAt(1.6, width / 2, height / 2));
  document.getElementById("zoom-out").addEventListener("click", () => zoomAt(1 / 1.6, width / 2, height / 2));
  document.getElementById("zoom-reset").addEventListener("click", () => { fit(world); render(); });
  mapBox.addEventListener("keydown", (e) => {
    const step = 80;
    const keys = {
      ArrowLeft: () => panBy(step, 0), ArrowRight: () => panBy(-step, 0), ArrowUp: () => panBy(0, step), ArrowDown: () => panBy(0, -step),
      "+": () => zoomAt(1.6, width / 2, height / 2), "=": () => zoomAt(1.6, width / 2, height / 2),
      "-": () => zoomAt(1 / 1.6, width / 2, height / 2), "0": () => fit(world), Escape: () => select(-1, {}),
    };
    if (!keys[e.key] || e.target !== mapBox) return;
    e.preventDefault(); keys[e.key](); scheduleRender();
  });

  function distanceToSegment(x, y, ax, ay, bx, by) {
    const dx = bx - ax, dy = by - ay, len = dx * dx + dy * dy;
    const t = len > 0 ? Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / len)) : 0;
    return Math.hypot(x - ax - t * dx, y - ay - t * dy);
  }
  // The best-ranked item on the line nearest the pointer, within 7 pixels; or -1.
  function routeAt(sx, sy) {
    const [x, y] = toWorld(sx, sy), tol = 7 / view.scale;
    let best = -1, bestD = tol;
    for (const id of lineIndex.query(x - tol, y - tol, x + tol, y + tol)) {
      for (const xy of lines[id].parts) for (let i = 0; i + 3 < xy.length; i += 2) {
        const d = distanceToSegment(x, y, xy[i], xy[i + 1], xy[i + 2], xy[i + 3]);
        if (d < bestD || (d === bestD && best >= 0 && routes[itemsOnLine[id][0]].rank < routes[best].rank)) { bestD = d; best = itemsOnLine[id][0]; }
      }
    }
    return best;
  }
  function incidentAt(sx, sy) {
    const [x, y] = toWorld(sx, sy), tol = 14 / view.scale;
    let best = -1, bestD = Infinity;
    for (const id of incidentIndex.query(x - tol, y - tol, x + tol, y + tol)) {
      const [ix, iy] = toScreen(incidents[id].x, incidents[id].y);
      const d = Math.hypot(ix - sx, iy - sy);
      if (d <= incidents[id].radius + 2 && d < bestD) { bestD = d; best = id; }
    }
    return best;
  }
  function peakAt(sx, sy) {
    const list = selected >= 0 ? [routes[selected]].concat(routes.slice(0, PEAKS_DRAWN)) : routes.slice(0, PEAKS_DRAWN);
    return list.find((r) => { const [a, b] = toScreen(r.peakX, r.peakY); return Math.abs(a - sx) + Math.abs(b - sy) <= 7; });
  }
  function inRing(x, y, xy) {
    let inside = false;
    for (let i = 0, j = xy.length - 2; i < xy.length; j = i, i += 2) {
      if ((xy[i + 1] > y) !== (xy[j + 1] > y) && x < ((xy[j] - xy[i]) * (y - xy[i + 1])) / (xy[j + 1] - xy[i + 1]) + xy[i]) inside = !inside;
    }
    return inside;
  }
  const zonesAt = (x, y) => zones.filter((z) => x >= z.box.x0 && x <= z.box.x1 && y >= z.box.y0 && y <= z.box.y1 &&
    z.rings.reduce((inside, r) => (inRing(x, y, r) ? !inside : inside), false));

  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
  const fmt = (v, d) => (v === null || v === undefined ? "–" : Number(v).toFixed(d));
  const day = (iso) => iso.slice(0, 10);
  const routeTitle = (r) => (r.movement ? esc(r.movement) + " on " : "") + esc(r.name || r.id);

  function hover(e) {
    const rect = canvas.getBoundingClientRect();
    const sx = e.clientX - rect.left, sy = e.clientY - rect.top;
    let html = "";
    const inc = incidentAt(sx, sy);
    const peak = inc < 0 ? peakAt(sx, sy) : undefined;
    const route = inc < 0 && !peak ? routeAt(sx, sy) : -1;
    if (inc >= 0) {
      const i = incidents[inc];
      html = `<b>${esc(i.id)}</b><br>${day(i.date)} · ${esc(i.category || "incident")}${i.target ? " against " + esc(i.target) : ""}` +
        `<br>${esc(i.place || "outside every zone")}<br>killed ${i.killed}, injured ${i.injured}; weight ${fmt(i.weight, 2)}` +
        (i.decay === null ? "<br>does not count at the map time" : `, decay ${fmt(i.decay, 3)} (${fmt(i.age_days / 365.25, 1)} years old)`);
    } else if (peak) {
      html = `<b>Peak of #${peak.rank}</b> ${routeTitle(peak)}<br>hazard ${fmt(peak.peak_hazard, 3)} /km at km ${fmt(peak.peak_at_km, 1)}`;
    } else if (route >= 0) {
      const r = routes[route];
      const others = itemsOnLine[r.line].length - 1;
      html = `<b>#${r.rank} ${routeTitle(r)}</b><br>${esc(r.id)}<br>${r.band}, score ${fmt(r.score, 1)}, exposure ${fmt(r.exposure, 2)}` +
        `<br>${fmt(r.length_km, 1)} km, peak ${fmt(r.peak_hazard, 3)} /km at km ${fmt(r.peak_at_km, 1)}` +
        (others > 0 ? `<br>and ${others} more movement${others > 1 ? "s" : ""} on this route` : "") + "<br><i>click for the explanation</i>";
    } else {
      const [x, y] = toWorld(sx, sy);
      const here = zonesAt(x, y);
      const h = heatAt(x, y);
      if (here.length || h !== null) {
        html = here.map((z) => `<b>${esc(z.name)}</b> (${esc(z.kind)}): base ${z.base}, multiplier ${z.multiplier}`).join("<br>") +
          (h !== null ? `${here.length ? "<br>" : ""}hazard ≈ ${h < 0.001 ? "below " + fmt(DATA.heat.low, 4) : h.toPrecision(2)} /km` : "");
      }
    }
    if (route !== hovered) { hovered = route; compose(); }
    canvas.style.cursor = route >= 0 ? "pointer" : "";
    if (!html) { tooltip.hidden = true; return; }
    tooltip.innerHTML = html;
    tooltip.hidden = false;
    const left = Math.min(sx + 14, width - tooltip.offsetWidth - 4), top = sy + 16 + tooltip.offsetHeight > height ? sy - tooltip.offsetHeight - 10 : sy + 16;
    tooltip.style.left = Math.max(4, left) + "px"; tooltip.style.top = Math.max(4, top) + "px";
  }

  // ---- Explanation and table ----
  const explain = document.getElementById("explain");
  const table = document.getElementById("ranked");
  const rows = new Map([...table.tBodies[0].rows].map((row) => [Number(row.dataset.item), row]));

  function select(index, { scrollTable = false, centre = false } = {}) {
    selected = index;
    for (const row of table.querySelectorAll("tr.selected")) { row.classList.remove("selected"); row.removeAttribute("aria-selected"); }
    if (index < 0) {
      explain.innerHTML = '<h2>Explanation</h2><p class="hint">Click a route on the map, or a route in the table, for its explanation.</p>';
      delete mapBox.dataset.selected;
      history.replaceState(null, "", location.pathname + location.search);
      compose();
      return;
    }
    const r = routes[index];
    const row = rows.get(index);
    if (row) {
      row.classList.add("selected"); row.setAttribute("aria-selected", "true");
      if (scrollTable) row.scrollIntoView({ block: "nearest" });
    }
    if (centre) {
      const box = lines[r.line].box;
      const w = (box.x1 - box.x0) * view.scale, h = (box.y1 - box.y0) * view.scale;
      if (w > width * 0.9 || h > height * 0.9 || !visible(box)) fit(box, 0.12);
      else { view.cx = (box.x0 + box.x1) / 2; view.cy = (box.y0 + box.y1) / 2; }
      render();
    } else {
      compose();
    }
    explain.innerHTML = explanation(r);
    mapBox.dataset.selected = r.movement || r.id;
    // The address names the selection, so a link or a bookmark opens the page on it.
    history.replaceState(null, "", "#route=" + encodeURIComponent(r.movement || r.id));
  }

  // The same figures as `routerisk score --explain`.
  function explanation(r) {
    const zonesHtml = r.zones.length
      ? "<table><tbody>" + r.zones.map(([name, km]) => `<tr><td>${esc(name)}</td><td class="num">${fmt(km, 1)} km</td></tr>`).join("") + "</tbody></table>"
      : "<p>None.</p>";
    const tops = r.top.map((t) => {
      const i = incidents[t.incident];
      if (!i) return `<li>${(t.share * 100).toFixed(1)} % of incident exposure, closest ${fmt(t.closest, 2)} km at km ${fmt(t.atKm, 1)}</li>`;
      return `<li><b>${day(i.date)}</b> · ${esc(i.category || "incident")}${i.target ? " against " + esc(i.target) : ""} · ${esc(i.place || "outside every zone")}` +
        `<br>${(t.share * 100).toFixed(1)} % of incident exposure, closest ${fmt(t.closest, 2)} km at km ${fmt(t.atKm, 1)}` +
        `<br><small>${esc(i.id)}${i.text ? ": " + esc(i.text) : ""}</small></li>`;
    }).join("");
    const e = r.escalation;
    const escalation = e
      ? `<p><b>Escalated</b> from ${e.old_band} ${fmt(e.old_score, 1)} to ${r.band} ${fmt(r.score, 1)}` +
        (e.driver !== null && incidents[e.driver] ? `, driven by ${esc(incidents[e.driver].id)}` : "") + ".</p>"
      : "";
    return `<h2>#${r.rank} ${routeTitle(r)}</h2>` +
      `<p><span class="band band-${r.band.toLowerCase()}">${r.band}</span> score <b>${fmt(r.score, 1)}</b> · ${esc(r.id)}</p>${escalation}` +
      `<dl><dt>evaluated at</dt><dd>${esc(r.evaluated_at)}</dd><dt>exposure</dt><dd>${fmt(r.exposure, 2)} = base ${fmt(r.base_exposure, 2)} + incidents ${fmt(r.incident_exposure, 2)}</dd>` +
      `<dt>length</dt><dd>${fmt(r.length_km, 1)} km</dd><dt>mean hazard</dt><dd>${fmt(r.mean_hazard, 4)} /km</dd>` +
      `<dt>peak hazard</dt><dd>${fmt(r.peak_hazard, 3)} at km ${fmt(r.peak_at_km, 1)} (${fmt(r.peak[0], 4)}, ${fmt(r.peak[1], 4)})</dd></dl>` +
      `<h3>Zones</h3>${zonesHtml}<h3>Leading incidents</h3>${tops ? "<ol>" + tops + "</ol>" : "<p>None.</p>"}`;
  }

  document.addEventListener("click", (e) => {
    const button = e.target.closest("button.show");
    if (button) select(Number(button.dataset.item), { centre: true });
  });

  // Sorting: each header button sorts by its column; again reverses.
  const sortValue = {
    rank: (r) => r.rank, movement: (r) => r.movement || "", evaluated_at: (r) => r.evaluated_at, id: (r) => r.id,
    band: (r) => BANDS.indexOf(r.band), score: (r) => r.score, exposure: (r) => r.exposure, length_km: (r) => r.length_km,
    mean_hazard: (r) => r.mean_hazard, peak_hazard: (r) => r.peak_hazard,
    lead: (r) => (r.top.length && incidents[r.top[0].incident] ? incidents[r.top[0].incident].id : ""),
  };
  table.tHead.addEventListener("click", (e) => {
    const button = e.target.closest("button[data-key]");
    if (!button) return;
    const th = button.parentElement, key = button.dataset.key;
    const ascending = th.getAttribute("aria-sort") !== "ascending";
    for (const other of table.tHead.querySelectorAll("th")) other.removeAttribute("aria-sort");
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    const value = sortValue[key];
    const order = routes.map((r) => r.index).sort((a, b) => {
      const va = value(routes[a]), vb = value(routes[b]);
      const c = va < vb ? -1 : va > vb ? 1 : routes[a].rank - routes[b].rank;
      return ascending ? c : -c;
    });
    const body = table.tBodies[0], fragment = document.createDocumentFragment();
    for (const index of order) fragment.appendChild(rows.get(index));
    body.appendChild(fragment);
  });

  // ---- Legends ----
  (() => {
    const heatCanvas = document.getElementById("heat-legend");
    if (heatCanvas && DATA.heat && DATA.heat.high > 0) {
      const g = heatCanvas.getContext("2d"), w = heatCanvas.width - 20;
      for (let x = 0; x <= w; x++) {
        const [r, gg, b, a] = heatColour(x / w);
        g.fillStyle = `rgba(${r},${gg},${b},${a})`; g.fillRect(10 + x, 2, 1, 14);
      }
      g.strokeStyle = "#1d1d1f"; g.strokeRect(10, 2, w, 14);
      g.fillStyle = "#1d1d1f"; g.font = "11px system-ui, sans-serif"; g.textAlign = "center"; g.textBaseline = "top";
      const { low, high } = DATA.heat, span = Math.log(high / low);
      for (let p = Math.ceil(Math.log10(low)); p <= Math.log10(high); p++) {
        const x = 10 + (w * Math.log(Math.pow(10, p) / low)) / span;
        g.fillRect(x, 16, 1, 3);
        g.fillText(p >= 0 ? String(10 ** p) : (10 ** p).toFixed(-p), x, 20);
      }
    }
    const incCanvas = document.getElementById("incident-legend");
    if (incCanvas) {
      const g = incCanvas.getContext("2d");
      g.font = "11px system-ui, sans-serif"; g.textBaseline = "middle"; g.textAlign = "left";
      let x = 8;
      for (const amp of [1, 4, 10]) {
        const radius = 2.5 + 3 * Math.sqrt(amp);
        g.beginPath(); g.arc(x + radius, 20, radius, 0, 2 * Math.PI); g.fillStyle = "rgba(60,60,60,0.78)"; g.fill();
        g.fillStyle = "#1d1d1f"; g.fillText("w·D " + amp, x + 2 * radius + 3, 20);
        x += 2 * radius + 48;
      }
      const y = 40, w = 120;
      for (let k = 0; k <= w; k++) { const s = Math.round(35 + (175 * k) / w); g.fillStyle = `rgb(${s},${s},${s})`; g.fillRect(8 + k, y - 4, 1, 8); }
      g.fillStyle = "#1d1d1f"; g.fillText(`new → ${(maxAge / 365.25).toFixed(1)} years`, 8 + w + 6, y);
    }
  })();

  // ---- Start ----
  function start() {
    resize();
    fit(world);
    render();
    const root = document.documentElement.dataset;
    root.mapRendered = "true";
    root.renderedAfterMs = performance.now().toFixed(0);
    root.routes = String(routes.length);
    root.incidents = String(incidents.length);
    root.zones = String(zones.length);
    // "#route=ID" (a route's id, or a movement's on a batch page) opens the page with it selected.
    const wanted = decodeURIComponent((location.hash.match(/^#route=(.+)$/) || [])[1] || "");
    if (wanted) { const r = routes.find((x) => (x.movement || x.id) === wanted); if (r) select(r.index, { centre: true }); }
  }
  window.addEventListener("resize", () => { resize(); render(); });
  start();
})();
"""#

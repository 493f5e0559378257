/// The map page's style sheet, written for this project. Band colours are Okabe-Ito's
/// colour-blind-safe set, cool to hot; the script reads them from these custom properties, so
/// they are defined once.
let mapStyle = #"""
:root {
  --band-low: #56b4e9; --band-moderate: #f0e442; --band-high: #e69f00; --band-extreme: #d55e00;
  --ink: #1d1d1f; --muted: #5b5b66; --paper: #fbfaf7; --line: #d9d6cf; --land: #efece4; --accent: #0b57a4;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--ink); background: var(--paper);
}
* { box-sizing: border-box; }
body { margin: 0; font-size: 14px; line-height: 1.4; }
header, main, footer { padding: 0 18px; }
header { padding-top: 12px; }
h1 { font-size: 20px; margin: 0 0 2px; }
h2 { font-size: 15px; margin: 10px 0 6px; }
h3 { font-size: 12px; margin: 8px 0 3px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.meta, .small, small { color: var(--muted); }
.small { font-size: 12px; margin: 2px 0; }
footer { color: var(--muted); font-size: 12px; padding-bottom: 12px; }
button { font: inherit; color: inherit; }
.mapwrap { display: flex; gap: 12px; align-items: stretch; margin: 8px 0 12px; }
.map { position: relative; flex: 1 1 auto; min-width: 0; height: 620px; border: 1px solid var(--line); border-radius: 6px;
  overflow: hidden; background: #dfe7ec; cursor: grab; touch-action: none; contain: strict; }
.map:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.map.dragging { cursor: grabbing; }
.map canvas { display: block; width: 100%; height: 100%; }
.controls { position: absolute; top: 10px; left: 10px; display: flex; flex-direction: column; gap: 4px; }
.controls button { width: 32px; height: 32px; border: 1px solid #8b8b95; border-radius: 5px; background: #fff; font-size: 18px;
  line-height: 1; cursor: pointer; }
.controls button:hover, .controls button:focus-visible { background: #eef3fb; }
.scalebar { position: absolute; left: 10px; bottom: 10px; background: rgba(255,255,255,.85); padding: 3px 6px 2px;
  border-radius: 4px; font-size: 12px; }
.scalebar .bar { height: 6px; border: 2px solid var(--ink); border-top: 0; }
.tooltip { position: absolute; pointer-events: none; max-width: 320px; background: rgba(29,29,31,.94); color: #fff;
  padding: 6px 8px; border-radius: 5px; font-size: 12px; line-height: 1.35; z-index: 2; white-space: normal; }
.tooltip b { color: #fff; }
.noscript { position: absolute; top: 40%; left: 20%; right: 20%; text-align: center; background: #fff; padding: 10px; }
.side { flex: 0 0 300px; display: flex; flex-direction: column; gap: 10px; max-height: 620px; }
.legend, .explain { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 4px 12px 8px; }
.explain { flex: 1 1 auto; overflow: auto; min-height: 120px; }
.legend ul { list-style: none; margin: 0; padding: 0; }
.legend li { display: flex; align-items: center; gap: 6px; margin: 2px 0; font-size: 13px; }
.swatch { display: inline-block; width: 26px; height: 6px; border-radius: 3px; outline: 1.5px solid #1d1d1f; }
.swatch-low { background: var(--band-low); } .swatch-moderate { background: var(--band-moderate); }
.swatch-high { background: var(--band-high); } .swatch-extreme { background: var(--band-extreme); }
.swatch-escalated { background: repeating-linear-gradient(90deg, #1d1d1f 0, #1d1d1f 5px, #fff 5px, #fff 8px); height: 8px; }
.peak-symbol { display: inline-block; width: 10px; height: 10px; margin: 0 8px; transform: rotate(45deg);
  background: #fff; outline: 2px solid #1d1d1f; }
.band { display: inline-block; padding: 0 6px; border-radius: 3px; font-size: 12px; font-weight: 600; color: #1d1d1f;
  border: 1px solid rgba(0,0,0,.35); }
.band-low { background: var(--band-low); } .band-moderate { background: var(--band-moderate); }
.band-high { background: var(--band-high); } .band-extreme { background: var(--band-extreme); }
.explain h3 { margin-top: 10px; }
.explain dl { display: grid; grid-template-columns: auto 1fr; gap: 1px 10px; margin: 4px 0; font-size: 13px; }
.explain dt { color: var(--muted); } .explain dd { margin: 0; }
.explain ol { margin: 4px 0; padding-left: 20px; font-size: 13px; }
.explain li { margin-bottom: 5px; }
.explain table { font-size: 13px; }
.hint { color: var(--muted); }
table { border-collapse: collapse; }
.ranked table { width: 100%; background: #fff; }
/* A long table scrolls in its own box: the page stays short, so moving the map does not make
   the browser lay out or paint thousands of rows again. */
.ranked .scroll { max-height: 75vh; overflow: auto; contain: layout paint; border: 1px solid var(--line); }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #ece9e2; vertical-align: top; }
th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; }
thead th { position: sticky; top: 0; background: #f3f1ec; z-index: 1; }
thead th button { border: 0; background: none; padding: 0; font-weight: 600; cursor: pointer; }
thead th[aria-sort="ascending"] button::after { content: " \25B2"; font-size: 10px; }
thead th[aria-sort="descending"] button::after { content: " \25BC"; font-size: 10px; }
button.show { border: 0; background: none; padding: 0; color: var(--accent); text-decoration: underline; cursor: pointer;
  text-align: left; }
tbody tr:hover { background: #f6f4ef; }
tbody tr.selected { background: #e4eefa; box-shadow: inset 4px 0 0 var(--accent); }
.escalated { color: var(--band-extreme); }
.run { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 2px 12px 10px; margin-top: 8px; }
.runbody { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
.meter { display: inline-block; height: 10px; vertical-align: middle; outline: 1px solid #1d1d1f; }
.warnings { color: var(--muted); }
@media (max-width: 900px) { .mapwrap { flex-direction: column; } .side { flex-basis: auto; max-height: none; } }
"""#

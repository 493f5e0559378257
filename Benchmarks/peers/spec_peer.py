"""A vectorised peer of ../shared/spec/scoring-model.md, as a user would write it with Shapely 2,
pyproj and numpy: what `make bench-peers` times beside `routerisk score`.

It reads the same files (routes GeoJSON, incidents CSV in RouteRisk's generated layout) and
computes the spec's incident exposure with the default model and no zones: every route sampled
along its geodesics every STEP_KM, samples and incidents projected into one Lambert conformal
conic (km), incidents within the cutoff of a route found with an STRtree, and the field summed
over samples x candidates in numpy blocks and integrated by the trapezoid rule.

Usage: spec_peer.py ROUTES.geojson INCIDENTS.csv AS_OF(YYYY-MM-DD) > exposures.json
"""

import csv
import json
import sys
from datetime import datetime, timezone

import numpy as np
import shapely
from pyproj import Geod, Transformer

SIGMA_KM = 10.0
CUTOFF_KM = 3 * SIGMA_KM
HALF_LIFE_DAYS = 365.0
MIN_DECAY = 0.01
STEP_KM = 0.25  # the spec's reference spacing
BLOCK = 4_000_000  # samples x candidates per numpy block (about 32 MB of doubles)

GEOD = Geod(ellps="WGS84")
# Pakistan's extent, as RouteRisk's working CRS is fitted to it.
TO_KM = Transformer.from_crs(
    "EPSG:4326", "+proj=lcc +lat_1=26 +lat_2=34 +lat_0=30 +lon_0=69 +units=km +ellps=WGS84", always_xy=True
)


def parse_time(text):
    text = text.strip()
    if len(text) == 10:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=timezone.utc)
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def incidents(path, as_of):
    """Amplitudes w D(T) and projected positions of the incidents that count at `as_of`."""
    lon, lat, amplitude = [], [], []
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            age = (as_of - parse_time(row["date"])).total_seconds() / 86_400
            if age < 0:
                continue
            decay = 0.5 ** (age / HALF_LIFE_DAYS)
            if decay < MIN_DECAY:
                continue
            killed = float(row.get("killed") or 0)
            injured = float(row.get("injured") or 0)
            lon.append(float(row["lon"]))
            lat.append(float(row["lat"]))
            amplitude.append((1 + np.log1p(killed + 0.5 * injured)) * decay)
    x, y = TO_KM.transform(np.array(lon), np.array(lat))
    return np.column_stack([x, y]), np.array(amplitude)


def samples(coordinates):
    """Points every STEP_KM or less along each geodesic segment, with their km marks."""
    lons, lats, marks = [coordinates[0][0]], [coordinates[0][1]], [0.0]
    for (lon1, lat1), (lon2, lat2) in zip(coordinates, coordinates[1:]):
        _, _, km = GEOD.inv(lon1, lat1, lon2, lat2)
        km /= 1000
        n = max(1, int(np.ceil(km / STEP_KM)))
        if n > 1:
            inner = GEOD.npts(lon1, lat1, lon2, lat2, n - 1)
            lons += [p[0] for p in inner]
            lats += [p[1] for p in inner]
        lons.append(lon2)
        lats.append(lat2)
        marks += list(marks[-1] + km * np.arange(1, n + 1) / n)
    x, y = TO_KM.transform(np.array(lons), np.array(lats))
    return np.column_stack([x, y]), np.array(marks)


def main():
    routes_path, incidents_path, as_of = sys.argv[1], sys.argv[2], parse_time(sys.argv[3])
    positions, amplitude = incidents(incidents_path, as_of)
    tree = shapely.STRtree(shapely.points(positions))
    with open(routes_path, encoding="utf-8") as f:
        features = json.load(f)["features"]
    out = {}
    for feature in features:
        geometry = feature["geometry"]
        parts = [geometry["coordinates"]] if geometry["type"] == "LineString" else geometry["coordinates"]
        exposure = 0.0
        for part in parts:
            xy, marks = samples(part)
            line = shapely.linestrings(xy)
            near = tree.query(line, predicate="dwithin", distance=CUTOFF_KM * 1.01)
            if near.size == 0:
                continue
            field = np.zeros(len(xy))
            rows = max(1, BLOCK // near.size)
            for start in range(0, len(xy), rows):
                block = xy[start:start + rows]
                d2 = ((block[:, None, :] - positions[near][None, :, :]) ** 2).sum(axis=2)
                kernel = np.where(d2 <= CUTOFF_KM ** 2, np.exp(-d2 / (2 * SIGMA_KM ** 2)), 0.0)
                field[start:start + rows] = kernel @ amplitude[near]
            exposure += np.trapezoid(field, marks) if hasattr(np, "trapezoid") else np.trapz(field, marks)
        out[str(feature.get("id") or feature["properties"].get("id"))] = exposure
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()

"""Rebuild maps/vendor/natural-earth/world-50m.json, the maps' offline base layer.

Usage:

    cd /tmp && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python scripts/build_basemap.py /tmp/package

Input: `land-50m.json` and `countries-50m.json` of the npm package `world-atlas` 2.0.2 (Mike
Bostock's TopoJSON of Natural Earth 1:50m physical land and admin-0 countries, version 4.1.0;
Natural Earth is public domain, world-atlas is ISC). Output: one compact GeoJSON
FeatureCollection with two features, `land` (MultiPolygon: coastlines, islands under
MIN_ISLAND_DEG2 dropped) and `borders` (MultiLineString: the boundaries between two countries,
what topojson.mesh(topology, countries, (a, b) => a !== b) gives), simplified by Douglas-Peucker
to TOLERANCE_DEG and rounded to two decimals (about 1 km).
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "maps" / "vendor" / "natural-earth" / "world-50m.json"
TOLERANCE_DEG = 0.04
MIN_ISLAND_DEG2 = 0.02
Point = tuple[float, float]


def _arcs(topology: dict[str, Any]) -> list[list[Point]]:
    """The topology's arcs in degrees (delta-decoded, un-quantized)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    out = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        out.append(points)
    return out


def _ring(arcs: list[list[Point]], indexes: list[int]) -> list[Point]:
    points: list[Point] = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def _simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker, iterative."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        a, b = stack.pop()
        (x1, y1), (x2, y2) = points[a], points[b]
        dx, dy = x2 - x1, y2 - y1
        norm = (dx * dx + dy * dy) ** 0.5
        worst, index = 0.0, -1
        for i in range(a + 1, b):
            x, y = points[i]
            d = (abs(dy * x - dx * y + x2 * y1 - y2 * x1) / norm if norm
                 else ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5)
            if d > worst:
                worst, index = d, i
        if worst > tolerance and index > 0:
            keep[index] = True
            stack += [(a, index), (index, b)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def _round(points: list[Point]) -> list[list[float]]:
    out: list[list[float]] = []
    for x, y in points:
        p = [round(x, 2), round(y, 2)]
        if not out or out[-1] != p:
            out.append(p)
    return out


def _area(points: list[Point]) -> float:
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(points))) / 2


def main(package: Path) -> None:
    land_topo = json.loads((package / "land-50m.json").read_text(encoding="utf-8"))
    arcs = _arcs(land_topo)
    polygons = []
    for geometry in land_topo["objects"]["land"]["geometries"]:
        shapes = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        for shape in shapes:
            rings = [_ring(arcs, ring) for ring in shape]
            if _area(rings[0]) < MIN_ISLAND_DEG2:
                continue
            kept = [_round(_simplify(r, TOLERANCE_DEG)) for r in rings if _area(r) >= MIN_ISLAND_DEG2]
            kept = [r for r in kept if len(r) >= 4]
            if kept:
                polygons.append(kept)
    countries = json.loads((package / "countries-50m.json").read_text(encoding="utf-8"))
    carcs = _arcs(countries)
    owners: dict[int, set[int]] = {}
    for n, geometry in enumerate(countries["objects"]["countries"]["geometries"]):
        shapes = geometry.get("arcs") or []
        if geometry["type"] == "Polygon":
            shapes = [shapes]
        for shape in shapes:
            for ring in shape:
                for i in ring:
                    owners.setdefault(i if i >= 0 else ~i, set()).add(n)
    lines = [_round(_simplify(carcs[i], TOLERANCE_DEG)) for i, who in sorted(owners.items())
             if len(who) > 1]
    lines = [line for line in lines if len(line) >= 2]
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"kind": "land"},
         "geometry": {"type": "MultiPolygon", "coordinates": polygons}},
        {"type": "Feature", "properties": {"kind": "borders"},
         "geometry": {"type": "MultiLineString", "coordinates": lines}},
    ]}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(collection, separators=(",", ":")), encoding="utf-8")
    points = sum(len(r) for p in polygons for r in p) + sum(len(line) for line in lines)
    print(f"{OUT}: {OUT.stat().st_size / 1024:,.0f} KiB, {len(polygons)} land polygons, "
          f"{len(lines)} border lines, {points:,} points")


if __name__ == "__main__":
    main(Path(sys.argv[1]))

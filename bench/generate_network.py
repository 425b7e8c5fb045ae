"""Generate a large synthetic network (CSV directory) for the itinerary-engine benchmark.

Usage: python bench/generate_network.py OUT_DIR [--locations 1600] [--services 12000] [--seed 7]

Half the locations lie in a European box (Europe/Brussels), half in a Chinese one (Asia/Shanghai).
Each location gets timetabled regional services to near neighbours; a few hundred long-haul rail,
air and sea services join the two regions. Every service is timetabled (days and a departure).
Long-haul rail carries the corridor tags `PL-BY-border KZ-CN-border` and sea `cape`, as in the
default network, so that the shipped closure scenarios apply to it too (the scenario benchmark).
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.builders import location, service, write_network

REGIONS = (("EU", "BE", "Europe/Brussels", (45.0, 55.0), (0.0, 20.0)),
           ("AS", "CN", "Asia/Shanghai", (22.0, 40.0), (100.0, 122.0)))
DAY_SETS = ("daily", "Mon Wed Fri", "Tue Thu", "Mon Tue Wed Thu Fri", "Sat", "Sun Wed")
CORRIDORS = {"rail": "PL-BY-border KZ-CN-border", "sea": "cape"}
LONG_HAUL = (("rail", 11000, 430, 0.30, 22), ("air", 9000, 12, 3.5, 498), ("sea", 20000, 800, 0.05, 13))


def _km(a: dict[str, str], b: dict[str, str]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (float(a["lat"]), float(a["lon"]),
                                                float(b["lat"]), float(b["lon"])))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6371 * math.asin(math.sqrt(h))


def generate(out: Path, n_locations: int, n_services: int, seed: int) -> Path:
    rng = random.Random(seed)
    locations: list[dict[str, str]] = []
    per_region = n_locations // 2
    for prefix, country, tz, (lat0, lat1), (lon0, lon1) in REGIONS:
        for i in range(per_region):
            locations.append(location(f"{prefix}{i:05d}", country=country, tz=tz,
                                      kind=rng.choice(["city", "city", "rail_terminal", "airport"]),
                                      lat=f"{rng.uniform(lat0, lat1):.4f}",
                                      lon=f"{rng.uniform(lon0, lon1):.4f}",
                                      handling_h=rng.choice([1, 2, 4, 8]),
                                      handling_eur=rng.choice([0, 20, 50])))
    regions = [locations[:per_region], locations[per_region:]]
    services: list[dict[str, str]] = []
    long_haul = 300
    regional = n_services - long_haul
    for r, region in enumerate(regions):
        for k in range(regional // 2):
            a = region[k % len(region)]
            near = sorted(rng.sample(region, 12), key=lambda b: _km(a, b))
            b = next(x for x in near if x is not a)
            km = max(5.0, _km(a, b) * 1.25)
            services.append(service(
                f"R{r}-{k:06d}", a["id"], b["id"], mode=rng.choice(["road", "road", "rail"]),
                distance_km=f"{km:.1f}", duration_h=f"{2 + km / 60:.2f}",
                days=rng.choice(DAY_SETS), departure=f"{rng.randrange(24):02d}:{rng.choice(['00', '30'])}",
                cutoff_h=rng.choice([0, 2, 6]), eur_fixed=rng.choice([20, 40, 60]),
                eur_per_tkm=f"{rng.uniform(0.05, 0.2):.3f}", eur_min=50, kg_per_m3=333,
                co2e_g_per_tkm=85))
    for k in range(long_haul):
        mode, km, hours, per_kg, co2 = LONG_HAUL[k % 3]
        a, b = rng.choice(regions[0]), rng.choice(regions[1])
        services.append(service(
            f"L-{k:04d}", a["id"], b["id"], mode=mode, distance_km=km, duration_h=hours,
            days=rng.choice(DAY_SETS[1:]), departure=f"{rng.randrange(24):02d}:00", cutoff_h=24,
            eur_per_kg=f"{per_kg * rng.uniform(0.8, 1.2):.3f}", eur_min=100,
            kg_per_m3=rng.choice([167, 333, 1000]), co2e_g_per_tkm=co2,
            corridors=CORRIDORS.get(mode, "")))
    return write_network(out, locations, services)


def mesh(out: Path, size: int = 18) -> Path:
    """The default network plus on-demand road legs joining `size` Belgian locations to each
    other in both directions (size × (size − 1) legs): the dense case of the engine benchmark."""
    import csv
    import shutil

    from network.loader import DEFAULT_NETWORK_DIR

    shutil.copytree(DEFAULT_NETWORK_DIR, out)
    with (out / "locations.csv").open(encoding="utf-8", newline="") as handle:
        belgian = [r for r in csv.DictReader(handle) if r["country"] == "BE"][:size]
    with (out / "services.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    for a in belgian:
        for b in belgian:
            if a is b:
                continue
            km = round(max(5.0, _km(a, b) * 1.3), 1)
            rows.append(service(
                f"MESH-{a['id']}-{b['id']}", a["id"], b["id"], operator="mesh haulier",
                distance_km=km, duration_h=f"{4 + km / 70:.2f}", kg_per_m3=333, eur_fixed=60,
                eur_per_tkm=0.2, eur_min=90, container_eur=f"{max(300.0, 1.7 * km):.2f}",
                container_m3=85, container_kg=24000, co2e_g_per_tkm=85))
    with (out / "services.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, restval="", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--locations", type=int, default=1600)
    parser.add_argument("--services", type=int, default=12000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    generate(args.out, args.locations, args.services, args.seed)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

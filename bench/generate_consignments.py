"""Generate realistic SME consignments Belgium → China (CSV on stdout or --out).

Default: a pre-Singles'-Day surge over 8 weeks before 2026-11-04, most of it in the last two
weeks, half of it urgent (due 5-10 days after ready), so air capacity binds at scale.
--start 2026-12-01 --days 14 --no-surge gives a calm fortnight (the shipped example).
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from network.loader import load_network

# goods name, goods class, kg per m³, median kg, EUR per kg, share of urgent shipments
PRODUCTS = [
    ("chocolate", "reefer", 450, 600, 12.0, 0.3),
    ("pralines", "perishable", 350, 150, 35.0, 0.8),
    ("cosmetics", "general", 250, 300, 60.0, 0.5),
    ("perfume", "dg", 300, 120, 120.0, 0.6),
    ("beer", "general", 650, 2500, 3.0, 0.1),
    ("machine parts", "general", 800, 1500, 25.0, 0.4),
    ("milk powder", "general", 550, 3000, 6.0, 0.2),
    ("waffles", "perishable", 200, 400, 8.0, 0.6),
    ("pharmaceuticals", "reefer", 200, 250, 400.0, 0.7),
    ("textiles", "general", 180, 700, 30.0, 0.3),
    ("diamond tools", "general", 1200, 80, 900.0, 0.9),
    ("lithium batteries", "dg", 700, 500, 40.0, 0.5),
]


def generate(n: int, seed: int, start: date, days: int, surge: bool) -> list[dict[str, object]]:
    """`n` consignments, deterministic for a seed."""
    rng = random.Random(seed)
    network = load_network(None)
    origins = sorted(loc.name for loc in network.locations.values()
                     if loc.kind == "city" and loc.country == "BE")
    destinations = sorted(loc.name for loc in network.locations.values()
                          if loc.kind == "city" and loc.country == "CN")
    rows = []
    for i in range(n):
        product, goods, density, median, eur_kg, urgent_share = rng.choice(PRODUCTS)
        weight = max(20.0, round(rng.lognormvariate(0, 0.8) * median, 0))
        volume = round(max(0.05, weight / density * rng.uniform(0.8, 1.25)), 2)
        # A surge puts 60 % of the shipments in the last two weeks before the cut-off.
        offset = rng.uniform(days - 14, days) if surge and rng.random() < 0.6 else rng.uniform(0, days)
        day = start + timedelta(days=int(offset))
        ready = datetime.combine(day, time(rng.randint(8, 16), 0))
        due = ""
        if rng.random() < urgent_share:
            due = (ready + timedelta(days=rng.randint(5, 10))).strftime("%Y-%m-%dT%H:%M")
        elif rng.random() < 0.5:
            due = (ready + timedelta(days=rng.randint(30, 60))).strftime("%Y-%m-%d")
        rows.append({
            "id": f"SME{i + 1:05d}-{product.replace(' ', '-')}", "origin": rng.choice(origins),
            "destination": rng.choice(destinations),
            "weight_kg": weight, "volume_m3": volume, "ready": ready.strftime("%Y-%m-%dT%H:%M"),
            "due": due, "goods": goods, "value_eur": round(weight * eur_kg, -1),
        })
    return rows


def write(rows: list[dict[str, object]], out: Path | None) -> None:
    """Write the CSV to `out` or stdout."""
    fields = ["id", "origin", "destination", "weight_kg", "volume_m3", "ready", "due", "goods",
              "value_eur"]
    handle = sys.stdout if out is None else out.open("w", newline="", encoding="utf-8")
    writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    if out is not None:
        handle.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--start", type=date.fromisoformat, default=date(2026, 9, 9))
    parser.add_argument("--days", type=int, default=56)
    parser.add_argument("--no-surge", action="store_true")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    write(generate(args.n, args.seed, args.start, args.days, not args.no_surge), args.out)


if __name__ == "__main__":
    main()

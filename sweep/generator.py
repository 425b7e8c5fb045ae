"""Generated SME consignments Belgium → China: the consignment sets a sweep (or a benchmark)
draws with a seed instead of reading a file.

Default shape: a pre-Singles'-Day surge over `days` days, most of it in the last two weeks,
half of it urgent (due 5-10 days after ready), so that air capacity binds at scale. With
`surge` False the ready days are spread evenly (the shipped example's calm fortnight).
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, datetime, time, timedelta

from network.model import Network

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
FIELDS = ["id", "origin", "destination", "weight_kg", "volume_m3", "ready", "due", "goods", "value_eur"]


def generate(n: int, seed: int, start: date, days: int, surge: bool,
             network: Network | None = None) -> list[dict[str, object]]:
    """`n` consignments from the Belgian to the Chinese cities of `network` (the embedded
    default when None), ready within `days` days from `start`; the same rows for the same
    arguments. Raises `ValueError` when the network has no city in Belgium or in China."""
    if network is None:
        from network.loader import load_network

        network = load_network(None)
    rng = random.Random(seed)
    origins = sorted(loc.name for loc in network.locations.values()
                     if loc.kind == "city" and loc.country == "BE")
    destinations = sorted(loc.name for loc in network.locations.values()
                          if loc.kind == "city" and loc.country == "CN")
    if not origins or not destinations:
        raise ValueError("the network has no city in " + " or ".join(
            c for c, found in (("Belgium", origins), ("China", destinations)) if not found))
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


def csv_text(rows: list[dict[str, object]]) -> str:
    """The rows as a consignments CSV (comma-separated, UTF-8, `\\n` line ends)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()

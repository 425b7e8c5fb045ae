"""An independent itinerary verifier: recomputes every time, price and CO2e from the raw CSV rows.

It deliberately shares no code with the engine (no loader, no costing, no timetable module):
it reads the network's CSV files with the csv module and re-derives everything.
"""

from __future__ import annotations

import csv
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from routing.itinerary import Itinerary

DAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


class VerificationError(AssertionError):
    """An itinerary disagrees with the raw network data."""


def _rows(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {row["id"]: row for row in csv.DictReader(handle)}


def _num(row: dict[str, str], key: str, default: float = 0.0) -> float:
    text = (row.get(key) or "").strip()
    return float(text) if text else default


class RawNetwork:
    """The CSV rows of a network directory, plus services added in memory (world-city access)."""

    def __init__(self, directory: Path) -> None:
        self.locations = _rows(directory / "locations.csv")
        self.services = _rows(directory / "services.csv")


def _is_departure(row: dict[str, str], tz: ZoneInfo, instant: datetime) -> bool:
    days = row["days"].split()
    weekdays = set(range(7)) if days == ["daily"] else {DAYS[d.lower()[:3]] for d in days}
    hh, mm = (int(x) for x in row["departure"].split(":"))
    for delta in (-1, 0, 1):
        day = instant.astimezone(tz).date() + timedelta(days=delta)
        if day.weekday() not in weekdays:
            continue
        scheduled = datetime(day.year, day.month, day.day, hh, mm, tzinfo=tz).astimezone(UTC)
        if scheduled == instant.astimezone(UTC):
            return True
    return False


def _price(row: dict[str, str], weight: float, volume: float) -> float:
    kg = max(weight, volume * _num(row, "kg_per_m3"))
    lcl = max(_num(row, "eur_min"), _num(row, "eur_fixed") + _num(row, "eur_per_kg") * kg
              + _num(row, "eur_per_tkm") * kg / 1000 * _num(row, "distance_km"))
    if (row.get("container_eur") or "").strip():
        n = max(1, math.ceil(weight / _num(row, "container_kg") - 1e-9),
                math.ceil(volume / _num(row, "container_m3") - 1e-9))
        return min(lcl, n * _num(row, "container_eur"))
    return lcl


def verify_itinerary(raw: RawNetwork, it: Itinerary, horizon_days: float | None = None) -> None:
    """Raise `VerificationError` unless `it` is feasible and its figures match the raw data."""
    c = it.consignment

    def fail(message: str) -> None:
        raise VerificationError(f"{' > '.join(it.signature)}: {message}")

    if not it.legs:
        fail("no legs")
    if it.legs[0].service.origin != c.origin or it.legs[-1].service.destination != c.destination:
        fail("does not run from the consignment's origin to its destination")
    available = c.ready.astimezone(UTC)  # all arithmetic in UTC (wall-clock maths breaks at DST)
    total_cost = 0.0
    total_co2 = 0.0
    visited = {c.origin}
    for i, leg in enumerate(it.legs):
        row = raw.services.get(leg.service.id)
        if row is None:
            fail(f"leg {i + 1} uses service {leg.service.id} that is not in services.csv")
        assert row is not None
        if i > 0:
            if row["from"] != it.legs[i - 1].service.destination:
                fail(f"leg {i + 1} does not start where leg {i} ended")
            here = raw.locations[row["from"]]
            available = (it.legs[i - 1].arrive.astimezone(UTC)
                         + timedelta(hours=_num(here, "handling_h")))
            total_cost += _num(here, "handling_eur") + _num(here, "handling_eur_per_kg") * c.weight_kg
        if row["to"] in visited:
            fail(f"revisits {row['to']}")
        visited.add(row["to"])
        goods = row.get("goods", "").split()
        if goods and c.goods not in goods:
            fail(f"{row['id']} does not accept {c.goods}")
        if row["days"].strip():
            tz = ZoneInfo(raw.locations[row["from"]]["tz"])
            if not _is_departure(row, tz, leg.depart):
                fail(f"{leg.depart} is not a scheduled departure of {row['id']}")
            if leg.depart.astimezone(UTC) - timedelta(hours=_num(row, "cutoff_h")) < available:
                fail(f"{row['id']} at {leg.depart} misses its cut-off (cargo available {available})")
        elif leg.depart.astimezone(UTC) != available:
            fail(f"on-demand {row['id']} should leave at {available}, not {leg.depart}")
        if horizon_days is not None and row["days"].strip() and (leg.depart.astimezone(UTC)
                                         > c.ready.astimezone(UTC) + timedelta(days=horizon_days)):
            fail(f"{row['id']} departs after the horizon")
        expected_arrival = leg.depart.astimezone(UTC) + timedelta(hours=_num(row, "duration_h"))
        if expected_arrival != leg.arrive.astimezone(UTC):
            fail(f"{row['id']} arrives {leg.arrive}, expected {expected_arrival}")
        price = _price(row, c.weight_kg, c.volume_m3)
        if not math.isclose(price, leg.cost_eur, rel_tol=1e-9, abs_tol=1e-6):
            fail(f"{row['id']} costs {leg.cost_eur}, expected {price}")
        co2 = c.weight_kg / 1000 * _num(row, "distance_km") * _num(row, "co2e_g_per_tkm") / 1000
        if not math.isclose(co2, leg.co2e_kg, rel_tol=1e-9, abs_tol=1e-9):
            fail(f"{row['id']} emits {leg.co2e_kg} kg, expected {co2}")
        total_cost += price
        total_co2 += co2
    if not math.isclose(total_cost, it.cost_eur, rel_tol=1e-9, abs_tol=1e-6):
        fail(f"total cost {it.cost_eur}, expected {total_cost}")
    if not math.isclose(total_co2, it.co2e_kg, rel_tol=1e-9, abs_tol=1e-6):
        fail(f"total CO2e {it.co2e_kg}, expected {total_co2}")
    if c.due is not None and it.arrive.astimezone(UTC) > c.due.astimezone(UTC):
        fail(f"arrives {it.arrive}, after the due date {c.due}")

"""An independent itinerary verifier: recomputes every time, price and CO2e from the raw CSV rows.

It deliberately shares no code with the engine (no loader, no costing, no timetable, calendar,
exchange-rate or surcharge module): it reads the network's CSV files with the csv module and
applies the README's rules itself — service calendars (validity, calendar_dates.csv), dated
rate rows, fx.csv (the rate on or before the departure's local date), surcharges.csv, emissions
well to wheel with the GLEC air distance adjustment, hub emissions at each change of service and
the tank-to-wheel / well-to-tank split of every leg, hub and itinerary; and the reliability
figures (reliability.csv: the two distribution forms, missed connections, rollovers, handling
spreads), simulated draw by draw in plain Python on the README's random streams.
It does not know scenarios: verify itineraries of networks as loaded.
"""

from __future__ import annotations

import bisect
import csv
import fnmatch
import itertools
import math
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from routing.itinerary import Itinerary

DAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


class VerificationError(AssertionError):
    """An itinerary disagrees with the raw network data."""


def _read(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _num(row: dict[str, str], key: str, default: float = 0.0) -> float:
    text = (row.get(key) or "").strip()
    return float(text) if text else default


def _day(text: str | None) -> date | None:
    text = (text or "").strip()
    return date.fromisoformat(text) if text else None


class RawNetwork:
    """The CSV rows of a network directory."""

    def __init__(self, directory: Path) -> None:
        self.locations = {r["id"]: r for r in _read(directory / "locations.csv")}
        self.rows: dict[str, list[dict[str, str]]] = {}
        for row in _read(directory / "services.csv"):
            self.rows.setdefault(row["id"], []).append(row)
        for rows in self.rows.values():
            rows.sort(key=lambda r: _day(r.get("valid_from")) or date.min)
        self.services = {sid: rows[0] for sid, rows in self.rows.items()}
        self.added: dict[str, set[date]] = {}
        self.removed: dict[str, set[date]] = {}
        for row in _read(directory / "calendar_dates.csv"):
            target = self.added if row["exception"].strip() == "added" else self.removed
            target.setdefault(row["service"].strip(), set()).add(date.fromisoformat(row["date"].strip()))
        self.fx: dict[str, list[tuple[date, float]]] = {}
        for row in _read(directory / "fx.csv"):
            self.fx.setdefault(row["currency"].strip(), []).append(
                (date.fromisoformat(row["date"].strip()), float(row["per_eur"])))
        for rates in self.fx.values():
            rates.sort()
        self.surcharges = _read(directory / "surcharges.csv")
        self.reliability = _read(directory / "reliability.csv")

    # --- calendars --------------------------------------------------------------------------

    def tz(self, sid: str) -> ZoneInfo:
        return ZoneInfo(self.locations[self.services[sid]["from"]]["tz"])

    def valid_on(self, sid: str, day: date) -> bool:
        """Whether `sid` runs on local date `day` (validity of its rows, then exceptions)."""
        if day in self.removed.get(sid, ()):
            return False
        if day in self.added.get(sid, ()):
            return True
        periods = [(_day(r.get("valid_from")), _day(r.get("valid_to"))) for r in self.rows[sid]]
        if all(a is None and b is None for a, b in periods):
            return True
        return any((a is None or a <= day) and (b is None or day <= b) for a, b in periods)

    def scheduled_on(self, sid: str, day: date) -> datetime | None:
        """The departure (UTC) of timetabled `sid` on local date `day`, if it leaves that day."""
        row = self.services[sid]
        days = row["days"].split()
        weekdays = set(range(7)) if days == ["daily"] else {DAYS[d.lower()[:3]] for d in days}
        if day.weekday() not in weekdays and day not in self.added.get(sid, ()):
            return None
        hh, mm = (int(x) for x in row["departure"].split(":"))
        instant = datetime(day.year, day.month, day.day, hh, mm, tzinfo=self.tz(sid)).astimezone(UTC)
        # Validity reads the local date of the departure instant.
        return instant if self.valid_on(sid, instant.astimezone(self.tz(sid)).date()) else None

    def departures(self, sid: str, earliest: datetime, latest: datetime) -> list[datetime]:
        """Every departure of timetabled `sid` in [earliest, latest] (UTC), in order."""
        tz = self.tz(sid)
        out = []
        day = earliest.astimezone(tz).date() - timedelta(days=1)
        while day <= latest.astimezone(tz).date() + timedelta(days=1):
            instant = self.scheduled_on(sid, day)
            if instant is not None and earliest <= instant <= latest:
                out.append(instant)
            day += timedelta(days=1)
        return out

    def is_departure(self, sid: str, instant: datetime) -> bool:
        tz = self.tz(sid)
        local = instant.astimezone(tz).date()
        return any(self.scheduled_on(sid, d) == instant.astimezone(UTC)
                   for d in (local - timedelta(days=1), local, local + timedelta(days=1)))

    def midnight(self, sid: str, day: date) -> datetime:
        return datetime(day.year, day.month, day.day, tzinfo=self.tz(sid)).astimezone(UTC)

    def prices_settled(self, sid: str) -> datetime:
        """The instant from which nothing that prices `sid` changes any more: the day after the
        last date on which a rate row of it, any exchange rate or any surcharge starts or ends."""
        days: list[date] = []
        for row in self.rows[sid]:
            days += [d for d in (_day(row.get("valid_from")), _day(row.get("valid_to"))) if d is not None]
        days += [d for rates in self.fx.values() for d, _ in rates]
        for s in self.surcharges:
            days += [d for d in (_day(s.get("valid_from")), _day(s.get("valid_to"))) if d is not None]
        return self.midnight(sid, max(days, default=date(1970, 1, 1)) + timedelta(days=1))

    def on_demand_choices(self, sid: str, available: datetime, last: datetime) -> list[datetime]:
        """When on-demand `sid` may leave from `available`: the first open instant, then the
        first instant of every later valid day up to `last`, and of the first valid day after it
        (prices change by the day, so no other instant can be cheaper; past `last`, where they
        no longer change, only the first open instant may be)."""
        tz = self.tz(sid)
        day = available.astimezone(tz).date()
        out = [available] if self.valid_on(sid, day) else []
        while True:
            day += timedelta(days=1)
            start = self.midnight(sid, day)
            if start > last + timedelta(days=366):
                return out
            if self.valid_on(sid, day):
                out.append(start)
                if start > last:
                    return out

    # --- prices -------------------------------------------------------------------------------

    def rate(self, currency: str, day: date) -> float:
        if currency in ("", "EUR"):
            return 1.0
        usable = [r for d, r in self.fx.get(currency, []) if d <= day]
        if not usable:
            raise VerificationError(f"no {currency} rate on or before {day}")
        return usable[-1]

    def row_on(self, sid: str, day: date) -> dict[str, str]:
        rows = self.rows[sid]
        for row in rows:
            a, b = _day(row.get("valid_from")), _day(row.get("valid_to"))
            if (a is None or a <= day) and (b is None or day <= b):
                return row
        started = [r for r in rows if (_day(r.get("valid_from")) or date.max) <= day]
        return started[-1] if started else rows[0]

    def price(self, sid: str, weight: float, volume: float, depart: datetime) -> float:
        """The README's price of the leg leaving at `depart` (UTC)."""
        loose, box, per_one = self.parts(sid, weight, volume, depart)
        if box is None:
            return loose
        row = self.row_on(sid, depart.astimezone(self.tz(sid)).date())
        n = max(1, math.ceil(weight / _num(row, "container_kg") - 1e-9),
                math.ceil(volume / _num(row, "container_m3") - 1e-9))
        return min(loose, n * box + per_one)

    def parts(self, sid: str, weight: float, volume: float,
              depart: datetime) -> tuple[float, float | None, float]:
        """The leg's price in the parts a plan buys (README "Money"): loose cargo all in, one
        container all in (None: the service sells none), and the per-consignment surcharges a
        consignment riding in containers pays on top."""
        day = depart.astimezone(self.tz(sid)).date()
        row = self.row_on(sid, day)
        rate = self.rate(row.get("currency", ""), day)
        kg = max(weight, volume * _num(row, "kg_per_m3"))
        lcl = max(_num(row, "eur_min"), _num(row, "eur_fixed") + _num(row, "eur_per_kg") * kg
                  + _num(row, "eur_per_tkm") * kg / 1000 * _num(row, "distance_km")) / rate
        percent = per_kg = per_box = per_one = 0.0
        tags = set((row.get("corridors") or "").split())
        for s in self.surcharges:
            pattern, operator = s.get("service", "").strip(), s.get("operator", "").strip()
            if pattern and not fnmatch.fnmatchcase(sid, pattern):
                continue
            if operator and not fnmatch.fnmatchcase(row["operator"].lower(), operator.lower()):
                continue
            if s.get("mode", "").strip() and s["mode"].strip() != row["mode"]:
                continue
            if s.get("corridor", "").strip() and s["corridor"].strip() not in tags:
                continue
            a, b = _day(s.get("valid_from")), _day(s.get("valid_to"))
            if (a is not None and day < a) or (b is not None and day > b):
                continue
            amount = float(s["amount"])
            if s["kind"] == "percent_freight":
                percent += amount
            else:
                converted = amount / self.rate(s.get("currency", ""), day)
                if s["kind"] == "per_chargeable_kg":
                    per_kg += converted
                elif s["kind"] == "per_container":
                    per_box += converted
                else:
                    per_one += converted
        lcl_all = lcl + lcl * percent / 100 + kg * per_kg + per_one
        if (row.get("container_eur") or "").strip():
            one = _num(row, "container_eur") / rate
            return lcl_all, one + one * percent / 100 + per_box, per_one
        return lcl_all, None, per_one


def _split(fail, what: str, total: float, row: dict[str, str], ttw_column: str, wtt_column: str,
           amount: float, got_ttw: float | None, got_wtt: float | None,
           wtw_column: str = "co2e_g_per_tkm") -> tuple[float, float] | None:
    """The (TTW, WTT) kg of a leg or hub from its row's split factors (`amount` × each factor),
    checked against what the itinerary reports and against the total; None when not split."""
    if _num(row, wtw_column) == 0:  # a zero factor emits nothing: both parts zero, split or not
        if got_ttw != 0 or got_wtt != 0:
            fail(f"{what} emits nothing but reports TTW {got_ttw}, WTT {got_wtt}")
        return 0.0, 0.0
    if not (row.get(ttw_column) or "").strip():
        if got_ttw is not None or got_wtt is not None:
            fail(f"{what} reports a TTW/WTT split, its row has none")
        return None
    ttw, wtt = amount * _num(row, ttw_column), amount * _num(row, wtt_column)
    if not math.isclose(ttw + wtt, total, rel_tol=1e-6, abs_tol=1e-9):
        fail(f"{what}: TTW {ttw} + WTT {wtt} is not its total {total}")
    for name, got, expected in (("TTW", got_ttw, ttw), ("WTT", got_wtt, wtt)):
        if got is None or not math.isclose(got, expected, rel_tol=1e-6, abs_tol=1e-9):
            fail(f"{what} emits {got} kg {name}, expected {expected}")
    return ttw, wtt


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
    split: list[tuple[float, float] | None] = []  # (TTW, WTT) of each leg and hub, None: unsplit
    visited = {c.origin}
    for i, leg in enumerate(it.legs):
        row = raw.services.get(leg.service.id)
        if row is None:
            fail(f"leg {i + 1} uses service {leg.service.id} that is not in services.csv")
        assert row is not None
        sid = row["id"]
        if i > 0:
            if row["from"] != it.legs[i - 1].service.destination:
                fail(f"leg {i + 1} does not start where leg {i} ended")
            here = raw.locations[row["from"]]
            available = (it.legs[i - 1].arrive.astimezone(UTC)
                         + timedelta(hours=_num(here, "handling_h")))
            total_cost += _num(here, "handling_eur") + _num(here, "handling_eur_per_kg") * c.weight_kg
            hub = c.weight_kg / 1000 * _num(here, "hub_co2e_kg_per_t")
            handled = it.handling[i - 1]
            if handled.location != row["from"] or not math.isclose(hub, handled.co2e_kg, rel_tol=1e-9,
                                                                    abs_tol=1e-9):
                fail(f"handling at {row['from']} emits {handled.co2e_kg} kg, expected {hub}")
            total_co2 += hub
            split.append(_split(fail, f"handling at {row['from']}", hub, here, "hub_co2e_ttw_kg_per_t",
                                "hub_co2e_wtt_kg_per_t", c.weight_kg / 1000, handled.co2e_ttw_kg,
                                handled.co2e_wtt_kg, "hub_co2e_kg_per_t"))
        if row["to"] in visited:
            fail(f"revisits {row['to']}")
        visited.add(row["to"])
        goods = row.get("goods", "").split()
        if goods and c.goods not in goods:
            fail(f"{sid} does not accept {c.goods}")
        depart = leg.depart.astimezone(UTC)
        if row["days"].strip():
            if not raw.is_departure(sid, leg.depart):
                fail(f"{leg.depart} is not a departure of {sid} (timetable and calendar)")
            if depart - timedelta(hours=_num(row, "cutoff_h")) < available:
                fail(f"{sid} at {leg.depart} misses its cut-off (cargo available {available})")
        else:
            local_day = depart.astimezone(raw.tz(sid)).date()
            if depart < available or not raw.valid_on(sid, local_day):
                fail(f"on-demand {sid} cannot leave at {leg.depart} (available {available})")
            if depart != available and depart != raw.midnight(sid, local_day):
                fail(f"on-demand {sid} should leave at {available} or at the start of a day, "
                     f"not {leg.depart}")
        if horizon_days is not None and row["days"].strip() and (depart
                                         > c.ready.astimezone(UTC) + timedelta(days=horizon_days)):
            fail(f"{sid} departs after the horizon")
        expected_arrival = depart + timedelta(hours=_num(row, "duration_h"))
        if expected_arrival != leg.arrive.astimezone(UTC):
            fail(f"{sid} arrives {leg.arrive}, expected {expected_arrival}")
        price = raw.price(sid, c.weight_kg, c.volume_m3, depart)
        if not math.isclose(price, leg.cost_eur, rel_tol=1e-9, abs_tol=1e-6):
            fail(f"{sid} costs {leg.cost_eur}, expected {price}")
        # GLEC: a flight measured great circle emits over the distance plus its adjustment.
        km = _num(row, "distance_km") + _num(row, "co2e_distance_add_km")
        co2 = c.weight_kg / 1000 * km * _num(row, "co2e_g_per_tkm") / 1000
        if not math.isclose(co2, leg.co2e_kg, rel_tol=1e-9, abs_tol=1e-9):
            fail(f"{sid} emits {leg.co2e_kg} kg, expected {co2}")
        split.append(_split(fail, sid, co2, row, "co2e_ttw_g_per_tkm", "co2e_wtt_g_per_tkm",
                            c.weight_kg / 1000 * km / 1000, leg.co2e_ttw_kg, leg.co2e_wtt_kg))
        total_cost += price
        total_co2 += co2
    if not math.isclose(total_cost, it.cost_eur, rel_tol=1e-9, abs_tol=1e-6):
        fail(f"total cost {it.cost_eur}, expected {total_cost}")
    if not math.isclose(total_co2, it.co2e_kg, rel_tol=1e-9, abs_tol=1e-6):
        fail(f"total CO2e {it.co2e_kg}, expected {total_co2}")
    if any(part is None for part in split):
        if it.co2e_ttw_kg is not None or it.co2e_wtt_kg is not None:
            fail("reports a TTW/WTT split although some factor is not split")
    else:
        ttw = sum(p[0] for p in split if p is not None)
        wtt = sum(p[1] for p in split if p is not None)
        for name, got, expected in (("TTW", it.co2e_ttw_kg, ttw), ("WTT", it.co2e_wtt_kg, wtt)):
            if got is None or not math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-6):
                fail(f"total {name} CO2e {got}, expected {expected}")
        if not math.isclose(ttw + wtt, total_co2, rel_tol=1e-9, abs_tol=1e-6):
            fail(f"TTW {ttw} + WTT {wtt} is not the total {total_co2}")
    if c.due is not None and it.arrive.astimezone(UTC) > c.due.astimezone(UTC):
        fail(f"arrives {it.arrive}, after the due date {c.due}")


# --- reliability ---------------------------------------------------------------------------------


def _cell(row: dict[str, str], key: str) -> float | None:
    text = (row.get(key) or "").strip()
    return float(text) if text else None


def raw_delay_hours(row: dict[str, str], u: float) -> float:
    """The README's inverse distribution function of a reliability.csv row at probability u."""
    share, window = _cell(row, "on_time_share"), _cell(row, "window_h") or 0.0
    if row["form"].strip() == "late_mean":
        assert share is not None
        if u <= share:
            return window * u / share if share > 0 else window
        late = _cell(row, "late_mean_h")
        assert late is not None
        return window - (late - window) * math.log((1.0 - u) / (1.0 - share))
    p50, p90 = _cell(row, "p50_h"), _cell(row, "p90_h")
    assert p50 is not None and p90 is not None
    points = [(0.5, p50), (0.9, p90)] + ([(share, window)] if share is not None else [])
    points = [(0.0, 0.0), *sorted(points)]
    for (pa, ha), (pb, hb) in itertools.pairwise(points):
        if pa < u <= pb:
            return ha + (u - pa) / (pb - pa) * (hb - ha)
    last_p, last_h = points[-1]
    if u <= last_p:  # u == 0
        return 0.0
    return last_h - (p90 - p50) / math.log(5.0) * math.log((1.0 - u) / (1.0 - last_p))


class RawReliability:
    """The reliability rule of each service and location of a raw network (first row that
    selects it), and the README's random streams."""

    def __init__(self, raw: RawNetwork) -> None:
        self.raw = raw

    def service_row(self, sid: str) -> dict[str, str] | None:
        svc = self.raw.services[sid]
        for row in self.raw.reliability:
            pattern, operator, mode = (row.get(k, "").strip() for k in ("service", "operator", "mode"))
            if not (pattern or operator or mode):
                continue
            if pattern and not fnmatch.fnmatchcase(sid, pattern):
                continue
            if operator and not fnmatch.fnmatchcase(svc["operator"].lower(), operator.lower()):
                continue
            if mode and mode != svc["mode"]:
                continue
            return row
        return None

    def location_row(self, lid: str) -> dict[str, str] | None:
        loc = self.raw.locations[lid]
        for row in self.raw.reliability:
            pattern, kind = row.get("location", "").strip(), row.get("location_kind", "").strip()
            if not (pattern or kind):
                continue
            if pattern and not fnmatch.fnmatchcase(lid, pattern):
                continue
            if kind and kind != loc["kind"]:
                continue
            return row
        return None


def raw_streams(seed: int, position: int, draws: int) -> list[np.ndarray]:
    """The README's uniforms of a leg position: delay, handling, rollover streams."""
    return [np.random.default_rng([seed, position, stream]).random(draws) for stream in range(3)]


def simulate_raw(raw: RawNetwork, legs: list[tuple[str, datetime]], draws: int,
                 seed: int) -> tuple[list[float], list[bool]]:
    """Arrival (POSIX s, inf: never) and whether a timetabled leg left after its planned
    departure, per draw, by the README's rules, one draw at a time."""
    rel = RawReliability(raw)
    streams = [raw_streams(seed, i, draws) for i in range(len(legs))]
    departures: dict[str, list[float]] = {}
    for sid, planned in legs:
        if raw.services[sid]["days"].strip() and sid not in departures:
            start = planned.astimezone(UTC) - timedelta(days=1)
            departures[sid] = [d.timestamp() for d in raw.departures(sid, start, start + timedelta(days=500))]
    arrivals, missed = [], []
    for j in range(draws):
        available = -math.inf
        late = False
        for i, (sid, planned_dt) in enumerate(legs):
            row = raw.services[sid]
            planned = planned_dt.timestamp()
            if i:
                spread = rel.location_row(row["from"])
                extra = raw_delay_hours(spread, streams[i][1][j]) if spread is not None else 0.0
                available += (_num(raw.locations[row["from"]], "handling_h") + extra) * 3600.0
            rule = rel.service_row(sid)
            if row["days"].strip():
                times = departures[sid]
                k = bisect.bisect_left(times, max(available + _num(row, "cutoff_h") * 3600.0, planned))
                if rule is not None and streams[i][2][j] < (_cell(rule, "rollover_share") or 0.0):
                    k += 1
                depart = times[k] if k < len(times) else math.inf
                late = late or depart > planned + 0.5
            else:
                depart = max(available, planned)
                if math.isfinite(depart):
                    instant = datetime.fromtimestamp(depart, UTC)
                    choices = raw.on_demand_choices(sid, instant, instant)
                    depart = choices[0].timestamp() if choices else math.inf
            delay = raw_delay_hours(rule, streams[i][0][j]) if rule is not None else 0.0
            available = depart + (_num(row, "duration_h") + delay) * 3600.0
        arrivals.append(available)
        missed.append(late)
    return arrivals, missed


def verify_reliability(raw: RawNetwork, it: Itinerary, figures: object, draws: int, seed: int,
                       due: datetime | None = None) -> None:
    """Raise `VerificationError` unless the reliability figures of `it` (routing.reliability's
    Figures) match a plain re-simulation from the raw CSV rows on the same random streams."""
    legs = [(leg.service.id, leg.depart) for leg in it.legs]
    arrivals, missed = simulate_raw(raw, legs, draws, seed)
    due = due or it.consignment.due
    ordered = sorted(arrivals)

    def fail(message: str) -> None:
        raise VerificationError(f"{' > '.join(it.signature)}: {message}")

    for name, q in (("arrive_p50", 0.5), ("arrive_p90", 0.9)):
        value = ordered[min(draws, max(1, math.ceil(q * draws - 1e-9))) - 1]
        shown = getattr(figures, name)
        if math.isinf(value):
            if shown is not None:
                fail(f"{name} {shown}, expected never")
            continue
        expected = math.ceil(value / 60.0 - 1e-9) * 60.0
        if shown is None or abs(shown.timestamp() - expected) > 60.0:
            fail(f"{name} {shown}, expected {datetime.fromtimestamp(expected, UTC)}")
    share = sum(missed) / draws
    if abs(share - figures.missed_connection) > 1e-12:  # type: ignore[attr-defined]
        fail(f"misses a connection in {figures.missed_connection}, expected {share}")  # type: ignore[attr-defined]
    if due is not None:
        on_time = sum(a <= due.timestamp() for a in arrivals) / draws
        if abs(on_time - figures.on_time) > 1e-12:  # type: ignore[attr-defined]
            fail(f"on time {figures.on_time}, expected {on_time}")  # type: ignore[attr-defined]

"""An independent check of a plan, from the raw Service/Location fields (no routing.costing,
no planner code).

Re-derives every itinerary's times (scheduled departures, calendars, cut-offs, handling,
horizon, due), every leg's price on its departure's date (the rate row, exchange rate and
surcharges in force: `routing.tariffs.terms_at`, the one reading of the dated files), the
capacity of every departure, the fill of every container bought, and the totals.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from network.model import Network, Service, zone
from network.timetable import from_seconds, to_seconds
from routing.planner.model import Plan
from routing.tariffs import Terms, price_changes, terms_at

TOL = 1e-6


class PlanVerificationError(AssertionError):
    """A plan breaks a rule; the message says which consignment or departure and how."""


def _fail(message: str) -> None:
    raise PlanVerificationError(message)


def _scheduled(service: Service, depart: datetime) -> bool:
    """Whether `depart` is one of the service's weekly departures (wall clock at its origin) or
    an added date's, on a day its calendar is open."""
    assert service.departure is not None
    tz = zone(service.origin_tz)
    local = depart.astimezone(tz).date()
    if not service.schedule.is_open(to_seconds(depart)):
        return False
    for day in (local - timedelta(days=1), local, local + timedelta(days=1)):
        if day.weekday() in service.days or day in service.calendar.added:
            instant = datetime.combine(day, service.departure, tzinfo=tz).astimezone(UTC)
            if abs((instant - depart).total_seconds()) < 1:
                return True
    return False


def _on_demand_ok(network: Network, service: Service, available: datetime, depart: datetime) -> bool:
    """Whether an on-demand leg may leave at `depart` with the cargo there at `available`: at
    the first open instant from then, or from the start of a later day on which its price
    changes (a later price stretch)."""
    schedule = service.schedule
    t, ready = to_seconds(depart), to_seconds(available)
    if t < ready - 1 or not schedule.is_open(t):
        return False
    first = schedule.open_from(ready)
    if first is not None and abs(first - t) <= 1:
        return True
    tz = zone(service.origin_tz)
    for day in price_changes(network, service) or ():
        start = to_seconds(datetime.combine(day, datetime.min.time(), tzinfo=tz))
        leave = schedule.open_from(start) if start > ready else None
        if leave is not None and abs(leave - t) <= 1:
            return True
    return False


def _terms(network: Network, service: Service, depart: datetime) -> Terms:
    return terms_at(network, service, from_seconds(to_seconds(depart), service.origin_tz).date())


def _loose(terms: Terms, kg: float, m3: float) -> float:
    """Loose freight: LCL on the row, converted, with the surcharges loose cargo pays."""
    row = terms.row
    chargeable = max(kg, m3 * row.kg_per_m3)
    lcl = max(row.eur_min, row.eur_fixed + row.eur_per_kg * chargeable
              + row.eur_per_tkm * chargeable / 1000.0 * row.distance_km) / terms.per_eur
    return lcl * (1.0 + terms.percent / 100.0) + chargeable * terms.per_kg_eur + terms.per_consignment_eur


def _box(terms: Terms) -> float:
    """One container, converted, with the surcharges containers pay."""
    assert terms.row.container is not None
    return terms.row.container.eur / terms.per_eur * (1.0 + terms.percent / 100.0) + terms.per_container_eur


def verify_plan(plan: Plan) -> None:
    """Raise `PlanVerificationError` unless the plan is feasible and its totals add up."""
    req = plan.request
    net = req.network
    by_id = {c.id: c for c in req.consignments}
    seen: set[str] = set()
    loads: dict[tuple[str, datetime], list[tuple[str, float, float, bool]]] = defaultdict(list)
    total_cost = 0.0
    total_co2 = 0.0
    for a in plan.assignments:
        c = a.consignment
        if c.id not in by_id or c.id in seen:
            _fail(f"consignment {c.id}: unknown or assigned twice")
        seen.add(c.id)
        if not a.legs:
            _fail(f"consignment {c.id}: no legs")
        if a.legs[0].origin != c.origin or a.legs[-1].destination != c.destination:
            _fail(f"consignment {c.id}: itinerary runs {a.legs[0].origin} → {a.legs[-1].destination}, "
                  f"not {c.origin} → {c.destination}")
        # Durations are elapsed time: add them in UTC (local wall-clock arithmetic breaks at DST).
        available = c.ready.astimezone(UTC)
        horizon = available + timedelta(days=req.horizon_days)
        handling = 0.0
        hub_co2 = 0.0
        for i, leg in enumerate(a.legs):
            s = net.services.get(leg.service_id)
            where = f"consignment {c.id} leg {i + 1} ({leg.service_id})"
            if s is None:
                _fail(f"{where}: unknown service")
            assert s is not None
            if (s.origin, s.destination) != (leg.origin, leg.destination):
                _fail(f"{where}: runs {s.origin} → {s.destination}, "
                      f"plan says {leg.origin} → {leg.destination}")
            if s.goods and c.goods not in s.goods:
                _fail(f"{where}: does not carry {c.goods} goods")
            if i > 0:
                if a.legs[i - 1].destination != s.origin:
                    _fail(f"{where}: starts at {s.origin}, previous leg ends at {a.legs[i - 1].destination}")
                loc = net.locations[s.origin]
                available = available + timedelta(hours=loc.handling_h)
                handling += loc.handling_eur + loc.handling_eur_per_kg * c.weight_kg
                hub_co2 += c.weight_kg / 1000.0 * loc.hub_co2e_kg_per_t
            earliest = available + timedelta(hours=s.cutoff_h if s.days else 0.0)
            if leg.depart < earliest - timedelta(seconds=1):
                _fail(f"{where}: departs {leg.depart.isoformat()} before {earliest.isoformat()} "
                      "(ready/arrival + handling + cut-off)")
            if s.days and not _scheduled(s, leg.depart):
                _fail(f"{where}: {leg.depart.isoformat()} is not a scheduled departure")
            if s.days and leg.depart > horizon + timedelta(seconds=1):  # on demand: no timetable
                _fail(f"{where}: departs after the {req.horizon_days:g}-day horizon")
            if not s.days and not _on_demand_ok(net, s, available, leg.depart):
                _fail(f"{where}: on demand, leaves {leg.depart.isoformat()}, not when the cargo is "
                      f"available ({available.isoformat()}) and the service open, nor at the start "
                      "of a later price")
            expected = leg.depart.astimezone(UTC) + timedelta(hours=s.duration_h)
            if abs((leg.arrive - expected).total_seconds()) > 1:
                _fail(f"{where}: arrives {leg.arrive.isoformat()}, expected {expected.isoformat()}")
            co2 = (c.weight_kg / 1000.0 * (s.distance_km + s.co2e_distance_add_km)
                   * s.co2e_g_per_tkm / 1000.0)
            if abs(co2 - leg.co2e_kg) > TOL * max(1.0, co2):
                _fail(f"{where}: CO2e {leg.co2e_kg} != {co2}")
            terms = _terms(net, s, leg.depart)
            lcl = terms.per_consignment_eur if leg.in_container else _loose(terms, c.weight_kg, c.volume_m3)
            if abs(lcl - leg.freight_eur) > TOL * max(1.0, lcl):
                _fail(f"{where}: freight {leg.freight_eur} != {lcl}")
            if leg.in_container and s.container is None:
                _fail(f"{where}: in a container on a service that sells none")
            loads[(s.id, leg.depart)].append((c.id, c.weight_kg, c.volume_m3, leg.in_container))
            total_cost += lcl
            total_co2 += co2
            available = leg.arrive.astimezone(UTC)
        if abs(handling - a.handling_eur) > TOL * max(1.0, handling):
            _fail(f"consignment {c.id}: handling {a.handling_eur} != {handling}")
        if abs(hub_co2 - a.handling_co2e_kg) > TOL * max(1.0, hub_co2):
            _fail(f"consignment {c.id}: hub CO2e {a.handling_co2e_kg} != {hub_co2}")
        total_cost += handling
        total_co2 += hub_co2
        if c.due is not None and a.legs[-1].arrive > c.due:
            _fail(f"consignment {c.id}: arrives {a.legs[-1].arrive.isoformat()} "
                  f"after due {c.due.isoformat()}")
    for u in plan.unassigned:
        if u.consignment.id in seen:
            _fail(f"consignment {u.consignment.id}: both assigned and unassigned")
        if not u.reason or not u.detail:
            _fail(f"consignment {u.consignment.id}: unassigned without a reason")
        seen.add(u.consignment.id)
    if seen != set(by_id):
        _fail(f"consignments neither assigned nor unassigned: {sorted(set(by_id) - seen)[:5]}")
    declared = {(d.service_id, d.depart): d for d in plan.departures}
    for key, riders in loads.items():
        s = net.services[key[0]]
        kg = sum(r[1] for r in riders)
        m3 = sum(r[2] for r in riders)
        name = f"departure {key[0]} {key[1].isoformat()}"
        if s.capacity_kg is not None and kg > s.capacity_kg + TOL and plan.settings.capacity:
            _fail(f"{name}: {kg:.1f} kg on board, capacity {s.capacity_kg:g} kg")
        if s.capacity_m3 is not None and m3 > s.capacity_m3 + TOL and plan.settings.capacity:
            _fail(f"{name}: {m3:.2f} m³ on board, capacity {s.capacity_m3:g} m³")
        d = declared.get(key)
        if d is None or set(d.consignments) != {r[0] for r in riders}:
            _fail(f"{name}: departures table does not list who is on board")
        assert d is not None
        boxed = [r for r in riders if r[3]]
        if boxed or d.containers:
            box = s.container
            if box is None:
                _fail(f"{name}: containers on a service that sells none")
            assert box is not None
            n = d.containers
            bkg = sum(r[1] for r in boxed)
            bm3 = sum(r[2] for r in boxed)
            if bkg > n * box.kg + TOL or bm3 > n * box.m3 + TOL:
                _fail(f"{name}: {bkg:.1f} kg / {bm3:.2f} m³ in {n} container(s) of "
                      f"{box.kg:g} kg / {box.m3:g} m³")
            price = _box(_terms(net, s, key[1]))
            if abs(price - d.container_eur) > TOL * max(1.0, price):
                _fail(f"{name}: a container costs {d.container_eur}, not {price}")
            total_cost += n * price
    if not math.isclose(total_cost, plan.total_cost_eur, rel_tol=1e-9, abs_tol=1e-6):
        _fail(f"total cost {plan.total_cost_eur} != recomputed {total_cost}")
    if not math.isclose(total_co2, plan.total_co2e_kg, rel_tol=1e-9, abs_tol=1e-6):
        _fail(f"total CO2e {plan.total_co2e_kg} != recomputed {total_co2}")
    shares = sum(a.cost_eur for a in plan.assignments)
    if not math.isclose(shares, total_cost, rel_tol=1e-9, abs_tol=1e-6):
        _fail(f"consignment costs (with container shares) add up to {shares}, not {total_cost}")

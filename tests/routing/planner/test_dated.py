"""Plans under dated prices and calendars: every leg priced on its departure's date, on-demand
legs that wait for a cheaper day, closed days skipped; the plan is still the true optimum.

The truth is brute force over the planner's itineraries, priced by the test verifier from the
raw CSV files (`tests.verifier.RawNetwork.parts`), with no planner or tariff code.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import networkx as nx
import pytest
from ortools.math_opt.python import mathopt

from network import load_network
from network.model import Service
from network.timetable import to_seconds
from routing.consignment import Consignment
from routing.objectives import Objective
from routing.planner import PlanRequest, plan_consignments
from routing.planner.candidates import Candidate, CandidateLeg
from routing.planner.containers import ContainerRules
from routing.planner.instance import build_instance
from routing.planner.objective import PlanObjective
from routing.planner.spec import build
from routing.planner.verify import verify_plan
from routing.search import SearchOptions, best_itineraries
from tests.builders import location, service, write_network
from tests.verifier import RawNetwork

BRU = ZoneInfo("Europe/Brussels")
DAY0 = date(2027, 3, 1)  # a Monday
READY = datetime(2027, 3, 1, 9, 0, tzinfo=BRU)


def _day(k: int) -> str:
    return (DAY0 + timedelta(days=k)).isoformat()


def _network(directory: Path) -> Path:
    """A container road leg out of an origin-only depot A, dearer on day 0 (a surcharge window
    that ends) and closed on day 2; a daily train B → C whose CNY rate row gets cheaper from day
    3, with room for 1,000 kg; an expensive direct truck A → C."""
    locations = [location(x) for x in "ABC"]
    services = [
        service("ROAD-AB", "A", "B", duration_h=5, eur_per_kg=0.2, eur_min=40, distance_km=200,
                container_eur=200, container_kg=20000, container_m3=60),
        service("RAIL-1", "B", "C", mode="rail", days="daily", departure="10:00", duration_h=20,
                eur_per_kg=2.0, capacity_kg=1000, currency="CNY", valid_to=_day(2)),
        service("RAIL-1", "B", "C", mode="rail", days="daily", departure="10:00", duration_h=20,
                eur_per_kg=1.5, capacity_kg=1000, currency="CNY", valid_from=_day(3)),
        service("TRUCK-AC", "A", "C", duration_h=30, eur_per_kg=1.2, distance_km=900),
    ]
    calendar = [{"service": "ROAD-AB", "date": _day(2), "exception": "removed"}]
    fx = [{"date": _day(-30), "currency": "CNY", "per_eur": "8.0"},
          {"date": _day(4), "currency": "CNY", "per_eur": "7.5"}]
    surcharges = [
        {"id": "PEAK", "service": "ROAD-AB", "kind": "per_consignment", "amount": "35", "currency": "EUR",
         "valid_from": _day(-10), "valid_to": _day(0), "source": "test", "as_of": _day(-10)},
        {"id": "FUEL", "service": "ROAD-AB", "kind": "percent_freight", "amount": "20",
         "valid_from": _day(-10), "valid_to": _day(0), "source": "test", "as_of": _day(-10)},
        {"id": "BOX", "service": "ROAD-AB", "kind": "per_container", "amount": "40", "currency": "EUR",
         "valid_from": _day(-10), "valid_to": "", "source": "test", "as_of": _day(-10)},
    ]
    return write_network(directory, locations, services, calendar_dates=calendar, fx=fx,
                         surcharges=surcharges)


# The days on which each on-demand service's price changes (its surcharges end on day 0).
CHANGE_DAYS = {"ROAD-AB": (1,), "TRUCK-AC": ()}


def _consignments() -> tuple[Consignment, ...]:
    specs = [(400, 2.0, 0, 10), (500, 2.0, 6, 10), (300, 1.0, 24, 4), (700, 3.0, 1, 6),
             (250, 1.0, 30, 10)]
    return tuple(Consignment("A", "C", w, v, READY + timedelta(hours=h),
                             READY + timedelta(days=d), id=f"c{i}")
                 for i, (w, v, h, d) in enumerate(specs))


def _on_demand(raw: RawNetwork, sid: str, available: datetime) -> list[datetime]:
    """The first open instant, then the first open instant of each later day on which its price
    changes (the planner's on-demand legs wait for nothing else, not even to share a box)."""
    out = []
    for t in [available] + [raw.midnight(sid, DAY0 + timedelta(days=k)) for k in CHANGE_DAYS[sid]]:
        if t < available:
            continue
        day = t.astimezone(raw.tz(sid)).date()
        while not raw.valid_on(sid, day):
            day += timedelta(days=1)
            t = raw.midnight(sid, day)
        if not out or t > out[-1]:
            out.append(t)
    return out


def _variants(raw: RawNetwork, request: PlanRequest, ci: int, services: list[Service]) -> list[Candidate]:
    """Consignment `ci` on `services` at every departure of the planner's space, priced from
    the raw files."""
    net, c = request.network, request.consignments[ci]
    horizon = c.ready.astimezone(UTC) + timedelta(days=request.horizon_days)
    handling = sum(net.locations[s.origin].handling_cost_eur(c.weight_kg) for s in services[1:])
    found: list[Candidate] = []

    def walk(i: int, available: datetime, legs: tuple[CandidateLeg, ...]) -> None:
        if i == len(services):
            found.append(Candidate(ci, legs, handling, to_seconds(c.ready)))
            return
        s = services[i]
        if s.is_timetabled:
            options = raw.departures(s.id, available + timedelta(hours=s.cutoff_h), horizon)
        else:
            options = _on_demand(raw, s.id, available)
        for depart in options:
            arrive = depart + timedelta(hours=s.duration_h)
            if c.due is not None and arrive > c.due:
                continue
            loose, box, boxed = raw.parts(s.id, c.weight_kg, c.volume_m3, depart)
            walk(i + 1, arrive, (*legs, CandidateLeg(s, to_seconds(depart), to_seconds(arrive), loose, 0.0,
                                                     box, boxed)))

    walk(0, c.ready.astimezone(UTC), ())
    return found


def _truth(directory: Path, request: PlanRequest) -> tuple[float, int]:
    """The optimum (objective, served) over every itinerary of the planner's space."""
    raw = RawNetwork(directory)
    net = request.network
    graph = nx.MultiDiGraph()
    for s in net.services.values():
        graph.add_edge(s.origin, s.destination, key=s.id)
    candidates = [[v for path in nx.all_simple_edge_paths(graph, c.origin, c.destination)
                   for v in _variants(raw, request, ci, [net.services[key] for _, _, key in path])]
                  for ci, c in enumerate(request.consignments)]
    objective = PlanObjective.of(request.objective, request.consignments, request.eur_per_tco2,
                                 request.eur_per_day)
    rules = ContainerRules(net, request.consignments, objective)
    inst = build_instance(request, candidates, objective, rules)
    serve = build(inst, serve_only=True)
    most = round(mathopt.solve(serve.model, mathopt.SolverType.HIGHS).objective_value())
    full = build(inst, served_target=most)
    params = mathopt.SolveParameters(relative_gap_tolerance=0.0, absolute_gap_tolerance=0.0)
    result = mathopt.solve(full.model, mathopt.SolverType.HIGHS, params=params)
    assert result.termination.reason == mathopt.TerminationReason.OPTIMAL
    return inst.value(full.decisions(inst, full.values(result))), most


def test_a_plan_under_dated_prices_is_the_true_optimum(tmp_path: Path) -> None:
    """Surcharges that end, a closed day, a cheaper rate row and a new exchange rate: the plan
    equals brute force over every itinerary, priced from the raw files."""
    directory = _network(tmp_path / "net")
    net = load_network(directory)
    request = PlanRequest(net, _consignments(), Objective.COST, horizon_days=10, time_limit_s=20)
    plan = plan_consignments(request)
    verify_plan(plan)
    optimum, most = _truth(directory, request)
    assert len(plan.assignments) == most
    assert plan.objective_value == pytest.approx(optimum, rel=1e-6)
    assert plan.gap is not None and plan.gap <= 1e-4


def test_waiting_for_the_end_of_a_surcharge_is_planned(tmp_path: Path) -> None:
    """A consignment with time to spare leaves the day after the surcharges end, not on the
    dearer day (and never on the closed day)."""
    net = load_network(_network(tmp_path / "net"))
    c = Consignment("A", "C", 400, 2.0, READY, READY + timedelta(days=10), id="c0")
    plan = plan_consignments(PlanRequest(net, (c,), Objective.COST, horizon_days=10, time_limit_s=10))
    verify_plan(plan)
    first = plan.assignments[0].legs[0]
    dear_or_closed = (DAY0, DAY0 + timedelta(2))
    assert first.service_id != "ROAD-AB" or first.depart.astimezone(BRU).date() not in dear_or_closed


def test_one_consignment_costs_in_a_plan_what_route_says(tmp_path: Path) -> None:
    """Alone and with room everywhere, a plan's cost is the engine's cheapest itinerary's, to
    the cent, under the same dated prices."""
    net = load_network(_network(tmp_path / "net"))
    for c in _consignments():
        plan = plan_consignments(PlanRequest(net, (c,), Objective.COST, horizon_days=10, time_limit_s=10))
        verify_plan(plan)
        best = best_itineraries(net, c, SearchOptions(Objective.COST, horizon_days=10)).itineraries
        if not best:
            assert not plan.assignments
            continue
        assert plan.total_cost_eur == pytest.approx(best[0].cost_eur, abs=0.01)

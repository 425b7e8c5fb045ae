"""The label-setting engine agrees with brute force (all simple paths) on random tiny networks."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import networkx as nx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from network import load_network
from network.timetable import next_departure_s, to_seconds
from routing.consignment import Consignment
from routing.costing import leg_co2e_kg, leg_price
from routing.objectives import Objective
from routing.search import SearchOptions, best_itineraries, pareto_itineraries
from tests.builders import location, service, write_network
from tests.verifier import RawNetwork, verify_itinerary

BRU = ZoneInfo("Europe/Brussels")
NODES = ["A", "B", "C", "D", "E"]
HORIZON_DAYS = 21

legs = st.tuples(
    st.sampled_from(NODES), st.sampled_from(NODES),
    st.sampled_from(["", "Mon", "Tue Fri", "daily", "Sat Sun"]),
    st.integers(0, 23), st.integers(0, 48), st.integers(1, 200), st.integers(0, 500),
    st.integers(0, 100),
)


def _write(directory: Path, raw_legs) -> Path:
    services = []
    for i, (a, b, days, hour, cutoff, hours, price, co2) in enumerate(raw_legs):
        if a == b:
            continue
        services.append(service(f"S{i}", a, b, days=days,
                                departure=f"{hour:02d}:00" if days else "",
                                cutoff_h=cutoff if days else 0, duration_h=hours,
                                eur_fixed=price, co2e_g_per_tkm=co2, distance_km=1000))
    return write_network(directory, [location(n, handling_h=3, handling_eur=7) for n in NODES],
                         services)


def _brute_force(net, c):
    """Every simple path, each leg at its earliest feasible departure (optimal for FIFO legs)."""
    graph = nx.MultiDiGraph()
    for s in net.services.values():
        graph.add_edge(s.origin, s.destination, key=s.id)
    if c.origin not in graph or c.destination not in graph:
        return []
    results = []
    ready = to_seconds(c.ready)
    for path in nx.all_simple_edge_paths(graph, c.origin, c.destination):
        t, cost, co2, ok = ready, 0.0, 0.0, True
        for i, (u, _, key) in enumerate(path):
            s = net.services[key]
            if i:
                t += net.locations[u].handling_h * 3600
                cost += net.locations[u].handling_cost_eur(c.weight_kg)
            if s.is_timetabled:
                dep = next_departure_s(s, t + s.cutoff_h * 3600, ready + HORIZON_DAYS * 86400)
                if dep is None:
                    ok = False
                    break
                t = dep
            t += s.duration_h * 3600
            cost += leg_price(s, c.weight_kg, c.volume_m3).eur
            co2 += leg_co2e_kg(s, c.weight_kg)
        if ok:
            results.append((round(cost, 6), t, round(co2, 6)))
    return results


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(legs, min_size=1, max_size=12), st.integers(0, 7 * 24))
def test_engine_matches_brute_force(raw_legs, ready_h):
    """Best cost, best arrival, best CO2e and the Pareto front equal brute-force enumeration."""
    with tempfile.TemporaryDirectory() as tmp:
        directory = _write(Path(tmp), raw_legs)
        net = load_network(directory)
        raw = RawNetwork(directory)
        ready = datetime(2027, 3, 22, tzinfo=BRU).timestamp() + ready_h * 3600  # spans DST
        c = Consignment("A", "E", 500, 1, datetime.fromtimestamp(ready, BRU))
        truth = _brute_force(net, c)
        for objective, pick in ((Objective.COST, lambda r: (r[0], r[1])),
                                (Objective.TIME, lambda r: (r[1], r[0])),
                                (Objective.CO2, lambda r: (r[2], r[0], r[1]))):
            found = best_itineraries(net, c, SearchOptions(objective=objective,
                                                           horizon_days=HORIZON_DAYS)).itineraries
            if not truth:
                assert not found
                continue
            best = found[0]
            verify_itinerary(raw, best, HORIZON_DAYS)
            got = (round(best.cost_eur, 6), to_seconds(best.arrive), round(best.co2e_kg, 6))
            assert pick(got) == min(pick(r) for r in truth), objective
        front = pareto_itineraries(net, c, SearchOptions(horizon_days=HORIZON_DAYS)).itineraries
        expected = {r for r in truth
                    if not any(o != r and o[0] <= r[0] and o[1] <= r[1] and o[2] <= r[2]
                               for o in truth)}
        got_front = {(round(i.cost_eur, 6), to_seconds(i.arrive), round(i.co2e_kg, 6)) for i in front}
        assert got_front == expected

"""Property tests: invariants of the exact engine on random consignments and networks."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from network import load_network
from network.model import Service
from routing.consignment import Consignment
from routing.objectives import Objective
from routing.search import SearchOptions, best_itineraries, pareto_itineraries

BRU = ZoneInfo("Europe/Brussels")
NET = load_network()
BE = sorted(x.id for x in NET.locations.values() if x.country == "BE" and x.kind == "city")
CN = sorted(x.id for x in NET.locations.values() if x.country == "CN" and x.kind == "city")
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

consignments = st.builds(
    Consignment,
    origin=st.sampled_from(BE),
    destination=st.sampled_from(CN),
    weight_kg=st.floats(1, 30000),
    volume_m3=st.floats(0.01, 120),
    ready=st.integers(0, 60 * 24 * 21).map(
        lambda m: datetime(2026, 12, 1, tzinfo=BRU) + timedelta(minutes=m)),
    goods=st.sampled_from(["general", "perishable", "dg"]),
)


def _best(net, c, objective=Objective.COST):
    found = best_itineraries(net, c, SearchOptions(objective=objective)).itineraries
    return found[0] if found else None


@SETTINGS
@given(consignments, st.floats(1.0, 3.0))
def test_more_weight_never_costs_less(c, factor):
    """The cheapest itinerary for a heavier consignment costs at least as much."""
    heavier = Consignment(c.origin, c.destination, c.weight_kg * factor, c.volume_m3, c.ready,
                          goods=c.goods)
    light, heavy = _best(NET, c), _best(NET, heavier)
    if light is None:
        assert heavy is None
    else:
        assert heavy is not None
        assert heavy.cost_eur >= light.cost_eur - 1e-6


@SETTINGS
@given(consignments, st.floats(0, 500), st.floats(1, 200))
def test_adding_a_service_never_worsens_the_optimum(c, price, hours):
    """A new direct service can only lower the best cost."""
    before = _best(NET, c)
    extra = Service(id="NEW", origin=c.origin, destination=c.destination, mode="road",
                    operator="new", distance_km=9000, duration_h=hours, eur_fixed=price,
                    origin_tz="Europe/Brussels")
    after = _best(NET.with_services({"NEW": extra}), c)
    assert after is not None
    if before is not None:
        assert after.cost_eur <= before.cost_eur + 1e-6


@SETTINGS
@given(consignments)
def test_time_optimum_arrives_no_later_than_any_other_objective(c):
    """The `time` optimum arrives no later than the optimum of any other objective."""
    fastest = _best(NET, c, Objective.TIME)
    for objective in (Objective.COST, Objective.CO2, Objective.BALANCED):
        other = _best(NET, c, objective)
        if other is not None:
            assert fastest is not None
            assert fastest.arrive <= other.arrive


@SETTINGS
@given(consignments)
def test_cost_optimum_is_no_dearer_than_any_pareto_point(c):
    """The `cost` optimum is as cheap as the cheapest Pareto itinerary; CO2 likewise."""
    front = pareto_itineraries(NET, c).itineraries
    cheapest, cleanest = _best(NET, c), _best(NET, c, Objective.CO2)
    if front:
        assert cheapest.cost_eur == pytest.approx(min(it.cost_eur for it in front))
        assert cleanest.co2e_kg == pytest.approx(min(it.co2e_kg for it in front))


@SETTINGS
@given(consignments)
def test_pareto_set_is_mutually_non_dominated(c):
    """No Pareto itinerary is at least as good as another on cost, arrival and CO2e."""
    front = pareto_itineraries(NET, c).itineraries
    for a in front:
        for b in front:
            if a is b:
                continue
            dominated = (a.cost_eur <= b.cost_eur + 1e-9 and a.arrive <= b.arrive
                         and a.co2e_kg <= b.co2e_kg + 1e-9)
            assert not dominated, (a.signature, b.signature)

"""compare's break-even figures: the weight curve (routing.compare.CostCurve) equals the
leg-by-leg prices, and the break-even weight found on it is where the scalar pricing function
says rail becomes cheaper than air."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from network import DEFAULT_NETWORK_DIR, Network, load_network
from network import columns as C
from network.timetable import to_seconds
from routing.compare import MAX_KG, MIN_KG, CostCurve, break_even_weight_kg, missing_modes, route_costs_eur
from routing.consignment import Consignment
from routing.itinerary import Itinerary
from routing.search import SearchOptions, best_by_main_mode
from routing.tariffs import leg_price_at
from tests.builders import location, service, write_network

BRU = ZoneInfo("Europe/Brussels")
READY = datetime(2026, 3, 2, 8, tzinfo=BRU)


@pytest.fixture(scope="module")
def surcharged(tmp_path_factory):
    """Air in USD with a percentage, a per-kg and a per-consignment surcharge; rail in USD with
    containers after a truck in CNY (with its own containers) to a hub that charges handling."""
    directory = tmp_path_factory.mktemp("compare")
    services = [
        service("AIR", "A", "B", mode="air", days="daily", departure="12:00", duration_h=14, distance_km=8900,
                currency="USD", eur_fixed=60, eur_per_kg=4.2, eur_min=180, kg_per_m3=167),
        service("TRUCK", "A", "H", currency="CNY", eur_fixed=300, eur_per_tkm=0.9, eur_min=400,
                distance_km=400, kg_per_m3=333, container_eur=5200, container_kg=24000, container_m3=80),
        service("RAIL", "H", "B", mode="rail", days="daily", departure="10:00", duration_h=400,
                distance_km=10800, currency="USD", eur_fixed=350, eur_per_kg=0.9, eur_min=900, kg_per_m3=333,
                container_eur=7400, container_kg=26000, container_m3=67),
    ]
    fx = [{"date": "2026-01-01", "currency": "USD", "per_eur": "1.08"},
          {"date": "2026-01-01", "currency": "CNY", "per_eur": "7.9"}]
    surcharges = [
        {"id": "FUEL", "mode": "air", "kind": "percent_freight", "amount": "18", "source": "test"},
        {"id": "SEC", "service": "AIR", "kind": "per_chargeable_kg", "amount": "0.15", "currency": "EUR",
         "source": "test"},
        {"id": "DOC", "mode": "air", "kind": "per_consignment", "amount": "35", "currency": "USD",
         "source": "test"},
    ]
    hub = location("H", **{C.HANDLING_EUR: "45", C.HANDLING_EUR_PER_KG: "0.03"})
    return load_network(write_network(directory, [location("A"), hub,
                                                  location("B", tz="Asia/Shanghai", country="CN")],
                                      services, fx=fx, surcharges=surcharges))


@pytest.fixture(scope="module")
def default_network():
    return load_network(DEFAULT_NETWORK_DIR)


def _modes(network: Network, origin: str, destination: str, kg: float, m3: float) -> dict[str, Itinerary]:
    consignment = Consignment(origin, destination, kg, m3, READY)
    return best_by_main_mode(network, consignment, SearchOptions(horizon_days=40))


def _scalar_cost(network: Network, itinerary: Itinerary, kg: float, m3: float) -> float:
    """The itinerary's services and handling for `kg`/`m3`, one scalar price per leg."""
    legs = sum(leg_price_at(network, leg.service, kg, m3, to_seconds(leg.depart)).eur
               for leg in itinerary.legs)
    return legs + sum(network.locations[h.location].handling_cost_eur(kg) for h in itinerary.handling)


CASES = [("surcharged", "A", "B", 300.0, 1.2), ("surcharged", "A", "B", 40.0, 0.9),
         ("default", "BE-LIEGE", "CN-ZHENGZHOU", 800.0, 3.0),
         ("default", "BE-NAMUR", "CN-SHANGHAI", 120.0, 0.4)]


@pytest.mark.parametrize(("which", "origin", "destination", "kg", "m3"), CASES)
def test_the_weight_curve_equals_the_leg_by_leg_prices(request, which, origin, destination, kg, m3):
    """Air less rail on the curve equals air less rail priced leg by leg, from 1 kg to 200 t."""
    network = request.getfixturevalue("surcharged" if which == "surcharged" else "default_network")
    modes = _modes(network, origin, destination, kg, m3)
    air, rail = modes["air"], modes["rail"]
    kgs = np.geomspace(MIN_KG, MAX_KG, 997)
    density = m3 / kg
    curve = CostCurve(network, ((1.0, air), (-1.0, rail)), density)(kgs)
    legs = (route_costs_eur(network, air, kgs, kgs * density)
            - route_costs_eur(network, rail, kgs, kgs * density))
    assert np.allclose(curve, legs, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize(("which", "origin", "destination", "kg", "m3"), CASES)
def test_the_break_even_weight_is_where_rail_becomes_cheaper(request, which, origin, destination, kg, m3):
    """At the break-even weight (to 0.1 kg) rail is cheaper than air by the scalar prices, and
    0.1 kg below it it is not."""
    network = request.getfixturevalue("surcharged" if which == "surcharged" else "default_network")
    modes = _modes(network, origin, destination, kg, m3)
    air, rail = modes["air"], modes["rail"]
    weight = break_even_weight_kg(network, air, rail)
    assert weight is not None and MIN_KG < weight < MAX_KG
    density = m3 / kg

    def air_less_rail(w: float) -> float:
        return _scalar_cost(network, air, w, w * density) - _scalar_cost(network, rail, w, w * density)

    assert air_less_rail(weight + 0.1) > 0 >= air_less_rail(weight - 0.1)


@pytest.mark.parametrize(("capacity", "said"), [
    ({C.CAPACITY_M3: "100"}, "(largest 100 m³)"),
    ({C.CAPACITY_KG: "20000", C.CAPACITY_M3: "100"}, "(largest 20,000 kg, 100 m³)"),
])
def test_a_mode_too_small_names_its_largest_capacity_in_the_units_that_limit(tmp_path, capacity, said):
    """Sea limited in m³ only, or in both: the reason names what the services hold, no crash."""
    services = [service("SEA", "A", "B", mode="sea", days="daily", departure="12:00", duration_h=600,
                        distance_km=19000, eur_per_kg=0.1, **capacity),
                service("AIR", "A", "B", mode="air", days="daily", departure="12:00", duration_h=14,
                        distance_km=8900, eur_per_kg=4.0)]
    network = load_network(write_network(tmp_path, [location("A"), location("B", tz="Asia/Shanghai",
                                                                           country="CN")], services))
    consignment = Consignment("A", "B", 5000, 150, READY)
    found = best_by_main_mode(network, consignment, SearchOptions(horizon_days=40))
    gaps = missing_modes(network, consignment, SearchOptions(horizon_days=40), found)
    assert gaps["sea"].reason == "capacity"
    assert gaps["sea"].text == f"every sea departure is smaller than this consignment {said}"

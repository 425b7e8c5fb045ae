"""The itinerary engine on hand-made networks with hand-computed optima, and on the default one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from network import load_network
from network.loader import DEFAULT_NETWORK_DIR
from routing.consignment import Consignment
from routing.objectives import Objective, Weights
from routing.search import (
    SearchOptions,
    best_by_main_mode,
    best_itineraries,
    pareto_itineraries,
    route_sequences,
)
from tests.builders import location, service, write_network
from tests.verifier import RawNetwork, verify_itinerary

BRU = ZoneInfo("Europe/Brussels")
SHA = ZoneInfo("Asia/Shanghai")


def _solve(directory, consignment, **options):
    net = load_network(directory)
    result = best_itineraries(net, consignment, SearchOptions(**options))
    raw = RawNetwork(directory)
    for it in result.itineraries:
        verify_itinerary(raw, it, options.get("horizon_days", 60))
    return result.itineraries


def _two_trains(tmp_path, **train_b):
    """A → hub by truck, then two competing trains hub → Z (Mon fast dear, Thu cheap slow)."""
    return write_network(tmp_path, [
        location("A"), location("H", kind="rail_terminal", handling_h=2, handling_eur=10),
        location("Z", country="CN", tz="Asia/Shanghai", lat=34.7, lon=113.6),
    ], [
        service("T", "A", "H", duration_h=3, eur_fixed=50),
        service("FAST", "H", "Z", mode="rail", days="Mon", departure="10:00", cutoff_h=24,
                duration_h=300, eur_per_kg=1.0, distance_km=11000, co2e_g_per_tkm=30),
        service("SLOW", "H", "Z", mode="rail", days="Thu", departure="10:00", cutoff_h=24,
                duration_h=400, eur_per_kg=0.5, distance_km=11000, co2e_g_per_tkm=20, **train_b),
    ])


def _c(**kw):
    base = {"origin": "A", "destination": "Z", "weight_kg": 100.0, "volume_m3": 0.1,
            "ready": datetime(2026, 11, 30, 6, 0, tzinfo=BRU)}  # a Monday
    base.update(kw)
    return Consignment(**base)


def test_cost_waits_for_the_cheaper_later_departure(tmp_path):
    """Under `cost` the cargo waits for Thursday's cheap train: 50 + 10 + 50 = EUR 110."""
    ready = datetime(2026, 11, 27, 6, 0, tzinfo=BRU)  # Friday: Monday's train is reachable
    [best] = _solve(_two_trains(tmp_path), _c(ready=ready))
    assert best.signature == ("T", "SLOW")
    assert best.cost_eur == pytest.approx(110.0)
    assert best.legs[1].depart == datetime(2026, 12, 3, 10, 0, tzinfo=BRU)


def test_time_takes_the_earlier_dearer_departure(tmp_path):
    """Under `time` the Monday train wins: arrival Mon 10:00 + 300 h, cost 50 + 10 + 100."""
    ready = datetime(2026, 11, 27, 6, 0, tzinfo=BRU)
    [best] = _solve(_two_trains(tmp_path), _c(ready=ready), objective=Objective.TIME)
    assert best.signature == ("T", "FAST")
    assert best.cost_eur == pytest.approx(160.0)
    expected = datetime(2026, 11, 30, 10, 0, tzinfo=BRU) + timedelta(hours=300)
    assert best.arrive == expected


def test_cutoff_just_missed_waits_a_week(tmp_path):
    """Cargo at the hub one minute after the cut-off takes next week's train."""
    # Truck 3 h + handling 2 h: ready Sun 05:01 -> available Sun 10:01 > Mon 10:00 - 24 h.
    ready = datetime(2026, 11, 29, 5, 1, tzinfo=BRU)
    [best] = _solve(_two_trains(tmp_path), _c(ready=ready), objective=Objective.TIME)
    # Next Monday's fast train (Dec 7 + 300 h) still beats Thursday's slow one (Dec 3 + 400 h).
    assert best.legs[1].depart == datetime(2026, 12, 7, 10, 0, tzinfo=BRU)
    on_time = datetime(2026, 11, 29, 5, 0, tzinfo=BRU)
    [best] = _solve(_two_trains(tmp_path), _c(ready=on_time), objective=Objective.TIME)
    assert best.legs[1].depart == datetime(2026, 11, 30, 10, 0, tzinfo=BRU)


def test_container_is_cheaper_than_lcl_for_a_big_consignment(tmp_path):
    """20 t at EUR 0.5/kg is EUR 10,000 LCL; one container at EUR 3,000 wins."""
    directory = _two_trains(tmp_path, container_eur=3000, container_m3=67, container_kg=21000)
    [best] = _solve(directory, _c(weight_kg=20000.0, volume_m3=30.0))
    train = best.legs[1]
    assert (train.basis, train.containers, train.cost_eur) == ("FCL", 1, 3000.0)
    # 22 t needs two boxes (weight), EUR 6,000 still beats EUR 11,000 LCL.
    [best] = _solve(directory, _c(weight_kg=22000.0, volume_m3=30.0))
    assert (best.legs[1].containers, best.legs[1].cost_eur) == (2, 6000.0)


def test_goods_class_forbids_the_cheapest_service(tmp_path):
    """Dangerous goods cannot take the general-only cheap train."""
    directory = _two_trains(tmp_path, goods="general")
    [best] = _solve(directory, _c(goods="dg"))
    assert best.signature == ("T", "FAST")


def test_due_date_excludes_the_slow_train(tmp_path):
    """A due date the slow train misses leaves the fast one; a due date both miss leaves none."""
    ready = datetime(2026, 11, 27, 6, 0, tzinfo=BRU)
    due = datetime(2026, 12, 15, 0, 0, tzinfo=SHA)
    [best] = _solve(_two_trains(tmp_path), _c(ready=ready, due=due))
    assert best.signature == ("T", "FAST")
    assert best.meets_due
    assert not _solve(_two_trains(tmp_path), _c(ready=ready, due=ready + timedelta(days=3)))


def test_dst_change_moves_the_arrival_in_utc(tmp_path):
    """A Sunday 10:00 departure after spring-forward leaves at 08:00 UTC, not 09:00."""
    directory = write_network(tmp_path, [location("A"), location("B")], [
        service("S", "A", "B", days="Sun", departure="10:00", duration_h=5)])
    ready = datetime(2027, 3, 26, 12, 0, tzinfo=BRU)
    [best] = _solve(directory, _c(destination="B", ready=ready))
    assert best.legs[0].depart.astimezone(UTC) == datetime(2027, 3, 28, 8, 0, tzinfo=UTC)
    assert best.transit_h == pytest.approx(50)  # Fri 11:00 UTC -> Sun 13:00 UTC (51 h on the clock)


def test_alternatives_are_distinct_routes_best_first(tmp_path):
    """Two alternatives are the two trains, never the same train a week later."""
    ready = datetime(2026, 11, 27, 6, 0, tzinfo=BRU)
    found = _solve(_two_trains(tmp_path), _c(ready=ready), alternatives=3)
    assert [it.signature for it in found] == [("T", "SLOW"), ("T", "FAST")]


def test_balanced_prices_time(tmp_path):
    """With time worth EUR 10/day the fast train (EUR 50 dearer, ~7 days sooner) wins."""
    ready = datetime(2026, 11, 27, 6, 0, tzinfo=BRU)
    cheap = _solve(_two_trains(tmp_path), _c(ready=ready), objective=Objective.BALANCED,
                   weights=Weights(eur_per_day=1.0, eur_per_tco2=0))
    dear = _solve(_two_trains(tmp_path), _c(ready=ready), objective=Objective.BALANCED,
                  weights=Weights(eur_per_day=10.0, eur_per_tco2=0))
    assert cheap[0].signature == ("T", "SLOW")
    assert dear[0].signature == ("T", "FAST")


def test_co2_objective_takes_the_cleaner_train(tmp_path):
    """Under `co2` the 20 g/tkm train beats the 30 g/tkm one."""
    directory = _two_trains(tmp_path)
    [best] = _solve(directory, _c(), objective=Objective.CO2)
    assert best.legs[1].service.id == "SLOW"
    assert best.co2e_kg == pytest.approx(0.1 * 11000 * 20 / 1000)


def test_pareto_set_holds_both_trains(tmp_path):
    """Cheap-slow-clean and dear-fast-dirty are both non-dominated."""
    ready = datetime(2026, 11, 27, 6, 0, tzinfo=BRU)
    net = load_network(_two_trains(tmp_path))
    found = pareto_itineraries(net, _c(ready=ready)).itineraries
    assert [it.signature for it in found] == [("T", "SLOW"), ("T", "FAST")]


@pytest.fixture(scope="module")
def default():
    return load_network()


@pytest.mark.parametrize("origin", ["BE-NAMUR", "BE-CHARLEROI", "BE-ARLON", "BE-GHENT"])
@pytest.mark.parametrize("objective", list(Objective))
def test_default_network_results_pass_the_independent_verifier(default, origin, objective):
    """Every itinerary on the default network agrees with the raw CSV rows."""
    c = Consignment(origin, "CN-CHENGDU", 800, 3.5, datetime(2026, 12, 1, 9, tzinfo=BRU),
                    value_eur=40000)
    result = best_itineraries(default, c, SearchOptions(objective=objective, alternatives=3,
                                                        weights=Weights(eur_per_day=21.9)))
    assert result.itineraries
    raw = RawNetwork(DEFAULT_NETWORK_DIR)
    for it in result.itineraries:
        verify_itinerary(raw, it, 60)


def test_compare_on_default_network_has_rail_air_and_sea(default):
    """Namur → Zhengzhou has a best itinerary by rail, by air and by sea, in the expected order."""
    c = Consignment("BE-NAMUR", "CN-ZHENGZHOU", 800, 3.5, datetime(2026, 12, 1, 9, tzinfo=BRU))
    by_mode = best_by_main_mode(default, c)
    assert {"rail", "air", "sea"} <= set(by_mode)
    assert by_mode["air"].transit_h < by_mode["rail"].transit_h < by_mode["sea"].transit_h
    assert by_mode["sea"].cost_eur < by_mode["rail"].cost_eur < by_mode["air"].cost_eur
    # Sea via the Cape plus ~1,000 km of Chinese trucking is not cleaner than rail here.
    assert by_mode["air"].co2e_kg > 5 * max(by_mode["rail"].co2e_kg, by_mode["sea"].co2e_kg)
    raw = RawNetwork(DEFAULT_NETWORK_DIR)
    for it in by_mode.values():
        verify_itinerary(raw, it, 60)


FIXTURES = DEFAULT_NETWORK_DIR.parents[1] / "tests" / "data" / "networks"


def _fixture_consignment(**kw):
    base = {"origin": "A", "destination": "D", "weight_kg": 500.0, "volume_m3": 1.0,
            "ready": datetime(2027, 3, 22, 6, tzinfo=BRU)}
    base.update(kw)
    return Consignment(**base)


@pytest.mark.parametrize("objective", [Objective.COST, Objective.TIME])
def test_co2_breaks_a_cost_and_time_tie_whatever_k(objective):
    """Two parallel services equal in price and time: the cleaner one wins, with or without
    alternatives, and the order of the alternatives follows."""
    net = load_network(FIXTURES / "engine_co2_tie")
    c = _fixture_consignment()
    [best] = best_itineraries(net, c, SearchOptions(objective=objective)).itineraries
    assert best.signature == ("S2", "S3")
    two = best_itineraries(net, c, SearchOptions(objective=objective, alternatives=1)).itineraries
    assert [it.signature for it in two] == [("S2", "S3"), ("S1", "S3")]


@pytest.mark.parametrize("objective", list(Objective))
def test_exact_tie_goes_to_the_lexicographic_sequence(objective):
    """S1 (24 h) and S2 (1 h) both catch the same S3 departure and tie on every criterion: the
    stated rule (fewest legs, then lexicographic sequence) picks S1, not the earlier arrival at B."""
    net = load_network(FIXTURES / "engine_sequence_tie")
    [best] = best_itineraries(net, _fixture_consignment(), SearchOptions(objective=objective)).itineraries
    assert best.signature == ("S1", "S3")


def test_a_label_that_passed_a_location_does_not_hide_one_that_can_still_pass_it():
    """The cheap road route passes Y on its way to X, where the rail leg starts, but the rail
    route must pass Y after the train: compare still shows rail, and one alternative is found."""
    net = load_network(FIXTURES / "engine_revisit")
    c = _fixture_consignment()
    by_mode = best_by_main_mode(net, c)
    assert by_mode["rail"].signature == ("AX", "XR", "RY", "YD")
    assert by_mode["road"].signature == ("AY", "YD")
    two = best_itineraries(net, c, SearchOptions(alternatives=1)).itineraries
    assert [it.signature for it in two] == [("AY", "YD"), ("AX", "XR", "RY", "YD")]
    assert len(best_itineraries(net, c, SearchOptions(alternatives=3)).itineraries) == 2


def test_balanced_ties_go_to_the_earlier_arrival_then_the_cheaper(tmp_path):
    """Equal balanced scores: the earlier arrival wins, then the lower cost (README)."""
    directory = write_network(tmp_path, [location("A"), location("B")], [
        # 1 h and 25 h: at EUR 24/day, 24 h in transit is worth EUR 24, which S1 saves in price.
        service("S1", "A", "B", eur_fixed=76, duration_h=25),
        service("S2", "A", "B", eur_fixed=100, duration_h=1),
    ])
    c = _c(destination="B")
    weights = Weights(eur_per_day=24.0, eur_per_tco2=0.0)
    [best] = _solve(directory, c, objective=Objective.BALANCED, weights=weights)
    assert best.signature == ("S2",)


def test_a_service_the_consignment_alone_overfills_is_refused(tmp_path):
    """A departure with less capacity than the consignment is not offered to it."""
    directory = write_network(tmp_path, [location("A"), location("B")], [
        service("SMALL", "A", "B", eur_fixed=10, capacity_kg=400),
        service("BIG", "A", "B", eur_fixed=90),
    ])
    [best] = _solve(directory, _c(destination="B", weight_kg=500.0))
    assert best.signature == ("BIG",)
    [best] = _solve(directory, _c(destination="B", weight_kg=300.0))
    assert best.signature == ("SMALL",)


def test_main_mode_of_equally_long_legs_follows_the_rank(tmp_path):
    """Two 1,000 km legs, road then rail: the main mode is rail whatever their order."""
    directory = write_network(tmp_path, [location("A"), location("B"), location("C")], [
        service("R", "A", "B", distance_km=1000, eur_fixed=10),
        service("T", "B", "C", mode="rail", distance_km=1000, eur_fixed=10),
    ])
    [best] = _solve(directory, _c(destination="C"))
    assert best.main_mode == "rail"
    assert set(best_by_main_mode(load_network(directory), _c(destination="C"))) == {"rail"}


def test_departure_costs_make_the_engine_wait_for_a_cheaper_departure(tmp_path):
    """A listed later departure that is cheaper is taken under `cost`; `time` keeps the first;
    an on-demand leg costs what is listed at the instant the cargo is there."""
    from network.timetable import to_seconds
    from routing.compiled import compiled
    from routing.search import DepartureCosts

    directory = write_network(tmp_path, [location("A"), location("B"), location("C")], [
        service("T", "A", "B", days="daily", departure="10:00", eur_fixed=100),
        service("R", "B", "C", eur_fixed=50),
    ])
    net = load_network(directory)
    cn = compiled(net)
    c = _c(destination="C", ready=datetime(2026, 11, 30, 6, tzinfo=BRU))
    later = to_seconds(datetime(2026, 12, 2, 10, tzinfo=BRU))
    costs = {cn.service_index["T"]: DepartureCosts(100e6, (later,), (10e6,))}
    [cheap] = best_itineraries(net, c, SearchOptions(), costs=costs).itineraries
    assert cheap.legs[0].depart == datetime(2026, 12, 2, 10, tzinfo=BRU)
    [fast] = best_itineraries(net, c, SearchOptions(objective=Objective.TIME), costs=costs).itineraries
    assert fast.legs[0].depart == datetime(2026, 11, 30, 10, tzinfo=BRU)
    there = to_seconds(datetime(2026, 12, 2, 11, tzinfo=BRU))  # when the train arrives
    costs[cn.service_index["R"]] = DepartureCosts(500e6, (there,), (5e6,), stepwise=True)
    [both] = best_itineraries(net, c, SearchOptions(), costs=costs).itineraries
    assert both.legs[1].depart == datetime(2026, 12, 2, 11, tzinfo=BRU)
    assert both.signature == ("T", "R")


def _daily_train_then_truck(tmp_path):
    """A free daily train A → B at 10:00 (1 h), then a free on-demand truck B → C."""
    from routing.compiled import compiled

    directory = write_network(tmp_path, [location("A"), location("B"), location("C")], [
        service("T", "A", "B", days="daily", departure="10:00"), service("R", "B", "C")])
    net = load_network(directory)
    return net, compiled(net), _c(destination="C", ready=datetime(2026, 11, 30, 6, tzinfo=BRU))


def test_on_demand_costs_that_are_not_stepwise_are_refused(tmp_path):
    """A truck costing 5 only at the instant the first train's cargo is there (the default 0 a
    day later) would make arriving later cheaper, which the search's dominance excludes: such
    costs on an on-demand service are refused with the service named."""
    from network.timetable import to_seconds
    from routing.search import DepartureCosts

    net, cn, c = _daily_train_then_truck(tmp_path)
    first = to_seconds(datetime(2026, 11, 30, 11, tzinfo=BRU))
    costs = {cn.service_index["R"]: DepartureCosts(0.0, (first,), (5e6,))}
    with pytest.raises(ValueError, match="'R' runs on demand: its departure costs must be stepwise"):
        best_itineraries(net, c, SearchOptions(), costs=costs)


def test_a_stepwise_on_demand_price_is_waited_for(tmp_path):
    """The truck costs EUR 5 from the first train's arrival and nothing from noon the next day:
    the first train arrives, and its cargo waits for the free truck (arriving later by a later
    train would pay no less)."""
    from network.timetable import to_seconds
    from routing.search import DepartureCosts

    net, cn, c = _daily_train_then_truck(tmp_path)
    steps = (to_seconds(datetime(2026, 11, 30, 11, tzinfo=BRU)),
             to_seconds(datetime(2026, 12, 1, 12, tzinfo=BRU)))
    costs = {cn.service_index["R"]: DepartureCosts(0.0, steps, (5e6, 0.0), stepwise=True)}
    [best] = best_itineraries(net, c, SearchOptions(), costs=costs).itineraries
    assert [leg.depart for leg in best.legs] == [datetime(2026, 11, 30, 10, tzinfo=BRU),
                                                  datetime(2026, 12, 1, 12, tzinfo=BRU)]


def _two_hubs(tmp_path):
    """A → B through hub H1 (clean handling) or H2 (dirty handling, EUR 10 cheaper), and a
    direct flight measured great circle (GLEC adds 95 km for its emissions)."""
    hub = {"kind": "rail_terminal", "handling_h": 1}
    return write_network(tmp_path, [
        location("A"), location("B"),
        location("H1", hub_co2e_kg_per_t=2.0, hub_co2e_ttw_kg_per_t=0.4, hub_co2e_wtt_kg_per_t=1.6,
                 handling_eur=20, **hub),
        location("H2", hub_co2e_kg_per_t=50.0, hub_co2e_ttw_kg_per_t=10, hub_co2e_wtt_kg_per_t=40,
                 handling_eur=10, **hub),
    ], [
        service("IN1", "A", "H1", distance_km=100, co2e_g_per_tkm=100, co2e_ttw_g_per_tkm=75,
                co2e_wtt_g_per_tkm=25),
        service("OUT1", "H1", "B", mode="rail", distance_km=1000, co2e_g_per_tkm=20, co2e_ttw_g_per_tkm=5,
                co2e_wtt_g_per_tkm=15, duration_h=20),
        service("IN2", "A", "H2", distance_km=100, co2e_g_per_tkm=100, co2e_ttw_g_per_tkm=75,
                co2e_wtt_g_per_tkm=25),
        service("OUT2", "H2", "B", mode="rail", distance_km=1000, co2e_g_per_tkm=20, co2e_ttw_g_per_tkm=5,
                co2e_wtt_g_per_tkm=15, duration_h=20),
        service("FLY", "A", "B", mode="air", distance_km=1000, co2e_g_per_tkm=629, co2e_ttw_g_per_tkm=498,
                co2e_wtt_g_per_tkm=131, co2e_distance_add_km=95, eur_fixed=500, duration_h=3),
    ])


def test_hub_emissions_and_the_split_by_hand(tmp_path):
    """500 kg through H1: legs 0.5 t × 100 km × 100 g = 5 kg and 0.5 × 1000 × 20 = 10 kg, handling
    at H1 0.5 t × 2 kg/t = 1 kg: 16 kg well to wheel = TTW 3.75 + 2.5 + 0.2 = 6.45 plus WTT
    1.25 + 7.5 + 0.8 = 9.55. Under `co2` H1 wins; under `cost` H2 (EUR 10 cheaper, 25 kg at
    its hub). The flight emits 0.5 × (1000 + 95) × 629 g = 344.4 kg."""
    directory = _two_hubs(tmp_path)
    c = _c(destination="B", weight_kg=500.0, volume_m3=1.0)
    [clean] = _solve(directory, c, objective=Objective.CO2)
    assert clean.signature == ("IN1", "OUT1")
    assert clean.co2e_kg == pytest.approx(16.0) and clean.co2e_hub_kg == pytest.approx(1.0)
    assert clean.co2e_ttw_kg == pytest.approx(6.45) and clean.co2e_wtt_kg == pytest.approx(9.55)
    assert clean.handling[0].co2e_kg == pytest.approx(1.0)
    assert clean.handling[0].co2e_ttw_kg == pytest.approx(0.2)
    [cheap] = _solve(directory, c)
    assert cheap.signature == ("IN2", "OUT2") and cheap.co2e_kg == pytest.approx(40.0)
    net = load_network(directory)
    fly = best_by_main_mode(net, c, SearchOptions(objective=Objective.CO2))["air"]
    assert fly.co2e_kg == pytest.approx(0.5 * 1095 * 629 / 1000)
    assert fly.co2e_ttw_kg == pytest.approx(0.5 * 1095 * 498 / 1000)
    verify_itinerary(RawNetwork(directory), fly)


def test_the_pareto_front_counts_hub_emissions(tmp_path):
    """H1 (dearer, cleaner) and H2 (cheaper, dirtier at the hub) are both on the front."""
    net = load_network(_two_hubs(tmp_path))
    found = pareto_itineraries(net, _c(destination="B", weight_kg=500.0, volume_m3=1.0)).itineraries
    assert [it.signature for it in found][:2] == [("IN2", "OUT2"), ("IN1", "OUT1")]


@pytest.mark.parametrize("objective", [Objective.COST, Objective.TIME, Objective.BALANCED])
def test_route_sequences_are_the_itineraries_services(objective):
    """The planner's sequences are those of best_itineraries (with alternatives) then of
    best_by_main_mode, in that order, each once, though no itinerary is built."""
    network = load_network()
    ready = datetime(2026, 9, 14, 9, tzinfo=ZoneInfo("Europe/Brussels"))
    for origin, destination, kg in [("BE-NAMUR", "CN-ZHENGZHOU", 800), ("BE-LIEGE", "CN-HANGZHOU", 40),
                                    ("BE-CHARLEROI", "CN-CHENGDU", 12000)]:
        c = Consignment(origin, destination, kg, kg / 250, ready)
        options = SearchOptions(objective=objective, horizon_days=56, alternatives=3)
        want: list[tuple[object, ...]] = []
        for it in [*best_itineraries(network, c, options).itineraries,
                   *best_by_main_mode(network, c, options).values()]:
            services = tuple(leg.service for leg in it.legs)
            if services not in want:
                want.append(services)
        assert want and route_sequences(network, c, options) == want

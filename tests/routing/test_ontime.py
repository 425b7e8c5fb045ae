"""The search for the best itinerary on time with probability ≥ P (routing/ontime.py) on
hand-made networks whose answers are known: the punctual route over the cheap one, the dearer
earlier departure of the same services when a later one is cheaper, lateness priced into
`balanced`, and how early to leave."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from network import load_network
from network.timetable import to_seconds
from routing.consignment import Consignment
from routing.objectives import Objective, Weights
from routing.ontime import (
    OnTimeGoal,
    best_by_mode_on_time,
    build_itinerary,
    compare_line,
    leave_by,
    no_on_time_message,
    search_on_time,
)
from routing.reliability import Simulator, itinerary_figures
from routing.search import SearchOptions, best_itineraries
from tests.builders import location, service, write_network
from tests.verifier import RawNetwork, verify_itinerary, verify_reliability

BRU = ZoneInfo("Europe/Brussels")
SUNDAY_NOON = datetime(2027, 1, 3, 12, 0, tzinfo=BRU)
SHIP_LATE = {"form": "late_mean", "on_time_share": "0.5", "window_h": "0", "late_mean_h": "48"}


@pytest.fixture(scope="module")
def two_routes(tmp_path_factory):
    """A cheap weekly ship (half late, 48 h on average) and a dear punctual weekly train, both
    leaving Monday 12:00 for 100 h, each behind a 2 h truck."""
    services = [service("T1", "A", "B", duration_h=2, eur_fixed=10),
                service("SHIP", "B", "C", days="Mon", departure="12:00", duration_h=100, mode="sea",
                        eur_fixed=50, distance_km=9000),
                service("T2", "A", "D", duration_h=2, eur_fixed=10),
                service("TRAIN", "D", "C", days="Mon", departure="12:00", duration_h=100, mode="rail",
                        eur_fixed=200, distance_km=8000)]
    rules = [{"id": "SEA", "service": "SHIP", **SHIP_LATE},
             {"id": "RAIL", "service": "TRAIN", "form": "quantiles", "p50_h": 0, "p90_h": 1}]
    # Hubs emit (1.5 kg/t): every itinerary the on-time search builds carries its hubs' CO2e too.
    directory = write_network(tmp_path_factory.mktemp("two"),
                              [location(x, handling_h=2, hub_co2e_kg_per_t=1.5) for x in "ABCD"],
                              services, reliability=rules)
    return directory, load_network(directory)


def _consignment(due_after_h: float) -> Consignment:
    planned = datetime(2027, 1, 4, 12, 0, tzinfo=BRU) + timedelta(hours=100)
    return Consignment("A", "C", 100, 1, SUNDAY_NOON, planned + timedelta(hours=due_after_h))


def _services(found) -> list[str]:
    return [leg.service.id for leg in found.itinerary.legs]


def test_target_chooses_the_punctual_route(two_routes):
    """Due 48 h after the planned arrival the ship is on time with 1 − 0.5/e ≈ 82 %: a target of
    80 % keeps the cheap ship, 90 % takes the train; both proven, both verified."""
    directory, net = two_routes
    c = _consignment(48)
    assert [leg.service.id for leg in best_itineraries(net, c).itineraries[0].legs] == ["T1", "SHIP"]
    low = search_on_time(net, c, SearchOptions(), OnTimeGoal(0.8))
    high = search_on_time(net, c, SearchOptions(), OnTimeGoal(0.9))
    assert _services(low.found[0]) == ["T1", "SHIP"] and low.proven
    assert _services(high.found[0]) == ["T2", "TRAIN"] and high.proven
    ship = 1.0 - 0.5 * math.exp(-1.0)
    assert low.found[0].on_time == pytest.approx(ship, abs=4 * math.sqrt(ship * (1 - ship) / 10_000))
    raw = RawNetwork(directory)
    for result in (low, high):
        f = result.found[0]
        verify_itinerary(raw, f.itinerary)
        verify_reliability(raw, f.itinerary, f.figures, 10_000, OnTimeGoal().seed)


def test_alternatives_are_the_next_punctual_sequences(two_routes):
    """With one alternative and a target both routes meet, both come back, cheapest first."""
    _, net = two_routes
    result = search_on_time(net, _consignment(48), SearchOptions(alternatives=1), OnTimeGoal(0.5))
    assert [_services(f) for f in result.found] == [["T1", "SHIP"], ["T2", "TRAIN"]]


def test_unreachable_target_names_the_most_punctual_itinerary(two_routes):
    """Due 1 h after the planned arrival, nothing reaches 99 %: the message gives the best
    probability reachable (the train's, about 90 %) and its services."""
    _, net = two_routes
    c = _consignment(1)
    goal = OnTimeGoal(0.99)
    result = search_on_time(net, c, SearchOptions(), goal)
    assert not result.found and result.proven
    assert _services(result.most_punctual) == ["T2", "TRAIN"]
    assert result.most_punctual.on_time == pytest.approx(0.9, abs=0.02)
    message = no_on_time_message(net, c, goal, result.most_punctual, result.proven)
    assert "with probability ≥ 99 %" in message and "the best reachable is 9" in message
    assert "T2 > TRAIN" in message


def test_lateness_priced_into_balanced(two_routes):
    """Balanced with no price of lateness keeps the ship; EUR 1,000 per expected day late makes
    the train's EUR 150 premium worth it (the ship's expected lateness is about 0.2 days)."""
    _, net = two_routes
    c = _consignment(0)
    options = SearchOptions(objective=Objective.BALANCED, weights=Weights(0.0, 0.0))
    assert _services(search_on_time(net, c, options, OnTimeGoal(eur_per_day_late=1.0)).found[0]) == [
        "T1", "SHIP"]
    priced = search_on_time(net, c, options, OnTimeGoal(eur_per_day_late=1_000.0))
    assert _services(priced.found[0]) == ["T2", "TRAIN"] and priced.proven
    with pytest.raises(ValueError, match="balanced"):
        search_on_time(net, c, SearchOptions(), OnTimeGoal(eur_per_day_late=1.0))


def test_per_mode_search_settles_each_mode(two_routes):
    """compare --on-time: each mode's best meeting the target, or none with its most punctual."""
    _, net = two_routes
    result = best_by_mode_on_time(net, _consignment(48), SearchOptions(), OnTimeGoal(0.9),
                                  ["rail", "sea"])
    assert _services(result["rail"].found[0]) == ["T2", "TRAIN"]
    assert not result["sea"].found and result["sea"].proven
    assert _services(result["sea"].most_punctual) == ["T1", "SHIP"]


def test_leave_by_finds_the_latest_punctual_departure(two_routes):
    """Due 12 h after the planned arrival the ship is on time with 61 %; leaving a week earlier
    (the truck at 08:00 on the Monday before) gives 99 %: that is the answer, and the line says so."""
    _, net = two_routes
    c = _consignment(12)
    ship = best_itineraries(net, c).itineraries[0]
    sim = Simulator(net)
    found = leave_by(net, ship, 0.9, sim)
    assert found is not None and found.depart == datetime(2026, 12, 28, 8, 0, tzinfo=BRU)
    assert found.probability >= 0.9
    f = itinerary_figures(net, [ship], sim=sim)[0]
    line = compare_line(net, c, [("sea", ship, f)], 0.9, sim)
    assert line.startswith("On time by 9 Jan 2027: sea 6")
    assert "sea must leave A by Mon 28 Dec 2026 08:00" in line


@pytest.fixture(scope="module")
def cheaper_later(tmp_path_factory):
    """A daily train whose surcharges fall: Monday +60 %, Tuesday and Wednesday +20 %, from
    Thursday none (EUR 160, 120, 120, 100); half its runs are late, 24 h on average."""
    services = [service("T1", "A", "B", duration_h=2, eur_fixed=10),
                service("TRAIN", "B", "C", days="daily", departure="12:00", duration_h=48, mode="rail",
                        eur_fixed=100, distance_km=8000)]
    surcharges = [{"id": "X1", "service": "TRAIN", "kind": "percent_freight", "amount": 60,
                   "valid_from": "2027-01-01", "valid_to": "2027-01-04"},
                  {"id": "X2", "service": "TRAIN", "kind": "percent_freight", "amount": 20,
                   "valid_from": "2027-01-05", "valid_to": "2027-01-06"}]
    rules = [{"id": "RAIL", "service": "TRAIN", "form": "late_mean", "on_time_share": "0.5",
              "window_h": "0", "late_mean_h": "24"}]
    directory = write_network(tmp_path_factory.mktemp("later"), [location(x, handling_h=2) for x in "ABC"],
                              services, surcharges=surcharges, reliability=rules)
    return directory, load_network(directory)


def test_a_dearer_earlier_departure_of_the_same_services_meets_the_target(cheaper_later):
    """Under cost the engine waits for Thursday's cheapest train, on time with 61 % (due 6 h
    after it arrives). For 90 %, the same services a departure earlier: Tuesday (EUR 120, 95 %) —
    not Wednesday (also EUR 120, but 86 %), nor Monday (dearer). Checked against every departure."""
    directory, net = cheaper_later
    thursday_arrival = datetime(2027, 1, 9, 12, 0, tzinfo=BRU)
    c = Consignment("A", "C", 100, 1, SUNDAY_NOON, thursday_arrival + timedelta(hours=6))
    engine = best_itineraries(net, c).itineraries[0]
    assert engine.legs[1].depart == datetime(2027, 1, 7, 12, 0, tzinfo=BRU)
    result = search_on_time(net, c, SearchOptions(), OnTimeGoal(0.9))
    chosen = result.found[0].itinerary
    assert chosen.signature == engine.signature and result.proven
    assert chosen.legs[1].depart == datetime(2027, 1, 5, 12, 0, tzinfo=BRU)
    truck, train = net.services["T1"], net.services["TRAIN"]
    every = [build_itinerary(net, c, [(truck, to_seconds(SUNDAY_NOON)),
                                      (train, to_seconds(datetime(2027, 1, d, 12, 0, tzinfo=BRU)))])
             for d in (4, 5, 6, 7)]
    figures = itinerary_figures(net, every)
    feasible = [it for it, f in zip(every, figures, strict=True) if f.on_time >= 0.9]
    best = min(feasible, key=lambda it: (it.cost_micro, it.arrive))
    assert best.sequence == chosen.sequence
    assert [round(f.on_time, 2) for f in figures] == pytest.approx([0.98, 0.95, 0.86, 0.61], abs=0.02)
    verify_itinerary(RawNetwork(directory), chosen)


def test_search_is_deterministic(cheaper_later):
    """The same request gives the same itineraries and figures."""
    _, net = cheaper_later
    c = Consignment("A", "C", 100, 1, SUNDAY_NOON, datetime(2027, 1, 9, 18, 0, tzinfo=BRU))
    first = search_on_time(net, c, SearchOptions(), OnTimeGoal(0.9))
    again = search_on_time(net, c, SearchOptions(), OnTimeGoal(0.9))
    assert [(f.itinerary.sequence, f.figures) for f in first.found] == [
        (f.itinerary.sequence, f.figures) for f in again.found]


@pytest.mark.parametrize(("target", "late"), [(0.0, 0.0), (1.5, 0.0), (0.9, -1.0), (0.9, math.inf)])
def test_goal_refuses_what_is_not_a_probability_or_a_price(target, late):
    """A target outside (0, 1] or a negative or infinite price of lateness is refused."""
    with pytest.raises(ValueError):
        OnTimeGoal(target, late)


def test_search_needs_a_due_date(two_routes):
    """Without a due date there is nothing to be on time for."""
    _, net = two_routes
    with pytest.raises(ValueError, match="due date"):
        search_on_time(net, replace(_consignment(1), due=None), SearchOptions(), OnTimeGoal(0.9))

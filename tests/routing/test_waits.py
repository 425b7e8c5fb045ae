"""Price waits: on-demand legs that leave later than they could, for a cheaper dated price."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from network import load_network
from network.timetable import to_seconds
from routing.consignment import Consignment
from routing.objectives import Objective, Weights
from routing.search import SearchOptions, best_by_main_mode
from routing.tariffs import leg_price_at
from routing.waits import price_waits

BRU = ZoneInfo("Europe/Brussels")
# Ready 10 Sep 2025: the sea leg lands in Shanghai on 5 Nov; the Chinese truck onward is priced
# in CNY at the monthly ECB rate, a little cheaper in euros from 1 Dec 2025.
AUTUMN_2025 = Consignment("BE-NAMUR", "CN-ZHENGZHOU", 800, 3.5, datetime(2025, 9, 10, 9, tzinfo=BRU))


@pytest.fixture(scope="module")
def default():
    return load_network()


def test_a_wait_for_next_months_rate_is_found_with_what_it_saves(default):
    """The cheapest sea itinerary waits weeks at the port; the wait starts when the cargo could
    leave (arrival plus the port's handling) and saves the two prices' difference."""
    sea = best_by_main_mode(default, AUTUMN_2025)["sea"]
    waits = price_waits(default, sea)
    assert [w.service for w in waits] == ["ROAD-CN-SHAPORT-ZHENGZHOU"]
    wait = waits[0]
    landed = sea.legs[1].arrive
    assert wait.could_leave == landed + timedelta(hours=sea.handling[1].hours)
    assert wait.leaves == sea.legs[2].depart and wait.days > 20
    sooner = leg_price_at(default, sea.legs[2].service, 800, 3.5, to_seconds(wait.could_leave)).eur
    assert wait.saves_eur == pytest.approx(sooner - sea.legs[2].cost_eur) and wait.saves_eur > 0
    assert wait.as_dict()["days"] == round(wait.days, 2)


def test_a_price_on_days_in_transit_removes_the_wait(default):
    """Under `balanced` with a price on a day in transit, the same sea route leaves at once."""
    options = SearchOptions(objective=Objective.BALANCED, weights=Weights(eur_per_day=1.0))
    sea = best_by_main_mode(default, AUTUMN_2025, options)["sea"]
    assert price_waits(default, sea) == ()


def test_an_itinerary_that_leaves_at_once_has_no_wait(default):
    """A December 2026 query (no later rate in fx.csv to wait for) lists none, on any mode."""
    c = Consignment("BE-NAMUR", "CN-ZHENGZHOU", 800, 3.5, datetime(2026, 12, 1, 9, tzinfo=BRU))
    assert all(price_waits(default, it) == () for it in best_by_main_mode(default, c).values())

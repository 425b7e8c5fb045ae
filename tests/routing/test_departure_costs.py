"""Departure-dependent costs: point costs and stepwise ones."""

from __future__ import annotations

import math

import pytest

from routing.departure_costs import DepartureCosts


@pytest.mark.parametrize(("instant", "point", "stepwise"), [
    (5.0, 9.0, 9.0),      # before the first listed instant: the default either way
    (10.0, 4.0, 4.0),     # a listed instant: its own cost
    (15.0, 9.0, 4.0),     # between listed instants: the default, or the last listed one's
    (20.0, 1.0, 1.0),
    (99.0, 9.0, 1.0),     # after the last listed instant
])
def test_an_unlisted_instant_costs_the_default_or_the_last_step(instant, point, stepwise):
    """Point costs give the default off the listed instants; stepwise ones hold the last price."""
    times, costs = (10.0, 20.0), (4.0, 1.0)
    assert DepartureCosts(9.0, times, costs).cost(instant) == point
    assert DepartureCosts(9.0, times, costs, stepwise=True).cost(instant) == stepwise


def test_a_stepwise_price_is_constant_until_the_next_listed_instant():
    """The search skips departures before the next step, and none after the last one."""
    steps = DepartureCosts(9.0, (10.0, 20.0), (4.0, 1.0), stepwise=True)
    assert [steps.constant_until(t) for t in (5.0, 10.0, 15.0, 20.0)] == [10.0, 20.0, 20.0, math.inf]
    assert DepartureCosts(9.0, (10.0,), (4.0,)).constant_until(12.0) == 12.0


@pytest.mark.parametrize(("times", "costs", "message"), [
    ((1.0, 2.0), (3.0,), "same length"),
    ((2.0, 1.0), (3.0, 4.0), "strictly ascending"),
    ((1.0, 1.0), (3.0, 4.0), "strictly ascending"),
])
def test_malformed_costs_are_refused(times, costs, message):
    """Listed instants and costs must pair up, in strictly ascending time."""
    with pytest.raises(ValueError, match=message):
        DepartureCosts(0.0, times, costs)

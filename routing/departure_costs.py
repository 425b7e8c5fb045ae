"""Departure-dependent costs of a service for one consignment (the engine's `costs=`)."""

from __future__ import annotations

from bisect import bisect_right
from itertools import pairwise

INF = float("inf")


class DepartureCosts:
    """One service's cost for one consignment where it differs by departure (dated rates,
    surcharges), in micro-euros (any unit the objective uses, zero or more): `cost(t)` at each
    listed instant `times` (POSIX seconds, ascending), and at an instant not listed `default`,
    or, where the costs are `stepwise`, what the last listed instant before it costs (`default`
    before the first): a price that holds until the next change.

    For a timetabled service the listed instants are scheduled departures (and every departure
    may have its own cost); an on-demand service leaves when the cargo is available (or when
    its calendar next opens), at `cost(that instant)`, or waits for a later listed instant
    where it is strictly cheaper. Its costs must be stepwise (`routing.search` refuses others):
    then a label that arrives earlier can wait for every price a later one would pay, so
    arriving earlier is never worse — the rule the search's dominance and its choice of
    departures rest on. A location with such services is time-sensitive all the same: a label
    there dominates another only if each such leg costs it no more at its own instant
    (`search._Search._no_dearer`). Subclasses may compute `cost` lazily
    (`routing.price_window.DatedCosts` does, for dated prices) and say through `constant_until`
    how long a cost holds, so that the search skips the departures in between.
    """

    def __init__(self, default: float, times: tuple[float, ...] = (),
                 costs: tuple[float, ...] = (), *, stepwise: bool = False) -> None:
        if len(times) != len(costs) and type(self) is DepartureCosts:
            raise ValueError("times and costs must have the same length")
        if any(b <= a for a, b in pairwise(times)):
            raise ValueError("times must be strictly ascending")
        self._default = default
        self.times = times
        self.stepwise = stepwise
        self._values = costs
        self._costs = dict(zip(times, costs, strict=False))

    @property
    def default(self) -> float:
        """The cost at an instant not listed (before the first, where the costs are stepwise)."""
        return self._default

    def cost(self, instant: float) -> float:
        """The cost of leaving at `instant`."""
        if not self.stepwise:
            return self._costs.get(instant, self.default)
        k = bisect_right(self.times, instant)
        return self._values[k - 1] if k else self.default

    def cheapest(self) -> float:
        """A lower bound of every departure's cost (the A* bounds use it)."""
        return min(self.default, *(self.cost(t) for t in self.times))

    def constant_until(self, instant: float) -> float:
        """An instant before which every departure after `instant` costs what `instant`'s does
        (the search skips them: later and no cheaper is dominated): for stepwise costs the next
        listed instant, else `instant` itself (no such knowledge)."""
        if not self.stepwise:
            return instant
        k = bisect_right(self.times, instant)
        return self.times[k] if k < len(self.times) else INF

"""Departure-dependent costs of a service for one consignment (the engine's `costs=`)."""

from __future__ import annotations


class DepartureCosts:
    """One service's cost for one consignment where it differs by departure (dated rates,
    surcharges, the planner's reduced costs), in micro-euros (any unit the objective uses,
    zero or more): `default` at every departure not listed, `cost(t)` at each listed instant
    `times` (POSIX seconds, ascending).

    For a timetabled service the listed instants are scheduled departures; an on-demand
    service leaves when the cargo is available (or when its calendar next opens), at
    `cost(that instant)`, or waits for a later listed instant where it is strictly cheaper.
    A location with such services is time-sensitive: a label there dominates another only if
    each such leg costs it no more at its own instant (`search._Search._no_dearer`); the
    listed instants after it are open to both labels. Subclasses may compute `cost` lazily
    (`routing.price_window.DatedCosts` does, for dated prices) and say through `constant_until`
    how long a cost holds, so that the search skips the departures in between; `costs`
    (aligned with `times`) serves the simple case.
    """

    def __init__(self, default: float, times: tuple[float, ...] = (),
                 costs: tuple[float, ...] = ()) -> None:
        if len(times) != len(costs) and type(self) is DepartureCosts:
            raise ValueError("times and costs must have the same length")
        self.default = default
        self.times = times
        self._costs = dict(zip(times, costs, strict=False))

    def cost(self, instant: float) -> float:
        """The cost of leaving at `instant`."""
        return self._costs.get(instant, self.default)

    def cheapest(self) -> float:
        """A lower bound of every departure's cost (the A* bounds use it)."""
        return min(self.default, *(self.cost(t) for t in self.times))

    def constant_until(self, instant: float) -> float:
        """An instant before which every departure after `instant` costs what `instant`'s does
        (the search skips them: later and no cheaper is dominated). Here: no such knowledge."""
        return instant

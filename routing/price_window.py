"""Prices over one query's window: which services cost the same on every departure the search
may take, and which do not.

A query considers scheduled departures in [ready, ready + horizon] and on-demand departures from
ready on (unbounded). Over that window a service's price is constant unless one of its price
change days (`routing.tariffs.price_changes`: a rate row starting or ending, an exchange rate,
a surcharge window) falls inside it, counted in local dates at its origin. Constant services are
priced in the engine's vectorised table (`terms` for the table, at the window's first day); the
others get a `DatedCosts`, the engine's departure-dependent cost, computed lazily per stretch of
constant price, so that the search stays exact (later departures are kept only while strictly
cheaper; the A* bounds use the cheapest stretch).
"""

from __future__ import annotations

import weakref
from bisect import bisect_right
from datetime import date, datetime, time

from network.model import Network, Service, zone
from network.timetable import from_seconds, to_seconds
from routing.compiled import CompiledNetwork, micro
from routing.costing import leg_price
from routing.departure_costs import DepartureCosts
from routing.tariffs import Terms, changes_within, local_day, price_changes, price_with, terms_at

INF = float("inf")


def _midnight_s(day: date, tz_name: str) -> float:
    return to_seconds(datetime.combine(day, time(0), tzinfo=zone(tz_name)))


class DatedCosts(DepartureCosts):
    """A service's cost where it changes inside the window: one constant price per stretch
    between change days (the first stretch from before the window, the last one open), each
    computed on first use from `routing.tariffs` (micro-euros)."""

    def __init__(self, network: Network, service: Service, weight_kg: float, volume_m3: float,
                 starts: tuple[float, ...]) -> None:
        self.network, self.service = network, service
        self.weight_kg, self.volume_m3 = weight_kg, volume_m3
        self.starts = starts  # instants at which a new stretch begins (ascending)
        self._stretch: dict[int, float] = {}
        super().__init__(self._price(len(starts)), starts, (), stepwise=True)

    def _price(self, k: int) -> float:
        """The cost of stretch k (0: before the first start; k: from starts[k - 1])."""
        found = self._stretch.get(k)
        if found is None:
            at = self.starts[k - 1] if k > 0 else self.starts[0] - 1.0
            price = price_with(terms_at(self.network, self.service, local_day(self.service, at)),
                               self.weight_kg, self.volume_m3)
            found = self._stretch[k] = float(micro(price.eur))
        return found

    def cost(self, instant: float) -> float:
        return self._price(bisect_right(self.starts, instant))

    def cheapest(self) -> float:
        return min(self._price(k) for k in range(len(self.starts) + 1))

    def constant_until(self, instant: float) -> float:
        k = bisect_right(self.starts, instant)
        return self.starts[k] if k < len(self.starts) else INF


_DATED: weakref.WeakKeyDictionary[CompiledNetwork, list[tuple[int, tuple[date, ...]]]] = \
    weakref.WeakKeyDictionary()


def _priced_by_date(network: Network, cn: CompiledNetwork) -> list[tuple[int, tuple[date, ...]]]:
    """(index, change days) of the services whose price is not the plain EUR tariff, found once
    per network: a query on a network without them pays nothing for dated prices."""
    found = _DATED.get(cn)
    if found is None:
        found = []
        for si, service in enumerate(cn.services):
            changes = price_changes(network, service)
            if changes is not None:
                found.append((si, changes))
        _DATED[cn] = found
    return found


class PriceWindow:
    """The prices of every service over one query's window (module docstring)."""

    def __init__(self, network: Network, cn: CompiledNetwork, weight_kg: float, volume_m3: float,
                 ready_s: float, horizon_end_s: float) -> None:
        self.network, self.cn = network, cn
        self.weight_kg, self.volume_m3 = weight_kg, volume_m3
        self.terms: dict[int, Terms] = {}  # constant in the window but not the plain EUR tariff
        self.dated: dict[int, DatedCosts] = {}
        days: dict[tuple[str, float], date] = {}

        def day_of(tz: str, instant: float) -> date:
            key = (tz, instant)
            found = days.get(key)
            if found is None:
                found = days[key] = from_seconds(instant, tz).date()
            return found

        for si, changes in _priced_by_date(network, cn):
            service = cn.services[si]
            first = day_of(service.origin_tz, ready_s)
            last = day_of(service.origin_tz, horizon_end_s) if cn.timetabled[si] else date.max
            inside = changes_within(changes, first, last)
            if inside:
                starts = tuple(_midnight_s(d, service.origin_tz) for d in inside)
                self.dated[si] = DatedCosts(network, service, weight_kg, volume_m3, starts)
            else:
                terms = terms_at(network, service, first)
                if not terms.is_plain or terms.row is not service:
                    self.terms[si] = terms

    def price_micro(self, si: int) -> int:
        """The window's constant price of service `si` (micro-euros), as the table has it (a
        service whose price changes in the window is priced by its `DatedCosts` instead)."""
        assert si not in self.dated, "a dated service has no one price in the window"
        terms = self.terms.get(si)
        if terms is None:  # the plain EUR tariff
            return micro(leg_price(self.cn.services[si], self.weight_kg, self.volume_m3).eur)
        return micro(price_with(terms, self.weight_kg, self.volume_m3).eur)

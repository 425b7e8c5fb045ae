"""Prices over one query's window: which services cost the same on every departure the search
may take, and which do not.

A query considers scheduled departures in [ready, ready + horizon] and on-demand departures from
ready on (unbounded). Over that window a service's price is constant unless one of its price
change days (`routing.tariffs.price_changes`: a rate row starting or ending, an exchange rate,
a surcharge window) falls inside it, counted in local dates at its origin. Constant services are
priced in the engine's vectorised table (`terms` for the table, at the window's first day); the
others get a `DatedCosts`, the engine's departure-dependent cost, one price per stretch of
constant price, so that the search stays exact (later departures are kept only while strictly
cheaper; the A* bounds use the cheapest stretch). Stretches are priced as the search reaches
them, or all at once, vectorised, when its bounds need every cheapest stretch (`price_all`).

What does not depend on the consignment is worked out once: the terms of a service on a day
(`routing.tariffs.terms_at` remembers them per network) and a window's layout — its dated
services, their stretches and each stretch's terms — shared by the windows with the same first
and last local day in each origin's zone (`_layout`).
"""

from __future__ import annotations

import weakref
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property

import numpy as np

from network.model import Network, Service, zone
from network.timetable import from_seconds, to_seconds
from routing.compiled import CompiledNetwork, micro, micro_euros, terms_prices
from routing.costing import leg_price
from routing.departure_costs import DepartureCosts
from routing.tariffs import Terms, changes_within, price_changes, price_eur, price_with, terms_at

INF = float("inf")


def _midnight_s(day: date, tz_name: str) -> float:
    return to_seconds(datetime.combine(day, time(0), tzinfo=zone(tz_name)))


class DatedCosts(DepartureCosts):
    """A service's cost where it changes inside the window: one constant price per stretch
    between change days (the first stretch from before the window, the last one open), under
    the terms of each stretch (`terms`, one more than `starts`), in micro-euros: computed on
    first use, or all at once with the window's other dated services (`PriceWindow.price_all`)."""

    def __init__(self, service: Service, weight_kg: float, volume_m3: float,
                 starts: tuple[float, ...], terms: tuple[Terms, ...]) -> None:
        self.service = service
        self.weight_kg, self.volume_m3 = weight_kg, volume_m3
        self.starts = starts  # instants at which a new stretch begins (ascending)
        self.terms = terms
        self._stretch: dict[int, float] = {}
        super().__init__(INF, starts, (), stepwise=True)

    @property
    def default(self) -> float:
        """The last stretch's cost (after the last change), computed when first asked."""
        return self._price(len(self.starts))

    def take(self, prices: list[int]) -> None:
        """Every stretch's cost, priced elsewhere (`PriceWindow.price_all`), in stretch order."""
        self._stretch.update((k, float(price)) for k, price in enumerate(prices))

    def _price(self, k: int) -> float:
        """The cost of stretch k (0: before the first start; k: from starts[k - 1])."""
        found = self._stretch.get(k)
        if found is None:
            found = self._stretch[k] = float(micro(price_eur(self.terms[k], self.weight_kg, self.volume_m3)))
        return found

    def cost(self, instant: float) -> float:
        return self._price(bisect_right(self.starts, instant))

    def cheapest(self) -> float:
        return min(self._price(k) for k in range(len(self.starts) + 1))

    def constant_until(self, instant: float) -> float:
        k = bisect_right(self.starts, instant)
        return self.starts[k] if k < len(self.starts) else INF


@dataclass(frozen=True)
class _Dated:
    """The services of a network whose price is not the plain EUR tariff: (index, change days)
    each, and their origins' zones (sorted), in which a window's days are counted."""

    services: list[tuple[int, tuple[date, ...]]]
    zones: tuple[str, ...]


_DATED: weakref.WeakKeyDictionary[CompiledNetwork, _Dated] = weakref.WeakKeyDictionary()


def _priced_by_date(network: Network, cn: CompiledNetwork) -> _Dated:
    """The services priced by date, found once per network: a query on a network without them
    pays nothing for dated prices."""
    found = _DATED.get(cn)
    if found is None:
        services = []
        for si, service in enumerate(cn.services):
            changes = price_changes(network, service)
            if changes is not None:
                services.append((si, changes))
        zones = tuple(sorted({cn.services[si].origin_tz for si, _ in services}))
        found = _DATED[cn] = _Dated(services, zones)
    return found


@dataclass(frozen=True)
class _Layout:
    """What a window's prices look like whatever the consignment: the services whose price
    changes inside it (with the instants their stretches begin and each stretch's terms) and
    the terms of those whose price is constant in it but not the plain EUR tariff."""

    dated: tuple[tuple[int, tuple[float, ...], tuple[Terms, ...]], ...]
    terms: tuple[tuple[int, Terms], ...]

    @cached_property
    def stretch_services(self) -> tuple[str, ...]:
        """The service of each stretch (in `dated` order), for messages."""
        return tuple(t.row.id for _, _, terms in self.dated for t in terms)

    @cached_property
    def stretches(self) -> dict[str, np.ndarray]:
        """Every dated service's stretches in a row each (in `dated` order): what their price
        depends on, as the arrays `compiled.terms_prices` reads."""
        rows = [t.row for _, _, terms in self.dated for t in terms]
        every = [t for _, _, terms in self.dated for t in terms]
        boxes = [r.container for r in rows]
        return {
            "kg_per_m3": np.array([r.kg_per_m3 for r in rows], dtype=float),
            "fixed": np.array([r.eur_fixed for r in rows], dtype=float),
            "per_kg": np.array([r.eur_per_kg for r in rows], dtype=float),
            "per_tkm": np.array([r.eur_per_tkm for r in rows], dtype=float),
            "min": np.array([r.eur_min for r in rows], dtype=float),
            "km": np.array([r.distance_km for r in rows], dtype=float),
            "has_box": np.array([b is not None for b in boxes], dtype=bool),
            "box_eur": np.array([b.eur if b else 0.0 for b in boxes], dtype=float),
            "box_kg": np.array([b.kg if b else 1.0 for b in boxes], dtype=float),
            "box_m3": np.array([b.m3 if b else 1.0 for b in boxes], dtype=float),
            "per_eur": np.array([t.per_eur for t in every], dtype=float),
            "percent": np.array([t.percent for t in every], dtype=float),
            "s_kg": np.array([t.per_kg_eur for t in every], dtype=float),
            "s_box": np.array([t.per_container_eur for t in every], dtype=float),
            "s_one": np.array([t.per_consignment_eur for t in every], dtype=float),
        }


def stretch_prices(layout: _Layout, weight_kg: float, volume_m3: float) -> list[int]:
    """The micro-euros of every stretch of `layout` (its `stretches` order) for one
    consignment: `routing.tariffs.price_eur` vectorised (`compiled.terms_prices`), so each is
    what it gives for the stretch's terms."""
    price = terms_prices(layout.stretches, weight_kg, volume_m3)
    return micro_euros(price, lambda i: layout.stretch_services[i], weight_kg)


# Layouts kept per compiled network (windows of different days), then the memo starts again.
LAYOUT_MEMO = 256

_LAYOUTS: weakref.WeakKeyDictionary[CompiledNetwork, dict[tuple[tuple[str, date, date], ...], _Layout]] = \
    weakref.WeakKeyDictionary()


def _layout(network: Network, cn: CompiledNetwork, ready_s: float, horizon_end_s: float) -> _Layout:
    """The layout of the window from `ready_s` to `horizon_end_s`: it depends only on the local
    first and last day of the window in each origin's zone, so windows that share them share it."""
    priced = _priced_by_date(network, cn)
    key = tuple((tz, from_seconds(ready_s, tz).date(), from_seconds(horizon_end_s, tz).date())
                for tz in priced.zones)
    memo = _LAYOUTS.get(cn)
    if memo is None:
        memo = _LAYOUTS[cn] = {}
    found = memo.get(key)
    if found is not None:
        return found
    days = {tz: (first, last) for tz, first, last in key}
    dated: list[tuple[int, tuple[float, ...], tuple[Terms, ...]]] = []
    terms: list[tuple[int, Terms]] = []
    for si, changes in priced.services:
        service = cn.services[si]
        first, last = days[service.origin_tz]
        inside = changes_within(changes, first, last if cn.timetabled[si] else date.max)
        if inside:
            # A stretch's terms are those of its first day (the day before the first change
            # for the first stretch): they hold until the next change.
            stretch_days = (inside[0] - timedelta(days=1), *inside)
            dated.append((si, tuple(_midnight_s(d, service.origin_tz) for d in inside),
                          tuple(terms_at(network, service, d) for d in stretch_days)))
        else:
            t = terms_at(network, service, first)
            if not t.is_plain or t.row is not service:
                terms.append((si, t))
    found = _Layout(tuple(dated), tuple(terms))
    if len(memo) >= LAYOUT_MEMO:
        memo.clear()
    memo[key] = found
    return found


class PriceWindow:
    """The prices of every service over one query's window (module docstring)."""

    def __init__(self, network: Network, cn: CompiledNetwork, weight_kg: float, volume_m3: float,
                 ready_s: float, horizon_end_s: float) -> None:
        self.network, self.cn = network, cn
        self.weight_kg, self.volume_m3 = weight_kg, volume_m3
        self.layout = layout = _layout(network, cn, ready_s, horizon_end_s)
        # Constant in the window but not the plain EUR tariff.
        self.terms: dict[int, Terms] = dict(layout.terms)
        self.dated: dict[int, DatedCosts] = {
            si: DatedCosts(cn.services[si], weight_kg, volume_m3, starts, terms)
            for si, starts, terms in layout.dated}

    def price_all(self) -> None:
        """Price every stretch of every dated service at once (`stretch_prices`), as a search
        that bounds by each one's cheapest stretch needs them all."""
        if not self.dated:
            return
        prices = iter(stretch_prices(self.layout, self.weight_kg, self.volume_m3))
        for costs in self.dated.values():
            costs.take([next(prices) for _ in costs.terms])

    def price_micro(self, si: int) -> int:
        """The window's constant price of service `si` (micro-euros), as the table has it (a
        service whose price changes in the window is priced by its `DatedCosts` instead)."""
        assert si not in self.dated, "a dated service has no one price in the window"
        terms = self.terms.get(si)
        if terms is None:  # the plain EUR tariff
            return micro(leg_price(self.cn.services[si], self.weight_kg, self.volume_m3).eur)
        return micro(price_with(terms, self.weight_kg, self.volume_m3).eur)

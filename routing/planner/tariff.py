"""What a plan's legs cost at their departures: the dated tariff, split the way a plan buys it.

`routing.tariffs` prices one consignment alone (the cheaper of loose cargo and its own
containers). A plan also shares containers, so it needs the parts, each under the terms in force
on the departure's local date at the service's origin (rules 1–4 of `routing.tariffs`):

    loose  = LCL/rate × (1 + Σpercent/100) + chargeable_kg × Σper_chargeable_kg + Σper_consignment
    box    = container_eur/rate × (1 + Σpercent/100) + Σper_container        (one container)
    boxed  = Σper_consignment        (what a consignment riding in containers pays on top)

so a consignment alone in n containers pays n × box + boxed, `price_with`'s FCL, and loose is
its LCL. A service whose price is the plain EUR tariff on every day (`price_changes` is None)
has one set of terms; the others are priced per departure day, cached.

On-demand legs of a service whose price changes (a rate row, an exchange rate or a surcharge
window changing on some day) may also leave at the start of a later price stretch, the first
open instant of a change day, where that is cheaper, exactly as the engine's itineraries may
(`routing.search._departure_options`); `later_starts` lists those instants.
"""

from __future__ import annotations

import weakref
from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime, time

from network.model import Network, Service, zone
from network.timetable import to_seconds
from routing.costing import chargeable_kg, lcl_eur
from routing.tariffs import local_day, price_changes, terms_at


@dataclass(frozen=True)
class LegTerms:
    """The terms of one service on one day, in euros (module docstring)."""

    row: Service  # the rate row in force: its amounts are in its currency
    per_eur: float = 1.0  # units of the row's currency per euro
    percent: float = 0.0
    per_kg_eur: float = 0.0
    per_container_eur: float = 0.0
    per_consignment_eur: float = 0.0

    def loose_eur(self, weight_kg: float, volume_m3: float) -> float:
        """The loose-cargo (LCL) price of a consignment, surcharges included."""
        lcl = lcl_eur(self.row, weight_kg, volume_m3) / self.per_eur
        return (lcl + lcl * self.percent / 100.0 + chargeable_kg(self.row, weight_kg, volume_m3)
                * self.per_kg_eur + self.per_consignment_eur)

    @property
    def box_eur(self) -> float | None:
        """The price of one container, surcharges included (None: the service sells none)."""
        box = self.row.container
        if box is None:
            return None
        fcl = box.eur / self.per_eur
        return fcl + fcl * self.percent / 100.0 + self.per_container_eur

    @property
    def boxed_eur(self) -> float:
        """What each consignment riding in containers pays besides its share of them."""
        return self.per_consignment_eur


class PlanTariffs:
    """The `LegTerms` of every departure of one network, computed once each."""

    def __init__(self, network: Network) -> None:
        self.network = network
        self._plain: dict[str, LegTerms | None] = {}
        self._by_stretch: dict[tuple[str, int], LegTerms] = {}
        self._starts: dict[str, tuple[float, ...]] = {}

    def is_dated(self, service: Service) -> bool:
        """Whether the service's price may differ between departures."""
        return self._plain_terms(service) is None

    def _plain_terms(self, service: Service) -> LegTerms | None:
        try:
            return self._plain[service.id]
        except KeyError:
            plain = LegTerms(service) if price_changes(self.network, service) is None else None
            self._plain[service.id] = plain
            return plain

    def at(self, service: Service, depart_s: float) -> LegTerms:
        """The terms of `service` leaving at POSIX instant `depart_s`; raises `FxError` when an
        exchange rate it needs is missing on that day."""
        plain = self._plain_terms(service)
        if plain is not None:
            return plain
        # The terms change only at `change_starts` (every day a rate row, exchange rate or
        # surcharge starts or ends): the departures between two of them share their terms,
        # found by a bisection instead of the departure's local date (a time-zone conversion).
        stretch = (service.id, bisect_right(self.change_starts(service), depart_s))
        found = self._by_stretch.get(stretch)
        if found is None:
            t = terms_at(self.network, service, local_day(service, depart_s))
            found = self._by_stretch[stretch] = LegTerms(t.row, t.per_eur, t.percent, t.per_kg_eur,
                                                         t.per_container_eur, t.per_consignment_eur)
        return found

    def change_starts(self, service: Service) -> tuple[float, ...]:
        """The first instants (local midnight at the origin) of the days on which the service's
        terms change, ascending; empty for a plain service."""
        found = self._starts.get(service.id)
        if found is None:
            days = price_changes(self.network, service) or ()
            tz = zone(service.origin_tz)
            found = tuple(to_seconds(datetime.combine(d, time(0), tzinfo=tz)) for d in days)
            self._starts[service.id] = found
        return found

    def later_starts(self, service: Service, after_s: float) -> tuple[float, ...]:
        """The change instants strictly after `after_s` (module docstring)."""
        starts = self.change_starts(service)
        return starts[bisect_right(starts, after_s):]


_TARIFFS: weakref.WeakKeyDictionary[Network, PlanTariffs] = weakref.WeakKeyDictionary()


def plan_tariffs(network: Network) -> PlanTariffs:
    """The `PlanTariffs` of `network`, shared by every stage of a plan."""
    found = _TARIFFS.get(network)
    if found is None:
        found = _TARIFFS[network] = PlanTariffs(network)
    return found

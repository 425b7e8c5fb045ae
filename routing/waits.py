"""Where an itinerary waits for a price: an on-demand leg that leaves later than the cargo could
take it, because its dated price (a monthly exchange rate, a rate row, a surcharge) is lower
then.

The engine allows it on purpose (README, exact semantics: cargo may wait for a cheaper day), and
the model charges nothing for waiting: no storage, no demurrage. So a `cost` answer may wait
weeks at a port to save cents on next month's exchange rate; outputs say how long and for how
much (`PriceWait`), so that a planner sees it and can weigh the days (`--objective balanced`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from network.model import Network
from network.timetable import from_seconds, to_seconds
from routing.compiled import compiled
from routing.consignment import Consignment
from routing.itinerary import Itinerary
from routing.planner.model import Assignment
from routing.tariffs import leg_price_at

HOUR_S = 3600.0


@dataclass(frozen=True)
class PriceWait:
    """An on-demand leg that could leave at `could_leave` and leaves at `leaves`, `saves_eur`
    cheaper (its price at `could_leave` less its price as taken)."""

    service: str
    location: str
    could_leave: datetime
    leaves: datetime
    saves_eur: float

    @property
    def days(self) -> float:
        return (self.leaves - self.could_leave).total_seconds() / 86400.0

    def as_dict(self) -> dict[str, object]:
        return {"service": self.service, "location": self.location,
                "could_leave": self.could_leave.isoformat(), "leaves": self.leaves.isoformat(),
                "days": round(self.days, 2), "saves_eur": round(self.saves_eur, 2)}

    def text(self) -> str:
        """`waits 25.3 days at CN-SHA-PORT for ROAD-…'s price of 2025-12-01 (EUR 0.34 less)`."""
        return (f"waits {self.days:,.1f} days at {self.location} for {self.service}'s price of "
                f"{self.leaves.date().isoformat()} (EUR {self.saves_eur:,.2f} less than leaving "
                f"{self.could_leave.strftime('%Y-%m-%d %H:%M %z')})")


def price_waits(network: Network, itinerary: Itinerary) -> tuple[PriceWait, ...]:
    """The on-demand legs of `itinerary` that leave later than they could (the cargo there, the
    leg's calendar open), in leg order. Timetabled legs are never listed: choosing a later
    train or sailing is a choice between departures, which the outputs show as such."""
    return leg_waits(network, itinerary.consignment,
                     [(leg.service.id, leg.depart, leg.arrive, leg.cost_eur) for leg in itinerary.legs])


def plan_waits(network: Network, assignment: Assignment) -> tuple[PriceWait, ...]:
    """`price_waits` for a planned itinerary: its loose legs only (a leg in a container bought
    for the plan may wait to share it, which is the plan's consolidation, not a price)."""
    return leg_waits(network, assignment.consignment,
                     [(leg.service_id, leg.depart, leg.arrive, None if leg.in_container else leg.freight_eur)
                      for leg in assignment.legs])


def plan_waits_note(network: Network, assignments: Sequence[Assignment]) -> str | None:
    """`3 of 52 assignments wait at a hub for a cheaper price (the longest: …); …`, or None."""
    waited = [(a.consignment.id, w) for a in assignments for w in plan_waits(network, a)]
    if not waited:
        return None
    who, longest = max(waited, key=lambda pair: (pair[1].days, pair[0]))
    count = len({consignment for consignment, _ in waited})
    return (f"{count:,} of {len(assignments):,} assignments wait at a hub for a cheaper price (the "
            f"longest: {who} {longest.text()}): storage is not charged in this model; each "
            "assignment's price_waits in plan.json lists them")


def leg_waits(network: Network, consignment: Consignment,
              legs: Sequence[tuple[str, datetime, datetime, float | None]]) -> tuple[PriceWait, ...]:
    """The waits of legs given as (service id, departure, arrival, price paid or None: not a
    plain price, not checked), the cargo ready at `consignment.ready` and changing service at
    each leg's origin after the first (its `handling_h`)."""
    cn = compiled(network)
    available = to_seconds(consignment.ready)
    waits: list[PriceWait] = []
    for i, (service_id, depart, _, paid) in enumerate(legs):
        service = network.services.get(service_id)
        if service is None:
            continue  # a leg of another network (an access leg): nothing to compare
        origin = network.locations[service.origin]
        if i > 0:
            available = to_seconds(legs[i - 1][2]) + origin.handling_h * HOUR_S
        si = cn.service_index.get(service_id)
        if paid is None or si is None or cn.timetabled[si]:
            continue
        first = cn.open_from(si, available)
        if first is not None and to_seconds(depart) > first + 1.0:
            sooner = leg_price_at(network, service, consignment.weight_kg, consignment.volume_m3, first).eur
            if sooner > paid:
                waits.append(PriceWait(service_id, service.origin, from_seconds(first, origin.tz), depart,
                                       sooner - paid))
    return tuple(waits)

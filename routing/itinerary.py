"""Itineraries: legs on services at concrete departures, with their times, prices and CO2e."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from network.fx import FxRate
from network.model import Location, Service, split_part
from routing.compiled import MODE_RANK, micro
from routing.consignment import Consignment
from routing.tariffs import LegPrice


@dataclass(frozen=True)
class Leg:
    """One service taken at one departure."""

    service: Service
    depart: datetime  # local time of the service's origin
    arrive: datetime  # local time of the service's destination
    chargeable_kg: float
    cost_eur: float
    basis: str  # "LCL" or "FCL"
    containers: int  # containers bought when basis is FCL, else 0
    co2e_kg: float
    pricing: LegPrice | None = None  # how cost_eur was set (rate row, FX, surcharges, validity)

    @property
    def price_is_estimate(self) -> bool:
        """Whether the leg's price rests on an estimate (`source` starting `estimate:`)."""
        return self.pricing.estimate if self.pricing is not None else self.service.price_is_estimate

    @property
    def co2e_ttw_kg(self) -> float | None:
        """The tank-to-wheel part of `co2e_kg` (None when the service's factor is not split)."""
        s = self.service
        return split_part(self.co2e_kg, s.co2e_ttw_g_per_tkm, s.co2e_g_per_tkm)

    @property
    def co2e_wtt_kg(self) -> float | None:
        """The well-to-tank part of `co2e_kg`: the rest of it (None when not split)."""
        ttw = self.co2e_ttw_kg
        return None if ttw is None else self.co2e_kg - ttw


@dataclass(frozen=True)
class Handling:
    """A change of service at an intermediate location: its charge, time and emissions (the
    location's hub factor; `co2e_ttw_kg` None when that factor is not split)."""

    location: str
    cost_eur: float
    hours: float
    co2e_kg: float
    co2e_ttw_kg: float | None

    @classmethod
    def at(cls, location: Location, weight_kg: float) -> Handling:
        """Changing service at `location` with `weight_kg`: its charge, time and hub emissions
        (the one way every search builds it, so no itinerary leaves the hub's CO2e out)."""
        hub_kg = location.handling_co2e_kg(weight_kg)
        return cls(location.id, location.handling_cost_eur(weight_kg), location.handling_h, hub_kg,
                   split_part(hub_kg, location.hub_co2e_ttw_kg_per_t, location.hub_co2e_kg_per_t))

    @property
    def co2e_wtt_kg(self) -> float | None:
        return None if self.co2e_ttw_kg is None else self.co2e_kg - self.co2e_ttw_kg


@dataclass(frozen=True)
class Itinerary:
    """A door-to-door itinerary of a consignment."""

    consignment: Consignment
    legs: tuple[Leg, ...]
    handling: tuple[Handling, ...]

    @property
    def cost_eur(self) -> float:
        return sum(leg.cost_eur for leg in self.legs) + sum(h.cost_eur for h in self.handling)

    @property
    def co2e_kg(self) -> float:
        """Well-to-wheel CO2e of the legs and of the handling at intermediate locations."""
        return sum(leg.co2e_kg for leg in self.legs) + sum(h.co2e_kg for h in self.handling)

    @property
    def co2e_hub_kg(self) -> float:
        """The part of `co2e_kg` emitted by handling at intermediate locations (hubs)."""
        return sum(h.co2e_kg for h in self.handling)

    @property
    def co2e_ttw_kg(self) -> float | None:
        """Tank-to-wheel part of `co2e_kg` (None when some leg's or hub's factor is not split)."""
        parts = [x.co2e_ttw_kg for x in self.legs] + [h.co2e_ttw_kg for h in self.handling]
        return None if any(p is None for p in parts) else sum(p for p in parts if p is not None)

    @property
    def co2e_wtt_kg(self) -> float | None:
        """Well-to-tank part of `co2e_kg` (None when some factor is not split)."""
        parts = [x.co2e_wtt_kg for x in self.legs] + [h.co2e_wtt_kg for h in self.handling]
        return None if any(p is None for p in parts) else sum(p for p in parts if p is not None)

    @property
    def depart(self) -> datetime:
        return self.legs[0].depart

    @property
    def arrive(self) -> datetime:
        return self.legs[-1].arrive

    @property
    def transit_h(self) -> float:
        """Hours from the consignment's ready time to arrival at the destination."""
        # In UTC: Python subtracts two datetimes of the same zone on the wall clock, DST ignored.
        elapsed = self.arrive.astimezone(UTC) - self.consignment.ready.astimezone(UTC)
        return elapsed.total_seconds() / 3600.0

    @property
    def main_leg(self) -> Leg:
        """The longest leg by distance; among equally long legs sea, then rail, air, road."""
        return max(self.legs, key=lambda leg: (leg.service.distance_km, MODE_RANK[leg.service.mode]))

    @property
    def main_mode(self) -> str:
        """The mode of the main leg."""
        return self.main_leg.service.mode

    @property
    def cost_micro(self) -> int:
        """The cost in whole micro-euros as the engine compares it (each charge rounded)."""
        return (sum(micro(leg.cost_eur) for leg in self.legs)
                + sum(micro(h.cost_eur) for h in self.handling))

    @property
    def co2_mg(self) -> int:
        """The CO2e in whole milligrams as the engine compares it (each leg and each hub's
        handling rounded)."""
        return (sum(micro(leg.co2e_kg) for leg in self.legs)
                + sum(micro(h.co2e_kg) for h in self.handling))

    @property
    def sequence(self) -> tuple[tuple[str, float], ...]:
        """(service id, POSIX departure) per leg: the last tie-break of every ranking."""
        return tuple((leg.service.id, leg.depart.timestamp()) for leg in self.legs)

    @property
    def meets_due(self) -> bool | None:
        due = self.consignment.due
        return None if due is None else self.arrive.astimezone(UTC) <= due.astimezone(UTC)

    @property
    def signature(self) -> tuple[str, ...]:
        """The service sequence (each service by its own id, a scenario's variant too)."""
        return tuple(leg.service.id for leg in self.legs)

    @property
    def route(self) -> tuple[str, ...]:
        """The route: the service sequence with each scenario variant read as its service (two
        itineraries on one route are not distinct alternatives)."""
        return tuple(leg.service.variant_of or leg.service.id for leg in self.legs)

    @property
    def fx_rates(self) -> tuple[FxRate, ...]:
        """The exchange rates its prices used, one per (currency, rate date), in leg order."""
        seen: dict[tuple[str, date], FxRate] = {}
        for leg in self.legs:
            for rate in leg.pricing.rates if leg.pricing is not None else ():
                seen.setdefault((rate.currency, rate.date), rate)
        return tuple(seen.values())

    @property
    def prices_valid_until(self) -> date | None:
        """The last day its prices hold: the earliest `valid_to` of the rate rows and
        surcharges used (None when all are open-ended)."""
        ends = [leg.pricing.valid_until for leg in self.legs
                if leg.pricing is not None and leg.pricing.valid_until is not None]
        return min(ends) if ends else None

    @property
    def estimated_legs(self) -> tuple[int, ...]:
        """1-based numbers of the legs whose price is an estimate."""
        return tuple(i + 1 for i, leg in enumerate(self.legs) if leg.price_is_estimate)

    def describe(self) -> str:
        """A short human label, e.g. `rail via RAIL-ZIH-LGG-ZZ`."""
        main = self.main_leg
        return f"{main.service.mode} via {main.service.id} ({main.service.operator})".strip()

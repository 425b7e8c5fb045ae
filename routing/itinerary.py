"""Itineraries: legs on services at concrete departures, with their times, prices and CO2e."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from network.model import Service
from routing.compiled import MODE_RANK, micro
from routing.consignment import Consignment


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


@dataclass(frozen=True)
class Handling:
    """A change of service at an intermediate location."""

    location: str
    cost_eur: float
    hours: float


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
        return sum(leg.co2e_kg for leg in self.legs)

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
        """The CO2e in whole milligrams as the engine compares it (each leg rounded)."""
        return sum(micro(leg.co2e_kg) for leg in self.legs)

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
        """The service sequence: two itineraries with the same one are not distinct routes."""
        return tuple(leg.service.id for leg in self.legs)

    def describe(self) -> str:
        """A short human label, e.g. `rail via RAIL-ZIH-LGG-ZZ`."""
        main = self.main_leg
        return f"{main.service.mode} via {main.service.id} ({main.service.operator})".strip()

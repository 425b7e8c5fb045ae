"""Plan results aggregated for drawing: tonnes per service, and what was left unassigned.

A plan of 10,000 consignments is drawn as at most one line per service, so the map's size
depends on the network, not on the number of consignments.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from routing.itinerary import Itinerary


@dataclass(frozen=True)
class ServiceFlow:
    """What a plan puts on one service: tonnes, consignments and a utilisation text."""

    tonnes: float
    consignments: int = 0
    utilisation: str = ""  # e.g. "78% of 2 departures (41.2 of 52.8 t)"; empty when unknown


@dataclass(frozen=True)
class Unassigned:
    """A consignment the plan could not place, and why."""

    consignment_id: str
    reason: str = ""


def aggregate_flows(
    itineraries: Iterable[Itinerary],
    utilisation: Callable[[str, float], str] | Mapping[str, str] | None = None,
) -> dict[str, ServiceFlow]:
    """Tonnes (actual weight) and consignments per service id over the itineraries.

    `utilisation` gives each service's utilisation text, either a mapping by service id or a
    function of (service id, tonnes); omitted, the texts stay empty.
    """
    kg: dict[str, float] = {}
    count: dict[str, int] = {}
    for it in itineraries:
        for leg in it.legs:
            sid = leg.service.id
            kg[sid] = kg.get(sid, 0.0) + it.consignment.weight_kg
            count[sid] = count.get(sid, 0) + 1
    flows: dict[str, ServiceFlow] = {}
    for sid in sorted(kg):
        tonnes = kg[sid] / 1000.0
        if utilisation is None:
            text = ""
        elif callable(utilisation):
            text = utilisation(sid, tonnes)
        else:
            text = utilisation.get(sid, "")
        flows[sid] = ServiceFlow(tonnes, count[sid], text)
    return flows

"""Plan results aggregated for drawing: tonnes per service, and what was left unassigned.

A plan of 10,000 consignments is drawn as at most one line per service, so the map's size
depends on the network, not on the number of consignments.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from routing.itinerary import Itinerary


@dataclass(frozen=True)
class ServiceFlow:
    """What a plan puts on one service: tonnes, consignments and a utilisation text; from a
    plan's departures also m³, capacity and containers (None when unknown)."""

    tonnes: float
    consignments: int = 0
    utilisation: str = ""  # e.g. "78% of 2 departures (41.2 of 52.8 t)"; empty when unknown
    m3: float | None = None
    capacity_kg: float | None = None  # summed over the departures used; None: uncapacitated
    capacity_m3: float | None = None
    departures: int = 0
    containers: int = 0
    container_eur: float | None = None  # price of one container, when the service sells them


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


class DepartureLoad(Protocol):
    """What a plan loads on one departure (routing.planner.model.DepartureUse has these)."""

    @property
    def service_id(self) -> str: ...
    @property
    def weight_kg(self) -> float: ...
    @property
    def capacity_kg(self) -> float | None: ...
    @property
    def consignments(self) -> Sequence[str]: ...


def _add(total: dict[str, float | None], sid: str, value: float | None) -> None:
    before = total.get(sid, 0.0)
    total[sid] = None if before is None or value is None else before + value


def flows_from_departures(departures: Iterable[DepartureLoad]) -> dict[str, ServiceFlow]:
    """Tonnes, m³, capacity, containers, consignments and utilisation per service over the
    departures a plan uses (m³ and containers when the departures carry them:
    `volume_m3`, `capacity_m3`, `containers`, `container_eur`).

    Utilisation reads e.g. `78% of capacity over 2 departures (41.2 of 52.8 t)`; a service
    without a weight capacity reads `2 departures, uncapacitated`.
    """
    kg: dict[str, float] = {}
    cap: dict[str, float | None] = {}
    m3: dict[str, float | None] = {}
    cap_m3: dict[str, float | None] = {}
    count: dict[str, int] = {}
    deps: dict[str, int] = {}
    boxes: dict[str, int] = {}
    box_eur: dict[str, float | None] = {}
    for d in departures:
        sid = d.service_id
        kg[sid] = kg.get(sid, 0.0) + d.weight_kg
        count[sid] = count.get(sid, 0) + len(d.consignments)
        deps[sid] = deps.get(sid, 0) + 1
        _add(cap, sid, d.capacity_kg)
        _add(m3, sid, getattr(d, "volume_m3", None))
        _add(cap_m3, sid, getattr(d, "capacity_m3", None))
        boxes[sid] = boxes.get(sid, 0) + int(getattr(d, "containers", 0) or 0)
        box_eur[sid] = getattr(d, "container_eur", None)
    flows = {}
    for sid in sorted(kg):
        n = f"{deps[sid]} departure{'s' if deps[sid] != 1 else ''}"
        capacity = cap[sid]
        if capacity:
            text = (f"{kg[sid] / capacity:.0%} of capacity over {n} "
                    f"({kg[sid] / 1000:,.1f} of {capacity / 1000:,.1f} t)")
        else:
            text = f"{n}, uncapacitated"
        flows[sid] = ServiceFlow(kg[sid] / 1000.0, count[sid], text, m3=m3.get(sid),
                                 capacity_kg=capacity, capacity_m3=cap_m3.get(sid),
                                 departures=deps[sid], containers=boxes[sid],
                                 container_eur=box_eur.get(sid))
    return flows

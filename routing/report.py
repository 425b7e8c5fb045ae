"""Plain-data views of results (the documented JSON schema), shared by the CLI and the maps."""

from __future__ import annotations

from typing import Any

from network.model import Network
from routing.consignment import Consignment
from routing.itinerary import Itinerary

SCHEMA = "silkroute.itineraries/1"


def _r(value: float, digits: int = 2) -> float:
    return round(value + 0.0, digits)


def consignment_dict(network: Network, c: Consignment) -> dict[str, Any]:
    """The consignment as echoed in every output."""
    return {
        "id": c.id or None,
        "origin": c.origin,
        "origin_name": network.locations[c.origin].name,
        "destination": c.destination,
        "destination_name": network.locations[c.destination].name,
        "weight_kg": c.weight_kg,
        "volume_m3": c.volume_m3,
        "ready": c.ready.isoformat(),
        "due": c.due.isoformat() if c.due else None,
        "goods": c.goods,
        "value_eur": c.value_eur,
    }


def itinerary_dict(network: Network, it: Itinerary, rank: int | None = None) -> dict[str, Any]:
    """One itinerary: totals, then legs and handling in order."""
    return {
        "rank": rank,
        "main_mode": it.main_mode,
        "summary": it.describe(),
        "cost_eur": _r(it.cost_eur),
        "transit_h": _r(it.transit_h),
        "transit_days": _r(it.transit_h / 24.0, 1),
        "co2e_kg": _r(it.co2e_kg),
        "depart": it.depart.isoformat(),
        "arrive": it.arrive.isoformat(),
        "meets_due": it.meets_due,
        "legs": [
            {
                "service": leg.service.id,
                "operator": leg.service.operator,
                "from": leg.service.origin,
                "from_name": network.locations[leg.service.origin].name,
                "to": leg.service.destination,
                "to_name": network.locations[leg.service.destination].name,
                "mode": leg.service.mode,
                "depart": leg.depart.isoformat(),
                "arrive": leg.arrive.isoformat(),
                "distance_km": leg.service.distance_km,
                "chargeable_kg": _r(leg.chargeable_kg),
                "basis": leg.basis,
                "containers": leg.containers,
                "cost_eur": _r(leg.cost_eur),
                "co2e_kg": _r(leg.co2e_kg),
            }
            for leg in it.legs
        ],
        "handling": [
            {"location": h.location, "cost_eur": _r(h.cost_eur), "hours": h.hours}
            for h in it.handling
        ],
    }


def itineraries_document(network: Network, consignment: Consignment, itineraries: list[Itinerary],
                         query: dict[str, Any]) -> dict[str, Any]:
    """The whole JSON document of `route` / `pareto` / `compare`."""
    return {
        "schema": SCHEMA,
        "query": query,
        "network": {"name": network.name, "as_of": list(network.as_of_range())},
        "consignment": consignment_dict(network, consignment),
        "itineraries": [itinerary_dict(network, it, i + 1) for i, it in enumerate(itineraries)],
    }

"""From a planner's request to itineraries: resolve places, build the consignment, explain failures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from network.errors import InputError, UnservableError
from network.model import Location, Network
from network.timetable import parse_instant
from network.world import resolve_place
from routing.consignment import Consignment
from routing.itinerary import Itinerary
from routing.search import SearchOptions, earliest_arrival


class NoItineraryError(UnservableError):
    """No itinerary serves the consignment (within the horizon, by the due date)."""


def parse_when(text: str | None, tz_name: str, what: str) -> datetime | None:
    """An ISO date-time (local to `tz_name` unless it carries an offset), or None."""
    if text is None:
        return None
    try:
        return parse_instant(text, tz_name)
    except ValueError as exc:
        raise InputError(f"{what}: {exc}") from None


def build_consignment(network: Network, origin: str, destination: str, *, weight_kg: float,
                      volume_m3: float, ready: str | datetime | Callable[[Location], datetime],
                      due: str | None = None, goods: str = "general",
                      value_eur: float | None = None,
                      consignment_id: str = "") -> tuple[Network, Consignment]:
    """Resolve both places (joining world cities) and build a validated consignment.

    `ready` is an instant, ISO text (local to the origin unless it has an offset), or a
    function of the origin location giving the instant (for defaults in the origin's zone).
    """
    network, origin_location = resolve_place(network, origin)
    network, destination_location = resolve_place(network, destination)
    if isinstance(ready, datetime):
        ready_at: datetime | None = ready
    elif isinstance(ready, str):
        ready_at = parse_when(ready, origin_location.tz, "ready")
    else:
        ready_at = ready(origin_location)
    due_at = parse_when(due, destination_location.tz, "due")
    assert ready_at is not None
    consignment = Consignment(origin_location.id, destination_location.id, weight_kg, volume_m3,
                              ready_at, due_at, goods, value_eur, consignment_id)
    return network, consignment


def explain_no_itinerary(network: Network, consignment: Consignment,
                         options: SearchOptions) -> NoItineraryError:
    """Why nothing was found: the earliest possible arrival and how, or no route at all."""
    origin = network.locations[consignment.origin].name
    destination = network.locations[consignment.destination].name
    earliest: Itinerary | None = earliest_arrival(network, consignment, options.horizon_days)
    if earliest is None:
        return NoItineraryError(
            f"no itinerary from {origin} to {destination} for {consignment.goods} goods with a "
            f"departure within {options.horizon_days:g} days of ready")
    assert consignment.due is not None
    return NoItineraryError(
        f"no itinerary arrives by {consignment.due.isoformat()}; the earliest possible arrival is "
        f"{earliest.arrive.isoformat()} by {earliest.describe()} "
        f"({' > '.join(earliest.signature)}), EUR {earliest.cost_eur:,.0f}")

"""From a planner's request to itineraries: resolve places, build the consignment, explain failures."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from network.errors import FieldError, RoutingError, UnservableError
from network.model import Location, Network
from network.timetable import parse_instant
from network.world import resolve_place
from routing.consignment import Consignment
from routing.itinerary import Itinerary
from routing.limits import (
    MAX_PLACE_CHARS,
    date_range_text,
    instant_in_range,
    last_day_text,
    window_in_range,
)
from routing.search import SearchOptions, earliest_arrival


class NoItineraryError(UnservableError):
    """No itinerary serves the consignment (within the horizon, by the due date)."""


def parse_when(text: str | None, tz_name: str, what: str, field: str = "") -> datetime | None:
    """An ISO date-time (local to `tz_name` unless it carries an offset), or None.

    Raises `FieldError` for `field` (messages name `what`, e.g. `--ready`) when the text is not
    an instant or lies outside the supported range (routing.limits).
    """
    if text is None:
        return None
    outside = FieldError(field or what, f"{what} {text} is outside the supported range "
                                        f"{date_range_text()}")
    try:
        instant = parse_instant(text, tz_name)
    except OverflowError:  # a local time next to year 1 or 9999 does not convert to UTC
        raise outside from None
    except ValueError as exc:
        raise FieldError(field or what, f"{what}: {exc}") from None
    if not instant_in_range(instant):
        raise outside
    return instant


def check_window(start: datetime, days: float, start_what: str, days_what: str,
                 field: str = "") -> None:
    """Refuse a window (ready + horizon, a listing's first day + days) that runs past the range.

    Rejected rather than clamped: a horizon silently cut short would drop departures the
    planner asked for. Raises `FieldError` for `field` naming both options.
    """
    if not window_in_range(start, days):
        raise FieldError(field or start_what,
                         f"{start_what} {start.isoformat()} plus {days:g} days ({days_what}) "
                         f"runs past {last_day_text()}, the end of the "
                         "supported range: use an earlier date or fewer days")


def _check_place(text: str, what: str, field: str) -> None:
    if len(text) > MAX_PLACE_CHARS:
        raise FieldError(field, f"{what} is {len(text):,} characters long; a place name or id "
                                f"has at most {MAX_PLACE_CHARS}")


def _resolve(network: Network, query: str, field: str) -> tuple[Network, Location]:
    """`resolve_place`, with the field it concerns set on any error (for located messages)."""
    try:
        return resolve_place(network, query)
    except RoutingError as exc:
        exc.field = field
        raise


def build_consignment(network: Network, origin: str, destination: str, *, weight_kg: float,
                      volume_m3: float, ready: str | datetime | Callable[[Location], datetime],
                      due: str | None = None, goods: str = "general",
                      value_eur: float | None = None, consignment_id: str = "",
                      labels: Mapping[str, str] | None = None) -> tuple[Network, Consignment]:
    """Resolve both places (joining world cities) and build a validated consignment.

    `ready` is an instant, ISO text (local to the origin unless it has an offset), or a
    function of the origin location giving the instant (for defaults in the origin's zone).
    Ready is echoed in the origin's local time and due in the destination's, whatever offset
    was typed. `labels` name fields in messages (`{"ready": "--ready"}`); by default the
    field's own name. Raises `FieldError` or `UnknownPlaceError` (bad input),
    `OffNetworkError` (a place the network cannot serve) or `InvalidFieldsError`.
    """
    names = {**{f: f for f in ("origin", "destination", "ready", "due")}, **(labels or {})}
    _check_place(origin, names["origin"], "origin")
    _check_place(destination, names["destination"], "destination")
    network, origin_location = _resolve(network, origin, "origin")
    network, destination_location = _resolve(network, destination, "destination")
    if isinstance(ready, datetime):
        ready_at: datetime | None = ready
    elif isinstance(ready, str):
        ready_at = parse_when(ready, origin_location.tz, names["ready"], "ready")
    else:
        ready_at = ready(origin_location)
    due_at = parse_when(due, destination_location.tz, names["due"], "due")
    assert ready_at is not None
    consignment = Consignment(origin_location.id, destination_location.id, weight_kg, volume_m3,
                              _local(ready_at, origin_location),
                              None if due_at is None else _local(due_at, destination_location),
                              goods, value_eur, consignment_id)
    return network, consignment


def _local(instant: datetime, location: Location) -> datetime:
    """`instant` in `location`'s time zone (the README: instants are local to their place)."""
    if instant.tzinfo is None or not instant_in_range(instant):
        return instant  # left for Consignment to refuse, with its field named
    return instant.astimezone(location.zone)


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

"""From a planner's request to itineraries: resolve places, build the consignment, explain failures."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time

from network.errors import FieldError, RoutingError, UnservableError
from network.model import Location, Network
from network.timetable import parse_instant
from network.world import resolve_place_noted
from routing.consignment import Consignment
from routing.itinerary import Itinerary
from routing.limits import (
    MAX_PLACE_CHARS,
    date_range_text,
    instant_in_range,
    last_day_text,
    window_in_range,
)
from routing.objectives import Objective
from routing.search import SearchOptions, best_itineraries, earliest_arrival


class NoItineraryError(UnservableError):
    """No itinerary serves the consignment (within the horizon, by the due date)."""


# What a date typed without a time means (README "Dates without a time"): `--ready` and a
# `ready` cell the start of the working day at the origin, `--due` and a `due` cell the end of
# that day at the destination, a listing's `--from` the start of the day.
WORKING_DAY_START = time(9, 0)
DAY_END = time(23, 59, 59)
DATE_MEANS = {"start": time(0, 0), "working": WORKING_DAY_START, "end": DAY_END}

# Day first, as Belgian Excel writes dates in CSV: 1/12/2026, 01.12.2026 9:00, 1-12-2026 18:30:00.
_DAY_FIRST = re.compile(r"^\s*(\d{1,2})([/.-])(\d{1,2})\2(\d{4})"
                        r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*$")


def _date_alone(text: str) -> date | None:
    """The date of ISO 8601 text that is a date without a time, in any form the standard has
    (`2026-12-03`, `20261203`, `2026-W49-4`), else None: each means `DATE_MEANS`, not midnight."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def day_first(text: str) -> str | None:
    """`1/12/2026 9:00` as ISO text (`2026-12-01T09:00:00`), or None when it is not of that form.

    Raises `ValueError` for a day-first date that does not exist (`12/31/2026`: month 31).
    """
    match = _DAY_FIRST.match(text)
    if match is None:
        return None
    day, _, month, year, hour, minute, second = match.groups()
    try:
        when = date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError(f"cannot read {text.strip()!r} as a date: dates with '/' or '.' are "
                         "read day first (1/12/2026 is 1 December 2026), and "
                         f"day {int(day)} of month {int(month)} does not exist") from None
    if hour is None:
        return when.isoformat()
    return f"{when.isoformat()}T{int(hour):02d}:{minute}:{second or '00'}"


def parse_when(text: str | None, tz_name: str, what: str, field: str = "",
               date_means: str = "start") -> datetime | None:
    """An instant from ISO 8601 text (local to `tz_name` unless it carries an offset), or None.

    Also read: a day-first date (`1/12/2026`, `01.12.2026 09:00`, as Belgian Excel writes them).
    A date without a time means `DATE_MEANS[date_means]` that day in `tz_name`: `start`
    (00:00), `working` (09:00, the default ready time) or `end` (23:59:59). Raises `FieldError`
    for `field` (messages name `what`, e.g. `--ready`) when the text is not an instant or lies
    outside the supported range (routing.limits).
    """
    if text is None:
        return None
    outside = FieldError(field or what, f"{what} {text} is outside the supported range "
                                        f"{date_range_text()}")
    iso = text
    try:
        iso = day_first(text) or text
        alone = _date_alone(iso)
        if alone is not None:
            iso = datetime.combine(alone, DATE_MEANS[date_means]).isoformat()
        instant = parse_instant(iso, tz_name)
    except OverflowError:  # a local time next to year 1 or 9999 does not convert to UTC
        raise outside from None
    except ValueError as exc:
        message = str(exc)
        if iso != text:  # say what was typed, not the ISO text it became
            message = message.replace(repr(iso), repr(text))
        raise FieldError(field or what, f"{what}: {message}") from None
    if not instant_in_range(instant):
        utc = instant.astimezone(UTC).isoformat(timespec="minutes").replace("+00:00", "Z")
        raise FieldError(field or what, f"{what} {text} ({utc}) is outside the supported range "
                                        f"{date_range_text()}")
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


def _resolve(network: Network, query: str, field: str,
             notes: list[str] | None) -> tuple[Network, Location]:
    """`resolve_place_noted` for `field` (`origin` or `destination`: which country it prefers),
    its note appended to `notes`; the field is set on any error (for located messages)."""
    try:
        network, location, note = resolve_place_noted(network, query, field)
    except RoutingError as exc:
        exc.field = field
        raise
    if note and notes is not None:
        notes.append(f"{field}: {note}")
    return network, location


# When `--volume` (or a `volume_m3` cell) is not given: a stowage density per goods class, in
# kg per m³ (estimates: typical palletised loads; README "Volume by default"). Lower densities
# mean more volume and so higher volumetric charges: these err on the side of a dearer quote.
DEFAULT_DENSITY_KG_PER_M3 = {"general": 250.0, "perishable": 300.0, "reefer": 300.0, "dg": 500.0}


def default_volume_m3(weight_kg: float, goods: str) -> tuple[float, str]:
    """The volume assumed for `weight_kg` of `goods` and a note saying so."""
    density = DEFAULT_DENSITY_KG_PER_M3.get(goods, DEFAULT_DENSITY_KG_PER_M3["general"])
    volume = round(weight_kg / density, 3) or 0.001
    return volume, (f"volume not given: {volume:,.3f} m³ assumed ({density:g} kg/m³, the default "
                    f"density of {goods} goods)")


def normalise_goods(goods: str) -> str:
    """A goods class as typed (`DG`, ` Reefer `) in the form the network uses (`dg`, `reefer`)."""
    return goods.strip().lower()


def build_consignment(network: Network, origin: str, destination: str, *, weight_kg: float,
                      volume_m3: float | None,
                      ready: str | datetime | Callable[[Location], datetime],
                      due: str | None = None, goods: str = "general",
                      value_eur: float | None = None, consignment_id: str = "",
                      labels: Mapping[str, str] | None = None,
                      notes: list[str] | None = None) -> tuple[Network, Consignment]:
    """Resolve both places (joining world cities) and build a validated consignment.

    Places are read by `network.world.resolve_place_noted` (names in several languages,
    postcodes, pinyin; an origin prefers Belgium, a destination China); a date without a time
    means 09:00 for ready and the end of the day for due (`parse_when`); a missing volume is
    the goods class's default density (`default_volume_m3`). What was chosen or assumed is
    appended to `notes` as one sentence each.

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
    goods = normalise_goods(goods)
    network, origin_location = _resolve(network, origin, "origin", notes)
    network, destination_location = _resolve(network, destination, "destination", notes)
    if volume_m3 is None:
        volume_m3, note = default_volume_m3(weight_kg, goods)
        if notes is not None:
            notes.append(note)
    if isinstance(ready, datetime):
        ready_at: datetime | None = ready
    elif isinstance(ready, str):
        ready_at = parse_when(ready, origin_location.tz, names["ready"], "ready", "working")
    else:
        ready_at = ready(origin_location)
    due_at = parse_when(due, destination_location.tz, names["due"], "due", "end")
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
    earliest: Itinerary | None = earliest_arrival(network, consignment, options.horizon_days)
    if earliest is None:
        return NoItineraryError(unreachable_reason(network, consignment, options.horizon_days)[1])
    assert consignment.due is not None
    return NoItineraryError(
        f"no itinerary arrives by {consignment.due.isoformat()}; the earliest possible arrival is "
        f"{earliest.arrive.isoformat()} by {earliest.describe()} "
        f"({' > '.join(earliest.signature)}), EUR {earliest.cost_eur:,.0f}")


# The consignment `unreachable_reason` tries when the real one has no itinerary: small enough
# for every service (a service's capacity is never below these).
PROBE_KG, PROBE_M3 = 1.0, 0.001


def unreachable_reason(network: Network, consignment: Consignment, horizon_days: float) -> tuple[str, str]:
    """Why `consignment` has no itinerary at all, its due date aside: (`too_large`, …) when a
    consignment of 1 kg of the same goods has one (every route that carries the goods has a
    service smaller than this one), (`goods_class`, …) when only general goods have one, else
    (`no_route`, …); each with its sentence."""
    c = consignment
    origin = network.locations[c.origin].name
    destination = network.locations[c.destination].name
    options = SearchOptions(Objective.TIME, horizon_days=horizon_days)

    def reachable(goods: str) -> bool:
        probe = Consignment(c.origin, c.destination, PROBE_KG, PROBE_M3, c.ready, None, goods, None, c.id)
        return bool(best_itineraries(network, probe, options).itineraries)

    if reachable(c.goods):
        return ("too_large", f"every route from {origin} to {destination} that carries {c.goods} goods "
                             f"has a service smaller than this consignment ({c.weight_kg:,.0f} kg, "
                             f"{c.volume_m3:,.3g} m³): split it")
    if c.goods != "general" and reachable("general"):
        return ("goods_class", f"no service carries {c.goods} goods on any route from {origin} to "
                               f"{destination}")
    return ("no_route", f"no itinerary from {origin} to {destination} for {c.goods} goods with a "
                        f"departure within {horizon_days:g} days of ready")

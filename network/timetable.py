"""Scheduled departures of timetabled services as timezone-aware instants.

A service's `days` and `departure` are wall-clock times at its origin, so the UTC
instant of a departure moves when the origin changes to or from daylight saving time.

DST rule (stated, and pinned by the tests): a departure whose wall-clock time does not
exist that day (spring-forward gap) leaves at the instant the clock would show with the
pre-transition offset, i.e. one hour later on the wall clock; a wall-clock time that
occurs twice (fall-back) means its first occurrence.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache

from network.model import Service, zone

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def require_aware(instant: datetime, what: str = "instant") -> datetime:
    """Return `instant`, or raise `ValueError` when it has no time zone."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{what} {instant.isoformat()} has no time zone")
    return instant


def _scheduled(days: frozenset[int], departure: time, tz_name: str,
               start: datetime, end: datetime) -> list[datetime]:
    """Instants (in UTC) of a weekly timetable with start <= instant < end."""
    tz = zone(tz_name)
    day = start.astimezone(tz).date() - timedelta(days=1)
    last_day = end.astimezone(tz).date() + timedelta(days=1)
    result = []
    while day <= last_day:
        if day.weekday() in days:
            # Round-tripping through UTC normalises wall-clock times that fall in a DST gap.
            instant = datetime.combine(day, departure, tzinfo=tz).astimezone(UTC)
            if start <= instant < end:
                result.append(instant)
        day += timedelta(days=1)
    return result


def departures(service: Service, start: datetime, end: datetime) -> list[datetime]:
    """Departures of `service` with start <= departure < end, in the origin's local time."""
    require_aware(start, "start")
    require_aware(end, "end")
    if not service.is_timetabled or service.departure is None:
        raise ValueError(f"service {service.id!r} departs on demand and has no timetable")
    tz = zone(service.origin_tz)
    return [d.astimezone(tz) for d in
            _scheduled(service.days, service.departure, service.origin_tz, start, end)]


def to_seconds(instant: datetime) -> float:
    """POSIX seconds of an aware datetime (the engine's internal time axis)."""
    return (require_aware(instant) - _EPOCH).total_seconds()


def from_seconds(seconds: float, tz_name: str) -> datetime:
    """The aware datetime of POSIX `seconds`, expressed in time zone `tz_name`."""
    return (_EPOCH + timedelta(seconds=seconds)).astimezone(zone(tz_name))


WEEK_S = 7 * 86400


@lru_cache(maxsize=200_000)
def week_departures(days: frozenset[int], departure: time, tz_name: str,
                     week: int) -> tuple[float, ...]:
    """Departure instants (POSIX s) in UTC week `week` (weeks counted from the epoch).

    Cached on the timetable itself (not the service object, whose hash is costly): the
    engine asks for the same weeks of the same timetables over and over.
    """
    start = _EPOCH + timedelta(seconds=week * WEEK_S)
    return tuple(to_seconds(d) for d in
                 _scheduled(days, departure, tz_name, start, start + timedelta(days=7)))


def next_departure_s(service: Service, earliest_s: float, latest_s: float) -> float | None:
    """The first departure at or after `earliest_s` and at or before `latest_s`, or None."""
    assert service.departure is not None
    week = int(earliest_s // WEEK_S)
    while week * WEEK_S <= latest_s:
        times = week_departures(service.days, service.departure, service.origin_tz, week)
        i = bisect_left(times, earliest_s)
        if i < len(times):
            return times[i] if times[i] <= latest_s else None
        week += 1
    return None


def parse_instant(text: str, tz_name: str) -> datetime:
    """An ISO 8601 date or date-time; without an offset it is local time in `tz_name`.

    A bare date means midnight local time. Raises `ValueError` on anything else.
    """
    cleaned = text.strip().replace(" ", "T", 1)
    try:
        parsed = datetime.fromisoformat(cleaned)
    except ValueError:
        raise ValueError(f"cannot read {text!r} as a date or date-time "
                         "(use ISO 8601, e.g. 2026-12-01 or 2026-12-01T09:00+01:00)") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone(tz_name))
        # Normalise a wall-clock time in a DST gap the same way departures are normalised.
        parsed = parsed.astimezone(UTC).astimezone(zone(tz_name))
    return parsed

"""Departures of services as timezone-aware instants: the one departure generator.

A service's `days` and `departure` are wall-clock times at its origin, so the UTC
instant of a departure moves when the origin changes to or from daylight saving time.
Its calendar (validity, `calendar_dates.csv` exceptions, scenario closures: `network.calendar`)
is applied here, week by week, so that every user of departures — the engine's compiled
timetables, `network departures`, the planner and the benchmark peer — sees the same ones.

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
    """Departures of `service` with start <= departure < end, in the origin's local time
    (its calendar applied)."""
    require_aware(start, "start")
    require_aware(end, "end")
    if not service.is_timetabled or service.departure is None:
        raise ValueError(f"service {service.id!r} departs on demand and has no timetable")
    start_s, end_s = to_seconds(start), to_seconds(end)
    found: list[float] = []
    for week in range(int(start_s // WEEK_S), int(end_s // WEEK_S) + 1):
        found.extend(t for t in service_week_departures(service, week) if start_s <= t < end_s)
    return [from_seconds(t, service.origin_tz) for t in found]


def to_seconds(instant: datetime) -> float:
    """POSIX seconds of an aware datetime (the engine's internal time axis)."""
    return (require_aware(instant) - _EPOCH).total_seconds()


def from_seconds(seconds: float, tz_name: str) -> datetime:
    """The aware datetime of POSIX `seconds`, expressed in time zone `tz_name` (the same instant,
    fields and fold as `_EPOCH + timedelta(seconds=seconds)` converted there, in one C call)."""
    return datetime.fromtimestamp(seconds, zone(tz_name))


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


def service_week_departures(service: Service, week: int) -> tuple[float, ...]:
    """The departures (POSIX s, sorted) of timetabled `service` in UTC week `week`, its calendar
    applied: the single place where timetables are expanded."""
    assert service.departure is not None
    base = week_departures(service.days, service.departure, service.origin_tz, week)
    if service.calendar.is_always:
        return base
    start = week * WEEK_S
    return service.schedule.filter(base, start, start + WEEK_S)


def next_departure_s(service: Service, earliest_s: float, latest_s: float) -> float | None:
    """The first departure at or after `earliest_s` and at or before `latest_s`, or None."""
    assert service.departure is not None
    week = int(earliest_s // WEEK_S)
    while week * WEEK_S <= latest_s:
        times = service_week_departures(service, week)
        i = bisect_left(times, earliest_s)
        if i < len(times):
            return times[i] if times[i] <= latest_s else None
        week += 1
    return None


def next_open_s(service: Service, earliest_s: float) -> float | None:
    """When cargo available at `earliest_s` can leave on on-demand `service`: at once, or at the
    first instant its calendar opens again; None when it never does."""
    if service.calendar.is_always:
        return earliest_s
    return service.schedule.open_from(earliest_s)


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

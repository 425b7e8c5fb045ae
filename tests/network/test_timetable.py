"""Departures as timezone-aware instants, including across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from network.model import Service
from network.timetable import departures, next_departure_s, parse_instant, to_seconds

BRU = ZoneInfo("Europe/Brussels")


def _service(days: set[int], at: time, tz: str = "Europe/Brussels") -> Service:
    return Service(id="S", origin="A", destination="B", mode="rail", operator="x",
                   distance_km=1, duration_h=1, days=frozenset(days), departure=at, origin_tz=tz)


def test_daily_departure_keeps_wall_clock_across_spring_forward():
    """A 10:00 daily departure stays 10:00 local while its UTC offset changes from +1 to +2."""
    service = _service(set(range(7)), time(10, 0))
    found = departures(service, datetime(2027, 3, 27, tzinfo=BRU), datetime(2027, 3, 30, tzinfo=BRU))
    assert [d.hour for d in found] == [10, 10, 10]
    assert [d.utcoffset().total_seconds() / 3600 for d in found] == [1, 2, 2]
    # 23 hours apart in absolute time (compare in UTC: Python subtracts same-zone wall clocks).
    assert found[1].astimezone(UTC) - found[0].astimezone(UTC) == timedelta(hours=23)


def test_departure_in_spring_gap_leaves_an_hour_later_on_the_clock():
    """02:30 does not exist on 28 March 2027 in Brussels: it leaves at 03:30 CEST (01:30 UTC)."""
    service = _service({6}, time(2, 30))
    [dep] = departures(service, datetime(2027, 3, 27, tzinfo=BRU), datetime(2027, 3, 29, tzinfo=BRU))
    assert dep.astimezone(UTC) == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)


def test_departure_in_autumn_overlap_is_the_first_occurrence():
    """02:30 happens twice on 31 October 2027 in Brussels: the first one (CEST, 00:30 UTC)."""
    service = _service({6}, time(2, 30))
    [dep] = departures(service, datetime(2027, 10, 30, tzinfo=BRU),
                       datetime(2027, 11, 1, tzinfo=BRU))
    assert dep.astimezone(UTC) == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)


def test_departures_window_is_half_open_and_local():
    """Departures at exactly `start` count, at exactly `end` do not, and are in origin time."""
    service = _service({0, 3}, time(18, 0))
    start = datetime(2026, 11, 30, 18, 0, tzinfo=BRU)  # a Monday
    found = departures(service, start, datetime(2026, 12, 7, 18, 0, tzinfo=BRU))
    assert found == [start, datetime(2026, 12, 3, 18, 0, tzinfo=BRU)]
    assert all(d.tzinfo == BRU for d in found)


def test_next_departure_crosses_week_boundaries():
    """The next departure after a Sunday evening is the following Wednesday's."""
    service = _service({2}, time(9, 0), tz="Asia/Shanghai")
    sha = ZoneInfo("Asia/Shanghai")
    after = to_seconds(datetime(2026, 12, 6, 20, 0, tzinfo=sha))
    found = next_departure_s(service, after, after + 30 * 86400)
    assert found == to_seconds(datetime(2026, 12, 9, 9, 0, tzinfo=sha))
    assert next_departure_s(service, after, after + 86400) is None


def test_naive_bounds_are_refused():
    """Library time functions refuse naive datetimes."""
    service = _service({0}, time(9, 0))
    with pytest.raises(ValueError, match="no time zone"):
        departures(service, datetime(2026, 1, 1), datetime(2026, 1, 2, tzinfo=BRU))


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-12-01", datetime(2026, 12, 1, tzinfo=BRU)),
    ("2026-12-01T09:30", datetime(2026, 12, 1, 9, 30, tzinfo=BRU)),
    ("2026-12-01 09:30", datetime(2026, 12, 1, 9, 30, tzinfo=BRU)),
    ("2026-12-01T09:30+08:00", datetime(2026, 12, 1, 1, 30, tzinfo=UTC)),
])
def test_parse_instant_reads_local_or_offset_times(text, expected):
    """Instants without an offset are local time of the given zone."""
    assert parse_instant(text, "Europe/Brussels") == expected


def test_parse_instant_rejects_garbage():
    """An unreadable date says how to write one."""
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_instant("next tuesday", "Europe/Brussels")

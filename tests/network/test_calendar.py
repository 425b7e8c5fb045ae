"""Service calendars: validity, added and removed dates, scenario edits; one departure generator
seen alike by `network departures`, the compiled engine, the planner's helper and the benchmark
peer."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bench.peers import EarliestArrivalPeer
from network import load_network
from network.calendar import Calendar, Edit, Schedule
from network.errors import InvalidFieldsError
from network.model import Service
from network.timetable import departures, next_departure_s, next_open_s, to_seconds
from routing.compiled import compiled
from routing.consignment import Consignment
from routing.objectives import Objective
from routing.search import SearchOptions, best_itineraries
from tests.builders import location, service, write_network

BRU = ZoneInfo("Europe/Brussels")


def _service(**fields) -> Service:
    base = {"id": "T", "origin": "A", "destination": "B", "mode": "rail", "operator": "op",
            "distance_km": 100.0, "duration_h": 5.0, "days": frozenset({0, 3}), "departure": time(10),
            "origin_tz": "Europe/Brussels"}
    return Service(**{**base, **fields})


def _local(s: Service, start: date, days: int) -> list[str]:
    first = datetime.combine(start, time(0), tzinfo=BRU)
    return [d.strftime("%a %Y-%m-%d %H:%M") for d in departures(s, first, first + timedelta(days=days))]


def test_validity_is_inclusive_local_dates():
    """valid_from and valid_to are inclusive local dates at the origin."""
    s = _service(valid_from=date(2026, 12, 3), valid_to=date(2026, 12, 10))  # Thu .. Thu
    assert _local(s, date(2026, 11, 30), 14) == ["Thu 2026-12-03 10:00", "Mon 2026-12-07 10:00",
                                                 "Thu 2026-12-10 10:00"]


def test_added_and_removed_dates():
    """An added date runs at the timetable's time even on another weekday; a removed one does not
    run; an added date outside validity runs."""
    calendar = Calendar(periods=((date(2026, 12, 1), date(2026, 12, 31)),),
                        added=frozenset({date(2026, 12, 2), date(2027, 1, 6)}),
                        removed=frozenset({date(2026, 12, 3)}))
    s = _service(calendar=calendar)
    assert _local(s, date(2026, 11, 30), 10) == ["Wed 2026-12-02 10:00", "Mon 2026-12-07 10:00"]
    got = _local(s, date(2026, 11, 30), 45)
    assert "Wed 2026-12-02 10:00" in got and "Thu 2026-12-03 10:00" not in got
    assert "Mon 2026-11-30 10:00" not in got and "Wed 2027-01-06 10:00" in got
    assert "Mon 2027-01-04 10:00" not in got


def test_scenario_edits_apply_in_order():
    """A closure, then an opening inside it: the later edit wins where they overlap."""
    tz_day = datetime(2026, 12, 7, tzinfo=BRU)
    calendar = Calendar(edits=(Edit(False, date(2026, 12, 1), date(2026, 12, 31)),
                               Edit(True, tz_day, tz_day + timedelta(days=1))))
    assert _local(_service(calendar=calendar), date(2026, 11, 30), 36) == [
        "Mon 2026-11-30 10:00", "Mon 2026-12-07 10:00", "Mon 2027-01-04 10:00"]


def test_closure_instants_are_half_open():
    """A closure [from, to) of instants keeps a departure exactly at `to`."""
    close_from = datetime(2026, 12, 7, 10, tzinfo=BRU)
    calendar = Calendar(edits=(Edit(False, close_from, datetime(2026, 12, 10, 10, tzinfo=BRU)),))
    assert _local(_service(calendar=calendar), date(2026, 12, 6), 6) == ["Thu 2026-12-10 10:00"]


def test_on_demand_waits_for_the_next_open_instant():
    """An on-demand service may leave at any instant of a valid local day; cargo waits."""
    calendar = Calendar(periods=((date(2026, 12, 5), None),), removed=frozenset({date(2026, 12, 8)}))
    s = _service(days=frozenset(), departure=None, calendar=calendar)
    noon = datetime(2026, 12, 3, 12, tzinfo=BRU)
    assert next_open_s(s, to_seconds(noon)) == to_seconds(datetime(2026, 12, 5, tzinfo=BRU))
    inside = datetime(2026, 12, 6, 15, tzinfo=BRU)
    assert next_open_s(s, to_seconds(inside)) == to_seconds(inside)
    assert next_open_s(s, to_seconds(datetime(2026, 12, 8, 9, tzinfo=BRU))) == \
        to_seconds(datetime(2026, 12, 9, tzinfo=BRU))
    closed = _service(days=frozenset(), departure=None, valid_to=date(2026, 1, 1))
    assert next_open_s(closed, to_seconds(noon)) is None


def test_a_midnight_in_a_dst_gap_opens_when_the_clock_resumes():
    """A day whose midnight does not exist (a spring-forward gap at 00:00) starts at the first
    instant it has, as departures in a gap do."""
    tz = ZoneInfo("America/Santiago")
    day = next(d for d in (date(2026, 8, 1) + timedelta(days=i) for i in range(120))
               if datetime.combine(d, time(0), tzinfo=tz).astimezone(UTC).astimezone(tz).hour == 1)
    schedule = Schedule(Calendar(periods=((day, None),)), tz, None)
    first = schedule.open_from(0.0)
    assert first is not None
    assert datetime.fromtimestamp(first, tz).replace(tzinfo=None) == datetime.combine(day, time(1))


def test_calendar_checks_itself():
    """Inverted validity, a date both added and removed, an inverted edit are refused."""
    with pytest.raises(InvalidFieldsError, match="before valid_from"):
        _service(valid_from=date(2026, 2, 1), valid_to=date(2026, 1, 1))
    with pytest.raises(InvalidFieldsError, match="both added and removed"):
        Calendar(added=frozenset({date(2026, 1, 1)}), removed=frozenset({date(2026, 1, 1)}))
    with pytest.raises(InvalidFieldsError, match="is not after"):
        Edit(False, date(2026, 2, 1), date(2026, 1, 1))


def test_evolve_checks_what_it_changes():
    """Service.evolve refuses an out-of-range figure and a field it may not change."""
    s = _service()
    assert s.evolve(duration_h=7.5).duration_h == 7.5
    with pytest.raises(InvalidFieldsError, match="duration_h"):
        s.evolve(duration_h=-1.0)
    with pytest.raises(ValueError, match="cannot change"):
        s.evolve(mode="air")


@pytest.fixture(scope="module")
def calendar_network(tmp_path_factory):
    directory = tmp_path_factory.mktemp("calendar")
    services = [
        service("R1", "A", "B", days="Mon Wed Fri", departure="10:00", duration_h=30, mode="rail",
                valid_from="2026-12-02", valid_to="2026-12-20"),
        service("R2", "A", "B", days="daily", departure="23:30", duration_h=40, mode="rail"),
        service("D1", "B", "C", duration_h=3, valid_from="2026-12-05"),
        service("D2", "A", "C", duration_h=200),
    ]
    dates = [{"service": "R1", "date": "2026-12-09", "exception": "removed"},
             {"service": "R1", "date": "2026-12-06", "exception": "added"},
             {"service": "R2", "date": "2026-12-03", "exception": "removed"}]
    write_network(directory, [location(x) for x in "ABC"], services, calendar_dates=dates)
    return directory


def test_one_generator_for_every_user(calendar_network):
    """departures(), next_departure_s (the planner's), the compiled engine's next_departure and
    previous_departure, and the benchmark peer's tables all list the same departures."""
    net = load_network(calendar_network)
    cn = compiled(net)
    start, end = datetime(2026, 11, 28, tzinfo=BRU), datetime(2026, 12, 28, tzinfo=BRU)
    s0, s1 = to_seconds(start), to_seconds(end)
    for sid in ("R1", "R2"):
        listed = [to_seconds(d) for d in departures(net.services[sid], start, end)]
        si = cn.service_index[sid]
        walked, t = [], s0
        while (found := cn.next_departure(si, t, s1)) is not None:
            walked.append(found)
            t = found + 1
        assert walked == listed, sid
        helper, t = [], s0
        while (found := next_departure_s(net.services[sid], t, s1)) is not None:
            helper.append(found)
            t = found + 1
        assert helper == listed, sid
        back, t = [], s1
        while (found := cn.previous_departure(si, t, s0)) is not None:
            back.append(found)
            t = found - 1
        assert list(reversed(back)) == listed, sid
    assert "2026-12-06" in [d.date().isoformat() for d in departures(net.services["R1"], start, end)]
    peer = EarliestArrivalPeer(net, start, end)
    for day in range(1, 15):
        ready = datetime(2026, 11, 30, 9, tzinfo=BRU) + timedelta(days=day)
        c = Consignment("A", "C", 100, 1, ready)
        mine = best_itineraries(net, c, SearchOptions(objective=Objective.TIME, horizon_days=20)).itineraries
        theirs = peer.earliest("A", "C", to_seconds(ready), 20 * 86400.0)
        assert (to_seconds(mine[0].arrive) if mine else None) == theirs, ready

"""What-if scenarios: validation as `file: key path: message` (all at once), and what each action
does to a network (a new one; the base is untouched)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from network import load_network
from network.errors import FileFormatError
from network.scenarios import (
    apply_scenario,
    apply_scenarios,
    closed_services,
    load_scenarios,
    parse_scenario,
)
from network.timetable import departures, next_open_s, to_seconds
from routing.compare import compare
from routing.compiled import compiled
from routing.consignment import Consignment
from routing.search import SearchOptions, best_itineraries
from routing.tariffs import leg_price_at
from tests.builders import location, service, write_network

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "scenarios").glob("*.toml"))
BRU = ZoneInfo("Europe/Brussels")
SHA = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def default():
    return load_network()


def _scenario(network, text: str, name: str = "test.toml"):
    return parse_scenario(text, name, network)


def _dated_t(action: str, first: str, last: str, figure: str, source: str = "y") -> str:
    """A `[[change]]` of service T for the dates `first` to `last`, `figure` its number line."""
    return (f'[[change]]\naction = "{action}"\nservice = "T"\nfrom = {first}\nto = {last}\n{figure}\n'
            f'comment = "x"\nsource = "{source}"\n')


def _dep(network, sid: str, start: datetime, days: int) -> list[str]:
    return [d.strftime("%Y-%m-%d %H:%M") for d in
            departures(network.services[sid], start, start + timedelta(days=days))]


def test_shipped_scenarios_are_valid_sourced_and_apply(default):
    """Every shipped scenario loads against the default network, every change cites a source,
    and applying it leaves the base network as it was."""
    assert len(SHIPPED) >= 5
    before = dict(default.services)
    for scenario in load_scenarios(SHIPPED, default):
        assert scenario.name and scenario.sources, scenario.file
        for change in scenario.changes:
            assert change.source.strip() and change.comment.strip(), (scenario.file, change)
        changed = apply_scenario(default, scenario)
        assert changed is not default and changed.scenarios[-1].name == scenario.name
        assert compiled(changed) is not compiled(default)
    assert dict(default.services) == before and not default.scenarios


def test_the_border_closes_again(default):
    """Closed for good, the ZIH train has no departure; rail disappears from compare."""
    closed = apply_scenarios(default, load_scenarios([ROOT / "scenarios/pl-by-border-closed.toml"], default))
    assert closed_services(closed) == ["RAIL-ZIH-LGG-ZZ"]
    assert _dep(closed, "RAIL-ZIH-LGG-ZZ", datetime(2026, 12, 1, tzinfo=BRU), 30) == []
    c = Consignment("BE-NAMUR", "CN-ZHENGZHOU", 800, 3.5, datetime(2026, 12, 1, 9, tzinfo=BRU))
    assert set(compare(default, c, SearchOptions()).by_mode) == {"air", "rail", "sea"}
    assert set(compare(closed, c, SearchOptions()).by_mode) == {"air", "sea"}


def test_the_2025_closure_as_it_happened(default):
    """Departures that would reach the border (60 h after leaving Liège) between 12 and 25 Sep
    2025 are cancelled; those reaching it in the backlog run as a slower variant."""
    net = apply_scenarios(default, load_scenarios([ROOT / "scenarios/pl-by-border-closure-2025-09.toml"],
                                                  default))
    start = datetime(2025, 9, 1, tzinfo=BRU)
    train = _dep(net, "RAIL-ZIH-LGG-ZZ", start, 45)  # Tuesdays and Fridays at 18:00
    assert "2025-09-05 18:00" in train and "2025-09-09 18:00" not in train  # 9 Sep 18:00 + 60 h > 12 Sep
    assert "2025-09-19 18:00" not in train and "2025-10-07 18:00" in train
    variant = "RAIL-ZIH-LGG-ZZ__pl-by-border-closure-2025-09-2"
    slow = _dep(net, variant, start, 45)
    assert slow[0] == "2025-09-23 18:00" and slow[-1] == "2025-10-03 18:00"
    assert net.services[variant].duration_h == default.services["RAIL-ZIH-LGG-ZZ"].duration_h + 168
    assert net.services[variant].variant_of == "RAIL-ZIH-LGG-ZZ"
    assert closed_services(net) == ["RAIL-ZIH-LGG-ZZ"]
    c = Consignment("BE-NAMUR", "CN-ZHENGZHOU", 800, 3.5, datetime(2025, 9, 10, 9, tzinfo=BRU))
    rail = compare(net, c, SearchOptions()).by_mode["rail"]
    assert rail.legs[1].service.id == variant and rail.legs[1].depart.date() == date(2025, 9, 23)


def test_the_suez_route_reopens(default):
    """Suez loops sail every week, the Cape loops stop, Suez rates fall 30 %."""
    net = apply_scenarios(default, load_scenarios([ROOT / "scenarios/suez-reopening.toml"], default))
    start = datetime(2026, 12, 1, tzinfo=BRU)
    assert _dep(default, "SEA-ANR-SHA-SUEZ", start, 14) == []
    assert _dep(net, "SEA-ANR-SHA-SUEZ", start, 14) == ["2026-12-06 12:00", "2026-12-13 12:00"]
    assert _dep(net, "SEA-ANR-SHA", start, 14) == []
    depart = to_seconds(datetime(2026, 12, 6, 12, tzinfo=BRU))
    before = leg_price_at(default, default.services["SEA-ANR-SHA-SUEZ"], 800, 3.5, depart)
    after = leg_price_at(net, net.services["SEA-ANR-SHA-SUEZ"], 800, 3.5, depart)
    assert after.eur == pytest.approx(before.eur * 0.7)
    assert after.estimate  # the -30 % is an estimate


def test_chinese_new_year_closes_and_slows_chinese_roads(default):
    """Chinese road legs are closed in the holiday (cargo waits for the reopening) and run as
    slower, smaller variants the weeks around it."""
    net = apply_scenarios(default, load_scenarios([ROOT / "scenarios/chinese-new-year-2027.toml"], default))
    road = net.services["ROAD-CN-ZZCC-ZHENGZHOU"]
    after = net.services["ROAD-CN-ZZCC-ZHENGZHOU__chinese-new-year-2027-4"]
    holiday = to_seconds(datetime(2027, 2, 8, 10, tzinfo=SHA))
    assert next_open_s(after, holiday) == to_seconds(datetime(2027, 2, 14, tzinfo=SHA))
    assert next_open_s(road, holiday) == to_seconds(datetime(2027, 3, 1, tzinfo=SHA))  # its own again
    before = net.services["ROAD-CN-ZZCC-ZHENGZHOU__chinese-new-year-2027-2"]
    assert before.duration_h == 2 * default.services["ROAD-CN-ZZCC-ZHENGZHOU"].duration_h
    assert next_open_s(before, to_seconds(datetime(2027, 1, 20, tzinfo=SHA))) == \
        to_seconds(datetime(2027, 1, 29, tzinfo=SHA))
    assert next_open_s(before, to_seconds(datetime(2027, 2, 5, 1, tzinfo=SHA))) is None
    untouched = [s for s in net.services.values() if s.mode != "road" and not s.variant_of]
    assert all(s.capacity_kg == default.services[s.id].capacity_kg for s in untouched)


def test_fuel_surcharges_apply_from_march_2026(default):
    """Air pays USD 0.65 per chargeable kg at the day's rate, from 9 March 2026 only."""
    net = apply_scenarios(default, load_scenarios([ROOT / "scenarios/fuel-surcharge-2026.toml"], default))
    air = net.services["AIR-SF-LGG-EHU"]
    base = default.services["AIR-SF-LGG-EHU"]
    march = to_seconds(datetime(2026, 3, 10, 22, tzinfo=BRU))
    feb = to_seconds(datetime(2026, 3, 3, 22, tzinfo=BRU))
    p = leg_price_at(net, air, 800, 3.5, march)
    rate = net.fx.rate_on("USD", date(2026, 3, 10)).per_eur
    plain = leg_price_at(default, base, 800, 3.5, march).eur
    assert p.eur == pytest.approx(plain + 0.65 / rate * p.chargeable_kg)
    assert leg_price_at(net, air, 800, 3.5, feb).eur == leg_price_at(default, base, 800, 3.5, feb).eur
    assert [s.id for s in p.surcharges] == ["FUEL-AIR-2026"] and p.estimate


def test_every_problem_at_once_as_file_key_path_message(default):
    """Problems of every change and of the file are listed together, each with its key path."""
    text = """
name = "broken"
colour = "red"
[[change]]
action = "close"
corridor = "PL-BY"
comment = "x"
source = "y"
[[change]]
action = "shut"
service = "RAIL-ZIH"
[[change]]
action = "add_duration"
service = "RAIL-ZIH"
from = 2026-02-01
to = 2026-01-01
comment = "x"
[[change]]
action = "scale_price"
mode = "sea"
factor = 0.8
from = 2026-01-01T00:00:00+01:00
comment = "x"
source = "y"
[[change]]
action = "scale_capacity"
mode = "sea"
location = "LGG"
factor = 0.5
comment = "x"
source = "y"
"""
    with pytest.raises(FileFormatError) as info:
        _scenario(default, text, "broken.toml")
    messages = [str(p) for p in info.value.problems]
    expected = [
        "broken.toml: colour: unknown key",
        "broken.toml: change[1].corridor: unknown corridor 'PL-BY'; did you mean 'PL-BY-border'?",
        "broken.toml: change[2].action: unknown action 'shut'",
        "broken.toml: change[3].source: is required",
        "broken.toml: change[3].service: unknown service 'RAIL-ZIH'; did you mean 'RAIL-ZIH-LGG-ZZ'?",
        "broken.toml: change[3].hours: is required for add_duration",
        "broken.toml: change[3].to: 2026-01-01 is not after from 2026-02-01 (inverted dates)",
        "broken.toml: change[4].from: scale_price takes dates",
        "broken.toml: change[5]: selects no service",
    ]
    for want in expected:
        assert any(m.startswith(want) for m in messages), (want, messages)


def test_toml_syntax_and_reading_errors(default, tmp_path):
    """Not TOML, not UTF-8, a directory: one located problem each."""
    with pytest.raises(FileFormatError, match=r"x.toml: not valid TOML"):
        _scenario(default, "name = ", "x.toml")
    bad = tmp_path / "latin1.toml"
    bad.write_bytes('name = "Liège"'.encode("latin-1"))
    with pytest.raises(FileFormatError, match="is not UTF-8"):
        load_scenarios([bad], default)
    with pytest.raises(FileFormatError, match="is a directory"):
        load_scenarios([tmp_path], default)


def test_add_price_needs_the_rows_currency(default):
    """An amount added to a rate column must be in the row's currency."""
    text = """name = "x"
[[change]]
action = "add_price"
service = "SEA-ANR-SHA"
column = "container_eur"
amount = 100
currency = "EUR"
comment = "x"
source = "y"
"""
    with pytest.raises(FileFormatError, match=r"change\[1\].currency: SEA-ANR-SHA is priced in USD"):
        _scenario(default, text)


@pytest.fixture
def small(tmp_path):
    services = [service("T", "A", "B", days="daily", departure="10:00", duration_h=10, mode="rail",
                        capacity_kg=1000, eur_fixed=100),
                service("R", "B", "C", duration_h=2, eur_fixed=10)]
    return load_network(write_network(tmp_path, [location(x) for x in "ABC"], services))


def test_a_dated_close_equals_a_removed_calendar_date(small, tmp_path):
    """Closing a service for one date by scenario gives the departures a calendar_dates.csv
    removal gives."""
    net = apply_scenario(small, _scenario(small, """name = "x"
[[change]]
action = "close"
service = "T"
from = 2026-12-03
to = 2026-12-03
comment = "x"
source = "y"
"""))
    other = load_network(write_network(
        tmp_path / "removed", [location(x) for x in "ABC"],
        [service("T", "A", "B", days="daily", departure="10:00", duration_h=10, mode="rail",
                 capacity_kg=1000, eur_fixed=100), service("R", "B", "C", duration_h=2, eur_fixed=10)],
        calendar_dates=[{"service": "T", "date": "2026-12-03", "exception": "removed"}]))
    start = datetime(2026, 12, 1, tzinfo=BRU)
    assert _dep(net, "T", start, 5) == _dep(other, "T", start, 5) == [
        "2026-12-01 10:00", "2026-12-02 10:00", "2026-12-04 10:00", "2026-12-05 10:00"]


def test_dated_capacity_and_price_changes(small):
    """A dated capacity cut runs as a variant in its window; a dated price rise splits the
    rate rows, so only departures in the window pay it; the service's departures stay."""
    text = ('name = "peak"\n' + _dated_t("scale_capacity", "2026-12-03", "2026-12-04", "factor = 0.5")
            + _dated_t("scale_price", "2026-12-04", "2026-12-05", "factor = 2", "estimate: z"))
    net = apply_scenario(small, _scenario(small, text, "peak.toml"))
    start = datetime(2026, 12, 1, tzinfo=BRU)
    assert _dep(net, "T", start, 6) == ["2026-12-01 10:00", "2026-12-02 10:00", "2026-12-05 10:00",
                                        "2026-12-06 10:00"]
    assert _dep(net, "T__peak-1", start, 6) == ["2026-12-03 10:00", "2026-12-04 10:00"]
    assert net.services["T__peak-1"].capacity_kg == 500 and net.services["T"].capacity_kg == 1000
    prices = {d: leg_price_at(net, net.services[sid], 100, 0.1,
                              to_seconds(datetime(2026, 12, d, 10, tzinfo=BRU))).eur
              for sid, d in (("T", 2), ("T__peak-1", 3), ("T__peak-1", 4), ("T", 5), ("T", 6))}
    assert prices == {2: 100, 3: 100, 4: 200, 5: 200, 6: 100}
    c = Consignment("A", "C", 100, 0.1, datetime(2026, 12, 3, 9, tzinfo=BRU))
    best = best_itineraries(net, c, SearchOptions(horizon_days=5)).itineraries[0]
    assert best.legs[0].service.id == "T__peak-1" and best.legs[0].depart.day == 3
    assert best.prices_valid_until == date(2026, 12, 3)  # the price rises on the 4th


def test_scenarios_apply_in_order(small):
    """A closure then an opening of part of it, in two files: the later one wins."""
    close = _scenario(small, """name = "close"
[[change]]
action = "close"
service = "T"
comment = "x"
source = "y"
""", "close.toml")
    reopen = _scenario(small, """name = "reopen"
[[change]]
action = "open"
service = "T"
from = 2026-12-02
to = 2026-12-02
comment = "x"
source = "y"
""", "reopen.toml")
    start = datetime(2026, 12, 1, tzinfo=BRU)
    assert _dep(apply_scenarios(small, [close, reopen]), "T", start, 4) == ["2026-12-02 10:00"]
    assert _dep(apply_scenarios(small, [reopen, close]), "T", start, 4) == []


def _runs(network) -> list[tuple]:
    """Every service as what runs, ids aside: its base service, the figures a dated change sets
    and the instants it is open (POSIX spans at its origin)."""
    from network.calendar import Schedule
    from network.model import zone

    return sorted((s.base_id, s.duration_h, s.capacity_kg, s.capacity_m3,
                   tuple(Schedule(s.calendar, zone(s.origin_tz), None).spans()))
                  for s in network.services.values())


# Three changes with the same service and window (applied as one), then one overlapping them.
_GROUPED = ('name = "peak"\n'
            + _dated_t("scale_capacity", "2026-12-03", "2026-12-04", "factor = 0.5")
            + _dated_t("scale_duration", "2026-12-03", "2026-12-04", "factor = 2")
            + _dated_t("add_duration", "2026-12-03", "2026-12-04", "hours = 3")
            + _dated_t("scale_capacity", "2026-12-04", "2026-12-06", "factor = 0.1"))


@pytest.mark.parametrize("shipped", [False, True])
def test_dated_changes_with_the_same_services_and_window_apply_as_one(small, default, shipped):
    """Dated capacity and duration changes with the same services and window (applied together)
    give the services they give one scenario at a time: a small case and Chinese New Year."""
    from dataclasses import replace

    if shipped:
        base = default
        scenario = load_scenarios([ROOT / "scenarios" / "chinese-new-year-2027.toml"], base)[0]
    else:
        base, scenario = small, _scenario(small, _GROUPED, "peak.toml")
    together = apply_scenario(base, scenario)
    one_by_one = apply_scenarios(base, [replace(scenario, changes=(change,), file=f"part-{n}.toml")
                                        for n, change in enumerate(scenario.changes)])
    assert _runs(together) == _runs(one_by_one)
    if not shipped:
        figures = {sid: (s.capacity_kg, s.duration_h) for sid, s in together.services.items()
                   if s.base_id == "T"}
        assert figures == {"T": (1000, 10), "T__peak-1": (500, 23),  # 10 h x 2 + 3 h on 3 December
                           "T__peak-1__peak-4": (50, 23), "T__peak-4": (100, 10)}

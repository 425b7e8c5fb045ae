"""Reliability in `route`, `compare`, `pareto` and `network validate` (issue 16): every output
gains the p50 and p90 arrivals, the on-time and missed-connection chances; --on-time,
--eur-per-day-late and --draws are checked at the boundary; unservable targets exit 1."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

import cli as cli_module
from cli import cli
from tests.builders import location, service, write_network

NETWORKS = Path(__file__).resolve().parent / "data" / "networks"
LANE = ["Namur", "Zhengzhou", "--weight", "800kg", "--volume", "3.5m3", "--ready", "2026-12-01T09:00"]
FIELDS = ("arrive_p50", "arrive_p90", "on_time_probability", "missed_connection_probability",
          "expected_days_late", "reliability")


def run(*args: str):
    result = CliRunner().invoke(cli, list(args), obj={})
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_compare_json_gives_every_itinerary_its_reliability_and_the_line():
    """Each mode's itinerary (the late sea one too, judged against --due) has the figures; the
    document says what was asked and gives the line a planner acts on."""
    doc = json.loads(run("compare", *LANE, "--due", "2026-12-31", "--format", "json").stdout)
    for it in doc["itineraries"]:
        assert all(f in it for f in FIELDS)
        assert 0 <= it["on_time_probability"] <= 1 and it["arrive_p90"] >= it["arrive_p50"]
        assert it["reliability"]["method"] == "monte_carlo" and it["reliability"]["draws"] == 10_000
    sea = next(m for m in doc["modes"] if m["mode"] == "sea")
    assert sea["reason"] == "due_date" and sea["earliest"]["on_time_probability"] == 0.0
    summary = doc["reliability"]["summary"]
    assert summary.startswith("On time by 31 Dec 2026: ") and "sea must leave Namur by" in summary
    assert doc["query"]["on_time"] is None and doc["reliability"]["network_has_delay_data"]


@pytest.fixture(scope="module")
def two_modes(tmp_path_factory) -> list[str]:
    """A weekly train (Monday 12:00, 100 h, EUR 100; half late, 48 h on average) and a daily
    flight (12:00, 12 h, EUR 1,000; punctual), each behind a 2 h truck from A to D; ready
    Sunday 3 January 2027 12:00. Due Friday 8 January at the end of the day the train is on time
    with 1 − 0.5 e^(−8/48) ≈ 58 %, the flight with about 100 %."""
    services = [service("T1", "A", "B", duration_h=2, eur_fixed=10),
                service("RAIL", "B", "D", days="Mon", departure="12:00", duration_h=100, mode="rail",
                        eur_fixed=100, distance_km=9000),
                service("T2", "A", "C", duration_h=2, eur_fixed=10),
                service("AIR", "C", "D", days="daily", departure="12:00", duration_h=12, mode="air",
                        eur_fixed=1000, distance_km=8000)]
    rules = [{"id": "RAIL", "mode": "rail", "form": "late_mean", "on_time_share": "0.5",
              "window_h": "0", "late_mean_h": "48"},
             {"id": "AIR", "mode": "air", "form": "quantiles", "p50_h": "0", "p90_h": "1"}]
    directory = write_network(tmp_path_factory.mktemp("modes"), [location(x) for x in "ABCD"],
                              services, reliability=rules)
    return ["--network", str(directory)]


TWO = ["A", "D", "--weight", "100kg", "--volume", "1m3", "--ready", "2027-01-03T12:00"]


def test_compare_on_time_turns_an_unpunctual_mode_into_a_gap(two_modes):
    """With --on-time 0.9 the train's row says it is on time with about 58 % and shows its
    itinerary; the line says the train must leave a week earlier (the truck on Monday 28 Dec)."""
    result = run(*two_modes, "compare", *TWO, "--due", "2027-01-08", "--on-time", "0.9",
                 "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    rail = next(m for m in doc["modes"] if m["mode"] == "rail")
    assert not rail["served"] and rail["reason"] == "on_time"
    assert rail["explanation"].startswith("on time: 5") and rail["explanation"].endswith("< 90 %")
    assert 0.54 < rail["most_punctual"]["on_time_probability"] < 0.62
    assert "rail must leave A by Mon 28 Dec 2026 10:00 +0100" in doc["reliability"]["summary"]
    assert doc["reliability"]["proven"] is True
    table = run(*two_modes, "compare", *TWO, "--due", "2027-01-08", "--on-time", "0.9").stdout
    assert "rail (< 90 %)" in table and "For 90 %: rail must leave A by" in table


def test_route_on_time_takes_the_punctual_itinerary_and_table_shows_it(two_modes):
    """Route under cost takes the train; on time with 90 % it takes the flight, and says so."""
    cheap = json.loads(run(*two_modes, "route", *TWO, "--due", "2027-01-08", "--format", "json").stdout)
    assert cheap["itineraries"][0]["main_mode"] == "rail"
    punctual = json.loads(run(*two_modes, "route", *TWO, "--due", "2027-01-08", "--on-time", "0.9",
                              "--format", "json").stdout)
    assert punctual["itineraries"][0]["main_mode"] == "air"
    assert punctual["itineraries"][0]["on_time_probability"] >= 0.9
    assert punctual["reliability"]["proven"] is True
    table = run(*two_modes, "route", *TWO, "--due", "2027-01-08", "--on-time", "0.9").stdout
    assert "arrives p50 " in table and " · on time " in table and "misses a connection" in table


def test_unreachable_target_exits_1_with_the_best_probability(two_modes):
    """Due ten minutes after the flight lands, nothing is on time with 90 %: exit 1 naming the
    best chance (the flight's, about 57 %) and its services."""
    result = run(*two_modes, "route", *TWO, "--due", "2027-01-05T00:10", "--on-time", "0.9")
    assert result.exit_code == 1
    assert "with probability ≥ 90 %; the best reachable is 5" in result.output
    assert "(T2 > AIR)" in result.output
    assert run(*two_modes, "compare", *TWO, "--due", "2027-01-05T00:10", "--on-time", "0.9").exit_code == 1


def test_lateness_priced_into_balanced_changes_the_route(two_modes):
    """Balanced keeps the train; EUR 5,000 per expected day late (the train's is about 0.85 day)
    makes the flight's EUR 900 premium worth it."""
    args = [*two_modes, "route", *TWO, "--due", "2027-01-08", "--objective", "balanced",
            "--eur-per-tco2", "0", "--format", "json"]
    plain = json.loads(run(*args).stdout)
    priced = json.loads(run(*args, "--eur-per-day-late", "5000").stdout)
    assert plain["itineraries"][0]["main_mode"] == "rail"
    assert plain["itineraries"][0]["expected_days_late"] == pytest.approx(0.85, abs=0.05)
    assert priced["itineraries"][0]["main_mode"] == "air"
    assert priced["query"]["eur_per_day_late"] == 5000


@pytest.mark.parametrize(("args", "text"), [
    (["route", *LANE, "--on-time", "0.9"], "--on-time needs --due"),
    (["route", *LANE, "--due", "2026-12-31", "--eur-per-day-late", "10"], "add --objective balanced"),
    (["pareto", *LANE, "--due", "2026-12-31", "--objective", "balanced", "--eur-per-day-late", "10"],
     "pareto ranks by no objective"),
    (["route", *LANE, "--due", "2026-12-31", "--on-time", "1.5"], "greater than 0 and at most 1"),
    (["route", *LANE, "--due", "2026-12-31", "--on-time", "0"], "greater than 0 and at most 1"),
    (["route", *LANE, "--draws", "10"], "--draws"),
    (["route", *LANE, "--due", "2026-12-31", "--eur-per-day-late", "inf"], "not a finite number"),
])
def test_bad_reliability_options_exit_2_in_one_line(args, text):
    """Options that cannot mean anything are refused before any work, in one line, exit 2."""
    with CliRunner().isolation() as (out, err, _):
        code = cli_module.run(list(args))
    lines = [line for line in err.getvalue().decode("utf-8").splitlines() if line.strip()]
    assert code == 2 and out.getvalue() == b""
    assert len(lines) == 1 and lines[0].startswith("error: ") and text in lines[0], lines


def test_csv_appends_the_reliability_columns():
    """The CSV keeps its columns and appends the reliability ones, filled on every leg row."""
    text = run("route", *LANE, "--due", "2026-12-31", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    header = text.splitlines()[0].split(",")
    assert header[:10] == ["rank", "main_mode", "status", "itinerary_cost_eur", "itinerary_transit_h",
                           "itinerary_transit_days", "itinerary_co2e_kg", "itinerary_depart",
                           "itinerary_arrive", "meets_due"]
    assert header[-8:] == ["arrive_p50", "arrive_p90", "on_time_probability",
                           "missed_connection_probability", "expected_days_late", "on_time_target",
                           "eur_per_day_late", "reliability_summary"]
    assert all(float(r["on_time_probability"]) > 0.5 for r in rows)


def test_pareto_on_time_keeps_the_punctual_part_of_the_front(two_modes):
    """pareto --on-time lists only front itineraries meeting the target, and says how many left."""
    everything = json.loads(run(*two_modes, "pareto", *TWO, "--due", "2027-01-08", "--format",
                                "json").stdout)
    kept = json.loads(run(*two_modes, "pareto", *TWO, "--due", "2027-01-08", "--on-time", "0.9",
                          "--format", "json").stdout)
    assert {it["main_mode"] for it in everything["itineraries"]} == {"rail", "air"}
    assert [it["main_mode"] for it in kept["itineraries"]] == ["air"]
    assert any("1 of the 2 non-dominated itineraries" in note for note in kept["notes"])


def test_workbook_and_map_show_the_figures(tmp_path):
    """The workbook's itineraries sheet and the map's cards and popups carry the figures."""
    book = tmp_path / "c.xlsx"
    html = tmp_path / "c.html"
    result = run("compare", *LANE, "--due", "2026-12-31", "--out", str(book), "--map", str(html))
    assert result.exit_code == 0, result.output
    sheet = load_workbook(book)["itineraries"]
    header = [c.value for c in sheet[1]]
    start = header.index("on-time probability")
    assert header[start:start + 5] == ["on-time probability", "arrives p50 (local time)",
                                       "arrives p90 (local time)", "missed connection probability",
                                       "expected days late"]
    assert 0 < sheet.cell(2, header.index("on-time probability") + 1).value <= 1
    page = html.read_text(encoding="utf-8")
    assert "sr-reliability" in page and "misses a connection" in page and "on time" in page


def test_same_request_same_figures():
    """Determinism: two runs give the same JSON figures."""
    first = json.loads(run("compare", *LANE, "--due", "2026-12-31", "--format", "json").stdout)
    again = json.loads(run("compare", *LANE, "--due", "2026-12-31", "--format", "json").stdout)
    assert [it["on_time_probability"] for it in first["itineraries"]] == [
        it["on_time_probability"] for it in again["itineraries"]]
    assert first["reliability"]["summary"] == again["reliability"]["summary"]


def test_validate_counts_reliability_rows_and_refuses_a_broken_file():
    """`network validate` counts the rows; a broken reliability.csv is exit 2, located."""
    assert "3 reliability rows" in run("network", "validate", str(NETWORKS / "valid_reliability")).output
    bad = run("network", "validate", str(NETWORKS / "reliability_many_errors"))
    assert bad.exit_code == 2
    assert bad.output.splitlines()[0].startswith("error: reliability.csv:2:7 (form)")

"""The CLI through click's test runner: outputs, exit codes, one-line errors, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli

NETWORKS = Path(__file__).resolve().parent / "data" / "networks"
LANE = ["Namur", "Zhengzhou", "--weight", "800kg", "--volume", "3.5m3",
        "--ready", "2026-12-01T09:00"]


def run(*args: str):
    result = CliRunner().invoke(cli, list(args), obj={})
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_help_shows_examples():
    """--help lists the commands and shows example invocations."""
    result = run("--help")
    assert result.exit_code == 0
    assert "compare Namur Zhengzhou" in result.output
    for command in ("route", "compare", "pareto", "network"):
        assert command in result.output


def test_version():
    """--version prints the version."""
    assert "0.1.0" in run("--version").output


def test_network_show_table_json_and_csv():
    """`network show` renders all three formats of the default network."""
    assert "RAIL-ZIH-LGG-ZZ" in run("network", "show").output
    doc = json.loads(run("network", "show", "--format", "json").output)
    assert len(doc["locations"]) >= 30
    csv_text = run("network", "show", "--format", "csv", "--what", "services").output
    assert csv_text.splitlines()[0].startswith("id,from,to,mode")


def test_network_show_csv_needs_one_table():
    """CSV of both tables at once is a usage error (exit 2)."""
    assert run("network", "show", "--format", "csv").exit_code == 2


def test_validate_good_and_broken_networks():
    """`network validate` exits 0 with a summary, or 2 listing every located problem."""
    ok = run("network", "validate", str(NETWORKS / "valid"))
    assert ok.exit_code == 0
    assert "valid" in ok.output
    bad = run("network", "validate", str(NETWORKS / "many_errors"))
    assert bad.exit_code == 2
    lines = [line for line in bad.output.splitlines() if line.startswith("error:")]
    assert len(lines) == 3
    assert lines[0].startswith("error: services.csv:2:4 (mode)")


def test_global_network_option_uses_another_network():
    """--network DIR replaces the default network."""
    result = run("--network", str(NETWORKS / "valid"), "network", "show", "--what", "services")
    assert "TRAIN" in result.output
    assert "RAIL-ZIH" not in result.output


def test_departures_lists_local_times():
    """`network departures` lists the ZIH train's departures in Liège and arrivals in Zhengzhou."""
    result = run("network", "departures", "RAIL-ZIH-LGG-ZZ", "--from", "2026-12-01", "--days", "7",
                 "--format", "json")
    rows = json.loads(result.stdout)
    assert len(rows) == 2  # Tuesdays and Fridays (2 a week, network/data/SOURCES.md)
    assert rows[0]["departure"].endswith("+01:00")
    assert rows[0]["arrival"].endswith("+08:00")


def test_departures_of_unknown_service_suggests():
    """An unknown service id is exit 2 with a suggestion."""
    result = run("network", "departures", "RAIL-ZIH-LGG-Z", "--from", "2026-12-01")
    assert result.exit_code == 2
    assert "did you mean RAIL-ZIH-LGG-ZZ" in result.output


def test_route_json_schema():
    """`route --format json` follows the documented schema."""
    doc = json.loads(run("route", *LANE, "--alternatives", "2", "--format", "json").stdout)
    assert doc["schema"] == "silkroute.itineraries/1"
    assert doc["consignment"]["origin"] == "BE-NAMUR"
    assert len(doc["itineraries"]) == 3
    best = doc["itineraries"][0]
    for key in ("cost_eur", "transit_h", "co2e_kg", "depart", "arrive", "main_mode", "legs"):
        assert key in best
    for key in ("service", "from", "to", "mode", "depart", "arrive", "chargeable_kg", "cost_eur",
                "co2e_kg"):
        assert key in best["legs"][0]
    assert best["depart"][-6:] in ("+01:00", "+02:00")
    total = sum(leg["cost_eur"] for leg in best["legs"]) + sum(h["cost_eur"] for h in best["handling"])
    assert total == pytest.approx(best["cost_eur"], abs=0.05)


def test_a_wait_for_a_cheaper_price_is_said_and_in_the_json():
    """A `cost` answer that waits weeks at a port for next month's exchange rate says so on
    stderr (how long, where, what it saves) and lists the wait in the JSON."""
    lane = [*LANE[:-1], "2025-09-10T09:00"]
    result = run("route", *lane, "--format", "json")
    waits = json.loads(result.stdout)["itineraries"][0]["price_waits"]
    assert [w["service"] for w in waits] == ["ROAD-CN-SHAPORT-ZHENGZHOU"] and waits[0]["days"] > 20
    assert ("note: price wait: #1 (sea) waits " in result.stderr
            and "at CN-SHA-PORT for ROAD-CN-SHAPORT-ZHENGZHOU's price of 2025-12-01" in result.stderr)
    assert json.loads(run("route", *LANE, "--format", "json").stdout)["itineraries"][0]["price_waits"] == []


def test_a_plan_says_which_assignments_wait_for_a_cheaper_price(tmp_path):
    """The same consignment planned: the note counts it and plan.json lists its wait."""
    csv_path = tmp_path / "c.csv"
    csv_path.write_text("id,origin,destination,weight_kg,volume_m3,ready\n"
                        "a,Namur,Zhengzhou,800,3.5,2025-09-10T09:00\n", encoding="utf-8")
    result = run("plan", str(csv_path), "--out", str(tmp_path / "out"), "--format", "json",
                 "--solver", "greedy")
    doc = json.loads(result.stdout)
    waits = doc["assignments"][0]["price_waits"]
    assert [w["service"] for w in waits] == ["ROAD-CN-SHAPORT-ZHENGZHOU"], doc["assignments"][0]["legs"]
    assert any(n.startswith("price wait: 1 of 1 assignments wait at a hub for a cheaper price")
               for n in doc["notes"])


def test_route_table_and_csv():
    """The table names every leg; the CSV has one row per leg."""
    table = run("route", *LANE).output
    assert "SEA-ANR-SHA" in table  # sea is the cheapest for 800 kg to Zhengzhou
    rows = run("route", *LANE, "--format", "csv").stdout.strip().splitlines()
    assert rows[0].startswith("rank,main_mode")
    assert len(rows) == 4


def test_compare_shows_modes_and_break_even():
    """`compare` shows rail, air and sea and the break-even figures."""
    result = run("compare", *LANE)
    assert result.exit_code == 0
    for mode in ("air", "rail", "sea"):
        assert mode in result.output
    assert "Rail is cheaper than air above" in result.output
    doc = json.loads(run("compare", *LANE, "--format", "json").stdout)
    assert doc["break_even"]["value_of_time_eur_per_day"] > 0


def test_pareto_lists_non_dominated_itineraries():
    """`pareto` returns at least the rail and the air itinerary."""
    doc = json.loads(run("pareto", *LANE, "--format", "json").stdout)
    assert {it["main_mode"] for it in doc["itineraries"]} >= {"rail", "air"}


def test_world_city_route():
    """A world city off the network (Herstal) is joined by road."""
    doc = json.loads(run("route", "Herstal", "Suzhou", "--weight", "300kg", "--volume", "1.5m3",
                         "--ready", "2026-12-01T09:00", "--format", "json").stdout)
    assert doc["itineraries"][0]["legs"][0]["from"].startswith("GEO-")


@pytest.mark.parametrize(("args", "message"), [
    (["Nammur", "Zhengzhou", "--weight", "800kg", "--volume", "3.5m3"], "did you mean 'Namur'"),
    (["Namur", "Zhengzhou", "--weight", "-800kg", "--volume", "3.5m3"], "weight"),
    (["Namur", "Zhengzhou", "--weight", "800lb", "--volume", "3.5m3"], "cannot read '800lb'"),
    (["Namur", "Zhengzhou", "--weight", "800kg", "--volume", "3.5m3", "--goods", "gold"],
     "unknown goods class 'gold'"),
    (["Namur", "Zhengzhou", "--weight", "800kg", "--volume", "3.5m3",
      "--ready", "2026-12-10", "--due", "2026-12-01"], "is not after ready"),
    (["Namur", "Zhengzhou", "--weight", "800kg", "--volume", "3.5m3", "--ready", "soon"],
     "ISO 8601"),
])
def test_bad_input_exits_2_with_one_line(args, message):
    """Bad input is exit 2 with one line on stderr that says what is wrong."""
    result = run("route", *args)
    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_impossible_due_date_exits_1_with_earliest_arrival():
    """A due date nothing meets is exit 1, giving the earliest possible arrival and how."""
    result = run("route", *LANE, "--due", "2026-12-03T12:00")
    assert result.exit_code == 1
    assert "earliest possible arrival" in result.output
    assert "AIR-" in result.output


def test_broken_network_option_exits_2():
    """A broken --network is exit 2 with located problems."""
    result = run("--network", str(NETWORKS / "unknown_mode"), "route", *LANE)
    assert result.exit_code == 2
    assert "services.csv:2:4 (mode)" in result.output


def test_compare_map_is_written_and_inputs_are_protected(tmp_path):
    """--map writes a complete HTML map; naming an input file is refused with exit 2."""
    target = tmp_path / "compare.html"
    result = run("compare", *LANE, "--map", str(target))
    assert result.exit_code == 0
    html = target.read_text(encoding="utf-8")
    assert html.rstrip().endswith("</html>")
    assert "Rail via RAIL-ZIH-LGG-ZZ" in html
    services = str(NETWORKS / "valid" / "services.csv")
    before = Path(services).read_bytes()
    refused = run("--network", str(NETWORKS / "valid"), "route", "Liège", "Zhengzhou",
                  "--weight", "800kg", "--volume", "3.5m3", "--ready", "2026-12-01T09:00",
                  "--map", services)
    assert refused.exit_code == 2
    assert "input of this run" in refused.output
    assert Path(services).read_bytes() == before


def test_plan_writes_outputs_and_map(tmp_path):
    """`plan` on the shipped sample writes its three files and a map that lists the unassigned."""
    sample = Path(__file__).resolve().parents[1] / "examples" / "consignments.csv"
    result = run("plan", str(sample), "--out", str(tmp_path / "out"), "--quiet",
                 "--map", str(tmp_path / "plan.html"))
    assert result.exit_code == 0, result.output
    for name in ("assignments.csv", "departures.csv", "plan.json"):
        assert (tmp_path / "out" / name).is_file()
    doc = json.loads((tmp_path / "out" / "plan.json").read_text(encoding="utf-8"))
    html = (tmp_path / "plan.html").read_text(encoding="utf-8")
    for row in doc["unassigned"]:
        assert row["consignment"] in html


@pytest.mark.parametrize(("service", "start"), [
    ("SEA-ANR-SHA", "2027-02-10"),  # sails in winter time, arrives after Europe's change to summer time
    ("SEA-ANR-SHA", "2027-03-20"),  # the cut-off in winter time, the sailing in summer time
    ("RAIL-ZIH-LGG-ZZ", "2027-03-08"),
    ("RAIL-ZIH-LGG-ZZ", "2027-10-20"),  # back to winter time
])
def test_departures_listed_across_a_change_of_summer_time_are_in_absolute_time(service, start):
    """Arrival = departure + duration and cut-off = departure - cutoff_h as elapsed time, as the
    engine counts them, not as clock readings in the origin's zone (which were an hour off)."""
    from datetime import datetime

    from network import load_network

    row = load_network().services[service]
    result = run("network", "departures", service, "--from", start, "--days", "30", "--format", "json")
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    assert listed
    for r in listed:
        depart, arrive, cutoff = (datetime.fromisoformat(r[k]) for k in ("departure", "arrival", "cutoff"))
        assert (arrive - depart).total_seconds() == row.duration_h * 3600.0, r
        assert (depart - cutoff).total_seconds() == row.cutoff_h * 3600.0, r


def test_a_mode_that_misses_the_due_date_says_so_in_every_output():
    """`compare`'s row for a late mode: its earliest itinerary is late in the JSON (`meets_due`
    false, not unknown) and in the CSV, whose row has its total in the display currency too."""
    import csv
    import io

    args = ["compare", "Bruxelles", "Xian", "--weight", "150kg", "--ready", "2027-02-08T09:00",
            "--due", "2027-02-20", "--currency", "CNY"]
    doc = json.loads(run(*args, "--format", "json").stdout)
    late = [m for m in doc["modes"] if not m["served"]]
    assert late and all(m["earliest"]["meets_due"] is False for m in late), late
    rows = list(csv.DictReader(io.StringIO(run(*args, "--format", "csv").stdout)))
    gaps = [r for r in rows if r["status"].startswith("meets due: no")]
    assert {r["main_mode"] for r in gaps} == {m["mode"] for m in late}
    for r in gaps:
        earliest = next(m["earliest"] for m in late if m["mode"] == r["main_mode"])
        assert r["meets_due"] == "no" and r["currency"] == "CNY"
        assert float(r["itinerary_cost"]) == earliest["cost"]

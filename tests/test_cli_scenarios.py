"""The command line of issue 14: --scenario and --currency, dated prices in every output,
`scenarios validate` and `scenarios compare`, `network resilience`, `plan --scenario`."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli

ROOT = Path(__file__).resolve().parents[1]
NETWORKS = ROOT / "tests" / "data" / "networks"
CLOSED = str(ROOT / "scenarios" / "pl-by-border-closed.toml")
SUEZ = str(ROOT / "scenarios" / "suez-reopening.toml")
FUEL = str(ROOT / "scenarios" / "fuel-surcharge-2026.toml")
CNY = str(ROOT / "scenarios" / "chinese-new-year-2027.toml")
LANE = ["Namur", "Zhengzhou", "--weight", "800kg", "--volume", "3.5m3", "--ready", "2026-12-01T09:00"]


def run(*args: str):
    result = CliRunner().invoke(cli, list(args), obj={})
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_route_json_adds_dated_money_fields_and_keeps_the_old_ones():
    """Schema 1 only gains fields: scenarios, currency, per itinerary fx / validity / estimates,
    per leg the tariff currency, rate, freight, surcharges and the converted cost."""
    doc = json.loads(run("route", *LANE, "--scenario", FUEL, "--currency", "USD", "--format", "json").stdout)
    assert doc["schema"] == "silkroute.itineraries/1"
    assert doc["scenarios"] == [{"name": "Fuel surcharges up from March 2026", "file": FUEL, "changes": 3}]
    assert doc["currency"]["code"] == "USD" and doc["currency"]["per_eur"] == 1.1202
    assert doc["currency"]["rate_date"] == "2026-10-01"
    it = doc["itineraries"][0]
    for key in ("cost_eur", "transit_h", "co2e_kg", "depart", "arrive", "main_mode", "legs", "handling",
                "cost", "currency", "fx", "prices_valid_until", "estimated_legs"):
        assert key in it
    assert it["cost"] == pytest.approx(it["cost_eur"] * 1.1202, abs=0.02)
    assert it["estimated_legs"] == [1, 2, 3]  # every row of the default network is an estimate
    leg = it["legs"][0]
    for key in ("service", "cost_eur", "co2e_kg", "currency", "fx_per_eur", "freight_eur", "surcharges",
                "price_estimate", "rate_valid_until", "price_date", "cost"):
        assert key in leg
    assert any(s["id"] in ("FUEL-ROAD-2026", "BAF-SEA-2026") for x in it["legs"] for s in x["surcharges"])


def test_route_table_names_scenarios_validity_and_currency():
    """The table header names the scenarios; each itinerary says until when its prices hold,
    which rates it used and which legs are estimates; amounts in the chosen currency."""
    out = run("route", *LANE, "--scenario", FUEL, "--currency", "CNY").output
    assert "scenario Fuel surcharges up from March 2026" in out
    assert "prices open-ended" in out and "estimated prices: all legs" in out
    assert "CNY " in out and "Amounts in CNY at 7.4883 per EUR" in out


def test_csv_appends_columns():
    """The legs CSV keeps its columns in order and appends the new ones."""
    text = run("compare", *LANE, "--format", "csv", "--currency", "USD").stdout
    header = next(csv.reader(io.StringIO(text)))
    assert header[:10] == ["rank", "main_mode", "status", "itinerary_cost_eur", "itinerary_transit_h",
                           "itinerary_transit_days", "itinerary_co2e_kg", "itinerary_depart",
                           "itinerary_arrive", "meets_due"]
    # Appended in order: the dated-price columns (issue 14), the emissions split and evidence
    # columns (issue 15), compare's break-even columns, then the reliability ones (issue 16).
    start = header.index("currency")
    assert header[start:start + 9] == ["currency", "cost", "itinerary_cost", "tariff_currency",
                                       "fx_per_eur", "surcharges_eur", "price_estimate",
                                       "prices_valid_until", "scenarios"]
    assert header[start + 9:start + 17] == ["itinerary_co2e_ttw_kg", "itinerary_co2e_wtt_kg",
                                            "itinerary_co2e_hub_kg", "co2e_ttw_kg", "co2e_wtt_kg",
                                            "handling_before_co2e_kg", "evidence_warning", "evidence_old"]
    assert header[start + 17:start + 21] == ["break_even_weight_kg", "break_even_eur_per_day",
                                             "break_even_goods_value_eur", "break_even_notes"]


def test_compare_under_a_closed_border_loses_rail():
    """`compare --scenario` runs on the changed network and says so."""
    out = run("compare", *LANE, "--scenario", CLOSED).output
    assert "scenario Poland-Belarus border closed (again)" in out
    assert "RAIL-ZIH" not in out and "AIR-" in out and "SEA-" in out


def test_scenarios_in_order_and_suez_in_pareto():
    """Two --scenario files apply in order; pareto sees the Suez loop."""
    doc = json.loads(run("pareto", *LANE, "--scenario", CLOSED, "--scenario", SUEZ, "--format",
                         "json").stdout)
    assert [s["name"] for s in doc["scenarios"]] == ["Poland-Belarus border closed (again)",
                                                     "Suez route reopened"]
    services = {leg["service"] for it in doc["itineraries"] for leg in it["legs"]}
    assert "SEA-ANR-SHA-SUEZ" in services and "RAIL-ZIH-LGG-ZZ" not in services


def test_network_show_and_departures_under_a_scenario():
    """`network show` lists the scenario's edits; `network departures` shows none while closed
    and the open periods of an on-demand service."""
    doc = json.loads(run("network", "show", "--scenario", CLOSED, "--format", "json", "--what",
                         "services").output)
    train = next(s for s in doc["services"] if s["id"] == "RAIL-ZIH-LGG-ZZ")
    assert train["scenario_edits"] == "close open..open" and train["corridors"] == "KZ-CN-border PL-BY-border"
    assert doc["scenarios"][0]["file"] == CLOSED
    assert "Scenarios applied: Poland-Belarus border closed (again)" in run("network", "show", "--scenario",
                                                                            CLOSED).output
    closed = run("network", "departures", "RAIL-ZIH-LGG-ZZ", "--from", "2026-12-01", "--scenario",
                 CLOSED).output.strip().splitlines()
    assert closed == [f"Scenarios applied: Poland-Belarus border closed (again) ({CLOSED}).", "no departures"]
    fuel = str(ROOT / "scenarios" / "fuel-surcharge-2026.toml")  # changes prices, not departures
    listed = run("network", "departures", "RAIL-ZIH-LGG-ZZ", "--from", "2026-12-01", "--days", "4",
                 "--scenario", fuel, "--format", "csv").output.splitlines()
    assert listed[0] == "service,cutoff,departure,arrival,scenarios"
    assert len(listed) == 3, listed
    assert all(r.endswith(",Fuel surcharges up from March 2026") for r in listed[1:]), listed
    # The road runs itself until 28 Jan; slower variants take 29 Jan-4 Feb and 14-28 Feb; closed
    # in the holiday; its own again from 1 March.
    rows = json.loads(run("network", "departures", "ROAD-CN-ZZCC-ZHENGZHOU", "--from", "2027-01-20",
                          "--days", "45", "--scenario", CNY, "--format", "json").output)
    assert [(r["from"][:10], r["to"][:10]) for r in rows] == [("2027-01-20", "2027-01-29"),
                                                               ("2027-03-01", "2027-03-06")]


def test_scenario_problems_are_listed_all_at_once(tmp_path):
    """A broken scenario: every problem on its own line as file: key path: message, exit 2."""
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\n[[change]]\naction = "close"\ncorridor = "PL-BY"\n'
                   '[[change]]\naction = "scale_capacity"\nservice = "NOPE"\nfactor = -1\ncomment = "c"\n'
                   'source = "s"\n', encoding="utf-8")
    for args in (("scenarios", "validate", str(bad)), ("route", *LANE, "--scenario", str(bad))):
        result = run(*args)
        assert result.exit_code == 2
        lines = [line for line in result.output.splitlines() if line.startswith("error:")]
        assert f"error: {bad}: change[1].comment: is required" in lines
        assert any(line.startswith(f"error: {bad}: change[1].corridor: unknown corridor 'PL-BY'")
                   for line in lines)
        assert any(line.startswith(f"error: {bad}: change[2].service: unknown service 'NOPE'")
                   for line in lines)
        assert any(line.startswith(f"error: {bad}: change[2].factor: -1 is outside") for line in lines)
    missing = run("route", *LANE, "--scenario", str(tmp_path / "nope.toml"))
    assert missing.exit_code == 2 and "cannot read" in missing.output


def test_scenarios_validate_summarises_each_file():
    """Valid files: one line each, with what they change."""
    result = run("scenarios", "validate", CLOSED, CNY)
    assert result.exit_code == 0
    assert "valid — 'Poland-Belarus border closed (again)': 1 change, 1 service changed" in result.output
    assert "dated variants" in result.output


def test_scenarios_compare_table_json_csv_and_map(tmp_path):
    """Base and four scenario columns side by side, with the change against the base; a map
    with each column's itineraries and the closed services greyed."""
    args = ["scenarios", "compare", *LANE, "--scenario", CLOSED, "--scenario", SUEZ, "--scenario", FUEL,
            "--scenario", CNY]
    table = run(*args).output
    assert "base" in table and "Suez route reopened" in table and "lost" in table
    doc = json.loads(run(*args, "--format", "json").output)
    assert doc["schema"] == "silkroute.scenarios-compare/1"
    labels = [c["label"] for c in doc["columns"]]
    assert labels == ["base", "Poland-Belarus border closed (again)", "Suez route reopened",
                      "Fuel surcharges up from March 2026", "Chinese New Year 2027"]
    closed = doc["columns"][1]
    assert "rail" not in closed["by_mode"] and closed["change"]["rail"]["was_served"]
    assert closed["closed_services"] == ["RAIL-ZIH-LGG-ZZ"]
    suez = doc["columns"][2]
    assert suez["change"]["sea"]["transit_h"] < 0 and suez["change"]["sea"]["cost_eur"] < 0
    fuel = doc["columns"][3]
    assert fuel["change"]["air"]["cost_eur"] > 0
    rows = list(csv.DictReader(io.StringIO(run(*args, "--format", "csv").output)))
    assert {r["scenario"] for r in rows} == set(labels)
    page = tmp_path / "whatif.html"
    assert run(*args[:-4], "--map", str(page)).exit_code == 0
    html = page.read_text(encoding="utf-8")
    assert "Closed under Poland-Belarus border closed (again)" in html and "sr-closed" in html


def test_scenarios_compare_combines_files_in_one_column():
    """`--scenario a.toml,b.toml` is one column with both applied, in order."""
    doc = json.loads(run("scenarios", "compare", *LANE, "--scenario", f"{CLOSED},{SUEZ}", "--format",
                         "json").output)
    assert doc["columns"][1]["label"] == "Poland-Belarus border closed (again) + Suez route reopened"
    assert set(doc["columns"][1]["by_mode"]) == {"air", "sea"}


def test_scenarios_compare_plans_a_consignments_csv(tmp_path):
    """With --consignments, each column is a plan of the whole file (the public planner)."""
    consignments = tmp_path / "few.csv"
    consignments.write_text("id,origin,destination,weight_kg,volume_m3,ready\n"
                            "c1,Namur,Zhengzhou,800,3.5,2026-12-01T09:00\n"
                            "c2,Liège,Hangzhou,300,1.2,2026-12-02T09:00\n", encoding="utf-8")
    doc = json.loads(run("scenarios", "compare", "--consignments", str(consignments), "--scenario", CLOSED,
                         "--solver", "greedy", "--time-limit", "5", "--format", "json").output)
    base, closed = doc["columns"]
    assert base["served"] == closed["served"] == 2
    assert "rail" not in closed["served_by_mode"]
    assert closed["change_served"] == 0


def test_scenarios_compare_usage_errors():
    """One consignment or a CSV, not both; weight and volume with one consignment, and none of
    one consignment's options with a CSV (once --weight was silently ignored there)."""
    assert run("scenarios", "compare", "Namur", "Zhengzhou", "--scenario", CLOSED).exit_code == 2
    assert run("scenarios", "compare", "--scenario", CLOSED).exit_code == 2
    ignored = run("scenarios", "compare", "--consignments", str(ROOT / "examples" / "consignments.csv"),
                  "--scenario", CLOSED, "--weight", "5kg", "--due", "2026-12-20")
    assert ignored.exit_code == 2 and "--weight, --due describe one consignment" in ignored.output


def test_currency_and_dates_before_the_first_rate_are_usage_errors(tmp_path):
    """A display currency, or a USD-priced network, with a ready date before fx.csv's first rate
    is refused with the currency and the dates named (exit 2)."""
    result = run("route", "Namur", "Zhengzhou", "--weight", "800kg", "--volume", "3.5m3", "--ready",
                 "2022-06-01T09:00", "--currency", "USD")
    assert result.exit_code == 2
    assert "no USD exchange rate on or before 2022-06-01 (fx.csv starts USD on 2023-01-01)" in result.output
    dated = run("--network", str(NETWORKS / "valid_dated"), "route", "ORIG", "DEST", "--weight", "500kg",
                "--volume", "2m3", "--ready", "2022-11-01T09:00")
    assert dated.exit_code == 2 and "no USD exchange rate on or before" in dated.output


def test_a_map_may_not_overwrite_a_scenario_file(tmp_path):
    """Scenario files are inputs of the run: --map refuses them before any work."""
    own = tmp_path / "own.toml"
    own.write_text(Path(CLOSED).read_text(encoding="utf-8"), encoding="utf-8")
    result = run("route", *LANE, "--scenario", str(own), "--map", str(own))
    assert result.exit_code == 2 and "input" in result.output
    assert own.read_text(encoding="utf-8") == Path(CLOSED).read_text(encoding="utf-8")


def test_network_resilience_table_and_json():
    """The rail options hang on one service and one terminal; the PL-BY and KZ-CN borders and
    both rail terminals are single points of failure; closing one leaves air and sea."""
    doc = json.loads(run("network", "resilience", "--ready", "2026-12-01T09:00", "--format", "json").output)
    cuts = {c["mode"]: c for c in doc["cuts"]}
    assert cuts["rail"]["min_edge_cut"] == ["RAIL-ZIH-LGG-ZZ"] and len(cuts["rail"]["min_node_cut"]) == 1
    assert cuts["air"]["min_node_cut"] == ["LGG"] and cuts["sea"]["min_node_cut"] == ["BE-ANR-PORT"]
    shares = {c["tag"]: c for c in doc["corridors"]}
    assert shares["PL-BY-border"]["share_by_mode"]["rail"] == 1.0
    assert shares["PL-BY-border"]["share_by_mode"]["air"] == 0.0
    rail_points = {p["closed"] for p in doc["single_points"] if p["removes_mode"] == "rail"}
    assert rail_points == {"PL-BY-border", "KZ-CN-border", "BE-LGG-RAIL-BIERSET", "CN-ZZ-CONTAINER"}
    border = next(p for p in doc["single_points"] if p["closed"] == "PL-BY-border")
    assert set(border["remaining_by_mode"]) == {"air", "sea"} and border["base"]["main_mode"] == "rail"
    table = run("network", "resilience", "--ready", "2026-12-01T09:00").output
    assert "Single points of failure" in table and "PL-BY-border" in table


@pytest.mark.parametrize(("args", "ids"), [
    (["--from", "Luik", "--to", "郑州"], (["BE-LIEGE"], ["CN-ZHENGZHOU"])),
    (["--from", "4000", "--to", "Zheng zhou"], (["BE-LIEGE"], ["CN-ZHENGZHOU"])),
])
def test_network_resilience_reads_places_as_route_does(args, ids):
    """--from and --to take the names, postcodes and spellings `route` takes (once only the
    network's own ids and names)."""
    doc = json.loads(run("network", "resilience", *args, "--ready", "2026-12-01T09:00",
                         "--format", "json").output)
    assert (doc["origins"], doc["destinations"]) == ids


def test_plan_under_a_scenario(tmp_path):
    """`plan --scenario` plans on the changed network and names the scenario."""
    consignments = tmp_path / "few.csv"
    consignments.write_text("id,origin,destination,weight_kg,volume_m3,ready\n"
                            "c1,Namur,Zhengzhou,800,3.5,2026-12-01T09:00\n", encoding="utf-8")
    result = run("plan", str(consignments), "--out", str(tmp_path / "out"), "--solver", "greedy",
                 "--time-limit", "5", "--scenario", CLOSED, "--quiet")
    assert result.exit_code == 0, result.output
    assert "scenarios applied: Poland-Belarus border closed (again)" in result.output
    assert "RAIL-ZIH" not in (tmp_path / "out" / "assignments.csv").read_text(encoding="utf-8")
    # Every output names it: plan.json's summary and each CSV's `scenarios` column.
    summary = json.loads((tmp_path / "out" / "plan.json").read_text(encoding="utf-8"))["summary"]
    assert [s["name"] for s in summary["scenarios"]] == ["Poland-Belarus border closed (again)"]
    for name in ("assignments.csv", "departures.csv"):
        with (tmp_path / "out" / name).open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert rows and {r["scenarios"] for r in rows} == {"Poland-Belarus border closed (again)"}, name


@pytest.mark.parametrize("command", [["route", *LANE], ["network", "show"]])
def test_a_scenario_given_twice_is_refused(command):
    """The same file twice would apply its changes twice (road times x4 under Chinese New
    Year): exit 2, one line naming it, before any work."""
    result = run(*command, "--scenario", CNY, "--scenario", str(Path(CNY).parent / ".." / "scenarios"
                                                                / Path(CNY).name))
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: --scenario {str(Path(CNY).parent / '..' / 'scenarios' / Path(CNY).name)!r} is given "
        "twice: a scenario applies once (write a change twice in one file to apply it twice)"]


def test_scenarios_compare_served_in_no_column_exits_1_and_says_why():
    """A valid query that no column can serve (due the next day) is exit 1 with the base
    network's earliest arrival, as `compare` says it (once exit 0 with a table of nothing)."""
    result = run("scenarios", "compare", *LANE, "--due", "2026-12-02", "--scenario", CLOSED)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("cannot serve: no column serves it; on the base network, no itinerary "
                                    "arrives by 2026-12-02T23:59:59+08:00; the earliest possible arrival")


@pytest.mark.parametrize("extra", [[], ["--due", "2027-02-20", "--on-time", "0.5"]])
def test_alternatives_under_a_dated_scenario_are_distinct_routes(extra):
    """A scenario's dated variant runs its service's route in a window: the route taken by the
    variant and by the service itself is one alternative, not two (as a week later is not),
    in the engine's alternatives and in the on-time search's."""
    result = run("route", "Liège", "Hangzhou", "--weight", "1.2t", "--volume", "6m3", "--ready",
                 "2027-02-03T09:00", "--alternatives", "3", "--scenario", CNY, "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    itineraries = json.loads(result.stdout)["itineraries"]
    routes = [tuple(leg["service"].split("__")[0] for leg in it["legs"]) for it in itineraries]
    assert len(routes) == 4 and len(set(routes)) == 4, routes
    assert any("__" in leg["service"] for it in itineraries for leg in it["legs"])  # variants ran

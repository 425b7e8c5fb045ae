"""The planner's habits (issue 18): Belgian Excel in and out, the names and dates people type,
answers that never hide a mode, plan tables that explain themselves."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from cli_plan import is_solver_log
from network import load_network
from network.quantities import AmbiguousNumberError, decimal_evidence, parse_number
from routing.objectives import Objective
from routing.query import build_consignment
from routing.search import SearchOptions, best_by_main_mode
from tests.test_hostile_inputs import HYPERLINK, Outcome, invoke

LANE = ["Namur", "Zhengzhou", "--weight", "800kg", "--volume", "3.5m3", "--ready", "2026-12-01T09:00"]
BE_HEADER = "id;origin;destination;weight_kg;volume_m3;ready;due;goods;value_eur;;\n"


def ok(outcome: Outcome) -> Outcome:
    assert outcome.code == 0, outcome.err
    assert "Traceback" not in outcome.out + outcome.err
    return outcome


# --- numbers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "decimal", "value"), [
    ("800", None, 800.0), ("1,5", None, 1.5), ("3.25", None, 3.25), ("0,125", None, 0.125),
    ("0.500", None, 0.5), ("1500.000", None, 1500.0), ("1.234,5", None, 1234.5),
    ("1,234.5", None, 1234.5), ("1.234.567", None, 1234567.0), ("20 000", None, 20000.0),
    ("20\u202f000", None, 20000.0), ("20 000,5", None, 20000.5), ("20.000", ",", 20000.0),
    ("20.000", ".", 20.0), ("1,500", ",", 1.5), ("1,500", ".", 1500.0), ("1e308", None, 1e308),
])
def test_numbers_are_read_by_one_rule(text, decimal, value):
    """Decimal comma or point, thousands grouping by three; the dialect settles 3-digit groups."""
    assert parse_number(text, decimal) == value


@pytest.mark.parametrize("text", ["20.000", "1,500", "999.999"])
def test_a_lone_separator_before_three_digits_is_ambiguous(text):
    """`20.000` could be twenty thousand or twenty: refused, never guessed."""
    with pytest.raises(AmbiguousNumberError, match="is ambiguous"):
        parse_number(text)


@pytest.mark.parametrize("text", ["1.2.3", "12,34,5", "1 2", "1,234.5.6", "abc", ""])
def test_malformed_numbers_are_refused(text):
    with pytest.raises(ValueError):
        parse_number(text)


@pytest.mark.parametrize("text", ["1,234.5", "1.2,5"])
def test_a_number_against_its_dialect_is_refused(text):
    with pytest.raises(ValueError, match="decimal"):
        parse_number(text, "," if text == "1,234.5" else ".")


def test_decimal_evidence():
    assert [decimal_evidence(t) for t in ("1,5", "3.25", "1.234,5", "20.000", "800", "1,2 t")] == \
        [",", ".", ",", None, None, ","]


@pytest.mark.parametrize(("value", "code", "needle"), [
    ("20.000", 2, "'--value': '20.000' is ambiguous: 20000 or 20?"),
    ("20000", 0, '"value_eur": 20000.0'), ("20 000", 0, '"value_eur": 20000.0'),
    ("20.000,50", 0, '"value_eur": 20000.5'), ("1,5", 0, '"value_eur": 1.5'),
])
def test_value_flag_follows_the_rule(value, code, needle):
    """`--value 20.000` used to be EUR 20: now refused; unambiguous forms are read right."""
    outcome = invoke("route", *LANE, "--value", value, "--format", "json")
    assert outcome.code == code, outcome.err
    assert needle in outcome.out + outcome.err


def test_weight_with_a_decimal_comma():
    doc = json.loads(ok(invoke("route", *LANE[:2], "--weight", "1,2 t", "--volume", "3,5 m³",
                               "--ready", "2026-12-01", "--format", "json")).out)
    assert doc["consignment"]["weight_kg"] == 1200.0 and doc["consignment"]["volume_m3"] == 3.5


# --- dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("ready", "due"), [
    ("2026-12-01", "2026-12-31"), ("20261201", "20261231"), ("2026-W49-2", "2026-W53-4"),
])
def test_a_date_alone_means_nine_for_ready_and_the_end_of_the_day_for_due(ready, due):
    """Every ISO 8601 form of a date without a time (extended, basic, week date)."""
    doc = json.loads(ok(invoke("route", *LANE[:6], "--ready", ready, "--due", due,
                               "--format", "json")).out)
    assert doc["consignment"]["ready"] == "2026-12-01T09:00:00+01:00"
    assert doc["consignment"]["due"] == "2026-12-31T23:59:59+08:00"


def test_a_due_date_alone_keeps_an_arrival_during_that_day():
    """Due 2026-12-22 admits an arrival at 12:00 that day (midnight at its start did not)."""
    _net, c = build_consignment(load_network(), "Namur", "Zhengzhou", weight_kg=800.0, volume_m3=3.5,
                               ready="2026-12-01", due="2026-12-22")
    assert c.due is not None and (c.due.hour, c.due.minute) == (23, 59)
    assert datetime.fromisoformat("2026-12-22T12:00:00+08:00") <= c.due


@pytest.mark.parametrize(("text", "expected"), [
    ("1/12/2026", "2026-12-01T09:00:00+01:00"), ("01.12.2026 14:30", "2026-12-01T14:30:00+01:00"),
])
def test_day_first_dates_as_belgian_excel_writes_them(text, expected):
    doc = json.loads(ok(invoke("route", *LANE[:6], "--ready", text, "--format", "json")).out)
    assert doc["consignment"]["ready"] == expected


def test_an_impossible_day_first_date_is_explained():
    outcome = invoke("route", *LANE[:6], "--ready", "12/31/2026")
    assert outcome.code == 2 and "read day first" in outcome.err and "month 31" in outcome.err


# --- names --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("origin", "destination", "ids"), [
    ("Bruxelles", "Xian", ("BE-BRUSSELS", "CN-XIAN")),
    ("Brussel", "Zheng zhou", ("BE-BRUSSELS", "CN-ZHENGZHOU")),
    ("Anvers", "Peking", ("BE-ANTWERP", "CN-BEIJING")),
    ("Antwerpen", "Canton", ("BE-ANTWERP", "CN-GUANGZHOU")),
    ("Luik", "Chungking", ("BE-LIEGE", "CN-CHONGQING")), ("Lüttich", "郑州", ("BE-LIEGE", "CN-ZHENGZHOU")),
    ("Gand", "Nanking", ("BE-GHENT", "CN-NANJING")), ("Bergen", "Tsingtao", ("BE-MONS", "CN-QINGDAO")),
    ("Louvain", "Hangchow", ("BE-LEUVEN", "CN-HANGZHOU")), ("4000", "Ningpo", ("BE-LIEGE", "CN-NINGBO")),
    ("4000 Liège", "杭州", ("BE-LIEGE", "CN-HANGZHOU")), ("5000 Namur", "XI'AN", ("BE-NAMUR", "CN-XIAN")),
])
def test_places_by_the_names_people_type(origin, destination, ids):
    doc = json.loads(ok(invoke("route", origin, destination, "--weight", "100", "--volume", "1",
                               "--ready", "2026-12-01", "--format", "json")).out)
    assert (doc["consignment"]["origin"], doc["consignment"]["destination"]) == ids


def test_ambiguity_prefers_belgium_for_origins_and_says_so():
    outcome = ok(invoke("route", "Bergen", "Zhengzhou", "--weight", "100", "--volume", "1",
                        "--ready", "2026-12-01", "--format", "json"))
    doc = json.loads(outcome.out)
    assert doc["consignment"]["origin_name"] == "Mons"
    [note] = [n for n in doc["notes"] if n.startswith("origin:")]
    assert "Bergen → Mons (Belgium, Dutch name); not Bergen (Norway)" in note
    assert "an origin prefers Belgium" in note and f"note: {note}" in outcome.err
    waterloo = json.loads(ok(invoke("route", "Waterloo", "Suzhou", "--weight", "100", "--volume", "1",
                                    "--ready", "2026-12-01", "--format", "json")).out)
    assert waterloo["consignment"]["origin_name"] == "Waterloo"
    assert waterloo["itineraries"][0]["legs"][0]["from"] == "GEO-2783985"  # Waterloo, Belgium


def test_a_postcode_that_contradicts_its_name_or_does_not_exist_is_refused():
    for place, needle in (("4000 Namur", "postcode 4000 is Liège (Luik), not Namur"),
                          ("9999", "9999 is not a Belgian postcode")):
        outcome = invoke("route", place, "Zhengzhou", "--weight", "100", "--volume", "1")
        assert outcome.code == 2 and needle in outcome.err and len(outcome.err.splitlines()) == 1


def test_choices_are_case_insensitive():
    doc = json.loads(ok(invoke("route", *LANE, "--goods", "DG", "--objective", "Time",
                               "--format", "JSON")).out)
    assert doc["consignment"]["goods"] == "dg" and doc["query"]["objective"] == "time"
    rows = json.loads(ok(invoke("network", "departures", "rail-zih-lgg-zz", "--from", "2026-12-01",
                                "--days", "7", "--format", "Json")).out)
    assert rows[0]["service"] == "RAIL-ZIH-LGG-ZZ"
    miss = invoke("network", "departures", "rail-zih", "--from", "2026-12-01")
    assert miss.code == 2 and "did you mean RAIL-ZIH-LGG-ZZ" in miss.err


def test_volume_may_be_omitted_and_the_assumption_is_stated():
    outcome = ok(invoke("route", "Namur", "Zhengzhou", "--weight", "1t", "--goods", "reefer",
                        "--ready", "2026-12-01", "--format", "json"))
    doc = json.loads(outcome.out)
    assert doc["consignment"]["volume_m3"] == pytest.approx(1000 / 300, abs=0.001)
    assert any("volume not given" in n and "300 kg/m³" in n for n in doc["notes"])
    assert "volume not given" in outcome.err


def test_world_city_tables_show_place_names_not_synthesized_ids():
    out = ok(invoke("route", "Herstal", "Suzhou", "--weight", "300kg", "--volume", "1.5m3",
                    "--ready", "2026-12-01")).out
    # The cheapest way goes by the Antwerp port (sea) or a Liège hub, joined by an access leg.
    assert ("Herstal → Liège" in out or "Herstal → Port of Antwerp" in out) and "GEO-" not in out
    assert "road (access)" in out


# --- compare never hides a mode -----------------------------------------------------------------


def test_compare_shows_every_mode_with_why_one_cannot_serve():
    out = ok(invoke("compare", *LANE, "--due", "2026-12-22")).out
    net, c = build_consignment(load_network(), "Namur", "Zhengzhou", weight_kg=800.0, volume_m3=3.5,
                               ready="2026-12-01T09:00")
    # The earliest arrival of each late mode, by the public engine without the due date.
    earliest = best_by_main_mode(net, c, SearchOptions(Objective.TIME))
    for mode in ("rail", "sea"):
        arrive = earliest[mode].arrive.strftime("%Y-%m-%d %H:%M %z")
        assert f"meets due: no — earliest arrival {arrive}" in out
    assert "rail (late)" in out and "sea (late)" in out
    assert "No rail/air break-even figures: they need a rail and an air itinerary (rail: meets due" in out
    doc = json.loads(ok(invoke("compare", *LANE, "--due", "2026-12-22", "--format", "json")).out)
    modes = {m["mode"]: m for m in doc["modes"]}
    assert modes["air"]["served"] and not modes["rail"]["served"]
    assert modes["rail"]["reason"] == "due_date"
    assert modes["rail"]["earliest"]["arrive"] == earliest["rail"].arrive.isoformat()
    assert doc["break_even"]["weight_kg"] is None and doc["break_even"]["notes"]


def test_compare_says_which_mode_refuses_the_goods_class():
    out = ok(invoke("compare", *LANE[:6], "--goods", "reefer", "--ready", "2026-12-01")).out
    assert "no air service accepts reefer goods" in out
    assert "(air: no air service accepts reefer goods)" in out


def test_goods_too_heavy_for_every_service_that_takes_them_is_said_so():
    """150 t of perishables: the freighters carry them but none takes 150 t (the train takes the
    weight but not the goods): exit 1, `split it`, not "no service carries perishable goods"."""
    outcome = invoke("compare", "La Louvière", "Hangzhou", "--weight", "150t", "--volume", "500m3",
                     "--goods", "perishable", "--ready", "2027-01-30T15:00")
    assert outcome.code == 1, outcome.err
    assert ("every route from La Louvière to Hangzhou that carries perishable goods has a service "
            "smaller than this consignment (150,000 kg, 500 m³): split it") in outcome.err


def test_pareto_prints_a_summary_table_before_the_legs():
    out = ok(invoke("pareto", *LANE)).out
    summary, details = out.split("\n#1:", 1)
    assert "non-dominated itineraries" in summary and "itinerary" in summary and "#2" in summary
    assert "leg  service" in details


# --- outputs: csv dialect, csv content, xlsx ------------------------------------------------------


def test_csv_carries_the_query_meets_due_transit_days_and_break_even(tmp_path):
    out = ok(invoke("compare", *LANE, "--format", "csv")).out
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {"command", "origin_name", "meets_due", "itinerary_transit_days", "break_even_weight_kg",
            "break_even_notes", "network_as_of"} <= set(rows[0])
    assert rows[0]["command"] == "compare" and rows[0]["break_even_notes"].startswith("Rail is cheaper")


def test_csv_dialect_be_is_what_belgian_excel_reads():
    out = ok(invoke("route", *LANE, "--format", "csv", "--csv-dialect", "be")).out
    assert out.startswith("\ufeffrank;main_mode;")
    row = next(csv.DictReader(io.StringIO(out.lstrip("\ufeff")), delimiter=";"))
    assert "," in row["itinerary_cost_eur"] and "." not in row["itinerary_cost_eur"]


def test_xlsx_output_is_typed_frozen_filtered_and_inert(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil_net = Path(__file__).parent / "data" / "networks" / "valid"
    net = tmp_path / "net"
    import shutil

    shutil.copytree(shutil_net, net)
    services = net / "services.csv"
    hostile = HYPERLINK.replace(",", " ")  # an operator name a spreadsheet would run
    services.write_text(services.read_text(encoding="utf-8").replace(",Haulier,", f",{hostile},"),
                        encoding="utf-8")
    ok(invoke("--network", str(net), "route", "Liège", "Zhengzhou", "--weight", "800kg", "--volume",
              "3.5m3", "--ready", "2026-12-01", "--out", "r.xlsx"))
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert book.sheetnames == ["itineraries", "legs", "query"]
    legs = book["legs"]
    assert legs.freeze_panes == "A2" and legs.auto_filter.ref.startswith("A1:")
    header = [c.value for c in legs[1]]
    assert "cost (EUR)" in header and "departs (local time)" in header
    row = list(legs[2])
    assert isinstance(row[header.index("departs (local time)")].value, datetime)
    assert isinstance(row[header.index("cost (EUR)")].value, (int, float))  # a number, not text
    operators = [c.value for c in legs["E"][1:]]
    assert any(str(v).startswith("=HYPERLINK") for v in operators)
    assert all(c.data_type == "s" for c in legs["E"][1:])
    with zipfile.ZipFile(tmp_path / "r.xlsx") as archive:
        assert not any("<f>" in archive.read(n).decode() for n in archive.namelist()
                       if n.startswith("xl/worksheets/"))
    query = {r[0].value: r[1].value for r in book["query"].iter_rows()}
    assert query["command"] == "route" and "network data as of" in query


def test_xlsx_numbers_itineraries_as_every_other_output_and_converts_cost(tmp_path, monkeypatch):
    """A mode that cannot serve has a row but no number (sea is 2, as in the JSON and the legs
    sheet), and `--currency USD` adds the converted cost beside the euros."""
    monkeypatch.chdir(tmp_path)
    closed = str(Path(__file__).resolve().parents[1] / "scenarios" / "pl-by-border-closed.toml")
    ok(invoke("compare", *LANE, "--scenario", closed, "--currency", "USD", "--out", "c.xlsx"))
    doc = json.loads(ok(invoke("compare", *LANE, "--scenario", closed, "--currency", "USD",
                               "--format", "json")).out)
    book = openpyxl.load_workbook(tmp_path / "c.xlsx")
    sheet = book["itineraries"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    ranked = {r["main mode"]: r["rank"] for r in rows if r["rank"] not in ("", None)}
    assert ranked == {it["main_mode"]: it["rank"] for it in doc["itineraries"]}
    assert {r["main mode"] for r in rows if r["rank"] in ("", None)} == {"rail"}
    legs = {(r[0].value, r[1].value) for r in book["legs"].iter_rows(min_row=2)}
    assert legs == {(it["rank"], it["main_mode"]) for it in doc["itineraries"]}
    assert all(r["cost (USD)"] == it["cost"] for r in rows for it in doc["itineraries"]
               if r["rank"] == it["rank"])


def test_xlsx_needs_an_output_file():
    outcome = invoke("route", *LANE, "--format", "xlsx")
    assert outcome.code == 2 and "--out FILE.xlsx" in outcome.err


# --- plan: reading Belgian spreadsheets -----------------------------------------------------------


def _plan(tmp_path: Path, name: str, data: bytes, *args: str) -> Outcome:
    path = tmp_path / name
    path.write_bytes(data)
    return invoke("plan", str(path), "--out", str(tmp_path / "out"), "--solver", "greedy", *args)


def test_plan_reads_belgian_excel_csv_and_says_how(tmp_path):
    text = (BE_HEADER + "c1;Liège;Zhengzhou;1,5 t;3,2;1/12/2026;22/12/2026;general;20.000,50;;\n"
            "c2;Bergen;Xian;800;;01/12/2026 14:00;;Reefer;;;\n"
            "c3;4040;Chongqing;1.250;2,5;2026-12-02;;general;1500;;\n")
    outcome = ok(_plan(tmp_path, "be.csv", text.encode("cp1252"), "--format", "json"))
    assert "read be.csv: CSV, ';'-separated, decimal comma, Windows-1252" in outcome.err
    assert "Bergen → Mons" in outcome.err and "volume not given" in outcome.err
    doc = json.loads(outcome.out)
    assert doc["summary"]["served"] == 3 and any("Bergen" in n for n in doc["notes"])
    rows = {r["consignment"]: r for r in csv.DictReader(
        (tmp_path / "out" / "assignments.csv").open(encoding="utf-8"))}
    assert rows["c1"]["weight_kg"] == "1500.0" and rows["c3"]["weight_kg"] == "1250.0"
    assert rows["c1"]["due"] == "2026-12-22T23:59:59+08:00"
    assert rows["c2"]["origin_name"] == "Mons" and rows["c3"]["origin_name"] == "4040 Herstal"
    bom = ok(_plan(tmp_path, "bom.csv", ("\ufeff" + text).encode("utf-8"), "--quiet"))
    assert bom.err == ""


@pytest.mark.parametrize(("rows", "args", "needle"), [
    ("a;Huy;Chengdu;1.500;2;2026-12-01;;;;;\n", (),
     "(weight_kg): weight '1.500' is ambiguous: 1500 or 1.5?"),
    ("a;Huy;Chengdu;1,5;2;2026-12-01;;;;;\nb;Huy;Chengdu;3.25;2;2026-12-01;;;;;\n", (),
     "'3.25' has a decimal point but line 2 (weight_kg) has '1,5' with a decimal comma"),
])
def test_plan_refuses_numbers_it_cannot_tell(tmp_path, rows, args, needle):
    outcome = _plan(tmp_path, "c.csv", (BE_HEADER + rows).encode(), "--quiet", *args)
    assert outcome.code == 2 and needle in outcome.err and "--decimal" in outcome.err


def test_plan_decimal_option_settles_an_ambiguous_file(tmp_path):
    outcome = ok(_plan(tmp_path, "c.csv", (BE_HEADER + "a;Huy;Chengdu;1.500;2;2026-12-01;;;;;\n").encode(),
                       "--quiet", "--decimal", "comma"))
    assert "1500.0" in (tmp_path / "out" / "assignments.csv").read_text(encoding="utf-8")
    assert outcome.err == ""


def test_plan_reads_xlsx_first_sheet_or_named_and_writes_plan_xlsx(tmp_path):
    book = openpyxl.Workbook()
    first = book.active
    first.title = "Zendingen"
    first.append(["id", "origin", "destination", "weight_kg", "volume_m3", "ready", "due", None, None])
    first.append([HYPERLINK, "Anvers", "Peking", 1200.5, 4, datetime(2026, 12, 1), None])
    first.cell(row=2, column=1).data_type = "s"
    first["F2"].number_format = "dd/mm/yyyy"
    other = book.create_sheet("Archief")
    other.append(["id", "origin", "destination", "weight_kg", "volume_m3", "ready"])
    other.append(["old", "Huy", "Chengdu", 10, 1, "2026-12-03"])
    buffer = io.BytesIO()
    book.save(buffer)
    outcome = ok(_plan(tmp_path, "c.xlsx", buffer.getvalue(), "--format", "xlsx"))
    assert "read c.xlsx: xlsx, sheet 'Zendingen' (the first); 1 consignments" in outcome.err
    assert "box: one letter per leg" in outcome.out and "+0100" in outcome.out
    result = openpyxl.load_workbook(tmp_path / "out" / "plan.xlsx")
    assert result.sheetnames == ["assignments", "departures", "query"]
    cell = result["assignments"]["A2"]
    assert cell.value == HYPERLINK and cell.data_type == "s"
    assert isinstance(result["assignments"]["I2"].value, datetime)  # departs, local time
    named = ok(_plan(tmp_path, "c2.xlsx", buffer.getvalue(), "--sheet", "archief", "--format", "json"))
    assert json.loads(named.out)["assignments"][0]["consignment"] == "old"


def test_plan_table_explains_its_columns_and_formats_the_bound(tmp_path):
    sample = Path(__file__).resolve().parents[1] / "examples" / "consignments.csv"
    out = ok(invoke("plan", str(sample), "--out", str(tmp_path / "out"), "--quiet",
                    "--time-limit", "20")).out
    assert "box: one letter per leg — C rides in a container" in out
    assert "departs (local)" in out and "+0100" in out and "+0800" in out
    line = next(x for x in out.splitlines() if x.startswith("served "))
    bound = line.split("lower bound EUR ")[1].split(" ")[0]
    assert bound == "-" or (("," in bound or "." in bound) and len(bound.split(".")[-1]) == 2)
    assert "highs" not in line.split("·")[0]


# --- solver logs stay out of the terminal -----------------------------------------------------


SOLVER_LINES = [
    "Running HiGHS 1.11.0 (git hash: 364c83a): Copyright (c) 2025 HiGHS under MIT licence terms",
    "MIP plan has 20509 rows; 20577 cols; 82018 nonzeros; 20577 integer variables (20455 binary)",
    "20509 rows, 20577 cols, 82018 nonzeros  1s", "Coefficient ranges:", "  RHS     [1e+00, 1e+05]",
    "Presolving model", "MIP start solution is feasible, objective value is 1670772.78515",
    "Src: B => Branching; C => Central rounding; F => Feasibility pump; H => Heuristic;",
    "Solving Time (sec) : 5.18", "presolving:", "(round 1, fast)       0 del vars, 0 del conss",
    "1/1 feasible solution given by solution candidate storage, new primal bound 1.670773e+06",
    "feasible solution found by trivial heuristic after 0.1 seconds, objective value 1.670773e+06",
    "Starting CP-SAT solver v9.15.6755", "#Model   4.73s var:17660/17660 constraints:13360/13360",
    "#1       0.52s best:1670772 next:[1,1670771] fj_restart", "status: OPTIMAL", "integers: 18184",
    "usertime: 0.116294", "solution_fingerprint: 0xcc7ad07b86309c15",
    "1 full problem subsolver: [default_lp]", "  - rule 'linear: empty' was applied 3 times.",
    "734.24us   0.00ns 734.24us         1 [ 10.00ns,  10.00ns]  10.00ns   0.00ns  10.00ns",
    "Initial optimization model '': (model_fingerprint: 0xe641401148688b18)",
]
PLANNER_LINES = [
    "generating candidates for 1000 consignments", "candidates: 500/1000 consignments, 5457 itineraries",
    "10795 candidate itineraries, 193 capacitated departures, 711 shared container departures",
    "greedy + container packing: 921 served, objective 1,670,772.79 (0.0 s)",
    "phase 2 (min objective): 20577 variables, 20509 rows, 711 container groups (0.3 s)",
    "LP relaxation 1,640,104.03 (1.6 s)", "LP rounded, containers packed: objective 1,646,545.92 (1.9 s)",
    "neighbourhood search pass 1: objective 1,645,569.09, 15 of 31 windows improved (3.3 s)",
    "final routes re-packed: objective 1,644,810.06 (13.0 s)",
]


def test_solver_log_lines_are_told_from_the_planners_own():
    """Lines captured from HiGHS, SCIP and CP-SAT runs are hidden; the planner's are shown."""
    assert [line for line in SOLVER_LINES if not is_solver_log(line)] == []
    assert [line for line in PLANNER_LINES if is_solver_log(line)] == []


def test_compare_late_mode_row_uses_the_engine_without_due(tmp_path):
    """The same figures through the library: the earliest arrival is due-free, objective time."""
    from routing.compare import compare, missing_modes

    net, c = build_consignment(load_network(), "Namur", "Zhengzhou", weight_kg=800.0, volume_m3=3.5,
                               ready="2026-12-01", due="2026-12-10")
    options = SearchOptions()
    result = compare(net, c, options)
    gaps = missing_modes(net, c, options, result.by_mode)
    free = best_by_main_mode(net, replace(c, due=None), SearchOptions(Objective.TIME))
    for mode, gap in gaps.items():
        assert gap.reason == "due_date" and gap.earliest is not None
        assert gap.earliest.arrive == free[mode].arrive


def _choices(command: object, path: str = "cli.py") -> list[tuple[str, object]]:
    """Every choice option of `command` and its subcommands, with where it is."""
    import click

    found = [(f"{path} {p.opts[0]}", p.type) for p in getattr(command, "params", [])
             if isinstance(p.type, click.Choice)]
    for name, sub in getattr(command, "commands", {}).items():
        found += _choices(sub, f"{path} {name}")
    return found


def test_every_choice_is_case_insensitive():
    """As the README promises: `--currency usd`, `--format JSON`, `--solver HiGHS` are taken
    (once `--currency usd` was refused while `--format JSON` was not)."""
    from cli import cli

    choices = _choices(cli)
    assert len(choices) > 20
    assert [where for where, kind in choices if kind.case_sensitive] == []
    ok(invoke("route", *LANE, "--currency", "usd"))

"""`network audit` through the CLI, and the one-line evidence warning of route, compare, pareto,
plan and the maps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from tests.builders import location, service, write_network

LANE = ["Namur", "Zhengzhou", "--weight", "800kg", "--volume", "3.5m3", "--ready", "2026-12-01T09:00"]


def run(*args: str):
    result = CliRunner().invoke(cli, list(args), obj={})
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_audit_json_follows_its_schema_on_an_injected_day():
    """`network audit --as-of DATE --format json`: one entry per row, the summary, the warnings;
    the day is the one given."""
    result = run("network", "audit", "--as-of", "2026-11-29", "--format", "json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["schema"] == "silkroute.audit/1" and doc["as_of"] == "2026-11-29"
    assert doc["old_after_months"] == 18 and doc["idle_days"] == 90
    summary = doc["summary"]
    assert summary["rows"] == len(doc["rows"]) and 0 < summary["estimate_share"] < 1
    assert summary["services_without_departures"] == ["SEA-ANR-NGB-SUEZ", "SEA-ANR-SHA-SUEZ"]
    assert {"air", "rail", "road", "sea"} <= set(summary["oldest_by_mode"])
    row = next(r for r in doc["rows"] if r["key"] == "AIR-SF-LGG-TAO")
    assert row == {**row, "file": "services.csv", "group": "air", "as_of": "2023-04",
                   "evidence_date": "2023-04-01", "age_months": 43, "estimate": True, "old": True,
                   "in_force": True, "warning": True}
    assert any(w.startswith("services.csv AIR-SF-LGG-TAO: evidence of 2023-04 is older than 18 months")
               for w in doc["warnings"])
    assert f"note: {summary['old_in_force']} of {summary['rows']} rows in force" in result.stderr


def test_audit_table_lists_rows_summary_and_warnings():
    """The table shows each row's age and basis, then the summary and the warnings."""
    out = run("network", "audit", "--as-of", "2026-11-29").stdout
    assert out.startswith("Evidence audit of network 'default' on 2026-11-29")
    assert "Summary\n" in out and "oldest evidence (air): 2023 — services.csv AIR-CA-LGG-HGH" in out
    assert "services without a departure in the next 90 days: SEA-ANR-NGB-SUEZ, SEA-ANR-SHA-SUEZ" in out
    assert "warning: services.csv AIR-SF-LGG-TAO: evidence of 2023-04" in out


def test_the_audit_day_defaults_to_today_and_is_checked():
    """Without --as-of the audit runs on today's date; a bad date is a usage error (exit 2)."""
    assert run("network", "audit", "--format", "json").exit_code == 0
    for bad in ("2026-13-01", "31/02/2026", "29/11/2026 09:00", "1900-01-01"):
        result = run("network", "audit", "--as-of", bad)
        assert result.exit_code == 2 and "--as-of" in result.output, bad


def test_route_warns_in_one_line_when_it_rests_on_estimates_or_old_evidence():
    """A route on estimates: one `note: evidence: ...` line on stderr, the JSON itinerary's
    `evidence` field and the note in `notes`."""
    result = run("route", *LANE, "--format", "json")
    lines = [line for line in result.stderr.splitlines() if line.startswith("note: evidence:")]
    assert len(lines) == 1 and "#1 (sea) rests on estimates (3 legs, 2 hubs)" in lines[0]
    doc = json.loads(result.stdout)
    evidence = doc["itineraries"][0]["evidence"]
    assert evidence["warning"] and evidence["estimate_legs"] == ["ROAD-BE-NAMUR-ANR", "SEA-ANR-SHA",
                                                                 "ROAD-CN-SHAPORT-ZHENGZHOU"]
    assert {"part": "handling at CN-SHA-PORT", "as_of": "2024-06"} in evidence["old"]
    assert any(n.startswith("evidence: #1 (sea)") for n in doc["notes"])


def test_compare_names_the_old_evidence_of_each_mode():
    """compare labels its warning by mode; old rows are named with their dates."""
    err = run("compare", *LANE).stderr
    line = next(x for x in err.splitlines() if x.startswith("note: evidence:"))
    assert "air rests on" in line and "rail rests on" in line and "sea rests on" in line
    assert "handling at LGG as of 2021-08" in line


def _sourced(tmp_path: Path, as_of: str):
    places = [location(x, as_of="2026-10", source="https://example.org (2026-10)") for x in "AB"]
    services = [service("S", "A", "B", source="https://example.org (2026-10)", as_of=as_of, eur_fixed=10)]
    return write_network(tmp_path, places, services)


def test_no_warning_when_everything_is_sourced_and_recent(tmp_path):
    """A network of sourced, recent rows gives no evidence note."""
    directory = _sourced(tmp_path, "2026-10")
    result = run("--network", str(directory), "route", "A", "B", "--weight", "100kg", "--ready", "2026-12-01")
    assert result.exit_code == 0 and "evidence" not in result.stderr


def test_old_evidence_is_judged_on_the_ready_date(tmp_path):
    """Evidence of 2025-05 is older than 18 months for a consignment ready 1 Dec 2026, not for one
    ready 1 Jan 2026."""
    directory = _sourced(tmp_path, "2025-05")
    late = run("--network", str(directory), "route", "A", "B", "--weight", "100kg", "--ready", "2026-12-01")
    assert "note: evidence: #1 (road) rests on evidence older than 18 months on the ready date " \
           "(S as of 2025-05)" in late.stderr
    early = run("--network", str(directory), "route", "A", "B", "--weight", "100kg", "--ready", "2026-01-01")
    assert "evidence" not in early.stderr


def test_the_map_shows_the_warning(tmp_path):
    """The map's itinerary card carries the same warning."""
    out = tmp_path / "m.html"
    assert run("route", *LANE, "--map", str(out)).exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert "sr-warning" in html and "rests on estimates (3 legs, 2 hubs)" in html
    assert "tank-to-wheel" in html  # the legs' popups split CO2e


def test_plan_reports_what_its_assignments_rest_on(tmp_path):
    """plan: one evidence note (stderr, plan.json's notes) counting the assignments that rest on
    estimates or old evidence; its CO2e split into TTW and WTT with the hubs' part."""
    consignments = tmp_path / "c.csv"
    consignments.write_text("id,origin,destination,weight_kg,volume_m3,ready\n"
                            "c1,Namur,Zhengzhou,800,3.5,2026-12-01T09:00\n", encoding="utf-8")
    result = run("plan", str(consignments), "--out", str(tmp_path / "out"), "--time-limit", "5")
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "out" / "plan.json").read_text(encoding="utf-8"))
    notes = [n for n in doc["notes"] if n.startswith("evidence:")]
    assert notes == [n for n in notes if "1 of 1 assignments rest on estimates" in n] and len(notes) == 1
    assert "note: evidence: 1 of 1 assignments rest on estimates" in result.stderr
    # The plan's CO2e is split too, legs and hubs, adding up (within the rounding to grams).
    [a] = doc["assignments"]
    assert a["co2e_hub_kg"] > 0
    assert a["co2e_ttw_kg"] + a["co2e_wtt_kg"] == pytest.approx(a["co2e_kg"], abs=0.002)
    legs = sum(leg["co2e_kg"] for leg in a["legs"])
    assert legs + a["co2e_hub_kg"] == pytest.approx(a["co2e_kg"], abs=0.003)
    header = (tmp_path / "out" / "assignments.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.endswith(",co2e_ttw_kg,co2e_wtt_kg,co2e_hub_kg,scenarios")


@pytest.mark.parametrize("day", ["29/11/2026", "29.11.2026", " 2026-11-29 "])
def test_as_of_reads_day_first_dates_too(day):
    """`--as-of` reads a day-first date as every other date option does (once refused)."""
    doc = json.loads(run("network", "audit", "--as-of", day, "--format", "json").stdout)
    assert doc["as_of"] == "2026-11-29"

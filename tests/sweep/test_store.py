"""The output directory: the log survives a torn last line, one sweep writes a directory at a
time, the tables hold the same rows in Parquet and CSV, plan files come on request."""

from __future__ import annotations

import csv
import io
import json

import pyarrow.parquet as pq
import pytest

from network.errors import InputError
from sweep import Sweep, load_spec, run_sweep
from sweep.store import CSV, LOG, PARQUET, PLANS_DIR, REPORT, Store
from tests.sweep.conftest import plans_spec, queries_spec


def test_a_torn_last_line_is_skipped_and_its_cell_runs_again(tmp_path):
    """A record cut short by a crash is ignored: its cell is computed again."""
    spec = load_spec(plans_spec(tmp_path, weeks=1))
    out = tmp_path / "out"
    run_sweep(spec, out, report=False)
    log = out / LOG
    lines = log.read_text().splitlines()
    log.write_text("\n".join(lines[:-1]) + "\n" + lines[-1][: len(lines[-1]) // 2])
    with Sweep(spec, out) as opened:
        assert len(opened.records) == 3 and len(opened.todo) == 1
    assert run_sweep(spec, out, report=False).computed == 1
    # Once: the record of the cell run again starts its own line, not the cut one's.
    assert run_sweep(spec, out, report=False).computed == 0
    assert log.read_text().endswith("\n") and len(log.read_text().splitlines()) == len(lines) + 1


@pytest.mark.parametrize("what", ["plan", "route", "compare"])
def test_a_finished_sweep_run_again_computes_nothing(tmp_path, what):
    """Every record a sweep logs fits its results' columns, so a rerun skips every cell."""
    spec = load_spec(plans_spec(tmp_path, weeks=1) if what == "plan" else queries_spec(tmp_path, what))
    out = tmp_path / "out"
    first = run_sweep(spec, out, report=False)
    assert first.computed > 0 and run_sweep(spec, out, report=False).computed == 0


@pytest.mark.parametrize("damage", [
    lambda r: {**r, "metrics": None},
    lambda r: {**r, "metrics": {**r["metrics"], "total_cost_eur": "abc"}},
    lambda r: {**r, "metrics": {**r["metrics"], "zzz_new": [1, 2]}},
    lambda r: {**r, "status": "maybe"},
    lambda r: {**r, "wall_s": "soon"},
])
def test_a_record_that_does_not_fit_the_columns_is_run_again(tmp_path, damage):
    """A logged record edited by hand or written by a version with other metrics (once an
    internal error, exit 70) is left out like a torn line: its cell runs again."""
    spec = load_spec(plans_spec(tmp_path, weeks=1))
    out = tmp_path / "out"
    run_sweep(spec, out, report=False)
    log = out / LOG
    lines = log.read_text(encoding="utf-8").splitlines()
    lines[1] = json.dumps(damage(json.loads(lines[1])))
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    again = run_sweep(spec, out, report=False)
    assert again.computed == 1 and len(again.rows) == 4


def test_one_sweep_at_a_time_per_directory(tmp_path):
    """A second sweep on a directory being written is refused, naming --out."""
    with Store(tmp_path / "out"), pytest.raises(InputError, match="--out: another sweep is writing to"):
        Store(tmp_path / "out").__enter__()


def test_parquet_and_csv_hold_the_same_rows(tmp_path):
    """Same columns in the same order, same values; parameters are columns of their own."""
    outcome = run_sweep(load_spec(plans_spec(tmp_path, weeks=1)), tmp_path / "out")
    table = pq.read_table(tmp_path / "out" / PARQUET)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out" / CSV).read_text(encoding="utf-8"))))
    assert table.column_names == list(rows[0])
    assert table.column_names[:10] == ["cell", "status", "error", "set", "set_file", "set_start", "set_seed",
                                       "scenario", "scenario_files", "rail_rate"]
    assert table.num_rows == len(rows) == len(outcome.rows) == 4
    assert table.column("total_cost_eur").to_pylist() == [float(r["total_cost_eur"]) for r in rows]
    assert table.column("rail_rate").to_pylist() == [1.0, 1.3, 1.0, 1.3]
    assert table.schema.field("served").type == "int64"


def test_plan_files_on_request(tmp_path):
    """With run.plan_outputs every plan cell's files are in plans/<cell>/; asked for later, the
    cells without them are planned again."""
    spec_file = plans_spec(tmp_path, weeks=1)
    out = tmp_path / "out"
    run_sweep(load_spec(spec_file), out, report=False)
    text = spec_file.read_text().replace('solver = "greedy"', 'solver = "greedy"\nplan_outputs = true')
    spec_file.write_text(text)
    outcome = run_sweep(load_spec(spec_file), out, report=False)
    assert outcome.computed == 4
    for row in outcome.rows:
        assert sorted(p.name for p in (out / PLANS_DIR / row["cell"]).iterdir()) == [
            "assignments.csv", "departures.csv", "plan.json"]
    assert run_sweep(load_spec(spec_file), out, report=False).computed == 0
    for row in outcome.rows:  # each assignment's reliability, as `plan` writes it
        with (out / PLANS_DIR / row["cell"] / "assignments.csv").open(encoding="utf-8") as handle:
            served = [r for r in csv.DictReader(handle) if r["reason"] == ""]
        with_due = [float(r["on_time_probability"]) for r in served if r["on_time_probability"] != ""]
        # The file's probabilities are rounded to 4 decimals, as the share is.
        assert with_due and row["on_time_share"] == pytest.approx(sum(with_due) / len(with_due), abs=1e-4)


def test_the_report_is_self_contained(tmp_path):
    """No script, stylesheet or image fetched from anywhere: inline SVG charts and the table."""
    run_sweep(load_spec(plans_spec(tmp_path, n=60, weeks=2)), tmp_path / "out")
    page = (tmp_path / "out" / REPORT).read_text(encoding="utf-8")
    for fetch in ("<script", "<link", "src=", "@import", "url(http", "url(//", 'href="http', 'href="//'):
        assert fetch not in page
    assert page.count("<svg") == 4  # scenarios, sets, tornado, cost vs CO2e
    assert "Sensitivity of total cost (tornado)" in page and "rail_rate" in page
    assert "No change of total cost: rail_rate under Poland-Belarus border closed (again)" in page


def test_a_grid_without_the_base_point_says_so_not_unfinished(tmp_path):
    """Rail rate 1.3 only, its base 1.0 (the file's): the per-column bars have no cell to draw,
    and the caption says why instead of calling finished cells unfinished."""
    spec_file = plans_spec(tmp_path, weeks=1)
    text = spec_file.read_text(encoding="utf-8").replace("values = [1.0, 1.3]", "values = [1.3]")
    spec_file.write_text(text, encoding="utf-8")
    run_sweep(load_spec(spec_file), tmp_path / "out")
    page = (tmp_path / "out" / REPORT).read_text(encoding="utf-8")
    assert "No cell at the base point, so no bar: base (rail_rate = 1)" in page
    assert "Not finished" not in page

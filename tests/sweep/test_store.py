"""The output directory: the log survives a torn last line, one sweep writes a directory at a
time, the tables hold the same rows in Parquet and CSV, plan files come on request."""

from __future__ import annotations

import csv
import io

import pyarrow.parquet as pq
import pytest

from network.errors import InputError
from sweep import Sweep, load_spec, run_sweep
from sweep.store import CSV, LOG, PARQUET, PLANS_DIR, REPORT, Store
from tests.sweep.conftest import plans_spec


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

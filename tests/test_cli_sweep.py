"""The `sweep` command: outputs and exit codes, problems of a spec all at once (exit 2), failed
cells (exit 1), a rerun that does nothing, Ctrl-C on the local cluster (exit 130) and the resume."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from cli import cli
from sweep.store import CSV, LOG, PARQUET, REPORT
from tests.sweep.conftest import ROOT, plans_spec

HEADER = "id,origin,destination,weight_kg,ready"


def _alive_in_session(session: int, within_s: float) -> list[str]:
    """Processes of a session still running after `within_s` (zombies waiting to be reaped aside)."""
    deadline = time.monotonic() + within_s
    while True:
        listing = subprocess.run(["ps", "-o", "pid=,stat=,cmd=", "-g", str(session)], capture_output=True,
                                 text=True).stdout.splitlines()
        alive = [line for line in listing if line.split()[1:2] != ["Z"] and "<defunct>" not in line]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.2)


def run(*args: str):
    result = CliRunner().invoke(cli, list(args), obj={})
    assert "Traceback" not in result.output + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_a_sweep_in_process_writes_its_outputs_and_a_rerun_does_nothing(tmp_path):
    """Exit 0, the tables and the report written, progress on stderr; the same command again
    computes nothing and leaves the log as it was."""
    spec = plans_spec(tmp_path, weeks=1)
    out = tmp_path / "out"
    first = run("sweep", str(spec), "--out", str(out), "--workers", "0")
    assert first.exit_code == 0, first.stderr
    assert first.stdout.startswith("4 cells: 4 done, 0 failed")
    assert "sweep 'tiny plans': 4 cells, 0 finished before; 4 to compute in 4 tasks" in first.stderr
    assert "cells 4/4 finished" in first.stderr
    for name in (CSV, PARQUET, REPORT, LOG):
        assert (out / name).is_file()
    log = (out / LOG).read_text()
    again = run("sweep", str(spec), "--out", str(out), "--workers", "0")
    assert again.exit_code == 0 and f"nothing to compute: all 4 cells are finished in {out}" in again.stderr
    assert (out / LOG).read_text() == log


def test_a_bad_spec_is_every_problem_on_its_own_line_and_exit_2(tmp_path):
    """Each problem one `error: file: key path: message` line; nothing written."""
    spec = tmp_path / "spec.toml"
    spec.write_text('name = "x"\n[run]\nsolver = "cplex"\n[[consignments]]\nfile = "nope.csv"\n')
    result = run("sweep", str(spec), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: {spec}: run.solver: unknown solver 'cplex' (expected highs, scip, greedy)",
        f"error: {spec}: consignments[1].file: 'nope.csv' does not exist"]
    assert not (tmp_path / "out").exists()


def test_a_bad_consignments_file_is_reported_before_any_cell(tmp_path):
    """A set's file is read before anything runs: its problems as file:line:column, exit 2."""
    (tmp_path / "week.csv").write_text(f"{HEADER}\nA,Namur,Zhengzhou,heavy,2026-11-02\n")
    spec = tmp_path / "spec.toml"
    spec.write_text('name = "x"\n[run]\nsolver = "greedy"\n[[consignments]]\nfile = "week.csv"\n')
    result = run("sweep", str(spec), "--out", str(tmp_path / "out"), "--workers", "0")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {tmp_path / 'week.csv'}:2:4 (weight_kg): ")
    assert not (tmp_path / "out").exists()


def test_failed_cells_are_reported_once_per_error_and_exit_1(tmp_path):
    """A column with a bad scenario: its first failure in full, the repeats counted, exit 1."""
    spec = plans_spec(tmp_path, weeks=1, extra='[[scenario]]\nlabel = "typo"\nfiles = ["bad.toml"]\n')
    result = run("sweep", str(spec), "--out", str(tmp_path / "out"), "--workers", "0")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    failed = [line for line in lines if line.startswith("failed: ")]
    assert failed[0].startswith("failed: cell ") and "scenario 'typo', rail_rate=1)" in failed[0]
    assert failed[0].endswith("change[1].corridor: unknown corridor 'PL-BY'; did you mean 'PL-BY-border'? "
                              "(known: KZ-CN-border, PL-BY-border, cape, suez)")
    assert failed[1:] == ["failed: 1 more cells with the errors above"]
    assert lines[-1] == (f"error: 2 of 6 cells failed (their errors: above, in the error column of "
                         f"{tmp_path / 'out'}/results.csv and in the report)")


def test_usage_errors(tmp_path):
    """--workers sizes the local cluster only; the spec's network or --network, not both; --out
    never over an input; an unreachable scheduler is named."""
    spec = plans_spec(tmp_path, weeks=1)
    out = str(tmp_path / "o")
    result = run("sweep", str(spec), "--out", out, "--scheduler", "tcp://x:1", "--workers", "2")
    assert result.exit_code == 2
    assert "--workers sizes the local cluster: not with --scheduler" in result.stderr
    network = ROOT / "network" / "data"
    spec.write_text(f'network = "{network}"\n' + spec.read_text())
    result = run("--network", str(network), "sweep", str(spec), "--out", out)
    assert result.exit_code == 2 and "network: the spec names its network" in result.stderr
    (tmp_path / "results.csv").write_text(f"{HEADER}\nA,Namur,Zhengzhou,80,2026-11-02\n")
    spec.write_text('name = "x"\n[[consignments]]\nfile = "results.csv"\n')
    result = run("sweep", str(spec), "--out", str(tmp_path))
    assert result.exit_code == 2
    input_file = tmp_path / "results.csv"
    assert f"--out: refusing to write '{input_file}': it is an input of this run" in result.stderr


def test_an_unreachable_scheduler_is_named(tmp_path, monkeypatch):
    """--scheduler at an address where nothing listens: exit 2, one line, and no --out
    directory left behind (the run created it; no cell finished)."""
    import sweep.cluster

    monkeypatch.setattr(sweep.cluster, "CONNECT_TIMEOUT_S", 1.0)
    result = run("sweep", str(plans_spec(tmp_path, weeks=1)), "--out", str(tmp_path / "o"),
                 "--scheduler", "tcp://127.0.0.1:9")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1].startswith(
        "error: --scheduler: cannot reach a Dask scheduler at 'tcp://127.0.0.1:9'")
    assert not (tmp_path / "o").exists()


def test_ctrl_c_on_the_local_cluster_keeps_what_finished_and_the_rerun_resumes(tmp_path):
    """SIGINT to the process group (what a terminal sends) once a cell is logged: exit 130
    within seconds, no traceback, no process left; the same command finishes the rest."""
    spec = plans_spec(tmp_path, n=150, weeks=3)
    out = tmp_path / "out"
    command = [sys.executable, str(ROOT / "cli.py"), "sweep", str(spec), "--out", str(out), "--workers", "2"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not ((out / LOG).is_file() and (out / LOG).read_text().count("\n") >= 1):
            assert process.poll() is None and time.monotonic() < deadline, process.communicate()
            time.sleep(0.1)
        os.killpg(process.pid, signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130, err
    assert "Traceback" not in err and "" not in err.rstrip().splitlines(), err
    assert err.rstrip().splitlines()[-1].startswith(
        f"interrupted: the finished cells are kept in {out}/"), err
    assert _alive_in_session(process.pid, within_s=10.0) == []
    logged = (out / LOG).read_text().count("\n")
    assert 1 <= logged < 12 and (out / CSV).is_file()
    rest = run("sweep", str(spec), "--out", str(out), "--workers", "0")
    assert rest.exit_code == 0
    assert f"12 cells, {logged} finished before; {12 - logged} to compute" in rest.stderr
    assert Path(out / LOG).read_text().count("\n") == 12


def test_a_generated_set_that_cannot_be_read_is_named_by_the_spec(tmp_path):
    """A generated set whose dates run past the supported range: its problems name the spec's
    set and row (the file written for it is the store's, removed), and no --out is left."""
    spec = tmp_path / "gen.toml"
    spec.write_text('name = "x"\n[run]\nwhat = "route"\n[[consignments]]\n'
                    "generate = { n = 3, start = 2199-12-25, days = 7 }\n", encoding="utf-8")
    result = run("sweep", str(spec), "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith(f"error: {spec}: consignments set ") for line in lines), lines
    assert "(generated, row 1)" in result.stderr
    assert not (tmp_path / "o").exists()


def test_a_lock_path_that_is_a_directory_is_named(tmp_path):
    """Where the sweep's lock belongs there is a directory: exit 2, naming --out and the path."""
    (tmp_path / "o" / ".sweep.lock").mkdir(parents=True)
    result = run("sweep", str(plans_spec(tmp_path, weeks=1)), "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1].startswith("error: --out: cannot open the sweep's lock ")
    assert result.stderr.splitlines()[-1].endswith(": Is a directory")

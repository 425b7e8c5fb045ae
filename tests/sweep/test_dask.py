"""Sweeps on an embedded Dask LocalCluster of 2 workers: the same results as the cells run one
after another in this process, a resumed sweep computes only what is left (and a finished one
nothing), a worker killed during a task loses no result, a failing cell is reported."""

from __future__ import annotations

import os
import signal

import pytest

from sweep import Sweep, load_spec, run_sweep
from sweep.cluster import Sizing, dask_client
from sweep.runner import _settled, check_workers
from sweep.store import LOG
from tests.sweep.conftest import plans_spec, queries_spec, stable


@pytest.fixture(scope="module")
def client():
    with dask_client(None, Sizing(workers=2, memory_limit=2 * 1024**3, plan_workers=1), dashboard=":0") as c:
        yield c


def test_plans_on_the_cluster_equal_plans_in_process(client, tmp_path):
    """8 greedy plan cells: identical rows on 2 workers and in process, both workers used."""
    spec = load_spec(plans_spec(tmp_path))
    here = run_sweep(spec, tmp_path / "here")
    there = run_sweep(spec, tmp_path / "there", client=client, plan_workers=1)
    assert there.failed == 0 and there.computed == 8
    assert stable(there.rows) == stable(here.rows)
    assert len({r["worker"] for r in there.rows}) == 2
    assert (tmp_path / "there" / "results.parquet").is_file()
    assert (tmp_path / "there" / "report.html").is_file()


@pytest.mark.parametrize("what", ["route", "compare"])
def test_query_batches_on_the_cluster_equal_in_process(client, tmp_path, what):
    """48 query cells in batches of 7: identical rows on the cluster and in process."""
    spec = load_spec(queries_spec(tmp_path, what))
    here = run_sweep(spec, tmp_path / "here", report=False)
    there = run_sweep(spec, tmp_path / "there", client=client, report=False)
    assert there.computed == 48 and there.failed == 0
    assert stable(there.rows) == stable(here.rows)


def test_an_interrupted_sweep_resumes_and_a_finished_one_does_nothing(client, tmp_path):
    """Stopped after 3 cells: the log holds them and the tables show them; the rerun computes
    the 5 left, giving the rows of an uninterrupted sweep; a third run computes nothing."""
    spec = load_spec(plans_spec(tmp_path))
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        run_sweep(spec, out, client=client, plan_workers=1, stop_after=3)
    logged = (out / LOG).read_text().splitlines()
    assert len(logged) >= 3
    with Sweep(spec, out) as opened:
        assert len(opened.todo) == 8 - len(logged)
        assert len(opened.records) == len(logged)
    resumed = run_sweep(spec, out, client=client, plan_workers=1)
    assert resumed.computed == 8 - len(logged) and len(resumed.rows) == 8
    full = run_sweep(spec, tmp_path / "full")
    assert stable(resumed.rows) == stable(full.rows)
    again = run_sweep(spec, out, client=client, plan_workers=1)
    assert again.computed == 0 and len((out / LOG).read_text().splitlines()) == 8


def test_a_failing_cell_is_reported_and_the_sweep_goes_on(client, tmp_path):
    """A column whose scenario does not apply: its cells fail with the error, reported as they
    finish; the other cells are done."""
    spec = load_spec(plans_spec(tmp_path, extra='[[scenario]]\nlabel = "typo"\nfiles = ["bad.toml"]\n'))
    events = []
    outcome = run_sweep(spec, tmp_path / "out", client=client, plan_workers=1, listener=events.append)
    failed = [e for e in events if e.kind == "failed"]
    assert len(failed) == outcome.failed == 4
    assert all("unknown corridor 'PL-BY'" in e.text and "scenario 'typo'" in e.cell for e in failed)
    assert sum(r["status"] == "done" for r in outcome.rows) == 8


def test_a_highs_plan_starts_its_solver_processes_in_a_worker(client, tmp_path):
    """Workers are not daemonic: the planner's solver processes start there."""
    text = plans_spec(tmp_path, n=12, weeks=1).read_text().replace('solver = "greedy"',
                                                                    'solver = "highs"\ntime_limit_s = 4')
    (tmp_path / "spec.toml").write_text(text.replace("values = [1.0, 1.3]", "values = [1.0]"))
    outcome = run_sweep(load_spec(tmp_path / "spec.toml"), tmp_path / "out", client=client, plan_workers=1)
    assert outcome.failed == 0 and {r["solver"] for r in outcome.rows} == {"highs"}
    assert all(r["served"] > 0 for r in outcome.rows)


def test_daemonic_workers_are_refused():
    """Workers that could not start solver processes are named before any plan is sent."""
    class Daemonic:
        def run(self, function):
            return {"tcp://10.0.0.1:1234": True, "tcp://10.0.0.2:1234": False}

    with pytest.raises(ValueError, match=r"tcp://10.0.0.1:1234 run as daemonic processes.*"
                                         r"DASK_DISTRIBUTED__WORKER__DAEMON=False"):
        check_workers(Daemonic())


def _sweep_killing_a_busy_worker(client, spec, out):
    """Run the sweep, SIGKILL-ing the worker that computes its first running task; the outcome
    and (worker, keys it was computing)."""
    killed: list[tuple[str, list[str]]] = []

    def kill_a_busy_worker(event):
        if killed or event.kind not in ("progress", "start"):
            return
        processing = client.processing()
        busy = {w: [str(k) for k in keys if str(k).startswith("sweep-plan-")]
                for w, keys in processing.items()}
        busy = {w: keys for w, keys in busy.items() if keys}
        if not busy:
            return
        worker = sorted(busy)[0]
        pid = client.run(os.getpid, workers=[worker])[worker]
        os.kill(pid, signal.SIGKILL)
        killed.append((worker, busy[worker]))

    outcome = run_sweep(spec, out, client=client, plan_workers=1, listener=kill_a_busy_worker)
    assert killed, "no task was running to kill a worker under"
    return outcome, killed[0]


def test_a_worker_killed_during_a_task_loses_no_result(client, tmp_path):
    """SIGKILL to a worker while it computes a cell: the scheduler runs the cell again on a
    worker alive, every cell is done, and the rows are those of the sweep in process."""
    spec = load_spec(plans_spec(tmp_path, n=250, weeks=2))
    outcome, (worker, keys) = _sweep_killing_a_busy_worker(client, spec, tmp_path / "there")
    assert outcome.failed == 0 and outcome.computed == 8, [r["error"] for r in outcome.rows if r["error"]]
    lost = {key.removeprefix("sweep-plan-") for key in keys}
    assert all(r["worker"] != worker for r in outcome.rows if r["cell"] in lost)
    assert stable(outcome.rows) == stable(run_sweep(spec, tmp_path / "here").rows)


def test_the_only_worker_killed_loses_no_input_nor_result(tmp_path):
    """One worker (the local default for MIP plans on 2 cores), killed mid-task: the nanny starts
    another, the inputs it held are sent again (they are tasks the scheduler can redo, not
    scattered data that would be lost), every cell is done."""
    spec = load_spec(plans_spec(tmp_path, n=250, weeks=1))
    sizing = Sizing(workers=1, memory_limit=2 * 1024**3, plan_workers=1)
    with dask_client(None, sizing, dashboard=":0") as one:
        outcome, _ = _sweep_killing_a_busy_worker(one, spec, tmp_path / "there")
    assert outcome.failed == 0 and outcome.computed == 4, [r["error"] for r in outcome.rows if r["error"]]
    assert stable(outcome.rows) == stable(run_sweep(spec, tmp_path / "here").rows)


@pytest.mark.parametrize(("status", "settled"), [("finished", True), ("error", False), ("cancelled", False),
                                                 ("lost", None), ("pending", None)])
def test_a_result_lost_with_its_worker_is_waited_for_again(status, settled):
    """A future the queue yields as done but whose result a dying worker took with it ('lost',
    then 'pending' while computed again) is neither read nor failed: it is waited for again."""
    assert _settled(status) is settled

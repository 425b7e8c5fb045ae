"""Scale benchmark of `sweep`: plan cells on an embedded Dask LocalCluster against the same cells
one after another in this process, the task overhead of route-query batches, the memory of a
plan cell, and a projection of the annual sweep (52 weeks × 20 scenarios) onto N nodes.

Prints tables, with the machine's load average before and after each measurement and the
"ceiling": how many times more pure-Python work the workers' processes got done than one process,
measured just before and after (the lower of the two; 2.0 on two idle cores). On a shared machine
no speed-up can exceed it.

Quick run:  python bench/sweep_scale.py --cells 4 --n 1000 --skip-highs --skip-big
Full run:   python bench/sweep_scale.py          (the README's figures; about 20 minutes)
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psutil

from sweep import Sweep, load_spec
from sweep.cluster import Sizing, dask_client

PLANS = """name = "bench plans"
[run]
what = "plan"
solver = "{solver}"
time_limit_s = {time_limit}
[[consignments]]
label = "surge"
generate = {{ n = {n}, start = 2026-09-09, days = 56, surge = true }}
seeds = [{seeds}]
"""
QUERIES = """name = "bench queries"
[run]
what = "route"
batch = {batch}
[[consignments]]
label = "queries"
generate = {{ n = {n}, start = 2026-11-02, days = 28 }}
"""


def warm(client: object) -> None:
    """Import the planner and the engine on every worker (a worker's first task would)."""
    def imports() -> None:
        import routing.planner.pipeline  # noqa: F401
        import sweep.work  # noqa: F401

    client.run(imports)  # type: ignore[attr-defined]


def _burn(_: int) -> float:
    started = time.perf_counter()
    total = 0
    for i in range(10_000_000):
        total += i
    return time.perf_counter() - started


def parallel_capacity(workers: int) -> float:
    """How many times more pure-Python work `workers` processes get done than one, now: the
    ceiling of any speed-up on this machine under its current load (2.0 on 2 idle cores)."""
    import multiprocessing

    alone = min(_burn(0) for _ in range(2))
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        pool.map(_burn, range(workers))  # started and warm
        started = time.perf_counter()
        pool.map(_burn, range(workers))
        together = time.perf_counter() - started
    return workers * alone / together


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f}/{five:.1f}"


def spec_file(directory: Path, text: str) -> Path:
    path = directory / "spec.toml"
    path.write_text(text, encoding="utf-8")
    return path


def timed_run(spec_path: Path, out: Path, client: object | None,
              plan_workers: int) -> tuple[float, list[dict]]:
    """Wall time of computing every cell (inputs already read), and the rows."""
    with Sweep(load_spec(spec_path), out) as sweep:
        started = time.monotonic()
        outcome = sweep.run(client, plan_workers=plan_workers, report=False)
        return time.monotonic() - started, outcome.rows


def plan_speedup(n: int, cells: int, solver: str, time_limit: float, workers: int) -> dict[str, float]:
    """Sequential (each plan with the machine's cores) against `workers` local Dask workers."""
    ceiling = parallel_capacity(workers)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        seeds = ", ".join(str(s) for s in range(1, cells + 1))
        path = spec_file(root, PLANS.format(solver=solver, time_limit=time_limit, n=n, seeds=seeds))
        before = load()
        sequential, rows_here = timed_run(path, root / "here", None, 2)
        started = time.monotonic()
        sizing = Sizing(workers, 4 * 1024**3, max(1, (os.cpu_count() or 2) // workers))
        with dask_client(None, sizing, dashboard=":0") as client:
            warm(client)
            startup = time.monotonic() - started
            parallel, rows_there = timed_run(path, root / "there", client, sizing.plan_workers)
        after = load()
    def gaps(rows: list[dict]) -> float:
        found = [r["gap"] for r in rows if r.get("gap") is not None]
        return statistics.median(found) if found else math.nan
    same = [a["total_cost_eur"] == b["total_cost_eur"] for a, b in zip(rows_here, rows_there, strict=True)]
    return {"sequential": sequential, "parallel": parallel, "startup": startup,
            "per_cell": sequential / cells, "speedup": sequential / parallel, "same": sum(same),
            "gap_here": gaps(rows_here), "gap_there": gaps(rows_there),
            "cost_here": sum(r["total_cost_eur"] for r in rows_here),
            "cost_there": sum(r["total_cost_eur"] for r in rows_there), "load": f"{before} → {after}",
            "ceiling": min(ceiling, parallel_capacity(workers))}


def query_overhead(n: int, batches: list[int], workers: int) -> list[dict[str, float]]:
    """Route-query sweeps of `n` queries in batches, in process and on the cluster: the overhead
    per task is the workers' time per task beyond what the same tasks took in process."""
    out = []
    with tempfile.TemporaryDirectory() as tmp, \
            dask_client(None, Sizing(workers, 2 * 1024**3, 1), dashboard=":0") as client:
        root = Path(tmp)
        warm(client)
        for batch in batches:
            path = spec_file(root, QUERIES.format(batch=batch, n=n))
            before = load()
            here, rows_here = timed_run(path, root / f"here-{batch}", None, 1)
            there, _ = timed_run(path, root / f"there-{batch}", client, 1)
            tasks = math.ceil(n / batch)
            query_s = sum(r["solve_s"] for r in rows_here)
            busy = min(workers, tasks)  # workers that had a task
            # Worker time per task beyond what the same tasks took in process.
            overhead = (there * busy - here) / tasks
            out.append({"batch": batch, "tasks": tasks, "here": here, "there": there, "query_s": query_s,
                        "per_query_ms": 1000 * there / n, "overhead_ms": 1000 * overhead,
                        "load": f"{before} → {load()}"})
    return out


def plan_memory(n: int, solver: str, time_limit: float) -> tuple[float, float]:
    """Peak resident memory (GiB, the worker process and its solver processes together) and
    wall time of one plan cell of `n` consignments in a one-worker local cluster."""
    with tempfile.TemporaryDirectory() as tmp, \
            dask_client(None, Sizing(1, 16 * 1024**3, 2), dashboard=":0") as client:
        root = Path(tmp)
        path = spec_file(root, PLANS.format(solver=solver, time_limit=time_limit, n=n, seeds="1"))
        warm(client)
        pid = next(iter(client.run(os.getpid).values()))
        peak = [0]
        done = threading.Event()

        def sample() -> None:
            process = psutil.Process(pid)
            while not done.is_set():
                try:
                    tree = [process, *process.children(recursive=True)]
                    peak[0] = max(peak[0], sum(p.memory_info().rss for p in tree if p.is_running()))
                except psutil.Error:
                    pass
                time.sleep(0.2)

        thread = threading.Thread(target=sample, daemon=True)
        thread.start()
        wall, _ = timed_run(path, root / "out", client, 2)
        done.set()
        thread.join()
    return peak[0] / 1024**3, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1000, help="consignments per plan cell")
    parser.add_argument("--cells", type=int, default=8, help="plan cells per measurement")
    parser.add_argument("--workers", type=int, default=2, help="local Dask workers")
    parser.add_argument("--time-limit", type=float, default=30.0, help="highs plan cells' time limit (s)")
    parser.add_argument("--queries", type=int, default=4000, help="route queries per batch measurement")
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 10, 100, 1000])
    parser.add_argument("--big", type=int, default=10000, help="consignments of the memory / projection cell")
    parser.add_argument("--big-time-limit", type=float, default=120.0)
    parser.add_argument("--node-cores", type=int, default=32)
    parser.add_argument("--nodes", type=int, nargs="+", default=[1, 2, 4, 8, 16, 32])
    parser.add_argument("--skip-highs", action="store_true")
    parser.add_argument("--skip-big", action="store_true")
    args = parser.parse_args()

    print(f"machine: {os.cpu_count()} cores, {psutil.virtual_memory().total / 1024**3:.1f} GiB; "
          f"load average (1/5 min) {load()}\n")
    print(f"plan cells of {args.n:,} consignments, {args.cells} cells: sequential in process (plans "
          f"with 2 solver processes) vs {args.workers} Dask workers (1 thread, plans with 1 solver "
          "process each)")
    print(f"{'solver':>8} {'seq s':>8} {'dask s':>8} {'start s':>8} {'s/cell':>7} {'speed-up':>8} "
          f"{'ceiling':>8} {'same':>5} {'gap seq':>8} {'gap dask':>8} {'Δ cost':>8}  load")
    solvers = [("greedy", 60.0)] + ([] if args.skip_highs else [("highs", args.time_limit)])
    for solver, limit in solvers:
        r = plan_speedup(args.n, args.cells, solver, limit, args.workers)
        delta = (r["cost_there"] - r["cost_here"]) / r["cost_here"]
        print(f"{solver:>8} {r['sequential']:8.1f} {r['parallel']:8.1f} {r['startup']:8.1f} "
              f"{r['per_cell']:7.1f} {r['speedup']:7.2f}× {r['ceiling']:7.2f}× "
              f"{int(r['same']):>2}/{args.cells:<2} "
              f"{r['gap_here']:8.4%} {r['gap_there']:8.4%} {delta:+8.3%}  {r['load']}")

    print(f"\nroute queries: {args.queries:,} queries, {args.workers} Dask workers")
    print(f"{'batch':>6} {'tasks':>6} {'queries s':>10} {'in process s':>12} {'dask s':>8} {'ms/query':>9} "
          f"{'overhead/task ms':>17}  load")
    for r in query_overhead(args.queries, args.batches, args.workers):
        print(f"{int(r['batch']):>6} {int(r['tasks']):>6} {r['query_s']:10.2f} {r['here']:12.2f} "
              f"{r['there']:8.2f} {r['per_query_ms']:9.3f} {r['overhead_ms']:17.1f}  {r['load']}")

    if args.skip_big:
        return
    before = load()
    memory, wall = plan_memory(args.big, "highs", args.big_time_limit)
    print(f"\none plan cell of {args.big:,} consignments (highs, {args.big_time_limit:g} s, 2 solver "
          f"processes): {wall:.1f} s wall, peak memory {memory:.2f} GiB (worker and solver processes); "
          f"load {before} → {load()}")
    cells = 52 * 20
    plans_per_node = args.node_cores // 2
    print(f"\nprojection: the annual sweep, 52 weeks × 20 scenarios = {cells:,} plans of {args.big:,} "
          f"consignments at {wall:.0f} s each (measured above), {args.node_cores}-core nodes running "
          f"{plans_per_node} plans each (2 cores and {memory:.1f} GiB per plan: "
          f"{plans_per_node * memory:.0f} GiB per node)")
    print(f"{'nodes':>6} {'plans at once':>14} {'rounds':>7} {'wall':>10} {'core-hours':>11}")
    for nodes in args.nodes:
        at_once = nodes * plans_per_node
        rounds = math.ceil(cells / at_once)
        hours = rounds * wall / 3600
        print(f"{nodes:>6} {at_once:>14} {rounds:>7} {hours:9.2f}h {cells * wall * 2 / 3600:11.0f}")


if __name__ == "__main__":
    main()

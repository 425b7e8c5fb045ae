"""Benchmark of the transit-time reliability figures (issue 16): prints a table.

1. `compare` on the README lane (Namur → Zhengzhou, 800 kg, ready 1 Dec 2026, due 31 Dec and
   27 Dec), in process: the engine's part (compare and the gaps, what `cli.py compare` did
   before) against what reliability adds (`routing.ontime.compare_reliability`, which also
   finds the gaps: the figures of every row at 10,000 draws each and the line on how early to
   leave; with `--on-time 0.9` the per-mode search too). Cold: the first query of the process; warm: the
   median of `--repeat` more.
2. `plan` of generated consignments (bench/generate_consignments.py, seed 1) with `--on-time`:
   the time spent judging columns (inside the time limit) and computing each assignment's
   figures (after it), as shares of the time limit, and the wall times with and without.

Usage: python bench/reliability_perf.py [--repeat 20] [--n 1000] [--time-limit 15] [--skip-plan]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from network.loader import load_network  # noqa: E402
from routing.compare import compare, missing_modes  # noqa: E402
from routing.consignment import Consignment  # noqa: E402
from routing.ontime import OnTimeGoal, compare_reliability  # noqa: E402
from routing.reliability import Simulator  # noqa: E402
from routing.search import SearchOptions  # noqa: E402

BRU, SHA = ZoneInfo("Europe/Brussels"), ZoneInfo("Asia/Shanghai")


def _lane(due_day: int) -> Consignment:
    return Consignment("BE-NAMUR", "CN-ZHENGZHOU", 800, 3.5, datetime(2026, 12, 1, 9, 0, tzinfo=BRU),
                       datetime(2026, 12, due_day, 23, 59, 59, tzinfo=SHA))


def _engine(net, c, options):
    result = compare(net, c, options)
    gaps = missing_modes(net, c, options, result.by_mode)
    return result, gaps


def _reliability(net, c, options, result, target: float | None) -> str:
    """What `cli.py compare` adds for reliability (`routing.ontime.compare_reliability`: the
    per-mode search with a target, the figures of every row, the line)."""
    found = compare_reliability(net, c, options, OnTimeGoal(target), result, Simulator(net))
    return found.line


def _timed(fn, repeat: int) -> tuple[float, float]:
    """(first call, median of `repeat` more) in ms."""
    t0 = time.perf_counter()
    fn()
    cold = (time.perf_counter() - t0) * 1000
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t0) * 1000)
    return cold, statistics.median(runs)


def compare_table(repeat: int) -> None:
    net = load_network(None)
    options = SearchOptions()
    print("compare, default network, in process (ms; cold = first query of the process, warm = "
          f"median of {repeat})")
    print(f"{'query':<44} {'engine cold':>11} {'engine warm':>11} {'+ rel. cold':>11} "
          f"{'+ rel. warm':>11}  line")
    for due_day, target in ((31, None), (27, None), (27, 0.9)):
        c = _lane(due_day)
        engine = _timed(lambda c=c: _engine(net, c, options), repeat)
        result = compare(net, c, options)
        line = ""

        def added(c=c, result=result, target=target) -> None:
            nonlocal line
            line = _reliability(net, c, options, result, target)

        extra = _timed(added, repeat)
        label = f"due {due_day} Dec" + (f", --on-time {target}" if target else "")
        print(f"{label:<44} {engine[0]:>11.1f} {engine[1]:>11.1f} {extra[0]:>11.1f} {extra[1]:>11.1f}"
              f"  {line}", flush=True)


def plan_table(n: int, time_limit: float, target: float) -> None:
    from generate_consignments import surge_instance

    import routing.planner.ontime as ontime
    from routing.planner import PlanRequest, plan_consignments

    net, cs = surge_instance(load_network(None), n, 1)
    spent = {"judge": 0.0, "calls": 0, "columns": 0}
    judged = ontime._probabilities_of

    def timed_judge(request, candidates):  # the probabilities of columns, inside the time limit
        t0 = time.perf_counter()
        out = judged(request, candidates)
        spent["judge"] += time.perf_counter() - t0
        spent["calls"] += 1
        spent["columns"] += len(candidates)
        return out

    ontime._probabilities_of = timed_judge
    print(f"\nplan, {n} generated consignments ({sum(c.due is not None for c in cs)} with a due date), "
          f"time limit {time_limit:g} s, highs")
    print(f"{'run':<26} {'wall s':>7} {'served':>7} {'judging s':>9} {'columns':>8} {'figures s':>9} "
          f"{'share of limit':>14}")
    for on_time in (None, target):
        request = PlanRequest(net, cs, time_limit_s=time_limit, on_time=on_time)
        spent.update(judge=0.0, calls=0, columns=0)
        t0 = time.monotonic()
        plan = plan_consignments(request)
        wall = time.monotonic() - t0
        t1 = time.monotonic()
        ontime.assignment_figures(plan)
        figures = time.monotonic() - t1
        share = (spent["judge"] + figures) / time_limit
        label = "without --on-time" if on_time is None else f"--on-time {on_time}"
        print(f"{label:<26} {wall:>7.1f} {len(plan.assignments):>7} {spent['judge']:>9.2f} "
              f"{spent['columns']:>8} {figures:>9.2f} {share:>14.1%}", flush=True)
    ontime._probabilities_of = judged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--time-limit", type=float, default=15.0)
    parser.add_argument("--on-time", type=float, default=0.9)
    parser.add_argument("--skip-plan", action="store_true")
    args = parser.parse_args()
    compare_table(args.repeat)
    if not args.skip_plan:
        plan_table(args.n, args.time_limit, args.on_time)


if __name__ == "__main__":
    main()

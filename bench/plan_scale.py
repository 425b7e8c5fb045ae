"""Scale benchmark of `plan`: generated surge instances on the default network (8-week window).

Prints per n: candidates, model size, solve time, gap, served, cost vs the greedy baseline.
The model size is '-' on large instances, where the whole MIP is never built (see mip.py).
Quick run: python bench/plan_scale.py --n 100 1000 --time-limit 60
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_consignments import generate, write

from network.loader import load_network
from routing.planner import PlanRequest, plan_consignments
from routing.planner.consignments import read_consignments
from routing.planner.verify import verify_plan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, nargs="+", default=[100, 1000, 5000, 10000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--solver", default="highs")
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--max-departures", type=int, default=6)
    parser.add_argument("--alternatives", type=int, default=3)
    parser.add_argument("--naive", action="store_true",
                        help="Solve with the naive container model (no y ≤ n rows) for comparison.")
    args = parser.parse_args()
    network = load_network(None)
    print(f"{'n':>6} {'cands':>7} {'vars':>8} {'rows':>8} {'groups':>6} {'time s':>7} {'gap':>8} "
          f"{'served':>7} {'greedy':>7} {'cost EUR':>12} {'greedy EUR':>12} {'saving':>7}  termination")
    for n in args.n:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "c.csv"
            write(generate(n, args.seed, date(2026, 9, 9), 56, True), path)
            net, cs = read_consignments(path, network)
        common = {"max_departures": args.max_departures, "alternatives": args.alternatives}
        if args.naive:
            common["formulation"] = "naive"
        t0 = time.monotonic()
        plan = plan_consignments(PlanRequest(net, cs, solver=args.solver, time_limit_s=args.time_limit,
                                             **common))
        elapsed = time.monotonic() - t0
        greedy = plan_consignments(PlanRequest(net, cs, solver="greedy", max_departures=args.max_departures,
                                               alternatives=args.alternatives))
        verify_plan(plan)
        verify_plan(greedy)
        size = plan.model_size
        gap = "-" if plan.gap is None else f"{plan.gap:.4%}"
        saving = (greedy.total_cost_eur - plan.total_cost_eur) / greedy.total_cost_eur
        print(f"{n:>6} {plan.candidates:>7} {size.get('variables', '-'):>8} "
              f"{size.get('constraints', '-'):>8} "
              f"{size.get('groups', 0):>6} {elapsed:>7.1f} {gap:>8} {len(plan.assignments):>7} "
              f"{len(greedy.assignments):>7} {plan.total_cost_eur:>12,.0f} {greedy.total_cost_eur:>12,.0f} "
              f"{saving:>7.2%}  {plan.termination}", flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:,.0f} MiB")


if __name__ == "__main__":
    main()

"""Scale benchmark of `plan`: generated surge instances on the default network (8-week window).

Prints one row per (n, seed): columns at the start and at the end, wall time against the time
limit (the limit is kept end to end: the wall time includes building the plan object), the
plan's objective, its lower bound over every itinerary and the gap between them, what the bound
rests on, served against the greedy baseline and the cost saved against it, and the peak memory
of the process so far. Every plan is checked by the independent verifier first.

    python bench/plan_scale.py --n 100 1000 --time-limit 15 --seeds 1 2 3
    python bench/plan_scale.py --n 10000 --time-limit 120
    python bench/plan_scale.py --n 1000 --time-limit 15 --no-open-rows   # without the (open) rows
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_consignments import surge_instance

from network.loader import load_network
from routing.planner import PlanRequest, plan_consignments
from routing.planner.model import PlanSettings
from routing.planner.verify import verify_plan


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1])
    parser.add_argument("--solver", default="highs")
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--max-departures", type=int, default=6)
    parser.add_argument("--alternatives", type=int, default=3)
    parser.add_argument("--no-open-rows", action="store_true",
                        help="Drop the (open) rows y <= n from the model, for comparison.")
    args = parser.parse_args()
    network = load_network(None)
    settings = PlanSettings(open_rows=not args.no_open_rows)
    print(f"{'n':>6} {'seed':>4} {'columns':>15} {'wall s':>7} {'limit':>6} {'objective':>13} "
          f"{'bound':>13} {'gap':>8} {'served':>13} {'vs greedy':>9} {'peak MiB':>8}  bound rests on")
    for n in args.n:
        for seed in args.seeds:
            net, cs = surge_instance(network, n, seed)
            request = PlanRequest(net, cs, solver=args.solver, time_limit_s=args.time_limit,
                                  max_departures=args.max_departures, alternatives=args.alternatives)
            started = time.monotonic()
            plan = plan_consignments(request, settings=settings, started=started)
            wall = time.monotonic() - started
            greedy = plan_consignments(PlanRequest(net, cs, solver="greedy",
                                                   max_departures=args.max_departures,
                                                   alternatives=args.alternatives))
            verify_plan(plan)
            verify_plan(greedy)
            first = plan.stages[0][2].split(" candidates")[0] if plan.stages else "?"
            gap = "-" if plan.gap is None else f"{plan.gap:.4%}"
            bound = "-" if plan.best_bound is None else f"{plan.best_bound:,.0f}"
            saving = (greedy.total_cost_eur - plan.total_cost_eur) / greedy.total_cost_eur
            served = f"{len(plan.assignments)} ({len(greedy.assignments)})"
            print(f"{n:>6} {seed:>4} {first + ' → ' + format(plan.candidates, ','):>15} {wall:>7.1f} "
                  f"{args.time_limit:>6.0f} {plan.objective_value:>13,.0f} {bound:>13} {gap:>8} "
                  f"{served:>13} {saving:>9.2%} {_peak_mib():>8,.0f}  {plan.bound_basis or '-'}",
                  flush=True)


if __name__ == "__main__":
    main()

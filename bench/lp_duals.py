"""Which optimal duals of the planner's first LP give the best Lagrangian bound.

The first LP of column generation (the restricted master over the first columns) is degenerate:
many dual solutions are optimal, and each, priced over every itinerary, gives a different valid
bound. This script solves the same LP with several LP codes and algorithms and prices at each
one's duals. Prints one row per (n, seed, solver): the LP value, the solve time (in process,
one solve at a time) and the bound over every itinerary at those duals.

    python bench/lp_duals.py --n 1000 --seeds 1 2 3 5
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_consignments import first_instance, surge_instance
from ortools.math_opt.python import mathopt

from network.loader import load_network
from routing.planner import PlanRequest
from routing.planner.colgen import Multipliers, price_round
from routing.planner.spec import build

SOLVERS = {
    "HiGHS dual simplex": (mathopt.SolverType.HIGHS, mathopt.LPAlgorithm.DUAL_SIMPLEX),
    "GLOP dual simplex": (mathopt.SolverType.GLOP, mathopt.LPAlgorithm.DUAL_SIMPLEX),
    "HiGHS primal simplex": (mathopt.SolverType.HIGHS, mathopt.LPAlgorithm.PRIMAL_SIMPLEX),
    "GLOP primal simplex": (mathopt.SolverType.GLOP, mathopt.LPAlgorithm.PRIMAL_SIMPLEX),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, nargs="+", default=[1000])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1])
    parser.add_argument("--solvers", nargs="+", default=list(SOLVERS), choices=list(SOLVERS))
    args = parser.parse_args()
    network = load_network(None)
    print(f"{'n':>6} {'seed':>4}  {'solver':<22} {'LP':>14} {'LP s':>6} {'bound at its duals':>19}")
    for n in args.n:
        for seed in args.seeds:
            net, cs = surge_instance(network, n, seed)
            inst = first_instance(PlanRequest(net, cs))
            target = len(inst.servable)
            f = build(inst, relax=True, served_target=target, bounded=False)
            for name in args.solvers:
                solver, algorithm = SOLVERS[name]
                started = time.monotonic()
                params = mathopt.SolveParameters(lp_algorithm=algorithm)
                result = mathopt.solve(f.model, solver, params=params)
                took = time.monotonic() - started
                if result.termination.reason != mathopt.TerminationReason.OPTIMAL:
                    print(f"{n:>6} {seed:>4}  {name:<22} {result.termination.reason.name}", flush=True)
                    continue
                priced = price_round(inst, Multipliers.from_lp(inst, f, f.duals(result)), target)
                bound = "-" if priced is None or priced.bound is None else f"{priced.bound:,.0f}"
                print(f"{n:>6} {seed:>4}  {name:<22} {result.objective_value():>14,.1f} {took:>6.2f} "
                      f"{bound:>19}", flush=True)


if __name__ == "__main__":
    main()

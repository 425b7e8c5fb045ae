"""How many consignments a first plan serves when capacity stops some, and how many can be.

On a generated surge (bench/generate_consignments.surge_instance) over the planner's first
columns, prints one row per greedy order of `routing.planner.greedy` (the consignments served,
the plan's LCL value, the seconds), the order `solve_most_served` keeps, and then phase 1's
upper bound on the number served over every itinerary at the multipliers the subgradient method
finds in a number of steps (`routing.planner.subgradient`; the steps' and the pricing's seconds).

    python bench/first_plan.py --n 40000 --seeds 1 --steps 50 150 400
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_consignments import first_instance, surge_instance

from network.loader import load_network
from routing.planner import PlanRequest
from routing.planner.colgen import price_round
from routing.planner.greedy import Ranked, fill, orders, solve_most_served
from routing.planner.instance import Instance
from routing.planner.subgradient import served_multipliers


def _instance(n: int, seed: int) -> Instance:
    net, cs = surge_instance(load_network(None), n, seed)
    return first_instance(PlanRequest(net, cs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, nargs="+", default=[40000])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1])
    parser.add_argument("--steps", type=int, nargs="+", default=[150])
    args = parser.parse_args()
    print(f"{'n':>7} {'seed':>4}  {'first plan / bound':<38} {'served':>8} {'of servable':>11} "
          f"{'LCL value EUR':>15} {'s':>6}")
    for n in args.n:
        for seed in args.seeds:
            inst = _instance(n, seed)
            servable = len(inst.servable)
            ranked = Ranked(inst)
            for name, key in orders(inst, ranked).items():
                started = time.monotonic()
                chosen, value = fill(inst, sorted(inst.servable, key=key), ranked)
                print(f"{n:>7} {seed:>4}  {name:<38} {len(chosen):>8} {servable:>11} {value:>15,.0f} "
                      f"{time.monotonic() - started:>6.1f}", flush=True)
            started = time.monotonic()
            first = solve_most_served(inst)
            print(f"{n:>7} {seed:>4}  {'kept (solve_most_served, all three)':<38} {len(first.chosen):>8} "
                  f"{servable:>11} {first.objective:>15,.0f} {time.monotonic() - started:>6.1f}", flush=True)
            for steps in args.steps:
                started = time.monotonic()
                m = served_multipliers(inst, len(first.chosen), iterations=steps)
                searched = time.monotonic() - started
                priced = price_round(inst, m, 0)
                bound = "-" if priced is None or priced.bound is None else f"{priced.bound:,.1f}"
                print(f"{n:>7} {seed:>4}  {f'bound after {steps} subgradient steps':<38} {bound:>8} "
                      f"{servable:>11} {'':>15} {searched:>4.1f}+{time.monotonic() - started - searched:.1f}",
                      flush=True)


if __name__ == "__main__":
    main()

"""The planner's pricing per origin-day: how long one round of column generation takes to price
every consignment that shares an origin, a ready day and a goods class (issue 19's one-to-many
target), on a generated surge instance on the default network.

The multipliers are those of the instance's first LP (capacity, container fill and open duals),
so that pricing sees the costs it sees in a real run. Each consignment has its own exact search
(tariffs are not linear in weight and volume, so labels cannot be shared between consignments
of different sizes; the compiled network, adjacency, timetables and time bounds are shared);
the time per origin-day is the sum of its consignments' searches, timed with the group's
members priced together (`colgen.price_round(members=...)`), after the round's preparation
(`colgen.Pricer`: the instants listed per service, the columns already in the model), which
is made once per round for every origin-day and shown apart.

    python bench/pricing_perf.py --n 1000 --seed 1
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_consignments import surge_instance
from ortools.math_opt.python import mathopt

from network.loader import load_network
from routing.planner import PlanRequest
from routing.planner.candidates import generate as first_columns
from routing.planner.colgen import Multipliers, Pricer, price_round
from routing.planner.containers import ContainerRules
from routing.planner.instance import build_instance
from routing.planner.objective import PlanObjective
from routing.planner.spec import build


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="Rounds timed (the median is kept).")
    args = parser.parse_args()
    net, cs = surge_instance(load_network(None), args.n, args.seed)
    request = PlanRequest(net, cs)
    objective = PlanObjective.of(request.objective, cs, request.eur_per_tco2, request.eur_per_day)
    candidates, _ = first_columns(net, cs, request.objective, eur_per_day=request.eur_per_day,
                                  eur_per_tco2=request.eur_per_tco2, horizon_days=request.horizon_days,
                                  alternatives=request.alternatives, max_departures=request.max_departures)
    rules = ContainerRules(net, cs, objective)
    inst = build_instance(request, [list(c) for c in candidates], objective, rules)
    served = len(inst.servable)
    f = build(inst, relax=True, served_target=served, bounded=False)
    result = mathopt.solve(f.model, mathopt.SolverType.HIGHS,
                           params=mathopt.SolveParameters(lp_algorithm=mathopt.LPAlgorithm.DUAL_SIMPLEX))
    multipliers = Multipliers.from_lp(inst, f, f.duals(result))
    groups: dict[tuple[str, date, str], list[int]] = defaultdict(list)
    for ci, c in enumerate(cs):
        day = c.ready.astimezone(net.locations[c.origin].zone).date()
        groups[(c.origin, day, c.goods)].append(ci)
    per_group: dict[tuple[str, date, str], list[float]] = defaultdict(list)
    preparation = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        pricer = Pricer(inst, multipliers)  # once per round, shared by every origin-day
        preparation.append(time.perf_counter() - started)
        for key, members in groups.items():
            started = time.perf_counter()
            price_round(inst, multipliers, 0, members=members, pricer=pricer)
            per_group[key].append(time.perf_counter() - started)
    times = sorted(statistics.median(v) * 1000 for v in per_group.values())
    sizes = [len(m) for m in groups.values()]
    print(f"{'consignments':>12} {'origin-days':>11} {'per origin-day':>14} {'median ms':>9} "
          f"{'p90 ms':>7} {'max ms':>7} {'per consignment ms':>18} {'round prep ms':>13}")
    print(f"{len(cs):>12,} {len(groups):>11,} {statistics.mean(sizes):>14.1f} "
          f"{statistics.median(times):>9.2f} {times[int(0.9 * (len(times) - 1))]:>7.2f} {times[-1]:>7.2f} "
          f"{sum(times) / len(cs):>18.3f} {statistics.median(preparation) * 1000:>13.1f}")


if __name__ == "__main__":
    main()

"""Containers for fixed routes: once every consignment's itinerary is fixed, groups share
nothing, so each train, sailing or truck is its own small packing problem (a 2-D knapsack with
an integer container count): a greedy heuristic, and exact MIPs solved group by group.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from routing.planner.decisions import Boxed, Boxes, Chosen, DepKey
from routing.planner.instance import Instance, n_max, riders_on


def pack_groups(inst: Instance, chosen: Chosen) -> tuple[Boxes, Boxed]:
    """Containers for fixed itineraries: per shared departure, the best count n and riders to box.

    For each n the riders are boxed greedily by saving per unit of container filled; the best n
    wins. A heuristic (the per-departure problem is a 2-D knapsack).
    """
    boxes: Boxes = {}
    boxed: Boxed = set()
    uses = {ci: {leg.key for leg in inst.cands[k].legs} for ci, k in chosen.items()}
    for gi, g in enumerate(inst.groups):
        riders = [ci for ci in g.members if ci in uses and g.key in uses[ci]]
        if not riders:
            continue
        fill = {ci: max(inst.weight(ci) / g.container_kg, inst.volume(ci) / g.container_m3)
                for ci in riders}
        order = sorted(riders, key=lambda ci: (-g.saving[ci] / fill[ci], ci))
        price = g.container_eur * inst.cost_weight
        best: tuple[float, int, list[int]] = (0.0, 0, [])
        for n in range(1, n_max(inst, gi) + 1):
            kg = m3 = value = 0.0
            inside = []
            for ci in order:
                w, v = inst.weight(ci), inst.volume(ci)
                if kg + w <= n * g.container_kg + 1e-9 and m3 + v <= n * g.container_m3 + 1e-9:
                    kg, m3, value = kg + w, m3 + v, value + g.saving[ci]
                    inside.append(ci)
            if value - n * price > best[0] + 1e-9:
                best = (value - n * price, n, inside)
        if best[1]:
            boxes[g.key] = best[1]
            boxed.update((ci, g.key) for ci in best[2])
    return boxes, boxed


# The groups are independent knapsacks with an integer container count. Small ones (most road
# departures) are solved PACK_CHUNK to a MIP; big ones (trains and sailings with up to 600
# riders at 10,000 consignments) one MIP each, warm-started from the heuristic packing.
PACK_SMALL = 20  # riders
# Small groups per MIP: at 10,000 consignments the 2,261 small groups took 3.1 s in MIPs of 200,
# 2.0 s in MIPs of 50 and about 10 s one by one (each solve has a few ms of overhead).
PACK_CHUNK = 50


def exact_pack(inst: Instance, chosen: Chosen, time_limit_s: float, seed: int,
               workers: int = 1) -> tuple[Boxes, Boxed] | None:
    """The best containers for fixed itineraries within `time_limit_s`: the (box-*) and (open)
    rows alone, group by group (groups share nothing once routes are fixed). Optimal when time
    allows (the README says how long that takes); otherwise the best found, never worse than
    `pack_groups`, whose packing the groups not reached by the deadline keep. None only when a
    MIP returns no solution at all. The MIPs are independent: `workers` threads solve them
    (HiGHS releases the GIL); when every MIP ends before the time limit, the result does not
    depend on how many."""
    from ortools.math_opt.python import mathopt

    from routing.planner.spec import packing

    deadline = time.monotonic() + max(time_limit_s, 0.05)
    on = riders_on(inst, chosen)
    small = sorted(gi for gi in on if len(on[gi]) <= PACK_SMALL)
    big = sorted(gi for gi in on if len(on[gi]) > PACK_SMALL)
    # Big groups one MIP each, first: they hold most of the savings, should time run short, and
    # each alone is proven optimal far sooner than one MIP holding all of them (README).
    chunks = [[gi] for gi in big] + [small[i:i + PACK_CHUNK] for i in range(0, len(small), PACK_CHUNK)]
    heuristic = pack_groups(inst, chosen)
    by_key: dict[DepKey, set[tuple[int, DepKey]]] = {}
    for ci, key in heuristic[1]:
        by_key.setdefault(key, set()).add((ci, key))

    def heuristic_of(chunk: list[int]) -> tuple[Boxes, Boxed]:
        keys = [inst.groups[gi].key for gi in chunk]
        return ({k: heuristic[0][k] for k in keys if k in heuristic[0]},
                {pair for k in keys for pair in by_key.get(k, ())})

    def solve(chunk: list[int]) -> tuple[Boxes, Boxed] | None:
        # Past the deadline a chunk keeps the heuristic's packing (each MIP would take at least
        # its minimum time, and a large plan has thousands of chunks).
        if time.monotonic() >= deadline:
            return heuristic_of(chunk)
        f = packing(inst, {gi: on[gi] for gi in chunk})
        params = mathopt.SolveParameters(
            time_limit=timedelta(seconds=max(deadline - time.monotonic(), 0.05)), random_seed=seed,
            relative_gap_tolerance=1e-7, presolve=mathopt.Emphasis.OFF)  # presolve overran the limit
        r = mathopt.solve(f.model, mathopt.SolverType.HIGHS, params=params,
                          model_params=f.hint(inst, (chosen, *heuristic)))
        if not r.has_primal_feasible_solution():
            return None
        _, chunk_boxes, chunk_boxed = f.decisions(inst, f.values(r))
        return chunk_boxes, chunk_boxed

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        results = list(pool.map(solve, chunks))  # in chunk order, whatever the threads' timing
    boxes: Boxes = {}
    boxed: Boxed = set()
    for result in results:
        if result is None:
            return None
        boxes.update(result[0])
        boxed |= result[1]
    return boxes, boxed



"""The greedy baseline: by ready time, each consignment takes its cheapest candidate with room (LCL)."""

from __future__ import annotations

from routing.planner.decisions import Solution
from routing.planner.instance import Instance, Loads


def solve_greedy(inst: Instance) -> Solution:
    """Consignments in order of ready time (then id); each takes its best candidate that fits,
    every leg at LCL."""
    loads = Loads(inst)
    order = sorted(range(len(inst.consignments)),
                   key=lambda ci: (inst.consignments[ci].ready, inst.consignments[ci].id))
    chosen: dict[int, int] = {}
    total = 0.0
    for ci in order:
        ranked = sorted(inst.by_consignment[ci], key=lambda k: (inst.loose_value(k), k))
        pick = next((k for k in ranked if loads.fits(ci, k)), None)
        if pick is not None:
            chosen[ci] = pick
            total += inst.loose_value(pick)
            loads.add(ci, pick)
    return Solution(chosen, {}, set(), total, None, "greedy (heuristic, no bound)")

"""The greedy baseline: by ready time, each consignment takes its cheapest candidate with room (LCL)."""

from __future__ import annotations

from routing.planner.instance import Instance, Loads
from routing.planner.mip import Solution


def lcl_coef(inst: Instance, k: int) -> float:
    """Candidate k's objective with every leg at LCL (no containers at all)."""
    extra = 0.0
    for leg in inst.cands[k].legs:
        n = inst.own_fcl.get((k, leg.key))
        if n is not None:
            assert leg.service.container is not None
            extra += leg.lcl_eur - n * leg.service.container.eur
    return inst.coef[k] + inst.cost_weight * extra


def solve_greedy(inst: Instance) -> Solution:
    """Consignments in order of ready time (then id); each takes its best candidate that fits."""
    loads = Loads(inst)
    order = sorted(range(len(inst.consignments)),
                   key=lambda ci: (inst.consignments[ci].ready, inst.consignments[ci].id))
    chosen: dict[int, int] = {}
    total = 0.0
    for ci in order:
        ranked = sorted(inst.by_consignment[ci], key=lambda k: (lcl_coef(inst, k), k))
        pick = next((k for k in ranked if loads.fits(ci, k)), None)
        if pick is not None:
            chosen[ci] = pick
            total += lcl_coef(inst, pick)
            loads.add(ci, pick)
    return Solution(chosen, {}, set(), total, None, "greedy (heuristic, no bound)")

"""The greedy baseline: by ready time, each consignment takes its cheapest candidate with room (LCL)."""

from __future__ import annotations

from collections import defaultdict

from routing.planner.instance import DepKey, Instance
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
    used_kg: dict[DepKey, float] = defaultdict(float)
    used_m3: dict[DepKey, float] = defaultdict(float)
    order = sorted(range(len(inst.consignments)),
                   key=lambda ci: (inst.consignments[ci].ready, inst.consignments[ci].id))
    chosen: dict[int, int] = {}
    total = 0.0
    for ci in order:
        w, v = inst.weight(ci), inst.volume(ci)
        for k in sorted(inst.by_consignment[ci], key=lambda k: (lcl_coef(inst, k), k)):
            fits = True
            for leg in inst.cands[k].legs:
                limits = inst.capacity_limits.get(leg.key)
                if limits is None:
                    continue
                cap_kg, cap_m3 = limits
                if ((cap_kg is not None and used_kg[leg.key] + w > cap_kg + 1e-9)
                        or (cap_m3 is not None and used_m3[leg.key] + v > cap_m3 + 1e-9)):
                    fits = False
                    break
            if fits:
                chosen[ci] = k
                total += lcl_coef(inst, k)
                for leg in inst.cands[k].legs:
                    if leg.key in inst.capacity_limits:
                        used_kg[leg.key] += w
                        used_m3[leg.key] += v
                break
    return Solution(chosen, {}, set(), total, None, "greedy (heuristic, no bound)")

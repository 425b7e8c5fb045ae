"""Plans from plans: rounding the LP relaxation, and earliest-arrival tie-breaking.

Tie-breaking after the solve: among equally good itineraries, the earliest arrival.

The MIP prices a consignment's candidates that share a service sequence identically (tariffs
do not depend on the departure), so the solver may return next week's train where this week's
has room. `earliest_equivalent` moves each consignment that rides in no bought container to
the earliest-arriving candidate that costs no more and still fits every capacitated departure.
It never worsens the objective and is deterministic (consignments in index order; ties by
candidate index), which makes the plan's stated tie rule hold: objective, then earliest arrival.
"""

from __future__ import annotations

from collections import defaultdict

from routing.planner.instance import DepKey, Instance
from routing.planner.mip import Solution

EPS = 1e-9


def _loads(inst: Instance, chosen: dict[int, int]) -> dict[DepKey, list[float]]:
    loads: dict[DepKey, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for ci, k in chosen.items():
        for leg in inst.cands[k].legs:
            if leg.key in inst.capacity_limits:
                loads[leg.key][0] += inst.weight(ci)
                loads[leg.key][1] += inst.volume(ci)
    return loads


def _fits(inst: Instance, loads: dict[DepKey, list[float]], ci: int, k: int,
          current: int | None) -> bool:
    mine = set() if current is None else {leg.key for leg in inst.cands[current].legs}
    for leg in inst.cands[k].legs:
        limits = inst.capacity_limits.get(leg.key)
        if limits is None or leg.key in mine:
            continue
        kg, m3 = loads[leg.key]
        if limits[0] is not None and kg + inst.weight(ci) > limits[0] + EPS:
            return False
        if limits[1] is not None and m3 + inst.volume(ci) > limits[1] + EPS:
            return False
    return True


def earliest_equivalent(inst: Instance, sol: Solution) -> Solution:
    """`sol` with unboxed consignments moved to their earliest no-dearer candidate that fits."""
    boxed = {ci for ci, _ in sol.boxed}
    chosen = dict(sol.chosen)
    loads = _loads(inst, chosen)
    for ci in sorted(chosen):
        current = chosen[ci]
        if ci in boxed:
            continue
        best = current
        # Candidates with a container of their own are priced inside coef, so they compare alike.
        for k in inst.by_consignment[ci]:
            better = (inst.coef[k] < inst.coef[best] - EPS
                      or (abs(inst.coef[k] - inst.coef[best]) <= EPS
                          and inst.cands[k].arrive_s < inst.cands[best].arrive_s))
            if better and inst.coef[k] <= inst.coef[current] + EPS and _fits(inst, loads, ci, k,
                                                                              current):
                best = k
        if best != current:
            for leg in inst.cands[current].legs:
                if leg.key in inst.capacity_limits:
                    loads[leg.key][0] -= inst.weight(ci)
                    loads[leg.key][1] -= inst.volume(ci)
            for leg in inst.cands[best].legs:
                if leg.key in inst.capacity_limits:
                    loads[leg.key][0] += inst.weight(ci)
                    loads[leg.key][1] += inst.volume(ci)
            chosen[ci] = best
    return Solution(chosen, sol.boxes, sol.boxed, sol.objective, sol.bound, sol.termination,
                    sol.served_bound, sol.model_size)


def _take(inst: Instance, loads: dict[DepKey, list[float]], ci: int, k: int) -> None:
    for leg in inst.cands[k].legs:
        if leg.key in inst.capacity_limits:
            loads[leg.key][0] += inst.weight(ci)
            loads[leg.key][1] += inst.volume(ci)


def round_relaxation(inst: Instance, values: list[float], served_target: int) -> dict[int, int] | None:
    """Routes from an LP solution: each consignment its largest-valued candidate that still fits.

    Consignments the LP is surest about go first; one whose LP candidates are all full takes
    its cheapest candidate with room. None when fewer than `served_target` can be placed.
    Containers are then chosen for these routes separately (exact packing).
    """
    loads: dict[DepKey, list[float]] = defaultdict(lambda: [0.0, 0.0])
    order = sorted((ci for ci, ks in enumerate(inst.by_consignment) if ks),
                   key=lambda ci: (-max(values[k] for k in inst.by_consignment[ci]), ci))
    chosen: dict[int, int] = {}
    for ci in order:
        ks = inst.by_consignment[ci]
        ranked = sorted(ks, key=lambda k: (-round(values[k], 6), inst.coef[k], k))
        pick = next((k for k in ranked if _fits(inst, loads, ci, k, None)), None)
        if pick is not None:
            chosen[ci] = pick
            _take(inst, loads, ci, pick)
    return chosen if len(chosen) >= served_target else None

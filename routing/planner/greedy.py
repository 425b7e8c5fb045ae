"""Greedy plans: the baseline (by ready time, each consignment takes its cheapest candidate with
room, LCL) and the first plan of the pipeline, which tries other orders to serve more."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from routing.planner.decisions import Solution
from routing.planner.instance import Instance, Loads


def solve_greedy(inst: Instance) -> Solution:
    """Consignments in order of ready time (then id); each takes its best candidate that fits,
    every leg at LCL."""
    order = sorted(range(len(inst.consignments)),
                   key=lambda ci: (inst.consignments[ci].ready, inst.consignments[ci].id))
    chosen, total = fill(inst, order, Ranked(inst))
    return Solution(chosen, {}, set(), total, None, "greedy (heuristic, no bound)")


def solve_most_served(inst: Instance) -> Solution:
    """The greedy plan of several consignment orders that serves the most (then costs least,
    then the first order listed): ready time (the baseline), lightest first, cheapest first.

    When capacity stops consignments, the plan must serve as many as it can before it is
    cheap. Taking the consignments as they become ready fills the trains with whoever comes
    first; taking the light ones first (they use the least of every departure they ride) or
    the cheap ones first (a cheap cheapest candidate is most often light or short) serves
    more on the same departures (README, planner performance, has the figures). Each order is
    one pass over the candidates, ranked once for all; ties within an order go by consignment id.
    """
    ranked = Ranked(inst)
    best: tuple[dict[int, int], float] | None = None
    for key in orders(inst, ranked).values():
        chosen, total = fill(inst, sorted(inst.servable, key=key), ranked)
        if best is None or (len(chosen), -total) > (len(best[0]), -best[1]):
            best = (chosen, total)
    assert best is not None
    return Solution(best[0], {}, set(), best[1], None,
                    "greedy, most served of three orders (heuristic, no bound)")


def orders(inst: Instance, ranked: Ranked) -> dict[str, Callable[[int], tuple[object, ...]]]:
    """The orders `solve_most_served` tries, by name: sort keys of consignment indices."""
    ids = [c.id for c in inst.consignments]
    return {
        "ready time (the greedy baseline)": lambda ci: (inst.consignments[ci].ready, ids[ci]),
        "lightest first": lambda ci: (inst.weight(ci), inst.volume(ci), ids[ci]),
        "cheapest first": lambda ci: (ranked.cheapest(ci), ids[ci]),
    }


class Ranked:
    """Each consignment's candidates, cheapest first (LCL, then index), with their values."""

    def __init__(self, inst: Instance) -> None:
        self.value = [inst.loose_value(k) for k in range(len(inst.cands))]
        self.by_consignment = [sorted(ks, key=lambda k: (self.value[k], k)) for ks in inst.by_consignment]

    def cheapest(self, ci: int) -> float:
        ks = self.by_consignment[ci]
        return self.value[ks[0]] if ks else 0.0


def fill(inst: Instance, order: Iterable[int], ranked: Ranked) -> tuple[dict[int, int], float]:
    """Each consignment of `order` in turn on its cheapest candidate (LCL) that still fits."""
    loads = Loads(inst)
    chosen: dict[int, int] = {}
    total = 0.0
    for ci in order:
        pick = next((k for k in ranked.by_consignment[ci] if loads.fits(ci, k)), None)
        if pick is not None:
            chosen[ci] = pick
            total += ranked.value[pick]
            loads.add(ci, pick)
    return chosen, total

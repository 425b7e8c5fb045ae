"""From a solver's decisions to the typed plan: assignments, departure loads, reasons."""

from __future__ import annotations

from collections import defaultdict

from network.model import Network
from network.timetable import from_seconds
from routing.consignment import Consignment
from routing.planner.decisions import DepKey, Solution
from routing.planner.instance import Instance
from routing.planner.model import Assignment, DepartureUse, Plan, PlannedLeg, PlanSettings, Unassigned
from routing.planner.ontime import unassigned_on_time
from routing.query import unreachable_reason
from routing.search import earliest_arrival


def assemble(inst: Instance, sol: Solution, solver: str, elapsed: float, *, loose_only: bool,
             value: float, bound_basis: str, stages: tuple[tuple[str, float, str], ...],
             settings: PlanSettings, searched: int | None = None) -> Plan:
    """Turn solver decisions into assignments, departure loads and reasons. `loose_only`: the
    greedy baseline's plan (LCL everywhere, no own containers either)."""
    network = inst.request.network
    boxes: dict[DepKey, int] = dict(sol.boxes)
    boxed: set[tuple[int, DepKey]] = set(sol.boxed)
    if not loose_only:
        for ci, k in sol.chosen.items():
            for leg in inst.cands[k].legs:
                n = inst.own_fcl.get((k, leg.key))
                if n is not None:
                    boxes[leg.key] = boxes.get(leg.key, 0) + n
                    boxed.add((ci, leg.key))
    riders: dict[DepKey, list[int]] = defaultdict(list)
    for ci, k in sol.chosen.items():
        for leg in inst.cands[k].legs:
            riders[leg.key].append(ci)
    services = {}
    box_price: dict[DepKey, float] = {}  # one container, at the departure's date
    for k in sol.chosen.values():
        for leg in inst.cands[k].legs:
            services[leg.key] = leg.service
            if leg.box_eur is not None:
                box_price[leg.key] = leg.box_eur
    # Container shares: pro rata of each boxed rider's fill (the larger of weight and volume).
    share: dict[tuple[int, DepKey], float] = {}
    for key, n in boxes.items():
        box = services[key].container
        assert box is not None
        inside = [ci for ci in riders[key] if (ci, key) in boxed]
        fills = {ci: max(inst.weight(ci) / box.kg, inst.volume(ci) / box.m3) for ci in inside}
        total = sum(fills.values()) or 1.0
        for ci in inside:
            share[(ci, key)] = n * box_price[key] * fills[ci] / total
    assignments = []
    for ci in sorted(sol.chosen):
        cand = inst.cands[sol.chosen[ci]]
        legs = []
        for leg in cand.legs:
            s = leg.service
            boxed_here = (ci, leg.key) in boxed
            legs.append(PlannedLeg(s.id, s.origin, s.destination, s.mode,
                                   from_seconds(leg.depart_s, network.locations[s.origin].tz),
                                   from_seconds(leg.arrive_s, network.locations[s.destination].tz),
                                   boxed_here, leg.boxed_eur if boxed_here else leg.lcl_eur,
                                   leg.co2e_kg))
        assignments.append(Assignment(inst.consignments[ci], tuple(legs), cand.handling_eur,
                                      sum(share.get((ci, leg.key), 0.0) for leg in cand.legs),
                                      cand.handling_co2e_kg))
    departures = []
    for key in sorted(riders, key=lambda k: (k[1], k[0])):
        s = services[key]
        on = sorted(riders[key], key=lambda ci: inst.consignments[ci].id)
        departures.append(DepartureUse(
            s.id, from_seconds(key[1], network.locations[s.origin].tz),
            sum(inst.weight(ci) for ci in on), sum(inst.volume(ci) for ci in on),
            s.capacity_kg, s.capacity_m3, boxes.get(key, 0),
            box_price.get(key, 0.0),
            tuple(inst.consignments[ci].id for ci in on),
            tuple(inst.consignments[ci].id for ci in on if (ci, key) in boxed)))
    searched = len(inst.consignments) if searched is None else searched
    # Each capacitated departure's load, summed once (a reason looks at many departures).
    loads = {key: (sum(inst.weight(o) for o in on), sum(inst.volume(o) for o in on))
             for key, on in riders.items() if key in inst.capacity_limits}
    unassigned = [_reason(inst, ci, sol, loads) if ci < searched else _not_planned(inst, ci)
                  for ci in range(len(inst.consignments)) if ci not in sol.chosen]
    return Plan(inst.request, tuple(assignments), tuple(unassigned), tuple(departures), value,
                sol.bound, solver, sol.termination, elapsed, len(inst.cands), sol.model_size,
                sol.served_bound, settings, bound_basis, stages)


def _reason(inst: Instance, ci: int, sol: Solution, loads: dict[DepKey, tuple[float, float]]) -> Unassigned:
    c = inst.consignments[ci]
    network = inst.request.network
    if inst.by_consignment[ci]:
        w, v = c.weight_kg, c.volume_m3
        full = set()
        for k in inst.by_consignment[ci]:
            for leg in inst.cands[k].legs:
                limits = inst.capacity_limits.get(leg.key)
                if limits is None:
                    continue
                kg, m3 = loads.get(leg.key, (0.0, 0.0))
                if ((limits[0] is not None and kg + w > limits[0] + 1e-9)
                        or (limits[1] is not None and m3 + v > limits[1] + 1e-9)):
                    dep = from_seconds(leg.depart_s, network.locations[leg.service.origin].tz)
                    full.add(f"{leg.service.id}@{dep.isoformat()}")
        if full:
            names = tuple(sorted(full))
            return Unassigned(c, "capacity", "capacity ran out: full departures " + ", ".join(names),
                              names)
        return Unassigned(c, "capacity", "left out to serve more consignments (solver: "
                                         f"{sol.termination})")
    return unassigned_on_time(inst.request, c) or explain(network, c, inst.request.horizon_days)


def _not_planned(inst: Instance, ci: int) -> Unassigned:
    return Unassigned(inst.consignments[ci], "time_limit",
                      "the time limit ended before its itineraries were searched (raise --time-limit)")


def explain(network: Network, c: Consignment, horizon_days: float) -> Unassigned:
    """Why a consignment has no itinerary even on an empty network."""
    earliest = earliest_arrival(network, c, horizon_days)
    if earliest is not None and c.due is not None:
        return Unassigned(c, "due_date", f"no itinerary meets due {c.due.isoformat()} even on an "
                                         f"empty network; earliest arrival {earliest.arrive.isoformat()} "
                                         f"({' > '.join(earliest.signature)})")
    if earliest is None:
        reason, text = unreachable_reason(network, c, horizon_days)
        return Unassigned(c, reason, text)
    # An itinerary exists but this plan's pricing found none (its own horizon and rules).
    return Unassigned(c, "no_route", f"no itinerary from {c.origin} to {c.destination} departs "
                                     f"within {horizon_days:g} days of ready")

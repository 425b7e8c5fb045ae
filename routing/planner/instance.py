"""The planning instance shared by every solver: candidates, capacity rows, container groups."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from routing.consignment import Consignment
from routing.objectives import Objective
from routing.planner.candidates import Candidate, weights_for
from routing.planner.model import PlanRequest

# The co2 objective ranks by CO2e, then cost: 1 EUR weighs as much as 1 mg of CO2e.
CO2_COST_WEIGHT = 1e-6

DepKey = tuple[str, float]
# A plan's decisions: consignment -> candidate, shared departure -> containers, boxed riders.
Decisions = tuple[dict[int, int], dict[DepKey, int], set[tuple[int, DepKey]]]


@dataclass
class Group:
    """A departure of a container-selling service that two or more consignments may share."""

    key: DepKey
    container_eur: float
    container_kg: float
    container_m3: float
    members: list[int] = field(default_factory=list)  # consignment indices
    saving: dict[int, float] = field(default_factory=dict)  # objective saved riding in a box
    cands: dict[int, list[int]] = field(default_factory=dict)  # ci -> candidate indices


@dataclass
class Instance:
    """Everything a solver needs, prepared once from the request and its candidates."""

    request: PlanRequest
    consignments: tuple[Consignment, ...]
    cands: list[Candidate]
    by_consignment: list[list[int]]
    coef: list[float]  # objective of each candidate, every container-group leg at LCL
    cost_weight: float
    capacity: dict[DepKey, list[int]]  # capacitated departure -> candidate indices
    capacity_limits: dict[DepKey, tuple[float | None, float | None]]
    groups: list[Group]
    own_fcl: dict[tuple[int, DepKey], int]  # (candidate, leg) -> containers bought alone

    @cached_property
    def group_index(self) -> dict[DepKey, int]:
        """Each container group's position in `groups`, by departure."""
        return {g.key: gi for gi, g in enumerate(self.groups)}

    def weight(self, ci: int) -> float:
        return self.consignments[ci].weight_kg

    def volume(self, ci: int) -> float:
        return self.consignments[ci].volume_m3


class Loads:
    """Weight and volume placed so far on each capacitated departure, for plan-building heuristics."""

    def __init__(self, inst: Instance, chosen: Mapping[int, int] | None = None) -> None:
        self.inst = inst
        self.kg: dict[DepKey, float] = defaultdict(float)
        self.m3: dict[DepKey, float] = defaultdict(float)
        for ci, k in (chosen or {}).items():
            self.add(ci, k)

    def add(self, ci: int, k: int, sign: float = 1.0) -> None:
        """Put consignment `ci` on candidate `k` (or take it off, with sign -1)."""
        for leg in self.inst.cands[k].legs:
            if leg.key in self.inst.capacity_limits:
                self.kg[leg.key] += sign * self.inst.weight(ci)
                self.m3[leg.key] += sign * self.inst.volume(ci)

    def fits(self, ci: int, k: int, leaving: int | None = None) -> bool:
        """Whether `ci` fits on every capacitated departure of `k` (moving off `leaving`)."""
        mine = set() if leaving is None else {leg.key for leg in self.inst.cands[leaving].legs}
        w, v = self.inst.weight(ci), self.inst.volume(ci)
        return all(self.room(leg.key, w, v) for leg in self.inst.cands[k].legs if leg.key not in mine)

    def room(self, key: DepKey, w: float, v: float) -> bool:
        """Whether `w` kg and `v` m³ more fit on departure `key` (always, if uncapacitated)."""
        limits = self.inst.capacity_limits.get(key)
        if limits is None:
            return True
        return ((limits[0] is None or self.kg[key] + w <= limits[0] + 1e-9)
                and (limits[1] is None or self.m3[key] + v <= limits[1] + 1e-9))


def fractional_knapsack(items: list[tuple[float, float]], capacity: float) -> float:
    """The largest value of (value, size) items fitting `capacity`, items divisible."""
    total = 0.0
    for value, size in sorted(items, key=lambda item: -item[0] / item[1]):
        if capacity <= 0:
            break
        take = min(1.0, capacity / size)
        total += take * value
        capacity -= take * size
    return total


def _boxes_can_pay(key: DepKey, members: dict[int, list[int]], cands: list[Candidate],
                   request: PlanRequest, alpha: float) -> bool:
    """Whether buying containers on departure `key` can ever beat LCL for its possible riders.

    The LCL freight that n containers can save is at most the fractional-knapsack value of
    n container capacities, which is concave in the capacity: V(n·K) ≤ n·V(K). So when
    V(K) ≤ container price — for K by weight and by volume alike — no number of containers
    pays on this departure whoever rides it, and the departure needs no container variables
    (an exact reduction; it removes most on-demand road departures from the model).
    """
    leg = next(leg for leg in cands[next(iter(members.values()))[0]].legs if leg.key == key)
    box = leg.service.container
    assert box is not None
    items_kg, items_m3 = [], []
    for ci, ks in members.items():
        c = request.consignments[ci]
        own = next(x for x in cands[ks[0]].legs if x.key == key)
        items_kg.append((alpha * own.lcl_eur, c.weight_kg))
        items_m3.append((alpha * own.lcl_eur, c.volume_m3))
    bound = min(fractional_knapsack(items_kg, box.kg), fractional_knapsack(items_m3, box.m3))
    return bound > alpha * box.eur + 1e-9


def build_instance(request: PlanRequest, candidates: list[list[Candidate]]) -> Instance:
    """Flatten candidates; find capacity rows and container groups; price every candidate."""
    objective = request.objective
    alpha = CO2_COST_WEIGHT if objective is Objective.CO2 else 1.0
    cands: list[Candidate] = []
    by_consignment: list[list[int]] = []
    for per in candidates:
        by_consignment.append(list(range(len(cands), len(cands) + len(per))))
        cands.extend(per)
    riders: dict[DepKey, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    capacity: dict[DepKey, list[int]] = defaultdict(list)
    limits: dict[DepKey, tuple[float | None, float | None]] = {}
    for k, cand in enumerate(cands):
        for leg in cand.legs:
            s = leg.service
            if s.container is not None and request.consolidate:
                riders[leg.key][cand.ci].append(k)
            if s.is_capacitated and not request.ignore_capacity:
                capacity[leg.key].append(k)
                limits[leg.key] = (s.capacity_kg, s.capacity_m3)
    shared = {key for key, members in riders.items()
              if len(members) >= 2 and _boxes_can_pay(key, members, cands, request, alpha)}
    coef: list[float] = []
    own_fcl: dict[tuple[int, DepKey], int] = {}
    for k, cand in enumerate(cands):
        c = request.consignments[cand.ci]
        money = cand.handling_eur
        for leg in cand.legs:
            box = leg.service.container
            if box is not None and leg.key not in shared:
                n = box.count_for(c.weight_kg, c.volume_m3)
                if n * box.eur < leg.lcl_eur:
                    own_fcl[(k, leg.key)] = n
                    money += n * box.eur
                    continue
            money += leg.lcl_eur
        value = alpha * money
        if objective is not Objective.COST:
            w = weights_for(c, request.eur_per_day, request.eur_per_tco2)
            if objective is Objective.CO2:
                value += cand.co2e_kg
            else:
                value += w.eur_per_tco2 * cand.co2e_kg / 1000.0 + w.eur_per_day * cand.transit_h / 24.0
        coef.append(value)
    groups: list[Group] = []
    for key in sorted(shared):
        members = riders[key]
        first = cands[next(iter(members.values()))[0]]
        service = next(leg.service for leg in first.legs if leg.key == key)
        box = service.container
        assert box is not None
        group = Group(key, box.eur, box.kg, box.m3)
        for ci in sorted(members):
            leg = next(leg for leg in cands[members[ci][0]].legs if leg.key == key)
            group.members.append(ci)
            group.saving[ci] = alpha * leg.lcl_eur
            group.cands[ci] = members[ci]
        groups.append(group)
    return Instance(request, request.consignments, cands, by_consignment, coef, alpha,
                    dict(capacity), limits, groups, own_fcl)


def n_max(inst: Instance, gi: int, members: Collection[int] | None = None) -> int:
    """Containers group `gi` can usefully buy: enough for all of `members` (default: all)."""
    g = inst.groups[gi]
    riders = g.members if members is None else members
    kg = sum(inst.weight(ci) for ci in riders)
    m3 = sum(inst.volume(ci) for ci in riders)
    return max(1, math.ceil(max(kg / g.container_kg, m3 / g.container_m3) - 1e-9))


def amortised_coef(inst: Instance, groups: Collection[int] | None = None) -> list[float]:
    """Each candidate's objective with the containers of `groups` (default: all) priced pro
    rata: a relaxation.

    For any λ in [0, 1], n[g] ≥ λ·Σ w·y/container_kg + (1−λ)·Σ v·y/container_m3, so charging each
    boxed consignment its λ-share of a container undercuts the true container cost; a rider
    then saves max(0, saving − share) by riding boxed, whoever else rides. λ is 1 on a group
    whose members weigh out a container before they fill it, else 0. Used by the assignment
    bound (every group) and the block relaxation (groups spanning blocks).
    """
    discount: dict[tuple[int, DepKey], float] = {}
    for gi in range(len(inst.groups)) if groups is None else groups:
        g = inst.groups[gi]
        heavy = sum(inst.weight(ci) for ci in g.members) / g.container_kg
        bulky = sum(inst.volume(ci) for ci in g.members) / g.container_m3
        lam = 1.0 if heavy >= bulky else 0.0
        for ci in g.members:
            fill = lam * inst.weight(ci) / g.container_kg + (1 - lam) * inst.volume(ci) / g.container_m3
            discount[(ci, g.key)] = max(0.0, g.saving[ci] - g.container_eur * inst.cost_weight * fill)
    return [inst.coef[k] - sum(discount.get((cand.ci, leg.key), 0.0) for leg in cand.legs)
            for k, cand in enumerate(inst.cands)]


def riders_on(inst: Instance, chosen: Mapping[int, int]) -> dict[int, list[int]]:
    """The consignments riding each container group under fixed routes (groups ridden only)."""
    on: dict[int, list[int]] = {}
    index = inst.group_index
    for ci, k in chosen.items():
        for leg in inst.cands[k].legs:
            if leg.key in index:
                on.setdefault(index[leg.key], []).append(ci)
    return on

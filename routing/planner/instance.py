"""The planning instance shared by every stage: candidates, capacity rows, container groups.

It is rebuilt whenever column generation adds candidates (a few seconds at 10,000
consignments); everything here is priced by `objective.PlanObjective`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from routing.consignment import Consignment
from routing.planner.candidates import Candidate
from routing.planner.containers import ContainerRules, Kind
from routing.planner.decisions import Decisions, DepKey
from routing.planner.model import PlanRequest
from routing.planner.objective import PlanObjective

__all__ = ["Decisions", "DepKey", "Group", "Instance", "Loads", "amortised_coef", "build_instance",
           "group_lambda", "n_max", "riders_on"]


@dataclass
class Group:
    """A container departure modelled as shared (`containers.Kind.GROUP`) that candidates use."""

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
    objective: PlanObjective
    rules: ContainerRules
    cands: list[Candidate]
    by_consignment: list[list[int]]
    coef: list[float]  # objective of each candidate, every group leg at LCL
    cost_weight: float  # objective units per euro
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

    def value(self, plan: Decisions) -> float:
        """The plan's objective: each candidate's coefficient, less the LCL saved by its boxed
        riders, plus the containers bought on groups (a consignment's own containers are
        already in its candidate's coefficient)."""
        chosen, boxes, boxed = plan
        index = self.group_index
        groups = self.groups
        return (sum(self.coef[k] for k in chosen.values())
                - sum(groups[index[key]].saving[ci] for ci, key in boxed if key in index)
                + sum(groups[index[key]].container_eur * self.cost_weight * n
                      for key, n in boxes.items() if key in index))

    def loose_value(self, k: int) -> float:
        """Candidate `k`'s objective with every leg at LCL, own containers too (the greedy
        baseline's pricing)."""
        extra = 0.0
        for leg in self.cands[k].legs:
            n = self.own_fcl.get((k, leg.key))
            if n is not None:
                assert leg.box_eur is not None
                extra += leg.lcl_eur - (n * leg.box_eur + leg.boxed_eur)
        return self.coef[k] + self.cost_weight * extra

    @property
    def servable(self) -> list[int]:
        """Consignments with at least one candidate."""
        return [ci for ci, ks in enumerate(self.by_consignment) if ks]


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


def build_instance(request: PlanRequest, candidates: list[list[Candidate]], objective: PlanObjective,
                   rules: ContainerRules, *, capacity: bool = True) -> Instance:
    """Flatten candidates; find capacity rows and container groups; price every candidate."""
    cands: list[Candidate] = []
    by_consignment: list[list[int]] = []
    for per in candidates:
        by_consignment.append(list(range(len(cands), len(cands) + len(per))))
        cands.extend(per)
    riders: dict[DepKey, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    on_capacity: dict[DepKey, list[int]] = defaultdict(list)
    limits: dict[DepKey, tuple[float | None, float | None]] = {}
    kinds: dict[DepKey, Kind] = {}
    for k, cand in enumerate(cands):
        for leg in cand.legs:
            s = leg.service
            if s.container is not None:
                kind = kinds.get(leg.key)
                if kind is None:
                    kind = kinds[leg.key] = rules.kind(s, leg.depart_s)
                if kind is Kind.GROUP:
                    riders[leg.key][cand.ci].append(k)
            if s.is_capacitated and capacity:
                on_capacity[leg.key].append(k)
                limits[leg.key] = (s.capacity_kg, s.capacity_m3)
    money = objective.money
    coef: list[float] = []
    own_fcl: dict[tuple[int, DepKey], int] = {}
    for k, cand in enumerate(cands):
        c = request.consignments[cand.ci]
        eur = cand.handling_eur
        for leg in cand.legs:
            box = leg.service.container
            if box is not None and leg.box_eur is not None and kinds[leg.key] is Kind.OWN:
                n = box.count_for(c.weight_kg, c.volume_m3)
                alone = n * leg.box_eur + leg.boxed_eur
                if alone < leg.lcl_eur:  # the engine's rule: FCL when strictly cheaper
                    own_fcl[(k, leg.key)] = n
                    eur += alone
                    continue
            eur += leg.lcl_eur
        coef.append(objective.itinerary_value(cand.ci, eur, cand.co2e_kg, cand.transit_h))
    groups: list[Group] = []
    for key in sorted(riders):
        members = riders[key]
        first = cands[next(iter(members.values()))[0]]
        at = next(leg for leg in first.legs if leg.key == key)
        box = at.service.container
        assert box is not None and at.box_eur is not None
        group = Group(key, at.box_eur, box.kg, box.m3)
        for ci in sorted(members):
            leg = next(leg for leg in cands[members[ci][0]].legs if leg.key == key)
            group.members.append(ci)
            # A boxed rider saves its loose price but still pays the per-consignment surcharges.
            group.saving[ci] = money * (leg.lcl_eur - leg.boxed_eur)
            group.cands[ci] = members[ci]
        groups.append(group)
    return Instance(request, request.consignments, objective, rules, cands, by_consignment, coef, money,
                    dict(on_capacity), limits, groups, own_fcl)


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
    whose members weigh out a container before they fill it, else 0. Used by the block
    relaxation (groups spanning blocks).
    """
    discount: dict[tuple[int, DepKey], float] = {}
    for gi in range(len(inst.groups)) if groups is None else groups:
        g = inst.groups[gi]
        lam = group_lambda(inst, gi)
        for ci in g.members:
            fill = lam * inst.weight(ci) / g.container_kg + (1 - lam) * inst.volume(ci) / g.container_m3
            discount[(ci, g.key)] = max(0.0, g.saving[ci] - g.container_eur * inst.cost_weight * fill)
    return [inst.coef[k] - sum(discount.get((cand.ci, leg.key), 0.0) for leg in cand.legs)
            for k, cand in enumerate(inst.cands)]


def group_lambda(inst: Instance, gi: int) -> float:
    """The λ of group `gi` in `amortised_coef`: 1 when its riders weigh out a container before
    they fill it, else 0."""
    g = inst.groups[gi]
    heavy = sum(inst.weight(ci) for ci in g.members) / g.container_kg
    bulky = sum(inst.volume(ci) for ci in g.members) / g.container_m3
    return 1.0 if heavy >= bulky else 0.0


def riders_on(inst: Instance, chosen: Mapping[int, int]) -> dict[int, list[int]]:
    """The consignments riding each container group under fixed routes (groups ridden only)."""
    on: dict[int, list[int]] = {}
    index = inst.group_index
    for ci, k in chosen.items():
        for leg in inst.cands[k].legs:
            if leg.key in index:
                on.setdefault(index[leg.key], []).append(ci)
    return on

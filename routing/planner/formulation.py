"""The planning models as arrays: a MathOpt ModelProto built in bulk, loaded in C++.

Adding 250,000 variables one Python call at a time took about 20 s at 10,000 consignments;
filling the proto's repeated fields from lists and loading it with `Model.from_model_proto`
takes a fraction of that. The same builder makes the full phase-2 model, its LP relaxation,
the phase-1 (max served) model and the sub-models of the neighbourhood search, in which
consignments outside `free` keep the candidate they have in an incumbent plan.

The model itself is documented in `mip.py`.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from ortools.math_opt import model_pb2
from ortools.math_opt.python import mathopt

from routing.planner.instance import DepKey, Instance

Decisions = tuple[dict[int, int], dict[DepKey, int], set[tuple[int, DepKey]]]


def n_max(inst: Instance, gi: int, members: Collection[int] | None = None) -> int:
    """Containers group `gi` can usefully buy: enough for all of `members` (default: all)."""
    g = inst.groups[gi]
    riders = g.members if members is None else members
    kg = sum(inst.weight(ci) for ci in riders)
    m3 = sum(inst.volume(ci) for ci in riders)
    return max(1, math.ceil(max(kg / g.container_kg, m3 / g.container_m3) - 1e-9))


def amortised_coef(inst: Instance) -> list[float]:
    """Each candidate's objective with every shared container priced pro rata: a relaxation.

    For any λ in [0, 1], n[g] ≥ λ·Σ w·y/container_kg + (1−λ)·Σ v·y/container_m3, so charging each
    boxed consignment its λ-share of a container undercuts the true container cost; a rider
    then saves max(0, saving − share) by riding boxed, whoever else rides. λ is 1 on a group
    whose members weigh out a container before they fill it, else 0. Minimising these
    coefficients under the (assign), (capacity) and (served) rows alone is a lower bound of
    phase 2 that decomposes by consignment once capacity is priced; its routes are a good
    start for the search, which then buys the containers for real.
    """
    discount: dict[tuple[int, DepKey], float] = {}
    for g in inst.groups:
        heavy = sum(inst.weight(ci) for ci in g.members) / g.container_kg
        bulky = sum(inst.volume(ci) for ci in g.members) / g.container_m3
        lam = 1.0 if heavy >= bulky else 0.0
        for ci in g.members:
            fill = lam * inst.weight(ci) / g.container_kg + (1 - lam) * inst.volume(ci) / g.container_m3
            discount[(ci, g.key)] = max(0.0, g.saving[ci] - g.container_eur * inst.cost_weight * fill)
    return [inst.coef[k] - sum(discount.get((cand.ci, leg.key), 0.0) for leg in cand.legs)
            for k, cand in enumerate(inst.cands)]


@dataclass
class _Builder:
    """Columns and rows collected as lists, turned into a ModelProto once."""

    lb: list[float] = field(default_factory=list)
    ub: list[float] = field(default_factory=list)
    integer: list[bool] = field(default_factory=list)
    obj: list[float] = field(default_factory=list)
    row_lb: list[float] = field(default_factory=list)
    row_ub: list[float] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    cols: list[int] = field(default_factory=list)
    coefs: list[float] = field(default_factory=list)

    def column(self, lb: float, ub: float, integer: bool, obj: float) -> int:
        self.lb.append(lb)
        self.ub.append(ub)
        self.integer.append(integer)
        self.obj.append(obj)
        return len(self.lb) - 1

    def row(self, terms: list[tuple[int, float]], lb: float = -math.inf, ub: float = math.inf) -> int:
        r = len(self.row_lb)
        self.row_lb.append(lb)
        self.row_ub.append(ub)
        for col, coef in terms:
            self.rows.append(r)
            self.cols.append(col)
            self.coefs.append(coef)
        return r

    def model(self, name: str, maximize: bool) -> mathopt.Model:
        proto = model_pb2.ModelProto(name=name)
        nv = len(self.lb)
        proto.variables.ids.extend(range(nv))
        proto.variables.lower_bounds.extend(self.lb)
        proto.variables.upper_bounds.extend(self.ub)
        proto.variables.integers.extend(self.integer)
        proto.objective.maximize = maximize
        obj = np.asarray(self.obj)
        nz = np.flatnonzero(obj)
        proto.objective.linear_coefficients.ids.extend(nz.tolist())
        proto.objective.linear_coefficients.values.extend(obj[nz].tolist())
        proto.linear_constraints.ids.extend(range(len(self.row_lb)))
        proto.linear_constraints.lower_bounds.extend(self.row_lb)
        proto.linear_constraints.upper_bounds.extend(self.row_ub)
        rows, cols = np.asarray(self.rows, dtype=np.int64), np.asarray(self.cols, dtype=np.int64)
        order = np.lexsort((cols, rows))  # the proto wants row-major, sorted entries
        matrix = proto.linear_constraint_matrix
        matrix.row_ids.extend(rows[order].tolist())
        matrix.column_ids.extend(cols[order].tolist())
        matrix.coefficients.extend(np.asarray(self.coefs)[order].tolist())
        return mathopt.Model.from_model_proto(proto)


@dataclass
class Formulation:
    """A built model and where each decision lives in it (variable ids)."""

    model: mathopt.Model
    x: dict[int, int]  # candidate -> variable id
    y: dict[tuple[int, int], int]  # (group, consignment) -> variable id
    n: dict[int, int]  # group -> variable id
    fixed: dict[int, int]  # consignments outside the sub-model and their candidates
    groups: list[int]  # groups in the model
    loaded: dict[int, list[int]] = field(default_factory=dict)  # group -> kept riders boxed as load

    @property
    def size(self) -> dict[str, int]:
        return {"variables": self.model.get_num_variables(),
                "constraints": self.model.get_num_linear_constraints(),
                "x": len(self.x), "y": len(self.y), "n": len(self.n), "groups": len(self.groups)}

    def values(self, result: mathopt.SolveResult) -> np.ndarray:
        """The primal values of `result`, indexed by variable id."""
        proto = result.to_proto()
        out = np.zeros(self.model.get_num_variables())
        sol = proto.solutions[0].primal_solution.variable_values
        out[np.asarray(sol.ids, dtype=np.int64)] = np.asarray(sol.values)
        return out

    def decisions(self, inst: Instance, values: np.ndarray) -> Decisions:
        """Candidates, containers and boxed riders of a solution (fixed consignments included)."""
        chosen = dict(self.fixed)
        chosen.update({inst.cands[k].ci: k for k, var in self.x.items() if values[var] > 0.5})
        boxes = {inst.groups[gi].key: round(values[var]) for gi, var in self.n.items()
                 if values[var] > 0.5}
        boxed = {(ci, inst.groups[gi].key) for (gi, ci), var in self.y.items() if values[var] > 0.5}
        boxed |= {(ci, inst.groups[gi].key) for gi, riders in self.loaded.items() for ci in riders}
        return chosen, boxes, boxed

    def hint(self, inst: Instance, plan: Decisions) -> mathopt.ModelSolveParameters:
        """A complete solution hint from a plan that is feasible for this model."""
        chosen, boxes, boxed = plan
        taken = set(chosen.values())
        values: dict[mathopt.Variable, float] = {}
        get = self.model.get_variable
        for k, var in self.x.items():
            values[get(var)] = float(k in taken)
        for (gi, ci), var in self.y.items():
            values[get(var)] = float((ci, inst.groups[gi].key) in boxed)
        for gi, var in self.n.items():  # clipped: HiGHS rejects a hint outside a bound
            values[get(var)] = min(float(boxes.get(inst.groups[gi].key, 0)), get(var).upper_bound)
        return mathopt.ModelSolveParameters(solution_hints=[mathopt.SolutionHint(values)])


def build(inst: Instance, *, serve_only: bool = False, amortised: bool = False, relax: bool = False,
          served_target: int = 0, free: Collection[int] | None = None,
          fixed: Mapping[int, int] | None = None,
          group_index: Mapping[DepKey, int] | None = None,
          coef: Sequence[float] | None = None, only_groups: Collection[int] | None = None,
          container_share: Mapping[int, float] | None = None,
          kept_boxed: Collection[tuple[int, DepKey]] | None = None) -> Formulation:
    """The phase-2 model (or phase 1's with `serve_only`, or the container-free relaxation with
    `amortised`), whole or around `free` consignments.

    In a sub-model (`free` given) the consignments of `fixed` outside `free` keep their
    candidate: their load is taken off the capacities and, in each container group the free
    consignments can reach, they stay riders that may be boxed (packing is re-decided) — or,
    given `kept_boxed` (the incumbent's boxed riders), the kept ones boxed there stay boxed as a
    fixed load and the others stay loose, which keeps sub-models small when groups are big
    (at 10,000 consignments kept riders were 90 % of a window's variables). Groups no free
    consignment can reach are not in the sub-model; their packing stays as it was.
    `served_target` then counts the free consignments that must be served.

    Other uses: `coef`, `only_groups` and `container_share` (a price share per group) make the
    blocks of the block relaxation (bounds.py).
    """
    b = _Builder()
    free_set = set(range(len(inst.consignments))) if free is None else set(free)
    kept = {ci: k for ci, k in (fixed or {}).items() if ci not in free_set}
    if coef is None:
        coef = [1.0] * len(inst.cands) if serve_only else amortised_coef(inst) if amortised else inst.coef
    x: dict[int, int] = {}
    for ci in sorted(free_set):
        for k in inst.by_consignment[ci]:
            x[k] = b.column(0.0, 1.0, not relax, coef[k])
    for ci in sorted(free_set):
        ks = inst.by_consignment[ci]
        if len(ks) > 1:
            b.row([(x[k], 1.0) for k in ks], ub=1.0)
    # Capacity, less what the kept consignments already load (rows that cannot bind are left out).
    kept_load: dict[DepKey, list[float]] = {}
    for ci, k in kept.items():
        for leg in inst.cands[k].legs:
            if leg.key in inst.capacity_limits:
                load = kept_load.setdefault(leg.key, [0.0, 0.0])
                load[0] += inst.weight(ci)
                load[1] += inst.volume(ci)
    for key in sorted(inst.capacity):
        terms_k = [k for k in inst.capacity[key] if k in x]
        if not terms_k:
            continue
        load = kept_load.get(key, [0.0, 0.0])
        for unit, cap in enumerate(inst.capacity_limits[key]):
            if cap is None:
                continue
            size = inst.weight if unit == 0 else inst.volume
            terms = [(x[k], size(inst.cands[k].ci)) for k in terms_k]
            if load[unit] + sum(a for _, a in terms) > cap + 1e-9:
                b.row(terms, ub=cap - load[unit])
    if served_target:
        b.row([(var, 1.0) for var in x.values()], lb=float(served_target))
    y: dict[tuple[int, int], int] = {}
    n: dict[int, int] = {}
    groups: list[int] = []
    fixed_boxes: dict[int, list[int]] = {}
    if not (serve_only or amortised):
        reach: list[int]
        if free is None:
            reach = list(range(len(inst.groups)))
        else:
            index = group_index if group_index is not None else {g.key: i for i, g in enumerate(inst.groups)}
            reach = sorted({index[leg.key] for ci in free_set for k in inst.by_consignment[ci]
                            for leg in inst.cands[k].legs if leg.key in index})
        if only_groups is not None:
            reach = [gi for gi in reach if gi in only_groups]
        boxed_fixed = None if kept_boxed is None else set(kept_boxed)
        for gi in reach:
            g = inst.groups[gi]
            on_board = [ci for ci in g.members if ci in kept and kept[ci] in g.cands[ci]]
            loaded: list[int] = []  # kept riders boxed as a fixed load
            if boxed_fixed is not None:
                loaded = [ci for ci in on_board if (ci, g.key) in boxed_fixed]
                on_board = []
            riders = [ci for ci in g.members if ci in free_set] + on_board
            if not riders and not loaded:
                continue
            groups.append(gi)
            fixed_boxes[gi] = loaded
            share = 1.0 if container_share is None else container_share.get(gi, 1.0)
            nv = b.column(1.0 if loaded else 0.0, float(n_max(inst, gi, riders + loaded)), not relax,
                          share * g.container_eur * inst.cost_weight)
            n[gi] = nv
            kg_terms: list[tuple[int, float]] = [(nv, -g.container_kg)]
            m3_terms: list[tuple[int, float]] = [(nv, -g.container_m3)]
            for ci in riders:
                yv = b.column(0.0, 1.0, not relax, -g.saving[ci])
                y[(gi, ci)] = yv
                if ci in free_set:  # (link) a kept rider is on this departure for sure
                    b.row([(yv, 1.0)] + [(x[k], -1.0) for k in g.cands[ci]], ub=0.0)
                kg_terms.append((yv, inst.weight(ci)))
                m3_terms.append((yv, inst.volume(ci)))
                if inst.request.formulation != "naive":
                    b.row([(yv, 1.0), (nv, -1.0)], ub=0.0)  # (open)
            b.row(kg_terms, ub=-sum(inst.weight(ci) for ci in loaded))
            b.row(m3_terms, ub=-sum(inst.volume(ci) for ci in loaded))
    model = b.model("serve" if serve_only else "amortised" if amortised else "plan", maximize=serve_only)
    return Formulation(model, x, y, n, kept, groups, fixed_boxes)


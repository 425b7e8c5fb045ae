"""The planning model, specified once, and every model derived from it.

Sets: C consignments; K(c) candidate itineraries (columns) of c; D capacitated departures;
G container groups (departures modelled as shared, `containers.Kind.GROUP`).
Variables: x[k] ∈ {0,1} c takes candidate k; y[g,c] ∈ {0,1} c rides in a container bought on g;
n[g] ∈ ℤ≥0 containers bought on g.

  (assign)    Σ_{k∈K(c)} x[k] ≤ 1                                            ∀ c
  (served)    Σ_k x[k] ≥ S                       (phase 2: S served, from phase 1)
  (cap_kg)    Σ_{k uses d} w_c x[k] ≤ capacity_kg(d)                         ∀ d ∈ D
  (cap_m3)    Σ_{k uses d} v_c x[k] ≤ capacity_m3(d)                         ∀ d ∈ D
  (link)      y[g,c] − Σ_{k∈K(c) uses g} x[k] ≤ 0                             ∀ g, c ∈ g
  (fill_kg)   Σ_c w_c y[g,c] − container_kg(g) n[g] ≤ 0                       ∀ g
  (fill_m3)   Σ_c v_c y[g,c] − container_m3(g) n[g] ≤ 0                       ∀ g
  (open)      y[g,c] − n[g] ≤ 0                                               ∀ g, c ∈ g
  phase 1:    max Σ_k x[k]  over (assign), (cap_kg), (cap_m3)
  phase 2:    min Σ_k coef[k] x[k] − Σ saving[g,c] y[g,c] + Σ price[g] n[g]

coef[k] is the candidate's objective with every group leg at LCL (`objective.py`); saving[g,c]
is that LCL freight; price[g] a container's. The (open) rows are valid (no container, nobody
boxed) and cut off fractional points where many consignments share a sliver of a container.

Each row family is named (the proto's constraint names are `family:index`, and `Formulation.rows`
maps a row id back to its family and key), so that duals can be read by family: column
generation (`colgen.py`) prices new itineraries with them.

Derived models (one builder, `build`): the full model and its LP relaxation; phase 1; the
sub-models of the neighbourhood search (consignments outside a window keep their candidate);
the blocks of the block relaxation (`bounds.py`); and the container packing of fixed routes
(`packing`). Models are MathOpt ModelProtos filled in bulk from lists and loaded in C++
(adding 250,000 variables one Python call at a time took about 20 s).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from ortools.math_opt import model_pb2
from ortools.math_opt.python import mathopt

from routing.planner.decisions import Decisions, DepKey
from routing.planner.instance import Instance, Loads, n_max
from routing.planner.workers import result_proto


class Row(StrEnum):
    """Row families of the model (module docstring)."""

    ASSIGN = "assign"
    SERVED = "served"
    CAP_KG = "cap_kg"
    CAP_M3 = "cap_m3"
    LINK = "link"
    FILL_KG = "fill_kg"
    FILL_M3 = "fill_m3"
    OPEN = "open"


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
    names: list[tuple[Row, object]] = field(default_factory=list)  # family and key per row

    def column(self, lb: float, ub: float, integer: bool, obj: float) -> int:
        self.lb.append(lb)
        self.ub.append(ub)
        self.integer.append(integer)
        self.obj.append(obj)
        return len(self.lb) - 1

    def row(self, family: Row, key: object, terms: list[tuple[int, float]], lb: float = -math.inf,
            ub: float = math.inf) -> int:
        r = len(self.row_lb)
        self.names.append((family, key))
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
        proto.linear_constraints.names.extend(f"{family.value}:{i}"
                                              for i, (family, _) in enumerate(self.names))
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
    groups: list[int]  # groups in the model
    loaded: dict[int, list[int]] = field(default_factory=dict)  # group -> kept riders boxed as load
    repacked: frozenset[int] = frozenset()  # groups whose kept riders the model may box or unbox
    objective: list[float] = field(default_factory=list)  # coefficient of each variable id
    rows: list[tuple[Row, object]] = field(default_factory=list)  # family and key of each row id

    @property
    def size(self) -> dict[str, int]:
        return {"variables": self.model.get_num_variables(),
                "constraints": self.model.get_num_linear_constraints(),
                "x": len(self.x), "y": len(self.y), "n": len(self.n), "groups": len(self.groups)}

    def duals(self, result: mathopt.SolveResult) -> np.ndarray:
        """The dual values of `result` (an LP's), indexed by row id (MathOpt's signs)."""
        proto = result_proto(result)
        out = np.zeros(len(self.rows))
        sol = proto.solutions[0].dual_solution.dual_values
        out[np.asarray(sol.ids, dtype=np.int64)] = np.asarray(sol.values)
        return out

    def values(self, result: mathopt.SolveResult) -> np.ndarray:
        """The primal values of `result`, indexed by variable id."""
        proto = result_proto(result)
        out = np.zeros(self.model.get_num_variables())
        sol = proto.solutions[0].primal_solution.variable_values
        out[np.asarray(sol.ids, dtype=np.int64)] = np.asarray(sol.values)
        return out

    def decisions(self, inst: Instance, values: np.ndarray) -> Decisions:
        """The model's own candidates, containers and boxed riders in a solution (in a
        sub-model: the free consignments' routes, and every container of its groups)."""
        chosen = {inst.cands[k].ci: k for k, var in self.x.items() if values[var] > 0.5}
        boxes = {inst.groups[gi].key: round(values[var]) for gi, var in self.n.items()
                 if values[var] > 0.5}
        boxed = {(ci, inst.groups[gi].key) for (gi, ci), var in self.y.items() if values[var] > 0.5}
        boxed |= {(ci, inst.groups[gi].key) for gi, riders in self.loaded.items() for ci in riders}
        return chosen, boxes, boxed

    def point(self, inst: Instance, plan: Decisions) -> dict[int, float]:
        """A plan (feasible for this model) as variable values, by variable id."""
        chosen, boxes, boxed = plan
        values: dict[int, float] = {}
        for k, var in self.x.items():
            values[var] = float(chosen.get(inst.cands[k].ci) == k)
        for (gi, ci), var in self.y.items():
            values[var] = float((ci, inst.groups[gi].key) in boxed)
        for gi, var in self.n.items():  # clipped: HiGHS rejects a hint outside a bound
            ub = self.model.get_variable(var).upper_bound
            values[var] = min(float(boxes.get(inst.groups[gi].key, 0)), ub)
        return values

    def score(self, point: Mapping[int, float]) -> float:
        """The model's objective at `point`."""
        return sum(self.objective[var] * val for var, val in point.items())

    def hint(self, inst: Instance, plan: Decisions) -> mathopt.ModelSolveParameters:
        """A complete solution hint from a plan that is feasible for this model."""
        return self.hint_at(self.point(inst, plan))

    def hint_at(self, point: Mapping[int, float]) -> mathopt.ModelSolveParameters:
        """A solution hint from variable values by id (see `point`)."""
        get = self.model.get_variable
        values = {get(var): val for var, val in point.items()}
        return mathopt.ModelSolveParameters(solution_hints=[mathopt.SolutionHint(values)])


@dataclass(frozen=True)
class Window:
    """A neighbourhood of the search: the `free` consignments are re-decided; the others keep
    their candidate in `fixed` (whose capacity use is `loads`). In each container group the
    free ones can reach, kept riders stay riders whose packing is re-decided — or, given
    `kept_boxed` (the incumbent's boxed riders per departure), those boxed there stay boxed as a
    fixed load and the others stay loose, except on `repack_groups`, which are re-decided."""

    free: Collection[int]
    fixed: Mapping[int, int]
    loads: Loads | None = None
    kept_boxed: Mapping[DepKey, Collection[int]] | None = None
    repack_groups: Collection[int] = ()


@dataclass(frozen=True)
class Block:
    """A block of the block relaxation (`bounds.py`): its `members`, the candidates' costs
    `coef` (groups outside `groups` priced pro rata in them), and a price `share` per group
    copied into several blocks."""

    members: Collection[int]
    coef: Sequence[float]
    groups: Collection[int]
    share: Mapping[int, float]


def build(inst: Instance, *, serve_only: bool = False, relax: bool = False, served_target: int = 0,
          window: Window | None = None, block: Block | None = None, open_rows: bool = True,
          bounded: bool = True) -> Formulation:
    """The phase-2 model (or phase 1's with `serve_only`), whole, around a `window`, or one
    `block`; integer, or its LP relaxation with `relax`.

    `served_target` counts the consignments of the model that must be served. Groups no free
    consignment can reach are not in a window's model (their packing stays as it was), so a
    window's work is proportional to the window, not the plan. `bounded` caps each group's
    containers at what its riders in the model can fill (n-max); column generation leaves them
    uncapped (new riders may join). `open_rows` False drops the (open) rows (a benchmark
    comparison only).
    """
    free: Collection[int] | None = None
    fixed: Mapping[int, int] = {}
    loads = kept_boxed = None
    repack_groups: Collection[int] = ()
    coef: Sequence[float] | None = None
    only_groups: Collection[int] | None = None
    container_share: Mapping[int, float] | None = None
    if window is not None:
        free, fixed, loads = window.free, window.fixed, window.loads
        kept_boxed, repack_groups = window.kept_boxed, window.repack_groups
    if block is not None:
        free, coef, only_groups, container_share = block.members, block.coef, block.groups, block.share
    b = _Builder()
    free_set = set(range(len(inst.consignments))) if free is None else set(free)
    fixed = fixed or {}

    def kept(ci: int) -> int | None:
        return None if ci in free_set else fixed.get(ci)

    if coef is None:
        coef = [1.0] * len(inst.cands) if serve_only else inst.coef
    x: dict[int, int] = {}
    for ci in sorted(free_set):
        for k in inst.by_consignment[ci]:
            x[k] = b.column(0.0, 1.0, not relax, coef[k])
    for ci in sorted(free_set):
        ks = inst.by_consignment[ci]
        if len(ks) > 1:
            b.row(Row.ASSIGN, ci, [(x[k], 1.0) for k in ks], ub=1.0)
    # Capacity, less what the kept consignments already load (rows that cannot bind are left out).
    on_departure: dict[DepKey, list[int]] = {}
    for k in x:
        for leg in inst.cands[k].legs:
            if leg.key in inst.capacity_limits:
                on_departure.setdefault(leg.key, []).append(k)
    if fixed and loads is None:
        loads = Loads(inst, fixed)
    for key in sorted(on_departure):
        kept_kg = kept_m3 = 0.0
        if loads is not None:  # the incumbent's load less the free consignments' own
            kept_kg, kept_m3 = loads.kg[key], loads.m3[key]
            for ci in free_set:
                k_ci = fixed.get(ci)
                if k_ci is not None and any(leg.key == key for leg in inst.cands[k_ci].legs):
                    kept_kg -= inst.weight(ci)
                    kept_m3 -= inst.volume(ci)
        for family, cap, load, size in ((Row.CAP_KG, inst.capacity_limits[key][0], kept_kg, inst.weight),
                                        (Row.CAP_M3, inst.capacity_limits[key][1], kept_m3, inst.volume)):
            if cap is None:
                continue
            terms = [(x[k], size(inst.cands[k].ci)) for k in on_departure[key]]
            if load + sum(a for _, a in terms) > cap + 1e-9:
                b.row(family, key, terms, ub=cap - load)
    if served_target:
        b.row(Row.SERVED, None, [(var, 1.0) for var in x.values()], lb=float(served_target))
    y: dict[tuple[int, int], int] = {}
    n: dict[int, int] = {}
    groups: list[int] = []
    fixed_boxes: dict[int, list[int]] = {}
    repacked: set[int] = set()
    if not serve_only:
        reach: list[int]
        if free is None:
            reach = list(range(len(inst.groups)))
        else:
            index = inst.group_index
            reach = sorted({index[leg.key] for ci in free_set for k in inst.by_consignment[ci]
                            for leg in inst.cands[k].legs if leg.key in index})
        if only_groups is not None:
            reach = [gi for gi in reach if gi in only_groups]
        for gi in reach:
            g = inst.groups[gi]
            loaded: list[int] = []  # kept riders boxed as a fixed load
            if kept_boxed is not None and gi not in repack_groups:
                loaded = sorted(ci for ci in kept_boxed.get(g.key, ()) if ci not in free_set)
                on_board = []
            else:
                on_board = [ci for ci in g.members if kept(ci) in g.cands.get(ci, ())]
                repacked.add(gi)
            riders = [ci for ci in g.members if ci in free_set] + on_board
            if not riders and not loaded:
                continue
            groups.append(gi)
            fixed_boxes[gi] = loaded
            share = 1.0 if container_share is None else container_share.get(gi, 1.0)
            cap = float(n_max(inst, gi, riders + loaded)) if bounded else math.inf
            nv = b.column(1.0 if loaded else 0.0, cap, not relax, share * g.container_eur * inst.cost_weight)
            n[gi] = nv
            kg_terms: list[tuple[int, float]] = [(nv, -g.container_kg)]
            m3_terms: list[tuple[int, float]] = [(nv, -g.container_m3)]
            for ci in riders:
                yv = b.column(0.0, 1.0, not relax, -g.saving[ci])
                y[(gi, ci)] = yv
                if ci in free_set:  # (link) a kept rider is on this departure for sure
                    b.row(Row.LINK, (gi, ci), [(yv, 1.0)] + [(x[k], -1.0) for k in g.cands[ci]], ub=0.0)
                kg_terms.append((yv, inst.weight(ci)))
                m3_terms.append((yv, inst.volume(ci)))
                if open_rows:
                    b.row(Row.OPEN, (gi, ci), [(yv, 1.0), (nv, -1.0)], ub=0.0)
            b.row(Row.FILL_KG, gi, kg_terms, ub=-sum(inst.weight(ci) for ci in loaded))
            b.row(Row.FILL_M3, gi, m3_terms, ub=-sum(inst.volume(ci) for ci in loaded))
    model = b.model("serve" if serve_only else "plan", maximize=serve_only)
    return Formulation(model, x, y, n, groups, fixed_boxes, frozenset(repacked), objective=b.obj,
                       rows=b.names)


def packing(inst: Instance, on: Mapping[int, list[int]]) -> Formulation:
    """The containers alone for fixed routes: (box-kg), (box-m3) and (open) per group in `on`
    (group -> its riders, from `riders_on`)."""
    b = _Builder()
    y: dict[tuple[int, int], int] = {}
    n: dict[int, int] = {}
    groups = sorted(on)
    for gi in groups:
        g = inst.groups[gi]
        riders = sorted(on[gi])
        nv = n[gi] = b.column(0.0, float(n_max(inst, gi, riders)), True, g.container_eur * inst.cost_weight)
        kg_terms: list[tuple[int, float]] = [(nv, -g.container_kg)]
        m3_terms: list[tuple[int, float]] = [(nv, -g.container_m3)]
        for ci in riders:
            yv = y[(gi, ci)] = b.column(0.0, 1.0, True, -g.saving[ci])
            kg_terms.append((yv, inst.weight(ci)))
            m3_terms.append((yv, inst.volume(ci)))
            b.row(Row.OPEN, (gi, ci), [(yv, 1.0), (nv, -1.0)], ub=0.0)
        b.row(Row.FILL_KG, gi, kg_terms, ub=0.0)
        b.row(Row.FILL_M3, gi, m3_terms, ub=0.0)
    return Formulation(b.model("pack", maximize=False), {}, y, n, groups, {}, objective=b.obj,
                       rows=b.names)

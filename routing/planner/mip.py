"""The planning MIP (MathOpt with HiGHS or SCIP, or CP-SAT), solved lexicographically.

Sets: C consignments; K(c) candidate itineraries of c; D capacitated departures (service, instant);
G container groups = departures of container-selling services that candidates of two or more
consignments use (a departure only one consignment can use is priced min(LCL, own FCL) exactly,
in the candidate's coefficient, with no variables).

Variables: x[c,k] ∈ {0,1} c takes candidate k; y[c,g] ∈ {0,1} c rides in a bought container on
group g; n[g] ∈ ℤ≥0 containers bought on g.

  (assign)    Σ_k x[c,k] ≤ 1                                               ∀ c
  (cap-kg)    Σ_{c,k: k uses d} w_c x[c,k] ≤ capacity_kg(d)                ∀ d ∈ D
  (cap-m3)    Σ_{c,k: k uses d} v_c x[c,k] ≤ capacity_m3(d)                ∀ d ∈ D
  (link)      y[c,g] ≤ Σ_{k uses g} x[c,k]                                  ∀ g, c ∈ g
  (box-kg)    Σ_c w_c y[c,g] ≤ container_kg(g) · n[g]                       ∀ g
  (box-m3)    Σ_c v_c y[c,g] ≤ container_m3(g) · n[g]                       ∀ g
  (open)      y[c,g] ≤ n[g]                                                 ∀ g, c ∈ g
  (n-max)     n[g] ≤ ⌈max(Σ_c w_c / container_kg, Σ_c v_c / container_m3)⌉  ∀ g
  (phase 1)   max Σ x                                  (capacity only: containers never limit)
  (served)    Σ x ≥ S*  (S* the phase-1 optimum, or its best incumbent at the time limit)
  (phase 2)   min Σ coef[k] x[c,k] − Σ saving[c,g] y[c,g] + container_eur(g) n[g]

coef[k] prices every group leg at LCL; saving[c,g] is that LCL freight (weighted by the
objective's cost weight), so a boxed consignment pays no LCL on that leg.
The (open) rows are valid (no box ⇒ nobody boxed) and cut off the fractional points where
many consignments share a sliver of a container: on 1,000 generated consignments, 60 s, the gap
left is 0.14 % with them and 0.23 % without (bench/plan_scale.py --naive).

Solve pipeline (HiGHS/SCIP), one model built once: greedy → exact container packing of its
routes (incumbent 0); phase 1 only when greedy leaves a servable consignment out; the LP
relaxation of the phase-2 model (HiGHS `solve_relaxation` on the same model), rounded (each
consignment its largest-valued candidate that still fits) and packed exactly (incumbent 1);
the MIP restricted to the candidates the LP uses (on 1,000 generated consignments ~1,000 of
~10,800), packed exactly (incumbent 2); the full MIP warm-started from the best; its routes
re-packed exactly at the end. The reported bound is the larger of the MIP's dual bound and the
LP's. Measured on 1,000 generated consignments with a 15 s budget: gap 1.82 % from the greedy
start alone, 0.26 % with the LP-guided incumbents.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from routing.planner.instance import DepKey, Instance

Progress = Callable[[str], None]


@dataclass
class Solution:
    """A solver's answer: chosen candidates, containers, and the proof it carries."""

    chosen: dict[int, int]  # consignment index -> candidate index
    boxes: dict[DepKey, int] = field(default_factory=dict)  # group departure -> containers
    boxed: set[tuple[int, DepKey]] = field(default_factory=set)  # (consignment, departure)
    objective: float = 0.0
    bound: float | None = None
    termination: str = ""
    served_bound: int | None = None
    model_size: dict[str, int] = field(default_factory=dict)


def _cap_rows(inst: Instance) -> list[tuple[DepKey, str, float, list[tuple[int, float]]]]:
    rows = []
    for key, ks in sorted(inst.capacity.items()):
        cap_kg, cap_m3 = inst.capacity_limits[key]
        for unit, cap in (("kg", cap_kg), ("m3", cap_m3)):
            if cap is None:
                continue
            terms = [(k, inst.weight(inst.cands[k].ci) if unit == "kg" else inst.volume(inst.cands[k].ci))
                     for k in ks]
            if sum(t for _, t in terms) > cap + 1e-9:  # rows that can never bind are left out
                rows.append((key, unit, cap, terms))
    return rows


def _n_max(inst: Instance, gi: int) -> int:
    g = inst.groups[gi]
    kg = sum(inst.weight(ci) for ci in g.members)
    m3 = sum(inst.volume(ci) for ci in g.members)
    return max(1, math.ceil(max(kg / g.container_kg, m3 / g.container_m3) - 1e-9))


def pack_groups(inst: Instance, chosen: dict[int, int]) -> tuple[dict[DepKey, int], set[tuple[int, DepKey]]]:
    """Containers for fixed itineraries: per shared departure, the best count n and riders to box.

    For each n the riders are boxed greedily by saving per unit of container filled; the best n
    wins. A heuristic (the per-departure problem is a 2-D knapsack).
    """
    boxes: dict[DepKey, int] = {}
    boxed: set[tuple[int, DepKey]] = set()
    uses = {ci: {leg.key for leg in inst.cands[k].legs} for ci, k in chosen.items()}
    for gi, g in enumerate(inst.groups):
        riders = [ci for ci in g.members if ci in uses and g.key in uses[ci]]
        if not riders:
            continue
        fill = {ci: max(inst.weight(ci) / g.container_kg, inst.volume(ci) / g.container_m3)
                for ci in riders}
        order = sorted(riders, key=lambda ci: (-g.saving[ci] / fill[ci], ci))
        price = g.container_eur * inst.cost_weight
        best: tuple[float, int, list[int]] = (0.0, 0, [])
        for n in range(1, _n_max(inst, gi) + 1):
            kg = m3 = value = 0.0
            inside = []
            for ci in order:
                w, v = inst.weight(ci), inst.volume(ci)
                if kg + w <= n * g.container_kg + 1e-9 and m3 + v <= n * g.container_m3 + 1e-9:
                    kg, m3, value = kg + w, m3 + v, value + g.saving[ci]
                    inside.append(ci)
            if value - n * price > best[0] + 1e-9:
                best = (value - n * price, n, inside)
        if best[1]:
            boxes[g.key] = best[1]
            boxed.update((ci, g.key) for ci in best[2])
    return boxes, boxed


def exact_pack(inst: Instance, chosen: dict[int, int], time_limit_s: float, seed: int
               ) -> tuple[dict[DepKey, int], set[tuple[int, DepKey]]] | None:
    """Optimal containers for fixed itineraries: the (box-*) and (open) rows alone, one HiGHS MIP.

    Given x the groups are independent small knapsacks with an integer container count, so this
    solves fast; None when it does not finish (callers keep the greedy packing).
    """
    from ortools.math_opt.python import mathopt

    m = mathopt.Model(name="pack")
    uses = {ci: {leg.key for leg in inst.cands[k].legs} for ci, k in chosen.items()}
    ys: dict[tuple[int, int], mathopt.Variable] = {}
    ns: dict[int, mathopt.Variable] = {}
    for gi, g in enumerate(inst.groups):
        riders = [ci for ci in g.members if ci in uses and g.key in uses[ci]]
        if not riders:
            continue
        n = m.add_integer_variable(lb=0.0, ub=float(_n_max(inst, gi)))
        ns[gi] = n
        m.objective.set_linear_coefficient(n, g.container_eur * inst.cost_weight)
        kg_row = m.add_linear_constraint(ub=0.0)
        m3_row = m.add_linear_constraint(ub=0.0)
        kg_row.set_coefficient(n, -g.container_kg)
        m3_row.set_coefficient(n, -g.container_m3)
        for ci in riders:
            y = m.add_binary_variable()
            ys[(gi, ci)] = y
            m.objective.set_linear_coefficient(y, -g.saving[ci])
            kg_row.set_coefficient(y, inst.weight(ci))
            m3_row.set_coefficient(y, inst.volume(ci))
            opened = m.add_linear_constraint(ub=0.0)
            opened.set_coefficient(y, 1.0)
            opened.set_coefficient(n, -1.0)
    if not ns:
        return {}, set()
    params = mathopt.SolveParameters(time_limit=timedelta(seconds=max(time_limit_s, 0.05)),
                                     random_seed=seed, relative_gap_tolerance=1e-7,
                                     presolve=mathopt.Emphasis.OFF)  # presolve overran the limit
    r = mathopt.solve(m, mathopt.SolverType.HIGHS, params=params)
    if not r.has_primal_feasible_solution():
        return None
    nv = r.variable_values(list(ns.values()))
    boxes = {inst.groups[gi].key: round(v) for gi, v in zip(ns, nv, strict=True) if v > 0.5}
    yv = r.variable_values(list(ys.values()))
    boxed = {(ci, inst.groups[gi].key) for (gi, ci), v in zip(ys, yv, strict=True) if v > 0.5}
    return boxes, boxed


def assignment_bound(inst: Instance, served_target: int) -> float:
    """A lower bound on phase 2 that needs no solve: capacity ignored, containers amortised.

    For any λ in [0, 1], n[g] ≥ λ·Σ w·y/container_kg + (1−λ)·Σ v·y/container_m3, so charging each
    boxed consignment its λ-share of a container undercuts the true container cost. Each
    consignment then costs at least lb_c = min_k (coef[k] − Σ_g max(0, saving − share)), and
    serving at least `served_target` of them costs at least the sum of the smallest lb_c.
    """
    discount: dict[tuple[int, DepKey], float] = {}
    for g in inst.groups:
        heavy = sum(inst.weight(ci) for ci in g.members) / g.container_kg
        bulky = sum(inst.volume(ci) for ci in g.members) / g.container_m3
        lam = 1.0 if heavy >= bulky else 0.0
        for ci in g.members:
            fill = lam * inst.weight(ci) / g.container_kg + (1 - lam) * inst.volume(ci) / g.container_m3
            discount[(ci, g.key)] = max(0.0, g.saving[ci] - g.container_eur * inst.cost_weight * fill)
    lows = sorted(
        min(inst.coef[k] - sum(discount.get((ci, leg.key), 0.0) for leg in inst.cands[k].legs)
            for k in ks)
        for ci, ks in enumerate(inst.by_consignment) if ks)
    return sum(lows[:served_target])


def solution_value(inst: Instance, chosen: dict[int, int], boxes: dict[DepKey, int],
                   boxed: set[tuple[int, DepKey]]) -> float:
    """The phase-2 objective of a set of decisions.

    Containers on departures that are not shared groups (a consignment's own containers) are
    already priced in `coef`, so only group departures add container costs and savings here.
    """
    groups = {g.key: g for g in inst.groups}
    return (sum(inst.coef[k] for k in chosen.values())
            - sum(groups[key].saving[ci] for ci, key in boxed if key in groups)
            + sum(groups[key].container_eur * inst.cost_weight * n for key, n in boxes.items()
                  if key in groups))


def solve_mathopt(inst: Instance, solver: str, time_limit_s: float, seed: int, rel_gap: float,
                  progress: Progress | None) -> Solution:
    """Both phases with MathOpt (HiGHS or SCIP)."""
    from ortools.math_opt.python import mathopt

    kind = mathopt.SolverType.HIGHS if solver == "highs" else mathopt.SolverType.GSCIP
    start = time.monotonic()
    rows = _cap_rows(inst)
    servable = sum(1 for ks in inst.by_consignment if ks)

    def params(limit: float, gap: float, presolve: bool = False) -> mathopt.SolveParameters:
        p = mathopt.SolveParameters(time_limit=timedelta(seconds=max(limit, 0.05)),
                                    random_seed=seed, relative_gap_tolerance=gap)
        if kind == mathopt.SolverType.HIGHS:
            # Symmetry detection took 11 s of a 40 s run on 1,000 consignments and found nothing.
            p.highs.bool_options["mip_detect_symmetry"] = False
            # HiGHS presolve (probing) ran past the time limit without a solution on 5,000
            # consignments (44 s of a 14 s budget); without it the root LP starts at once.
            if not presolve:
                p.presolve = mathopt.Emphasis.OFF
            # Measured at 1,000 consignments: 15 s budget, gap 1.8 % → 0.43 %; 40 s, no change.
            p.heuristics = mathopt.Emphasis.HIGH
        return p

    msg = None
    if progress is not None:
        def msg(lines: list[str]) -> None:
            for line in lines:
                if line.strip():
                    progress(line.rstrip())

    def base_model(name: str, relax: bool = False) -> tuple[mathopt.Model, list[mathopt.Variable]]:
        m = mathopt.Model(name=name)
        x = [m.add_variable(lb=0.0, ub=1.0, is_integer=not relax) for _ in inst.cands]
        for ks in inst.by_consignment:
            if len(ks) > 1:
                row = m.add_linear_constraint(ub=1.0)
                for k in ks:
                    row.set_coefficient(x[k], 1.0)
        for _, _, cap, terms in rows:
            row = m.add_linear_constraint(ub=cap)
            for k, a in terms:
                row.set_coefficient(x[k], a)
        return m, x

    from routing.planner.greedy import solve_greedy
    from routing.planner.polish import round_relaxation

    greedy = solve_greedy(inst)
    best: tuple[float, dict[int, int], dict[DepKey, int], set[tuple[int, DepKey]]] | None = None
    packed_greedy = exact_pack(inst, greedy.chosen, 0.05 * time_limit_s, seed) or pack_groups(
        inst, greedy.chosen)
    best = (solution_value(inst, greedy.chosen, *packed_greedy), greedy.chosen, *packed_greedy)
    if progress:
        progress(f"greedy + container packing: {len(greedy.chosen)} served, objective {best[0]:,.2f}")
    served_target = servable
    served_bound = servable
    termination = []
    phase1_plan: tuple[float, dict[int, int], dict[DepKey, int], set[tuple[int, DepKey]]] | None = None
    # Phase 1: serve as many as possible (only capacity can stop that; greedy serving all proves it).
    if rows and len(greedy.chosen) < servable:
        m1, x1 = base_model("serve")
        for v in x1:
            m1.objective.set_linear_coefficient(v, 1.0)
        m1.objective.is_maximize = True
        if progress:
            progress(f"phase 1 (max served): {len(x1)} variables, {m1.get_num_linear_constraints()} rows")
        r1 = mathopt.solve(m1, kind, params=params(time_limit_s * 0.3, 0.0), msg_cb=msg)
        served_target = round(r1.objective_value()) if r1.has_primal_feasible_solution() else 0
        if served_target > len(greedy.chosen):  # phase 1's plan is then the incumbent to beat
            chosen1 = {inst.cands[k].ci: k for k, val in enumerate(r1.variable_values(x1)) if val > 0.5}
            packed1 = exact_pack(inst, chosen1, 0.05 * time_limit_s, seed) or pack_groups(inst, chosen1)
            phase1_plan = (solution_value(inst, chosen1, *packed1), chosen1, *packed1)
        served_bound = min(servable, math.floor(r1.termination.objective_bounds.dual_bound + 1e-6))
        termination.append(f"phase1 {r1.termination.reason.name.lower()}")
    def plan_model(relax: bool) -> tuple[mathopt.Model, list[mathopt.Variable],
                                         dict[tuple[int, int], mathopt.Variable],
                                         list[mathopt.Variable]]:
        m, x = base_model("plan", relax)
        for k, v in enumerate(x):
            m.objective.set_linear_coefficient(v, inst.coef[k])
        if served_target:
            row = m.add_linear_constraint(lb=float(served_target))
            for v in x:
                row.set_coefficient(v, 1.0)
        ys: dict[tuple[int, int], mathopt.Variable] = {}
        ns: list[mathopt.Variable] = []
        for gi, g in enumerate(inst.groups):
            n = m.add_variable(lb=0.0, ub=float(_n_max(inst, gi)), is_integer=not relax)
            ns.append(n)
            m.objective.set_linear_coefficient(n, g.container_eur * inst.cost_weight)
            kg_row = m.add_linear_constraint(ub=0.0)
            m3_row = m.add_linear_constraint(ub=0.0)
            kg_row.set_coefficient(n, -g.container_kg)
            m3_row.set_coefficient(n, -g.container_m3)
            for ci in g.members:
                y = m.add_variable(lb=0.0, ub=1.0, is_integer=not relax)
                ys[(gi, ci)] = y
                m.objective.set_linear_coefficient(y, -g.saving[ci])
                link = m.add_linear_constraint(ub=0.0)
                link.set_coefficient(y, 1.0)
                for k in g.cands[ci]:
                    link.set_coefficient(x[k], -1.0)
                kg_row.set_coefficient(y, inst.weight(ci))
                m3_row.set_coefficient(y, inst.volume(ci))
                if inst.request.formulation != "naive":
                    opened = m.add_linear_constraint(ub=0.0)
                    opened.set_coefficient(y, 1.0)
                    opened.set_coefficient(n, -1.0)
        return m, x, ys, ns

    m, x, ys, ns = plan_model(relax=False)
    size = {"variables": m.get_num_variables(), "constraints": m.get_num_linear_constraints(),
            "x": len(x), "y": len(ys), "n": len(ns), "capacity_rows": len(rows),
            "groups": len(inst.groups)}
    if progress:
        progress(f"phase 2 (min objective): {size['variables']} variables, {size['constraints']} rows, "
                 f"{len(inst.groups)} container groups")
    if len(best[1]) < served_target:
        best = phase1_plan  # the greedy plan serves too few: only a fallback, not an incumbent
    fallback = (greedy.chosen, *packed_greedy)
    model_params = None
    relaxed_bound = assignment_bound(inst, served_target)

    def consider(chosen: dict[int, int], label: str, share: float) -> None:
        """Pack containers exactly for `chosen` routes; keep the plan if it beats the incumbent."""
        nonlocal best
        if len(chosen) < served_target:
            return
        remaining = time_limit_s - (time.monotonic() - start)
        packed = exact_pack(inst, chosen, remaining * share, seed) or pack_groups(inst, chosen)
        value = solution_value(inst, chosen, *packed)
        if progress:
            progress(f"{label}: objective {value:,.2f} ({time.monotonic() - start:.1f} s)")
        if best is None or value < best[0] - 1e-9:
            best = (value, chosen, *packed)

    def hint_for(plan: tuple[float, dict[int, int], dict[DepKey, int], set[tuple[int, DepKey]]]
                 ) -> mathopt.ModelSolveParameters:
        values: dict[mathopt.Variable, float] = dict.fromkeys(x, 0.0)
        values.update({x[k]: 1.0 for k in plan[1].values()})
        values.update({y: float((ci, inst.groups[gi].key) in plan[3]) for (gi, ci), y in ys.items()})
        values.update({n: float(plan[2].get(inst.groups[gi].key, 0)) for gi, n in enumerate(ns)})
        return mathopt.ModelSolveParameters(solution_hints=[mathopt.SolutionHint(values)])

    def lp_guided() -> None:
        """Incumbents from the LP relaxation: rounded, then a MIP over the candidates it uses."""
        nonlocal relaxed_bound
        remaining = time_limit_s - (time.monotonic() - start)
        if kind == mathopt.SolverType.HIGHS:  # the same model, solved as its LP relaxation
            lp_params = params(remaining * 0.3, 0.0, presolve=True)
            lp_params.highs.bool_options["solve_relaxation"] = True
            r_lp, x_lp = mathopt.solve(m, kind, params=lp_params), x
        else:
            lp, x_lp, _, _ = plan_model(relax=True)
            r_lp = mathopt.solve(lp, kind, params=params(remaining * 0.3, 0.0))
        if not r_lp.has_primal_feasible_solution():
            if progress:
                progress(f"LP relaxation: {r_lp.termination.reason.name.lower()} "
                         f"({time.monotonic() - start:.1f} s)")
            return
        if r_lp.termination.reason == mathopt.TerminationReason.OPTIMAL:
            relaxed_bound = max(relaxed_bound, r_lp.objective_value())
        values = r_lp.variable_values(x_lp)
        if progress:
            progress(f"LP relaxation {r_lp.objective_value():,.2f} ({time.monotonic() - start:.1f} s)")
        rounded = round_relaxation(inst, list(values), served_target)
        if rounded is None:
            return
        consider(rounded, "LP rounded, containers packed", 0.1)
        assert best is not None
        # The MIP restricted to the candidates the LP uses (and the incumbent's, so the hint is
        # feasible: HiGHS fails on a hint that violates a bound). Presolve shrinks it to a small
        # model; any plan it finds is a plan of the full problem (the bound stays the LP's).
        keep = ({k for k, val in enumerate(values) if val > 1e-6} | set(rounded.values())
                | set(best[1].values()))
        for k, v in enumerate(x):
            if k not in keep:
                v.upper_bound = 0.0
        try:
            remaining = time_limit_s - (time.monotonic() - start)
            r_sub = mathopt.solve(m, kind, params=params(remaining * 0.35, rel_gap, presolve=True),
                                  model_params=hint_for(best))
        finally:
            for v in x:
                v.upper_bound = 1.0
        if r_sub.has_primal_feasible_solution():
            chosen = {inst.cands[k].ci: k for k, val in enumerate(r_sub.variable_values(x))
                      if val > 0.5}
            consider(chosen, f"MIP over the {len(keep)} candidates the LP uses "
                             f"({r_sub.termination.reason.name.lower()})", 0.1)

    if inst.groups:
        try:
            lp_guided()
        except Exception as exc:  # an optional heuristic: the full MIP still runs after it
            # OR-Tools 9.15 turns some HiGHS errors into an AttributeError while converting them.
            if progress:
                progress(f"LP-guided heuristic skipped: {type(exc).__name__}: {exc}")
        if best is not None:
            model_params = hint_for(best)
    remaining = time_limit_s - (time.monotonic() - start)
    if progress:
        progress(f"phase 2 solve starts ({time.monotonic() - start:.1f} s)")
    # HiGHS presolve (its probing) costs 7-12 s before the root LP at 1,000 consignments and overran
    # the time limit at 5,000. Measured at 1,000: with 40 s it pays (gap 0.28 % vs 0.38 % without);
    # with 15 s it does not (1.9 % with). So: on only for small models and budgets of 30 s or more.
    presolve = m.get_num_variables() < 50_000 and remaining >= 30.0
    r = mathopt.solve(m, kind, params=params(remaining, rel_gap, presolve), model_params=model_params,
                      msg_cb=msg)
    termination.append(r.termination.reason.name.lower())
    if r.has_primal_feasible_solution():
        xv = r.variable_values(x)
        chosen = {inst.cands[k].ci: k for k, val in enumerate(xv) if val > 0.5}
        boxes = {inst.groups[gi].key: round(val) for gi, val in enumerate(r.variable_values(ns))
                 if val > 0.5}
        yv = r.variable_values(list(ys.values()))
        boxed = {(ci, inst.groups[gi].key) for (gi, ci), val in zip(ys, yv, strict=True) if val > 0.5}
        packed = exact_pack(inst, chosen, max(0.5, 0.02 * time_limit_s), seed) or pack_groups(
            inst, chosen)
        for candidate in ((chosen, boxes, boxed), (chosen, *packed)):
            value = solution_value(inst, *candidate)
            if best is None or value < best[0] - 1e-9:
                best = (value, *candidate)
    bound = max(r.termination.objective_bounds.dual_bound, relaxed_bound)
    if best is None:  # nothing serves the phase-1 count: keep the greedy plan, say so
        termination.append("no MIP solution; greedy plan with containers packed")
        best = (solution_value(inst, *fallback), *fallback)
        bound = math.nan
    return Solution(best[1], best[2], best[3], best[0], bound if math.isfinite(bound) else None,
                    " / ".join(termination), served_bound, size)


def solve_cpsat(inst: Instance, time_limit_s: float, seed: int, rel_gap: float,
                progress: Progress | None) -> Solution:
    """Both phases with CP-SAT (costs scaled to cents, kg to grams, m³ to litres)."""
    from ortools.sat.python import cp_model

    start = time.monotonic()
    rows = _cap_rows(inst)
    scale_obj = 100.0

    def model() -> tuple[cp_model.CpModel, list[cp_model.IntVar]]:
        m = cp_model.CpModel()
        x = [m.new_bool_var(f"x{k}") for k in range(len(inst.cands))]
        for ks in inst.by_consignment:
            if len(ks) > 1:
                m.add_at_most_one(x[k] for k in ks)
        for _, _unit, cap, terms in rows:
            f = 1000.0
            m.add(sum(math.ceil(a * f - 1e-6) * x[k] for k, a in terms) <= math.floor(cap * f + 1e-6))
        return m, x

    def run(m: cp_model.CpModel, limit: float) -> tuple[cp_model.CpSolver, cp_model.CpSolverStatus]:
        s = cp_model.CpSolver()
        s.parameters.max_time_in_seconds = max(limit, 0.05)
        s.parameters.random_seed = seed
        s.parameters.num_workers = 2
        s.parameters.relative_gap_limit = rel_gap
        if progress is not None:
            s.parameters.log_search_progress = True
            s.log_callback = progress
        return s, s.solve(m)

    servable = sum(1 for ks in inst.by_consignment if ks)
    served_target, served_bound = servable, servable
    termination = []
    if rows:
        m1, x1 = model()
        m1.maximize(sum(x1))
        s1, st1 = run(m1, time_limit_s * 0.3)
        served_target = round(s1.objective_value) if st1 in (cp_model.OPTIMAL, cp_model.FEASIBLE) else 0
        served_bound = min(servable, math.floor(s1.best_objective_bound + 1e-6))
        termination.append(f"phase1 {s1.status_name(st1).lower()}")
    m, x = model()
    if served_target:
        m.add(sum(x) >= served_target)
    terms = [(round(inst.coef[k] * scale_obj), x[k]) for k in range(len(x))]
    ys: dict[tuple[int, int], cp_model.IntVar] = {}
    ns: list[cp_model.IntVar] = []
    for gi, g in enumerate(inst.groups):
        n = m.new_int_var(0, _n_max(inst, gi), f"n{gi}")
        ns.append(n)
        terms.append((round(g.container_eur * inst.cost_weight * scale_obj), n))
        kg, m3 = [], []
        for ci in g.members:
            y = m.new_bool_var(f"y{gi}_{ci}")
            ys[(gi, ci)] = y
            terms.append((-round(g.saving[ci] * scale_obj), y))
            m.add(y <= sum(x[k] for k in g.cands[ci]))
            m.add(y <= n)
            kg.append(math.ceil(inst.weight(ci) * 1000 - 1e-6) * y)
            m3.append(math.ceil(inst.volume(ci) * 1000 - 1e-6) * y)
        m.add(sum(kg) <= round(g.container_kg * 1000) * n)
        m.add(sum(m3) <= round(g.container_m3 * 1000) * n)
    m.minimize(sum(c * v for c, v in terms))
    size = {"variables": len(x) + len(ys) + len(ns), "x": len(x), "y": len(ys), "n": len(ns),
            "capacity_rows": len(rows), "groups": len(inst.groups)}
    s, st = run(m, time_limit_s - (time.monotonic() - start))
    termination.append(s.status_name(st).lower())
    if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Solution({}, termination=" / ".join(termination) + " (no solution)",
                        served_bound=served_bound, model_size=size)
    chosen = {inst.cands[k].ci: k for k in range(len(x)) if s.boolean_value(x[k])}
    boxes = {inst.groups[gi].key: int(s.value(n)) for gi, n in enumerate(ns) if s.value(n) > 0}
    boxed = {(ci, inst.groups[gi].key) for (gi, ci), y in ys.items() if s.boolean_value(y)}
    return Solution(chosen, boxes, boxed, s.objective_value / scale_obj,
                    s.best_objective_bound / scale_obj, " / ".join(termination), served_bound, size)

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

Solve pipeline (HiGHS/SCIP; models built as arrays, formulation.py):
  1. greedy (ready-time order, LCL) with a quick heuristic packing: the fallback plan;
  2. large instances (over LARGE_CANDIDATES candidates): the block relaxation (bounds.py, two
     blocks solved one per core), a bound valid when every servable consignment is served,
     rounded into the first plan;
  3. phase 1 only when no plan at hand serves every servable consignment;
  4. small instances: the full MIP starts on the second core (warm-started, HiGHS presolve on:
     it lifts the root bound) while this thread solves the LP relaxation of the whole phase-2
     model (the bound) and rounds it (each consignment its largest-valued candidate that fits;
     then insertion by moving riders off full departures; then most-constrained-first), packed
     exactly;
  5. the neighbourhood search (lns.py) from the best plan: on this thread while the full MIP
     runs, on both cores on large instances; its windows keep the containers of riders outside
     them as they are, except on small groups and on the train or sailing a window rides;
  6. the final routes re-packed (exact_pack), which re-decides every container.
The reported bound is the best of the assignment bound, the (block) LP and the MIP's dual bound.
Measured (bench/plan_scale.py, seed 1): 1,000 consignments in 15 s, gap 0.26 % before the search
(LP rounding + LP-restricted MIP + full MIP), 0.09 % now; 10,000 in 120 s, 12.7 % against the
assignment bound before, about 0.45 % against the block bound now (README for the table).
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from routing.planner.instance import Decisions, DepKey, Instance, amortised_coef, n_max, riders_on

if TYPE_CHECKING:
    from ortools.math_opt.python import mathopt

    from routing.planner.formulation import Formulation

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
        for n in range(1, n_max(inst, gi) + 1):
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


# The groups are independent knapsacks with an integer container count. Small ones (most road
# departures) are solved PACK_CHUNK to a MIP; big ones (trains and sailings with up to 600
# riders at 10,000 consignments) one MIP each, warm-started from the heuristic packing.
PACK_SMALL = 20  # riders
# Small groups per MIP: at 10,000 consignments the 2,261 small groups took 3.1 s in MIPs of 200,
# 2.0 s in MIPs of 50 and about 10 s one by one (each solve has a few ms of overhead).
PACK_CHUNK = 50


def exact_pack(inst: Instance, chosen: dict[int, int], time_limit_s: float, seed: int,
               workers: int = 1) -> tuple[dict[DepKey, int], set[tuple[int, DepKey]]] | None:
    """The best containers for fixed itineraries within `time_limit_s`: the (box-*) and (open)
    rows alone, group by group (groups share nothing once routes are fixed). Optimal when time
    allows (measured: every group at 10,000 consignments in 3.7 s on one thread, 2.2 s on two);
    otherwise the best found, never worse than `pack_groups`. None only when a MIP returns no
    solution at all. The MIPs are independent: `workers` threads solve them (HiGHS releases
    the GIL); when every MIP ends before the time limit, the result does not depend on how many."""
    from ortools.math_opt.python import mathopt

    from routing.planner.formulation import packing

    deadline = time.monotonic() + max(time_limit_s, 0.05)
    on = riders_on(inst, chosen)
    small = sorted(gi for gi in on if len(on[gi]) <= PACK_SMALL)
    big = sorted(gi for gi in on if len(on[gi]) > PACK_SMALL)
    # Big groups one MIP each, first (they hold most of the savings, should time run short):
    # measured at 10,000 consignments, 132 groups of 100-612 riders were each proven optimal in
    # under 0.1 s, while one MIP holding all of them was still improving after 8 s.
    chunks = [[gi] for gi in big] + [small[i:i + PACK_CHUNK] for i in range(0, len(small), PACK_CHUNK)]
    heuristic = pack_groups(inst, chosen)

    def solve(chunk: list[int]) -> tuple[dict[DepKey, int], set[tuple[int, DepKey]]] | None:
        f = packing(inst, {gi: on[gi] for gi in chunk})
        params = mathopt.SolveParameters(
            time_limit=timedelta(seconds=max(deadline - time.monotonic(), 0.05)), random_seed=seed,
            relative_gap_tolerance=1e-7, presolve=mathopt.Emphasis.OFF)  # presolve overran the limit
        r = mathopt.solve(f.model, mathopt.SolverType.HIGHS, params=params,
                          model_params=f.hint(inst, (chosen, *heuristic)))
        if not r.has_primal_feasible_solution():
            return None
        _, chunk_boxes, chunk_boxed = f.decisions(inst, f.values(r))
        return chunk_boxes, chunk_boxed

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        results = list(pool.map(solve, chunks))  # in chunk order, whatever the threads' timing
    boxes: dict[DepKey, int] = {}
    boxed: set[tuple[int, DepKey]] = set()
    for result in results:
        if result is None:
            return None
        boxes.update(result[0])
        boxed |= result[1]
    return boxes, boxed


def assignment_bound(inst: Instance, served_target: int) -> float:
    """A lower bound on phase 2 that needs no solve: capacity ignored, containers amortised
    (`instance.amortised_coef`); serving `served_target` costs at least the sum of the
    smallest per-consignment minima."""
    coef = amortised_coef(inst)
    lows = sorted(min(coef[k] for k in ks) for ks in inst.by_consignment if ks)
    return sum(lows[:served_target])


def solution_value(inst: Instance, chosen: dict[int, int], boxes: dict[DepKey, int],
                   boxed: set[tuple[int, DepKey]]) -> float:
    """The phase-2 objective of a set of decisions.

    Containers on departures that are not shared groups (a consignment's own containers) are
    already priced in `coef`, so only group departures add container costs and savings here.
    """
    index = inst.group_index
    groups = inst.groups
    return (sum(inst.coef[k] for k in chosen.values())
            - sum(groups[index[key]].saving[ci] for ci, key in boxed if key in index)
            + sum(groups[index[key]].container_eur * inst.cost_weight * n
                  for key, n in boxes.items() if key in index))


@contextlib.contextmanager
def native_stdout_silenced() -> Iterator[None]:
    """Send what native code writes to file descriptor 1 to the null device meanwhile.

    HiGHS prints a debugging line (`HighsMipSolverData::transformNewIntegerFeasibleSolution`)
    straight to stdout on some solves, whatever its logging options; it would corrupt a plan
    written to stdout (`--format json`). Library code here never prints, so nothing is lost.
    """
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


# Above this many candidate itineraries the whole model's LP is too slow for the budget (about
# 150 s at 110,000 candidates, 1 s at 10,800): the bound then comes from the block relaxation
# (bounds.py) and no full MIP runs alongside the search.
LARGE_CANDIDATES = 40_000
# Consignments per block of the block relaxation: two blocks (one per core) up to BLOCK_MAX each.
# Measured at 10,000 consignments (9,143 servable), blocks solved two at a time: 4 blocks of 2,500
# gave EUR 16,560,951 in 7.7 s, 2 of 4,572 EUR 16,572,769 in 25 s, and their rounded plan was
# EUR 44,000 better (16,702,524 against 16,746,558), which the search keeps: 0.52 % instead of
# 0.68 % at 120 s.
BLOCK_MIN, BLOCK_MAX = 2_500, 5_000


def block_size(servable: int) -> int:
    """Consignments per block for `servable` consignments (see BLOCK_MIN)."""
    return min(BLOCK_MAX, max(BLOCK_MIN, math.ceil(servable / 2)))


def _start_full_mip(full: Formulation, hint: mathopt.ModelSolveParameters,
                    params: Callable[[], mathopt.SolveParameters], kind: mathopt.SolverType,
                    msg: Callable[[list[str]], None] | None, outcome: dict[str, mathopt.SolveResult],
                    proven: threading.Event) -> threading.Thread:
    """The full MIP in a thread; its result lands in `outcome["mip"]`, `proven` set if optimal."""
    from ortools.math_opt.python import mathopt

    def full_mip() -> None:
        r = mathopt.solve(full.model, kind, params=params(), model_params=hint, msg_cb=msg)
        outcome["mip"] = r
        if r.termination.reason == mathopt.TerminationReason.OPTIMAL:
            proven.set()

    worker = threading.Thread(target=full_mip, name="full-mip", daemon=True)
    worker.start()
    return worker


def solve_mathopt(inst: Instance, solver: str, time_limit_s: float, seed: int, rel_gap: float,
                  progress: Progress | None) -> Solution:
    """Both phases with MathOpt (HiGHS or SCIP): see the pipeline in this module's docstring."""
    from ortools.math_opt.python import mathopt

    from routing.planner.bounds import block_relaxation
    from routing.planner.formulation import build
    from routing.planner.greedy import solve_greedy
    from routing.planner.lns import REPACK_MEMBERS, improve
    from routing.planner.polish import round_relaxation, steer_to_relaxation

    kind = mathopt.SolverType.HIGHS if solver == "highs" else mathopt.SolverType.GSCIP
    start = time.monotonic()
    # Kept for the plan's assembly after the solve (measured: 0.7 s at 10,000 consignments) and
    # for solvers finishing past their limits: HiGHS checks its clock between cut rounds, and the
    # full MIP ended up to 0.7 s late at 1,000 in 15 s; with 0.75 s + 1 % kept, runs ended at up
    # to 15.1 s, with 1 s + 1 % at 14.4-14.9 s.
    deadline = start + time_limit_s - min(0.1 * time_limit_s, 1.0 + 0.01 * time_limit_s)
    servable = sum(1 for ks in inst.by_consignment if ks)
    large = len(inst.cands) > LARGE_CANDIDATES and bool(inst.groups)  # without groups: a quick MIP

    def left() -> float:
        return deadline - time.monotonic()

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
        return p

    def say(text: str) -> None:
        if progress:
            progress(f"{text} ({time.monotonic() - start:.1f} s)")

    msg = None
    if progress is not None:
        def msg(lines: list[str]) -> None:
            for line in lines:
                if line.strip():
                    progress(line.rstrip())

    worker: threading.Thread | None = None  # the full MIP's thread, when one runs
    pack_s = 0.0  # the longest exact packing so far: the search leaves that long for the last one

    def packed(chosen: dict[int, int], share: float) -> Decisions:
        nonlocal pack_s
        began = time.monotonic()
        threads = 1 if worker is not None and worker.is_alive() else 2  # a core each
        boxes = (exact_pack(inst, chosen, max(0.05, left() * share), seed, threads)
                 or pack_groups(inst, chosen))
        pack_s = max(pack_s, time.monotonic() - began)
        return chosen, *boxes

    def value(plan: Decisions) -> float:
        return solution_value(inst, *plan)

    termination: list[str] = []
    greedy = solve_greedy(inst)
    best: Decisions = (greedy.chosen, *pack_groups(inst, greedy.chosen))
    say(f"greedy + container packing: {len(greedy.chosen)} served, objective {value(best):,.2f}")
    served_target = served_bound = servable
    exactly_packed = False  # greedy's plan is packed by the quick heuristic only
    bound = -math.inf
    lp_values: list[float] | None = None
    block_bound = -math.inf
    full = None

    if large:  # the block relaxation, valid when every servable one is served
        per_block = block_size(servable)
        blocks = block_relaxation(inst, per_block, start + 0.3 * time_limit_s, kind, seed)
        if blocks is not None:
            lp_values, block_bound = blocks.values, blocks.bound
            say(f"block relaxation ({blocks.blocks} blocks of {per_block}): bound {blocks.bound:,.2f}")
            rounded = round_relaxation(inst, lp_values, servable)
            if rounded is not None:
                best, exactly_packed = packed(rounded, 0.15), True
                say(f"block LPs rounded, containers packed: objective {value(best):,.2f}")
        else:
            say("block relaxation: some block cannot serve all its consignments (or out of time)")

    # Phase 1: serve as many as possible, unless a plan at hand already serves every servable one.
    if inst.capacity and len(best[0]) < servable:
        f1 = build(inst, serve_only=True)
        say(f"phase 1 (max served): {f1.size['variables']} variables, {f1.size['constraints']} rows")
        r1 = mathopt.solve(f1.model, kind, params=params(left() * 0.25, 0.0),
                           model_params=f1.hint(inst, best), msg_cb=msg)
        termination.append(f"phase1 {r1.termination.reason.name.lower()}")
        served_bound = min(servable, math.floor(r1.termination.objective_bounds.dual_bound + 1e-6))
        served_target = len(best[0])
        if r1.has_primal_feasible_solution():
            chosen1 = f1.decisions(inst, f1.values(r1))[0]
            if len(chosen1) > served_target:
                served_target = len(chosen1)
                if lp_values is not None:  # the block LPs' routes where they fit, else phase 1's
                    rounded = round_relaxation(inst, lp_values, served_target)
                    chosen1 = (rounded if rounded is not None
                               else steer_to_relaxation(inst, chosen1, lp_values))
                best, exactly_packed = packed(chosen1, 0.05), True
                say(f"phase 1 plan{' steered to the block LPs' if lp_values is not None else ''}, "
                    f"containers packed: {len(chosen1)} served, objective {value(best):,.2f}")
    bound = max(bound, assignment_bound(inst, served_target))
    if served_target == servable and math.isfinite(block_bound):  # the block relaxation holds
        bound = max(bound, block_bound)
        termination.append("block bound")

    # The full MIP (small models) runs on the second core for its bound and any plan it finds,
    # from now on (its presolve and root cuts take most of a 15 s run at 1,000 consignments),
    # while this thread solves the LP and the neighbourhood search improves the incumbent;
    # HiGHS releases the GIL.
    outcome: dict[str, mathopt.SolveResult] = {}
    proven = threading.Event()  # the full MIP proved its plan optimal: the search can stop
    if not large:
        full = build(inst, served_target=served_target)
        say(f"phase 2 (min objective): {full.size['variables']} variables, "
            f"{full.size['constraints']} rows, {full.size['groups']} container groups")
        # HiGHS presolve ran past the time limit on bigger models (5,000 consignments: 44 s
        # of a 14 s budget); at 1,000 (20,000 variables) it takes 3 s and lifts the root bound.
        presolve_full = full.size["variables"] < 50_000
        if len(best[0]) >= served_target:
            worker = _start_full_mip(full, full.hint(inst, best),
                                     lambda: params(left(), rel_gap, presolve_full), kind, msg,
                                     outcome, proven)
        if full.groups:
            try:  # the LP relaxation: a bound, and routes to round (an optional step)
                lp = build(inst, served_target=served_target, relax=kind != mathopt.SolverType.HIGHS)
                lp_params = params(left() * 0.3, 0.0, presolve=True)
                if kind == mathopt.SolverType.HIGHS:  # the same model, solved as its LP relaxation
                    lp_params.highs.bool_options["solve_relaxation"] = True
                r_lp = mathopt.solve(lp.model, kind, params=lp_params)
                termination.append(f"lp {r_lp.termination.reason.name.lower()}")
                if r_lp.termination.reason == mathopt.TerminationReason.OPTIMAL:
                    bound = max(bound, r_lp.objective_value())
                    values = lp.values(r_lp)
                    say(f"LP relaxation {r_lp.objective_value():,.2f}")
                    rounded = round_relaxation(inst, [values[lp.x[k]] for k in range(len(inst.cands))],
                                               served_target)
                    if rounded is not None:
                        plan = packed(rounded, 0.1)
                        say(f"LP rounded, containers packed: objective {value(plan):,.2f}")
                        if len(best[0]) < served_target or value(plan) < value(best):
                            best, exactly_packed = plan, True
            except Exception as exc:  # OR-Tools 9.15 turns some HiGHS errors into an AttributeError
                say(f"LP relaxation skipped: {type(exc).__name__}: {exc}")
    size = {**(full.size if full is not None else {}), "candidates": len(inst.cands),
            "capacity_rows": len(_cap_rows(inst)), "groups": len(inst.groups)}
    if len(best[0]) < served_target:
        termination.append("no plan serves the phase-1 count")
        return Solution(best[0], best[1], best[2], value(best), None, " / ".join(termination),
                        served_bound, size)
    if not exactly_packed:  # still greedy's plan: pack its containers exactly before searching
        best = packed(best[0], 0.05)

    # The search keeps most riders outside a window loose or boxed as they were (lns.ORDERS has
    # the figures against re-packing them all); the final exact packing of its routes re-decides
    # every container (measured at 10,000: 2.2 s on two threads). The search leaves it the time
    # the longest packing so far took (should it need more, the big groups come first and the
    # search's plan stays if better).
    lns = improve(inst, best, value, deadline - pack_s, kind, seed,
                  repack_kept=False, repack_members=REPACK_MEMBERS,
                  workers=1 if worker is not None else 2,
                  stop=proven.is_set, progress=say)
    termination.append(f"lns {lns.improved}/{lns.windows} windows improved in {lns.passes} passes")
    best = lns.plan
    repacked = packed(best[0], 1.0)
    if value(repacked) < value(best) - 1e-9 * max(1.0, abs(value(best))):
        best = repacked
        say(f"final routes re-packed: objective {value(best):,.2f}")
    if worker is not None and full is not None:
        worker.join()
        r = outcome["mip"]
        termination.append(f"mip {r.termination.reason.name.lower()}")
        if r.has_primal_feasible_solution():
            plan = full.decisions(inst, full.values(r))
            options = [plan]
            # A worse plan would need its re-packing to make up the whole difference: not worth the time.
            if proven.is_set() or value(plan) < value(best):
                options.append(packed(plan[0], 0.02))
            if proven.is_set():  # the proven plan wins ties: the search stopped at a time-dependent point
                best = min(options, key=value)
                options = [lns.plan]
            for option in options:
                if value(option) < value(best) - 1e-9 * max(1.0, abs(value(best))):
                    best = option
        bound = max(bound, r.termination.objective_bounds.dual_bound)
    return Solution(best[0], best[1], best[2], value(best), bound if math.isfinite(bound) else None,
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
        n = m.new_int_var(0, n_max(inst, gi), f"n{gi}")
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

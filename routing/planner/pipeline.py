"""Plan many consignments: a pipeline of stages over one typed state.

  1. columns     the first candidate itineraries (`candidates.py`) and a first plan, greedy in
                 the order that serves the most (`greedy.solve_most_served`);
  2. phase 1     only when the plans at hand leave a servable consignment out: the LP of "serve
                 as many as possible" priced over every itinerary (an upper bound on the number
                 served; large plans: its Lagrangian at multipliers found by subgradient,
                 `subgradient.py`, before the relaxation) and, on small plans, its MIP over
                 the columns (a plan serving more);
  3. relaxation  small plans: the LP of the model and column generation (`colgen.py`), round
                 after round (each LP after the first from the last basis, `basis.py`), until
                 pricing finds no new column, the bound proves the plan, or the bound stalls;
                 large plans (over `LARGE_CANDIDATES` columns): the block
                 relaxation (`bounds.py`) priced once over every itinerary;
  4. rounding    the relaxation's routes, containers packed exactly (`packing.py`);
  5. completion  small plans: every itinerary within the reduced-cost gap of the best
                 multipliers so far (`colgen.complete_columns`), when they are few enough;
  6. search      the neighbourhood search (`lns.py`); on small plans the full MIP over the
                 columns runs beside it in a worker process (after the completion, its dual
                 bound holds over every itinerary);
  7. packing     the final routes' containers packed exactly; ties moved to the earliest
                 arrival (`polish.py`).

Small plans repeat 3, 5 and 6 while time is left, the gap is open and each pass gets further.
The plan's bound is valid over every itinerary: the best Lagrangian bound of the rounds of
pricing, or the full MIP's dual bound after a completion (with neither, the plan says so and
reports no bound). The budget (`budget.py`) gives each stage its deadline; the run ends within
the time limit.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from ortools.math_opt.python import mathopt

from routing.planner.assemble import assemble
from routing.planner.basis import COLD_ALGORITHM, COLD_SOLVER, Basis
from routing.planner.bounds import block_relaxation
from routing.planner.budget import Budget, Interrupted
from routing.planner.candidates import Candidate, generate
from routing.planner.colgen import Multipliers, PricingRound, complete_columns, price_round, smoothed
from routing.planner.containers import ContainerRules
from routing.planner.decisions import Decisions, Solution
from routing.planner.greedy import solve_greedy, solve_most_served
from routing.planner.instance import Instance, build_instance
from routing.planner.lns import REPACK_MEMBERS, improve
from routing.planner.model import Plan, PlanRequest, PlanSettings
from routing.planner.objective import PlanObjective
from routing.planner.ontime import admissible_candidates
from routing.planner.packing import exact_pack, pack_groups
from routing.planner.polish import earliest_equivalent, round_relaxation, steer_to_relaxation
from routing.planner.spec import Formulation, build
from routing.planner.subgradient import served_multipliers
from routing.planner.workers import (
    Pending,
    SolverPool,
    native_stdout_silenced,
    no_optimum,
    result_proto,
    wait_for,
)

Progress = Callable[[str], None]
# Above this many columns the whole model's LP is too slow for the budget: the relaxation is
# then the block relaxation, and no full MIP runs (neither phase 1's nor beside the search).
LARGE_CANDIDATES = 40_000
# Consignments per block of the block relaxation: two blocks (one per core), each BLOCK_MIN to
# BLOCK_MAX consignments.
BLOCK_MIN, BLOCK_MAX = 2_500, 5_000
ColumnKey = tuple[int, int]  # (consignment, position among its candidates): stable as columns grow


def block_size(servable: int) -> int:
    """Consignments per block for `servable` consignments."""
    return min(BLOCK_MAX, max(BLOCK_MIN, math.ceil(servable / 2)))


@dataclass
class _State:
    """What the stages share."""

    request: PlanRequest
    settings: PlanSettings
    budget: Budget
    pool: SolverPool
    say: Progress
    kind: mathopt.SolverType
    objective: PlanObjective
    rules: ContainerRules
    candidates: list[list[Candidate]] = field(default_factory=list)
    inst: Instance | None = None
    best: Decisions | None = None
    exactly_packed: bool = False
    servable: int = 0
    served_target: int = 0
    served_bound: int | None = None
    bound: float | None = None  # valid over every itinerary
    bound_basis: str = ""
    lp_values: dict[ColumnKey, float] | None = None
    # The multipliers of the best Lagrangian bound of column generation and their pricing (the
    # completion's reduced-cost argument holds for any multipliers: the best bound, the fewest
    # columns within the gap).
    pricing: tuple[Multipliers, PricingRound] | None = None
    converged: bool = False  # pricing at the LP's duals found no new column
    served_priced: bool = False  # large plans: phase 1's bound by subgradient done (`_served_bound`)
    rounds: int = 0  # rounds of column generation so far
    basis: Basis | None = None  # the last LP's optimal basis, the next one's start
    columns_complete: bool = False  # every column within the reduced-cost gap is in the model
    records: list[tuple[str, float, str]] = field(default_factory=list)
    termination: list[str] = field(default_factory=list)
    pack_s: float = 0.0
    complete: bool = True  # every consignment's candidates were generated
    searched: int = 0  # consignments whose candidates were generated (the first ones)
    # z_c at zero multipliers (`_assignment_bound`), once a pricing round has found them.
    assignment_values: dict[int, float] | None = None

    @property
    def instance(self) -> Instance:
        assert self.inst is not None
        return self.inst

    def value(self, plan: Decisions) -> float:
        return self.instance.value(plan)

    def record(self, stage: str, started: float, note: str) -> None:
        self.records.append((stage, round(time.monotonic() - started, 3), note))

    def raise_bound(self, value: float | None, basis: str) -> None:
        if value is not None and (self.bound is None or value > self.bound):
            self.bound, self.bound_basis = value, basis

    def offer_pricing(self, m: Multipliers, found: PricingRound, basis: str) -> bool:
        """Keep `found` (pricing at `m`) for the completion if its bound beats the kept one's,
        raise the plan's bound with it; whether it was kept."""
        kept = self.pricing
        better = found.bound is not None and (kept is None or kept[1].bound is None
                                              or found.bound > kept[1].bound)
        if better:
            self.pricing = (m, found)
        self.raise_bound(found.bound, basis)
        return better

    def offer(self, plan: Decisions, packed: bool) -> bool:
        """Keep `plan` if it is better: it serves more, or as many at a lower objective."""
        if self.best is not None:
            mine, theirs = len(plan[0]), len(self.best[0])
            if mine < theirs:
                return False
            current = self.value(self.best)
            if mine == theirs and not self.value(plan) < current - 1e-9 * max(1.0, abs(current)):
                return False
        self.best, self.exactly_packed = plan, packed
        return True


def plan_consignments(request: PlanRequest, progress: Progress | None = None,
                      settings: PlanSettings | None = None, started: float | None = None) -> Plan:
    """The best plan found within the time limit (counted from `started`, a `time.monotonic()`
    instant, by default now), with a bound valid over every itinerary when pricing proved one.

    The work runs in a thread while this one waits in short steps, so that a Ctrl-C here
    interrupts it at once: solver processes are killed and `KeyboardInterrupt` is re-raised.
    """
    settings = settings or PlanSettings()
    budget = Budget(request.time_limit_s, started, consignments=len(request.consignments))
    outcome: dict[str, Plan | BaseException] = {}

    def work() -> None:
        try:
            outcome["plan"] = _run(request, settings, budget, progress or (lambda _: None), pool)
        except BaseException as exc:  # handed to the waiting thread
            outcome["error"] = exc

    pool = SolverPool(budget, settings.workers)
    thread = threading.Thread(target=work, name="plan", daemon=True)
    with native_stdout_silenced():  # the workers inherit the silenced stdout too
        if request.solver != "greedy":
            # Started here, in the caller's thread (the main thread of `cli.py`, where the
            # workers can start with Ctrl-C ignored: `workers._interrupts_ignored`); they import
            # the solver while candidates are generated.
            pool.start()
        thread.start()
        wait_for(thread, budget)
    error = outcome.get("error")
    if isinstance(error, Interrupted) or budget.interrupted:
        raise KeyboardInterrupt
    if isinstance(error, BaseException):
        raise error
    plan = outcome["plan"]
    assert isinstance(plan, Plan)
    return plan


def _run(request: PlanRequest, settings: PlanSettings, budget: Budget, progress: Progress,
         pool: SolverPool) -> Plan:
    """The pipeline (module docstring); closes `pool` when done."""
    objective = PlanObjective.of(request.objective, request.consignments, request.eur_per_tco2,
                                 request.eur_per_day)
    rules = ContainerRules(request.network, request.consignments, objective)

    def say(text: str) -> None:
        progress(f"{text} ({budget.elapsed():.1f} s)")

    kind = mathopt.SolverType.GSCIP if request.solver == "scip" else mathopt.SolverType.HIGHS
    state = _State(request, settings, budget, pool, say, kind, objective, rules)
    try:
        _columns(state)
        if request.solver == "greedy":
            greedy = solve_greedy(state.instance)
            return _finish(state, Solution(greedy.chosen, termination=greedy.termination), loose_only=True)
        large = len(state.instance.cands) > LARGE_CANDIDATES and bool(state.instance.groups)
        # First try to serve every servable consignment: the relaxation and its rounding most
        # often do, and then nothing more needs proving about the number served.
        if state.complete:
            _set_target(state, state.servable)
        if large and state.best is not None and len(state.best[0]) < state.served_target:
            # Before the block relaxation for all servable: it is no use if they cannot all go.
            _served_bound(state)
        _relax(state, large)
        _rounding(state)
        assert state.best is not None
        if len(state.best[0]) < state.served_target:  # it did not: serve as many as possible
            _set_target(state, len(state.best[0]))
            _phase1(state, large)
            _relax(state, large)
            _rounding(state)
        if not large:
            _completion(state)
        mip = _search(state, large)
        # Time left and the gap still open: more column generation, the completion, the search
        # again, while each pass gets further (a round more, or the completion done).
        while not large and _has_time(state) and not _proven(state):
            before = (state.rounds, state.columns_complete)
            _relax(state, large)
            _completion(state)
            if (state.rounds, state.columns_complete) == before:
                break
            mip = _search(state, large) or mip
        _final_packing(state, mip)
        assert state.best is not None
        chosen, boxes, boxed = state.best
        solution = earliest_equivalent(state.instance, Solution(chosen, boxes, boxed))
        # Never empty: a run whose time ran out before any stage finished says so.
        solution.termination = (" / ".join(state.termination)
                                or "time limit: no stage finished (the first plan, as built)")
        solution.bound = state.bound
        solution.served_bound = state.served_bound
        return _finish(state, solution, loose_only=False)
    finally:
        pool.close()


# A stage is not started with less time left than this share of the limit (it could not finish
# anything useful, and the run must end on time).
MIN_STAGE_SHARE = 0.05


def _has_time(state: _State) -> bool:
    return state.budget.left() > MIN_STAGE_SHARE * state.budget.limit_s and not state.budget.stop()


def _set_target(state: _State, served: int) -> None:
    """Plans must now serve `served`; a bound proven for another number no longer applies, but
    the assignment bound holds for any number (`_assignment_bound`)."""
    if served != state.served_target:
        state.served_target = served
        state.bound, state.bound_basis, state.pricing, state.converged = None, "", None, False
        state.columns_complete = False
        state.lp_values = None
        _assignment_bound(state)


def _assignment_bound(state: _State) -> None:
    """The Lagrangian bound at zero multipliers for the number to serve now: the sum of the
    `served_target` least costs z_c(0) (each consignment's cheapest itinerary, containers pro
    rata, capacity ignored; `colgen.price_round`), kept from the pricing that found them."""
    values = state.assignment_values
    if values is None or len(values) < state.served_target:
        return
    bound = sum(sorted(values.values())[:state.served_target])
    state.raise_bound(bound, f"cheapest itinerary of each consignment, containers pro rata, for the "
                             f"{state.served_target:,} served")


def _relax(state: _State, large: bool) -> None:
    if not _has_time(state):
        return
    if large:
        _block_relaxation(state)
    else:
        _relaxation(state)


def _finish(state: _State, solution: Solution, *, loose_only: bool) -> Plan:
    inst = state.instance
    value = (sum(inst.loose_value(k) for k in solution.chosen.values()) if loose_only
             else inst.value(solution.decisions))
    solution.model_size = {"candidates": len(inst.cands), "groups": len(inst.groups),
                           "capacity_departures": len(inst.capacity)}
    return assemble(inst, solution, state.request.solver, state.budget.elapsed(), loose_only=loose_only,
                    value=value, bound_basis=state.bound_basis if solution.bound is not None else "",
                    stages=tuple(state.records), settings=state.settings, searched=state.searched)


# --- stages ------------------------------------------------------------------------------------

def _columns(state: _State) -> None:
    """The first candidates of every consignment and the first plan (`solve_most_served`)."""
    started = time.monotonic()
    r = state.request
    state.say(f"generating candidates for {len(r.consignments)} consignments")
    state.candidates, searched = generate(
        r.network, r.consignments, r.objective, eur_per_day=r.eur_per_day, eur_per_tco2=r.eur_per_tco2,
        horizon_days=r.horizon_days, alternatives=r.alternatives, max_departures=r.max_departures,
        progress=state.say, stop=state.budget.columns_over)
    # --on-time (issue 16): only punctual enough columns; a consignment left without any may
    # still have an admissible itinerary, so no served bound is claimed from the columns then.
    state.candidates, unpunctual = admissible_candidates(r, state.candidates)
    state.complete = searched == len(r.consignments)
    state.searched = searched
    _rebuild(state)
    inst = state.instance
    state.servable = len(inst.servable)
    first = solve_most_served(inst)
    state.served_target = len(first.chosen)
    if state.complete and not unpunctual:
        state.served_bound = state.servable  # nobody without an itinerary can be served
    state.best = (first.chosen, *pack_groups(inst, first.chosen))
    note = (f"{len(inst.cands)} candidates, {len(inst.capacity)} capacitated departures, "
            f"{len(inst.groups)} container groups; the first greedy plan serves {len(first.chosen)}")
    if not state.complete:
        note += f"; time ran out after {searched} consignments"
    state.say(note)
    state.record("columns", started, note)


def _rebuild(state: _State) -> None:
    """The instance of the current candidates; the incumbent carried over (columns only grow)."""
    old = state.inst
    inst = build_instance(state.request, state.candidates, state.objective, state.rules,
                          capacity=state.settings.capacity)
    if old is not None and state.best is not None:
        chosen = {ci: inst.by_consignment[ci][old.by_consignment[ci].index(k)]
                  for ci, k in state.best[0].items()}
        state.best = (chosen, state.best[1], state.best[2])
    state.inst = inst


def _add(state: _State, *founds: PricingRound) -> int:
    """Add the new columns of pricing rounds over the current instance (each once)."""
    added = 0
    for found in founds:
        for ci, column in found.columns.items():
            legs = tuple(leg.key for leg in column.legs)
            if all(tuple(leg.key for leg in other.legs) != legs for other in state.candidates[ci]):
                state.candidates[ci].append(column)
                added += 1
    if added:
        _rebuild(state)
    return added


@dataclass
class _ColdRound:
    """An LP solved from scratch (`_cold_round`)."""

    result: mathopt.SolveResult | None  # the LP to go on from
    own: tuple[Multipliers, PricingRound] | None  # pricing at `result`'s duals, if done already
    other: tuple[Multipliers, PricingRound] | None  # pricing at another optimal dual solution


def _cold_round(state: _State, inst: Instance, f: Formulation, deadline: float) -> _ColdRound:
    """The LP from scratch, by two solvers side by side (one per worker): GLOP's dual simplex,
    whose optimal duals price to better bounds (`basis`), and HiGHS's, faster, whose duals are
    priced while GLOP still runs (a bound and columns of their own). GLOP's result when optimal
    by the deadline, else HiGHS's."""
    slow = state.pool.submit(f.model, COLD_SOLVER, _lp_params(state, deadline, COLD_ALGORITHM),
                             keep_basis=True)
    fast = state.pool.submit(f.model, mathopt.SolverType.HIGHS, _lp_params(state, deadline),
                             keep_basis=True)

    def wait(job: Pending) -> mathopt.SolveResult | None:
        return state.pool.result(job, max(0.0, deadline - time.monotonic()) + 2.0)

    highs = wait(fast)
    priced = None
    if not no_optimum(highs):
        assert highs is not None
        m = Multipliers.from_lp(inst, f, f.duals(highs))
        found = price_round(inst, m, state.served_target, stop=state.budget.stop)
        priced = None if found is None else (m, found)
    glop = wait(slow)
    if not no_optimum(glop):
        return _ColdRound(glop, None, priced)
    return _ColdRound(highs, priced, None)


def _lp_params(state: _State, deadline: float,
               algorithm: mathopt.LPAlgorithm = mathopt.LPAlgorithm.DUAL_SIMPLEX) -> mathopt.SolveParameters:
    return mathopt.SolveParameters(time_limit=timedelta(seconds=max(0.1, deadline - time.monotonic())),
                                   random_seed=state.settings.seed, lp_algorithm=algorithm)


def _phase1(state: _State, large: bool) -> None:
    """Serve as many as possible: column generation on the LP of phase 1 gives an upper bound
    on the number served over every itinerary (and the columns to reach it); its MIP over the
    columns a plan serving more. Large plans, whose LP and MIP would not end in time, take the
    bound at multipliers found by subgradient over the columns (`subgradient.py`), priced
    exactly, and keep the first plan's count."""
    if not _has_time(state):
        return
    started = time.monotonic()
    deadline = state.budget.until("phase1")
    rounds = 0
    converged: tuple[Multipliers, PricingRound] | None = None
    if large:  # its LP would not end in time
        _served_bound(state)
    while not large and time.monotonic() < deadline and not state.budget.stop():
        inst = state.instance
        f = build(inst, serve_only=True, relax=True, bounded=False)
        r = state.pool.solve(f.model, mathopt.SolverType.HIGHS, _lp_params(state, deadline))
        if r is None or no_optimum(r):
            break
        m = Multipliers.from_lp(inst, f, f.duals(r), phase1=True)
        found = price_round(inst, m, 0, stop=state.budget.stop)
        if found is None:
            break
        rounds += 1
        if found.bound is not None:
            _cap_served(state, found.bound)
        if not found.columns:
            converged = (m, found)
            break
        _add(state, found)
    # Large plans run no full MIP (`LARGE_CANDIDATES`): phase 1's finds nothing in its share
    # there (README, planner performance), time the search can use.
    complete = (state.served_bound is not None and state.served_target >= state.served_bound
                if large else _phase1_mip(state, deadline))
    if (converged is not None and state.served_bound is not None
            and state.served_target < state.served_bound and time.monotonic() < deadline):
        # The LP says more could be served, the MIP over the columns does not: every column a
        # plan serving one more could use, then the MIP again, now exact over every itinerary.
        m, found = converged
        assert found.bound is not None
        missing = complete_columns(state.instance, m, found, found.bound - state.served_target - 1,
                                   COMPLETION_LIMIT, stop=state.budget.stop)
        if missing is not None:
            for ci, columns in missing.items():
                state.candidates[ci].extend(columns)
            if missing:
                _rebuild(state)
            complete = _phase1_mip(state, deadline, exact=True)
    method = "the capacity Lagrangian by subgradient" if large else f"{rounds} rounds of column generation"
    note = (f"phase 1: {method}; {state.served_target} served, at most "
            f"{state.served_bound if state.served_bound is not None else '?'} over every itinerary"
            + ("" if complete else " (not proven)"))
    state.termination.append(note)
    state.say(note)
    state.record("phase1", started, note)


def _served_bound(state: _State) -> None:
    """Large plans, once: phase 1's Lagrangian bound on the number served, at multipliers found
    by subgradient over the columns (`subgradient.py`) and priced over every itinerary."""
    if state.served_priced or not _has_time(state):
        return
    started = time.monotonic()
    inst = state.instance
    found = price_round(inst, served_multipliers(inst, len(state.best[0]) if state.best else 0,
                                                 stop=state.budget.stop),
                        0, stop=state.budget.stop)
    if found is None:  # out of time
        return
    state.served_priced = True
    if found.bound is not None:
        _cap_served(state, found.bound)
    note = (f"served bound by subgradient: at most {state.served_bound} of "
            f"{state.servable} servable over every itinerary")
    state.say(note)
    state.record("served bound", started, note)


def _cap_served(state: _State, upper: float) -> None:
    """Lower the served bound to `upper` (a bound over every itinerary: Lagrangian, or the exact
    phase-1 MIP's) if it is lower; an infinite one (no bound yet) says nothing."""
    if not math.isfinite(upper):
        return
    bound = min(state.servable, math.floor(upper + 1e-6))
    state.served_bound = bound if state.served_bound is None else min(state.served_bound, bound)


def _phase1_mip(state: _State, deadline: float, *, exact: bool = False) -> bool:
    """Phase 1's MIP over the columns: a plan serving more. With `exact` (every column that
    could serve more is present) its bound caps the number served; True when proven."""
    inst = state.instance
    f1 = build(inst, serve_only=True)
    params = mathopt.SolveParameters(time_limit=timedelta(seconds=max(0.1, deadline - time.monotonic())),
                                     random_seed=state.settings.seed, relative_gap_tolerance=0.0)
    assert state.best is not None
    r1 = state.pool.solve(f1.model, state.kind, params, f1.hint(inst, state.best))
    if r1 is None or not r1.has_primal_feasible_solution():
        return False
    chosen = f1.decisions(inst, f1.values(r1))[0]
    if len(chosen) > state.served_target:
        state.served_target = len(chosen)
        state.best = (chosen, *pack_groups(inst, chosen))
    if exact:
        _cap_served(state, r1.termination.objective_bounds.dual_bound)
    return state.served_bound is not None and state.served_target >= state.served_bound


def _proven(state: _State) -> bool:
    """Whether the plan kept is within the relative gap of the bound (nothing left to prove)."""
    if state.best is None or state.bound is None or len(state.best[0]) < state.served_target:
        return False
    value = state.value(state.best)
    return value - state.bound <= state.settings.relative_gap * max(1.0, abs(value))


# Column generation pauses after this many rounds without a better bound: degenerate duals make
# its tail long, and the completion from the best bound so far most often closes the gap sooner.
STALL_ROUNDS = 6
# Weight of the best multipliers so far in the mix column generation prices at (Wentges).
SMOOTHING = 0.5


def _relaxation(state: _State) -> None:
    """Small plans: the LP and column generation, round after round, within the stage's share.
    Converged when pricing at the LP's duals finds no new column; it also stops once the bound
    proves the plan kept, or pauses when the bound stalls (`STALL_ROUNDS`). The multipliers of
    the best bound are kept for the completion."""
    started = time.monotonic()
    deadline = state.budget.until("relaxation")
    rounds = added = stalled = 0
    warm = state.basis  # a later pass starts from the last pass's basis too
    while (time.monotonic() < deadline and not state.budget.stop() and not _proven(state)
           and not state.converged and stalled < STALL_ROUNDS):
        inst = state.instance
        f = build(inst, relax=True, served_target=state.served_target, bounded=False,
                  open_rows=state.settings.open_rows)
        r = None
        cold: _ColdRound | None = None
        if warm is not None:  # from the last basis, which stays primal feasible: GLOP's primal simplex
            r = state.pool.solve(f.model, mathopt.SolverType.GLOP,
                                 _lp_params(state, deadline, mathopt.LPAlgorithm.PRIMAL_SIMPLEX),
                                 warm.for_model(inst, f), keep_basis=True)
        if no_optimum(r) and time.monotonic() < deadline:
            # From scratch (the first LP, or a warm start that failed).
            cold = _cold_round(state, inst, f, deadline)
            r = cold.result
        if r is None or no_optimum(r):
            break
        warm = state.basis = Basis.of(inst, f, result_proto(r))
        x = f.values(r)
        state.lp_values = {_key(inst, k): float(x[var]) for k, var in f.x.items()}
        m = Multipliers.from_lp(inst, f, f.duals(r))
        side = cold.other if cold is not None else None
        found: PricingRound | None
        if cold is not None and cold.own is not None:
            m, found = cold.own
        elif state.pricing is not None:
            # Price between the best multipliers so far and the LP's (`colgen.smoothed`); only
            # pricing at the LP's own duals can show that no column is missing.
            m_mix = smoothed(inst, state.pricing[0], m, SMOOTHING)
            found = price_round(inst, m_mix, state.served_target, stop=state.budget.stop)
            if found is not None and found.columns:
                m = m_mix
            elif found is not None:  # a valid bound too, offered before pricing again
                state.offer_pricing(m_mix, found, f"column generation, round {state.rounds + 1}: "
                                                  "its Lagrangian bound at smoothed multipliers")
                found = price_round(inst, m, state.served_target, stop=state.budget.stop)
        else:
            found = price_round(inst, m, state.served_target, stop=state.budget.stop)
        if found is None:
            break
        rounds += 1
        state.rounds += 1
        better = state.offer_pricing(m, found, f"column generation, round {state.rounds}: LP over the "
                                               f"columns {r.objective_value():,.2f} and its Lagrangian bound")
        if side is not None:
            better = state.offer_pricing(*side, f"column generation, round {state.rounds}: LP over the "
                                                f"columns {r.objective_value():,.2f} and its Lagrangian "
                                                "bound at HiGHS's duals") or better
        stalled = 0 if better else stalled + 1
        founds = [found] if side is None else [found, side[1]]
        new_columns = sum(len(one.columns) for one in founds)
        bounds = [one.bound for one in founds if one.bound is not None]
        state.say(f"LP round {state.rounds}: {r.objective_value():,.2f} over {len(inst.cands)} columns; "
                  f"bound over every itinerary {max(bounds):,.2f}; {new_columns} new columns"
                  if bounds else f"LP round {state.rounds}: no bound")
        if not new_columns:
            state.converged = True
            break
        added += _add(state, *founds)
    note = (f"relaxation: {rounds} rounds of column generation, {added} columns added"
            + (", converged" if state.converged else ", the bound proves the plan" if _proven(state)
               else ", the bound stalled" if stalled >= STALL_ROUNDS else ""))
    state.termination.append(note)
    state.record("relaxation", started, note)


def _block_relaxation(state: _State) -> None:
    """Large plans: an assignment bound over every itinerary, then the block LPs priced."""
    started = time.monotonic()
    inst = state.instance
    deadline = state.budget.until("block_relaxation")
    # z_c at zero multipliers is over every itinerary, whatever the columns: priced once.
    first = (price_round(inst, Multipliers(), state.served_target, stop=state.budget.stop)
             if state.assignment_values is None else None)
    if first is not None:
        state.assignment_values = first.values
        state.raise_bound(first.bound, "cheapest itinerary of each consignment, containers pro rata")
        state.say(f"assignment bound over every itinerary {first.bound:,.2f}" if first.bound is not None
                  else "assignment bound: fewer servable than served")
    note = "block relaxation: not applicable"
    if state.served_bound is not None and state.served_bound < state.served_target:
        note = f"block relaxation: not applicable (at most {state.served_bound} can be served)"
    elif state.served_target == state.servable and state.complete:
        size = block_size(state.servable)
        blocks = block_relaxation(inst, size, deadline, state.pool, state.budget, state.settings.seed)
        if blocks is None:
            note = "block relaxation: a block had no LP optimum in time"
        else:
            state.lp_values = {_key(inst, k): v for k, v in enumerate(blocks.values)}
            m = Multipliers.stitched(inst, [(b.formulation, b.duals, b.share) for b in blocks.blocks],
                                     pro_rata=blocks.pro_rata)
            found = price_round(inst, m, state.served_target, stop=state.budget.stop)
            if found is not None:
                state.raise_bound(found.bound, f"block relaxation ({len(blocks.blocks)} blocks, "
                                               f"{blocks.bound:,.2f} over the columns) and its "
                                               "Lagrangian bound")
                _add(state, found)
            note = (f"block relaxation: {len(blocks.blocks)} blocks of {size}, "
                    f"{blocks.bound:,.2f} over the columns")
    state.say(note)
    state.termination.append(note)
    state.record("relaxation", started, note)


def _key(inst: Instance, k: int) -> ColumnKey:
    ci = inst.cands[k].ci
    return ci, inst.by_consignment[ci].index(k)


def _packed(state: _State, chosen: dict[int, int], share: float) -> Decisions:
    began = time.monotonic()
    inst = state.instance
    boxes = (exact_pack(inst, chosen, max(0.05, state.budget.left() * share), state.settings.seed,
                        state.settings.workers)
             or pack_groups(inst, chosen))
    state.pack_s = max(state.pack_s, time.monotonic() - began)
    return chosen, *boxes


def _rounding(state: _State) -> None:
    """The relaxation's routes (each its largest LP value that fits), containers packed."""
    started = time.monotonic()
    inst = state.instance
    note = "rounding: no relaxation to round"
    if not _has_time(state):
        return
    if state.lp_values is not None:
        values = [state.lp_values.get(_key(inst, k), 0.0) for k in range(len(inst.cands))]
        rounded = round_relaxation(inst, values, state.served_target)
        if rounded is None and state.best is not None:
            rounded = steer_to_relaxation(inst, state.best[0], values)
        if rounded is not None:
            plan = _packed(state, rounded, 0.15)
            kept = state.offer(plan, True)
            note = f"rounding: {state.value(plan):,.2f}" + (" (kept)" if kept else "")
    if not state.exactly_packed and state.best is not None:
        state.best = _packed(state, state.best[0], 0.05)
        state.exactly_packed = True
    state.say(note)
    state.record("rounding", started, note)


# Itineraries per consignment, and in all (at least, or this many times the columns already in
# the model), beyond which the reduced-cost completion gives up: a MIP that large would not
# finish, and more column generation narrows the gap first.
COMPLETION_LIMIT = 200
COMPLETION_TOTAL, COMPLETION_GROWTH = 5_000, 2


def _completion(state: _State) -> None:
    """Add every itinerary within the reduced-cost gap of the best multipliers of column
    generation (`colgen.complete_columns`), so the full MIP's bound holds over every itinerary."""
    if (state.pricing is None or state.best is None or state.columns_complete
            or not _has_time(state)):
        return
    m, found = state.pricing
    assert found.bound is not None
    started = time.monotonic()
    gap = state.value(state.best) - found.bound  # the argument needs these multipliers' own bound
    if gap <= 1e-9 * max(1.0, abs(found.bound)):
        state.columns_complete = True
        note = "completion: the plan meets the bound"
    else:
        total = max(COMPLETION_TOTAL, COMPLETION_GROWTH * len(state.instance.cands))
        missing = complete_columns(state.instance, m, found, gap, COMPLETION_LIMIT, stop=state.budget.stop,
                                   total_limit=total)
        if missing is None:
            note = (f"completion: more than {COMPLETION_LIMIT} itineraries within the gap for some "
                    f"consignment, or {total:,} in all")
        else:
            for ci, columns in missing.items():
                state.candidates[ci].extend(columns)
            if missing:
                _rebuild(state)
            state.columns_complete = True
            note = f"completion: {sum(map(len, missing.values()))} itineraries within the gap added"
    state.say(note)
    state.termination.append(note)
    state.record("completion", started, note)


def _search(state: _State, large: bool) -> mathopt.SolveResult | None:
    """The neighbourhood search; on small plans the full MIP beside it, in a worker."""
    started = time.monotonic()
    inst = state.instance
    assert state.best is not None
    job = full = None
    if not _has_time(state):
        return None
    if not large:
        full = build(inst, served_target=state.served_target, open_rows=state.settings.open_rows)
        left = max(0.1, state.budget.left() - 1.0)
        params = mathopt.SolveParameters(time_limit=timedelta(seconds=left), random_seed=state.settings.seed,
                                         relative_gap_tolerance=state.settings.relative_gap)
        if state.kind == mathopt.SolverType.HIGHS:
            params.highs.bool_options["mip_detect_symmetry"] = False
        job = state.pool.submit(full.model, state.kind, params, full.hint(inst, state.best))
    def stop() -> bool:  # the full MIP has ended (proven, most often): nothing left to search
        return state.budget.stop() or (job is not None and job.result.ready())

    outcome = improve(inst, state.best, state.value, state.budget.deadline - state.pack_s, state.kind,
                      state.settings.seed, repack_kept=False, repack_members=REPACK_MEMBERS,
                      workers=1 if job is not None else 2, stop=stop, progress=state.say)
    state.best = outcome.plan
    note = f"search: {outcome.improved}/{outcome.windows} windows improved in {outcome.passes} passes"
    state.termination.append(note)
    result = None
    if job is not None and full is not None:
        result = state.pool.result(job, 1.0)
        if result is not None and result.has_primal_feasible_solution():
            plan = full.decisions(inst, full.values(result))
            if state.offer(plan, False):
                note += "; the full MIP's plan was better"
            state.termination.append(f"mip {result.termination.reason.name.lower()}")
            if state.columns_complete:
                state.raise_bound(result.termination.objective_bounds.dual_bound,
                                  "MIP over every itinerary within the reduced-cost gap of column generation")
    state.record("search", started, note)
    return result


def _final_packing(state: _State, mip: mathopt.SolveResult | None) -> None:
    """The final routes' containers, packed exactly."""
    started = time.monotonic()
    assert state.best is not None
    if state.budget.left() <= 0.0:
        if not state.exactly_packed:
            state.best = (state.best[0], *pack_groups(state.instance, state.best[0]))
        state.record("packing", started, "final packing: no time left")
        return
    repacked = _packed(state, state.best[0], 1.0)
    kept = state.offer(repacked, True)
    note = "final packing: " + ("better" if kept else "no better")
    state.record("packing", started, note)

"""Large-neighbourhood search: re-solve the plan exactly around a window of consignments.

A window of consignments is freed while every other consignment keeps its itinerary; the
sub-MIP (`formulation.build` with `free`) chooses the window's itineraries and containers. The
riders outside the window keep their containers (boxed as a fixed load, or loose), except on
small groups and on the train or sailing that half the window rides, which it re-packs whole;
with `repack_kept` it re-packs every group it can reach. It is warm-started from the incumbent,
so a window never makes the plan worse; the caller re-packs the final routes exactly.

Windows cut two orders of the consignments in turn: by ready time (consignments that can
share first-mile trucks and the same week's trains) and by the main departure they ride in the
incumbent (those that can fill each other's containers, whatever their ready times; these
windows are four times the size when kept riders' containers stay fixed, see ORDERS). Each
order is cut twice, the second time shifted by half a window, so that a window edge is crossed
on the next pass. When no pass of the four improves (or, with kept containers fixed, two passes
in a row gain less than STALL), the windows double in size (up to `max_size`).

Large instances search on two threads (`workers`), taking a pass's windows from its two ends;
`_Incumbent.still_valid` keeps every accepted move exact.

A sub-MIP ends at optimality or at a node limit, not at a time limit, so the search on one
thread is deterministic until the overall deadline stops it. Measured on 1,000 consignments
(bench/plan_scale.py, seed 1): from the LP-rounded plan (EUR 1,646,924) the planner reaches
EUR 1,643,779 in 15 s and 1,643,338 in 60 s; the full MIP alone (HiGHS defaults, presolve on)
had EUR 1,644,202 after 28 s and 1,643,243 after 400 s, with a bound of 1,642,571.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from ortools.math_opt.python import mathopt

from routing.planner.decisions import Decisions, DepKey
from routing.planner.instance import Instance, Loads
from routing.planner.spec import Formulation, Window, build

# A node limit, not a time limit, ends a sub-MIP that is slow to prove its optimum: the
# search stays deterministic. A window's gains come from its root (the warm start, cuts and root
# heuristics); branching mostly proves. Measured at 1,000 consignments, 12 s of search from the
# LP-rounded plan on one core: 50 nodes solved 40 windows and reached EUR 1,645,493; 10 nodes,
# 90 windows and 1,645,255; 3 nodes, 79 windows and 1,644,416; 1 node, 104 windows and
# 1,644,399 (but 1,644,686 in the whole 15 s run, against 1,644,062-1,644,131 with 3).
NODE_LIMIT = 3
IMPROVEMENT = 1e-9  # relative: smaller changes are solver noise, not a better plan
# A sub-MIP never runs longer than this, so an interruption is acted on within about a second.
SUB_MIP_SECONDS = 1.0
# With kept riders' boxes fixed (as the planner runs it), windows double once a pass by each order
# has gained less than this share of the objective: small windows stall where larger ones still
# improve, and larger ones from the start take twice as long, which large plans cannot afford
# (README, neighbourhood search).
STALL = 1e-4


@dataclass
class LnsResult:
    """The improved plan and how the search went."""

    plan: Decisions
    value: float
    windows: int  # sub-MIPs solved
    improved: int  # sub-MIPs that improved the plan
    passes: int


def windows(order: list[int], size: int, offset: int = 0) -> list[list[int]]:
    """`order` cut into consecutive windows of `size`, the first one `offset` shorter."""
    cuts = [0, *range(offset, len(order), size), len(order)]
    return [order[a:b] for a, b in itertools.pairwise(cuts) if b > a]


def by_ready(inst: Instance, plan: Decisions) -> list[int]:
    """Servable consignments in order of ready time (then id)."""
    return sorted((ci for ci, ks in enumerate(inst.by_consignment) if ks),
                  key=lambda ci: (inst.consignments[ci].ready, inst.consignments[ci].id))


def by_main_departure(inst: Instance, plan: Decisions) -> list[int]:
    """Servable consignments by their main leg (longest) in `plan`: service, then departure.

    Neighbours are then the consignments on the same and the adjacent trains, flights and
    sailings, whatever their ready times: the ones that can fill each other's containers.
    """
    def key(ci: int) -> tuple[str, float, str]:
        k = plan[0].get(ci)
        if k is None:  # unserved: next to its earliest candidate's main departure
            k = min(inst.by_consignment[ci], key=lambda j: inst.cands[j].arrive_s)
        main = max(inst.cands[k].legs, key=lambda leg: leg.arrive_s - leg.depart_s)
        return (main.service.mode, main.depart_s, inst.consignments[ci].id)
    return sorted((ci for ci, ks in enumerate(inst.by_consignment) if ks), key=key)


# Each order with its window size as a share of the base size, when kept riders' containers stay
# as they are and when a window re-packs them. With containers kept, a window by main departure
# re-packs the train or sailing it rides (`_shared_groups`), so it can consolidate that
# departure's riders into fewer containers; bigger windows of it then pay. Measured (HiGHS,
# 3-node sub-MIPs, bench/plan_scale.py instances) with windows by main departure of 0.5, 2 and
# 4 times the base size:
#   10,000 in 120 s (gap):  0.48-0.495 %, 0.450 %, 0.447 %;
#    5,000 in 120 s (gap):  0.537 %, 0.469 %, 0.489 %;
#    1,000 in 15 s, seeds 1-5 (gap, containers kept, 4×): 0.087, 0.193, 0.103, 0.245, 0.115 %,
#           against 0.109, 0.223, 0.105, 0.255, 0.152 % re-packing every kept rider (1×);
#           2× and 6× were mixed (seed 1: 0.169 % and 0.101 %; seed 3: 0.157 % and 0.118 %).
# At 1,000, re-packing every kept rider with main windows of 2× lost (EUR 1,645,037 against
# 1,644,416 after 12 s); halving them lost too (the second pass gained EUR 110 instead of 850).
ORDERS = ((by_ready, 1.0, 1.0), (by_main_departure, 4.0, 1.0))
# With kept riders' containers fixed, groups of at most this many possible riders (first-mile
# trucks, mostly) are re-packed in the windows all the same: they add few variables, and a
# window may then move a consignment off a truck whose containers it re-decides. Measured at
# 10,000 consignments, 70 s of search on two threads from the block-rounded plan, then the
# final exact packing: EUR 16,661,152 re-packing no kept riders, 16,659,822 with groups of up
# to 10, 16,659,116 up to 20, 16,658,825 up to 30, 16,661,074 up to 50 (slower windows).
REPACK_MEMBERS = 30


class _Incumbent:
    """The search's plan, kept with the indexes a window needs (updates cost O(window)).

    For windows solved in parallel, each commit records what it changed: `load_changed_at[key]`
    the last commit that changed the load on capacitated departure `key`, `group_changed_at[key]`
    the last one that changed container group `key`'s containers or boxed riders, and
    `riders_changed_at[key]` the last one that moved a consignment onto or off it (which matters
    to a sub-model that re-packs the group's kept riders).
    """

    def __init__(self, inst: Instance, plan: Decisions, value: float) -> None:
        self.inst = inst
        self.chosen = dict(plan[0])
        self.boxes = dict(plan[1])
        self.boxed = set(plan[2])
        self.by_key: dict[DepKey, set[int]] = defaultdict(set)
        for ci, key in self.boxed:
            self.by_key[key].add(ci)
        self.loads = Loads(inst, self.chosen)
        self.value = value
        self.commits = 0
        self.load_changed_at: dict[DepKey, int] = {}
        self.group_changed_at: dict[DepKey, int] = {}
        self.riders_changed_at: dict[DepKey, int] = {}

    @property
    def plan(self) -> Decisions:
        return self.chosen, self.boxes, self.boxed

    def replace(self, window: list[int], sub: Decisions, sub_groups: list[int], delta: float) -> None:
        """Commit a window's solution: its routes, and the containers and boxed riders of the
        groups `sub_groups` (the sub-model's other groups keep their current packing)."""
        self.commits += 1
        index = self.inst.group_index
        for ci in window:
            k = self.chosen.pop(ci, None)
            if k is not None:
                self.loads.add(ci, k, -1.0)
            if sub[0].get(ci) != k:
                for j in (k, sub[0].get(ci)):
                    for leg in self.inst.cands[j].legs if j is not None else ():
                        if leg.key in self.inst.capacity_limits:
                            self.load_changed_at[leg.key] = self.commits
                        if leg.key in index:
                            self.riders_changed_at[leg.key] = self.commits
        for ci, k in sub[0].items():
            self.chosen[ci] = k
            self.loads.add(ci, k)
        keys = {self.inst.groups[gi].key for gi in sub_groups}
        new_boxed: dict[DepKey, set[int]] = defaultdict(set)
        for ci, key in sub[2]:
            if key in keys:
                new_boxed[key].add(ci)
        for key in keys:
            old = self.by_key.pop(key, set())
            if old != new_boxed.get(key, set()) or self.boxes.get(key) != sub[1].get(key):
                self.group_changed_at[key] = self.commits
            for ci in old:
                self.boxed.discard((ci, key))
            self.boxes.pop(key, None)
        self.boxes.update((key, n) for key, n in sub[1].items() if key in keys)
        for key, riders in new_boxed.items():
            self.by_key[key] |= riders
            self.boxed.update((ci, key) for ci in riders)
        self.value += delta

    def still_valid(self, window: list[int], routes: dict[int, int], groups: list[int],
                    since: int, repacked: Collection[int] = ()) -> bool:
        """Whether a window's solution from the snapshot after commit `since` may still be
        committed, with the same gain: none of its container groups `groups` changed since
        (nor, for those among `repacked`, whose kept riders the window re-packed, who rides
        them), and its routes still fit the capacity that later commits left (its objective
        terms are its candidates and its groups only, so the gain is unchanged)."""
        if self.commits == since:
            return True
        for gi in groups:
            key = self.inst.groups[gi].key
            if self.group_changed_at.get(key, 0) > since or (
                    gi in repacked and self.riders_changed_at.get(key, 0) > since):
                return False
        loads = self.loads
        touched = {leg.key for ci in window for j in (self.chosen.get(ci), routes.get(ci))
                   if j is not None for leg in self.inst.cands[j].legs}
        if not any(self.load_changed_at.get(key, 0) > since for key in touched):
            return True
        kg: dict[DepKey, float] = defaultdict(float)
        m3: dict[DepKey, float] = defaultdict(float)
        for ci in window:
            for j, sign in ((self.chosen.get(ci), -1.0), (routes.get(ci), 1.0)):
                for leg in self.inst.cands[j].legs if j is not None else ():
                    kg[leg.key] += sign * self.inst.weight(ci)
                    m3[leg.key] += sign * self.inst.volume(ci)
        return all(loads.room(key, kg[key], m3[key]) for key in kg if kg[key] > 0 or m3[key] > 0)


def improve(inst: Instance, plan: Decisions, value: Callable[[Decisions], float], deadline: float,
            solver: mathopt.SolverType, seed: int, *, size: int = 30, max_size: int = 120,
            max_passes: int = 50, repack_kept: bool = True, repack_members: int = 0,
            workers: int = 1,
            stop: Callable[[], bool] = lambda: False,
            progress: Callable[[str], None] | None = None) -> LnsResult:
    """Improve `plan` window by window until `deadline` (time.monotonic()), a local optimum or
    `stop()`. A window's gain is its sub-model's objective change (exact: everything outside
    the window keeps its terms). `repack_kept` lets a window re-pack the containers of the
    riders outside it (better moves, but too slow when groups have hundreds of riders: README,
    neighbourhood search); without it, groups of at most `repack_members` possible riders are
    re-packed all the same (REPACK_MEMBERS).

    With `workers` = 2 two threads search each pass's windows, one from each end (weeks apart
    in either order until they meet): a sub-MIP runs while the other thread builds its next
    model (HiGHS releases the GIL). A window's solution is dropped if the other thread changed
    one of its container groups while it was being solved, or took the room its routes need
    (`_Incumbent.still_valid`), so every accepted move is still exact, and is then solved once
    more from the new plan. The result depends on the threads' timing, so one worker (the
    default) keeps the search deterministic.
    """
    best = _Incumbent(inst, plan, value(plan))
    small = frozenset(gi for gi, g in enumerate(inst.groups) if len(g.members) <= repack_members)
    lock = threading.Lock()
    counts = {"solved": 0, "improved": 0, "dropped": 0}

    def step(window: list[int]) -> str:
        """Solve one window: "stop" (deadline), "same", "stale" (dropped) or "improved"."""
        with lock:
            remaining = deadline - time.monotonic()
            if remaining < 0.2 or stop():
                return "stop"
            target = sum(1 for ci in window if ci in best.chosen)
            repack = () if repack_kept else small.union(_shared_groups(inst, best.chosen, window))
            f = build(inst, served_target=target,
                      window=Window(window, best.chosen, best.loads,
                                    None if repack_kept else best.by_key, repack))
            start = f.point(inst, best.plan)
            hint = f.hint_at(start)
            since = best.commits
        r = mathopt.solve(f.model, solver, params=_sub_mip_params(solver, remaining, seed),
                          model_params=hint)
        with lock:
            counts["solved"] += 1
            if not r.has_primal_feasible_solution():
                return "same"
            delta = r.objective_value() - f.score(start)
            if delta >= -IMPROVEMENT * max(1.0, abs(best.value)):
                return "same"
            values = f.values(r)
            changed = _changed_groups(f, start, values)
            sub = f.decisions(inst, values)
            if not best.still_valid(window, sub[0], changed, since, f.repacked):
                counts["dropped"] += 1
                return "stale"
            best.replace(window, sub, changed, delta)
            counts["improved"] += 1
            return "improved"

    def search(queue: deque[list[int]], from_front: bool) -> bool:
        """Solve windows taken from one end of `queue` until it is empty (a dropped one once
        more, from the new plan); whether any improved the plan."""
        found = False
        while True:
            with lock:
                if not queue:
                    return found
                window = queue.popleft() if from_front else queue.pop()
            outcome = step(window)
            if outcome == "stale":
                outcome = step(window)
            if outcome == "stop":
                return found
            found |= outcome == "improved"

    passes = 0
    quiet = 0  # passes in a row without improvement
    stalled = 0  # passes in a row that gained less than STALL of the objective
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lns") as pool:
        for passes in range(1, max_passes + 1):
            # Each order twice, the second time with windows shifted by half a window, so that
            # consignments split by a window edge share a window on the next pass.
            make_order, share_fixed, share_repacked = ORDERS[(passes - 1) % len(ORDERS)]
            order = make_order(inst, best.plan)
            width = min(max_size, max(2, round(size * (share_repacked if repack_kept
                                                       else share_fixed))))
            offset = width // 2 if (passes - 1) // len(ORDERS) % 2 else 0
            cut = windows(order, width, offset)
            queue = deque(cut)
            before = best.value
            # One thread works from the front of the pass, the other from the back: weeks apart
            # until they meet, and neither waits for the other at the end of the pass.
            jobs = [pool.submit(search, queue, worker == 0) for worker in range(workers)]
            found = [job.result() for job in jobs]  # every window ends before the next pass
            improved_this_pass = any(found)
            if deadline - time.monotonic() < 0.2 or stop():
                break
            if progress:
                progress(f"neighbourhood search pass {passes}: objective {best.value:,.2f}, "
                         f"{counts['improved']} of {counts['solved']} windows improved"
                         + (f", {counts['dropped']} dropped as stale" if counts["dropped"] else ""))
            quiet = 0 if improved_this_pass else quiet + 1
            stalled = stalled + 1 if before - best.value < STALL * abs(before) else 0
            if quiet == 2 * len(ORDERS) and size >= max_size:
                break  # a local optimum for every neighbourhood of the largest size
            if quiet == 2 * len(ORDERS) or (not repack_kept and stalled == len(ORDERS)):
                size, quiet, stalled = min(2 * size, max_size), 0, 0  # so search larger ones
    return LnsResult(best.plan, best.value, counts["solved"], counts["improved"], passes)


def _shared_groups(inst: Instance, chosen: Mapping[int, int], window: list[int]) -> list[int]:
    """The container groups that at least half of the window rides in the incumbent (windows
    by main departure: their train or sailing), which such a window re-packs whole."""
    rides: dict[int, int] = defaultdict(int)
    index = inst.group_index
    for ci in window:
        k = chosen.get(ci)
        for leg in inst.cands[k].legs if k is not None else ():
            if leg.key in index:
                rides[index[leg.key]] += 1
    return sorted(gi for gi, count in rides.items() if 2 * count >= len(window) >= 2)


def _changed_groups(f: Formulation, start: Mapping[int, float], values: np.ndarray) -> list[int]:
    """The sub-model's groups whose containers or boxed riders differ between the incumbent
    (`start`) and the solution: only these are re-decided when the window is committed. The
    others contribute nothing to the window's gain, whatever another thread did to them."""
    moved = {var for var, before in start.items() if abs(values[var] - before) > 0.5}
    changed = {gi for gi, var in f.n.items() if var in moved}
    changed |= {gi for (gi, _), var in f.y.items() if var in moved}
    return sorted(changed)


def _sub_mip_params(solver: mathopt.SolverType, remaining: float, seed: int) -> mathopt.SolveParameters:
    """A sub-MIP's parameters: a node limit (deterministic), the incumbent's neighbourhood."""
    params = mathopt.SolveParameters(time_limit=timedelta(seconds=min(remaining, SUB_MIP_SECONDS)),
                                     random_seed=seed, relative_gap_tolerance=1e-6,
                                     node_limit=NODE_LIMIT)
    if solver == mathopt.SolverType.HIGHS:
        # A sub-MIP's time is its root: presolve, reduced-cost fixing and RINS off and a
        # smaller cut pool make it faster for the same improvements (README, neighbourhood
        # search; switching RENS off too lost some of them); symmetry detection off as well.
        params.presolve = mathopt.Emphasis.OFF
        params.highs.bool_options["mip_detect_symmetry"] = False
        params.highs.bool_options["mip_heuristic_run_root_reduced_cost"] = False
        params.highs.bool_options["mip_heuristic_run_rins"] = False
        params.highs.int_options["mip_pool_soft_limit"] = 100
    return params

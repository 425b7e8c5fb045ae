"""The array-built models and the neighbourhood search of the planner (routing/planner/*)."""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

import pytest
from ortools.math_opt.python import mathopt

from network.loader import load_network
from routing.planner import PlanRequest
from routing.planner.candidates import generate
from routing.planner.consignments import read_consignments
from routing.planner.formulation import build
from routing.planner.greedy import solve_greedy
from routing.planner.instance import Instance, build_instance
from routing.planner.lns import by_main_departure, by_ready, improve, windows
from routing.planner.mip import exact_pack, pack_groups, solution_value

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))


@pytest.fixture(scope="module")
def inst(tmp_path_factory: pytest.TempPathFactory) -> Instance:
    from generate_consignments import generate as consignments
    from generate_consignments import write

    path = tmp_path_factory.mktemp("plan") / "c.csv"
    write(consignments(120, 5, date(2026, 10, 1), 21, True), path)
    net, cs = read_consignments(path, load_network(None))
    request = PlanRequest(net, cs, max_departures=3)
    candidates = generate(net, cs, request.objective, eur_per_day=None,
                          eur_per_tco2=request.eur_per_tco2, horizon_days=request.horizon_days,
                          alternatives=request.alternatives, max_departures=request.max_departures)
    return build_instance(request, candidates)


def _greedy_plan(inst: Instance) -> tuple[dict[int, int], dict[tuple[str, float], int],
                                          set[tuple[int, tuple[str, float]]]]:
    chosen = solve_greedy(inst).chosen
    packed = exact_pack(inst, chosen, 10.0, 0)
    assert packed is not None
    return chosen, *packed


@pytest.mark.parametrize(("n", "size", "offset", "expected"), [
    (7, 3, 0, [[0, 1, 2], [3, 4, 5], [6]]),
    (7, 3, 1, [[0], [1, 2, 3], [4, 5, 6]]),
    (3, 5, 0, [[0, 1, 2]]),
    (0, 3, 0, []),
])
def test_windows_cover_every_consignment_once(n: int, size: int, offset: int,
                                              expected: list[list[int]]) -> None:
    """Windows are consecutive, at most `size` long, and cover the order exactly once."""
    assert windows(list(range(n)), size, offset) == expected


def test_full_model_objective_is_the_plan_value(inst: Instance) -> None:
    """The array-built model scores a plan exactly as `solution_value` does (hint = plan)."""
    plan = _greedy_plan(inst)
    f = build(inst, served_target=len(plan[0]))
    params = mathopt.SolveParameters(node_limit=1, relative_gap_tolerance=1.0)
    r = mathopt.solve(f.model, mathopt.SolverType.HIGHS, params=params, model_params=f.hint(inst, plan))
    assert r.has_primal_feasible_solution()
    assert r.objective_value() <= solution_value(inst, *plan) + 1e-6
    assert solution_value(inst, *f.decisions(inst, f.values(r))) == pytest.approx(r.objective_value())


def test_sub_model_keeps_the_rest_of_the_plan(inst: Instance) -> None:
    """Solving a window never changes a kept consignment's itinerary and never worsens the plan."""
    plan = _greedy_plan(inst)
    window = by_ready(inst, plan)[:25]
    f = build(inst, served_target=sum(1 for ci in window if ci in plan[0]), free=window, fixed=plan[0])
    r = mathopt.solve(f.model, mathopt.SolverType.HIGHS, model_params=f.hint(inst, plan))
    sub_chosen, sub_boxes, sub_boxed = f.decisions(inst, f.values(r))
    keys = {inst.groups[gi].key for gi in f.groups}  # the sub-model re-decided these groups
    merged = ({ci: k for ci, k in plan[0].items() if ci not in window} | sub_chosen,
              {key: n for key, n in plan[1].items() if key not in keys} | sub_boxes,
              {(ci, key) for ci, key in plan[2] if key not in keys} | sub_boxed)
    assert {ci: k for ci, k in merged[0].items() if ci not in window} == {
        ci: k for ci, k in plan[0].items() if ci not in window}
    assert len(merged[0]) == len(plan[0])
    assert solution_value(inst, *merged) <= solution_value(inst, *plan) + 1e-6


@pytest.mark.parametrize(("repack_kept", "repack_members", "workers"), [
    (True, 0, 1), (False, 0, 1), (False, 10, 1), (True, 0, 2), (False, 0, 2), (False, 10, 2)])
def test_neighbourhood_search_improves_and_stays_feasible(inst: Instance, repack_kept: bool,
                                                          repack_members: int, workers: int) -> None:
    """The search (on one or two threads) returns a plan no worse than its start, within
    capacity and container fill, and the value it tracks by increments is the plan's value."""
    from routing.planner.instance import Loads

    plan = _greedy_plan(inst)
    start = solution_value(inst, *plan)
    result = improve(inst, plan, lambda p: solution_value(inst, *p), time.monotonic() + 60.0,
                     mathopt.SolverType.HIGHS, 0, repack_kept=repack_kept,
                     repack_members=repack_members, workers=workers)
    assert result.value == pytest.approx(solution_value(inst, *result.plan))
    assert result.value <= start + 1e-6
    assert result.improved > 0  # greedy's plan is far from a local optimum on this instance
    chosen, boxes, boxed = result.plan
    assert len(chosen) == len(plan[0])
    loads = Loads(inst, chosen)
    for key, (cap_kg, cap_m3) in inst.capacity_limits.items():
        assert cap_kg is None or loads.kg[key] <= cap_kg + 1e-6
        assert cap_m3 is None or loads.m3[key] <= cap_m3 + 1e-6
    for g in inst.groups:
        inside = [ci for ci, key in boxed if key == g.key]
        assert all(g.key in {leg.key for leg in inst.cands[chosen[ci]].legs} for ci in inside)
        n = boxes.get(g.key, 0)
        assert sum(inst.weight(ci) for ci in inside) <= n * g.container_kg + 1e-6
        assert sum(inst.volume(ci) for ci in inside) <= n * g.container_m3 + 1e-6


def test_stale_window_is_refused(inst: Instance) -> None:
    """A window solved from a snapshot is refused once another commit changed one of its
    container groups, or took the room its new routes need; otherwise it is accepted."""
    from routing.planner.lns import _Incumbent

    plan = _greedy_plan(inst)
    best = _Incumbent(inst, plan, solution_value(inst, *plan))
    since = best.commits
    ci, key = sorted(plan[2])[0]  # a boxed rider: unbox it in a commit of "the other thread"
    gi = inst.group_index[key]
    boxed = {(c, k) for c, k in plan[2] if k == key and c != ci}
    boxes = {key: plan[1][key]}
    best.replace([ci], ({ci: plan[0][ci]}, boxes, boxed), [gi], 0.0)
    other = next(c for c in plan[0] if c != ci)
    assert not best.still_valid([other], {other: plan[0][other]}, [gi], since)
    assert best.still_valid([other], {other: plan[0][other]}, [], since)
    # A move onto capacitated departures whose loads a later commit changed: accepted while
    # they have room, refused once one of them is full.
    def keys(k: int) -> set[tuple[str, float]]:
        return {leg.key for leg in inst.cands[k].legs}

    mover, target = next((c, k) for c, k0 in sorted(plan[0].items()) for k in inst.by_consignment[c]
                         if keys(k) & set(inst.capacity_limits) and not keys(k) & keys(k0))
    deps = [leg.key for leg in inst.cands[target].legs if leg.key in inst.capacity_limits]
    best.commits += 1
    for dep in deps:
        best.load_changed_at[dep] = best.commits
        best.loads.kg[dep] = best.loads.m3[dep] = 0.0
    assert best.still_valid([mover], {mover: target}, [], since)
    cap_kg, cap_m3 = inst.capacity_limits[deps[0]]
    best.loads.kg[deps[0]] = cap_kg if cap_kg is not None else 0.0
    best.loads.m3[deps[0]] = cap_m3 if cap_m3 is not None else 0.0
    assert not best.still_valid([mover], {mover: target}, [], since)


def test_small_groups_are_repacked_with_kept_containers_fixed(inst: Instance) -> None:
    """With kept riders' containers fixed, the groups `repack_groups` are modelled exactly as
    when every kept rider is re-packed: same size, same optimum."""
    plan = _greedy_plan(inst)
    window = by_ready(inst, plan)[25:50]
    target = sum(1 for ci in window if ci in plan[0])
    by_key: dict[tuple[str, float], set[int]] = {}
    for ci, key in plan[2]:
        by_key.setdefault(key, set()).add(ci)
    repacked = build(inst, served_target=target, free=window, fixed=plan[0])
    small = build(inst, served_target=target, free=window, fixed=plan[0], kept_boxed=by_key,
                  repack_groups=range(len(inst.groups)))
    fixed = build(inst, served_target=target, free=window, fixed=plan[0], kept_boxed=by_key)
    assert small.size == repacked.size
    assert fixed.size["y"] < repacked.size["y"]
    optima = [mathopt.solve(f.model, mathopt.SolverType.HIGHS, model_params=f.hint(inst, plan))
              .objective_value() for f in (repacked, small)]
    assert optima[0] == pytest.approx(optima[1])


@pytest.mark.parametrize("repacked", [False, True])
def test_window_that_repacked_a_group_is_refused_once_its_riders_change(
        inst: Instance, repacked: bool) -> None:
    """A window that re-packed a group's kept riders is refused once another commit moved a
    consignment onto that group; one that kept its riders' containers fixed is not."""
    from routing.planner.lns import _Incumbent

    plan = _greedy_plan(inst)
    best = _Incumbent(inst, plan, solution_value(inst, *plan))
    since = best.commits
    ci, k, key = next((c, k, leg.key) for c, k0 in sorted(plan[0].items())
                      for k in inst.by_consignment[c] if k != k0 for leg in inst.cands[k].legs
                      if leg.key in inst.group_index
                      and leg.key not in {old.key for old in inst.cands[k0].legs})
    best.replace([ci], ({ci: k}, {}, set()), [], 0.0)  # "the other thread" moves ci onto key
    gi = inst.group_index[key]
    other = next(c for c in sorted(plan[0]) if c != ci)
    valid = best.still_valid([other], {other: plan[0][other]}, [gi], since,
                             repacked={gi} if repacked else set())
    assert valid is not repacked


def test_a_window_re_packs_the_group_half_of_it_rides(inst: Instance) -> None:
    """`_shared_groups` names a container group when at least half of the window rides it in
    the incumbent, and not when fewer do."""
    from routing.planner.lns import _shared_groups

    plan = _greedy_plan(inst)
    rides: dict[int, list[int]] = {}
    for ci, k in sorted(plan[0].items()):
        for leg in inst.cands[k].legs:
            if leg.key in inst.group_index:
                rides.setdefault(inst.group_index[leg.key], []).append(ci)
    gi, riders = max(rides.items(), key=lambda item: (len(item[1]), -item[0]))
    assert len(riders) >= 4
    others = [ci for ci in sorted(plan[0]) if ci not in riders][:5]
    assert gi in _shared_groups(inst, plan[0], riders[:4] + others[:4])
    assert gi not in _shared_groups(inst, plan[0], riders[:3] + others[:5])


def test_search_orders_hold_every_servable_consignment(inst: Instance) -> None:
    """Both neighbourhood orders are permutations of the servable consignments."""
    plan = _greedy_plan(inst)
    servable = sorted(ci for ci, ks in enumerate(inst.by_consignment) if ks)
    assert sorted(by_ready(inst, plan)) == servable
    assert sorted(by_main_departure(inst, plan)) == servable


def _lp(inst: Instance) -> float:
    servable = sum(1 for ks in inst.by_consignment if ks)
    f = build(inst, relax=True, served_target=servable)
    r = mathopt.solve(f.model, mathopt.SolverType.HIGHS)
    assert r.termination.reason == mathopt.TerminationReason.OPTIMAL
    return r.objective_value()


@pytest.mark.parametrize(("servable", "expected"), [(100, 2_500), (5_000, 2_500), (9_143, 4_572),
                                                     (10_000, 5_000), (30_000, 5_000)])
def test_block_size_gives_two_blocks_within_limits(servable: int, expected: int) -> None:
    """Two blocks (one per core), none under BLOCK_MIN or over BLOCK_MAX consignments."""
    from routing.planner.mip import block_size

    assert block_size(servable) == expected


def test_block_relaxation_is_the_same_on_one_or_two_threads(inst: Instance) -> None:
    """Blocks solved two at a time give the bound and LP values they give one at a time."""
    from routing.planner.bounds import block_relaxation

    runs = [block_relaxation(inst, 40, time.monotonic() + 60.0, mathopt.SolverType.HIGHS, 0, workers)
            for workers in (1, 2)]
    assert runs[0] is not None and runs[1] is not None
    assert runs[0].bound == pytest.approx(runs[1].bound, rel=1e-9)
    assert runs[0].values == pytest.approx(runs[1].values, abs=1e-9)


@pytest.mark.parametrize("block_size", [25, 60])
def test_block_relaxation_is_a_lower_bound(inst: Instance, block_size: int) -> None:
    """Blocks of consignments give a bound below the whole LP (hence below every plan)."""
    from routing.planner.bounds import block_relaxation

    blocks = block_relaxation(inst, block_size, time.monotonic() + 60.0, mathopt.SolverType.HIGHS, 0)
    assert blocks is not None and blocks.blocks > 1
    assert blocks.bound <= _lp(inst) + 1e-6 * abs(blocks.bound)
    plan = _greedy_plan(inst)
    assert len(plan[0]) == sum(1 for ks in inst.by_consignment if ks)  # the bound's premise
    assert blocks.bound <= solution_value(inst, *plan) + 1e-6


def test_one_block_is_the_whole_lp(inst: Instance) -> None:
    """With every consignment in one block, the block relaxation is the LP relaxation itself."""
    from routing.planner.bounds import block_relaxation

    blocks = block_relaxation(inst, len(inst.consignments), time.monotonic() + 60.0,
                              mathopt.SolverType.HIGHS, 0)
    assert blocks is not None and blocks.blocks == 1
    assert blocks.bound == pytest.approx(_lp(inst), rel=1e-9)


def test_exact_packing_is_the_same_on_one_or_two_threads(inst: Instance) -> None:
    """Packing the groups on two threads gives the containers one thread gives, never worse
    than the heuristic packing."""
    chosen = solve_greedy(inst).chosen
    one = exact_pack(inst, chosen, 30.0, 0, workers=1)
    two = exact_pack(inst, chosen, 30.0, 0, workers=2)
    assert one is not None and two is not None
    assert one == two
    heuristic = pack_groups(inst, chosen)
    assert solution_value(inst, chosen, *two) <= solution_value(inst, chosen, *heuristic) + 1e-6

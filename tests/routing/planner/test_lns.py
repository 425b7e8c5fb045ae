"""The neighbourhood search: windows, incumbent bookkeeping, and the search itself."""

from __future__ import annotations

import time

import pytest
from ortools.math_opt.python import mathopt

from routing.planner.instance import Instance
from routing.planner.lns import by_main_departure, by_ready, improve, windows
from tests.routing.planner.conftest import greedy_plan


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


@pytest.mark.parametrize(("repack_kept", "repack_members", "workers"), [
    (True, 0, 1), (False, 0, 1), (False, 10, 1), (True, 0, 2), (False, 0, 2), (False, 10, 2)])
def test_neighbourhood_search_improves_and_stays_feasible(inst: Instance, repack_kept: bool,
                                                          repack_members: int, workers: int) -> None:
    """The search (on one or two threads) returns a plan no worse than its start, within
    capacity and container fill, and the value it tracks by increments is the plan's value."""
    from routing.planner.instance import Loads

    plan = greedy_plan(inst)
    start = inst.value(plan)
    result = improve(inst, plan, inst.value, time.monotonic() + 60.0,
                     mathopt.SolverType.HIGHS, 0, repack_kept=repack_kept,
                     repack_members=repack_members, workers=workers)
    assert result.value == pytest.approx(inst.value(result.plan))
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

    plan = greedy_plan(inst)
    best = _Incumbent(inst, plan, inst.value(plan))
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


@pytest.mark.parametrize("repacked", [False, True])
def test_window_that_repacked_a_group_is_refused_once_its_riders_change(
        inst: Instance, repacked: bool) -> None:
    """A window that re-packed a group's kept riders is refused once another commit moved a
    consignment onto that group; one that kept its riders' containers fixed is not."""
    from routing.planner.lns import _Incumbent

    plan = greedy_plan(inst)
    best = _Incumbent(inst, plan, inst.value(plan))
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

    plan = greedy_plan(inst)
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
    plan = greedy_plan(inst)
    servable = sorted(ci for ci, ks in enumerate(inst.by_consignment) if ks)
    assert sorted(by_ready(inst, plan)) == servable
    assert sorted(by_main_departure(inst, plan)) == servable



"""The model specification: every derived model scores a plan as the instance does."""

from __future__ import annotations

import pytest
from ortools.math_opt.python import mathopt

from routing.planner.instance import Instance
from routing.planner.lns import by_ready
from routing.planner.spec import Row, Window, build
from tests.routing.planner.conftest import greedy_plan


def test_full_model_objective_is_the_plan_value(inst: Instance) -> None:
    """The array-built model scores a plan exactly as `Instance.value` does (hint = plan)."""
    plan = greedy_plan(inst)
    f = build(inst, served_target=len(plan[0]))
    params = mathopt.SolveParameters(node_limit=1, relative_gap_tolerance=1.0)
    r = mathopt.solve(f.model, mathopt.SolverType.HIGHS, params=params, model_params=f.hint(inst, plan))
    assert r.has_primal_feasible_solution()
    assert r.objective_value() <= inst.value(plan) + 1e-6
    assert inst.value(f.decisions(inst, f.values(r))) == pytest.approx(r.objective_value())


def test_sub_model_keeps_the_rest_of_the_plan(inst: Instance) -> None:
    """Solving a window never changes a kept consignment's itinerary and never worsens the plan."""
    plan = greedy_plan(inst)
    window = by_ready(inst, plan)[:25]
    f = build(inst, served_target=sum(1 for ci in window if ci in plan[0]), window=Window(window, plan[0]))
    r = mathopt.solve(f.model, mathopt.SolverType.HIGHS, model_params=f.hint(inst, plan))
    sub_chosen, sub_boxes, sub_boxed = f.decisions(inst, f.values(r))
    keys = {inst.groups[gi].key for gi in f.groups}  # the sub-model re-decided these groups
    merged = ({ci: k for ci, k in plan[0].items() if ci not in window} | sub_chosen,
              {key: n for key, n in plan[1].items() if key not in keys} | sub_boxes,
              {(ci, key) for ci, key in plan[2] if key not in keys} | sub_boxed)
    assert {ci: k for ci, k in merged[0].items() if ci not in window} == {
        ci: k for ci, k in plan[0].items() if ci not in window}
    assert len(merged[0]) == len(plan[0])
    assert inst.value(merged) <= inst.value(plan) + 1e-6


def test_small_groups_are_repacked_with_kept_containers_fixed(inst: Instance) -> None:
    """With kept riders' containers fixed, the groups `repack_groups` are modelled exactly as
    when every kept rider is re-packed: same size, same optimum."""
    plan = greedy_plan(inst)
    window = by_ready(inst, plan)[25:50]
    target = sum(1 for ci in window if ci in plan[0])
    by_key: dict[tuple[str, float], set[int]] = {}
    for ci, key in plan[2]:
        by_key.setdefault(key, set()).add(ci)
    repacked = build(inst, served_target=target, window=Window(window, plan[0]))
    small = build(inst, served_target=target,
                  window=Window(window, plan[0], kept_boxed=by_key, repack_groups=range(len(inst.groups))))
    fixed = build(inst, served_target=target, window=Window(window, plan[0], kept_boxed=by_key))
    assert small.size == repacked.size
    assert fixed.size["y"] < repacked.size["y"]
    optima = [mathopt.solve(f.model, mathopt.SolverType.HIGHS, model_params=f.hint(inst, plan))
              .objective_value() for f in (repacked, small)]
    assert optima[0] == pytest.approx(optima[1])




def test_rows_are_named_by_family(inst: Instance) -> None:
    """Every row of the full model carries its family and key, in the proto's names too."""
    f = build(inst, served_target=1)
    families = {family for family, _ in f.rows}
    assert {Row.ASSIGN, Row.SERVED, Row.LINK, Row.FILL_KG, Row.FILL_M3, Row.OPEN} <= families
    proto = f.model.export_model()
    assert len(proto.linear_constraints.names) == len(f.rows)
    assert all(name.startswith(family.value + ":")
               for name, (family, _) in zip(proto.linear_constraints.names, f.rows, strict=True))

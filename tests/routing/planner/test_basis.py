"""Warm starts of the relaxation's LPs: a basis carried over by what each variable and row is."""

from __future__ import annotations

import pytest
from ortools.math_opt.python import mathopt

from routing.planner.basis import Basis, row_keys, variable_keys
from routing.planner.instance import Instance, build_instance
from routing.planner.spec import build


def _lp(inst: Instance):
    return build(inst, relax=True, bounded=False)


def _solve(f, solver: mathopt.SolverType, model_params=None) -> mathopt.SolveResult:
    params = mathopt.SolveParameters(lp_algorithm=mathopt.LPAlgorithm.PRIMAL_SIMPLEX
                                     if solver == mathopt.SolverType.GLOP else None)
    r = mathopt.solve(f.model, solver, params=params,
                      model_params=None if model_params is None else _parsed(f, model_params))
    assert r.termination.reason == mathopt.TerminationReason.OPTIMAL
    return r


def _parsed(f, proto) -> mathopt.ModelSolveParameters:
    """MathOpt's model parameters of a proto (the worker passes the proto as it is)."""
    start = proto.initial_basis
    variables = zip(start.variable_status.ids, start.variable_status.values, strict=True)
    rows = zip(start.constraint_status.ids, start.constraint_status.values, strict=True)
    basis = mathopt.Basis(
        variable_status={f.model.get_variable(i): mathopt.BasisStatus(s) for i, s in variables},
        constraint_status={f.model.get_linear_constraint(i): mathopt.BasisStatus(s) for i, s in rows})
    return mathopt.ModelSolveParameters(initial_basis=basis)


def test_keys_name_every_variable_and_row_once(inst: Instance) -> None:
    """Every variable and row of the relaxation has its own stable key."""
    f = _lp(inst)
    for keys in (variable_keys(inst, f), row_keys(inst, f)):
        assert len(set(keys)) == len(keys)
        assert not any(k[0] == "?" for k in keys)


def test_a_basis_carried_to_the_same_model_restarts_at_its_optimum(inst: Instance) -> None:
    """HiGHS's optimal basis, carried by keys to the same LP, starts GLOP at the optimum."""
    f = _lp(inst)
    cold = _solve(f, mathopt.SolverType.HIGHS)
    basis = Basis.of(inst, f, cold.to_proto())
    assert basis is not None
    warm = _solve(f, mathopt.SolverType.GLOP, basis.for_model(inst, f))
    assert warm.solve_stats.simplex_iterations == 0
    assert warm.objective_value() == pytest.approx(cold.objective_value(), rel=1e-9)


def test_a_basis_carried_over_new_columns_reaches_the_optimum(inst: Instance) -> None:
    """With the last candidate of every other consignment left out, then added back (new
    columns, new rows where they reach new departures), the LP from the smaller LP's basis has
    the optimum of the whole LP solved from scratch, in fewer iterations."""
    by_consignment = [[inst.cands[k] for k in ks] for ks in inst.by_consignment]
    fewer = [cands[:-1] if ci % 2 and len(cands) > 1 else cands for ci, cands in enumerate(by_consignment)]
    small = build_instance(inst.request, fewer, inst.objective, inst.rules)
    f_small = _lp(small)
    basis = Basis.of(small, f_small, _solve(f_small, mathopt.SolverType.HIGHS).to_proto())
    assert basis is not None
    f = _lp(inst)
    assert f.model.get_num_variables() > f_small.model.get_num_variables()
    cold = _solve(f, mathopt.SolverType.GLOP)
    warm = _solve(f, mathopt.SolverType.GLOP, basis.for_model(inst, f))
    assert warm.objective_value() == pytest.approx(cold.objective_value(), rel=1e-9)
    assert warm.solve_stats.simplex_iterations < cold.solve_stats.simplex_iterations

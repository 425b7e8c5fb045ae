"""Warm starts for the relaxation's LPs: the previous round's simplex basis, carried over.

Column generation solves the LP over the columns, prices new columns at its duals, and solves
again with them: the same rows (a few new ones where a new column reaches a departure or a
container group no column reached before) and more variables. The last optimal basis stays
primal feasible there (a new variable enters at its lower bound, a new row with its slack
basic), so the simplex method restarts from it instead of from scratch.

Models are rebuilt each round and their variable and row ids shift as columns are added, so the
basis is kept by what each variable and row *is*: a candidate by (consignment, its position
among the consignment's candidates), a container group by its departure, a row by its family
and those keys. HiGHS through MathOpt ignores an initial basis (measured: as many iterations
warm as cold), GLOP honours it; the rounds after the first therefore solve with GLOP.

The first LP, from scratch, is solved by GLOP's dual simplex beside HiGHS's (`COLD_SOLVER`,
`pipeline._cold_round`). HiGHS's is faster cold, but these LPs are degenerate, with many optimal
duals, and column generation prices at the ones the solver returns: GLOP's gave markedly higher
Lagrangian bounds than HiGHS's on the same LPs, on every instance measured (README, planner
performance). The block relaxation's LPs stay with HiGHS: its blocks already fill both workers,
and GLOP's did not always end in their share of the time.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from ortools.math_opt import model_parameters_pb2, result_pb2, solution_pb2
from ortools.math_opt.python import mathopt

from routing.planner.instance import Instance
from routing.planner.spec import Formulation, Row

# What each variable or row of a formulation is (stable across rebuilds as columns are added).
StableKey = tuple[Hashable, ...]
_BASIC = solution_pb2.BASIS_STATUS_BASIC
_AT_LOWER = solution_pb2.BASIS_STATUS_AT_LOWER_BOUND
# The relaxation's first LP, from scratch: this solver and algorithm (module docstring).
COLD_SOLVER = mathopt.SolverType.GLOP
COLD_ALGORITHM = mathopt.LPAlgorithm.DUAL_SIMPLEX


def variable_keys(inst: Instance, f: Formulation) -> list[StableKey]:
    """The stable key of each variable of `f`, by variable id."""
    keys: list[StableKey] = [("?", i) for i in range(f.model.get_num_variables())]
    for k, var in f.x.items():
        ci = inst.cands[k].ci
        keys[var] = ("x", ci, inst.by_consignment[ci].index(k))
    groups = inst.groups
    for (gi, ci), var in f.y.items():
        keys[var] = ("y", groups[gi].key, ci)
    for gi, var in f.n.items():
        keys[var] = ("n", groups[gi].key)
    return keys


def row_keys(inst: Instance, f: Formulation) -> list[StableKey]:
    """The stable key of each row of `f`, by row id (group indices replaced by departures)."""
    groups = inst.groups
    keys: list[StableKey] = []
    for family, key in f.rows:
        if family in (Row.LINK, Row.OPEN):
            assert isinstance(key, tuple)
            gi, ci = key
            keys.append((family.value, groups[gi].key, ci))
        elif family in (Row.FILL_KG, Row.FILL_M3):
            assert isinstance(key, int)
            keys.append((family.value, groups[key].key))
        else:
            keys.append((family.value, key))
    return keys


@dataclass(frozen=True)
class Basis:
    """A simplex basis by stable keys (`BasisStatusProto` values)."""

    variables: dict[StableKey, int]
    rows: dict[StableKey, int]

    @classmethod
    def of(cls, inst: Instance, f: Formulation, result: result_pb2.SolveResultProto) -> Basis | None:
        """The basis of `result` (an optimal LP of `f`), or None when the solver gave none."""
        if not result.solutions or not result.solutions[0].HasField("basis"):
            return None
        basis = result.solutions[0].basis
        by_variable, by_row = variable_keys(inst, f), row_keys(inst, f)
        return cls({by_variable[i]: s for i, s in zip(basis.variable_status.ids,
                                                        basis.variable_status.values, strict=True)},
                   {by_row[i]: s for i, s in zip(basis.constraint_status.ids,
                                                 basis.constraint_status.values, strict=True)})

    def for_model(self, inst: Instance, f: Formulation) -> model_parameters_pb2.ModelSolveParametersProto:
        """Model parameters that start `f`'s LP from this basis: each variable and row as it
        was; a new variable at its lower bound (0), a new row with its slack basic."""
        params = model_parameters_pb2.ModelSolveParametersProto()
        start = params.initial_basis
        by_variable, by_row = variable_keys(inst, f), row_keys(inst, f)
        start.variable_status.ids.extend(range(len(by_variable)))
        start.variable_status.values.extend(self.variables.get(k, _AT_LOWER) for k in by_variable)
        start.constraint_status.ids.extend(range(len(by_row)))
        start.constraint_status.values.extend(self.rows.get(k, _BASIC) for k in by_row)
        return params

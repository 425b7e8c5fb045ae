"""The block relaxation: a lower bound over the columns, one block being the whole LP."""

from __future__ import annotations

import time

import pytest
from ortools.math_opt.python import mathopt

from routing.planner.bounds import BlockBound, block_relaxation
from routing.planner.budget import Budget
from routing.planner.instance import Instance
from routing.planner.pipeline import block_size
from routing.planner.spec import build
from routing.planner.workers import SolverPool
from tests.routing.planner.conftest import greedy_plan


def _blocks(inst: Instance, size: int) -> BlockBound | None:
    budget = Budget(120.0)
    pool = SolverPool(budget)
    try:
        return block_relaxation(inst, size, time.monotonic() + 60.0, pool, budget, 0)
    finally:
        pool.close()


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
    assert block_size(servable) == expected


@pytest.mark.parametrize("block_size", [25, 60])
def test_block_relaxation_is_a_lower_bound(inst: Instance, block_size: int) -> None:
    """Blocks of consignments give a bound below the whole LP (hence below every plan)."""
    blocks = _blocks(inst, block_size)
    assert blocks is not None and len(blocks.blocks) > 1
    assert blocks.bound <= _lp(inst) + 1e-6 * abs(blocks.bound)
    plan = greedy_plan(inst)
    assert len(plan[0]) == sum(1 for ks in inst.by_consignment if ks)  # the bound's premise
    assert blocks.bound <= inst.value(plan) + 1e-6


def test_one_block_is_the_whole_lp(inst: Instance) -> None:
    """With every consignment in one block, the block relaxation is the LP relaxation itself."""
    blocks = _blocks(inst, len(inst.consignments))
    assert blocks is not None and len(blocks.blocks) == 1
    assert blocks.bound == pytest.approx(_lp(inst), rel=1e-9)



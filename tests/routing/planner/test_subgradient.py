"""Phase 1's capacity multipliers by subgradient: the bound they price to holds over every
itinerary, is tight on a hand-solved instance, and the large-plan path uses it."""

from __future__ import annotations

import math

import numpy as np
import pytest

from network.model import Container
from routing.consignment import Consignment
from routing.planner import PlanRequest, plan_consignments
from routing.planner import pipeline as pipeline_module
from routing.planner.colgen import Multipliers, price_round
from routing.planner.greedy import solve_most_served
from routing.planner.instance import Instance
from routing.planner.subgradient import _Rows, served_multipliers
from routing.planner.verify import verify_plan

from .conftest import due_today, instance_of, one_train


def _three() -> tuple[Consignment, ...]:
    return tuple(due_today(f"c{i}", kg, 6 + i) for i, kg in enumerate((900, 400, 400)))


def _per_row(rows: _Rows, inst: Instance, m: Multipliers) -> np.ndarray:
    """The multipliers of `m` in the rows' units (consignments per row)."""
    return np.array([m.cap.get(key, (0.0, 0.0))[unit] * (inst.capacity_limits[key][unit] or 0.0)
                     for key, unit in rows.keys])


def test_the_bound_is_tight_onone_train() -> None:
    """900, 400 and 400 kg for one 1,000 kg departure: at most two can go, and the priced bound
    says so (the LP's is 2.22)."""
    inst = instance_of(PlanRequest(one_train(1000.0), _three()))
    m = served_multipliers(inst, served=2)
    found = price_round(inst, m, 0)
    assert found is not None and found.bound is not None
    assert 2.0 <= found.bound < 3.0


def test_the_priced_bound_holds_and_is_above_the_bound_over_the_columns(inst: Instance) -> None:
    """On a generated instance the bound priced over every itinerary is at least what the first
    plan serves, and at least U over the columns at the same multipliers (fewer itineraries,
    larger charges, smaller U)."""
    served = len(solve_most_served(inst).chosen)
    m = served_multipliers(inst, served)
    found = price_round(inst, m, 0)
    assert found is not None and found.bound is not None
    rows = _Rows(inst)
    over_columns, _ = rows.evaluate(_per_row(rows, inst, m))
    assert served <= found.bound + 1e-9
    assert over_columns <= found.bound + 1e-6
    assert m.capacity_term == pytest.approx(float(_per_row(rows, inst, m).sum()))


def test_the_large_plan_path_bounds_the_number_served(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the large-plan threshold at zero, a plan where capacity stops a consignment takes
    phase 1's bound from the subgradient multipliers: two served of three, proven."""
    monkeypatch.setattr(pipeline_module, "LARGE_CANDIDATES", 0)
    net = one_train(1000.0, Container(5000.0, 50.0, 1000.0))  # a container makes the plan "large"
    plan = plan_consignments(PlanRequest(net, _three(), time_limit_s=10))
    verify_plan(plan)
    assert len(plan.assignments) == 2
    assert plan.served_bound == 2
    notes = [note for _, _, note in plan.stages]
    assert any(note.startswith("served bound by subgradient: at most 2 of 3") for note in notes)
    assert "block relaxation: not applicable (at most 2 can be served)" in notes
    assert math.isfinite(plan.total_cost_eur)

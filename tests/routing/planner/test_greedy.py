"""The greedy plans: the baseline in ready-time order, and the first plan that serves the most."""

from __future__ import annotations

from collections import defaultdict

import pytest

from routing.planner import PlanRequest
from routing.planner.greedy import solve_greedy, solve_most_served
from routing.planner.instance import Instance

from .conftest import due_today, instance_of, one_train


def _fits(inst: Instance, chosen: dict[int, int]) -> bool:
    """Every capacitated departure's load within its limits, summed from the raw consignments."""
    kg: dict[object, float] = defaultdict(float)
    m3: dict[object, float] = defaultdict(float)
    for ci, k in chosen.items():
        for leg in inst.cands[k].legs:
            kg[leg.key] += inst.consignments[ci].weight_kg
            m3[leg.key] += inst.consignments[ci].volume_m3
    return all((limit_kg is None or kg[key] <= limit_kg + 1e-9)
               and (limit_m3 is None or m3[key] <= limit_m3 + 1e-9)
               for key, (limit_kg, limit_m3) in inst.capacity_limits.items())


def test_the_first_plan_serves_the_light_consignments_the_early_heavy_one_crowds_out() -> None:
    """On one 1,000 kg departure, a 900 kg consignment ready first leaves no room for two of 400 kg
    in ready-time order; the first plan serves the two."""
    heavy = due_today("heavy", 900, 6)
    light = [due_today(f"light{i}", 400, 7) for i in (1, 2)]
    inst = instance_of(PlanRequest(one_train(1000.0), (heavy, *light)))
    baseline, first = solve_greedy(inst), solve_most_served(inst)
    assert sorted(inst.consignments[ci].id for ci in baseline.chosen) == ["heavy"]
    assert sorted(inst.consignments[ci].id for ci in first.chosen) == ["light1", "light2"]
    assert first.objective == pytest.approx(800.0)  # EUR 1 per kg, LCL
    assert _fits(inst, first.chosen)


def test_when_every_order_serves_all_the_first_plan_is_the_baseline() -> None:
    """Without capacity to compete for, every order gives each consignment its cheapest
    candidate: the first plan is the baseline's."""
    consignments = tuple(due_today(f"c{i}", kg, 6 + i) for i, kg in enumerate((700, 200, 450)))
    inst = instance_of(PlanRequest(one_train(10_000.0), consignments))
    assert solve_most_served(inst).chosen == solve_greedy(inst).chosen


def test_the_first_plan_serves_at_least_the_baseline_and_fits(inst: Instance) -> None:
    """On a generated instance the first plan serves no fewer than the baseline, fits every
    departure, and its total is its candidates' LCL values."""
    baseline, first = solve_greedy(inst), solve_most_served(inst)
    assert len(first.chosen) >= len(baseline.chosen)
    assert _fits(inst, first.chosen)
    assert first.objective == pytest.approx(sum(inst.loose_value(k) for k in first.chosen.values()))

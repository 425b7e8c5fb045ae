"""Column generation's multipliers: the smoothed mix of two valid sets is valid."""

from __future__ import annotations

import pytest
from ortools.math_opt.python import mathopt

from routing.planner.colgen import Multipliers, price_round, smoothed
from routing.planner.instance import Instance
from routing.planner.spec import build


def _lp(inst: Instance) -> tuple[Multipliers, float, int]:
    served = sum(1 for ks in inst.by_consignment if ks)
    f = build(inst, relax=True, served_target=served, bounded=False)
    r = mathopt.solve(f.model, mathopt.SolverType.HIGHS)
    assert r.termination.reason == mathopt.TerminationReason.OPTIMAL
    return Multipliers.from_lp(inst, f, f.duals(r)), r.objective_value(), served


@pytest.mark.parametrize("alpha", [0.0, 0.3, 0.5, 1.0])
def test_a_smoothed_mix_keeps_every_container_term_and_gives_a_bound(inst: Instance, alpha: float) -> None:
    """Mixing the LP's multipliers with none at all: the capacity term mixes linearly, no group
    charges more than its container costs, and the Lagrangian bound stays below the LP over the
    columns (itself no lower than the LP over every itinerary)."""
    lp, value, served = _lp(inst)
    mix = smoothed(inst, Multipliers(), lp, alpha)
    assert mix.capacity_term == pytest.approx((1.0 - alpha) * lp.capacity_term, rel=1e-9, abs=1e-9)
    for g in inst.groups:
        kg, m3 = mix.fill.get(g.key, (0.0, 0.0))
        opened = sum(v for (ci, key), v in mix.open.items() if key == g.key)
        charged = g.container_kg * kg + g.container_m3 * m3 + opened
        assert charged <= g.container_eur * inst.cost_weight * (1 + 1e-9) + 1e-9, g.key
    found = price_round(inst, mix, served)
    assert found is not None and found.bound is not None
    assert found.bound <= value + 1e-6 * abs(value)

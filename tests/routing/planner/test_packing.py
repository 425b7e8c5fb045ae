"""Container packing of fixed routes: exact group by group, never worse than the heuristic."""

from __future__ import annotations

from routing.planner.greedy import solve_greedy
from routing.planner.instance import Instance
from routing.planner.packing import exact_pack, pack_groups


def test_exact_packing_is_the_same_on_one_or_two_threads(inst: Instance) -> None:
    """Packing the groups on two threads gives the containers one thread gives, never worse
    than the heuristic packing."""
    chosen = solve_greedy(inst).chosen
    one = exact_pack(inst, chosen, 30.0, 0, workers=1)
    two = exact_pack(inst, chosen, 30.0, 0, workers=2)
    assert one is not None and two is not None
    assert one == two
    heuristic = pack_groups(inst, chosen)
    assert inst.value((chosen, *two)) <= inst.value((chosen, *heuristic)) + 1e-6

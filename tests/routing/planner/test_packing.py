"""Container packing of fixed routes: exact group by group, never worse than the heuristic."""

from __future__ import annotations

from types import SimpleNamespace

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


def test_groups_past_the_deadline_keep_the_heuristic_packing(inst: Instance, monkeypatch) -> None:
    """Once the time limit has passed no more packing MIPs start: with the clock past it from
    the first group on, no MIP is solved and the packing is exactly the heuristic's."""
    from ortools.math_opt.python import mathopt

    import routing.planner.packing as packing

    def no_solve(*args: object, **kwargs: object) -> None:
        raise AssertionError("a packing MIP started after the deadline")

    monkeypatch.setattr(mathopt, "solve", no_solve)

    chosen = solve_greedy(inst).chosen
    heuristic = pack_groups(inst, chosen)
    assert heuristic[0], "the fixture should need containers"
    ticks = iter([0.0])  # the deadline is set at 0, every later reading is past it
    monkeypatch.setattr(packing, "time", SimpleNamespace(monotonic=lambda: next(ticks, 1e9)))
    assert exact_pack(inst, chosen, 1.0, 0, workers=2) == heuristic

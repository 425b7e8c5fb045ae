"""Tests of the batch planner: hand-solved instances, solver agreement, verifier, CLI."""

from __future__ import annotations

import json
import re
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from network.loader import load_network
from network.model import Container, Location, Network, Service
from routing.consignment import Consignment
from routing.planner import PlanRequest, PlanSettings, plan_consignments
from routing.planner.consignments import read_consignments
from routing.planner.verify import PlanVerificationError, verify_plan

from .conftest import one_train

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "bench"))


def _loc(lid: str) -> Location:
    return Location(lid, lid, "city", "BE", 50.0, 5.0, "UTC")


def _c(cid: str, kg: float, due: datetime | None = None) -> Consignment:
    return Consignment("A", "B", kg, 1.0, datetime(2026, 12, 1, 6, 0, tzinfo=UTC), due, id=cid)


SOLVERS = ["highs", "scip", "greedy"]


@pytest.mark.parametrize("solver", SOLVERS)
def test_two_consignments_compete_for_one_slot(solver: str) -> None:
    """Only one of two 800 kg consignments fits the single 1,000 kg departure before their due date."""
    due = datetime(2026, 12, 1, 23, 0, tzinfo=UTC)
    req = PlanRequest(one_train(1000.0, None), (_c("a", 800, due), _c("b", 800, due)), solver=solver,
                      time_limit_s=10)
    plan = plan_consignments(req)
    verify_plan(plan)
    assert len(plan.assignments) == 1
    assert plan.total_cost_eur == pytest.approx(800.0)
    (left,) = plan.unassigned
    assert left.reason == "capacity"
    assert left.full_departures == ("S-AB@2026-12-01T10:00:00+00:00",)


@pytest.mark.parametrize("solver", ["highs", "scip"])
def test_consolidation_beats_lcl(solver: str) -> None:
    """Two 600 kg consignments share one EUR 1,000 container instead of paying 2 × EUR 600 LCL."""
    net = one_train(None, Container(1000.0, 10.0, 2000.0))
    plan = plan_consignments(PlanRequest(net, (_c("a", 600), _c("b", 600)), solver=solver,
                                         time_limit_s=10))
    verify_plan(plan)
    assert plan.total_cost_eur == pytest.approx(1000.0)
    assert sum(d.containers for d in plan.departures) == 1
    assert all(leg.in_container for a in plan.assignments for leg in a.legs)


def test_greedy_pays_lcl_only() -> None:
    """The greedy baseline buys no containers, so it pays 2 × EUR 600 on the same instance."""
    net = one_train(None, Container(1000.0, 10.0, 2000.0))
    plan = plan_consignments(PlanRequest(net, (_c("a", 600), _c("b", 600)), solver="greedy"))
    verify_plan(plan)
    assert plan.total_cost_eur == pytest.approx(1200.0)


@pytest.mark.parametrize("solver", ["highs", "scip"])
def test_equal_cost_ties_go_to_the_earliest_departure(solver: str) -> None:
    """With room on every departure, each consignment takes the first one it can catch."""
    plan = plan_consignments(PlanRequest(one_train(None, None), (_c("a", 300), _c("b", 400)),
                                         solver=solver, time_limit_s=10))
    verify_plan(plan)
    first = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    assert [a.legs[0].depart for a in plan.assignments] == [first, first]


def test_capacity_forces_a_later_departure() -> None:
    """Without a due date the second consignment takes the next day's departure."""
    plan = plan_consignments(PlanRequest(one_train(1000.0, None), (_c("a", 800), _c("b", 800))))
    verify_plan(plan)
    assert len(plan.assignments) == 2
    assert len({a.legs[0].depart for a in plan.assignments}) == 2


def test_verifier_catches_overload() -> None:
    """A plan that ignored capacity fails verification against the real capacity."""
    due = datetime(2026, 12, 1, 23, 0, tzinfo=UTC)
    req = PlanRequest(one_train(1000.0, None), (_c("a", 800, due), _c("b", 800, due)))
    plan = plan_consignments(req, settings=PlanSettings(capacity=False))
    assert len(plan.assignments) == 2
    from dataclasses import replace

    with pytest.raises(PlanVerificationError, match="capacity 1000 kg"):
        verify_plan(replace(plan, settings=PlanSettings()))


def test_verifier_catches_wrong_total() -> None:
    """A tampered container count breaks the recomputed container fill."""
    from dataclasses import replace

    net = one_train(None, Container(1000.0, 10.0, 2000.0))
    plan = plan_consignments(PlanRequest(net, (_c("a", 600), _c("b", 600))))
    bad = replace(plan, departures=tuple(replace(d, containers=0) for d in plan.departures))
    with pytest.raises(PlanVerificationError, match="container"):
        verify_plan(bad)


@pytest.fixture(scope="module")
def generated() -> tuple[Network, tuple[Consignment, ...]]:
    from generate_consignments import generate, write

    path = ROOT / "tests" / "routing" / ".generated.csv"
    from datetime import date

    write(generate(40, 3, date(2026, 10, 1), 14, True), path)
    try:
        return read_consignments(path, load_network(None))
    finally:
        path.unlink()


def test_solvers_agree_on_generated_instance(generated: tuple[Network, tuple[Consignment, ...]]) -> None:
    """HiGHS and SCIP reach the same optimum on a generated instance; both plans verify."""
    net, cs = generated
    plans = [plan_consignments(PlanRequest(net, cs, solver=s, time_limit_s=60, max_departures=3),
                               settings=PlanSettings(relative_gap=1e-7)) for s in ("highs", "scip")]
    for p in plans:
        verify_plan(p)
        assert p.gap is not None and p.gap <= 1e-6
    assert len(plans[0].assignments) == len(plans[1].assignments)
    assert plans[0].objective_value == pytest.approx(plans[1].objective_value, rel=1e-6)
    greedy = plan_consignments(PlanRequest(net, cs, solver="greedy", max_departures=3))
    verify_plan(greedy)
    assert len(greedy.assignments) <= len(plans[0].assignments)
    if len(greedy.assignments) == len(plans[0].assignments):
        assert plans[0].total_cost_eur <= greedy.total_cost_eur + 1e-6


def test_relaxing_capacity_never_increases_cost() -> None:
    """Dropping capacity serves at least as many and, serving as many, costs no more."""
    due = datetime(2026, 12, 3, 23, 0, tzinfo=UTC)
    cs = tuple(_c(f"c{i}", 300 + 50 * i, due if i % 2 else None) for i in range(6))
    net = one_train(1000.0, Container(900.0, 10.0, 2000.0))
    tight = plan_consignments(PlanRequest(net, cs))
    loose = plan_consignments(PlanRequest(net, cs), settings=PlanSettings(capacity=False))
    verify_plan(tight)
    verify_plan(loose)
    assert len(loose.assignments) >= len(tight.assignments)
    if len(loose.assignments) == len(tight.assignments):
        assert loose.total_cost_eur <= tight.total_cost_eur + 1e-6


@pytest.mark.parametrize("objective", ["co2", "balanced"])
def test_other_objectives_verify(objective: str, generated: tuple[Network, tuple[Consignment, ...]]) -> None:
    """The co2 and balanced objectives produce verified, proven plans."""
    from routing.objectives import Objective

    net, cs = generated
    plan = plan_consignments(PlanRequest(net, cs[:20], Objective(objective), max_departures=2,
                                         time_limit_s=20))
    verify_plan(plan)
    assert plan.gap is not None and plan.gap <= 1e-3


def _cli() -> object:
    from cli import cli
    from cli_plan import plan

    if "plan" not in cli.commands:
        cli.add_command(plan)
    return cli


def test_cli_writes_three_files(tmp_path: Path) -> None:
    """`plan` on the shipped example writes assignments.csv, departures.csv and plan.json."""
    result = CliRunner().invoke(_cli(), ["plan", str(ROOT / "examples" / "consignments.csv"),
                                         "--out", str(tmp_path), "--quiet", "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "plan.json").read_text())
    assert doc["summary"]["served"] + doc["summary"]["unserved"] == 40
    assert doc["summary"]["gap"] is not None and doc["summary"]["gap"] <= 1e-4
    assert (tmp_path / "assignments.csv").read_text().startswith("consignment,")
    assert (tmp_path / "departures.csv").read_text().startswith("service,")


def test_cli_bad_row_exits_2(tmp_path: Path) -> None:
    """A malformed row gives exit 2 and names file:line:column."""
    bad = tmp_path / "c.csv"
    bad.write_text("id,origin,destination,weight_kg,volume_m3,ready\n"
                   "a,Namur,Zhengzhou,800,3.5,2026-12-01\n"
                   "b,Namur,Zhengzhou,heavy,3.5,2026-12-01\n")
    result = CliRunner().invoke(_cli(), ["plan", str(bad), "--out", str(tmp_path / "o"), "--quiet"])
    assert result.exit_code == 2
    assert f"{bad}:3:4 (weight_kg)" in result.output


def test_cli_never_overwrites_input(tmp_path: Path) -> None:
    """An --out directory holding the input as plan.json is refused with exit 2."""
    src = tmp_path / "plan.json"
    src.write_text((ROOT / "examples" / "consignments.csv").read_text())
    result = CliRunner().invoke(_cli(), ["plan", str(src), "--out", str(tmp_path), "--quiet",
                                         "--solver", "greedy"])
    assert result.exit_code == 2
    assert src.read_text().startswith("id,")


def test_unassigned_reasons() -> None:
    """No-service goods, goods too heavy for every service that takes them and impossible due
    dates are explained, not blamed on capacity."""
    rail = Service("S-AB", "A", "B", "rail", "op", 1000.0, 10.0, frozenset(range(7)), time(10, 0),
                   cutoff_h=2.0, eur_per_kg=1.0, goods=frozenset({"general"}), origin_tz="UTC")
    air = Service("A-AB", "A", "B", "air", "op", 1000.0, 2.0, frozenset(range(7)), time(20, 0),
                  cutoff_h=2.0, eur_per_kg=3.0, goods=frozenset({"general", "perishable"}),
                  capacity_kg=5000.0, origin_tz="UTC")
    net = Network({x: _loc(x) for x in "AB"}, {rail.id: rail, air.id: air})
    ready = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
    dg = Consignment("A", "B", 100, 1.0, ready, goods="dg", id="dg")
    late = Consignment("A", "B", 100, 1.0, ready, datetime(2026, 12, 1, 12, 0, tzinfo=UTC), id="late")
    heavy = Consignment("A", "B", 8000, 10.0, ready, goods="perishable", id="heavy")
    plan = plan_consignments(PlanRequest(net, (dg, late, heavy)))
    verify_plan(plan)
    reasons = {u.consignment.id: u.reason for u in plan.unassigned}
    assert reasons == {"dg": "goods_class", "late": "due_date", "heavy": "too_large"}
    detail = next(u.detail for u in plan.unassigned if u.consignment.id == "heavy")
    assert "has a service smaller than this consignment (8,000 kg" in detail


@pytest.mark.parametrize("solver", ["highs", "scip"])
def test_mip_serves_more_than_greedy(solver: str) -> None:
    """Greedy gives the first departure to the earlier, flexible consignment; the MIP serves both."""
    ready = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
    flexible = Consignment("A", "B", 800, 1.0, ready, id="flexible")
    urgent = Consignment("A", "B", 800, 1.0, ready.replace(hour=7),
                         datetime(2026, 12, 1, 23, 0, tzinfo=UTC), id="urgent")
    net = one_train(1000.0, None)
    greedy = plan_consignments(PlanRequest(net, (flexible, urgent), solver="greedy"))
    best = plan_consignments(PlanRequest(net, (flexible, urgent), solver=solver, time_limit_s=10))
    verify_plan(greedy)
    verify_plan(best)
    assert (len(greedy.assignments), len(best.assignments)) == (1, 2)
    assert best.served_bound == 2


def test_columns_found_by_two_pricing_rounds_are_added_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A cold round prices at two solvers' duals: an itinerary both find, or one already a
    column, is added once."""
    from types import SimpleNamespace

    from routing.planner import pipeline

    def column(*keys: tuple[str, float]) -> SimpleNamespace:
        return SimpleNamespace(legs=tuple(SimpleNamespace(key=key) for key in keys))

    old = column(("A", 0.0))
    state = SimpleNamespace(candidates=[[old], []])
    rebuilt: list[bool] = []
    monkeypatch.setattr(pipeline, "_rebuild", lambda state: rebuilt.append(True))
    first = SimpleNamespace(columns={0: column(("A", 0.0)), 1: column(("B", 1.0), ("C", 2.0))})
    second = SimpleNamespace(columns={0: column(("A", 3.0)), 1: column(("B", 1.0), ("C", 2.0))})
    assert pipeline._add(state, first, second) == 2  # type: ignore[arg-type]
    assert [[tuple(leg.key for leg in c.legs) for c in cs] for cs in state.candidates] == [
        [(("A", 0.0),), (("A", 3.0),)], [(("B", 1.0), ("C", 2.0))]]
    assert rebuilt == [True]
    assert pipeline._add(state, first) == 0 and rebuilt == [True]  # type: ignore[arg-type]


def test_a_new_served_target_keeps_the_assignment_bound_for_that_number() -> None:
    """When a plan must serve fewer than first aimed at (capacity stops some), the bound proven
    for the old number is dropped, and the assignment bound (the cheapest itineraries at zero
    multipliers, kept from its pricing) is restated for the new number: the sum of that many
    least costs, which no plan serving as many can beat (as at 100,000 consignments, where no
    time is left to price again)."""
    from routing.planner import pipeline

    req = PlanRequest(one_train(1000.0, None), (_c("a", 800), _c("b", 800), _c("c", 150)), time_limit_s=10)
    state = pipeline._State(req, PlanSettings(), pipeline.Budget(10), None, lambda _: None,
                            pipeline.mathopt.SolverType.HIGHS, None, None)
    state.served_target = 3
    state.assignment_values = {0: 800.0, 1: 800.0, 2: 150.0}
    state.bound, state.bound_basis = 1750.0, "block relaxation"
    pipeline._set_target(state, 2)
    assert state.bound == pytest.approx(950.0)
    assert "for the 2 served" in state.bound_basis
    pipeline._set_target(state, 4)  # more than can be priced: no bound
    assert state.bound is None


@pytest.fixture(scope="module")
def scip_optimum(generated: tuple[Network, tuple[Consignment, ...]]) -> float:
    """The generated instance's optimum by SCIP (no column generation of HiGHS's LPs)."""
    net, cs = generated
    return plan_consignments(PlanRequest(net, cs, solver="scip", time_limit_s=60, max_departures=3),
                             settings=PlanSettings(relative_gap=1e-7)).objective_value


@pytest.mark.parametrize("start", ["last basis", "from scratch", "failing warm start", "failing cold GLOP"])
def test_warm_starts_change_no_answer(generated: tuple[Network, tuple[Consignment, ...]], scip_optimum: float,
                                      start: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Column generation's LPs started from the last basis (GLOP), from scratch every round
    (GLOP and HiGHS side by side), from a basis whose solve fails (solved again from scratch),
    or from scratch where GLOP finds no optimum in time (HiGHS's LP goes on) prove the same
    optimum, over several rounds."""
    from routing.planner import pipeline

    if start == "from scratch":
        monkeypatch.setattr(pipeline.Basis, "of", classmethod(lambda cls, *args: None))
    if start == "failing cold GLOP":
        submit = pipeline.SolverPool.submit

        def starved(self, model, solver, params, model_params=None, keep_basis=False):  # type: ignore[no-untyped-def]
            if solver == pipeline.COLD_SOLVER and model_params is None:  # a cold GLOP solve
                params = pipeline.mathopt.SolveParameters(time_limit=timedelta(microseconds=1))
            return submit(self, model, solver, params, model_params, keep_basis)

        monkeypatch.setattr(pipeline.SolverPool, "submit", starved)
    warm_solves: list[str] = []
    solve = pipeline.SolverPool.solve

    def counted(self, model, solver, params, model_params=None, keep_basis=False):  # type: ignore[no-untyped-def]
        if solver == pipeline.mathopt.SolverType.GLOP:
            warm_solves.append(start)
            if start == "failing warm start":
                return None
        return solve(self, model, solver, params, model_params, keep_basis)

    monkeypatch.setattr(pipeline.SolverPool, "solve", counted)
    net, cs = generated
    plan = plan_consignments(PlanRequest(net, cs, time_limit_s=60, max_departures=3),
                             settings=PlanSettings(relative_gap=1e-7))
    verify_plan(plan)
    assert plan.gap is not None and plan.gap <= 1e-6
    rounds = [s for s in plan.stages if s[0] == "relaxation"]
    done = re.search(r"(\d+) rounds", rounds[0][2]) if rounds else None
    assert done is not None and int(done.group(1)) >= 2, rounds
    assert bool(warm_solves) == (start != "from scratch")
    assert plan.objective_value == pytest.approx(scip_optimum, rel=1e-6)

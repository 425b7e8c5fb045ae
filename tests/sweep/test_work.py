"""What a cell computes is what the commands compute: a plan cell is the public planner's plan
(checked by the planner's verifier) and `plan --scenario`'s; a route or compare cell is the
engine's answer on the scenario network; a scenario that does not apply fails its cells only."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cli import cli
from network.loader import load_network
from network.scenarios import apply_scenarios, load_scenarios
from routing.objectives import Objective, Weights, default_eur_per_day
from routing.planner import PlanRequest, PlanSettings, plan_consignments
from routing.planner.consignments import read_consignments
from routing.planner.ontime import assignment_figures
from routing.planner.verify import verify_plan
from routing.search import SearchOptions, best_by_main_mode, best_itineraries
from sweep import load_spec, run_sweep
from tests.sweep.conftest import BAD, CLOSED, RAIL, plans_spec, queries_spec, write_spec


def scenario_network(tmp_path, consignments_csv, factor: float, closed: bool):
    """The set's network (world cities joined), then the closure and the rail rate applied."""
    rail = tmp_path / f"rail-{factor}.toml"
    rail.write_text(RAIL.replace("factor = 1.0", f"factor = {factor}"), encoding="utf-8")
    files = [CLOSED, rail] if closed else [rail]
    network, consignments = read_consignments(consignments_csv, load_network(None))
    return apply_scenarios(network, load_scenarios(files, network)), consignments, files


@pytest.fixture(scope="module")
def plan_rows(tmp_path_factory):
    directory = tmp_path_factory.mktemp("plans")
    outcome = run_sweep(load_spec(plans_spec(directory, weeks=1)), directory / "out")
    return directory, outcome.rows


@pytest.mark.parametrize(("closed", "factor"), [(False, 1.0), (True, 1.3)])
def test_a_plan_cell_is_the_planners_plan(plan_rows, closed, factor):
    """The cell's figures are those of `plan_consignments` on the same network, and that plan
    passes the planner's verifier."""
    directory, rows = plan_rows
    row = next(r for r in rows if r["rail_rate"] == factor and (r["scenario"] != "base") == closed)
    network, consignments, _ = scenario_network(directory, row["set_file"], factor, closed)
    plan = plan_consignments(PlanRequest(network, consignments, solver="greedy"),
                             settings=PlanSettings(seed=0, workers=1))
    verify_plan(plan)
    assert row["status"] == "done"
    assert row["served"] == len(plan.assignments) and row["unserved"] == len(plan.unassigned)
    assert row["total_cost_eur"] == round(plan.total_cost_eur, 2)
    assert row["total_co2e_kg"] == round(plan.total_co2e_kg, 3)
    assert sum(row[f"served_{m}"] for m in ("air", "rail", "sea", "road")) == row["served"]
    due = [f.on_time for f in assignment_figures(plan).values() if f.on_time is not None]
    assert due and row["on_time_share"] == round(sum(due) / len(due), 4)


def test_an_on_time_target_is_a_parameter_of_plan_cells(tmp_path):
    """`run.on_time` as a grid: at 0.99 every served consignment is on time with probability at
    least 0.99 (the planner's constraint), so the share is too, and no more are served than
    without a binding target."""
    extra = '[[parameter]]\nname = "target"\nkey = "run.on_time"\nvalues = [0.01, 0.99]\n'
    rows = run_sweep(load_spec(plans_spec(tmp_path, n=40, weeks=1, extra=extra)), tmp_path / "out").rows
    assert len(rows) == 8 and all(r["status"] == "done" for r in rows)
    by = {(r["scenario"], r["rail_rate"], r["target"]): r for r in rows}
    for (scenario, rate, target), row in by.items():
        if target == 0.99:
            assert row["served"] == 0 or row["on_time_share"] >= 0.99
            assert row["served"] <= by[(scenario, rate, 0.01)]["served"]


def test_a_plan_cell_is_what_plan_with_scenarios_prints(plan_rows, tmp_path):
    """`plan --scenario closed --scenario rail` (greedy) serves as many at the same cost."""
    directory, rows = plan_rows
    row = next(r for r in rows if r["rail_rate"] == 1.3 and r["scenario"] != "base")
    _, _, files = scenario_network(directory, row["set_file"], 1.3, True)
    result = CliRunner().invoke(cli, ["plan", row["set_file"], "--solver", "greedy", "--format", "json",
                                      "--out", str(tmp_path / "plan"), "--quiet",
                                      *(x for f in files for x in ("--scenario", str(f)))], obj={})
    assert result.exit_code == 0, result.output
    head = json.loads(result.stdout)["summary"]
    assert (head["served"], head["total_cost_eur"]) == (row["served"], row["total_cost_eur"])


@pytest.mark.parametrize("what", ["route", "compare"])
def test_a_query_cell_is_the_engines_answer(tmp_path, what):
    """Route: the best itinerary under the objective; compare: the best per main mode and the
    best of them, on the scenario network, for every consignment."""
    outcome = run_sweep(load_spec(queries_spec(tmp_path, what)), tmp_path / "out", report=False)
    assert outcome.failed == 0 and len(outcome.rows) == 48
    for row in outcome.rows[::5]:
        network, consignments, _ = scenario_network(tmp_path, row["set_file"], row["rail_rate"],
                                                    row["scenario"] != "base")
        c = next(c for c in consignments if c.id == row["consignment"])
        options = SearchOptions(Objective.COST, Weights(default_eur_per_day(c.value_eur)), 60.0, 0)
        found = best_itineraries(network, c, options).itineraries
        best = found[0] if found else None
        assert row["served"] == (best is not None)
        if best is not None:
            assert row["cost_eur"] == round(best.cost_eur, 2) and row["co2e_kg"] == round(best.co2e_kg, 3)
            assert row["services"] == " > ".join(best.signature)
        if what == "compare":
            by_mode = best_by_main_mode(network, c, options)
            for mode in ("air", "rail", "sea", "road"):
                it = by_mode.get(mode)
                assert row[f"cost_eur_{mode}"] == (round(it.cost_eur, 2) if it else None)


def test_a_scenario_that_does_not_apply_fails_its_cells_only(tmp_path):
    """A column with a bad scenario: its cells fail with the scenario's `file: key path: message`,
    every other cell is done."""
    spec_file = plans_spec(tmp_path, weeks=1, extra='[[scenario]]\nlabel = "typo"\nfiles = ["bad.toml"]\n')
    outcome = run_sweep(load_spec(spec_file), tmp_path / "out")
    failed = [r for r in outcome.rows if r["status"] == "failed"]
    assert [r["scenario"] for r in failed] == ["typo", "typo"]
    assert outcome.failed == 2 and len(outcome.rows) == 6
    assert all(r["error"] == f"{tmp_path / 'bad.toml'}: change[1].corridor: unknown corridor 'PL-BY'; "
                             "did you mean 'PL-BY-border'? (known: KZ-CN-border, PL-BY-border, cape, suez)"
               for r in failed)
    assert all(r["total_cost_eur"] is not None for r in outcome.rows if r["status"] == "done")


def test_a_parameter_value_out_of_range_fails_only_its_cells(tmp_path):
    """A grid value the scenario refuses (a capacity factor below 0) fails those cells."""
    capacity = BAD.replace('action = "close"\ncorridor = "PL-BY"',
                           'action = "scale_capacity"\nmode = "air"\nfactor = 1.0')
    (tmp_path / "capacity.toml").write_text(capacity, encoding="utf-8")
    text = ('name = "x"\n[run]\nsolver = "greedy"\n[[consignments]]\n'
            'generate = { n = 10, start = 2026-11-02, days = 7 }\n'
            '[[parameter]]\nname = "air_capacity"\nscenario = "capacity.toml"\nkey = "change[1].factor"\n'
            'values = [-0.5, 0.5]\n')
    outcome = run_sweep(load_spec(write_spec(tmp_path, text)), tmp_path / "out", report=False)
    assert [(r["air_capacity"], r["status"]) for r in outcome.rows] == [(-0.5, "failed"), (0.5, "done")]
    assert outcome.rows[0]["error"].endswith("change[1].factor: -0.5 is outside 0..1,000")

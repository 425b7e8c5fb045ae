"""The `plan` command: many consignments onto scheduled departures (register with cli.add_command)."""

from __future__ import annotations

import time
from pathlib import Path

import click

from cli_types import FiniteFloat, OutputPath
from formats import OutputSet, check_output_dir, check_output_file, table, to_json
from network.errors import InputError
from routing.limits import (
    MAX_EUR_PER_DAY,
    MAX_EUR_PER_TCO2,
    MAX_HORIZON_DAYS,
    MAX_TIME_LIMIT_S,
    MIN_TIME_LIMIT_S,
)
from routing.objectives import DEFAULT_EUR_PER_TCO2, Objective
from routing.planner.model import Plan
from routing.search import DEFAULT_HORIZON_DAYS


def _plan_map_html(ctx: click.Context, result: Plan, consignments_csv: Path, solver: str) -> str:
    """The plan's aggregated flows as one self-contained HTML page."""
    from datetime import UTC, datetime

    from maps import Unassigned, flows_from_departures, flows_map, map_html

    served = len(result.assignments)
    title = (f"plan {consignments_csv.name}: {served}/{served + len(result.unassigned)} served · "
             f"EUR {result.total_cost_eur:,.0f} · {result.total_co2e_kg / 1000:,.1f} t CO2e · "
             f"{solver}")
    m = flows_map(result.request.network, flows_from_departures(result.departures),
                  [Unassigned(u.consignment.id, f"{u.reason}: {u.detail}") for u in result.unassigned],
                  title=title, computed_at=datetime.now(UTC).astimezone())
    return map_html(m)


@click.command("plan")
@click.argument("consignments_csv", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--objective", type=click.Choice(["cost", "co2", "balanced"]), default="cost",
              show_default=True, help="What to minimise once as many consignments as possible are served.")
@click.option("--time-limit", "time_limit", type=FiniteFloat(MIN_TIME_LIMIT_S, MAX_TIME_LIMIT_S, "s"),
              default=60.0, show_default=True,
              help="Seconds for the whole run; the best plan found is returned.")
@click.option("--solver", type=click.Choice(["highs", "scip", "cpsat", "greedy"]), default="highs",
              show_default=True, help="MIP solver (highs, scip via MathOpt; cpsat) or the greedy baseline.")
@click.option("--out", "out_dir", type=OutputPath(), default=Path("plan"), show_default=True,
              help="Directory for assignments.csv, departures.csv and plan.json (created if its "
                   "parent exists).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="What to print on stdout.")
@click.option("--horizon-days", type=FiniteFloat(0, MAX_HORIZON_DAYS, "days", low_open=True),
              default=DEFAULT_HORIZON_DAYS, show_default=True,
              help="Only departures up to this many days after each consignment's ready time.")
@click.option("--alternatives", type=click.IntRange(0, 20), default=3, show_default=True,
              help="Next-best distinct service sequences per consignment (candidate generation).")
@click.option("--max-departures", type=click.IntRange(1, 60), default=6, show_default=True,
              help="Departures per timetabled leg and sequence (the earliest and later ones).")
@click.option("--eur-per-day", type=FiniteFloat(0, MAX_EUR_PER_DAY, "EUR/day"), default=None,
              help="Price of a day in transit for 'balanced' (default: each consignment's value × 20 %/365).")
@click.option("--eur-per-tco2", type=FiniteFloat(0, MAX_EUR_PER_TCO2, "EUR/t"),
              default=DEFAULT_EUR_PER_TCO2, show_default=True,
              help="Carbon price for 'balanced', EUR per t CO2e.")
@click.option("--map", "map_path", type=OutputPath(), default=None,
              help="Also write the plan as an HTML map: flows per service, utilisation, unassigned.")
@click.option("--quiet", is_flag=True, help="No progress on stderr.")
@click.option("--scenario", "scenario_files", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="A what-if scenario (TOML, see scenarios/) applied to the network; repeat to apply "
                   "several, in order.")
@click.pass_context
def plan(ctx: click.Context, consignments_csv: Path, objective: str, time_limit: float, solver: str,
         out_dir: Path, fmt: str, horizon_days: float, alternatives: int, max_departures: int,
         eur_per_day: float | None, eur_per_tco2: float, map_path: Path | None,
         quiet: bool, scenario_files: tuple[Path, ...] = ()) -> None:
    """Plan every consignment of CONSIGNMENTS_CSV onto departures, with capacity and containers."""
    from cli import network_inputs, scenario_network
    from routing.planner import PlanRequest, plan_consignments
    from routing.planner.consignments import read_consignments
    from routing.planner.output import PLAN_FILES, plan_document, plan_files, summary

    started = time.monotonic()

    def progress(line: str) -> None:
        elapsed = time.monotonic() - started
        if elapsed >= 1.0:  # short runs stay silent
            click.echo(f"[{elapsed:6.1f}s] {line}", err=True)

    # Every output path is checked before any work, so a long solve never ends in a refusal.
    ctx.obj["scenario_files"] = list(scenario_files)  # inputs too: never written over
    inputs = [consignments_csv, *network_inputs(ctx)]
    outputs_in_dir = check_output_dir(out_dir, PLAN_FILES, option="--out", inputs=inputs)
    if map_path is not None:
        if map_path.resolve() in {p.resolve() for p in outputs_in_dir}:
            raise InputError(f"--map: {str(map_path)!r} is also written by --out")
        if map_path.resolve() == out_dir.resolve():
            raise InputError(f"--map: {str(map_path)!r} is the --out directory")
        check_output_file(map_path, option="--map", inputs=inputs,
                          will_create_parent=map_path.resolve().parent == out_dir.resolve())

    network, consignments = read_consignments(consignments_csv, scenario_network(ctx, scenario_files),
                                              horizon_days)
    try:
        request = PlanRequest(network, consignments, Objective(objective), eur_per_tco2, eur_per_day,
                              horizon_days, alternatives, max_departures, solver, time_limit)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    result = plan_consignments(request, None if quiet else progress)
    # All or nothing: every file is complete in a temporary before any is renamed into place.
    with OutputSet(protected=inputs) as outputs:
        outputs.make_dir(out_dir)
        for name, text in plan_files(result).items():
            outputs.add(out_dir / name, text)
        if map_path is not None:
            outputs.add(map_path, _plan_map_html(ctx, result, consignments_csv, solver))
        outputs.commit()
    head = summary(result)
    if fmt == "json":
        click.echo(to_json(plan_document(result)))
        return
    rows = [[a.consignment.id, " > ".join(leg.service_id for leg in a.legs),
             a.legs[0].depart.strftime("%Y-%m-%d %H:%M"),
             "".join("C" if leg.in_container else "-" for leg in a.legs),
             f"{a.cost_eur:,.2f}", f"{a.co2e_kg:,.1f}", a.arrive.strftime("%Y-%m-%d %H:%M"),
             {True: "yes", False: "NO", None: "-"}[a.meets_due]] for a in result.assignments]
    rows += [[u.consignment.id, f"UNASSIGNED ({u.reason})", "", "", "", "", "", ""]
             for u in result.unassigned]
    gap = "-" if head["gap"] is None else f"{head['gap']:.4%}"
    click.echo(table(rows, ["consignment", "services", "departs", "box", "EUR", "kg CO2e", "arrives",
                            "meets due"], align_right=(4, 5)))
    click.echo(f"\nserved {head['served']}/{head['served'] + head['unserved']} · EUR "
               f"{head['total_cost_eur']:,.2f} · {head['total_co2e_kg']:,.0f} kg CO2e · "
               f"{head['containers']} containers · objective {objective} {head['objective_value']:,.2f} · "
               f"bound {head['best_bound']} · gap {gap} · {solver} {head['termination']} · "
               f"{head['solve_s']:.1f} s\nwritten to {out_dir}/")
    for u in result.unassigned:
        click.echo(f"unassigned {u.consignment.id}: {u.detail}")
    if network.scenarios:
        click.echo("scenarios applied: " + ", ".join(f"{s.name} ({s.file})" for s in network.scenarios))

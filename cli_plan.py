"""The `plan` command: many consignments onto scheduled departures (register with cli.add_command)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import click

from cli_types import FiniteFloat, OutputPath
from formats import CSV_DIALECTS, OutputSet, check_output_dir, check_output_file, table, to_json
from network.errors import InputError
from network.world import ACCESS_OPERATOR
from routing.limits import (
    MAX_EUR_PER_DAY,
    MAX_EUR_PER_TCO2,
    MAX_HORIZON_DAYS,
    MAX_TIME_LIMIT_S,
    MIN_TIME_LIMIT_S,
)
from routing.objectives import DEFAULT_EUR_PER_TCO2, Objective
from routing.planner.model import Plan
from routing.reliability import Figures, percent
from routing.search import DEFAULT_HORIZON_DAYS

OBJECTIVE_WORDS = {"cost": "cheapest", "co2": "lowest CO2e",
                   "balanced": "best balance of cost, time and CO2e"}


def _plan_map_html(ctx: click.Context, result: Plan, consignments_csv: Path, objective: str,
                   warned: bool = False) -> str:
    """The plan's aggregated flows as one self-contained HTML page."""
    from datetime import UTC, datetime

    from maps import Unassigned, flows_from_departures, flows_map, map_html
    from routing.planner.output import unassigned_text
    from routing.report_text import scenario_names

    served = len(result.assignments)
    total = served + len(result.unassigned)
    title = f"Plan of {consignments_csv.name}: the {OBJECTIVE_WORDS[objective]} plan"
    subtitle = (f"{served:,} of {total:,} consignments served · EUR {result.total_cost_eur:,.0f} · "
                f"{result.total_co2e_kg / 1000:,.1f} t CO2e")
    if warned:  # the full line is in the notes (stderr, plan.json, the workbook)
        subtitle += " · ⚠ rests on estimates or on evidence older than 18 months (see the notes)"
    scenarios = scenario_names(result.request.network)
    if scenarios:
        subtitle += f" · scenarios: {scenarios}"
    m = flows_map(result.request.network, flows_from_departures(result.departures),
                  [Unassigned(u.consignment.id, unassigned_text(result, u)) for u in result.unassigned],
                  title=title, subtitle=subtitle, computed_at=datetime.now(UTC).astimezone())
    return map_html(m)


# Lines the solvers log (HiGHS, SCIP, CP-SAT) reach the progress callback too; they are shown only
# with --verbose. The planner's own progress lines start with a lower-case word or a number (or
# `LP `) and read as sentences; solver logs are indented, tabulated (`|`, runs of spaces),
# bracketed, start with `#` or a capitalised word, are `key: value` pairs, or use the solvers'
# own phrases (SCIP's lower-case ones among them).
_OWN_START = re.compile(r"^(?:[a-z0-9]|LP )")
_KEY_VALUE = re.compile(r"^[a-z_]+:\s*\S*\s*$")
_SOLVER_PHRASES = ("presolving", "presolved problem", "transformed problem", "original problem",
                   "feasible solution found", "solving was", "clique table", "(round", "restart",
                   "symmetry", "starting ", "parameters", "objective value", "primal", "dual")
_SOLVER_WORDS = ("feasible solution", "primal bound", "dual bound", "subsolver", "nonzeros")


def is_solver_log(line: str) -> bool:
    """Whether a progress line is a solver's log line rather than the planner's own message."""
    text = line.rstrip()
    if (not text or not _OWN_START.match(text) or "|" in text or "[" in text or "  " in text
            or _KEY_VALUE.match(text)):
        return True
    lower = text.lower()
    return lower.startswith(_SOLVER_PHRASES) or any(p in lower for p in _SOLVER_WORDS)


def _progress(started: float, verbose: bool) -> Callable[[str], None]:
    def progress(line: str) -> None:
        if not verbose and is_solver_log(line):
            return
        elapsed = time.monotonic() - started
        if elapsed >= 1.0 or verbose:  # short runs stay silent
            click.echo(f"[{elapsed:6.1f}s] {line}", err=True)

    return progress


def _local(instant: Any) -> str:
    return str(instant.strftime("%Y-%m-%d %H:%M %z"))


BOX_LEGEND = ("box: one letter per leg — C rides in a container bought for the plan (its share of "
              "the box is in EUR), - pays per kg (groupage/LCL)")


@click.command("plan")
@click.argument("consignments_csv", metavar="CONSIGNMENTS", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--sheet", default=None, help="xlsx input: the sheet to read (default: the first).")
@click.option("--delimiter", type=click.Choice(["auto", "comma", "semicolon", "tab"], case_sensitive=False),
              default="auto", show_default=True, help="CSV input: the field separator.")
@click.option("--decimal", type=click.Choice(["auto", "comma", "point"], case_sensitive=False),
              default="auto", show_default=True,
              help="Input: the decimal separator of numbers written as text (auto: from cells such "
                   "as 1,5 or 3.25; ambiguous ones like 1.500 are refused without it).")
@click.option("--encoding", type=click.Choice(["auto", "utf-8", "windows-1252", "latin-1"],
                                              case_sensitive=False),
              default="auto", show_default=True,
              help="CSV input: the encoding (auto: UTF-8 with or without BOM, else Windows-1252).")
@click.option("--objective", type=click.Choice(["cost", "co2", "balanced"], case_sensitive=False),
              default="cost",
              show_default=True, help="What to minimise once as many consignments as possible are served.")
@click.option("--time-limit", "time_limit", type=FiniteFloat(MIN_TIME_LIMIT_S, MAX_TIME_LIMIT_S, "s"),
              default=60.0, show_default=True,
              help="Seconds for the whole run; the best plan found is returned.")
@click.option("--solver", type=click.Choice(["highs", "scip", "greedy"], case_sensitive=False),
              default="highs", show_default=True,
              help="MIP solver (highs or scip, through MathOpt; LPs always HiGHS) or the greedy baseline.")
@click.option("--out", "out_dir", type=OutputPath(), default=Path("plan"), show_default=True,
              help="Directory for assignments.csv, departures.csv and plan.json (and plan.xlsx with "
                   "--format xlsx; created if its parent exists).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "xlsx"], case_sensitive=False),
              default="table", show_default=True,
              help="What to print on stdout (xlsx: the table, and plan.xlsx written to --out).")
@click.option("--csv-dialect", type=click.Choice(list(CSV_DIALECTS), case_sensitive=False),
              default="standard", show_default=True,
              help="assignments.csv and departures.csv: 'standard' or 'be' (';', decimal comma, BOM).")
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
@click.option("--on-time", "on_time", type=FiniteFloat(0, 1, "(a probability: 0.9 is 90 %)", low_open=True),
              default=None,
              help="Give each consignment with a due date only itineraries on time with at least "
                   "this probability (0.9 = 90 %), from the network's reliability.csv.")
@click.option("--map", "map_path", type=OutputPath(), default=None,
              help="Also write the plan as an HTML map: flows per service, utilisation, unassigned.")
@click.option("--quiet", is_flag=True, help="No progress on stderr.")
@click.option("--verbose", is_flag=True, help="Progress from the start, with the solvers' own log lines.")
@click.option("--scenario", "scenario_files", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="A what-if scenario (TOML, see scenarios/) applied to the network; repeat to apply "
                   "several, in order.")
@click.pass_context
def plan(ctx: click.Context, consignments_csv: Path, sheet: str | None, delimiter: str, decimal: str,
         encoding: str, objective: str, time_limit: float, solver: str, out_dir: Path, fmt: str,
         csv_dialect: str, horizon_days: float, alternatives: int, max_departures: int,
         eur_per_day: float | None, eur_per_tco2: float, map_path: Path | None, quiet: bool,
         verbose: bool, scenario_files: tuple[Path, ...] = (), on_time: float | None = None) -> None:
    """Plan every consignment of CONSIGNMENTS (CSV or xlsx) onto departures, with capacity and
    containers."""
    from cli import network_inputs, scenario_network
    from routing.evidence import plan_evidence_note
    from routing.planner import PlanRequest, plan_consignments
    from routing.planner.consignments import ReadReport, read_consignments
    from routing.planner.output import PLAN_FILES, XLSX_FILE, plan_document, plan_files
    from routing.report_text import scenario_names
    from routing.waits import plan_waits_note

    started = time.monotonic()
    fmt, objective, solver = fmt.lower(), objective.lower(), solver.lower()
    progress = _progress(started, verbose)

    def say(line: str) -> None:  # what the input turned out to be: said at once
        if not quiet:
            click.echo(f"[{time.monotonic() - started:6.1f}s] {line}", err=True)

    # Every output path is checked before any work, so a long solve never ends in a refusal.
    ctx.obj["scenario_files"] = list(scenario_files)  # inputs too: never written over
    inputs = [consignments_csv, *network_inputs(ctx)]
    names = (*PLAN_FILES, XLSX_FILE) if fmt == "xlsx" else PLAN_FILES
    outputs_in_dir = check_output_dir(out_dir, names, option="--out", inputs=inputs)
    if map_path is not None:
        if map_path.resolve() in {p.resolve() for p in outputs_in_dir}:
            raise InputError(f"--map: {str(map_path)!r} is also written by --out")
        if map_path.resolve() == out_dir.resolve():
            raise InputError(f"--map: {str(map_path)!r} is the --out directory")
        check_output_file(map_path, option="--map", inputs=inputs,
                          will_create_parent=map_path.resolve().parent == out_dir.resolve())

    report = ReadReport()
    network, consignments = read_consignments(consignments_csv, scenario_network(ctx, scenario_files),
                                              horizon_days, sheet=sheet, delimiter=delimiter.lower(),
                                              decimal=decimal.lower(), encoding=encoding.lower(),
                                              report=report)
    say(f"read {consignments_csv.name}: {report.description}; {len(consignments):,} consignments")
    notes = report.note_lines(limit=10**9)
    for line in report.note_lines():
        say(f"note: {line}")
    try:
        request = PlanRequest(network, consignments, Objective(objective), eur_per_tco2, eur_per_day,
                              horizon_days, alternatives, max_departures, solver, time_limit,
                              on_time=on_time)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    result = plan_consignments(request, None if quiet else progress, started=started)
    evidence = plan_evidence_note(network, [(a.consignment, [(leg.service_id, leg.depart) for leg in a.legs])
                                            for a in result.assignments])
    if evidence is not None:  # what the chosen itineraries rest on (issue 15)
        notes.append(f"evidence: {evidence}")
        say(f"note: evidence: {evidence}")
    waits = plan_waits_note(network, result.assignments)
    if waits is not None:
        notes.append(f"price wait: {waits}")
        say(f"note: price wait: {waits}")

    from routing.planner.ontime import PLAN_DRAWS, assignment_figures

    reliability = assignment_figures(result)
    query = [("consignments", f"{consignments_csv} ({report.description})"),
             ("objective", objective), ("solver", solver), ("time limit (s)", time_limit),
             ("horizon (days)", horizon_days), ("on time (probability asked)", on_time),
             ("reliability draws", PLAN_DRAWS), ("scenarios", scenario_names(network))]
    # All or nothing: every file is complete in a temporary before any is renamed into place.
    with OutputSet(protected=inputs) as outputs:
        outputs.make_dir(out_dir)
        files = plan_files(result, dialect=csv_dialect.lower(), xlsx=fmt == "xlsx", notes=notes,
                           query=query, on_time=reliability)
        for name, content in files.items():
            outputs.add(out_dir / name, content)
        if map_path is not None:
            outputs.add(map_path, _plan_map_html(ctx, result, consignments_csv, objective,
                                                 evidence is not None))
        outputs.commit()
    if fmt == "json":
        click.echo(to_json(plan_document(result, notes, reliability)))
        return
    click.echo(plan_table(result, objective, solver, out_dir, reliability))


def plan_table(result: Plan, objective: str, solver: str, out_dir: Path,
               reliability: Mapping[str, Figures] | None = None) -> str:
    """The plan as printed: one row per consignment, the legend of its columns, the totals
    (and each consignment's on-time probability, with `reliability`)."""
    from routing.planner.output import summary, unassigned_text

    reliability = reliability or {}

    head = summary(result)
    network = result.request.network

    def service(leg: Any) -> str:  # a synthesized world-city leg by its places, not its made-up id
        found = network.services.get(leg.service_id)
        if found is None or found.operator != ACCESS_OPERATOR:
            return str(leg.service_id)
        ends = [network.locations[x].name for x in (found.origin, found.destination)]
        return f"road {ends[0].split(',')[0]}→{ends[1].split(',')[0].split(' (')[0]}"

    rows = [[a.consignment.id, " > ".join(service(leg) for leg in a.legs), _local(a.legs[0].depart),
             "".join("C" if leg.in_container else "-" for leg in a.legs),
             f"{a.cost_eur:,.2f}", f"{a.co2e_kg:,.1f}", _local(a.arrive),
             {True: "yes", False: "NO", None: "-"}[a.meets_due],
             percent(reliability[a.consignment.id].on_time) if a.consignment.id in reliability
             and reliability[a.consignment.id].on_time is not None else "-"]
            for a in result.assignments]
    rows += [[u.consignment.id, f"UNASSIGNED ({u.reason})", "", "", "", "", "", "", ""]
             for u in result.unassigned]
    unit = "EUR " if objective == "cost" else ""
    no_bound = ("no lower bound (the greedy solver proves none)" if solver == "greedy" else
                "no lower bound proven yet (pricing finished no round within the time limit)")
    bound = (no_bound if head["best_bound"] is None else
             f"lower bound {unit}{head['best_bound']:,.2f} over every itinerary (gap {head['gap']:.4%})")
    lines = [table(rows, ["consignment", "services", "departs (local)", "box", "EUR", "kg CO2e",
                          "arrives (local)", "meets due", "on time"], align_right=(4, 5, 8)),
             "",
             BOX_LEGEND + "; EUR: the consignment's freight, handling and container share; times "
                          "in the local time of the first leg's origin and of the destination.",
             "",
             f"served {head['served']}/{head['served'] + head['unserved']} · EUR "
             f"{head['total_cost_eur']:,.2f} · {head['total_co2e_kg']:,.0f} kg CO2e · "
             f"{head['containers']} containers · {OBJECTIVE_WORDS[objective]} plan: objective "
             f"{unit}{head['objective_value']:,.2f}, {bound} · {solver} · {head['solve_s']:.1f} s",
             f"written to {out_dir}/"]
    lines += [f"unassigned {u.consignment.id}: {unassigned_text(result, u)}" for u in result.unassigned]
    if network.scenarios:
        lines.append("scenarios applied: " + ", ".join(f"{s.name} ({s.file})" for s in network.scenarios))
    return "\n".join(lines)

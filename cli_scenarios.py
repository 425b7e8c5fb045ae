"""The `scenarios` commands: check scenario files, and run one query under the base network and
under each scenario side by side (register with cli.add_command)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cli_types import FiniteFloat, OutputPath, repeated_file
from formats import OutputSet, table, to_csv, to_json
from network import columns as C
from network.errors import InputError
from network.model import Network
from routing.consignment import Consignment
from routing.limits import MAX_HORIZON_DAYS, MAX_TIME_LIMIT_S, MAX_VALUE_EUR, MIN_TIME_LIMIT_S
from routing.objectives import DEFAULT_EUR_PER_TCO2, Objective
from routing.report import Money, consignment_dict, itinerary_dict, money_for, scenarios_list
from routing.search import DEFAULT_HORIZON_DAYS

if TYPE_CHECKING:
    from routing.whatif import Outcome, PlanOutcome

SCHEMA = "silkroute.scenarios-compare/1"


@click.group("scenarios")
def scenarios() -> None:
    """What-if scenarios (TOML files, see scenarios/): check them, compare a query under each."""


@scenarios.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def validate(ctx: click.Context, files: tuple[Path, ...]) -> None:
    """Check scenario FILES against the network; list every problem as file: key path: message."""
    from cli import _emit, _network
    from network.scenarios import apply_scenario, load_scenarios, select

    base = _network(ctx)
    lines = []
    for scenario in load_scenarios(files, base):
        changed = apply_scenario(base, scenario)
        touched = sorted({sid for ch in scenario.changes if ch.action != "add_surcharge"
                          for sid in select(base, ch.selector)})
        variants = len(changed.services) - len(base.services)
        added = len(changed.surcharges) - len(base.surcharges)
        lines.append(f"{scenario.file}: valid — {scenario.name!r}: "
                     f"{_count(len(scenario.changes), 'change')}, "
                     f"{_count(len(touched), 'service')} changed"
                     + (f", {_count(variants, 'dated variant')}" if variants else "")
                     + (f", {_count(added, 'surcharge')} added" if added > 0 else ""))
    _emit("\n".join(lines))


def _count(n: int, noun: str) -> str:
    """`1 change`, `3 changes`."""
    return f"{n:,} {noun}{'s' * (n != 1)}"


def _groups(values: tuple[str, ...]) -> list[list[Path]]:
    """`--scenario a.toml --scenario b.toml,c.toml` -> [[a], [b, c]]: one column each."""
    groups = []
    for value in values:
        parts = [p.strip() for p in value.split(",")]
        if not all(parts):
            raise click.BadParameter(f"{value!r} names an empty file", param_hint="'--scenario'")
        paths = [Path(p) for p in parts]
        again = repeated_file(paths)
        if again is not None:  # its changes would apply twice in the column
            raise click.BadParameter(f"{value!r} names {parts[again]!r} twice: a scenario applies once "
                                     "per column (write a change twice in one file to apply it "
                                     "twice)", param_hint="'--scenario'")
        groups.append(paths)
    return groups


@scenarios.command("compare")
@click.argument("origin", required=False)
@click.argument("destination", required=False)
@click.option("--scenario", "scenario_groups", multiple=True, required=True, metavar="FILE[,FILE...]",
              help="A scenario column (repeat for more columns; files joined by commas are applied "
                   "together, in order).")
@click.option("--consignments", "consignments_csv", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Plan this consignments CSV under each column instead of one "
                                 "consignment (the planner, within --time-limit per column).")
@click.option("--weight", default=None, help="Actual weight: 800kg, 1.2t or 800 (kg).")
@click.option("--volume", default=None, help="Volume: 3.5m3, 3.5 m³ or 350l.")
@click.option("--ready", default=None, help="When cargo can leave (origin local time unless an "
                                            "offset is given). Default: tomorrow 09:00.")
@click.option("--due", default=None, help="Latest arrival (destination local time).")
@click.option("--goods", default="general", show_default=True,
              help="Goods class: " + ", ".join(C.GOODS_CLASSES) + ".")
@click.option("--value", "value_eur", type=FiniteFloat(0, MAX_VALUE_EUR, "EUR"), default=None,
              help="Value of the goods in EUR.")
@click.option("--objective", type=click.Choice([o.value for o in Objective], case_sensitive=False),
              default="cost", show_default=True, help="What 'best' means.")
@click.option("--horizon-days", type=FiniteFloat(0, MAX_HORIZON_DAYS, "days", low_open=True),
              default=DEFAULT_HORIZON_DAYS, show_default=True,
              help="Only departures up to this many days after ready.")
@click.option("--time-limit", type=FiniteFloat(MIN_TIME_LIMIT_S, MAX_TIME_LIMIT_S, "s"), default=5.0,
              show_default=True, help="Seconds per column for --consignments.")
@click.option("--solver", type=click.Choice(["highs", "scip", "greedy"], case_sensitive=False),
              default="highs", show_default=True, help="Planner solver for --consignments.")
@click.option("--currency", type=click.Choice(["EUR", "USD", "CNY"], case_sensitive=False), default="EUR",
              show_default=True, help="Currency of the amounts shown (the ready date's rate).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"], case_sensitive=False),
              default="table", show_default=True, help="Output format.")
@click.option("--map", "map_path", type=OutputPath(), default=None,
              help="Also write a map: each column's best itinerary per mode, closed services greyed.")
@click.pass_context
def compare_scenarios(ctx: click.Context, /, origin: str | None, destination: str | None,
                      scenario_groups: tuple[str, ...], consignments_csv: Path | None, **kw: Any) -> None:
    """The same query (ORIGIN DESTINATION --weight --volume, or --consignments CSV) under the base
    network and under each --scenario, side by side, with the change against the base."""
    from cli import _check_outputs, _network, network_inputs
    from routing.whatif import columns, run_consignment, run_plan

    groups = _groups(scenario_groups)
    files = [f for g in groups for f in g]
    single = origin is not None or destination is not None
    if consignments_csv is not None and single:
        raise click.UsageError("give ORIGIN DESTINATION or --consignments, not both")
    if consignments_csv is None and (origin is None or destination is None):
        raise click.UsageError("give ORIGIN and DESTINATION (with --weight), or --consignments")
    if single and kw["weight"] is None:
        # Without --volume the goods class's default density gives it, as on `route`.
        raise click.UsageError("--weight is required for one consignment")
    per_consignment = [f"--{name.removesuffix('_eur')}"
                       for name in ("weight", "volume", "ready", "due", "value_eur") if kw[name] is not None]
    if consignments_csv is not None and per_consignment:
        raise click.UsageError(f"{', '.join(per_consignment)} describe one consignment; --consignments "
                               "gives each its own (in the file)")
    if consignments_csv is not None and kw["map_path"] is not None:
        raise click.UsageError("--map draws one consignment's itineraries: not with --consignments")
    if consignments_csv is not None and kw["objective"] == Objective.TIME.value:
        raise click.UsageError("plans minimise cost, co2 or balanced: --objective time is for one "
                               "consignment")
    _check_outputs(ctx, {"map_path": kw["map_path"], "out_path": None, "scenario_files": files})
    cols = columns(_network(ctx), groups)
    if consignments_csv is not None:
        plans = run_plan(cols, consignments_csv, objective=Objective(kw["objective"]),
                         horizon_days=kw["horizon_days"], time_limit_s=kw["time_limit"],
                         solver=kw["solver"])
        _emit_plans(plans, kw["fmt"], consignments_csv)
        return
    from cli import _request

    request = {**kw, "origin": origin, "destination": destination, "eur_per_day": None,
               "eur_per_tco2": DEFAULT_EUR_PER_TCO2, "scenario_files": ()}
    def build(net: Network) -> tuple[Network, Consignment]:
        net, consignment, _ = _request(ctx, request, [], net)
        return net, consignment

    probe_net, probe, options = _request(ctx, request, [], cols[0].network)
    outcomes = run_consignment(cols, build, options)
    if all(o.best is None for o in outcomes):  # valid, but served in no column: exit 1, as `compare`
        from routing.query import NoItineraryError, explain_no_itinerary

        raise NoItineraryError(f"no column serves it; on the base network, "
                               f"{explain_no_itinerary(probe_net, probe, options)}")
    money = money_for(probe_net, probe, kw["currency"])
    if kw["map_path"] is not None:
        _write_map(ctx, outcomes, kw["map_path"], network_inputs(ctx), money)
    _emit_outcomes(outcomes, kw["fmt"], money)


def _mode_rows(outcomes: list[Outcome], money: Money) -> list[dict[str, Any]]:
    from routing.whatif import change

    base = outcomes[0]
    modes = [m for m in ("air", "rail", "sea", "road") if any(m in o.by_mode for o in outcomes)]
    rows = []
    for o in outcomes:
        for mode in [*modes, "best"]:
            it = o.best if mode == "best" else o.by_mode.get(mode)
            was = base.best if mode == "best" else base.by_mode.get(mode)
            delta = change(was, it) if o is not base else {
                "served": it is not None, "was_served": it is not None, "cost_eur": None,
                "transit_h": None, "co2e_kg": None}
            rows.append({
                "scenario": o.column.label, "mode": mode if mode != "best" else f"best ({it.main_mode})"
                if it else "best", "served": it is not None,
                "cost": round(money.of(it.cost_eur), 2) if it else None,
                "cost_eur": round(it.cost_eur, 2) if it else None,
                "arrive": it.arrive.isoformat() if it else None,
                "transit_days": round(it.transit_h / 24, 1) if it else None,
                "co2e_kg": round(it.co2e_kg, 1) if it else None,
                "meets_due": it.meets_due if it else None,
                "services": " > ".join(it.signature) if it else "",
                "change_cost": None if delta["cost_eur"] is None else round(money.of(delta["cost_eur"]), 2),
                "change_days": None if delta["transit_h"] is None else round(delta["transit_h"] / 24, 1),
                "change_co2e_kg": delta["co2e_kg"],
                "change_served": "lost" if delta["was_served"] and not delta["served"]
                else "gained" if delta["served"] and not delta["was_served"] else "",
            })
    return rows


CSV_FIELDS = ["scenario", "mode", "served", "cost", "cost_eur", "arrive", "transit_days", "co2e_kg",
              "meets_due", "services", "change_cost", "change_days", "change_co2e_kg", "change_served"]


def _signed(value: float | None, fmt: str) -> str:
    return "" if value is None else format(value, "+" + fmt)


def _emit_outcomes(outcomes: list[Outcome], fmt: str, money: Money) -> None:
    from cli import _emit, _local
    from routing.whatif import change

    rows = _mode_rows(outcomes, money)
    if fmt == "csv":
        click.echo(to_csv(rows, CSV_FIELDS), nl=False)
        return
    base = outcomes[0]
    if fmt == "json":
        doc = {
            "schema": SCHEMA,
            "consignment": consignment_dict(base.network, base.consignment),
            "currency": money.as_dict(),
            "columns": [{
                "label": o.column.label,
                "files": [str(f) for f in o.column.files],
                "scenarios": scenarios_list(o.network),
                "closed_services": o.column.closed,
                "by_mode": {m: itinerary_dict(o.network, it, None, money) for m, it in o.by_mode.items()},
                "best": itinerary_dict(o.network, o.best, None, money) if o.best else None,
                "change": {m: change(base.by_mode.get(m), o.by_mode.get(m))
                           for m in sorted(set(base.by_mode) | set(o.by_mode))}
                | {"best": change(base.best, o.best)},
            } for o in outcomes],
        }
        _emit(to_json(doc))
        return
    c = base.consignment
    head = (f"{base.network.locations[c.origin].name} → {base.network.locations[c.destination].name} · "
            f"{c.weight_kg:,.0f} kg · {c.volume_m3:g} m³ · {c.goods} · ready {_local(c.ready)}"
            + (f" · due {_local(c.due)}" if c.due else ""))
    body = table(
        [[r["scenario"] if i == 0 or rows[i - 1]["scenario"] != r["scenario"] else "", r["mode"],
          "—" if r["cost"] is None else f"{r['cost']:,.0f}", _signed(r["change_cost"], ",.0f"),
          "" if r["arrive"] is None else _local(datetime.fromisoformat(r["arrive"])),
          "" if r["transit_days"] is None else f"{r['transit_days']:.1f}", _signed(r["change_days"], ".1f"),
          "" if r["co2e_kg"] is None else f"{r['co2e_kg']:,.0f}",
          ({True: "yes", False: "NO", None: ""}[r["meets_due"]] if r["served"]
           else r["change_served"] or "none"),
          r["services"]]
         for i, r in enumerate(rows)],
        ["scenario", "mode", money.code, f"Δ {money.code}", "arrives (local)", "days", "Δ days", "kg CO2e",
         "meets due", "services"], align_right=(2, 3, 5, 6, 7))
    notes = []
    for o in outcomes[1:]:
        closed = o.column.closed
        if closed:
            notes.append(f"{o.column.label}: closes {', '.join(closed[:6])}"
                         + (f" and {len(closed) - 6} more" if len(closed) > 6 else "") + " for some time.")
    if money.note():
        notes.append(money.note())
    _emit("\n\n".join([head, body, *(["\n".join(notes)] if notes else [])]))


def _write_map(ctx: click.Context, outcomes: list[Outcome], map_path: Path, inputs: list[Path],
               money: Money) -> None:
    from maps import itineraries_map, map_html
    from routing.whatif import union_network

    its, labels = [], []
    for o in outcomes:
        for mode, it in o.by_mode.items():
            its.append(it)
            labels.append(f"{o.column.label} · {mode}")
    if not its:
        raise InputError("--map: no column has an itinerary to draw")
    net = union_network([o.network for o in outcomes])
    c = outcomes[0].consignment
    title = (f"scenarios compare: {net.locations[c.origin].name} → {net.locations[c.destination].name}, "
             f"{c.weight_kg:,.0f} kg, {c.volume_m3:g} m³, ready {c.ready.strftime('%Y-%m-%d %H:%M %z')}")
    # Shown first and starred: the base column's best (the first column with one).
    best = next((its.index(o.best) for o in outcomes if o.best is not None and o.best in its), 0)
    closed = [(o.network, o.column.closed, f"Closed under {o.column.label}")
              for o in outcomes[1:] if o.column.closed]
    m = itineraries_map(net, its, labels=labels, title=title, computed_at=datetime.now(UTC).astimezone(),
                        best_index=best, closed=closed, money=money)
    with OutputSet(protected=inputs) as outputs:
        outputs.add(map_path, map_html(m))
        outputs.commit()


def _emit_plans(outcomes: list[PlanOutcome], fmt: str, csv_path: Path) -> None:
    from cli import _emit

    base = outcomes[0].summary
    rows = []
    for o in outcomes:
        s = o.summary
        rows.append({
            "scenario": o.column.label, "served": s["served"], "unserved": s["unserved"],
            "total_cost_eur": s["total_cost_eur"], "total_co2e_kg": s["total_co2e_kg"],
            "served_by_mode": o.served_by_mode, "termination": s["termination"], "gap": s["gap"],
            "change_served": s["served"] - base["served"],
            "change_cost_eur": round(s["total_cost_eur"] - base["total_cost_eur"], 2),
            "change_co2e_kg": round(s["total_co2e_kg"] - base["total_co2e_kg"], 3),
            "closed_services": o.column.closed,
        })
    if fmt == "json":
        _emit(to_json({"schema": SCHEMA, "consignments": str(csv_path), "columns": rows}))
        return
    if fmt == "csv":
        flat = [{**r, "served_by_mode": " ".join(f"{k}:{v}" for k, v in r["served_by_mode"].items()),
                 "closed_services": " ".join(r["closed_services"])} for r in rows]
        click.echo(to_csv(flat, list(flat[0])), nl=False)
        return
    _emit(table([[r["scenario"], f"{r['served']}/{r['served'] + r['unserved']}",
                  f"{r['change_served']:+d}", f"{r['total_cost_eur']:,.0f}", f"{r['change_cost_eur']:+,.0f}",
                  f"{r['total_co2e_kg']:,.0f}", f"{r['change_co2e_kg']:+,.0f}",
                  " ".join(f"{k} {v}" for k, v in r["served_by_mode"].items()), r["termination"]]
                 for r in rows],
                ["scenario", "served", "Δ served", "EUR", "Δ EUR", "kg CO2e", "Δ kg CO2e", "by main mode",
                 "solver"], align_right=(1, 2, 3, 4, 5, 6)))


"""Command-line front end: parse, load, call a typed function, format. Nothing else.

Exit codes: 0 success; 1 a valid request that cannot be served; 2 bad input or usage;
70 an internal error (a bug: one line, never a traceback); 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import click

from cli_types import FiniteFloat, InputDirectory, InterruptedWith, OutputPath, repeated_file
from formats import (
    CSV_DIALECTS,
    OutputSet,
    Sheet,
    check_output_file,
    local_naive,
    table,
    to_csv,
    to_json,
    to_xlsx,
)
from network import columns as C
from network.errors import (
    FieldError,
    FileFormatError,
    InputError,
    InvalidFieldsError,
    RoutingError,
    UnservableError,
    UnservableRowsError,
)
from network.loader import DEFAULT_NETWORK_DIR, load_network
from network.model import Location, Network, Service
from network.quantities import parse_volume_m3, parse_weight_kg
from network.timetable import departures, from_seconds, to_seconds
from network.world import ACCESS_OPERATOR
from routing.compare import (
    MODE_ORDER,
    Comparison,
    ModeGap,
    break_even_notes,
    compare,
    compared_modes,
)
from routing.consignment import Consignment
from routing.evidence import evidence_note, itinerary_evidence
from routing.itinerary import Itinerary
from routing.limits import (
    MAX_EUR_PER_DAY,
    MAX_EUR_PER_TCO2,
    MAX_HORIZON_DAYS,
    MAX_VALUE_EUR,
)
from routing.objectives import (
    ANNUAL_CARRYING_RATE,
    DEFAULT_EUR_PER_TCO2,
    Objective,
    Weights,
    default_eur_per_day,
)
from routing.ontime import (
    Found,
    OnTimeGoal,
    compare_reliability,
    figures_text,
    no_on_time_message,
    search_on_time,
)
from routing.query import (
    NoItineraryError,
    build_consignment,
    check_window,
    explain_no_itinerary,
    parse_when,
)
from routing.reliability import (
    DEFAULT_DRAWS,
    MAX_DRAWS,
    MIN_DRAWS,
    Figures,
    Simulator,
    itinerary_figures,
    percent,
)
from routing.report import Money, itineraries_document, itinerary_dict, money_for, scenarios_list
from routing.report_text import (
    SERVICE_SCENARIO_COLUMNS,
    money_lines,
    open_periods,
    scenario_line,
    scenario_names,
    service_extras,
)
from routing.search import (
    DEFAULT_HORIZON_DAYS,
    SearchOptions,
    SearchResult,
    best_itineraries,
    pareto_itineraries,
)
from routing.waits import price_waits

__version__ = "0.1.0"

EXAMPLES = """
\b
Examples:
  python cli.py compare Namur Zhengzhou --weight 800kg --volume 3.5m3
  python cli.py route Liège Hangzhou --weight 1.2t --volume 6m3 --objective time
  python cli.py route Herstal Suzhou --weight 300kg --volume 1.5m3 --due 2026-12-20
  python cli.py pareto Charleroi Chengdu --weight 2t --volume 8m3 --format json
  python cli.py network show
  python cli.py network validate network/data
  python cli.py network departures RAIL-ZIH-LGG-ZZ --from 2026-12-01 --days 14
"""


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def one_line(message: object) -> str:
    """`message` as one line: control characters (a newline in a file name) escaped as Python
    writes them, so that every problem stays one line on stderr."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], str(message))


class _Cli(click.Group):
    """Turns the project's errors into one line on stderr and the documented exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FileFormatError as exc:
            for problem in exc.problems:
                click.echo(f"error: {one_line(problem)}", err=True)
            ctx.exit(2)
        except InputError as exc:
            click.echo(f"error: {one_line(exc)}", err=True)
            ctx.exit(2)
        except UnservableRowsError as exc:
            for problem in exc.problems:
                click.echo(f"cannot serve: {one_line(problem)}", err=True)
            ctx.exit(1)
        except UnservableError as exc:
            click.echo(f"cannot serve: {one_line(exc)}", err=True)
            ctx.exit(1)
        except RoutingError as exc:  # pragma: no cover - every error has a branch above
            click.echo(f"error: {one_line(exc)}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt as exc:
            # Here, not in `run`: click's `main` would first write an empty line to stderr.
            detail = exc.detail if isinstance(exc, InterruptedWith) else ""
            click.echo(one_line(f"interrupted: {detail}") if detail else "interrupted", err=True)
            ctx.exit(EX_INTERRUPTED)
        except BrokenPipeError:
            # The reader of stdout went away (`| head`): stop quietly, as a SIGPIPE would.
            _silence_stdout()
            ctx.exit(EX_BROKEN_PIPE)
        except OSError as exc:
            click.echo(one_line(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")), err=True)
            ctx.exit(2)


EX_SOFTWARE, EX_INTERRUPTED, EX_BROKEN_PIPE = 70, 130, 141


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's last flush cannot fail again."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a real file (a test runner's buffer): nothing will be flushed to a pipe
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


def _network(ctx: click.Context) -> Network:
    """The network named by --network (loaded once per invocation)."""
    obj = ctx.ensure_object(dict)
    if "network" not in obj:
        obj["network"] = load_network(obj.get("network_dir"))
    network: Network = obj["network"]
    return network


def network_inputs(ctx: click.Context) -> list[Path]:
    """The network's CSV files and the scenario files: inputs of this run that no output may
    overwrite."""
    return [*sorted(Path(ctx.obj.get("network_dir") or DEFAULT_NETWORK_DIR).glob("*.csv")),
            *ctx.obj.get("scenario_files", ())]


def scenario_network(ctx: click.Context, files: Sequence[Path]) -> Network:
    """The network with the what-if scenarios of `files` applied in order (every file checked
    before any is applied; problems of all of them at once, exit 2)."""
    obj = ctx.ensure_object(dict)
    obj["scenario_files"] = list(files)
    again = repeated_file(files)
    if again is not None:  # its changes would apply twice (CNY twice: road times x4)
        raise InputError(f"--scenario {str(files[again])!r} is given twice: a scenario applies once "
                         "(write a change twice in one file to apply it twice)")
    net = _network(ctx)
    if not files:
        return net
    from network.scenarios import apply_scenarios, load_scenarios  # only when asked for

    return apply_scenarios(net, load_scenarios(files, net))


# `--scenario FILE` (repeatable) on route, compare, pareto, plan, network show and departures.
SCENARIO_OPTION = click.option(
    "--scenario", "scenario_files", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
    help="A what-if scenario (TOML, see scenarios/) applied to the network; repeat to apply "
         "several, in order.")
CURRENCIES = ("EUR", "USD", "CNY")
CURRENCY_OPTION = click.option(
    "--currency", type=click.Choice(CURRENCIES, case_sensitive=False), default="EUR", show_default=True,
    help="Currency of the amounts shown, at the rate of the ready date (fx.csv); JSON and CSV "
         "keep the *_eur fields in euros and add the converted ones.")


def _emit(text: str) -> None:
    click.echo(text)


@click.group(cls=_Cli, epilog=EXAMPLES, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="silkroute")
@click.option("--network", "network_dir", type=InputDirectory(),
              default=None, help="Network directory of CSV files (default: the embedded one).")
@click.pass_context
def cli(ctx: click.Context, network_dir: Path | None) -> None:
    """Multimodal Belgium–China shipment routing: rail via Liège, air via LGG, sea via Antwerp."""
    ctx.ensure_object(dict)["network_dir"] = network_dir


@cli.group()
def network() -> None:
    """Inspect and validate a network."""


_FORMAT = click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"], case_sensitive=False),
                       default="table", show_default=True, help="Output format.")


def _location_record(network: Network) -> list[dict[str, Any]]:
    return [
        {C.ID: x.id, C.NAME: x.name, C.KIND: x.kind, C.COUNTRY: x.country, C.LAT: x.lat,
         C.LON: x.lon, C.TZ: x.tz, C.HANDLING_H: x.handling_h, C.HANDLING_EUR: x.handling_eur,
         C.HANDLING_EUR_PER_KG: x.handling_eur_per_kg, C.SOURCE: x.source, C.AS_OF: x.as_of,
         C.HUB_CO2E_KG_PER_T: x.hub_co2e_kg_per_t, C.HUB_CO2E_TTW_KG_PER_T: x.hub_co2e_ttw_kg_per_t,
         C.HUB_CO2E_WTT_KG_PER_T: x.hub_co2e_wtt_kg_per_t}
        for x in sorted(network.locations.values(), key=lambda x: x.id)
    ]


def _days_text(service: Service) -> str:
    if not service.days:
        return ""
    if len(service.days) == 7:
        return C.DAILY
    return " ".join(C.WEEKDAYS[d] for d in sorted(service.days))


def _service_record(network: Network) -> list[dict[str, Any]]:
    rows = []
    for sid in sorted(network.services):
        s = network.services[sid]
        rows.append({
            C.ID: s.id, C.FROM: s.origin, C.TO: s.destination, C.MODE: s.mode,
            C.OPERATOR: s.operator, C.DISTANCE_KM: s.distance_km, C.DURATION_H: s.duration_h,
            C.DAYS: _days_text(s),
            C.DEPARTURE: s.departure.strftime("%H:%M") if s.departure else "",
            C.CUTOFF_H: s.cutoff_h, C.CAPACITY_KG: s.capacity_kg, C.CAPACITY_M3: s.capacity_m3,
            C.KG_PER_M3: s.kg_per_m3, C.EUR_FIXED: s.eur_fixed, C.EUR_PER_KG: s.eur_per_kg,
            C.EUR_PER_TKM: s.eur_per_tkm, C.EUR_MIN: s.eur_min,
            C.CONTAINER_EUR: s.container.eur if s.container else None,
            C.CONTAINER_M3: s.container.m3 if s.container else None,
            C.CONTAINER_KG: s.container.kg if s.container else None,
            C.CO2E_G_PER_TKM: s.co2e_g_per_tkm, C.GOODS: " ".join(sorted(s.goods)),
            C.SOURCE: s.source, C.AS_OF: s.as_of,
            C.CO2E_TTW_G_PER_TKM: s.co2e_ttw_g_per_tkm, C.CO2E_WTT_G_PER_TKM: s.co2e_wtt_g_per_tkm,
            C.CO2E_DISTANCE_ADD_KM: s.co2e_distance_add_km,
            **service_extras(network, s),
        })
    return rows


@network.command("show")
@_FORMAT
@click.option("--csv-dialect", type=click.Choice(["standard", "be"], case_sensitive=False),
              default="standard", show_default=True,
              help="CSV: 'standard' or 'be' (';', decimal comma, BOM).")
@click.option("--what", type=click.Choice(["all", "locations", "services"], case_sensitive=False),
              default="all",
              show_default=True, help="Which table to show (CSV needs one table).")
@SCENARIO_OPTION
@click.pass_context
def network_show(ctx: click.Context, fmt: str, what: str, csv_dialect: str,
                 scenario_files: tuple[Path, ...]) -> None:
    """Show the locations and services of the network."""
    net = scenario_network(ctx, scenario_files)
    fmt, what = fmt.lower(), what.lower()
    locations, services = _location_record(net), _service_record(net)
    if fmt == "json":
        payload: dict[str, Any] = {"network": net.name, "as_of": list(net.as_of_range()),
                                   "scenarios": scenarios_list(net)}
        if what in ("all", "locations"):
            payload["locations"] = locations
        if what in ("all", "services"):
            payload["services"] = services
        _emit(to_json(payload))
        return
    if fmt == "csv":
        if what == "all":
            raise click.UsageError("CSV holds one table: add --what locations or --what services")
        names = scenario_names(net)
        records = [r | {"scenarios": names} for r in (locations if what == "locations" else services)]
        fields = ((*C.LOCATION_COLUMNS, *C.LOCATION_OPTIONAL_COLUMNS) if what == "locations"
                  else (*C.SERVICE_COLUMNS, *C.SERVICE_OPTIONAL_COLUMNS, *SERVICE_SCENARIO_COLUMNS))
        click.echo(to_csv(records, (*fields, "scenarios"), csv_dialect.lower()), nl=False)
        return
    parts = []
    if what in ("all", "locations"):
        parts.append(f"Locations ({len(locations)})\n" + table(
            [[r[C.ID], r[C.NAME], r[C.KIND], r[C.COUNTRY], r[C.TZ], f"{r[C.HANDLING_H]:g}",
              f"{r[C.HANDLING_EUR]:g}", f"{r[C.HUB_CO2E_KG_PER_T]:g}"] for r in locations],
            ["id", "name", "kind", "country", "tz", "handling h", "handling EUR", "hub kg CO2e/t"],
            align_right=(5, 6, 7)))
    if what in ("all", "services"):
        parts.append(f"Services ({len(services)})\n" + table(
            [[r[C.ID], r[C.FROM], r[C.TO], r[C.MODE], f"{r[C.DISTANCE_KM]:,.0f}",
              f"{r[C.DURATION_H]:g}", r[C.DAYS] or "on demand", r[C.DEPARTURE],
              "" if r[C.CAPACITY_KG] is None else f"{r[C.CAPACITY_KG]:,.0f}"] for r in services],
            ["id", "from", "to", "mode", "km", "hours", "days", "dep", "capacity kg"],
            align_right=(4, 5, 8)))
    start, end = net.as_of_range()
    parts.append(f"Data as of {start} to {end}." + scenario_line(net))
    _emit("\n\n".join(parts))


@network.command("validate")
@click.argument("directory", type=click.Path(path_type=Path))
def network_validate(directory: Path) -> None:
    """Check a network directory; list every problem as file:line:column."""
    net = load_network(directory)
    modes: dict[str, int] = {}
    for service in net.services.values():
        modes[service.mode] = modes.get(service.mode, 0) + 1
    by_mode = ", ".join(f"{n} {m}" for m, n in sorted(modes.items()))
    _emit(f"{directory}: valid — {len(net.locations)} locations, {len(net.services)} services "
          f"({by_mode}), {len(net.shapes)} shapes, {len(net.access)} access rules"
          + (f", {len(net.reliability.rules)} reliability rows" if net.reliability else ""))


def _service(net: Network, service_id: str) -> Service:
    """The service `service_id`, in any case (`rail-zih-lgg-zz`), with suggestions on a miss."""
    service = net.services.get(service_id)
    if service is None:
        by_folded = {sid.casefold(): sid for sid in net.services}
        exact = by_folded.get(service_id.strip().casefold())
        if exact is not None:
            return net.services[exact]
        import difflib

        close = difflib.get_close_matches(service_id.strip().casefold(), list(by_folded), n=3,
                                          cutoff=0.6)
        hint = f"; did you mean {', '.join(by_folded[c] for c in close)}?" if close else ""
        raise InputError(f"unknown service {service_id!r}{hint} (`network show --what services` "
                         "lists them)")
    return service


@network.command("departures")
@click.argument("service_id", metavar="SERVICE")
@click.option("--from", "start_text", required=True,
              help="First day (ISO date or date-time; local time of the service's origin).")
@click.option("--days", type=click.IntRange(1, 366), default=14, show_default=True,
              help="How many days to list.")
@_FORMAT
@click.option("--csv-dialect", type=click.Choice(["standard", "be"], case_sensitive=False),
              default="standard", show_default=True,
              help="CSV: 'standard' or 'be' (';', decimal comma, BOM).")
@SCENARIO_OPTION
@click.pass_context
def network_departures(ctx: click.Context, service_id: str, start_text: str, days: int,
                       fmt: str, csv_dialect: str, scenario_files: tuple[Path, ...]) -> None:
    """List the departures of SERVICE (any case; its calendar and scenarios applied), in local
    time at both ends; for an on-demand service, the periods in which it may leave."""
    net = scenario_network(ctx, scenario_files)
    fmt = fmt.lower()
    service = _service(net, service_id)
    names = scenario_names(net)
    start = parse_when(start_text, service.origin_tz, "--from")
    assert start is not None
    check_window(start, days, "--from", "--days")
    if not service.is_timetabled:
        start_s = start.timestamp()
        periods = open_periods(service, start_s, start_s + days * 86400.0)
        rows_open = [{"service": service.id, "from": a, "to": b, "scenarios": names} for a, b in periods]
        _render_rows(rows_open, fmt, csv_dialect.lower(), ["service", "from", "to", "scenarios"],
                     lambda r: [r["from"].replace("T", " "), r["to"].replace("T", " ")],
                     [f"may leave {service.origin} from", "until (local)"],
                     empty=f"{service.id} departs on demand and may not leave in this period",
                     note=scenario_line(net).strip())
        return
    rows = []
    for dep in departures(service, start, start + timedelta(days=days)):
        # In absolute time (an aware datetime plus a timedelta is wall-clock arithmetic in its
        # own zone: an hour off across a change of summer time, as the engine is not).
        dep_s = to_seconds(dep)
        arr = from_seconds(dep_s + service.duration_h * 3600.0, net.locations[service.destination].tz)
        cutoff = from_seconds(dep_s - service.cutoff_h * 3600.0, service.origin_tz)
        rows.append({"service": service.id, "cutoff": cutoff.isoformat(),
                     "departure": dep.isoformat(), "arrival": arr.isoformat(), "scenarios": names})
    _render_rows(rows, fmt, csv_dialect.lower(), ["service", "cutoff", "departure", "arrival", "scenarios"],
                 lambda r: [r["cutoff"][:16].replace("T", " "), r["departure"].replace("T", " "),
                            r["arrival"].replace("T", " ")],
                 ["cut-off (local)", f"departs {service.origin}", f"arrives {service.destination}"],
                 note=scenario_line(net).strip())
    variants = sorted(sid for sid, s in net.services.items() if s.variant_of == service.id)
    if variants and fmt == "table":  # a scenario's dated change runs some departures as these
        _emit(f"(in scenario windows it runs as {', '.join(variants)}: list them with "
              "network departures)")


def _render_rows(rows: list[dict[str, Any]], fmt: str, dialect: str, fields: list[str],
                 table_row: Callable[[dict[str, Any]], list[Any]], header: list[str],
                 empty: str = "no departures", note: str = "") -> None:
    """Rows as JSON, CSV or a table (`note`, if any, on the line above the table)."""
    if fmt == "json":
        _emit(to_json(rows))
    elif fmt == "csv":
        click.echo(to_csv(rows, fields, dialect), nl=False)
    else:
        body = table([table_row(r) for r in rows], header) if rows else empty
        _emit(f"{note}\n{body}" if note else body)


# --- route, compare, pareto ----------------------------------------------------------------------

# Bounded number types shared with `plan` (cli_plan.py): one definition of each option's range.
EUR_PER_DAY = FiniteFloat(0, MAX_EUR_PER_DAY, "EUR/day")
EUR_PER_TCO2 = FiniteFloat(0, MAX_EUR_PER_TCO2, "EUR/t")
HORIZON_DAYS = FiniteFloat(0, MAX_HORIZON_DAYS, "days", low_open=True)
ON_TIME = FiniteFloat(0, 1, "(a probability: 0.9 is 90 %)", low_open=True)

# How the fields of a consignment are called on the command line (for error messages).
LABELS = {"origin": "ORIGIN", "destination": "DESTINATION", "weight_kg": "--weight",
          "volume_m3": "--volume", "ready": "--ready", "due": "--due", "goods": "--goods",
          "value_eur": "--value"}

RESULT_FORMATS = ("table", "json", "csv", "xlsx")
_SUFFIX_FORMATS = {".json": "json", ".csv": "csv", ".xlsx": "xlsx", ".txt": "table"}

CSV_DIALECT = click.option(
    "--csv-dialect", type=click.Choice(list(CSV_DIALECTS), case_sensitive=False), default="standard",
    show_default=True, help="CSV outputs: 'standard' (',' and decimal point, UTF-8) or 'be' (';', "
                            "decimal comma, UTF-8 with BOM: what fr-BE and nl-BE Excel open right).")


def _consignment_options(func: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.argument("origin"),
        click.argument("destination"),
        click.option("--weight", "weight", required=True,
                     help="Actual weight: 800kg, 1.2t, 1,2 t or 800 (kg)."),
        click.option("--volume", "volume", default=None,
                     help="Volume: 3.5m3, 3,5 m³ or 350l. Default: from the weight at the goods "
                          "class's default density (stated in the output)."),
        click.option("--ready", default=None,
                     help="When cargo can leave (ISO date-time, origin local time unless an "
                          "offset is given; a date alone means 09:00). Default: tomorrow 09:00 at "
                          "the origin."),
        click.option("--due", default=None,
                     help="Latest arrival (ISO date-time, destination local time; a date alone "
                          "means the end of that day)."),
        click.option("--goods", default="general", show_default=True,
                     help="Goods class (any case): " + ", ".join(C.GOODS_CLASSES) + "."),
        click.option("--value", "value_eur", type=FiniteFloat(0, MAX_VALUE_EUR, "EUR"),
                     default=None, help="Value of the goods in EUR (sets the default --eur-per-day)."),
        click.option("--objective", type=click.Choice([o.value for o in Objective],
                                                      case_sensitive=False),
                     default="cost", show_default=True, help="What to minimise."),
        click.option("--eur-per-day", type=EUR_PER_DAY, default=None,
                     help="Price of a day in transit for 'balanced' (default: value × "
                          f"{ANNUAL_CARRYING_RATE:.0%} a year / 365)."),
        click.option("--eur-per-tco2", type=EUR_PER_TCO2, default=DEFAULT_EUR_PER_TCO2,
                     show_default=True, help="Carbon price for 'balanced', EUR per t CO2e."),
        click.option("--horizon-days", type=HORIZON_DAYS, default=DEFAULT_HORIZON_DAYS,
                     show_default=True, help="Only departures up to this many days after ready."),
        click.option("--format", "fmt", type=click.Choice(list(RESULT_FORMATS), case_sensitive=False),
                     default=None, help="Output format (default: from the --out suffix, else "
                                        "table). xlsx needs --out FILE.xlsx."),
        click.option("--out", "out_path", type=OutputPath(), default=None,
                     help="Write the output to FILE instead of stdout (.xlsx: a workbook)."),
        CSV_DIALECT,
        SCENARIO_OPTION,
        CURRENCY_OPTION,
        click.option("--on-time", "on_time", type=ON_TIME, default=None,
                     help="Only itineraries on time by --due with at least this probability "
                          "(0.9 = 90 %), from the delays of the network's reliability.csv."),
        click.option("--eur-per-day-late", type=EUR_PER_DAY, default=0.0,
                     help="'balanced': add this per expected day late after --due."),
        click.option("--draws", type=click.IntRange(MIN_DRAWS, MAX_DRAWS), default=DEFAULT_DRAWS,
                     show_default=True, help="Monte Carlo draws per itinerary for the on-time "
                                             "figures (standard error at most 0.5/sqrt(draws))."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _tomorrow_morning(origin: Location) -> datetime:
    """The default ready time: tomorrow 09:00 at the origin."""
    tomorrow = datetime.now(origin.zone).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(9, 0), tzinfo=origin.zone)


def _request(ctx: click.Context, kw: dict[str, Any],
             notes: list[str], net: Network | None = None) -> tuple[Network, Consignment, SearchOptions]:
    """Parse the shared options into a network (scenarios applied, or `net` as given), a
    consignment and search options; notes on names and defaults go to `notes`."""
    if net is None:
        net = scenario_network(ctx, kw.get("scenario_files", ()))
    weight_kg = parse_weight_kg(kw["weight"])
    volume_m3 = None if kw["volume"] is None else parse_volume_m3(kw["volume"])
    try:
        net, consignment = build_consignment(
            net, kw["origin"], kw["destination"], weight_kg=weight_kg, volume_m3=volume_m3,
            ready=kw["ready"] if kw["ready"] is not None else _tomorrow_morning, due=kw["due"],
            goods=kw["goods"], value_eur=kw["value_eur"], labels=LABELS, notes=notes)
    except InvalidFieldsError as exc:
        raise InputError("; ".join(f"{LABELS.get(f, f)}: {m}" for f, m in exc.errors)) from None
    except FieldError as exc:
        label = LABELS.get(exc.field, "")
        if label and not str(exc).startswith(label):
            raise InputError(f"{label}: {exc}") from None
        raise
    check_window(consignment.ready, kw["horizon_days"], "--ready", kw.get("horizon_what", "--horizon-days"))
    per_day = kw["eur_per_day"]
    weights = Weights(default_eur_per_day(kw["value_eur"]) if per_day is None else per_day,
                      kw["eur_per_tco2"])
    try:
        options = SearchOptions(Objective(kw["objective"]), weights, kw["horizon_days"],
                                kw.get("alternatives", 0))
    except ValueError as exc:
        raise InputError(str(exc)) from None
    return net, consignment, options


def _query(command: str, consignment: Consignment, options: SearchOptions,
           goal: OnTimeGoal | None = None) -> dict[str, Any]:
    goal = goal or OnTimeGoal()
    return {"command": command, "objective": options.objective.value,
            "horizon_days": options.horizon_days, "eur_per_day": options.weights.eur_per_day,
            "eur_per_tco2": options.weights.eur_per_tco2,
            "on_time": goal.target, "eur_per_day_late": goal.eur_per_day_late}


def _goal(kw: dict[str, Any], consignment: Consignment, options: SearchOptions,
          command: str) -> OnTimeGoal:
    """--on-time, --eur-per-day-late and --draws, checked against the rest of the request."""
    target, late = kw.get("on_time"), kw.get("eur_per_day_late") or 0.0
    if (target is not None or late) and consignment.due is None:
        option = "--on-time" if target is not None else "--eur-per-day-late"
        raise click.UsageError(f"{option} needs --due (the date to be on time for)")
    if late and command == "pareto":
        raise click.UsageError("--eur-per-day-late prices lateness in the balanced objective; pareto "
                               "ranks by no objective (use route or compare --objective balanced)")
    if late and options.objective is not Objective.BALANCED:
        raise click.UsageError("--eur-per-day-late prices lateness in the balanced objective: add "
                               "--objective balanced")
    return OnTimeGoal(target, late, kw.get("draws") or DEFAULT_DRAWS)


def _local(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%d %H:%M %z")


OBJECTIVE_WORDS = {"cost": "cheapest", "time": "fastest", "co2": "lowest CO2e",
                   "balanced": "best balance of cost, time and CO2e"}


def _header(net: Network, c: Consignment, options: SearchOptions) -> str:
    due = f" · due {_local(c.due)}" if c.due else ""
    scenarios = (" · scenario " + " + ".join(s.name for s in net.scenarios)) if net.scenarios else ""
    return (f"{net.locations[c.origin].name} → {net.locations[c.destination].name} · "
            f"{c.weight_kg:,.0f} kg · {c.volume_m3:g} m³ · {c.goods} · ready {_local(c.ready)}"
            f"{due} · objective {options.objective.value}{scenarios}")


def short_name(location: Location) -> str:
    """A location's name without its qualifiers: `Port of Antwerp-Bruges` for the port's long name."""
    return location.name.split(", ")[0].split(" (")[0].strip() or location.name


def _place(net: Network, location_id: str) -> str:
    return short_name(net.locations[location_id])


def _service_label(service: Service) -> str:
    """The service id, or `road (access)` for a synthesized world-city leg (its id is made up)."""
    return "road (access)" if service.operator == ACCESS_OPERATOR else service.id


def _itinerary_text(net: Network, it: Itinerary, title: str, money: Money | None = None,
                    figures: Figures | None = None) -> str:
    money = money or Money()
    due = {True: " · meets due date", False: " · LATE", None: ""}[it.meets_due]
    reliability = "" if figures is None else "\n" + figures_text(figures)
    head = (f"{title}: {it.describe()} — {money.text(it.cost_eur)} · {it.transit_h / 24:.1f} days · "
            f"departs {_local(it.depart)} · arrives {_local(it.arrive)} · "
            f"{co2_text(it)}{due}\n{money_lines(it, money)}{reliability}")
    rows = []
    for i, leg in enumerate(it.legs):
        if i > 0:
            h = it.handling[i - 1]
            rows.append(["", f"handling at {_place(net, h.location)}", "", "", f"+{h.hours:g} h", "",
                         "", "", "", f"{money.of(h.cost_eur):,.2f}", f"{h.co2e_kg:,.1f}"])
        s = leg.service
        rows.append([str(i + 1), _service_label(s), f"{_place(net, s.origin)} → {_place(net, s.destination)}",
                     s.mode, _local(leg.depart), _local(leg.arrive), f"{s.distance_km:,.0f}",
                     f"{leg.chargeable_kg:,.0f}",
                     leg.basis + (f" ×{leg.containers}" if leg.containers else ""),
                     f"{money.of(leg.cost_eur):,.2f}", f"{leg.co2e_kg:,.1f}"])
    return head + "\n" + table(
        rows, ["leg", "service", "from → to", "mode", "departs (local)", "arrives (local)", "km",
               "chargeable kg", "tariff", money.code, "kg CO2e"], align_right=(6, 7, 9, 10))


def co2_text(it: Itinerary) -> str:
    """`351.4 kg CO2e (TTW 120.1 + WTT 231.3; hubs 2.1)`: well to wheel, and its parts when the
    factors are split (ISO 14083 / GLEC v3)."""
    ttw, wtt = it.co2e_ttw_kg, it.co2e_wtt_kg
    split = f"TTW {ttw:,.1f} + WTT {wtt:,.1f}; " if ttw is not None and wtt is not None else ""
    return f"{it.co2e_kg:,.1f} kg CO2e ({split}hubs {it.co2e_hub_kg:,.1f})"


def _summary_rows(its: list[tuple[str, Itinerary | None, str]], money: Money,
                  figures: dict[int, Figures] | None = None) -> list[list[str]]:
    """Rows of the summary table: (label, itinerary or None, status text); with `figures` (by
    id of the itinerary), its reliability in four more columns."""
    rows = []
    for label, it, status in its:
        if it is None:
            rows.append([label, "–", "–", "–", "–", "–", status or "–", "", "", "",
                         *(["", "", "", ""] if figures is not None else [])])
            continue
        due = status or {True: "yes", False: "NO", None: "-"}[it.meets_due]
        until = it.prices_valid_until
        rows.append([label, f"{money.of(it.cost_eur):,.0f}", f"{it.transit_h / 24:.1f}",
                     _local(it.depart), _local(it.arrive), f"{it.co2e_kg:,.0f}", due, " > ".join(
                         "road (access)" if leg.service.operator == ACCESS_OPERATOR
                         else leg.service.id for leg in it.legs),
                     until.isoformat() if until else "open",
                     "yes" if it.estimated_legs else "no"])
        if figures is not None:
            f = figures.get(id(it))
            rows[-1] += ["", "", "", ""] if f is None else [
                percent(f.on_time), _local(f.arrive_p50) if f.arrive_p50 else "never",
                _local(f.arrive_p90) if f.arrive_p90 else "never", percent(f.missed_connection)]
    return rows


def summary_header(money: Money, reliability: bool = False) -> list[str]:
    return ["itinerary", money.code, "days", "departs (local)", "arrives (local)", "kg CO2e",
            "meets due", "services", "prices valid until", "estimate",
            *(["on time", "p50 arrives (local)", "p90 arrives (local)", "misses a connection"]
              if reliability else [])]


def _summary_table(its: list[tuple[str, Itinerary | None, str]], money: Money,
                   figures: dict[int, Figures] | None = None) -> str:
    return table(_summary_rows(its, money, figures), summary_header(money, figures is not None),
                 align_right=(1, 2, 5) + ((10, 13) if figures is not None else ()))


def _exchange_rates_line(itineraries: Sequence[Itinerary]) -> str:
    """The tariff exchange rates the itineraries' prices used ("" when all were in euros)."""
    rates = {(r.currency, r.date): r for it in itineraries for r in it.fx_rates}
    if not rates:
        return ""
    return "Exchange rates used: " + ", ".join(
        f"{r.currency} {r.per_eur:g} per EUR ({r.date.isoformat()})" for r in rates.values()) + "."


# --- one result document, in every format ---------------------------------------------------------


@dataclass
class Result:
    """What route, compare and pareto found, with everything any format shows."""

    command: str
    network: Network
    consignment: Consignment
    options: SearchOptions
    itineraries: list[Itinerary]
    notes: list[str]
    comparison: Comparison | None = None
    gaps: dict[str, ModeGap] = dataclass_field(default_factory=dict)
    money: Money = dataclass_field(default_factory=Money)
    # Reliability (issue 16): the figures of every itinerary shown, by id(itinerary); the goal;
    # compare's line on each mode's chance and how early to leave; whether the search is proven.
    figures: dict[int, Figures] = dataclass_field(default_factory=dict)
    goal: OnTimeGoal = dataclass_field(default_factory=OnTimeGoal)
    reliability_line: str = ""
    proven: bool | None = None

    def figures_of(self, it: Itinerary) -> Figures | None:
        return self.figures.get(id(it))

    def reliability_document(self) -> dict[str, Any]:
        """The JSON `reliability` block: what was asked and how it was estimated."""
        return {"on_time": self.goal.target, "eur_per_day_late": self.goal.eur_per_day_late,
                "draws": self.goal.draws, "seed": self.goal.seed,
                "method": "monte carlo on common random numbers (README: transit-time reliability)",
                "summary": self.reliability_line or None, "proven": self.proven,
                "network_has_delay_data": bool(self.network.reliability)}

    def document(self) -> dict[str, Any]:
        doc = itineraries_document(self.network, self.consignment, self.itineraries,
                                   _query(self.command, self.consignment, self.options, self.goal),
                                   self.money, [self.figures[id(it)] for it in self.itineraries]
                                   if self.figures else None)
        doc["notes"] = list(self.notes)
        doc["reliability"] = self.reliability_document()
        if self.comparison is not None:
            result = self.comparison
            doc["break_even"] = {"weight_kg": result.break_even_kg,
                                 "value_of_time_eur_per_day": result.value_of_time_eur_per_day,
                                 "goods_value_eur": result.break_even_goods_value_eur,
                                 "notes": break_even_notes(result, self.gaps)}
            doc["modes"] = self.modes_document()
        return doc

    def modes_document(self) -> list[dict[str, Any]]:
        """compare: one entry per mode, served or not, with why not."""
        rows = []
        assert self.comparison is not None
        for mode in self.modes():
            it = self.comparison.by_mode.get(mode)
            gap = self.gaps.get(mode)
            entry: dict[str, Any] = {"mode": mode, "served": it is not None,
                                     "rank": self.itineraries.index(it) + 1 if it is not None else None,
                                     "reason": gap.reason if gap else None,
                                     "explanation": gap.text if gap else None}
            if gap is not None and gap.earliest is not None:
                key = "most_punctual" if gap.reason == "on_time" else "earliest"
                entry[key] = itinerary_dict(self.network, gap.earliest, money=self.money,
                                            figures=self.figures_of(gap.earliest))
            rows.append(entry)
        return rows

    def modes(self) -> list[str]:
        assert self.comparison is not None
        listed = compared_modes(self.network)
        return [m for m in MODE_ORDER if m in self.comparison.by_mode or m in listed]

    def summary(self) -> list[tuple[str, Itinerary | None, str]]:
        """(label, itinerary, status) per row of the summary table."""
        if self.comparison is None:
            return [(f"#{i + 1} {it.main_mode}", it, "") for i, it in enumerate(self.itineraries)]
        rows: list[tuple[str, Itinerary | None, str]] = []
        for mode in self.modes():
            it = self.comparison.by_mode.get(mode)
            gap = self.gaps.get(mode)
            if it is not None:
                rows.append((mode, it, ""))
            elif gap is not None and gap.earliest is not None:
                late = "late" if gap.reason != "on_time" else f"< {percent(self.goal.target)}"
                rows.append((f"{mode} ({late})", gap.earliest, gap.text))
            else:
                rows.append((mode, None, gap.text if gap else "no itinerary"))
        return rows

    # --- formats

    def table_text(self) -> str:
        head = _header(self.network, self.consignment, self.options)
        money_note = [n for n in (self.money.note(), _exchange_rates_line(self.itineraries)) if n]
        figures = self.figures or None
        if self.comparison is not None:
            notes = (break_even_notes(self.comparison, self.gaps)
                     + [n for n in (self.reliability_line,) if n] + money_note)
            return (head + "\n\n" + _summary_table(self.summary(), self.money, figures) + "\n\n"
                    + "\n".join(notes))
        details = [_itinerary_text(self.network, it, f"#{i + 1}", self.money, self.figures_of(it))
                   for i, it in enumerate(self.itineraries)]
        if self.command == "pareto":
            summary = _summary_table(self.summary(), self.money, figures)
            return "\n\n".join([head, f"{len(self.itineraries)} non-dominated itineraries (cheapest "
                                      f"first; none is cheaper, faster and cleaner than another)\n"
                                      + summary, *details, *money_note])
        return "\n\n".join([head, *details, *money_note])

    def csv_rows(self) -> list[dict[str, Any]]:
        doc = self.document()
        query = _csv_query(doc)
        names = scenario_names(self.network)
        rows = []
        for it in doc["itineraries"]:
            base = _csv_itinerary(it)
            for i, leg in enumerate(it["legs"]):
                rows.append({**base, **_csv_leg(leg, i, it), **query, **_csv_money(it, leg, names)})
        for mode in doc.get("modes", []):
            if mode["served"]:
                continue
            earliest = mode.get("earliest") or mode.get("most_punctual")
            base = {"rank": "", "main_mode": mode["mode"], "status": mode["explanation"],
                    "scenarios": names}
            if earliest is not None:
                # Its total in the display currency too, as the itineraries' rows have it.
                base = {**_csv_itinerary(earliest), **base, "rank": "", "currency": earliest["currency"],
                        "itinerary_cost": earliest["cost"],
                        "prices_valid_until": earliest["prices_valid_until"] or ""}
            rows.append({**base, **query})
        return rows

    def xlsx_sheets(self) -> list[Sheet]:
        doc = self.document()
        net = self.network
        # The display currency's cost beside the euros when it is not the euro (`--currency`).
        other = [f"cost ({self.money.code})"] if self.money.code != "EUR" else []
        summary = Sheet("itineraries", ["rank", "main mode", "status", "cost (EUR)", *other,
                                        "transit (days)",
                                        "departs (local time)", "arrives (local time)",
                                        "CO2e (kg)", "meets due", "services", "summary",
                                        "on-time probability", "arrives p50 (local time)",
                                        "arrives p90 (local time)", "missed connection probability",
                                        "expected days late",
                                        "CO2e tank-to-wheel (kg)", "CO2e well-to-tank (kg)",
                                        "CO2e at hubs (kg)", "evidence"])
        # An itinerary's rank is its number in every other output (a mode that cannot serve
        # has a row here, but no number).
        ranks = {id(it): i for i, it in enumerate(self.itineraries, start=1)}
        for label, it, status in self.summary():
            if it is None:
                summary.rows.append(["", label, status, None, *[None] * len(other), None, None, None,
                                     None, "", "", "", None, None, None, None, None, None, None, None,
                                     ""])
                continue
            f = self.figures_of(it)
            summary.rows.append([ranks.get(id(it), ""), label, status or "found",
                                 round(it.cost_eur, 2), *[round(self.money.of(it.cost_eur), 2)] * len(other),
                                 round(it.transit_h / 24, 2),
                                 local_naive(it.depart), local_naive(it.arrive),
                                 round(it.co2e_kg, 2),
                                 {True: "yes", False: "no", None: ""}[it.meets_due],
                                 " > ".join(it.signature), it.describe(),
                                 *(_reliability_cells(f) if f is not None else [None] * 5),
                                 _rounded(it.co2e_ttw_kg, 2), _rounded(it.co2e_wtt_kg, 2),
                                 round(it.co2e_hub_kg, 3), itinerary_evidence(net, it).text()])
        legs = Sheet("legs", ["rank", "main mode", "leg", "service", "operator", "from", "to", "mode",
                              "departs (local time)", "arrives (local time)", "distance (km)",
                              "duration (h)", "chargeable (kg)", "tariff", "containers",
                              "cost (EUR)", "handling before (EUR)", "CO2e (kg)", *other,
                              "tariff currency", "rate (per EUR)",
                              "surcharges (EUR)", "price is an estimate", "rate valid until",
                              "CO2e tank-to-wheel (kg)", "CO2e well-to-tank (kg)",
                              "hub CO2e before (kg)"])
        for rank, (it, it_doc) in enumerate(zip(self.itineraries, doc["itineraries"], strict=True),
                                            start=1):
            for i, leg in enumerate(it.legs):
                s = leg.service
                priced = it_doc["legs"][i]
                legs.rows.append([rank, it.main_mode, i + 1, _service_label(s), s.operator,
                                  _place(net, s.origin), _place(net, s.destination), s.mode,
                                  local_naive(leg.depart), local_naive(leg.arrive), s.distance_km,
                                  s.duration_h, round(leg.chargeable_kg, 2), leg.basis, leg.containers,
                                  round(leg.cost_eur, 2),
                                  round(it.handling[i - 1].cost_eur, 2) if i else 0.0,
                                  round(leg.co2e_kg, 3), *[priced["cost"]] * len(other), priced["currency"],
                                  priced["fx_per_eur"],
                                  round(sum(x["cost_eur"] for x in priced["surcharges"]), 2),
                                  "yes" if priced["price_estimate"] else "no",
                                  priced["rate_valid_until"] or "",
                                  _rounded(leg.co2e_ttw_kg, 3), _rounded(leg.co2e_wtt_kg, 3),
                                  round(it.handling[i - 1].co2e_kg, 3) if i else 0.0])
        query = Sheet("query", ["field", "value"], table=False, widths={0: 28, 1: 90})
        c = doc["consignment"]
        start, end = doc["network"]["as_of"]
        query.rows += [
            ["command", self.command], ["objective", self.options.objective.value],
            ["origin", f"{c['origin_name']} ({c['origin']})"],
            ["destination", f"{c['destination_name']} ({c['destination']})"],
            ["weight (kg)", c["weight_kg"]], ["volume (m³)", c["volume_m3"]],
            ["ready (origin local time)", local_naive(self.consignment.ready)],
            ["due (destination local time)", local_naive(self.consignment.due)],
            ["goods", c["goods"]], ["value (EUR)", c["value_eur"]],
            ["horizon (days)", self.options.horizon_days],
            ["price of a day in transit (EUR)", self.options.weights.eur_per_day],
            ["carbon price (EUR per t CO2e)", self.options.weights.eur_per_tco2],
            ["network", doc["network"]["name"]], ["network data as of", f"{start} to {end}"],
            ["times", "local time of the place they refer to (departures at the origin of the leg, "
                      "arrivals at its destination)"],
        ]
        query.rows += [["scenario", f"{s['name']} ({s['file']})"] for s in doc["scenarios"]]
        if self.money.rate is not None:
            query.rows.append(["currency", self.money.note()])
        query.rows += [["note", note] for note in self.notes]
        if self.comparison is not None:
            query.rows += [["break-even", note]
                           for note in break_even_notes(self.comparison, self.gaps)]
        query.rows += [["on time (probability asked)", self.goal.target],
                       ["price of a day late (EUR)", self.goal.eur_per_day_late],
                       ["reliability draws", self.goal.draws]]
        if self.reliability_line:
            query.rows.append(["reliability", self.reliability_line])
        return [summary, legs, query]


def _csv_query(doc: dict[str, Any]) -> dict[str, Any]:
    c, q = doc["consignment"], doc["query"]
    out = {"command": q["command"], "objective": q["objective"], "origin": c["origin"],
           "origin_name": c["origin_name"], "destination": c["destination"],
           "destination_name": c["destination_name"], "weight_kg": c["weight_kg"],
           "volume_m3": c["volume_m3"], "ready": c["ready"], "due": c["due"] or "",
           "goods": c["goods"], "value_eur": c["value_eur"] if c["value_eur"] is not None else "",
           "network_as_of": " to ".join(doc["network"]["as_of"]), "notes": " | ".join(doc["notes"]),
           "on_time_target": "" if q["on_time"] is None else q["on_time"],
           "eur_per_day_late": q["eur_per_day_late"],
           "reliability_summary": doc["reliability"]["summary"] or ""}
    if "break_even" in doc:
        b = doc["break_even"]
        out.update({"break_even_weight_kg": b["weight_kg"] if b["weight_kg"] is not None else "",
                    "break_even_eur_per_day": b["value_of_time_eur_per_day"]
                    if b["value_of_time_eur_per_day"] is not None else "",
                    "break_even_goods_value_eur": b["goods_value_eur"]
                    if b["goods_value_eur"] is not None else "",
                    "break_even_notes": " ".join(b["notes"])})
    return out


def _csv_itinerary(it: dict[str, Any]) -> dict[str, Any]:
    evidence = it["evidence"]
    old = "; ".join(f"{x['part']} as of {x['as_of']}" for x in evidence["old"])
    return {"rank": it["rank"], "main_mode": it["main_mode"], "status": "found",
            "itinerary_cost_eur": it["cost_eur"], "itinerary_transit_h": it["transit_h"],
            "itinerary_transit_days": it["transit_days"], "itinerary_co2e_kg": it["co2e_kg"],
            "itinerary_depart": it["depart"], "itinerary_arrive": it["arrive"],
            "meets_due": {True: "yes", False: "no", None: ""}[it["meets_due"]],
            "itinerary_co2e_ttw_kg": _blank(it["co2e_ttw_kg"]),
            "itinerary_co2e_wtt_kg": _blank(it["co2e_wtt_kg"]),
            "itinerary_co2e_hub_kg": it["co2e_hub_kg"],
            "evidence_warning": "yes" if evidence["warning"] else "no", "evidence_old": old,
            **{k: "" if it.get(k) is None else it[k] for k in _RELIABILITY_CSV_FIELDS}}


# Reliability (issue 16), appended after the other columns.
_RELIABILITY_CSV_FIELDS = ["arrive_p50", "arrive_p90", "on_time_probability",
                           "missed_connection_probability", "expected_days_late"]


def _reliability_cells(f: Figures) -> list[Any]:
    """The workbook's reliability cells of one itinerary (dates local, probabilities 0..1)."""
    return [None if f.on_time is None else round(f.on_time, 4), local_naive(f.arrive_p50),
            local_naive(f.arrive_p90), round(f.missed_connection, 4),
            None if f.days_late is None else round(f.days_late, 3)]


def _blank(value: Any) -> Any:
    """A cell: the value, or empty for None."""
    return "" if value is None else value


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _csv_money(it: dict[str, Any], leg: dict[str, Any], scenarios: str) -> dict[str, Any]:
    """The dated-price columns (issue 14) of one leg row (`scenarios`: `scenario_names`)."""
    return {"currency": it["currency"], "cost": leg["cost"], "itinerary_cost": it["cost"],
            "tariff_currency": leg["currency"], "fx_per_eur": leg["fx_per_eur"],
            "surcharges_eur": round(sum(s["cost_eur"] for s in leg["surcharges"]), 2),
            "price_estimate": leg["price_estimate"],
            "prices_valid_until": it["prices_valid_until"] or "",
            "scenarios": scenarios}


def _csv_leg(leg: dict[str, Any], i: int, it: dict[str, Any]) -> dict[str, Any]:
    return {"leg": i + 1, **{k: leg[k] for k in (
        "service", "operator", "from", "from_name", "to", "to_name", "mode", "depart", "arrive",
        "distance_km", "chargeable_kg", "basis", "containers", "cost_eur", "co2e_kg")},
        "handling_before_eur": it["handling"][i - 1]["cost_eur"] if i else 0.0,
        "co2e_ttw_kg": _blank(leg["co2e_ttw_kg"]), "co2e_wtt_kg": _blank(leg["co2e_wtt_kg"]),
        "handling_before_co2e_kg": it["handling"][i - 1]["co2e_kg"] if i else 0.0}


_LEG_CSV_FIELDS = ["rank", "main_mode", "status", "itinerary_cost_eur", "itinerary_transit_h",
                   "itinerary_transit_days", "itinerary_co2e_kg", "itinerary_depart",
                   "itinerary_arrive", "meets_due", "leg", "service", "operator", "from", "from_name",
                   "to", "to_name", "mode", "depart", "arrive", "distance_km", "chargeable_kg",
                   "basis", "containers", "cost_eur", "co2e_kg", "handling_before_eur", "command",
                   "objective", "origin", "origin_name", "destination", "destination_name",
                   "weight_kg", "volume_m3", "ready", "due", "goods", "value_eur", "network_as_of",
                   "notes",
                   # dated prices and display currency (issue 14)
                   "currency", "cost", "itinerary_cost", "tariff_currency", "fx_per_eur",
                   "surcharges_eur", "price_estimate", "prices_valid_until", "scenarios",
                   # emissions split and hubs, evidence (issue 15)
                   "itinerary_co2e_ttw_kg", "itinerary_co2e_wtt_kg", "itinerary_co2e_hub_kg",
                   "co2e_ttw_kg", "co2e_wtt_kg", "handling_before_co2e_kg", "evidence_warning",
                   "evidence_old"]
_BREAK_EVEN_CSV_FIELDS = ["break_even_weight_kg", "break_even_eur_per_day",
                          "break_even_goods_value_eur", "break_even_notes"]
# Reliability (issue 16): appended after every other column, compare's break-even ones too.
_APPENDED_RELIABILITY_FIELDS = [*_RELIABILITY_CSV_FIELDS, "on_time_target", "eur_per_day_late",
                                "reliability_summary"]


def _render(result: Result, fmt: str, dialect: str) -> str | bytes:
    if fmt == "json":
        return to_json(result.document()) + "\n"
    if fmt == "csv":
        fields = (_LEG_CSV_FIELDS + (_BREAK_EVEN_CSV_FIELDS if result.comparison else [])
                  + _APPENDED_RELIABILITY_FIELDS)
        return to_csv(result.csv_rows(), fields, dialect)
    if fmt == "xlsx":
        return to_xlsx(result.xlsx_sheets())
    return result.table_text() + "\n"


_MAP = click.option("--map", "map_path", type=OutputPath(),
                    default=None, help="Also write the itineraries as an interactive HTML map "
                                       "(self-contained, readable offline).")


def _output_format(kw: dict[str, Any]) -> str:
    """--format, else the --out suffix's, else table; xlsx needs --out."""
    fmt = (kw["fmt"] or "").lower()
    out = kw["out_path"]
    if not fmt:
        fmt = _SUFFIX_FORMATS.get(out.suffix.lower(), "table") if out is not None else "table"
    if fmt == "xlsx" and out is None:
        raise click.UsageError("--format xlsx writes a workbook: add --out FILE.xlsx")
    return fmt


def _check_outputs(ctx: click.Context, kw: dict[str, Any]) -> None:
    """Refuse unusable --map and --out paths before any work is done."""
    ctx.ensure_object(dict)["scenario_files"] = list(kw.get("scenario_files", ()))
    map_path, out_path = kw["map_path"], kw["out_path"]
    for path, option in ((map_path, "--map"), (out_path, "--out")):
        if path is not None:
            check_output_file(path, option=option, inputs=network_inputs(ctx))
    if map_path is not None and out_path is not None and map_path.resolve() == out_path.resolve():
        raise InputError(f"--out: {str(out_path)!r} is also written by --map")


def _map_html(result: Result, best: int) -> str:
    from maps import itineraries_map, map_html  # folium is heavy: import on demand

    c, net = result.consignment, result.network
    word = OBJECTIVE_WORDS[result.options.objective.value]
    alternatives = len(result.itineraries) > 1
    what = {"route": f"the {word} itinerary" + (" and the next best" if alternatives else ""),
            "pareto": "the itineraries no other beats on cost, arrival and CO2e at once",
            "compare": "the best itinerary of each mode"}[result.command]
    due = f", due {_local(c.due)}" if c.due else ""
    title = (f"{net.locations[c.origin].name} → {net.locations[c.destination].name}: {what}")
    scenarios = scenario_names(net)
    subtitle = (f"{c.weight_kg:,.0f} kg, {c.volume_m3:g} m³ of {c.goods} goods · ready "
                f"{_local(c.ready)}{due}" + (f" · scenarios: {scenarios}" if scenarios else ""))
    m = itineraries_map(net, result.itineraries, title=title, subtitle=subtitle,
                        computed_at=datetime.now(UTC).astimezone(), best_index=best,
                        best_word="" if result.command == "route" else f"the {word}",
                        figures=[result.figures_of(it) for it in result.itineraries],
                        money=result.money)
    return map_html(m)


def _finish(ctx: click.Context, kw: dict[str, Any], result: Result, fmt: str) -> None:
    """Write --map and --out all or nothing, then print the notes (stderr) and the output."""
    rendered = _render(result, fmt, kw["csv_dialect"].lower())
    with OutputSet(protected=network_inputs(ctx)) as outputs:
        if kw["map_path"] is not None:
            from maps import best_index

            best = 0 if result.command == "route" else best_index(
                result.itineraries, result.options.objective, result.options.weights)
            outputs.add(kw["map_path"], _map_html(result, best))
        if kw["out_path"] is not None:
            outputs.add(kw["out_path"], rendered)
        outputs.commit()
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    if kw["out_path"] is None:
        assert isinstance(rendered, str)
        click.echo(rendered, nl=False)
    else:
        click.echo(f"written to {kw['out_path']}", err=True)


def _search_and_emit(ctx: click.Context, kw: dict[str, Any],
                     search: Callable[[Network, Consignment, SearchOptions], SearchResult],
                     command: str) -> None:
    """Run `search` for the request in `kw`; write the outputs and print, or explain a failure."""
    fmt = _output_format(kw)
    _check_outputs(ctx, kw)
    notes: list[str] = []
    net, consignment, options = _request(ctx, kw, notes)
    goal = _goal(kw, consignment, options, command)
    money = money_for(net, consignment, kw["currency"])
    sim = Simulator(net, goal.draws, goal.seed)
    proven: bool | None = None
    if command == "route" and goal.active:
        outcome = search_on_time(net, consignment, options, goal, sim)
        proven = outcome.proven
        if not outcome.found:
            if outcome.most_punctual is None:
                raise explain_no_itinerary(net, consignment, options)
            raise NoItineraryError(no_on_time_message(net, consignment, goal, outcome.most_punctual,
                                                      outcome.proven))
        found = [f.itinerary for f in outcome.found]
        figures = {id(f.itinerary): f.figures for f in outcome.found}
        if not proven:
            notes.append(_not_proven(outcome.sequences))
    else:
        found = list(search(net, consignment, options).itineraries)
        if not found:
            raise explain_no_itinerary(net, consignment, options)
        figures = {id(it): f for it, f in zip(found, itinerary_figures(net, found, sim=sim), strict=True)}
        if goal.target is not None:  # pareto: the front's itineraries that are punctual enough
            kept = [it for it in found if (figures[id(it)].on_time or 0.0) >= goal.target]
            if not kept:
                best = max(found, key=lambda it: figures[id(it)].on_time or 0.0)
                raise NoItineraryError(no_on_time_message(
                    net, consignment, goal, Found(best, figures[id(best)], ()), True,
                    "itinerary of the Pareto front"))
            if len(kept) < len(found):
                notes.append(f"on time: {len(found) - len(kept)} of the {len(found)} non-dominated "
                             f"itineraries are on time with less than {percent(goal.target)} and "
                             "are left out")
            found = kept
    _evidence(net, [(f"#{i + 1} ({it.main_mode})", it) for i, it in enumerate(found)], notes)
    _finish(ctx, kw, Result(command, net, consignment, options, found, notes, money=money,
                            figures=figures, goal=goal, proven=proven), fmt)


def _not_proven(sequences: int) -> str:
    return (f"on time: not proven best — {sequences} service sequences were examined and more meet "
            "the due date (README: transit-time reliability)")


def _evidence(net: Network, labelled: list[tuple[str, Itinerary]], notes: list[str]) -> None:
    """Add the one-line warning on the estimates and old evidence the itineraries rest on, and
    one line per itinerary that waits for a cheaper price (`routing.waits`)."""
    line = evidence_note(net, labelled)
    if line is not None:
        notes.append(f"evidence: {line}")
    for label, it in labelled:
        waits = price_waits(net, it)
        if waits:
            notes.append(f"price wait: {label} " + "; ".join(w.text() for w in waits)
                         + ": storage is not charged in this model; --objective balanced with --value or "
                         "--eur-per-day weighs the days")


@cli.command()
@_consignment_options
@_MAP
@click.option("--alternatives", type=click.IntRange(0, 20), default=0, show_default=True,
              help="Also show the K next-best distinct itineraries.")
@click.pass_context
def route(ctx: click.Context, /, **kw: Any) -> None:
    """The best door-to-door itinerary from ORIGIN to DESTINATION, leg by leg."""
    _search_and_emit(ctx, kw, best_itineraries, "route")


@cli.command()
@_consignment_options
@_MAP
@click.pass_context
def pareto(ctx: click.Context, /, **kw: Any) -> None:
    """The non-dominated itineraries on cost, arrival and CO2e (cheapest first)."""
    _search_and_emit(ctx, kw, pareto_itineraries, "pareto")


@cli.command("compare")
@_consignment_options
@_MAP
@click.pass_context
def compare_cmd(ctx: click.Context, /, **kw: Any) -> None:
    """Rail vs air vs sea: the best itinerary per main mode (a row for every mode, with why one
    cannot serve), with break-even figures."""
    fmt = _output_format(kw)
    _check_outputs(ctx, kw)
    notes: list[str] = []
    net, consignment, options = _request(ctx, kw, notes)
    goal = _goal(kw, consignment, options, "compare")
    money = money_for(net, consignment, kw["currency"])
    result = compare(net, consignment, options)
    if not result.by_mode:
        raise explain_no_itinerary(net, consignment, options)
    found = compare_reliability(net, consignment, options, goal, result,
                                Simulator(net, goal.draws, goal.seed))
    if found.unreachable is not None:
        raise NoItineraryError(found.unreachable)
    if found.proven is False:
        notes.append(_not_proven(found.sequences))
    _evidence(net, list(found.comparison.by_mode.items()), notes)
    _finish(ctx, kw, Result("compare", net, consignment, options, list(found.comparison.by_mode.values()),
                            notes, found.comparison, found.gaps, money, figures=found.figures,
                            goal=goal, reliability_line=found.line, proven=found.proven), fmt)


def _register_plan() -> None:
    # The `plan` command lives in cli_plan.py (it imports helpers from here inside its body).
    from cli_plan import plan

    cli.add_command(plan)


_register_plan()


def _register_scenarios() -> None:
    # `scenarios` (cli_scenarios.py), `network resilience` (cli_resilience.py) and `network
    # audit` (cli_audit.py), likewise.
    from cli_audit import network_audit
    from cli_resilience import resilience
    from cli_scenarios import scenarios

    cli.add_command(scenarios)
    network.add_command(resilience)
    network.add_command(network_audit)


_register_scenarios()


def _register_sweep() -> None:
    # `sweep` (cli_sweep.py): plans or queries over sets × scenarios × parameter grids, on Dask.
    from cli_sweep import sweep

    cli.add_command(sweep)


_register_sweep()


def _command_name(argv: Sequence[str]) -> str:
    """The (sub)command named in `argv`, e.g. `route` or `network show`, for error messages."""
    words: list[str] = []
    group: click.Group = cli
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--network":
            skip = True  # its value is a directory, not a command
        elif arg in group.commands:
            words.append(arg)
            command = group.commands[arg]
            if not isinstance(command, click.Group):
                break
            group = command
    return " ".join(words) or "silkroute"


def run(argv: Sequence[str] | None = None) -> int:
    """Run the CLI on `argv` (default: the process's arguments) and return its exit code.

    Every outcome is one line or more of `error: ...` (or `cannot serve: ...`) on stderr and
    a documented exit code, never a traceback: the project's errors are turned into messages by
    `_Cli.invoke`; usage errors here (2); Ctrl-C is `interrupted` (130); anything unexpected is
    a bug, reported in one line naming the command (70).
    """
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        code = cli.main(args=args, prog_name="cli.py", standalone_mode=False, obj={})
    except click.exceptions.Exit as exc:  # pragma: no cover - main() returns these codes
        return exc.exit_code
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.format_message(), err=True)  # a bare `cli.py` or `cli.py network`: the help
        return exc.exit_code
    except click.ClickException as exc:
        hint = ""
        if isinstance(exc, click.UsageError) and exc.ctx is not None:
            hint = f" (see '{exc.ctx.command_path} --help')"
        message = " ".join(exc.format_message().split())  # click's messages may span lines
        click.echo(one_line(f"error: {message}{hint}"), err=True)
        return exc.exit_code
    except (click.Abort, KeyboardInterrupt):
        click.echo("interrupted", err=True)
        return EX_INTERRUPTED
    except BrokenPipeError:  # pragma: no cover - _Cli.invoke handles the commands' output
        _silence_stdout()
        return EX_BROKEN_PIPE
    except Exception as exc:  # the last line of defence: a bug, not an input problem
        name = _command_name(args)
        detail = " ".join(str(exc).split()) or "(no message)"
        click.echo(f"internal error in '{name}': {type(exc).__name__}: {detail} — this is a bug, "
                   "please report it with the command line", err=True)
        return EX_SOFTWARE
    return code if isinstance(code, int) else 0


def _release_multiprocessing() -> None:
    """Run multiprocessing's exit-time finalizers now (terminate pools, unlink semaphores)."""
    from multiprocessing import util

    finalizers = getattr(util, "_run_finalizers", None)  # what its own atexit handler runs
    if finalizers is not None:
        with contextlib.suppress(Exception):
            finalizers(0)


def _tolerant_streams() -> None:
    """Let stdout and stderr replace what their encoding cannot show instead of failing
    mid-table: output redirected on Windows is cp1252, which has no "→" and no Chinese."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            stream.reconfigure(errors="replace")


def main() -> None:
    """Entry point: exit with `run`'s code, never a traceback."""
    _tolerant_streams()
    code = run()
    if code == EX_INTERRUPTED and threading.active_count() > 1:
        # Ctrl-C reached the main thread while solver threads still run; waiting for them would
        # keep the process alive. Outputs are already rolled back; flush and leave at once,
        # after releasing what multiprocessing holds (the solver pool's semaphores: a normal exit
        # releases them, os._exit would leave them to the resource tracker, which complains).
        sys.stdout.flush()
        sys.stderr.flush()
        _release_multiprocessing()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    main()

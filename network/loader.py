"""Load a network directory of CSV files into a validated `Network`.

All files are read and every problem is collected before anything is raised, so a
planner sees every defect of a file in one go, each with its file, line and column.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Collection
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from network import columns as C
from network.calendar import Calendar
from network.errors import FileFormatError, InputError, Problem
from network.fx import EUR, FxTable
from network.model import AccessRule, Container, Corridor, Location, Network, Point, Service
from network.optional_files import (
    fx_problem,
    load_calendar_dates,
    load_corridors,
    load_fx,
    load_reliability,
    load_surcharges,
)
from network.reliability import NO_RELIABILITY
from network.rows import (
    FileRead,
    Row,
    check_unique,
    parse_count,
    parse_currency,
    parse_date,
    parse_days,
    parse_float,
    parse_goods,
    parse_hhmm,
    parse_tags,
    ranged,
    read_rows,
)

DEFAULT_NETWORK_DIR = Path(__file__).resolve().parent / "data"

REQUIRED_LOCATION_COLUMNS = (C.ID, C.NAME, C.KIND, C.COUNTRY, C.LAT, C.LON, C.TZ)
REQUIRED_SERVICE_COLUMNS = (C.ID, C.FROM, C.TO, C.MODE, C.DISTANCE_KM, C.DURATION_H)
REQUIRED_SHAPE_COLUMNS = C.SHAPE_COLUMNS
REQUIRED_ACCESS_COLUMNS = (C.COUNTRY, C.NEAREST_K, C.DETOUR_FACTOR, C.SPEED_KMH, C.EUR_PER_TKM)

# What the rows of one service's dated rate card may differ in; everything else must agree.
_RATE_FIELDS = frozenset({"eur_fixed", "eur_per_kg", "eur_per_tkm", "eur_min", "container", "currency",
                          "valid_from", "valid_to", "source", "as_of", "calendar"})


def _load_locations(path: Path, problems: list[Problem], status: FileRead) -> dict[str, Location]:
    locations: dict[str, Location] = {}
    seen: dict[str, int] = {}
    for row in read_rows(path, REQUIRED_LOCATION_COLUMNS, problems, status):
        values = {
            "id": row.text(C.ID, required=True),
            "name": row.text(C.NAME, required=True),
            "kind": row.text(C.KIND, required=True),
            "country": row.text(C.COUNTRY, required=True),
            "lat": row.number(C.LAT),
            "lon": row.number(C.LON),
            "tz": row.text(C.TZ, required=True),
            "handling_h": row.number(C.HANDLING_H, required=False),
            "handling_eur": row.number(C.HANDLING_EUR, required=False),
            "handling_eur_per_kg": row.number(C.HANDLING_EUR_PER_KG, required=False),
            "source": row.text(C.SOURCE),
            "as_of": row.text(C.AS_OF),
            "hub_co2e_kg_per_t": row.number(C.HUB_CO2E_KG_PER_T, required=False),
            "hub_co2e_ttw_kg_per_t": _optional_number(row, C.HUB_CO2E_TTW_KG_PER_T),
            "hub_co2e_wtt_kg_per_t": _optional_number(row, C.HUB_CO2E_WTT_KG_PER_T),
        }
        if not check_unique(row, values["id"], seen):
            continue
        location = row.build(Location, **values)
        if location is not None:
            locations[location.id] = location
    return locations


def _optional_number(row: Row, column: str) -> float | None:
    """An optional numeric cell: None when empty or bad (a bad one is reported, and None keeps
    the checks that combine it with other cells from reporting it again)."""
    value: float | None = row.get(column, ranged(column, parse_float), required=False, default=None,
                                  fallback=None)
    return value


def _container(row: Row) -> Container | None:
    price = row.number(C.CONTAINER_EUR, required=False, default=None)
    m3 = row.number(C.CONTAINER_M3, required=False, default=None)
    kg = row.number(C.CONTAINER_KG, required=False, default=None)
    given = [v is not None for v in (price, m3, kg)]
    if any(given) and not all(given):
        row.problem(C.CONTAINER_EUR, "container_eur, container_m3 and container_kg go together")
        return None
    if not any(given) or row.failed & {C.CONTAINER_EUR, C.CONTAINER_M3, C.CONTAINER_KG}:
        return None  # nothing to build, or a cell already reported
    built: Container | None = row.build(Container, eur=price, m3=m3, kg=kg)
    return built


def _load_services(path: Path, locations: dict[str, Location], known: set[str] | None,
                   context: _Context, problems: list[Problem],
                   status: FileRead) -> tuple[dict[str, Service], dict[str, tuple[Service, ...]]]:
    """The services of `path` (first rate row per id) and the dated rate cards (every row of
    ids with several); references are checked against `known` location ids (all of them,
    valid or not), and not at all when `known` is None (locations.csv was unreadable)."""
    rows: dict[str, list[tuple[int, Service]]] = {}
    seen: dict[str, int] = {}
    for row in read_rows(path, REQUIRED_SERVICE_COLUMNS, problems, status):
        sid = row.text(C.ID, required=True)
        origin = row.text(C.FROM, required=True)
        destination = row.text(C.TO, required=True)
        for column, ref in ((C.FROM, origin), (C.TO, destination)):
            if known is not None and ref and ref not in known:
                row.problem(column, f"unknown location {ref!r}")
                row.failed.add(column)
        days = row.get(C.DAYS, parse_days, required=False, default=frozenset(), fallback=frozenset())
        currency = row.get(C.CURRENCY, parse_currency, required=False, default=EUR, fallback=EUR)
        valid_from = row.get(C.VALID_FROM, parse_date, required=False)
        valid_to = row.get(C.VALID_TO, parse_date, required=False)
        corridors = row.get(C.CORRIDORS, parse_tags, required=False, default=frozenset(),
                            fallback=frozenset())
        context.check_corridors(row, corridors)
        context.check_rate(row, currency, valid_from)
        values = {
            "id": sid,
            "origin": origin,
            "destination": destination,
            "mode": row.text(C.MODE, required=True),
            "operator": row.text(C.OPERATOR),
            "distance_km": row.number(C.DISTANCE_KM),
            "duration_h": row.number(C.DURATION_H),
            "days": days,
            "departure": row.get(C.DEPARTURE, parse_hhmm, required=bool(days)),
            "cutoff_h": row.number(C.CUTOFF_H, required=False),
            "capacity_kg": row.number(C.CAPACITY_KG, required=False, default=None),
            "capacity_m3": row.number(C.CAPACITY_M3, required=False, default=None),
            "kg_per_m3": row.number(C.KG_PER_M3, required=False),
            "eur_fixed": row.number(C.EUR_FIXED, required=False),
            "eur_per_kg": row.number(C.EUR_PER_KG, required=False),
            "eur_per_tkm": row.number(C.EUR_PER_TKM, required=False),
            "eur_min": row.number(C.EUR_MIN, required=False),
            "container": _container(row),
            "co2e_g_per_tkm": row.number(C.CO2E_G_PER_TKM, required=False),
            "goods": row.get(C.GOODS, parse_goods, required=False, default=frozenset(), fallback=frozenset()),
            "source": row.text(C.SOURCE),
            "as_of": row.text(C.AS_OF),
            "origin_tz": locations[origin].tz if isinstance(locations.get(origin), Location) else "UTC",
            "currency": currency,
            "valid_from": valid_from,
            "valid_to": valid_to,
            "corridors": corridors,
            "co2e_ttw_g_per_tkm": _optional_number(row, C.CO2E_TTW_G_PER_TKM),
            "co2e_wtt_g_per_tkm": _optional_number(row, C.CO2E_WTT_G_PER_TKM),
            "co2e_distance_add_km": row.number(C.CO2E_DISTANCE_ADD_KM, required=False),
        }
        earlier = rows.get(sid)
        if earlier is None:
            if not check_unique(row, sid, seen):
                continue
        elif not _joins_rate_card(row, values, earlier, seen[sid]):
            continue
        service = row.build(Service, **values)
        if service is not None:
            rows.setdefault(sid, []).append((row.line, service))
    services: dict[str, Service] = {}
    cards: dict[str, tuple[Service, ...]] = {}
    for sid, found in rows.items():
        if len(found) == 1:
            services[sid] = found[0][1]
            continue
        ordered = sorted((s for _, s in found), key=lambda s: s.valid_from or date.min)
        calendar = Calendar(periods=tuple((s.valid_from, s.valid_to) for s in ordered))
        card = tuple(replace(s, calendar=calendar) for s in ordered)
        services[sid], cards[sid] = card[0], card
    return services, cards


def _period_text(first: date | None, last: date | None) -> str:
    return f"{first.isoformat() if first else 'open'}..{last.isoformat() if last else 'open'}"


def _joins_rate_card(row: Row, values: dict[str, Any], earlier: list[tuple[int, Service]],
                     first_line: int) -> bool:
    """Whether a repeated service id is another dated rate row of it; records why not."""
    sid = values["id"]
    mine = (values["valid_from"], values["valid_to"])
    if mine == (None, None) or any(s.valid_from is None and s.valid_to is None for _, s in earlier):
        row.problem(C.ID, f"duplicate {sid!r} (first defined on line {first_line}); rows of one "
                          "service are dated rate rows: give each a valid_from or valid_to")
        return False
    ok = True
    for line, other in earlier:
        lo = max(mine[0] or date.min, other.valid_from or date.min)
        hi = min(mine[1] or date.max, other.valid_to or date.max)
        if lo <= hi:
            row.problem(C.VALID_FROM, f"{_period_text(*mine)} overlaps line {line} "
                                      f"({_period_text(other.valid_from, other.valid_to)}): rate rows "
                                      "of one service may not overlap")
            ok = False
    _, first = earlier[0]
    for name, value in values.items():
        if name in _RATE_FIELDS or name == "id":
            continue
        theirs = getattr(first, name)
        if name == "container":
            value = None if value is None else (value.m3, value.kg)
            theirs = None if theirs is None else (theirs.m3, theirs.kg)
        if value != theirs:
            column = {"origin": C.FROM, "destination": C.TO}.get(name, name)
            if column not in row.failed:
                row.problem(column, f"differs from line {earlier[0][0]}: the rate rows of one "
                                    "service differ only in prices, currency, validity, source and as_of")
            ok = False
    return ok


def _load_shapes(
    path: Path, services: dict[str, Service], service_ids: set[str] | None, problems: list[Problem]
) -> dict[str, tuple[Point, ...]]:
    """Shapes of `path`; references to services are checked against `service_ids` (every id
    written in services.csv), and not at all when it is None (services.csv was unreadable)."""
    points: dict[str, list[tuple[int, Point]]] = {}
    seqs: dict[tuple[str, int], int] = {}
    unknown: dict[str, list[Row]] = {}  # rows naming a service not in services.csv, by service
    for row in read_rows(path, REQUIRED_SHAPE_COLUMNS, problems, FileRead()):
        sid = row.text(C.SERVICE, required=True)
        seq = row.get(C.SEQ, ranged(C.SEQ, parse_count))
        lat = row.number(C.LAT)
        lon = row.number(C.LON)
        if sid and service_ids is not None and sid not in service_ids:
            unknown.setdefault(sid, []).append(row)
            continue
        if row.failed or seq is None or not sid:
            continue
        if (sid, seq) in seqs:
            row.problem(C.SEQ, f"seq {seq} of {sid!r} repeats line {seqs[(sid, seq)]}")
            continue
        seqs[(sid, seq)] = row.line
        points.setdefault(sid, []).append((seq, (lat, lon)))
    for sid, rows in unknown.items():  # once per service, at its first point, not per point
        more = f" (and its {len(rows) - 1} other points, to line {rows[-1].line})" if len(rows) > 1 else ""
        rows[0].problem(C.SERVICE, f"shape for unknown service {sid!r}{more}")
    shapes: dict[str, tuple[Point, ...]] = {}
    for sid, seq_points in points.items():
        if sid not in services:
            continue  # the service itself was rejected; its problems are already recorded
        ordered = tuple(p for _, p in sorted(seq_points))
        if len(ordered) < 2:
            problems.append(Problem(path.name, None, C.SERVICE, f"shape of {sid!r} needs at least 2 points"))
            continue
        shapes[sid] = ordered
    return shapes


def _load_access(path: Path, context: _Context, problems: list[Problem]) -> dict[str, AccessRule]:
    rules: dict[str, AccessRule] = {}
    seen: dict[str, int] = {}
    for row in read_rows(path, REQUIRED_ACCESS_COLUMNS, problems, FileRead()):
        currency = row.get(C.CURRENCY, parse_currency, required=False, default=EUR, fallback=EUR)
        context.check_rate(row, currency, None)
        values = {
            "country": row.text(C.COUNTRY, required=True),
            "nearest_k": row.get(C.NEAREST_K, ranged(C.NEAREST_K, parse_count), fallback=1),
            "detour_factor": row.number(C.DETOUR_FACTOR),
            "speed_kmh": row.number(C.SPEED_KMH),
            "lead_time_h": row.number(C.LEAD_TIME_H, required=False),
            "eur_fixed": row.number(C.EUR_FIXED, required=False),
            "eur_per_tkm": row.number(C.EUR_PER_TKM),
            "eur_min": row.number(C.EUR_MIN, required=False),
            "kg_per_m3": row.number(C.KG_PER_M3, required=False),
            "container_eur_per_km": row.number(C.CONTAINER_EUR_PER_KM, required=False, default=None),
            "container_m3": row.number(C.CONTAINER_M3, required=False, default=None),
            "container_kg": row.number(C.CONTAINER_KG, required=False, default=None),
            "co2e_g_per_tkm": row.number(C.CO2E_G_PER_TKM, required=False),
            "source": row.text(C.SOURCE),
            "as_of": row.text(C.AS_OF),
            "currency": currency,
            "container_eur_min": _optional_number(row, C.CONTAINER_EUR_MIN),
            "eur_per_kg": row.number(C.EUR_PER_KG, required=False),
            "co2e_ttw_g_per_tkm": _optional_number(row, C.CO2E_TTW_G_PER_TKM),
            "co2e_wtt_g_per_tkm": _optional_number(row, C.CO2E_WTT_G_PER_TKM),
        }
        if not check_unique(row, values["country"], seen):
            continue
        rule = row.build(AccessRule, **values)
        if rule is not None:
            rules[rule.country] = rule
    return rules


class _Context:
    """What the files read first tell the later ones: the corridor tags of corridors.csv (None:
    any tag, the file being absent or unreadable) with every tag written there (a malformed
    row's too: its problem is reported once, not again by each service tagged with it), and
    the exchange rates (None: fx.csv unreadable, so rates are not checked)."""

    def __init__(self, corridors: dict[str, Corridor] | None, fx: FxTable | None,
                 written: Collection[str] = ()) -> None:
        self.corridors = corridors
        self.written = frozenset(written)
        self.fx = fx

    def check_corridors(self, row: Row, tags: frozenset[str]) -> None:
        if self.corridors is None:
            return
        for tag in sorted(tags - set(self.corridors) - self.written):
            known = ", ".join(sorted(self.corridors)) or "none"
            row.problem(C.CORRIDORS, f"unknown corridor {tag!r} (corridors.csv lists {known})")

    def check_rate(self, row: Row, currency: str, valid_from: date | None) -> None:
        """Record a currency that cannot be converted from the row's first valid day."""
        if self.fx is None or C.CURRENCY in row.failed:
            return
        problem = fx_problem(self.fx, currency, valid_from)
        if problem is not None:
            column, message = problem
            row.problem(column, message)


def _present(path: Path) -> bool:
    """Whether an optional file is there: a link to nothing is (and fails to read, named)."""
    return path.exists() or path.is_symlink()


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _misnamed_files(root: Path) -> list[Problem]:
    """CSV files of `root` whose name is close to a network file's but not it (`Surcharges.csv`,
    `calendar.csv`): read as nothing, they would leave the network silently without them."""
    known = sorted(C.KNOWN_COLUMNS)
    problems = []
    for path in sorted(root.glob("*.csv"), key=lambda p: p.name):
        name = path.name
        if name in C.KNOWN_COLUMNS:
            continue
        close = [k for k in known if k.lower() == name.lower()] or difflib.get_close_matches(
            name.lower(), known, n=1, cutoff=0.75)
        if close and not _same_file(root / close[0], path):
            # (On a file system blind to case, `Surcharges.csv` is surcharges.csv, read.)
            problems.append(Problem(name, None, None, f"not a network file: did you mean {close[0]!r}? "
                                                      f"(the network's files: {', '.join(known)})"))
    return problems


def load_network(directory: str | Path | None = None) -> Network:
    """Load and validate the network in `directory` (the embedded default when None).

    Raises `FileFormatError` carrying every problem found in every file, or `InputError`
    when the directory or a required file does not exist. A file that cannot be read whole
    (not UTF-8, a field too long, a missing column, no rows) is reported once: the files that
    refer to it then skip their reference checks instead of reporting every reference unknown.
    Optional files: shapes.csv, access.csv, corridors.csv, fx.csv, calendar_dates.csv,
    surcharges.csv, reliability.csv.
    """
    root = DEFAULT_NETWORK_DIR if directory is None else Path(directory)
    if not root.exists():
        raise InputError(f"network directory {str(root)!r} does not exist")
    if not root.is_dir():
        raise InputError(f"network directory {str(root)!r} is not a directory")
    for required in (C.LOCATIONS_FILE, C.SERVICES_FILE):
        if not (root / required).exists():
            raise InputError(f"network directory {str(root)!r} has no {required}")
    problems: list[Problem] = _misnamed_files(root)
    location_file = FileRead()
    locations = _load_locations(root / C.LOCATIONS_FILE, problems, location_file)
    if location_file.complete and location_file.rows == 0:
        problems.append(Problem(C.LOCATIONS_FILE, None, None, "no locations (a header but no rows)"))
    corridor_file = FileRead()
    corridors = (load_corridors(root / C.CORRIDORS_FILE, problems, corridor_file)
                 if _present(root / C.CORRIDORS_FILE) else None)
    fx_file = FileRead()
    fx = load_fx(root / C.FX_FILE, problems, fx_file) if _present(root / C.FX_FILE) else FxTable()
    context = _Context(corridors if corridor_file.complete else None,
                       fx if fx_file.complete else None, corridor_file.ids)
    # A service naming a location rejected above is not re-reported: every id written counts.
    known = location_file.ids if location_file.usable else None
    service_file = FileRead()
    services, cards = _load_services(root / C.SERVICES_FILE, locations, known, context, problems,
                                     service_file)
    # A network without services is valid (a shape then names an unknown service).
    service_ids = service_file.ids if service_file.complete else None
    if _present(root / C.CALENDAR_DATES_FILE):
        services, cards = load_calendar_dates(root / C.CALENDAR_DATES_FILE, services, cards,
                                              service_ids, problems)
    shapes = (
        _load_shapes(root / C.SHAPES_FILE, services, service_ids, problems)
        if _present(root / C.SHAPES_FILE)
        else {}
    )
    access = (_load_access(root / C.ACCESS_FILE, context, problems)
              if _present(root / C.ACCESS_FILE) else {})
    surcharges = (load_surcharges(root / C.SURCHARGES_FILE, services, service_ids,
                                  context.corridors, context.fx, problems)
                  if _present(root / C.SURCHARGES_FILE) else ())
    reliability = (load_reliability(root / C.RELIABILITY_FILE, service_ids,
                                    location_file.ids if location_file.usable else None, problems)
                   if _present(root / C.RELIABILITY_FILE) else NO_RELIABILITY)
    if problems:
        raise FileFormatError(sorted(problems, key=_problem_order))
    # Services referring to locations rejected above never reach this point.
    return Network(
        locations=locations,
        services=services,
        shapes=shapes,
        access=access,
        name=root.name if directory is not None else "default",
        rate_cards=cards,
        fx=fx,
        surcharges=surcharges,
        corridors=corridors or {},
        reliability=reliability,
    )


_FILE_ORDER = {f: i for i, f in enumerate((C.LOCATIONS_FILE, C.CORRIDORS_FILE, C.FX_FILE, C.SERVICES_FILE,
                                           C.CALENDAR_DATES_FILE, C.SHAPES_FILE, C.ACCESS_FILE,
                                           C.SURCHARGES_FILE, C.RELIABILITY_FILE))}


def _problem_order(problem: Problem) -> tuple[int, int, int]:
    return (_FILE_ORDER.get(problem.file, 99), problem.line or 0, problem.column_number or 0)

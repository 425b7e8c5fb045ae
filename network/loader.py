"""Load a network directory of CSV files into a validated `Network`.

All files are read and every problem is collected before anything is raised, so a
planner sees every defect of a file in one go, each with its file, line and column.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any

from network import columns as C
from network.csvfile import records
from network.errors import FileFormatError, InputError, InvalidFieldsError, Problem
from network.model import AccessRule, Container, Location, Network, Point, Service, range_problem

DEFAULT_NETWORK_DIR = Path(__file__).resolve().parent / "data"

REQUIRED_LOCATION_COLUMNS = (C.ID, C.NAME, C.KIND, C.COUNTRY, C.LAT, C.LON, C.TZ)
REQUIRED_SERVICE_COLUMNS = (C.ID, C.FROM, C.TO, C.MODE, C.DISTANCE_KM, C.DURATION_H)
REQUIRED_SHAPE_COLUMNS = C.SHAPE_COLUMNS
REQUIRED_ACCESS_COLUMNS = (C.COUNTRY, C.NEAREST_K, C.DETOUR_FACTOR, C.SPEED_KMH, C.EUR_PER_TKM)

# Model field -> CSV column, where the two differ (for error locations).
_FIELD_TO_COLUMN = {"origin": C.FROM, "destination": C.TO, "container": C.CONTAINER_EUR,
                    "eur": C.CONTAINER_EUR, "m3": C.CONTAINER_M3, "kg": C.CONTAINER_KG}


# --- cell parsers: each returns a value or raises ValueError with a short reason ---------------


def parse_float(text: str) -> float:
    """A finite decimal number (no units, no thousands separators)."""
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"{text!r} is not a finite number")
    return value


def ranged(column: str, parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """`parse`, then refuse a value outside `column`'s physical range (network.columns.RANGES)."""

    def parse_in_range(text: str) -> Any:
        value = parse(text)
        problem = range_problem(float(value), column, text)
        if problem is not None:
            raise ValueError(problem)
        return value

    return parse_in_range


def parse_days(text: str) -> frozenset[int]:
    """`daily`, or space-separated weekday abbreviations (`Mon Wed Fri`); empty = on demand."""
    tokens = text.split()
    if not tokens:
        return frozenset()
    if len(tokens) == 1 and tokens[0].lower() == C.DAILY:
        return frozenset(range(7))
    lookup = {d.lower(): i for i, d in enumerate(C.WEEKDAYS)}
    days: set[int] = set()
    for token in tokens:
        day = lookup.get(token.lower()[:3]) if token.lower() in _DAY_SPELLINGS else None
        if day is None:
            raise ValueError(f"{token!r} is not a weekday (use Mon Tue Wed Thu Fri Sat Sun or daily)")
        if day in days:
            raise ValueError(f"{token!r} is listed twice")
        days.add(day)
    return frozenset(days)


_DAY_SPELLINGS = {
    s.lower()
    for pair in zip(
        C.WEEKDAYS,
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        strict=True,
    )
    for s in pair
}


def parse_hhmm(text: str) -> time:
    """A local clock time `HH:MM` (00:00 to 23:59)."""
    parts = text.split(":")
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or len(parts[1]) != 2:
        raise ValueError(f"{text!r} is not a time of day HH:MM")
    hour, minute = int(parts[0]), int(parts[1])
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise ValueError(f"{text!r} is not a time of day HH:MM")
    return time(hour, minute)


def parse_goods(text: str) -> frozenset[str]:
    """Space-separated goods classes; empty = all."""
    goods = frozenset(text.split())
    unknown = sorted(goods - set(C.GOODS_CLASSES))
    if unknown:
        raise ValueError(
            f"unknown goods class {', '.join(map(repr, unknown))} (expected {', '.join(C.GOODS_CLASSES)})"
        )
    return goods


def parse_count(text: str) -> int:
    """A whole number >= 0."""
    if not text.isdigit():
        raise ValueError(f"{text!r} is not a whole number")
    return int(text)


# --- row reading ---------------------------------------------------------------------------------


@dataclass
class _Row:
    """One data row of a CSV file, with its line number and a problem collector."""

    file: str
    line: int
    cells: dict[str, str]
    header: tuple[str, ...]
    problems: list[Problem]
    failed: set[str] = field(default_factory=set)

    def problem(self, column: str | None, message: str) -> None:
        number = self.header.index(column) + 1 if column in self.header else None
        self.problems.append(Problem(self.file, self.line, column, message, number))

    def get(
        self,
        column: str,
        parse: Callable[[str], Any],
        *,
        required: bool = True,
        default: Any = None,
        fallback: Any = None,
    ) -> Any:
        """The parsed cell, or `default` when empty.

        A bad or missing required cell records a problem and yields `fallback`, so the row
        can still be built and checked for its other problems in the same pass.
        """
        text = (self.cells.get(column) or "").strip()
        if not text:
            if required:
                self.problem(column, "is empty")
                self.failed.add(column)
                return fallback
            return default
        try:
            return parse(text)
        except ValueError as exc:
            self.problem(column, str(exc))
            self.failed.add(column)
            return fallback

    def number(
        self,
        column: str,
        parse: Callable[[str], float] = parse_float,
        *,
        required: bool = True,
        default: float | None = 0.0,
    ) -> Any:
        """A numeric cell within its column's range; a bad one yields 0.0 so the rest of the row
        is still checked."""
        if column in C.RANGES:
            parse = ranged(column, parse)
        return self.get(column, parse, required=required, default=default, fallback=0.0)

    def text(self, column: str, *, required: bool = False) -> str:
        return str(self.get(column, str, required=required, default=""))

    def build(self, factory: Callable[..., Any], **kwargs: Any) -> Any:
        """Construct a model object, turning its own validation errors into located problems."""
        try:
            built = factory(**kwargs)
        except InvalidFieldsError as exc:
            for field_name, message in exc.errors:
                column = _FIELD_TO_COLUMN.get(field_name, field_name)
                if column not in self.failed:  # already reported by the cell parser
                    self.problem(column, message)
            return None
        return None if self.failed else built


@dataclass
class _FileRead:
    """What reading one file gave: whether it was read to the end, its rows, every id written."""

    complete: bool = True
    rows: int = 0
    ids: set[str] = field(default_factory=set)

    @property
    def usable(self) -> bool:
        """True when references into this file can be checked (read whole, at least one row)."""
        return self.complete and self.rows > 0


def _read_rows(path: Path, required: tuple[str, ...], problems: list[Problem],
               status: _FileRead) -> Iterator[_Row]:
    """Yield the rows of `path`; records missing columns (and stops) or reading problems.

    `status` says afterwards whether the whole file was read, so that files referring to it
    do not report every reference as unknown when it could not be.
    """
    name = path.name
    header: tuple[str, ...] = ()
    try:
        for line, cells in records(path, name):
            if not header:
                header = tuple(h.strip() for h in cells)
                if not _header_ok(name, header, required, problems):
                    status.complete = False
                    return
                continue
            if not any(c.strip() for c in cells):
                continue  # blank lines are allowed
            status.rows += 1
            if C.ID in header and header.index(C.ID) < len(cells):
                # Every id written counts as known, even on a malformed row (no follow-on errors).
                status.ids.add(cells[header.index(C.ID)].strip())
            if len(cells) != len(header):
                problems.append(
                    Problem(name, line, None, f"expected {len(header)} fields, found {len(cells)}")
                )
                continue
            yield _Row(name, line, dict(zip(header, cells, strict=True)), header, problems)
    except FileFormatError as exc:
        problems.extend(exc.problems)
        status.complete = False
        return
    if not header:
        problems.append(Problem(name, 1, None, "file is empty (expected a header row)"))
        status.complete = False


def _header_ok(name: str, header: tuple[str, ...], required: tuple[str, ...],
               problems: list[Problem]) -> bool:
    """Record missing and repeated columns of a header; True when there are none."""
    missing = [c for c in required if c not in header]
    for column in missing:
        problems.append(Problem(name, 1, column, "required column is missing"))
    duplicated = sorted({h for h in header if header.count(h) > 1})
    for column in duplicated:
        problems.append(Problem(name, 1, column, "column appears twice"))
    return not missing and not duplicated


def _check_unique(row: _Row, key: str, seen: dict[str, int]) -> bool:
    """Record a duplicate of `key` in `seen` (id -> first line); True when new."""
    if key in seen:
        row.problem(
            C.ID if row.file != C.ACCESS_FILE else C.COUNTRY,
            f"duplicate {key!r} (first defined on line {seen[key]})",
        )
        return False
    seen[key] = row.line
    return True


def _load_locations(path: Path, problems: list[Problem], status: _FileRead) -> dict[str, Location]:
    locations: dict[str, Location] = {}
    seen: dict[str, int] = {}
    for row in _read_rows(path, REQUIRED_LOCATION_COLUMNS, problems, status):
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
        }
        if not _check_unique(row, values["id"], seen):
            continue
        location = row.build(Location, **values)
        if location is not None:
            locations[location.id] = location
    return locations


def _container(row: _Row) -> Container | None:
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
                   problems: list[Problem], status: _FileRead) -> dict[str, Service]:
    """The services of `path`; references are checked against `known` location ids (all of
    them, valid or not), and not at all when `known` is None (locations.csv was unreadable)."""
    services: dict[str, Service] = {}
    seen: dict[str, int] = {}
    for row in _read_rows(path, REQUIRED_SERVICE_COLUMNS, problems, status):
        sid = row.text(C.ID, required=True)
        origin = row.text(C.FROM, required=True)
        destination = row.text(C.TO, required=True)
        for column, ref in ((C.FROM, origin), (C.TO, destination)):
            if known is not None and ref and ref not in known:
                row.problem(column, f"unknown location {ref!r}")
                row.failed.add(column)
        days = row.get(C.DAYS, parse_days, required=False, default=frozenset(), fallback=frozenset())
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
        }
        if not _check_unique(row, sid, seen):
            continue
        service = row.build(Service, **values)
        if service is not None:
            services[service.id] = service
    return services


def _load_shapes(
    path: Path, services: dict[str, Service], service_ids: set[str] | None, problems: list[Problem]
) -> dict[str, tuple[Point, ...]]:
    """Shapes of `path`; references to services are checked against `service_ids` (every id
    written in services.csv), and not at all when it is None (services.csv was unreadable)."""
    points: dict[str, list[tuple[int, Point]]] = {}
    seqs: dict[tuple[str, int], int] = {}
    for row in _read_rows(path, REQUIRED_SHAPE_COLUMNS, problems, _FileRead()):
        sid = row.text(C.SERVICE, required=True)
        seq = row.get(C.SEQ, ranged(C.SEQ, parse_count))
        lat = row.number(C.LAT)
        lon = row.number(C.LON)
        if sid and service_ids is not None and sid not in service_ids:
            row.problem(C.SERVICE, f"shape for unknown service {sid!r}")
            continue
        if row.failed or seq is None or not sid:
            continue
        if (sid, seq) in seqs:
            row.problem(C.SEQ, f"seq {seq} of {sid!r} repeats line {seqs[(sid, seq)]}")
            continue
        seqs[(sid, seq)] = row.line
        points.setdefault(sid, []).append((seq, (lat, lon)))
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


def _load_access(path: Path, problems: list[Problem]) -> dict[str, AccessRule]:
    rules: dict[str, AccessRule] = {}
    seen: dict[str, int] = {}
    for row in _read_rows(path, REQUIRED_ACCESS_COLUMNS, problems, _FileRead()):
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
        }
        if not _check_unique(row, values["country"], seen):
            continue
        rule = row.build(AccessRule, **values)
        if rule is not None:
            rules[rule.country] = rule
    return rules


def load_network(directory: str | Path | None = None) -> Network:
    """Load and validate the network in `directory` (the embedded default when None).

    Raises `FileFormatError` carrying every problem found in every file, or `InputError`
    when the directory or a required file does not exist. A file that cannot be read whole
    (not UTF-8, a field too long, a missing column, no rows) is reported once: the files that
    refer to it then skip their reference checks instead of reporting every reference unknown.
    """
    root = DEFAULT_NETWORK_DIR if directory is None else Path(directory)
    if not root.exists():
        raise InputError(f"network directory {str(root)!r} does not exist")
    if not root.is_dir():
        raise InputError(f"network directory {str(root)!r} is not a directory")
    for required in (C.LOCATIONS_FILE, C.SERVICES_FILE):
        if not (root / required).exists():
            raise InputError(f"network directory {str(root)!r} has no {required}")
    problems: list[Problem] = []
    location_file = _FileRead()
    locations = _load_locations(root / C.LOCATIONS_FILE, problems, location_file)
    if location_file.complete and location_file.rows == 0:
        problems.append(Problem(C.LOCATIONS_FILE, None, None, "no locations (a header but no rows)"))
    # A service naming a location rejected above is not re-reported: every id written counts.
    known = location_file.ids if location_file.usable else None
    service_file = _FileRead()
    services = _load_services(root / C.SERVICES_FILE, locations, known, problems, service_file)
    # A network without services is valid (a shape then names an unknown service).
    service_ids = service_file.ids if service_file.complete else None
    shapes = (
        _load_shapes(root / C.SHAPES_FILE, services, service_ids, problems)
        if (root / C.SHAPES_FILE).exists()
        else {}
    )
    access = _load_access(root / C.ACCESS_FILE, problems) if (root / C.ACCESS_FILE).exists() else {}
    if problems:
        raise FileFormatError(sorted(problems, key=_problem_order))
    # Services referring to locations rejected above never reach this point.
    return Network(
        locations=locations,
        services=services,
        shapes=shapes,
        access=access,
        name=root.name if directory is not None else "default",
    )


_FILE_ORDER = {f: i for i, f in enumerate((C.LOCATIONS_FILE, C.SERVICES_FILE, C.SHAPES_FILE, C.ACCESS_FILE))}


def _problem_order(problem: Problem) -> tuple[int, int, int]:
    return (_FILE_ORDER.get(problem.file, 99), problem.line or 0, problem.column_number or 0)

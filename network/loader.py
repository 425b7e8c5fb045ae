"""Load a network directory of CSV files into a validated `Network`.

All files are read and every problem is collected before anything is raised, so a
planner sees every defect of a file in one go, each with its file, line and column.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any

from network import columns as C
from network.errors import FileFormatError, InputError, InvalidFieldsError, Problem
from network.model import AccessRule, Container, Location, Network, Point, Service

DEFAULT_NETWORK_DIR = Path(__file__).resolve().parent / "data"

REQUIRED_LOCATION_COLUMNS = (C.ID, C.NAME, C.KIND, C.COUNTRY, C.LAT, C.LON, C.TZ)
REQUIRED_SERVICE_COLUMNS = (C.ID, C.FROM, C.TO, C.MODE, C.DISTANCE_KM, C.DURATION_H)
REQUIRED_SHAPE_COLUMNS = C.SHAPE_COLUMNS
REQUIRED_ACCESS_COLUMNS = (C.COUNTRY, C.NEAREST_K, C.DETOUR_FACTOR, C.SPEED_KMH, C.EUR_PER_TKM)

# Model field -> CSV column, where the two differ (for error locations).
_FIELD_TO_COLUMN = {"origin": C.FROM, "destination": C.TO, "container": C.CONTAINER_EUR}


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


def parse_non_negative(text: str) -> float:
    """A finite number >= 0."""
    value = parse_float(text)
    if value < 0:
        raise ValueError(f"{text!r} is negative")
    return value


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
        """A numeric cell; a bad one yields 0.0 so the rest of the row is still checked."""
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


def _read_rows(path: Path, required: tuple[str, ...], problems: list[Problem]) -> Iterator[_Row]:
    """Yield the rows of `path`; records missing columns (and stops) or decoding problems."""
    name = path.name
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        problems.append(Problem(name, None, None, f"cannot read: {exc.strerror}"))
        return
    with handle:
        reader = csv.reader(handle)
        try:
            header = tuple(h.strip() for h in next(reader, ()))
            if not header:
                problems.append(Problem(name, 1, None, "file is empty (expected a header row)"))
                return
            missing = [c for c in required if c not in header]
            for column in missing:
                problems.append(Problem(name, 1, column, "required column is missing"))
            duplicated = sorted({h for h in header if header.count(h) > 1})
            for column in duplicated:
                problems.append(Problem(name, 1, column, "column appears twice"))
            if missing or duplicated:
                return
            for cells in reader:
                if not any(c.strip() for c in cells):
                    continue  # blank lines are allowed
                line = reader.line_num
                if len(cells) != len(header):
                    problems.append(
                        Problem(name, line, None, f"expected {len(header)} fields, found {len(cells)}")
                    )
                    continue
                yield _Row(name, line, dict(zip(header, cells, strict=True)), header, problems)
        except UnicodeDecodeError as exc:
            problems.append(Problem(name, None, None, f"not UTF-8 text ({exc.reason})"))
        except csv.Error as exc:
            problems.append(Problem(name, reader.line_num, None, f"malformed CSV: {exc}"))


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


def _load_locations(path: Path, problems: list[Problem]) -> dict[str, Location]:
    locations: dict[str, Location] = {}
    seen: dict[str, int] = {}
    for row in _read_rows(path, REQUIRED_LOCATION_COLUMNS, problems):
        values = {
            "id": row.text(C.ID, required=True),
            "name": row.text(C.NAME, required=True),
            "kind": row.text(C.KIND, required=True),
            "country": row.text(C.COUNTRY, required=True),
            "lat": row.number(C.LAT),
            "lon": row.number(C.LON),
            "tz": row.text(C.TZ, required=True),
            "handling_h": row.number(C.HANDLING_H, parse_non_negative, required=False),
            "handling_eur": row.number(C.HANDLING_EUR, parse_non_negative, required=False),
            "handling_eur_per_kg": row.number(C.HANDLING_EUR_PER_KG, parse_non_negative, required=False),
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
    price = row.number(C.CONTAINER_EUR, parse_non_negative, required=False, default=None)
    m3 = row.number(C.CONTAINER_M3, parse_non_negative, required=False, default=None)
    kg = row.number(C.CONTAINER_KG, parse_non_negative, required=False, default=None)
    given = [v is not None for v in (price, m3, kg)]
    if any(given) and not all(given):
        row.problem(C.CONTAINER_EUR, "container_eur, container_m3 and container_kg go together")
        return None
    if not any(given):
        return None
    built: Container | None = row.build(Container, eur=price, m3=m3, kg=kg)
    return built


def _load_services(path: Path, locations: dict[str, Location], problems: list[Problem]) -> dict[str, Service]:
    services: dict[str, Service] = {}
    seen: dict[str, int] = {}
    for row in _read_rows(path, REQUIRED_SERVICE_COLUMNS, problems):
        sid = row.text(C.ID, required=True)
        origin = row.text(C.FROM, required=True)
        destination = row.text(C.TO, required=True)
        for column, ref in ((C.FROM, origin), (C.TO, destination)):
            if ref and ref not in locations:
                row.problem(column, f"unknown location {ref!r}")
                row.failed.add(column)
        days = row.get(C.DAYS, parse_days, required=False, default=frozenset(), fallback=frozenset())
        values = {
            "id": sid,
            "origin": origin,
            "destination": destination,
            "mode": row.text(C.MODE, required=True),
            "operator": row.text(C.OPERATOR),
            "distance_km": row.number(C.DISTANCE_KM, parse_non_negative),
            "duration_h": row.number(C.DURATION_H, parse_non_negative),
            "days": days,
            "departure": row.get(C.DEPARTURE, parse_hhmm, required=bool(days)),
            "cutoff_h": row.number(C.CUTOFF_H, parse_non_negative, required=False),
            "capacity_kg": row.number(C.CAPACITY_KG, parse_non_negative, required=False, default=None),
            "capacity_m3": row.number(C.CAPACITY_M3, parse_non_negative, required=False, default=None),
            "kg_per_m3": row.number(C.KG_PER_M3, parse_non_negative, required=False),
            "eur_fixed": row.number(C.EUR_FIXED, parse_non_negative, required=False),
            "eur_per_kg": row.number(C.EUR_PER_KG, parse_non_negative, required=False),
            "eur_per_tkm": row.number(C.EUR_PER_TKM, parse_non_negative, required=False),
            "eur_min": row.number(C.EUR_MIN, parse_non_negative, required=False),
            "container": _container(row),
            "co2e_g_per_tkm": row.number(C.CO2E_G_PER_TKM, parse_non_negative, required=False),
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
    path: Path, services: dict[str, Service], service_ids: set[str], problems: list[Problem]
) -> dict[str, tuple[Point, ...]]:
    points: dict[str, list[tuple[int, Point]]] = {}
    seqs: dict[tuple[str, int], int] = {}
    for row in _read_rows(path, REQUIRED_SHAPE_COLUMNS, problems):
        sid = row.text(C.SERVICE, required=True)
        seq = row.get(C.SEQ, parse_count)
        lat = row.number(C.LAT)
        lon = row.number(C.LON)
        if sid and sid not in service_ids:
            row.problem(C.SERVICE, f"shape for unknown service {sid!r}")
            continue
        if lat is not None and not -90 <= lat <= 90:
            row.problem(C.LAT, f"{lat!r} is outside -90..90")
            continue
        if lon is not None and not -180 <= lon <= 180:
            row.problem(C.LON, f"{lon!r} is outside -180..180")
            continue
        if None in (seq, lat, lon) or not sid:
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
    for row in _read_rows(path, REQUIRED_ACCESS_COLUMNS, problems):
        values = {
            "country": row.text(C.COUNTRY, required=True),
            "nearest_k": row.get(C.NEAREST_K, parse_count, fallback=1),
            "detour_factor": row.number(C.DETOUR_FACTOR, parse_non_negative),
            "speed_kmh": row.number(C.SPEED_KMH, parse_non_negative),
            "lead_time_h": row.number(C.LEAD_TIME_H, parse_non_negative, required=False),
            "eur_fixed": row.number(C.EUR_FIXED, parse_non_negative, required=False),
            "eur_per_tkm": row.number(C.EUR_PER_TKM, parse_non_negative),
            "eur_min": row.number(C.EUR_MIN, parse_non_negative, required=False),
            "kg_per_m3": row.number(C.KG_PER_M3, parse_non_negative, required=False),
            "container_eur_per_km": row.number(
                C.CONTAINER_EUR_PER_KM, parse_non_negative, required=False, default=None
            ),
            "container_m3": row.number(C.CONTAINER_M3, parse_non_negative, required=False, default=None),
            "container_kg": row.number(C.CONTAINER_KG, parse_non_negative, required=False, default=None),
            "co2e_g_per_tkm": row.number(C.CO2E_G_PER_TKM, parse_non_negative, required=False),
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
    when the directory or a required file does not exist.
    """
    root = DEFAULT_NETWORK_DIR if directory is None else Path(directory)
    if not root.is_dir():
        raise InputError(f"network directory {str(root)!r} does not exist")
    for required in (C.LOCATIONS_FILE, C.SERVICES_FILE):
        if not (root / required).is_file():
            raise InputError(f"network directory {str(root)!r} has no {required}")
    problems: list[Problem] = []
    locations = _load_locations(root / C.LOCATIONS_FILE, problems)
    location_ids_ok = not any(p.file == C.LOCATIONS_FILE for p in problems)
    # When locations.csv is broken, a service naming a rejected location would add noise;
    # only ids that appear in the file at all count as unknown.
    known = locations if location_ids_ok else _all_ids(root / C.LOCATIONS_FILE, locations)
    services = _load_services(root / C.SERVICES_FILE, known, problems)
    service_ids = _all_ids(root / C.SERVICES_FILE, services)
    shapes = (
        _load_shapes(root / C.SHAPES_FILE, services, set(service_ids), problems)
        if (root / C.SHAPES_FILE).is_file()
        else {}
    )
    access = _load_access(root / C.ACCESS_FILE, problems) if (root / C.ACCESS_FILE).is_file() else {}
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


def _all_ids(path: Path, parsed: dict[str, Any]) -> dict[str, Any]:
    """Every id written in `path` (valid or not), so references to them are not re-reported."""
    ids: dict[str, Any] = dict(parsed)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for record in csv.DictReader(handle):
                key = (record.get(C.ID) or "").strip()
                if key:
                    ids.setdefault(key, None)
    except (OSError, UnicodeDecodeError, csv.Error):
        pass
    return ids


_FILE_ORDER = {f: i for i, f in enumerate((C.LOCATIONS_FILE, C.SERVICES_FILE, C.SHAPES_FILE, C.ACCESS_FILE))}


def _problem_order(problem: Problem) -> tuple[int, int, int]:
    return (_FILE_ORDER.get(problem.file, 99), problem.line or 0, problem.column_number or 0)

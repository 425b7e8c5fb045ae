"""Read a consignments CSV: every problem of the file reported together as file:line:column."""

from __future__ import annotations

import math
from pathlib import Path

from network.columns import GOODS_CLASSES
from network.csvfile import records
from network.errors import (
    FieldError,
    FileFormatError,
    InputError,
    InvalidFieldsError,
    OffNetworkError,
    Problem,
    UnservableRowsError,
)
from network.model import Network
from network.quantities import parse_volume_m3, parse_weight_kg
from routing.consignment import Consignment
from routing.limits import MAX_VALUE_EUR, quantity_problem
from routing.query import build_consignment, check_window
from routing.search import DEFAULT_HORIZON_DAYS

REQUIRED = ("id", "origin", "destination", "weight_kg", "volume_m3", "ready")
OPTIONAL = ("due", "goods", "value_eur")


def read_consignments(path: str | Path, network: Network,
                      horizon_days: float = DEFAULT_HORIZON_DAYS) -> tuple[Network, tuple[Consignment, ...]]:
    """The consignments of `path` and the network extended with any world cities they name.

    Raises `FileFormatError` carrying every problem (file:line:column) when the file is bad
    (not a regular file, too big, not UTF-8, malformed rows, a ready time whose `horizon_days`
    runs past the supported range), or `UnservableRowsError` when its only problems are places
    the network cannot serve.
    """
    path = Path(path)
    name = str(path)
    problems: list[Problem] = []
    unservable: list[Problem] = []
    consignments: list[Consignment] = []
    header: list[str] = []
    seen: dict[str, int] = {}
    try:
        for line, cells in records(path, name):
            if not header:
                header = [h.strip() for h in cells]
                _check_header(name, header)
                continue
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                problems.append(Problem(name, line, None,
                                        f"expected {len(header)} fields, found {len(cells)}"))
                continue
            row = {h: c.strip() for h, c in zip(header, cells, strict=True)}
            network, consignment = _row(network, _Where(name, line, header, problems, unservable),
                                        row, seen, horizon_days)
            if consignment is not None:
                consignments.append(consignment)
    except FileFormatError as exc:
        problems.extend(exc.problems)
    if not header and not problems:
        problems.append(Problem(name, 1, None, "file is empty (expected a header row)"))
    if problems:
        raise FileFormatError(sorted(problems + unservable, key=lambda p: (p.line or 0,
                                                                           p.column_number or 0)))
    if unservable:
        raise UnservableRowsError(unservable)
    if not consignments:
        raise FileFormatError([Problem(name, None, None, "no consignments in the file")])
    return network, tuple(consignments)


def _check_header(name: str, header: list[str]) -> None:
    """Refuse a header with missing, repeated or unknown columns (nothing else can be read)."""
    problems = [Problem(name, 1, c, "required column is missing") for c in REQUIRED
                if c not in header]
    problems += [Problem(name, 1, h, "column appears twice", i + 1)
                 for i, h in enumerate(header) if header.index(h) != i]
    expected = ", ".join(REQUIRED + OPTIONAL)
    problems += [Problem(name, 1, h, f"unknown column (expected {expected})", i + 1)
                 for i, h in enumerate(header) if h not in REQUIRED + OPTIONAL]
    if problems:
        raise FileFormatError(problems)


class _Where:
    """Where a row's problems go: its file, line and header, and the two problem lists."""

    def __init__(self, name: str, line: int, header: list[str], problems: list[Problem],
                 unservable: list[Problem]) -> None:
        self.name, self.line, self.header = name, line, header
        self.problems, self.unservable = problems, unservable

    def bad(self, column: str, message: str, *, servable: bool = True) -> None:
        column = column if column in self.header else "id"
        problem = Problem(self.name, self.line, column, message, self.header.index(column) + 1)
        (self.problems if servable else self.unservable).append(problem)


def _row(network: Network, where: _Where, row: dict[str, str], seen: dict[str, int],
         horizon_days: float) -> tuple[Network, Consignment | None]:
    """Parse one row; problems go to `where` (each with its column number)."""
    before = len(where.problems) + len(where.unservable)
    bad = where.bad
    cid = row["id"]
    if not cid:
        bad("id", "is empty")
    elif cid in seen:
        bad("id", f"duplicate id {cid!r} (first on line {seen[cid]})")
    else:
        seen[cid] = where.line
    for column in ("origin", "destination", "ready"):
        if not row[column]:
            bad(column, "is empty")
    weight = volume = math.nan
    try:
        weight = parse_weight_kg(row["weight_kg"])
    except InputError as exc:
        bad("weight_kg", str(exc))
    try:
        volume = parse_volume_m3(row["volume_m3"])
    except InputError as exc:
        bad("volume_m3", str(exc))
    value = _value(row["value_eur"], where) if row.get("value_eur") else None
    goods = row.get("goods") or "general"
    if goods not in GOODS_CLASSES:
        bad("goods", f"unknown goods class {goods!r} (expected {', '.join(GOODS_CLASSES)})")
    if len(where.problems) + len(where.unservable) > before:
        return network, None
    extended = network
    try:
        extended, consignment = build_consignment(
            network, row["origin"], row["destination"], weight_kg=weight, volume_m3=volume,
            ready=row["ready"], due=row.get("due") or None, goods=goods, value_eur=value,
            consignment_id=cid)
        check_window(consignment.ready, horizon_days, "ready", "--horizon-days", "ready")
    except InvalidFieldsError as exc:
        for field_name, message in exc.errors:
            bad(field_name, message)
        return network, None
    except FieldError as exc:
        bad(exc.field, str(exc))
        return network, None
    except OffNetworkError as exc:  # a valid place the network cannot serve
        bad(exc.field or "origin", str(exc), servable=False)
        return network, None
    except InputError as exc:  # an unknown place, its field named by build_consignment
        bad(exc.field or "origin", str(exc))
        return network, None
    return extended, consignment


def _value(text: str, where: _Where) -> float | None:
    """The value_eur cell as an amount of EUR, or None after reporting the problem."""
    try:
        value = float(text)
    except ValueError:
        where.bad("value_eur", f"{text!r} is not an amount of EUR (zero or more)")
        return None
    problem = quantity_problem(value, MAX_VALUE_EUR, "EUR", zero_ok=True)
    if problem is not None:
        where.bad("value_eur", problem)
        return None
    return value

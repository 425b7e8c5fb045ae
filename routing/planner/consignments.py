"""Read a consignments file (CSV in any dialect Excel writes, or xlsx): every problem of the file
reported together as file:line:column."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from network.columns import GOODS_CLASSES
from network.csvfile import field_count_problem
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
from network.quantities import AmbiguousNumberError, parse_number, parse_volume_m3, parse_weight_kg
from network.tables import read_table
from routing.consignment import Consignment
from routing.limits import MAX_VALUE_EUR, quantity_problem
from routing.query import build_consignment, check_window, normalise_goods
from routing.search import DEFAULT_HORIZON_DAYS

REQUIRED = ("id", "origin", "destination", "weight_kg", "ready")
OPTIONAL = ("volume_m3", "due", "goods", "value_eur")
NUMERIC = ("weight_kg", "volume_m3", "value_eur")


@dataclass
class ReadReport:
    """What reading a consignments file found out: its format in words, and notes (places read
    under another name, volumes assumed), each with the lines it applies to."""

    description: str = ""
    notes: dict[str, list[int]] = field(default_factory=dict)  # note -> lines

    def note_lines(self, limit: int = 20) -> list[str]:
        """The notes, one line each (`… (lines 2, 5 and 7)`), at most `limit` then a count."""
        out = []
        for note, lines in self.notes.items():
            shown = ", ".join(str(n) for n in lines[:5])
            more = f" and {len(lines) - 5} more" if len(lines) > 5 else ""
            out.append(f"{note} (line{'s' if len(lines) > 1 else ''} {shown}{more})")
        if len(out) > limit:
            out = [*out[:limit], f"… and {len(out) - limit} more notes"]
        return out


def read_consignments(path: str | Path, network: Network,
                      horizon_days: float = DEFAULT_HORIZON_DAYS, *, sheet: str | None = None,
                      delimiter: str = "auto", decimal: str = "auto", encoding: str = "auto",
                      report: ReadReport | None = None) -> tuple[Network, tuple[Consignment, ...]]:
    """The consignments of `path` and the network extended with any world cities they name.

    `path` is CSV (its encoding, field separator and decimal separator detected unless given:
    see `network.tables.read_table`) or an xlsx workbook (its first sheet, or `sheet`). What was
    detected and the notes on rows go to `report`. Raises `FileFormatError` carrying every
    problem (file:line:column) when the file is bad (not a regular file, too big, an encoding,
    separator or number it cannot tell, malformed rows, a ready time whose `horizon_days` runs
    past the supported range), or `UnservableRowsError` when its only problems are places the
    network cannot serve.
    """
    path = Path(path)
    name = str(path)
    problems: list[Problem] = []
    unservable: list[Problem] = []
    consignments: list[Consignment] = []
    header: list[str] = []
    seen: dict[str, int] = {}
    report = report if report is not None else ReadReport()
    try:
        table = read_table(path, name, expected=REQUIRED + OPTIONAL, numeric=NUMERIC, sheet=sheet,
                           delimiter=delimiter, decimal=decimal, encoding=encoding)
        report.description = table.description
        header = table.header
        if header:
            _check_header(name, header)
        for line, cells in table.rows:
            if not any(_text(c) for c in cells):
                continue
            if len(cells) != len(header):
                problems.append(field_count_problem(name, line, len(header), cells))
                continue
            row = dict(zip(header, cells, strict=True))
            where = _Where(name, line, header, problems, unservable, table.decimal)
            notes: list[str] = []
            network, consignment = _row(network, where, row, seen, horizon_days, notes)
            for note in notes:
                report.notes.setdefault(note, []).append(line)
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


def _text(cell: Any) -> str:
    """A cell as text (numbers as Python writes them), stripped; None is empty."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


class _Where:
    """Where a row's problems go: its file, line and header, and the two problem lists."""

    def __init__(self, name: str, line: int, header: list[str], problems: list[Problem],
                 unservable: list[Problem], decimal: str | None = None) -> None:
        self.name, self.line, self.header = name, line, header
        self.problems, self.unservable = problems, unservable
        self.decimal = decimal

    def bad(self, column: str, message: str, *, servable: bool = True) -> None:
        column = column if column in self.header else "id"
        problem = Problem(self.name, self.line, column, message, self.header.index(column) + 1)
        (self.problems if servable else self.unservable).append(problem)


_NO_DECIMAL_HINT = ("; nothing else in the file shows its decimal separator: give --decimal comma "
                    "(then {cell} is {comma}) or --decimal point ({point})")


def _quantity(cell: Any, column: str, where: _Where, parse: Any) -> float:
    """A weight or volume cell: a typed number as is, text by `parse` (units allowed)."""
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        return float(cell) if cell > 0 else _bad_number(where, column, f"{cell!r} must be greater "
                                                                       "than zero")
    text = _text(cell)
    try:
        value: float = parse(text, where.decimal)
        return value
    except InputError as exc:
        message = str(exc)
        if "is ambiguous" in message and where.decimal is None:
            message += _hint(text)
        return _bad_number(where, column, message)


def _hint(text: str) -> str:
    number = "".join(c for c in text if c.isdigit() or c in ".,")
    try:
        comma, point = parse_number(number, ","), parse_number(number, ".")
    except ValueError:
        return ""
    return _NO_DECIMAL_HINT.format(cell=text, comma=f"{comma:g}", point=f"{point:g}")


def _bad_number(where: _Where, column: str, message: str) -> float:
    where.bad(column, message)
    return math.nan


def _row(network: Network, where: _Where, raw: dict[str, Any], seen: dict[str, int],
         horizon_days: float, notes: list[str]) -> tuple[Network, Consignment | None]:
    """Parse one row; problems go to `where` (each with its column number)."""
    before = len(where.problems) + len(where.unservable)
    bad = where.bad
    row = {k: _text(v) for k, v in raw.items()}
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
    weight = _quantity(raw["weight_kg"], "weight_kg", where, parse_weight_kg)
    volume: float | None = None
    if row.get("volume_m3"):
        volume = _quantity(raw["volume_m3"], "volume_m3", where, parse_volume_m3)
    value = _value(raw["value_eur"], where) if row.get("value_eur") else None
    goods = normalise_goods(row.get("goods") or "general")
    if goods not in GOODS_CLASSES:
        bad("goods", f"unknown goods class {goods!r} (expected {', '.join(GOODS_CLASSES)})")
    if len(where.problems) + len(where.unservable) > before:
        return network, None
    extended = network
    try:
        extended, consignment = build_consignment(
            network, row["origin"], row["destination"], weight_kg=weight, volume_m3=volume,
            ready=row["ready"], due=row.get("due") or None, goods=goods, value_eur=value,
            consignment_id=cid, notes=notes)
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


def _value(cell: Any, where: _Where) -> float | None:
    """The value_eur cell as an amount of EUR, or None after reporting the problem."""
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        value = float(cell)
    else:
        text = _text(cell).removeprefix("EUR").removeprefix("€").removesuffix("EUR")
        text = text.removesuffix("€").strip()
        try:
            value = parse_number(text, where.decimal)
        except AmbiguousNumberError as exc:
            where.bad("value_eur", str(exc) + ("" if where.decimal else _hint(text)))
            return None
        except ValueError:
            where.bad("value_eur", f"{_text(cell)!r} is not an amount of EUR (zero or more)")
            return None
    problem = quantity_problem(value, MAX_VALUE_EUR, "EUR", zero_ok=True)
    if problem is not None:
        where.bad("value_eur", problem)
        return None
    return value

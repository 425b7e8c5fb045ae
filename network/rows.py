"""Reading network CSV files row by row: cell parsers and a problem collector per row.

Every cell parser returns a value or raises `ValueError` with a short reason; `Row` turns those
and the model objects' own validation errors into located problems (`file:line:column`), so a
file's every defect is reported in one pass.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Any

from network import columns as C
from network.csvfile import field_count_problem, records
from network.errors import FileFormatError, InvalidFieldsError, Problem
from network.fx import currency_problem
from network.model import TAG_PATTERN, range_problem
from routing.limits import EARLIEST_INSTANT, last_day_text

# Model field -> CSV column, where the two differ (for error locations).
FIELD_TO_COLUMN = {"origin": C.FROM, "destination": C.TO, "container": C.CONTAINER_EUR,
                   "eur": C.CONTAINER_EUR, "m3": C.CONTAINER_M3, "kg": C.CONTAINER_KG,
                   "calendar": C.VALID_FROM}


# --- cell parsers: each returns a value or raises ValueError with a short reason ---------------


def parse_float(text: str) -> float:
    """A finite decimal number as network files write it: ASCII digits, a point before any
    decimals, no units and no grouping (Python's `float` alone would take `1_000` and digits of
    other scripts)."""
    if not text.isascii() or "_" in text:
        raise ValueError(f"{text!r} is not a number (network files write numbers as 1234.5)")
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
            if token.lower() == C.DAILY:
                raise ValueError("'daily' stands alone (it means every day): drop the other days")
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
    if len(parts) != 2 or not all(p.isascii() and p.isdigit() for p in parts) or len(parts[1]) != 2:
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
    if not (text.isascii() and text.isdigit()):
        below = " (at least 0)" if text.startswith("-") else ""
        raise ValueError(f"{text!r} is not a whole number{below}")
    return int(text)


def parse_date(text: str) -> date:
    """An ISO date `YYYY-MM-DD` within the supported range."""
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date YYYY-MM-DD") from None
    if len(text) != 10:
        raise ValueError(f"{text!r} is not a date YYYY-MM-DD")
    first = EARLIEST_INSTANT.date()
    if not first.isoformat() <= text <= last_day_text():
        raise ValueError(f"{text} is outside the supported range {first.isoformat()} to {last_day_text()}")
    return value


def parse_currency(text: str) -> str:
    """An ISO 4217 currency code."""
    problem = currency_problem(text)
    if problem is not None:
        raise ValueError(problem)
    return text


def parse_tags(text: str) -> frozenset[str]:
    """Space-separated corridor tags."""
    tags = text.split()
    for tag in tags:
        if not TAG_PATTERN.match(tag):
            raise ValueError(f"{tag!r} is not a corridor tag (letters, digits, '_', '-')")
        if tags.count(tag) > 1:
            raise ValueError(f"{tag!r} is listed twice")
    return frozenset(tags)


# --- row reading ---------------------------------------------------------------------------------


@dataclass
class Row:
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
                column = FIELD_TO_COLUMN.get(field_name, field_name)
                if column not in self.failed:  # already reported by the cell parser
                    self.problem(column, message)
            return None
        return None if self.failed else built


@dataclass
class FileRead:
    """What reading one file gave: whether it was read to the end, its rows, every id written."""

    complete: bool = True
    rows: int = 0
    ids: set[str] = field(default_factory=set)

    @property
    def usable(self) -> bool:
        """True when references into this file can be checked (read whole, at least one row)."""
        return self.complete and self.rows > 0


def read_rows(path: Path, required: tuple[str, ...], problems: list[Problem],
               status: FileRead, key: str = C.ID) -> Iterator[Row]:
    """Yield the rows of `path`; records missing columns (and stops) or reading problems.

    `status` says afterwards whether the whole file was read, so that files referring to it
    do not report every reference as unknown when it could not be, and every value written in
    column `key` (the ids other files refer to).
    """
    name = path.name
    header: tuple[str, ...] = ()
    try:
        for line, cells in records(path, name):
            if not header:
                header = tuple(h.strip() for h in cells)
                if not header_ok(name, header, required, problems):
                    status.complete = False
                    return
                continue
            if not any(c.strip() for c in cells):
                continue  # blank lines are allowed
            status.rows += 1
            if key in header and header.index(key) < len(cells):
                # Every id written counts as known, even on a malformed row (no follow-on errors).
                status.ids.add(cells[header.index(key)].strip())
            if len(cells) != len(header):
                problems.append(field_count_problem(name, line, len(header), cells))
                continue
            yield Row(name, line, dict(zip(header, cells, strict=True)), header, problems)
    except FileFormatError as exc:
        problems.extend(exc.problems)
        status.complete = False
        return
    if not header:
        problems.append(Problem(name, 1, None, "file is empty (expected a header row)"))
        status.complete = False


def header_ok(name: str, header: tuple[str, ...], required: tuple[str, ...],
               problems: list[Problem]) -> bool:
    """Record missing and repeated columns of a header; True when there are none."""
    missing = [c for c in required if c not in header]
    for column in missing:
        problems.append(Problem(name, 1, column, "required column is missing"))
    duplicated = sorted({h for h in header if header.count(h) > 1})
    for column in duplicated:
        problems.append(Problem(name, 1, column, "column appears twice"))
    known = C.KNOWN_COLUMNS.get(name)
    unknown = [(i, h) for i, h in enumerate(header, start=1) if known is not None and h not in known]
    for number, column in unknown:
        close = difflib.get_close_matches(column.lower(), known or (), n=1, cutoff=0.6)
        hint = (f"; did you mean {close[0]!r}?" if close
                else f" (the columns of {name}: {', '.join(known or ())})")
        problems.append(Problem(name, 1, column or "(empty)", f"unknown column {column!r}{hint}", number))
    return not missing and not duplicated and not unknown


def check_unique(row: Row, key: str, seen: dict[str, int]) -> bool:
    """Record a duplicate of `key` in `seen` (id -> first line); True when new."""
    if key in seen:
        row.problem(
            C.ID if row.file != C.ACCESS_FILE else C.COUNTRY,
            f"duplicate {key!r} (first defined on line {seen[key]})",
        )
        return False
    seen[key] = row.line
    return True

"""Read a table a planner keeps in a spreadsheet: CSV in the dialect it was saved in, or xlsx.

CSV: the encoding (UTF-8 with or without a byte-order mark, else Windows-1252), the field
separator (`,`, `;` or tab, from the header row) and the decimal separator (from the number
cells that show one unambiguously, e.g. `1,5` or `3.25`) are detected and described, or the
file is refused in one line naming what was found and the option that settles it. xlsx: the
first sheet, or the one named; numbers and dates are read as typed cells. Trailing empty
columns (what Excel leaves after the last one used) are ignored in both.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from network.csvfile import likely_encoding, read_bytes, text_records
from network.errors import FileFormatError, Problem
from network.quantities import DECIMAL_NAMES, decimal_evidence

DELIMITERS = {"comma": ",", "semicolon": ";", "tab": "\t"}
DELIMITER_NAMES = {",": "','", ";": "';'", "\t": "tab"}
DECIMALS = {"comma": ",", "point": "."}
ENCODINGS = {"utf-8": "utf-8-sig", "windows-1252": "cp1252", "latin-1": "latin-1"}
XLSX_MAGIC = b"PK\x03\x04"
MAX_XLSX_EXPANDED = 1024 * 1024 * 1024  # a workbook whose parts inflate past this is refused
MAX_ROWS = 2_000_000


@dataclass
class Table:
    """A header and its rows, each row with the line (CSV) or row (xlsx) number it came from."""

    name: str
    description: str  # e.g. "CSV, ';'-separated, decimal comma, Windows-1252"
    header: list[str]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    decimal: str | None = None  # the decimal separator of text numbers, when known
    header_line: int = 1
    sheet: str | None = None  # the xlsx sheet read


def _refuse(name: str, message: str, line: int | None = None) -> FileFormatError:
    return FileFormatError([Problem(name, line, None, message)])


def _trim(cells: list[Any]) -> list[Any]:
    """Without the empty cells at the end (Excel's unused trailing columns)."""
    end = len(cells)
    while end and (cells[end - 1] is None or (isinstance(cells[end - 1], str)
                                               and not cells[end - 1].strip())):
        end -= 1
    return cells[:end]


def read_table(path: Path, name: str, *, expected: Sequence[str], numeric: Sequence[str] = (),
               sheet: str | None = None, delimiter: str = "auto", decimal: str = "auto",
               encoding: str = "auto") -> Table:
    """The table in `path` (CSV or xlsx, told by its first bytes), header first.

    `expected` are the column names the header may hold (to tell the field separator);
    `numeric` the columns whose text cells tell the decimal separator. `delimiter`
    (auto|comma|semicolon|tab), `decimal` (auto|comma|point) and `encoding`
    (auto|utf-8|windows-1252|latin-1) apply to CSV, `sheet` to xlsx. Raises `FileFormatError`.
    """
    data = read_bytes(path, name)
    if data.startswith(XLSX_MAGIC):
        table = _xlsx(data, name, sheet)
        if decimal != "auto":
            table.decimal = DECIMALS[decimal]
        else:
            table.decimal = _decimal(table, numeric)
        return table
    if sheet is not None:
        raise _refuse(name, f"--sheet {sheet!r} applies to xlsx workbooks; this file is not one "
                            "(it reads as text)")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _refuse(name, "is an old Excel .xls workbook: save it as .xlsx or as CSV")
    text, encoding_text = _decode(data, name, encoding)
    del data
    sep = DELIMITERS[delimiter] if delimiter != "auto" else _delimiter(text, name, expected)
    table = Table(name, "", [])
    for line, cells in text_records(text, name, sep):
        if not table.header:
            if not any(c.strip() for c in cells):
                continue
            table.header = [h.strip() for h in _trim(cells)]
            table.header_line = line
            continue
        if len(cells) > len(table.header):
            cells = cells[: len(table.header)] + _trim(cells[len(table.header):])
        table.rows.append((line, cells))
    table.decimal = DECIMALS[decimal] if decimal != "auto" else _decimal(table, numeric)
    how = (f"decimal {'comma' if table.decimal == ',' else 'point'}" if table.decimal
           else "no decimal numbers")
    if decimal != "auto":
        how += " (--decimal)"
    table.description = f"CSV, {DELIMITER_NAMES[sep]}-separated, {how}, {encoding_text}"
    return table


def _decode(data: bytes, name: str, encoding: str) -> tuple[str, str]:
    """The text of `data` and its encoding in words."""
    if encoding != "auto":
        try:
            text = data.decode(ENCODINGS[encoding])
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise _refuse(name, f"byte 0x{data[exc.start]:02X} is not {encoding} (the file looks "
                                f"like {likely_encoding(data)})", line) from None
        return _no_nul(text, name), encoding + (" with BOM" if data.startswith(b"\xef\xbb\xbf")
                                                else "")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or data[:200].count(b"\x00") > 10:
        raise _refuse(name, "is UTF-16 text (Excel's 'Unicode Text'): save it as 'CSV UTF-8' or "
                            "'CSV (separator: semicolon)', or as .xlsx")
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return _no_nul(data.decode("utf-8-sig"), name), "UTF-8 with BOM"
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise _refuse(name, f"starts with a UTF-8 byte-order mark but byte 0x{data[exc.start]:02X} "
                                "is not UTF-8: give --encoding windows-1252 or latin-1 if it is "
                                "one of those", line) from None
    try:
        return _no_nul(data.decode("utf-8"), name), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return _no_nul(data.decode("cp1252"), name), "Windows-1252 (not UTF-8)"
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise _refuse(name, f"byte 0x{data[exc.start]:02X} is neither UTF-8 nor Windows-1252: save "
                            "the file as 'CSV UTF-8', or give --encoding latin-1 if it is Latin-1",
                      line) from None


def _no_nul(text: str, name: str) -> str:
    nul = text.find("\x00")
    if nul >= 0:
        raise _refuse(name, "contains a NUL character (the file looks binary): save it as CSV "
                            "text or .xlsx", text.count("\n", 0, nul) + 1)
    return text


def _delimiter(text: str, name: str, expected: Sequence[str]) -> str:
    """The separator that splits the header row into the most known column names."""
    import csv

    first = next((line for line in text.splitlines() if line.strip()), "")
    known = {e.casefold() for e in expected}
    scores = {}
    for sep in (",", ";", "\t"):
        cells = next(csv.reader([first], delimiter=sep), [])
        scores[sep] = sum(1 for c in cells if c.strip().casefold() in known)
    best = max(scores.values())
    winners = [s for s, n in scores.items() if n == best]
    if best >= 2 and len(winners) == 1:
        return winners[0]
    shown = first if len(first) <= 80 else first[:77] + "..."
    raise _refuse(name, f"cannot tell the field separator: the header {shown!r} does not name the "
                        f"columns ({', '.join(expected)}) when split at ',', ';' or tab: fix the "
                        "header or give --delimiter comma|semicolon|tab", 1)


def _decimal(table: Table, numeric: Sequence[str]) -> str | None:
    """The decimal separator the numeric text cells show, or None; refuses a file showing both."""
    seen: dict[str, tuple[int, str, str]] = {}
    columns = [(i, h) for i, h in enumerate(table.header) if h in numeric]
    for line, cells in table.rows:
        for i, column in columns:
            if i < len(cells) and isinstance(cells[i], str):
                found = decimal_evidence(cells[i])
                if found is not None and found not in seen:
                    seen[found] = (line, column, cells[i].strip())
        if len(seen) == 2:
            (a, (la, ca, va)), (b, (lb, cb, vb)) = sorted(seen.items(), key=lambda x: x[1][0])
            raise FileFormatError([Problem(
                table.name, lb, cb,
                f"{vb!r} has a {DECIMAL_NAMES[b]} but line {la} ({ca}) has {va!r} with a "
                f"{DECIMAL_NAMES[a]}: use one decimal separator, or give --decimal comma|point",
                table.header.index(cb) + 1)])
    return next(iter(seen), None)


# --- xlsx --------------------------------------------------------------------------------------


def _xlsx(data: bytes, name: str, sheet: str | None) -> Table:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        expanded = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise _refuse(name, f"is not a readable xlsx workbook ({exc})") from None
    if expanded > MAX_XLSX_EXPANDED:
        raise _refuse(name, f"is an xlsx workbook that expands to {expanded / 2**20:,.0f} MiB, over "
                            f"the {MAX_XLSX_EXPANDED / 2**20:,.0f} MiB limit")
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it skips
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged workbook
        detail = " ".join(str(exc).split())[:120] or type(exc).__name__
        raise _refuse(name, f"is not a readable xlsx workbook ({detail})") from None
    try:
        # A read-only workbook parses its sheets lazily: a damaged sheet (cut short, a cell
        # naming a column or shared string that does not exist, text in a number cell) fails
        # while its rows are read, in any of openpyxl's or the XML parser's exceptions.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # Empty cells are kept track of only when a formula could be behind one.
            formulas = _has_formulas(archive)
            table, empty = _sheet_table(book, name, sheet, formulas)
            problems = _uncalculated(data, name, table, empty) if formulas else []
    except FileFormatError:
        raise
    except Exception as exc:
        detail = " ".join(str(exc).split())[:120] or type(exc).__name__
        raise _refuse(name, f"is not a readable xlsx workbook ({detail})") from None
    finally:
        book.close()
    if problems:
        raise FileFormatError(problems)
    return table


# A formula element in a sheet's XML (`<f>`, `<f t="shared" …/>`, or with a namespace prefix).
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _has_formulas(archive: zipfile.ZipFile) -> bool:
    """Whether some worksheet of the workbook holds a formula (read sheet by sheet)."""
    return any(_FORMULA.search(archive.read(info)) for info in archive.infolist()
               if info.filename.startswith("xl/worksheets/"))


def _uncalculated(data: bytes, name: str, table: Table, empty: set[tuple[int, int]]) -> list[Problem]:
    """The cells of `empty` (row, column index) that hold a formula with no value saved: a
    workbook written by a program (or saved without recalculating) stores formulas without
    their results, and such a cell would otherwise read as empty, e.g. a weight "is empty"
    beside its formula. (A formula whose result is empty text is saved as such, typed text:
    `_sheet_table` leaves those out of `empty`.)

    The sheet is read again (formulas this time) only when such a cell is empty (the caller
    asks only when the workbook has formulas)."""
    kept = {number for number, _ in table.rows}  # a row left out as empty stays out
    empty = {(number, col) for number, col in empty if number in kept and col < len(table.header)}
    if not empty:
        return []
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        problems = []
        for number, row in enumerate(book[table.sheet].iter_rows(), start=1):
            for col, cell in enumerate(row[:len(table.header)]):
                formula = getattr(cell, "value", None)
                if ((number, col) in empty and isinstance(formula, str)
                        and formula.startswith("=")):
                    problems.append(Problem(
                        name, number, table.header[col] or None,
                        f"the cell holds a formula with no saved value ({formula[:40]}): open the "
                        "workbook in Excel or LibreOffice and save it, or type the value",
                        col + 1))
        return problems
    finally:
        book.close()


def _sheet_table(book: Any, name: str, sheet: str | None,
                 track_empty: bool = False) -> tuple[Table, set[tuple[int, int]]]:
    """The table of sheet `sheet` of `book` (the first when None), and (with `track_empty`)
    where its rows have an empty cell that is not text (row number, column index): a number or
    a formula never calculated (`_uncalculated`)."""
    names = list(book.sheetnames)
    if not names:
        raise _refuse(name, "the workbook has no sheet")
    if sheet is None:
        chosen = names[0]
    else:
        matches = [n for n in names if n == sheet] or [n for n in names
                                                      if n.casefold() == sheet.strip().casefold()]
        if not matches:
            raise _refuse(name, f"no sheet {sheet!r} in the workbook (its sheets: "
                                f"{', '.join(repr(n) for n in names)})")
        chosen = matches[0]
    table = Table(name, f"xlsx, sheet {chosen!r}" + (" (the first)" if sheet is None else ""), [],
                  sheet=chosen)
    empty: set[tuple[int, int]] = set()
    for number, row in enumerate(book[chosen].iter_rows(), start=1):
        if number > MAX_ROWS:
            raise _refuse(name, f"sheet {chosen!r} has more than {MAX_ROWS:,} rows")
        cells = [_cell_value(c) for c in row]
        if track_empty:
            empty.update((number, col) for col, (cell, value) in enumerate(zip(row, cells, strict=True))
                         if value is None and getattr(cell, "data_type", None) != "str")
        if not table.header:
            if not any(v not in (None, "") for v in cells):
                continue
            table.header = [("" if v is None else str(v)).strip() for v in _trim(cells)]
            table.header_line = number
            continue
        if not any(v not in (None, "") for v in cells):
            continue
        if len(cells) > len(table.header):
            cells = cells[: len(table.header)] + _trim(cells[len(table.header):])
        cells += [None] * (len(table.header) - len(cells))  # a sheet stores no empty cells
        table.rows.append((number, cells))
    if not table.header:
        others = [n for n in names if n != chosen]
        hint = (f": give --sheet (the other sheets: {', '.join(repr(n) for n in others)})"
                if others and sheet is None else "")
        raise _refuse(name, f"sheet {chosen!r} is empty (expected a header row){hint}")
    return table, empty


def _cell_value(cell: Any) -> Any:
    """A cell as the reader uses it: text, a number, or ISO text for a date (date only when the
    cell shows no time)."""
    value = getattr(cell, "value", None)
    if isinstance(value, datetime):
        fmt = str(getattr(cell, "number_format", "") or "").lower()
        shows_time = "h" in fmt or ":" in fmt
        if not shows_time and value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat(timespec="minutes")
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value

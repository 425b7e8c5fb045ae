"""Rendering helpers shared by the CLI: text tables, JSON, CSV (two dialects), xlsx workbooks,
and all-or-nothing file writes."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from network.errors import InputError


def table(rows: Sequence[Sequence[Any]], header: Sequence[str], *,
          align_right: Iterable[int] = ()) -> str:
    """A plain-text table with aligned columns (numbers right-aligned where asked)."""
    right = set(align_right)
    cells = [[str(h) for h in header]] + [["" if v is None else str(v) for v in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]

    def fmt(row: list[str]) -> str:
        parts = [c.rjust(w) if i in right else c.ljust(w)
                 for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        return "  ".join(parts).rstrip()

    lines = [fmt(cells[0]), "  ".join("-" * w for w in widths)]
    lines += [fmt(r) for r in cells[1:]]
    return "\n".join(lines)


def to_json(data: Any) -> str:
    """Stable, human-diffable JSON (sorted keys are not used: field order is the schema's)."""
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)


# A spreadsheet runs a cell starting with one of these as a formula (CSV injection). OWASP's
# advice: prefix such a cell with a single quote, which the spreadsheet shows but does not run.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """`value`, with a text cell that a spreadsheet would run as a formula made inert (`'=...`).

    Only strings are changed: numbers we write (a negative cost, say) stay numbers.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


CSV_DIALECTS = ("standard", "be")
"""`standard`: `,` between fields, decimal point, UTF-8. `be`: what fr-BE and nl-BE Excel read
as their own: `;` between fields, decimal comma, UTF-8 with a byte-order mark (without it Excel
takes the file for Windows-1252)."""


def _be_cell(value: Any) -> Any:
    """A number with a decimal comma (`1234,5`); other cells unchanged."""
    if isinstance(value, float) and not isinstance(value, bool):
        text = str(value)
        if "e" in text or "E" in text:
            text = format(value, "f")
        return text.replace(".", ",")
    return value


def to_csv(rows: Iterable[dict[str, Any]], fieldnames: Sequence[str],
           dialect: str = "standard") -> str:
    """CSV text with a header row and `\n` line ends, safe to open in a spreadsheet.

    Text cells are made inert (see `spreadsheet_safe`). A cell holding a carriage return is
    quoted: the csv module quotes only the characters of its line terminator, so rows are
    written with `\r\n` and that terminator is then replaced by `\n`. `dialect` is one of
    `CSV_DIALECTS`.
    """
    if dialect not in CSV_DIALECTS:
        raise ValueError(f"unknown CSV dialect {dialect!r} (expected {', '.join(CSV_DIALECTS)})")
    be = dialect == "be"
    buffer = io.StringIO()
    if be:
        buffer.write("\ufeff")
    writer = csv.DictWriter(buffer, fieldnames=list(fieldnames), lineterminator="\r\n",
                            delimiter=";" if be else ",")
    writer.writeheader()
    _newline(buffer)
    for row in rows:
        writer.writerow({k: spreadsheet_safe(_be_cell(v) if be else v) for k, v in row.items()})
        _newline(buffer)
    return buffer.getvalue()


# --- xlsx workbooks --------------------------------------------------------------------------------


@dataclass
class Sheet:
    """One worksheet: a header row and typed rows (str, int, float, bool, date, naive datetime).

    Datetimes must be naive local times (Excel has no time zones): say whose in the header,
    e.g. `departs (local time)`. Units belong in the header too: `cost (EUR)`.
    """

    name: str
    header: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    widths: dict[int, float] = field(default_factory=dict)  # column index -> width, else fitted
    table: bool = True  # frozen header and filters (a notes sheet of key/value pairs: False)


DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
MAX_COLUMN_WIDTH = 60


def _text_width(value: Any) -> int:
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    if isinstance(value, float):
        return len(f"{value:,.2f}")
    return max((len(line) for line in str(value).splitlines()), default=0)


def to_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """An xlsx workbook of `sheets`, ready for a planner: typed cells, dates as dates, frozen
    header, filters on every column, fitted column widths.

    Every text cell is written as text, never as a formula: a consignment id
    `=HYPERLINK("http://x","y")` is shown as typed and never run (openpyxl would otherwise
    store a string starting with `=` as a formula).
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for spec in sheets:
        ws = book.create_sheet(spec.name[:31])
        widths = [_text_width(h) + 2 for h in spec.header]
        for row in spec.rows:
            for i, value in enumerate(row[: len(widths)]):
                widths[i] = max(widths[i], _text_width(value) + 1)
        for i, width in enumerate(widths):
            ws.column_dimensions[get_column_letter(i + 1)].width = spec.widths.get(
                i, min(MAX_COLUMN_WIDTH, max(width, 6)))
        if spec.table:
            ws.freeze_panes = "A2"
            last = get_column_letter(max(len(spec.header), 1))
            ws.auto_filter.ref = f"A1:{last}{len(spec.rows) + 1}"
        header = []
        for text in spec.header:
            cell = WriteOnlyCell(ws, value=str(text))
            cell.data_type = "s"
            cell.font = bold
            header.append(cell)
        ws.append(header)
        for row in spec.rows:
            out = []
            for value in row:
                cell = WriteOnlyCell(ws, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # text, never a formula
                    if "\n" in value:
                        cell.alignment = Alignment(wrap_text=True, vertical="top")
                elif isinstance(value, datetime):
                    cell.number_format = DATETIME_FORMAT
                elif isinstance(value, date):
                    cell.number_format = DATE_FORMAT
                elif isinstance(value, float):
                    cell.number_format = "#,##0.00"
                out.append(cell)
            ws.append(out)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def local_naive(instant: datetime | None) -> datetime | None:
    """An aware instant as the naive wall time of its own zone (for a spreadsheet cell)."""
    return None if instant is None else instant.replace(tzinfo=None)


def _newline(buffer: io.StringIO) -> None:
    """Replace the `\r\n` that ends the row just written by `\n`."""
    end = buffer.tell()
    buffer.seek(end - 2)
    buffer.truncate()
    buffer.write("\n")


def _named(option: str, message: str) -> str:
    return f"{option}: {message}" if option else message


def _same_file(target: Path, others: Iterable[Path]) -> bool:
    resolved = target.resolve()
    return any(Path(o).resolve() == resolved for o in others)


def check_output_file(path: str | Path, *, option: str = "", inputs: Iterable[str | Path] = (),
                      will_create_parent: bool = False) -> Path:
    """`path` if a file can be written there, else `InputError` naming `option`.

    Refused: an empty path, an input of the run (`inputs`, compared after resolving links),
    a directory or any other non-regular file (a device: writing by rename would replace it),
    a parent directory that does not exist (unless `will_create_parent`) or is not writable.
    """
    if not str(path).strip():
        raise InputError(_named(option, "the path is empty"))
    target = Path(path)
    shown = repr(str(target))
    if _same_file(target, [Path(i) for i in inputs]):
        raise InputError(_named(option, f"refusing to write {shown}: it is an input of this run"))
    if target.is_dir():
        raise InputError(_named(option, f"cannot write {shown}: it is a directory"))
    if target.exists() and not target.is_file():
        raise InputError(_named(option, f"cannot write {shown}: it is not a regular file"))
    directory = target.resolve().parent
    if will_create_parent:
        return target
    if not directory.is_dir():
        raise InputError(_named(option, f"cannot write {shown}: directory {str(directory)!r} "
                                        "does not exist"))
    if not os.access(directory, os.W_OK | os.X_OK):
        raise InputError(_named(option, f"cannot write {shown}: directory {str(directory)!r} "
                                        "is not writable"))
    return target


def check_output_dir(path: str | Path, names: Iterable[str], *, option: str = "",
                     inputs: Iterable[str | Path] = ()) -> list[Path]:
    """The files `names` inside directory `path`, if they can all be written, else `InputError`.

    The directory may be created (one level: its parent must exist and be writable).
    """
    if not str(path).strip():
        raise InputError(_named(option, "the path is empty"))
    directory = Path(path)
    shown = repr(str(directory))
    if directory.exists() and not directory.is_dir():
        raise InputError(_named(option, f"{shown} exists and is not a directory"))
    exists = directory.is_dir()
    parent = directory.resolve().parent
    if not exists and not parent.is_dir():
        raise InputError(_named(option, f"cannot create {shown}: directory {str(parent)!r} "
                                        "does not exist"))
    if not os.access(directory if exists else parent, os.W_OK | os.X_OK):
        where = shown if exists else repr(str(parent))
        raise InputError(_named(option, f"cannot write into {where}: it is not writable"))
    return [check_output_file(directory / name, option=option, inputs=inputs,
                              will_create_parent=not exists) for name in names]


class OutputSet:
    """Outputs of one run, written all or nothing.

    `add` writes each output to a temporary file beside its target (`.name.XXXX.tmp`);
    `commit` renames them all into place once every one is complete. Leaving the `with` block
    without `commit` (an error, Ctrl-C) removes the temporaries and any directory `make_dir`
    created, so a failed or interrupted run leaves no file behind, partial or whole. (Renames
    within one directory do not fail in practice; should one, the outputs renamed before it
    stay, each complete.)
    """

    def __init__(self, protected: Iterable[str | Path] = ()) -> None:
        self._protected = [Path(p) for p in protected]
        self._pending: list[tuple[Path, Path]] = []  # (temporary, target)
        self._made: list[Path] = []
        self._done = False

    def __enter__(self) -> OutputSet:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self._done:
            self.rollback()

    def make_dir(self, path: str | Path) -> Path:
        """Create directory `path` if missing (removed again on rollback while still empty)."""
        directory = Path(path)
        if not directory.is_dir():
            directory.mkdir()
            self._made.append(directory)
        return directory

    def add(self, path: str | Path, text: str | bytes) -> Path:
        """Write `text` (or bytes) to a temporary file beside `path`; it becomes `path` at `commit`."""
        target = check_output_file(path, inputs=self._protected)
        resolved = target.resolve()
        if any(t == resolved for _, t in self._pending):
            raise InputError(f"{str(target)!r} is written twice in one run")
        fd, tmp = tempfile.mkstemp(prefix=f".{resolved.name}.", suffix=".tmp", dir=resolved.parent)
        self._pending.append((Path(tmp), resolved))
        # mkstemp makes the file private (0600); outputs are meant to be shared: honour the umask.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        if isinstance(text, bytes):
            with os.fdopen(fd, "wb") as binary:
                binary.write(text)
                binary.flush()
                os.fsync(binary.fileno())
            return target
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        return target

    def commit(self) -> None:
        """Rename every temporary into place."""
        for tmp, target in self._pending:
            os.replace(tmp, target)
        self._pending = []
        self._done = True

    def rollback(self) -> None:
        """Remove the temporaries and the directories this set created (when empty)."""
        for tmp, _ in self._pending:
            tmp.unlink(missing_ok=True)
        self._pending = []
        for directory in reversed(self._made):
            # Not empty: something else wrote there meanwhile; leave it.
            with contextlib.suppress(OSError):
                directory.rmdir()
        self._made = []
        self._done = True


def write_atomic(path: str | Path, text: str, *, protected: Iterable[str | Path] = ()) -> Path:
    """Write `text` to `path` via a temporary file and a rename, never over a protected input.

    Readers see either the old file or the complete new one, never a partial write.
    Raises `InputError` (a `ValueError`) when `path` cannot or must not be written.
    """
    with OutputSet(protected) as outputs:
        target = outputs.add(path, text)
        outputs.commit()
    return target

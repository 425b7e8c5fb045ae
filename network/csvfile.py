"""Read an input CSV file defensively: regular files only, bounded size, UTF-8, bounded fields.

Shared by the network loader and the consignments reader. Every refusal is one `Problem` located
by file, line and column (a `FileFormatError`), never a traceback or an exhausted memory: a
device or FIFO (`/dev/zero`) is refused before it is opened, a file over `MAX_INPUT_BYTES` is
refused after reading at most one byte more, a byte that is not UTF-8 is named with its line,
column and the encoding the file probably is in, and a field over `MAX_FIELD_CHARS` is named
with its line and column.
"""

from __future__ import annotations

import csv
import re
import stat
import sys
import tomllib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from network.errors import FileFormatError, Problem
from routing.limits import MAX_FIELD_CHARS, MAX_INPUT_BYTES

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_BREAK = re.compile(r"\r\n|\r|\n")


def _refuse(name: str, line: int | None, message: str, *, column: str | None = None,
            column_number: int | None = None) -> FileFormatError:
    return FileFormatError([Problem(name, line, column, message, column_number)])


def _size_text(size: int) -> str:
    """A file size as people read it: `128 MiB`, `3.2 GiB`, `900 bytes`."""
    for unit, factor in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= factor:
            return f"{size / factor:,.1f}".removesuffix(".0") + f" {unit}"
    return f"{size:,} bytes"


def read_bytes(path: Path, name: str, kind: str = "CSV file") -> bytes:
    """The bytes of `path`, refusing what is not a regular file or is over MAX_INPUT_BYTES
    (`kind`: what the file should be, for the messages)."""
    try:
        info = path.stat()
    except OSError as exc:
        raise _refuse(name, None, f"cannot read: {exc.strerror}") from None
    if stat.S_ISDIR(info.st_mode):
        raise _refuse(name, None, f"is a directory, not a {kind}")
    if not stat.S_ISREG(info.st_mode):
        raise _refuse(name, None, "is not a regular file (a device, FIFO or socket): "
                                  f"give a {kind}")
    limit = _size_text(MAX_INPUT_BYTES)
    if info.st_size > MAX_INPUT_BYTES:
        raise _refuse(name, None, f"is {_size_text(info.st_size)}, over the {limit} limit for an "
                                  "input file")
    try:
        with path.open("rb") as handle:
            # One byte more than allowed: files whose size stat does not tell (/proc) are capped too.
            data = handle.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise _refuse(name, None, f"cannot read: {exc.strerror}") from None
    if len(data) > MAX_INPUT_BYTES:
        raise _refuse(name, None, f"is over the {limit} limit for an input file")
    return data


def read_toml_text(path: Path, name: str, kind: str, max_bytes: int) -> str:
    """The UTF-8 text of a small hand-written TOML file (`kind`: a scenario file, a sweep spec):
    a regular file of at most `max_bytes`, a byte that is not UTF-8 named with its line."""
    data = read_bytes(path, name, f"{kind} (TOML)")
    if len(data) > max_bytes:
        raise _refuse(name, None, f"is over the {_size_text(max_bytes)} limit for a {kind}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise _refuse(name, line, f"byte 0x{data[exc.start]:02X} is not UTF-8 "
                                  "(save the file as UTF-8)") from None


# Tables and arrays nested deeper than this are refused: hand-written files nest two or three
# levels, and Python's parser would exhaust its recursion limit a few hundred levels down.
MAX_TOML_DEPTH = 32
_INT64 = 2**63


def parse_toml(text: str) -> dict[str, Any]:
    """`tomllib.loads(text)` with the limits TOML sets or a hand-written file never reaches:
    integers outside 64 bits (the TOML specification requires an error) and nesting deeper than
    `MAX_TOML_DEPTH`; each a `tomllib.TOMLDecodeError` naming the key path, like a syntax error."""
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise tomllib.TOMLDecodeError(f"nested more than {MAX_TOML_DEPTH} levels deep") from None
    except tomllib.TOMLDecodeError:
        raise
    except ValueError:  # an integer of thousands of digits (Python's conversion limit)
        raise tomllib.TOMLDecodeError(f"an integer of over {sys.get_int_max_str_digits():,} digits") from None
    stack: list[tuple[str, Any, int]] = [("", data, 0)]
    while stack:  # iterative: the checks must not recurse either
        path, value, depth = stack.pop()
        if isinstance(value, bool):
            continue
        if isinstance(value, int) and not -_INT64 <= value < _INT64:
            raise tomllib.TOMLDecodeError(f"{path}: integer outside the 64-bit range TOML allows")
        if isinstance(value, (dict, list)):
            if depth >= MAX_TOML_DEPTH:
                raise tomllib.TOMLDecodeError(f"{path}: nested more than {MAX_TOML_DEPTH} levels deep")
            # Array entries count from 1, as the files' own messages count them (`change[1]`).
            items = value.items() if isinstance(value, dict) else enumerate(value, start=1)
            for key, item in items:
                where = ((f"{path}.{key}" if path else str(key)) if isinstance(value, dict)
                         else f"{path}[{key}]")
                stack.append((where, item, depth + 1))
    return data


def likely_encoding(data: bytes) -> str:
    """What a file that is not UTF-8 probably is, as advice to the user."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or data[:200].count(b"\x00") > 10:
        return "UTF-16"
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return "an 8-bit code page such as Latin-1"
    return "Windows-1252 or Latin-1"


def _parse_unbounded(lines: list[str], delimiter: str = ",") -> list[str] | None:
    """The first record of `lines` parsed without the field limit (to locate a long field)."""
    old = csv.field_size_limit(MAX_INPUT_BYTES)
    try:
        return next(csv.reader(lines, delimiter=delimiter), [])
    except csv.Error:
        return None
    finally:
        csv.field_size_limit(old)


def decode(data: bytes, name: str, header: list[str] | None = None) -> str:
    """`data` as text (UTF-8, an optional BOM dropped); a bad byte is located and explained."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start
        line = data.count(b"\n", 0, start) + 1
        line_start = data.rfind(b"\n", 0, start) + 1
        before = data[line_start:start].decode("utf-8", errors="replace")
        column, column_number = _column(before, line, header)
        raise _refuse(
            name, line,
            f"byte 0x{data[start]:02X} (character {len(before) + 1} of the line) is not UTF-8 "
            f"(the file looks like {likely_encoding(data)}: save it as UTF-8)",
            column=column, column_number=column_number) from None
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise _refuse(name, line, "contains a NUL character (the file looks like UTF-16 or "
                                  "binary: save it as UTF-8 text)")
    return text


def _column(before: str, line: int, header: list[str] | None) -> tuple[str | None, int | None]:
    """Column name and 1-based number of the field that `before` (a line's start) ends in."""
    cells = _parse_unbounded([before])
    index = max(len(cells) - 1, 0) if cells is not None else before.count(",")
    if line == 1:
        return None, index + 1
    name = header[index] if header is not None and index < len(header) else None
    return name, index + 1


def _header_of(data: bytes) -> list[str] | None:
    """The header row of a file whose first line, at least, is valid UTF-8."""
    first = re.split(rb"\r\n|\r|\n", data, maxsplit=1)[0]  # any line end (old Macs: CR alone)
    try:
        text = first.decode("utf-8-sig")
        return [h.strip() for h in next(csv.reader([text]), [])]
    except (UnicodeDecodeError, csv.Error):
        return None  # only names columns in a message about a bad byte


class _Lines:
    """Physical lines of a text (universal newlines kept, as `open(newline="")` gives them).

    Remembers the lines of the record being read, so a too-long field can be located.
    """

    def __init__(self, text: str) -> None:
        self._matches = _LINE.finditer(text)
        self.current: list[str] = []

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = next(self._matches).group()
        self.current.append(line)
        return line


def records(path: Path, name: str) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of every record of `path`, the header first.

    Raises `FileFormatError` (one located problem) when the file cannot be read whole:
    not a regular file, too big, not UTF-8, a field too long, or malformed CSV.
    """
    data = read_bytes(path, name)
    text = decode(data, name, _header_of(data))
    del data  # the text is all we need; do not hold the file twice
    yield from text_records(text, name)


def text_records(text: str, name: str, delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of every record of CSV `text` (already decoded), the header first.

    Raises `FileFormatError` (one located problem) for a field too long or malformed CSV.
    """
    lines = _Lines(text)
    # The csv module's field limit is process-wide; pin it to ours (it is also its default).
    csv.field_size_limit(MAX_FIELD_CHARS)
    reader = csv.reader(lines, delimiter=delimiter)
    header: list[str] | None = None
    while True:
        first_line = reader.line_num + 1
        lines.current = []
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _csv_problem(name, str(exc), first_line, lines.current, header,
                               delimiter) from None
        if header is None:
            header = [h.strip() for h in cells]
        yield reader.line_num, cells


def field_count_problem(name: str, line: int, expected: int, cells: Sequence[object]) -> Problem:
    """A record of `cells` (ending on `line`) with not `expected` fields, with a hint when a field
    runs over several lines: almost always a quote that was never closed, which swallows the
    line ends and separators after it."""
    text = f"expected {expected} fields, found {len(cells)}"
    if any(isinstance(c, str) and _BREAK.search(c) for c in cells):  # xlsx cells: not all text
        text += " (a quoted field runs over several lines: is a closing quote missing?)"
    return Problem(name, line, None, text)


def _csv_problem(name: str, message: str, line: int, record: list[str],
                 header: list[str] | None, delimiter: str = ",") -> FileFormatError:
    if "field larger than field limit" not in message:
        return _refuse(name, line, f"malformed CSV: {message}")
    cells = _parse_unbounded(record, delimiter) or []
    index = next((i for i, c in enumerate(cells) if len(c) > MAX_FIELD_CHARS), None)
    column = header[index] if header is not None and index is not None and index < len(header) \
        else None
    # A field that runs over several lines is almost always a quote that was never closed.
    hint = ": is a closing quote missing?" if index is not None and "\n" in cells[index] else ""
    return _refuse(name, line, f"a field is longer than {MAX_FIELD_CHARS:,} characters (the limit "
                               f"for one CSV field){hint}",
                   column=column, column_number=None if index is None else index + 1)

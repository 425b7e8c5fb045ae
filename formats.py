"""Rendering helpers shared by the CLI: text tables, JSON, CSV, and atomic file writes."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any


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


def to_csv(rows: Iterable[dict[str, Any]], fieldnames: Sequence[str]) -> str:
    """CSV text with a header row."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(fieldnames), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue()


def write_atomic(path: str | Path, text: str, *, protected: Iterable[str | Path] = ()) -> Path:
    """Write `text` to `path` via a temporary file and a rename, never over a protected input.

    Readers see either the old file or the complete new one, never a partial write.
    Raises `ValueError` when `path` is one of `protected` (an input of the same run).
    """
    target = Path(path)
    resolved = target.resolve()
    for other in protected:
        if Path(other).resolve() == resolved:
            raise ValueError(f"refusing to write {str(target)!r}: it is an input of this run")
    if target.is_dir():
        raise ValueError(f"cannot write {str(target)!r}: it is a directory")
    directory = resolved.parent
    if not directory.is_dir():
        raise ValueError(f"cannot write {str(target)!r}: directory {str(directory)!r} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    # mkstemp makes the file private (0600); outputs are meant to be shared, so honour the umask.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, resolved)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target

"""A sweep's output directory: the log of finished cells, the results tables, the plans.

    DIR/cells.jsonl        one JSON record per finished cell (done or failed), appended and
                           flushed to disk as each cell finishes: what a resumed sweep skips
    DIR/results.parquet    one row per cell of the spec (pyarrow), rewritten atomically as
    DIR/results.csv        cells finish (at most every few seconds) and at the end
    DIR/report.html        the report (`sweep.report`)
    DIR/consignments/      the generated consignment sets, as CSV
    DIR/plans/<cell>/      each plan cell's assignments.csv, departures.csv, plan.json (on request)

A record is one line written at once; a line cut short by a crash is ignored when the log is
read (its cell runs again), and so is a record that does not fit the results' columns
(`runner.fits`). Only one sweep may write a directory at a time (a lock file).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from formats import OutputSet, to_csv
from network.errors import InputError

LOG, PARQUET, CSV, REPORT = "cells.jsonl", "results.parquet", "results.csv", "report.html"
SETS_DIR, PLANS_DIR, LOCK = "consignments", "plans", ".sweep.lock"
OUTPUTS = (LOG, PARQUET, CSV, REPORT)

# Columns of the results, in order, with their Arrow types (parameters come after `scenario_files`).
HEAD = [("cell", "string"), ("status", "string"), ("error", "string"), ("set", "string"),
        ("set_file", "string"), ("set_start", "string"), ("set_seed", "int64"), ("scenario", "string"),
        ("scenario_files", "string")]
PLAN = [("consignments", "int64"), ("served", "int64"), ("unserved", "int64"), ("served_air", "int64"),
        ("served_rail", "int64"), ("served_sea", "int64"), ("served_road", "int64"),
        ("total_cost_eur", "double"), ("total_co2e_kg", "double"), ("objective_value", "double"),
        ("best_bound", "double"), ("gap", "double"), ("on_time_share", "double"), ("termination", "string"),
        ("solver", "string"),
        ("containers", "int64"), ("candidates", "int64"), ("solve_s", "double")]
ROUTE = [("consignment", "string"), ("served", "bool"), ("cost_eur", "double"), ("co2e_kg", "double"),
         ("transit_h", "double"), ("arrive", "string"), ("meets_due", "bool"), ("main_mode", "string"),
         ("services", "string")]
COMPARE_MODES = [(f"{what}_{mode}", "double") for mode in ("air", "rail", "sea", "road")
                 for what in ("cost_eur", "co2e_kg", "transit_h")]
TAIL = [("wall_s", "double"), ("worker", "string")]


def columns(what: str, parameters: Sequence[str]) -> list[tuple[str, str]]:
    """The results' columns and Arrow types for a sweep running `what` with these parameters."""
    body = PLAN if what == "plan" else ROUTE + ([("solve_s", "double")] if what == "route"
                                                else [*COMPARE_MODES, ("solve_s", "double")])
    return [*HEAD, *((p, "double") for p in parameters), *body, *TAIL]


class Store:
    """The output directory of one sweep (module docstring); use as a context manager (it holds
    the directory's lock)."""

    def __init__(self, directory: str | Path, protected: Iterable[str | Path] = ()) -> None:
        self.dir = Path(directory)
        self.protected = [Path(p) for p in protected]
        self._lock: IO[str] | None = None
        self._log: IO[str] | None = None
        self.created = False

    def __enter__(self) -> Store:
        self.created = not self.dir.exists()
        self.dir.mkdir(exist_ok=True)
        try:
            handle = (self.dir / LOCK).open("a")
        except OSError as exc:  # a directory or an unwritable file where the lock belongs
            raise InputError(f"--out: cannot open the sweep's lock {str(self.dir / LOCK)!r}: "
                             f"{exc.strerror or exc}") from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise InputError(f"--out: another sweep is writing to {str(self.dir)!r}") from None
        self._lock = handle
        self._log = (self.dir / LOG).open("a", encoding="utf-8")
        if _ends_cut(self.dir / LOG):
            # A run stopped mid-line (a crash, a full disk): end that line, so it stays the one
            # line that is ignored (its cell runs again) and the next record starts its own.
            self._log.write("\n")
            self._log.flush()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._lock is not None:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None

    def discard(self) -> None:
        """Remove what this store wrote into a directory it created, when no cell was logged (a
        sweep whose inputs turned out bad leaves nothing behind)."""
        if not self.created or (self.dir / LOG).stat().st_size > 0:
            return
        self.__exit__()
        for path in sorted((self.dir / SETS_DIR).glob("*.csv")) if (self.dir / SETS_DIR).is_dir() else []:
            path.unlink()
        for path in (self.dir / SETS_DIR, self.dir / LOG, self.dir / LOCK, self.dir):
            with contextlib.suppress(OSError):
                path.rmdir() if path.is_dir() else path.unlink()

    # --- the log -------------------------------------------------------------------------------

    def records(self) -> dict[str, dict[str, Any]]:
        """The finished cells by key (the last record of a key wins; a torn line is skipped)."""
        found: dict[str, dict[str, Any]] = {}
        path = self.dir / LOG
        if not path.exists():
            return found
        with path.open(encoding="utf-8", errors="replace") as handle:
            for line in handle:
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(record, dict) and isinstance(record.get("key"), str):
                    found[record["key"]] = record
        return found

    def append(self, records: Sequence[Mapping[str, Any]]) -> None:
        """Log finished cells (a task's; their plan files, if any, written first), flushed to
        disk once for all of them."""
        assert self._log is not None, "use the store as a context manager"
        finished = datetime.now(UTC).isoformat(timespec="seconds")
        lines = []
        for record in records:
            files = record.get("files")
            if files:
                self.write_plan(str(record["key"]), files)
            kept = {k: v for k, v in record.items() if k != "files"} | {"finished": finished}
            lines.append(json.dumps(kept, ensure_ascii=False, separators=(",", ":")) + "\n")
        self._log.write("".join(lines))
        self._log.flush()
        os.fsync(self._log.fileno())

    def has_plan(self, key: str) -> bool:
        return (self.dir / PLANS_DIR / key / "plan.json").is_file()

    def write_plan(self, key: str, files: Mapping[str, str | bytes]) -> None:
        """A plan cell's files, all or nothing, in plans/<key>/."""
        with OutputSet(protected=self.protected) as outputs:
            outputs.make_dir(self.dir / PLANS_DIR)
            outputs.make_dir(self.dir / PLANS_DIR / key)
            for name, content in files.items():
                outputs.add(self.dir / PLANS_DIR / key / name, content)
            outputs.commit()

    # --- inputs and outputs --------------------------------------------------------------------

    def write_set(self, name: str, text: str) -> Path:
        """A generated consignment set as consignments/<name> (left alone when unchanged)."""
        path = self.dir / SETS_DIR / name
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            return path
        with OutputSet(protected=self.protected) as outputs:
            outputs.make_dir(self.dir / SETS_DIR)
            outputs.add(path, text)
            outputs.commit()
        return path

    def write_outputs(self, rows: Sequence[Mapping[str, Any]], schema: Sequence[tuple[str, str]]) -> None:
        """The results tables, both or neither."""
        with OutputSet(protected=self.protected) as outputs:
            outputs.add(self.dir / PARQUET, parquet_bytes(rows, schema))
            outputs.add(self.dir / CSV, to_csv([dict(r) for r in rows], [name for name, _ in schema]))
            outputs.commit()

    def write_report(self, page: str) -> None:
        """The report, replaced whole."""
        with OutputSet(protected=self.protected) as outputs:
            outputs.add(self.dir / REPORT, page)
            outputs.commit()


def parquet_bytes(rows: Sequence[Mapping[str, Any]], schema: Sequence[tuple[str, str]]) -> bytes:
    """The rows as a Parquet file with the given column types."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {"string": pa.string(), "int64": pa.int64(), "double": pa.float64(), "bool": pa.bool_()}
    arrow = pa.schema([(name, types[kind]) for name, kind in schema])
    table = pa.Table.from_pylist([{name: row.get(name) for name, _ in schema} for row in rows], schema=arrow)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return bytes(sink.getvalue().to_pybytes())


def _ends_cut(path: Path) -> bool:
    """Whether the file at `path` is not empty and does not end with a newline."""
    with path.open("rb") as handle:
        handle.seek(0, os.SEEK_END)
        if handle.tell() == 0:
            return False
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) != b"\n"

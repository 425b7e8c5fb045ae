"""Shared helpers of the sweep tests: small specs on the default network (greedy plans and
route queries, so that a cell takes a fraction of a second and its result does not depend on
the machine), and their results without the columns that vary from run to run."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CLOSED = ROOT / "scenarios" / "pl-by-border-closed.toml"

RAIL = """name = "Rail rates"
[[change]]
action = "scale_price"
mode = "rail"
factor = 1.0
comment = "rail rate sensitivity"
source = "sweep parameter (test)"
"""
BAD = """name = "Bad closure"
[[change]]
action = "close"
corridor = "PL-BY"
comment = "a typo in the corridor"
source = "test"
"""

PLANS = """name = "tiny plans"
[run]
what = "plan"
solver = "greedy"
[[consignments]]
label = "week"
generate = {{ n = {n}, start = 2026-11-02, days = 7 }}
repeat = {weeks}
[[scenario]]
files = ["{closed}"]
[[parameter]]
name = "rail_rate"
scenario = "rail.toml"
key = "change[1].factor"
values = [1.0, 1.3]
"""

QUERIES = """name = "tiny queries"
[run]
what = "{what}"
batch = 7
[[consignments]]
label = "week"
generate = {{ n = 12, start = 2026-11-02, days = 7 }}
[[scenario]]
files = ["{closed}"]
[[parameter]]
name = "rail_rate"
scenario = "rail.toml"
key = "change[1].factor"
values = [1.0, 1.3]
"""

# Columns that say when and where a cell ran, not what it found.
VARYING = ("wall_s", "worker", "solve_s")


def write_spec(directory: Path, text: str, name: str = "spec.toml") -> Path:
    """`text` as a spec file in `directory`, with the rail-rate and bad scenarios beside it."""
    (directory / "rail.toml").write_text(RAIL, encoding="utf-8")
    (directory / "bad.toml").write_text(BAD, encoding="utf-8")
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def plans_spec(directory: Path, n: int = 25, weeks: int = 2, extra: str = "") -> Path:
    """2 weeks × (base, border closed) × rail rate 1.0 and 1.3: 8 greedy plans of `n`."""
    return write_spec(directory, PLANS.format(n=n, weeks=weeks, closed=CLOSED) + extra)


def queries_spec(directory: Path, what: str = "compare") -> Path:
    """12 consignments × 2 columns × 2 rail rates: 48 route or compare cells, 7 per task."""
    return write_spec(directory, QUERIES.format(what=what, closed=CLOSED))


def stable(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows without the columns that vary from run to run, and with paths made relative to
    their output directory (two runs write to two directories)."""
    out = []
    for row in rows:
        kept = {k: v for k, v in row.items() if k not in VARYING}
        kept["set_file"] = Path(str(kept["set_file"])).name
        out.append(kept)
    return out


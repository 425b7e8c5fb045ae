"""The sweep specification: a TOML file naming the network, the consignment sets, the scenario
columns, the parameter grids and what to run in each cell (README "Sweeps").

Paths in the file are relative to the file. Every problem is reported at once as
`file: key path: message` (`FileFormatError`), as for scenario files. The content of scenario
files is checked against the network cell by cell (a bad scenario fails its cells, not the
sweep); here only that they are TOML and hold a number at each parameter's key path.
"""

from __future__ import annotations

import difflib
import glob
import math
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from network.csvfile import parse_toml, read_toml_text
from network.errors import FileFormatError, Problem
from network.scenarios import MAX_SCENARIO_BYTES
from routing.limits import (
    EARLIEST_INSTANT,
    LATEST_INSTANT,
    MAX_EUR_PER_DAY,
    MAX_EUR_PER_TCO2,
    MAX_HORIZON_DAYS,
    MAX_TIME_LIMIT_S,
    MIN_TIME_LIMIT_S,
)
from routing.objectives import DEFAULT_EUR_PER_TCO2
from routing.search import DEFAULT_HORIZON_DAYS

WHATS = ("plan", "route", "compare")
SOLVERS = ("highs", "scip", "greedy")
DESIGNS = ("grid", "one_at_a_time")
OBJECTIVES = {"plan": ("cost", "co2", "balanced"), "route": ("cost", "time", "co2", "balanced"),
              "compare": ("cost", "time", "co2", "balanced")}
MAX_SPEC_BYTES = 1024 * 1024
# Repetition r (0, 1, ...) of a generated set draws with seed + r × this (`set_seed` is the seed drawn).
REPEAT_SEED_STEP = 1_000_003
MAX_GROUPS = 100_000  # a sweep larger than this is a mistake in the grid, not a plan
_TOP_KEYS = ("name", "description", "network", "design", "base_column", "run", "consignments",
             "scenario", "parameter")
_SET_KEYS = ("label", "file", "sheet", "delimiter", "decimal", "encoding", "generate", "seeds", "repeat",
             "every_days")
_GENERATE_KEYS = ("n", "start", "days", "surge")
_COLUMN_KEYS = ("label", "files")
_PARAMETER_KEYS = ("name", "scenario", "key", "values", "base")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_KEY_PATH = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*)(\[(\d+)\])?$")
# Columns of the results table a parameter may not be named after.
RESERVED = frozenset({
    "cell", "status", "error", "what", "set", "set_file", "set_start", "set_seed", "scenario",
    "scenario_files", "consignment", "consignments", "served", "unserved", "total_cost_eur",
    "total_co2e_kg", "objective_value", "best_bound", "gap", "termination", "solver", "solve_s",
    "wall_s", "worker", "containers", "cost_eur", "co2e_kg", "transit_h", "arrive", "meets_due",
    "main_mode", "services", "candidates"})


@dataclass(frozen=True)
class RunSettings:
    """What runs in every cell (a parameter may change a number of it cell by cell)."""

    what: str = "plan"
    objective: str = "cost"
    solver: str = "highs"
    time_limit_s: float = 60.0
    horizon_days: float = DEFAULT_HORIZON_DAYS
    alternatives: int = 3
    max_departures: int = 6
    eur_per_tco2: float = DEFAULT_EUR_PER_TCO2
    eur_per_day: float | None = None
    seed: int = 0
    cores_per_cell: int = 0  # 0: 2 for a MIP plan (the planner's two solver processes), else 1
    batch: int = 1000
    plan_outputs: bool = False
    on_time: float | None = None  # plans: each consignment on time with at least this probability

    def __post_init__(self) -> None:
        if self.what not in WHATS:
            raise ValueError(f"unknown run.what {self.what!r} (expected {', '.join(WHATS)})")
        if self.objective not in OBJECTIVES[self.what]:
            raise ValueError(f"objective {self.objective!r} is not one of {', '.join(OBJECTIVES[self.what])}")

    @property
    def cores(self) -> int:
        """Cores one cell may keep busy."""
        if self.cores_per_cell:
            return self.cores_per_cell
        return 2 if self.what == "plan" and self.solver != "greedy" else 1


# Numbers of the run a parameter may set: (type, low, high, unit, low_open, applies to).
RUN_NUMBERS: dict[str, tuple[type, float, float, str, bool, tuple[str, ...]]] = {
    "time_limit_s": (float, MIN_TIME_LIMIT_S, MAX_TIME_LIMIT_S, "s", False, ("plan",)),
    "horizon_days": (float, 0.0, MAX_HORIZON_DAYS, "days", True, WHATS),
    "alternatives": (int, 0, 20, "", False, ("plan",)),
    "max_departures": (int, 1, 60, "", False, ("plan",)),
    "eur_per_tco2": (float, 0.0, MAX_EUR_PER_TCO2, "EUR/t", False, WHATS),
    "eur_per_day": (float, 0.0, MAX_EUR_PER_DAY, "EUR/day", False, WHATS),
    "seed": (int, 0, 2**31 - 1, "", False, ("plan",)),
    "cores_per_cell": (int, 1, 64, "", False, WHATS),
    "batch": (int, 1, 100_000, "", False, ("route", "compare")),
    "on_time": (float, 0.0, 1.0, "", True, ("plan",)),
}
# The run numbers a parameter may vary (the others shape the sweep, not a cell's answer).
PARAMETER_NUMBERS = ("time_limit_s", "horizon_days", "alternatives", "max_departures", "eur_per_tco2",
                     "eur_per_day", "seed", "on_time")


@dataclass(frozen=True)
class Generated:
    """Arguments of the consignment generator (`sweep.generator.generate`) for one set."""

    n: int
    seed: int
    start: date
    days: int
    surge: bool


@dataclass(frozen=True)
class ConsignmentSet:
    """One set of consignments: a file, or the generator with a seed and a start date."""

    label: str
    file: Path | None = None
    generated: Generated | None = None
    sheet: str | None = None
    delimiter: str = "auto"
    decimal: str = "auto"
    encoding: str = "auto"

    def __post_init__(self) -> None:
        if (self.file is None) == (self.generated is None):
            raise ValueError("a consignment set is a file or generated, not both nor neither")


@dataclass(frozen=True)
class Column:
    """A scenario column: the base network with these scenario files applied in order."""

    label: str
    files: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Parameter:
    """A grid axis: a number of a scenario file (at `keys`) or of the run (`keys` = the run
    setting's name, `scenario` None), taking each of `values`."""

    name: str
    keys: tuple[str, ...]
    values: tuple[float, ...]
    base: float | None
    scenario: Path | None = None

    def __post_init__(self) -> None:
        if not self.values:
            raise ValueError(f"parameter {self.name!r} has no values")

    @property
    def run_setting(self) -> str | None:
        """The run setting it varies, or None for a scenario number."""
        return self.keys[0] if self.scenario is None else None


@dataclass(frozen=True)
class SweepSpec:
    """A checked sweep specification."""

    file: Path
    name: str
    run: RunSettings
    sets: tuple[ConsignmentSet, ...]
    columns: tuple[Column, ...]
    parameters: tuple[Parameter, ...] = ()
    design: str = "grid"
    network_dir: Path | None = None
    description: str = ""
    scenario_data: dict[Path, dict[str, Any]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.design not in DESIGNS:
            raise ValueError(f"unknown design {self.design!r} (expected {', '.join(DESIGNS)})")
        if not self.sets or not self.columns:
            raise ValueError("a sweep needs at least one consignment set and one column")

    def parameters_of(self, column: Column) -> tuple[Parameter, ...]:
        """The parameters that vary in `column`: run settings, numbers of a file of the column,
        and overlays (numbers of a file no column names, applied after every column's files)."""
        named = {f for c in self.columns for f in c.files}
        return tuple(p for p in self.parameters
                     if p.scenario is None or p.scenario in column.files or p.scenario not in named)

    def overlays(self, column: Column) -> tuple[Path, ...]:
        """Parameter files applied after `column`'s own (each once, in parameter order)."""
        named = {f for c in self.columns for f in c.files}
        out: list[Path] = []
        for p in self.parameters:
            if p.scenario is not None and p.scenario not in named and p.scenario not in out:
                out.append(p.scenario)
        return tuple(out)


# --- reading -----------------------------------------------------------------------------------


class _Problems:
    def __init__(self, file: str) -> None:
        self.file = file
        self.found: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        self.found.append(Problem(self.file, None, None, f"{path}: {message}" if path else message))


def _suggest(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _unknown_keys(raw: dict[str, Any], allowed: Sequence[str], where: str, problems: _Problems) -> None:
    for key in sorted(set(raw) - set(allowed)):
        path = f"{where}.{key}" if where else key
        problems.add(path, f"unknown key{_suggest(key, allowed)} (expected {', '.join(allowed)})")


def _text(raw: dict[str, Any], key: str, where: str, problems: _Problems, *, required: bool = False,
          choices: Sequence[str] = ()) -> str | None:
    value = raw.get(key)
    path = f"{where}.{key}" if where else key
    if value is None:
        if required:
            problems.add(path, "is required")
        return None
    if not isinstance(value, str):
        problems.add(path, f"must be text, not {value!r}")
        return None
    if required and not value.strip():
        problems.add(path, "is empty")
        return None
    if choices and value not in choices:
        problems.add(path, f"unknown {key} {value!r}{_suggest(value, choices)} "
                           f"(expected {', '.join(choices)})")
        return None
    return value.strip()


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number_problem(value: Any, setting: str) -> str | None:
    """Why `value` cannot be run setting `setting`, or None."""
    kind, low, high, unit, low_open, _ = RUN_NUMBERS[setting]
    if kind is int and (not isinstance(value, int) or isinstance(value, bool)):
        return f"must be a whole number, not {value!r}"
    if not _is_number(value):
        return f"must be a number, not {value!r}"
    if not math.isfinite(value):
        return f"{value!r} is not a finite number"
    below = value <= low if low_open else value < low
    if below or value > high:
        lowest = f"greater than {low:g}" if low_open else f"from {low:g}"
        highest = f"{high:,.0f}" if float(high).is_integer() else f"{high:g}"
        return f"{value!r} is outside the allowed range: {lowest} to {highest}{' ' + unit if unit else ''}"
    return None


def _run(raw: Any, problems: _Problems) -> RunSettings:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        problems.add("run", "must be a table ([run])")
        return RunSettings()
    keys = ("what", "objective", "solver", *RUN_NUMBERS, "plan_outputs")
    _unknown_keys(raw, keys, "run", problems)
    what = _text(raw, "what", "run", problems, choices=WHATS) or "plan"
    objective = _text(raw, "objective", "run", problems, choices=OBJECTIVES[what]) or "cost"
    solver = _text(raw, "solver", "run", problems, choices=SOLVERS) or "highs"
    if what != "plan" and "solver" in raw:
        problems.add("run.solver", f"is for plans; run.what is {what!r}")
    values: dict[str, Any] = {}
    for setting, (kind, *_, applies) in RUN_NUMBERS.items():
        if setting not in raw:
            continue
        problem = _number_problem(raw[setting], setting)
        if problem:
            problems.add(f"run.{setting}", problem)
        elif what not in applies:
            problems.add(f"run.{setting}", f"is for {' and '.join(applies)}; run.what is {what!r}")
        else:
            values[setting] = kind(raw[setting])
    plan_outputs = raw.get("plan_outputs", False)
    if not isinstance(plan_outputs, bool):
        problems.add("run.plan_outputs", f"must be true or false, not {plan_outputs!r}")
        plan_outputs = False
    elif plan_outputs and what != "plan":
        problems.add("run.plan_outputs", f"is for plans; run.what is {what!r}")
    return RunSettings(what, objective, solver, plan_outputs=plan_outputs, **values)


def _path(value: Any, where: str, root: Path, problems: _Problems, *, directory: bool = False) -> Path | None:
    if not isinstance(value, str) or not value.strip():
        problems.add(where, f"must be a path (text), not {value!r}")
        return None
    path = (root / value).resolve() if not Path(value).is_absolute() else Path(value)
    if directory:
        if not path.is_dir():
            problems.add(where, f"{value!r} is not a directory")
            return None
    elif not path.is_file():
        problems.add(where, f"{value!r} is not a file" if path.exists() else f"{value!r} does not exist")
        return None
    return path


def _date(value: Any, where: str, problems: _Problems) -> date | None:
    if not isinstance(value, date) or hasattr(value, "hour"):
        problems.add(where, f"must be a TOML date (2025-10-06), not {value!r}")
        return None
    if not EARLIEST_INSTANT.date() <= value < LATEST_INSTANT.date():
        problems.add(where, f"{value.isoformat()} is outside 1971-01-01 to 2199-12-31")
        return None
    return value


def _whole(raw: dict[str, Any], key: str, where: str, low: int, high: int, problems: _Problems,
           default: int | None = None) -> int | None:
    value = raw.get(key, default)
    if value is None:
        problems.add(f"{where}.{key}", "is required")
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        problems.add(f"{where}.{key}", f"must be a whole number from {low:,} to {high:,}, not {value!r}")
        return None
    return int(value)


def _sets(raw: Any, root: Path, problems: _Problems) -> list[ConsignmentSet]:
    if not isinstance(raw, list) or not raw:
        problems.add("consignments", "a sweep needs at least one [[consignments]] set (a file or generate)")
        return []
    out: list[ConsignmentSet] = []
    for i, entry in enumerate(raw, start=1):
        where = f"consignments[{i}]"
        if not isinstance(entry, dict):
            problems.add(where, "must be a table ([[consignments]])")
            continue
        _unknown_keys(entry, _SET_KEYS, where, problems)
        label = _text(entry, "label", where, problems)
        has_file, has_gen = "file" in entry, "generate" in entry
        if has_file == has_gen:
            problems.add(where, "give file (a consignments CSV or xlsx, or a glob) or generate, not "
                                + ("both" if has_file else "neither"))
            continue
        if has_file:
            for key in ("seeds", "repeat", "every_days"):
                if key in entry:
                    problems.add(f"{where}.{key}", "is for generate")
            delimiter = _text(entry, "delimiter", where, problems,
                              choices=("auto", "comma", "semicolon", "tab")) or "auto"
            decimal = _text(entry, "decimal", where, problems, choices=("auto", "comma", "point")) or "auto"
            encoding = _text(entry, "encoding", where, problems,
                             choices=("auto", "utf-8", "windows-1252", "latin-1")) or "auto"
            sheet = _text(entry, "sheet", where, problems)
            pattern = entry["file"]
            if isinstance(pattern, str) and any(ch in pattern for ch in "*?["):
                matches = sorted(Path(p) for p in glob.glob(str(root / pattern)) if Path(p).is_file())
                if not matches:
                    problems.add(f"{where}.file", f"pattern {pattern!r} matches no file")
                for match in matches:
                    name = f"{label} {match.stem}" if label else match.stem
                    out.append(ConsignmentSet(name, match.resolve(), None, sheet, delimiter, decimal,
                                              encoding))
                continue
            path = _path(pattern, f"{where}.file", root, problems)
            if path is not None:
                out.append(ConsignmentSet(label or path.stem, path, None, sheet, delimiter, decimal,
                                          encoding))
            continue
        for key in ("sheet", "delimiter", "decimal", "encoding"):
            if key in entry:
                problems.add(f"{where}.{key}", "is for file")
        gen = entry["generate"]
        gwhere = f"{where}.generate"
        if not isinstance(gen, dict):
            problems.add(gwhere, "must be a table: { n = 1000, start = 2025-10-06, days = 7 }")
            continue
        _unknown_keys(gen, _GENERATE_KEYS, gwhere, problems)
        n = _whole(gen, "n", gwhere, 1, 100_000, problems)
        start = _date(gen.get("start"), f"{gwhere}.start", problems) if "start" in gen else None
        if "start" not in gen:
            problems.add(f"{gwhere}.start", "is required")
        days = _whole(gen, "days", gwhere, 1, 366, problems)
        surge = gen.get("surge", False)
        if not isinstance(surge, bool):
            problems.add(f"{gwhere}.surge", f"must be true or false, not {surge!r}")
        seeds = entry.get("seeds", [1])
        if (not isinstance(seeds, list) or not seeds
                or not all(isinstance(s, int) and not isinstance(s, bool) and 0 <= s < 2**30 for s in seeds)):
            problems.add(f"{where}.seeds", "must be a list of whole numbers from 0 to 1,073,741,823, "
                                           f"not {seeds!r}")
            seeds = []
        elif len(set(seeds)) != len(seeds):
            problems.add(f"{where}.seeds", "has a seed twice")
        repeat = _whole(entry, "repeat", where, 1, 520, problems, default=1)
        every = _whole(entry, "every_days", where, 1, 366, problems, default=days or 1)
        if None in (n, start, days, repeat, every) or not isinstance(surge, bool):
            continue
        assert n is not None and start is not None and days is not None and repeat is not None
        assert every is not None
        from datetime import timedelta

        for r in range(repeat):
            first = start + timedelta(days=every * r)
            if not first < LATEST_INSTANT.date():
                problems.add(f"{where}.repeat", f"set {r + 1} would start after 2199-12-31")
                break
            for seed in seeds:
                drawn = seed + REPEAT_SEED_STEP * r  # the weeks of a repeat differ
                name = f"{label or 'generated'} {first.isoformat()} seed {drawn}"
                out.append(ConsignmentSet(name, generated=Generated(n, drawn, first, days, surge)))
    labels = [s.label for s in out]
    for label in sorted({x for x in labels if labels.count(x) > 1}):
        problems.add("consignments", f"two sets are labelled {label!r}: give each a label")
    return out


def _scenario_file(path: Path, where: str, problems: _Problems, cache: dict[Path, dict[str, Any]]
                   ) -> dict[str, Any] | None:
    """The TOML data of a scenario file (read once)."""
    if path in cache:
        return cache[path]
    try:
        raw = parse_toml(read_toml_text(path, str(path), "scenario file", MAX_SCENARIO_BYTES))
    except FileFormatError as exc:
        problems.add(where, f"{str(path)!r}: " + "; ".join(p.message for p in exc.problems))
        return None
    except tomllib.TOMLDecodeError as exc:
        problems.add(where, f"{str(path)!r} is not valid TOML: {exc}")
        return None
    cache[path] = raw
    return raw


def _columns(raw: Any, base: bool, root: Path, problems: _Problems,
             cache: dict[Path, dict[str, Any]]) -> list[Column]:
    out = [Column("base")] if base else []
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        problems.add("scenario", "must be an array of tables ([[scenario]])")
        return out
    given = [c.label for c in out]  # every label given, of columns kept or not: repeats said at once
    for i, entry in enumerate(raw, start=1):
        where = f"scenario[{i}]"
        if not isinstance(entry, dict):
            problems.add(where, "must be a table ([[scenario]])")
            continue
        _unknown_keys(entry, _COLUMN_KEYS, where, problems)
        label = _text(entry, "label", where, problems)
        files_raw = entry.get("files")
        if isinstance(files_raw, str):
            files_raw = [files_raw]
        if not isinstance(files_raw, list) or not files_raw:
            problems.add(f"{where}.files", "must be a list of scenario files (TOML)")
            if label:
                given.append(label)
            continue
        files: list[Path] = []
        names: list[str] = []
        for j, item in enumerate(files_raw, start=1):
            path = _path(item, f"{where}.files[{j}]", root, problems)
            if path is None:
                continue
            data = _scenario_file(path, f"{where}.files[{j}]", problems, cache)
            files.append(path)
            name = data.get("name") if data is not None else None
            names.append(name if isinstance(name, str) and name.strip() else path.stem)
        if len(set(files)) != len(files):
            problems.add(f"{where}.files", "names a file twice")
        if len(files) == len(files_raw):
            out.append(Column(label or " + ".join(names), tuple(files)))
            given.append(out[-1].label)
        elif label:
            given.append(label)
    if not out:
        problems.add("scenario", "no column: give [[scenario]] tables or leave base_column true")
    for label in sorted({x for x in given if given.count(x) > 1}):
        problems.add("scenario", f"two columns are labelled {label!r}: give each a label")
    return out


def key_path(data: dict[str, Any], path: str) -> tuple[Any, str | None]:
    """The value at a key path such as `change[2].factor` (1-based index) in TOML data, or
    (None, why not)."""
    node: Any = data
    for part in path.split("."):
        match = _KEY_PATH.match(part)
        if match is None:
            return None, f"{part!r} is not a key (such as change[2].factor)"
        name, _, index = match.groups()
        if not isinstance(node, dict) or name not in node:
            return None, f"the file has no {name!r} there"
        node = node[name]
        if index is not None:
            if not isinstance(node, list) or not 1 <= int(index) <= len(node):
                count = len(node) if isinstance(node, list) else 0
                return None, f"{name} has {count} entries, not {index}"
            node = node[int(index) - 1]
    return node, None


def set_key_path(data: dict[str, Any], path: str, value: float) -> None:
    """Set the number at `path` (which `key_path` found) in `data`, in place."""
    node: Any = data
    parts = path.split(".")
    for i, part in enumerate(parts):
        match = _KEY_PATH.match(part)
        assert match is not None
        name, _, index = match.groups()
        last = i == len(parts) - 1
        if index is None:
            if last:
                node[name] = value
            else:
                node = node[name]
        else:
            if last:
                node[name][int(index) - 1] = value
            else:
                node = node[name][int(index) - 1]


def _parameters(raw: Any, run: RunSettings, columns: list[Column], root: Path, problems: _Problems,
                cache: dict[Path, dict[str, Any]]) -> list[Parameter]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.add("parameter", "must be an array of tables ([[parameter]])")
        return []
    out: list[Parameter] = []
    names: list[str] = []  # every parameter's name, kept or not: a repeat is said at once
    for i, entry in enumerate(raw, start=1):
        where = f"parameter[{i}]"
        if not isinstance(entry, dict):
            problems.add(where, "must be a table ([[parameter]])")
            continue
        before = len(problems.found)
        _unknown_keys(entry, _PARAMETER_KEYS, where, problems)
        name = _text(entry, "name", where, problems, required=True)
        if name is not None and not _NAME.match(name):
            problems.add(f"{where}.name", f"{name!r} must be lower-case letters, digits and _ (a column "
                                          "name), starting with a letter, at most 40")
        elif name in RESERVED:
            problems.add(f"{where}.name", f"{name!r} is a column of the results; choose another name")
        elif name is not None and name in names:
            problems.add(f"{where}.name", f"two parameters are named {name!r}")
        if name is not None:
            names.append(name)
        keys_raw = entry.get("key")
        keys = [keys_raw] if isinstance(keys_raw, str) else keys_raw
        if not isinstance(keys, list) or not keys or not all(isinstance(k, str) and k for k in keys):
            problems.add(f"{where}.key", "must be a key path (change[1].factor or run.time_limit_s) or a "
                                         "list of key paths")
            continue
        values = entry.get("values")
        if not isinstance(values, list) or not values:
            problems.add(f"{where}.values", "must be a non-empty list of numbers")
            continue
        scenario: Path | None = None
        setting: str | None = None
        if "scenario" in entry:
            scenario = _path(entry["scenario"], f"{where}.scenario", root, problems)
            data = _scenario_file(scenario, f"{where}.scenario", problems, cache) if scenario else None
            if any(k.startswith("run.") for k in keys):
                problems.add(f"{where}.key", "a run setting takes no scenario file (drop scenario)")
            elif data is not None:
                for j, k in enumerate(keys, start=1):
                    kwhere = f"{where}.key" + (f"[{j}]" if len(keys) > 1 else "")
                    found, why = key_path(data, k)
                    if why is not None:
                        problems.add(kwhere, f"{k!r}: {why}")
                    elif not _is_number(found):
                        problems.add(kwhere, f"{k!r} holds {found!r}, not a number")
        else:
            if len(keys) != 1 or not keys[0].startswith("run."):
                problems.add(f"{where}.key", "a scenario number needs scenario = FILE; without one the "
                                             f"key is a run setting (run.{', run.'.join(PARAMETER_NUMBERS)})")
                continue
            setting = keys[0][4:]
            if setting not in PARAMETER_NUMBERS:
                problems.add(f"{where}.key", f"unknown run setting {setting!r}"
                                             f"{_suggest(setting, PARAMETER_NUMBERS)} (a parameter may "
                                             f"vary run.{', run.'.join(PARAMETER_NUMBERS)})")
                continue
            if run.what not in RUN_NUMBERS[setting][5]:
                problems.add(f"{where}.key", f"run.{setting} is for {' and '.join(RUN_NUMBERS[setting][5])}; "
                                             f"run.what is {run.what!r}")
                continue
            if setting in ("eur_per_tco2", "eur_per_day") and run.objective != "balanced":
                problems.add(f"{where}.key", f"run.{setting} changes nothing under objective "
                                             f"{run.objective!r} (it prices "
                                             f"{'CO2e' if 'tco2' in setting else 'time'} for 'balanced')")
                continue
        numbers: list[float] = []
        for j, value in enumerate(values, start=1):
            vwhere = f"{where}.values[{j}]"
            if setting is not None:
                problem = _number_problem(value, setting)
            else:
                finite = _is_number(value) and math.isfinite(value)
                problem = None if finite else f"must be a number, not {value!r}"
            if problem:
                problems.add(vwhere, problem)
            elif value in numbers:
                problems.add(vwhere, f"{value!r} is given twice")
            else:
                numbers.append(value)
        base = entry.get("base")
        if base is not None:
            # The base is a value a cell runs with (one at a time): the values' rules apply.
            if setting is not None:
                problem = _number_problem(base, setting)
            elif not (_is_number(base) and math.isfinite(base)):
                problem = f"must be a number, not {base!r}"
            else:
                problem = None
            if problem:
                problems.add(f"{where}.base", problem)
                base = None
        if base is None:
            if setting is not None:
                current = getattr(run, setting)
                base = current if current is not None else None
            elif scenario is not None and scenario in cache:
                found, why = key_path(cache[scenario], keys[0])
                base = found if why is None and _is_number(found) else None
        if len(problems.found) > before or name is None:
            continue
        out.append(Parameter(name, tuple(k if scenario else k[4:] for k in keys), tuple(numbers), base,
                             scenario))
    return out


def parse_spec(text: str, file: Path) -> SweepSpec:
    """A sweep spec from TOML `text` read from `file` (paths in it are relative to the file's
    directory); raises `FileFormatError` with every problem as `file: key path: message`."""
    shown = str(file)
    problems = _Problems(shown)
    try:
        raw = parse_toml(text)
    except tomllib.TOMLDecodeError as exc:
        raise FileFormatError([Problem(shown, None, None, f"not valid TOML: {exc}")]) from None
    root = file.resolve().parent
    _unknown_keys(raw, _TOP_KEYS, "", problems)
    name = _text(raw, "name", "", problems, required=True) or ""
    description = _text(raw, "description", "", problems) or ""
    network_dir = (_path(raw["network"], "network", root, problems, directory=True) if "network" in raw
                   else None)
    design = _text(raw, "design", "", problems, choices=DESIGNS) or "grid"
    base_column = raw.get("base_column", True)
    if not isinstance(base_column, bool):
        problems.add("base_column", f"must be true or false, not {base_column!r}")
        base_column = True
    run = _run(raw.get("run"), problems)
    sets = _sets(raw.get("consignments"), root, problems)
    cache: dict[Path, dict[str, Any]] = {}
    columns = _columns(raw.get("scenario"), base_column, root, problems, cache)
    parameters = _parameters(raw.get("parameter"), run, columns, root, problems, cache)
    if design == "one_at_a_time" and not parameters:
        problems.add("design", "one_at_a_time varies parameters one at a time: give [[parameter]] tables")
    if problems.found:
        raise FileFormatError(problems.found)
    spec = SweepSpec(file, name, run, tuple(sets), tuple(columns), tuple(parameters), design, network_dir,
                     description, cache)
    from sweep.cells import count_groups  # the size check needs the expansion rules

    size = count_groups(spec)
    if size > MAX_GROUPS:
        text = (f"the sweep has {size:,} set × column × parameter combinations, more than "
                f"{MAX_GROUPS:,}: check the grids")
        raise FileFormatError([Problem(shown, None, None, text)])
    return spec


def load_spec(path: str | Path) -> SweepSpec:
    """Read and check a sweep spec file (a regular UTF-8 file of at most 1 MiB)."""
    path = Path(path)
    shown = str(path)
    text = read_toml_text(path, shown, "sweep spec", MAX_SPEC_BYTES)
    return parse_spec(text, path)

"""The cells of a sweep, and the tasks that compute them.

A *group* is a consignment set × a scenario column × one combination of parameter values. A
plan sweep has one cell per group (the plan of the set); a route or compare sweep one cell per
consignment of the group's set. Each cell is keyed by the hash of everything that decides its
result: the network's files, the set's file, the scenario files' bytes and the numbers a
parameter sets in them, and the run settings; so a cell computed once is never computed again,
whatever the spec around it, and a changed input makes a new cell.

Tasks: one per plan cell; route and compare cells of one network variant (set × scenarios ×
scenario numbers) in batches of `run.batch`, so that the task overhead stays small.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sweep.spec import Column, Parameter, RunSettings, SweepSpec

SCHEMA = 1  # part of every cell's key: bump it when the meaning of a cell's inputs changes


def digest(value: Any) -> str:
    """The SHA-256 of `value`'s canonical JSON (sorted keys, no spaces), in hex."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class ScenarioUse:
    """A scenario file applied in a cell, with the numbers parameters set in it."""

    file: Path
    overrides: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Group:
    """A consignment set × a column × one combination of parameter values."""

    set_index: int
    column_index: int
    values: tuple[float | None, ...]  # per spec parameter, None where it does not apply
    run: RunSettings
    scenarios: tuple[ScenarioUse, ...]
    variant: str  # hash of the network the group's cells run on (set, scenarios, their numbers)


@dataclass(frozen=True)
class Cell:
    """One result row: a group's plan, or one consignment of it (route, compare)."""

    key: str
    group: Group
    consignment: str | None = None


def combinations(spec: SweepSpec, column: Column) -> list[dict[str, float]]:
    """The parameter values of `column`'s groups: the full grid, or one parameter at a time
    away from the base values (the base point first)."""
    params = spec.parameters_of(column)
    if not params:
        return [{}]
    if spec.design == "grid":
        return [dict(zip([p.name for p in params], values, strict=True))
                for values in itertools.product(*(p.values for p in params))]
    base = {p.name: p.base if p.base is not None else p.values[0] for p in params}
    out = [base]
    for p in params:
        for value in p.values:
            point = {**base, p.name: value}
            if point not in out:
                out.append(point)
    return out


def count_groups(spec: SweepSpec) -> int:
    """How many groups the spec makes (before reading any consignment)."""
    return len(spec.sets) * sum(len(combinations(spec, c)) for c in spec.columns)


def _number(value: float, kind: type) -> float | int:
    return int(value) if kind is int else float(value)


def _run_for(run: RunSettings, params: Sequence[Parameter], values: Mapping[str, float]) -> RunSettings:
    from sweep.spec import RUN_NUMBERS

    changes: dict[str, Any] = {}
    for p in params:
        setting = p.run_setting
        if setting is not None and p.name in values:
            changes[setting] = _number(values[p.name], RUN_NUMBERS[setting][0])
    return replace(run, **changes) if changes else run


def _scenarios(spec: SweepSpec, column: Column, values: Mapping[str, float]) -> tuple[ScenarioUse, ...]:
    out = []
    for file in (*column.files, *spec.overlays(column)):
        overrides = sorted((key, float(values[p.name])) for p in spec.parameters
                           if p.scenario == file and p.name in values for key in p.keys)
        out.append(ScenarioUse(file, tuple(overrides)))
    return tuple(out)


def run_inputs(run: RunSettings) -> dict[str, Any]:
    """The run settings that decide a cell's result (for its key)."""
    common = {"what": run.what, "objective": run.objective, "horizon_days": float(run.horizon_days),
              "eur_per_tco2": float(run.eur_per_tco2),
              "eur_per_day": None if run.eur_per_day is None else float(run.eur_per_day)}
    if run.what != "plan":
        return common
    plan = {**common, "solver": run.solver, "time_limit_s": float(run.time_limit_s),
            "alternatives": run.alternatives, "max_departures": run.max_departures, "seed": run.seed}
    # Only when set, so that the keys of cells logged before the setting existed still match.
    return plan if run.on_time is None else {**plan, "on_time": float(run.on_time)}


@dataclass(frozen=True)
class Inputs:
    """The digests of what the cells read: the network's files, each set's file, each scenario
    file; and each set's consignment ids (route and compare cells are per consignment)."""

    network: str
    sets: tuple[str, ...]
    scenario_files: Mapping[Path, str]
    consignment_ids: tuple[tuple[str, ...], ...]


def groups(spec: SweepSpec, inputs: Inputs) -> list[Group]:
    """Every group, in the order set, column, parameter values."""
    out = []
    for si in range(len(spec.sets)):
        for ci, column in enumerate(spec.columns):
            params = spec.parameters_of(column)
            for values in combinations(spec, column):
                uses = _scenarios(spec, column, values)
                scenarios = [[inputs.scenario_files[u.file], [list(o) for o in u.overrides]] for u in uses]
                variant = digest({"schema": SCHEMA, "network": inputs.network, "set": inputs.sets[si],
                                  "scenarios": scenarios})
                row = tuple(values.get(p.name) for p in spec.parameters)
                out.append(Group(si, ci, row, _run_for(spec.run, params, values), uses, variant))
    return out


def cells(spec: SweepSpec, inputs: Inputs) -> list[Cell]:
    """Every cell of the sweep (one row of the results each), keyed by the digest of its
    inputs. Two cells of different groups may share a key (the same computation, e.g. a
    parameter at the value a column's file already has): it is computed once."""
    out: list[Cell] = []
    for g in groups(spec, inputs):
        ids: Iterable[str | None] = ((None,) if spec.run.what == "plan"
                                     else inputs.consignment_ids[g.set_index])
        run = run_inputs(g.run)
        out.extend(Cell(digest({"variant": g.variant, "run": run, "consignment": cid})[:24], g, cid)
                   for cid in ids)
    return out


def unique(found: Iterable[Cell]) -> list[Cell]:
    """The first cell of each key, in order."""
    seen: set[str] = set()
    out = []
    for c in found:
        if c.key not in seen:
            seen.add(c.key)
            out.append(c)
    return out


@dataclass(frozen=True)
class Task:
    """Cells computed together on one worker (same network variant)."""

    key: str
    cells: tuple[Cell, ...]

    @property
    def set_index(self) -> int:
        return self.cells[0].group.set_index


def tasks(todo: Sequence[Cell], batch: int) -> list[Task]:
    """One task per plan cell; route and compare cells grouped by network variant in batches of
    `batch`, in the order of `todo`."""
    if todo and todo[0].consignment is None:
        return [Task(f"plan-{c.key}", (c,)) for c in todo]
    by_variant: dict[str, list[Cell]] = {}
    for c in todo:
        by_variant.setdefault(c.group.variant, []).append(c)
    out = []
    for variant, members in by_variant.items():
        for i in range(0, len(members), batch):
            chunk = tuple(members[i:i + batch])
            out.append(Task(f"batch-{variant[:12]}-{digest([c.key for c in chunk])[:12]}", chunk))
    return out

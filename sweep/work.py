"""What a worker does with a task: the network variant of its cells (scenarios applied, with the
numbers parameters set), then each cell's plan or queries. The same code runs in a Dask worker
and in process (`--workers 0`, the tests' and the benchmark's reference).

A cell that fails (a scenario that does not apply to the network, a number out of range) returns
its error instead of raising, so the sweep goes on; only an interruption propagates.
"""

from __future__ import annotations

import copy
import copyreg
import multiprocessing
import pickle
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

from network.errors import FileFormatError, Problem
from network.model import Network
from routing.consignment import Consignment
from sweep.cells import Cell, ScenarioUse
from sweep.spec import RunSettings, set_key_path


def _mapping(items: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(items)


# A network freezes its mappings in read-only proxies, which pickle cannot send to another
# process: send them as the dicts they wrap (the network is rebuilt as it was; its caches are
# not sent and are rebuilt on the worker).
copyreg.pickle(MappingProxyType, lambda proxy: (_mapping, (dict(proxy),)))


def received(payload: bytes) -> Any:
    """On a worker: an input a sweep sent (a network, a set's consignments), unpickled once."""
    return pickle.loads(payload)


@dataclass(frozen=True)
class Consignments:
    """A set's consignments as read (sent to each worker once)."""

    items: tuple[Consignment, ...]

    @cached_property
    def by_id(self) -> dict[str, Consignment]:
        """The consignments by id (built once per process that holds the set)."""
        return {c.id: c for c in self.items}


@dataclass(frozen=True)
class SetData:
    """A consignment set as read against the base network: the network with the world cities
    it names joined (the base network itself, the same object, when it names none: the sets
    then share the engine's caches), and its consignments."""

    network: Network
    consignments: Consignments


class _FailedBeforeError(Exception):
    """A variant that failed before on this worker (its message kept)."""


# Derived networks of the variants a worker ran lately (a route batch and the next one of the
# same variant share it, and with it the engine's caches), or the error the variant raised.
_VARIANTS: OrderedDict[str, Network | str] = OrderedDict()
_KEEP_VARIANTS = 4


def variant_network(base: Network, variant: str, uses: Sequence[ScenarioUse],
                    scenario_data: Mapping[Path, dict[str, Any]]) -> Network:
    """The set's network `base` with the scenarios of `uses` applied in order, each with its
    numbers set; raises `FileFormatError` (every problem of every file) when a scenario does not
    apply."""
    from network.scenarios import apply_scenarios, scenario_from_data

    found = _VARIANTS.get(variant)
    if found is not None:
        _VARIANTS.move_to_end(variant)
        if isinstance(found, str):
            raise _FailedBeforeError(found)
        return found
    scenarios = []
    problems: list[Problem] = []
    try:
        for use in uses:
            raw = copy.deepcopy(scenario_data[use.file])
            for key, value in use.overrides:
                set_key_path(raw, key, value)
            try:
                scenarios.append(scenario_from_data(raw, str(use.file), base))
            except FileFormatError as exc:
                problems.extend(exc.problems)
        if problems:
            raise FileFormatError(problems)
        network = apply_scenarios(base, scenarios)
    except FileFormatError as exc:
        _remember(variant, error_text(exc))
        raise
    _remember(variant, network)
    return network


def _remember(variant: str, value: Network | str) -> None:
    _VARIANTS[variant] = value
    while len(_VARIANTS) > _KEEP_VARIANTS:
        _VARIANTS.popitem(last=False)


def error_text(exc: BaseException) -> str:
    """One line for a failed cell: every problem of a file error, else the exception's message
    (with its type when it is not one of the project's errors: a bug)."""
    from network.errors import RoutingError

    if isinstance(exc, FileFormatError):
        text = "; ".join(str(p) for p in exc.problems)
    elif isinstance(exc, (RoutingError, _FailedBeforeError)):
        text = str(exc)
    else:
        text = f"{type(exc).__name__}: {exc}"
    text = " ".join(text.split())
    return text if len(text) <= 2000 else text[:1999] + "…"


def worker_name() -> str:
    """The Dask worker running this (its address), or `local`."""
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return "local"


def daemonic() -> bool:
    """Whether this process may not start child processes (a Dask worker under a nanny with
    distributed.worker.daemon true): the planner's solver processes could not start."""
    return bool(multiprocessing.current_process().daemon)


def run_task(cells: Sequence[Cell], scenario_data: Mapping[Path, dict[str, Any]], base: Network,
             consignments: Consignments, plan_workers: int) -> list[dict[str, Any]]:
    """The outcome of each cell of a task (cells of one network variant of the set's network
    `base`): a record with the cell's key, `status` (`done` or `failed`), its `error`, its
    `metrics`, the worker, the wall time, and for plans with `run.plan_outputs` the plan's files."""
    worker = worker_name()
    out = []
    first = cells[0].group
    started = time.monotonic()
    try:
        network: Network | None = variant_network(base, first.variant, first.scenarios, scenario_data)
        failure = ""
    except Exception as exc:  # a scenario that does not apply: every cell of the variant fails
        network, failure = None, error_text(exc)
    lookup = consignments.by_id if cells[0].consignment is not None else {}
    for cell in cells:
        began = time.monotonic()
        record: dict[str, Any] = {"key": cell.key, "worker": worker}
        if network is None:
            record.update(status="failed", error=failure, metrics={})
        else:
            try:
                metrics, files = run_cell(network, consignments, cell, lookup, plan_workers)
                record.update(status="done", error="", metrics=metrics)
                if files:
                    record["files"] = files
            except Exception as exc:
                record.update(status="failed", error=error_text(exc), metrics={})
        # The variant's scenarios are applied once per task: the first cell carries that time.
        record["wall_s"] = round(time.monotonic() - (started if cell is cells[0] else began), 3)
        out.append(record)
    return out


def run_cell(network: Network, consignments: Consignments, cell: Cell, lookup: Mapping[str, Consignment],
             plan_workers: int) -> tuple[dict[str, Any], dict[str, str | bytes]]:
    """A cell's metrics (and a plan's files when asked for)."""
    run = cell.group.run
    if run.what == "plan":
        return plan_cell(network, consignments.items, run, plan_workers)
    consignment = lookup[cell.consignment or ""]
    return query_cell(network, consignment, run), {}


def plan_request(network: Network, consignments: Sequence[Consignment], run: RunSettings) -> Any:
    """The planner's request for a plan cell."""
    from routing.objectives import Objective
    from routing.planner import PlanRequest

    return PlanRequest(network, tuple(consignments), Objective(run.objective), run.eur_per_tco2,
                       run.eur_per_day, run.horizon_days, run.alternatives, run.max_departures, run.solver,
                       run.time_limit_s, run.on_time)


def plan_cell(network: Network, consignments: Sequence[Consignment], run: RunSettings,
              plan_workers: int) -> tuple[dict[str, Any], dict[str, str | bytes]]:
    """Plan the set on the variant's network with the public planner."""
    from routing.planner import PlanSettings, plan_consignments
    from routing.planner.ontime import assignment_figures
    from routing.planner.output import plan_files

    plan = plan_consignments(plan_request(network, consignments, run), None,
                             settings=PlanSettings(seed=run.seed, workers=max(1, plan_workers)))
    figures = assignment_figures(plan)
    metrics = plan_metrics(plan, figures)
    files: dict[str, str | bytes] = {}
    if run.plan_outputs:
        query = [("objective", run.objective), ("solver", run.solver), ("time limit (s)", run.time_limit_s),
                 ("horizon (days)", run.horizon_days), ("seed", run.seed),
                 *([("on time", run.on_time)] if run.on_time is not None else [])]
        files = plan_files(plan, query=query, on_time=figures)
    return metrics, files


MODES = ("air", "rail", "sea", "road")


def plan_metrics(plan: Any, figures: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A plan's headline figures (`routing.planner.output.summary`), who rides which main mode,
    and the on-time share (`figures`: each assignment's reliability, computed when not given)."""
    from routing.planner.ontime import assignment_figures
    from routing.planner.output import summary
    from routing.whatif import main_mode

    head = summary(plan)
    network = plan.request.network
    # The expected share on time of the served consignments that have a due date: the mean of
    # their on-time probabilities (the plan's own estimates, routing/planner/ontime.py).
    figures = assignment_figures(plan) if figures is None else figures
    due = [f.on_time for f in figures.values() if f.on_time is not None]
    by_mode = dict.fromkeys(MODES, 0)
    for a in plan.assignments:
        by_mode[main_mode(network, [leg.service_id for leg in a.legs])] += 1
    return {
        "consignments": head["served"] + head["unserved"], "served": head["served"],
        "unserved": head["unserved"],
        "total_cost_eur": head["total_cost_eur"], "total_co2e_kg": head["total_co2e_kg"],
        "objective_value": head["objective_value"], "best_bound": head["best_bound"], "gap": head["gap"],
        "on_time_share": round(sum(due) / len(due), 4) if due else None,
        "termination": head["termination"], "solver": head["solver"], "solve_s": head["solve_s"],
        "containers": head["containers"], "candidates": head["candidates"],
        **{f"served_{m}": by_mode[m] for m in MODES},
    }


def query_cell(network: Network, consignment: Consignment, run: RunSettings) -> dict[str, Any]:
    """One consignment's best itinerary (`route`), or its best per main mode and overall
    (`compare`), exactly as the commands of those names."""
    from routing.objectives import Objective, Weights, default_eur_per_day
    from routing.search import SearchOptions, best_by_main_mode, best_itineraries
    from routing.whatif import objective_order

    per_day = default_eur_per_day(consignment.value_eur) if run.eur_per_day is None else run.eur_per_day
    options = SearchOptions(Objective(run.objective), Weights(per_day, run.eur_per_tco2), run.horizon_days, 0)
    began = time.perf_counter()
    if run.what == "route":
        found = best_itineraries(network, consignment, options).itineraries
        best = found[0] if found else None
        by_mode = {}
    else:
        by_mode = best_by_main_mode(network, consignment, options)
        order = objective_order(options.objective, options.weights)
        best = min(by_mode.values(), key=order) if by_mode else None
    metrics: dict[str, Any] = {
        "served": best is not None,
        "cost_eur": round(best.cost_eur, 2) if best else None,
        "co2e_kg": round(best.co2e_kg, 3) if best else None,
        "transit_h": round(best.transit_h, 2) if best else None,
        "arrive": best.arrive.isoformat() if best else None,
        "meets_due": best.meets_due if best else None,
        "main_mode": best.main_mode if best else None,
        "services": " > ".join(best.signature) if best else None,
    }
    if run.what == "compare":
        for mode in MODES:
            it = by_mode.get(mode)
            metrics[f"cost_eur_{mode}"] = round(it.cost_eur, 2) if it else None
            metrics[f"co2e_kg_{mode}"] = round(it.co2e_kg, 3) if it else None
            metrics[f"transit_h_{mode}"] = round(it.transit_h, 2) if it else None
    metrics["solve_s"] = round(time.perf_counter() - began, 4)
    return metrics

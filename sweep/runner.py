"""Run a sweep: read its inputs once, skip the cells already finished, compute the others on a
Dask cluster (or in this process), log each cell as it finishes, and write the results and the
report.

Faults: a worker that dies takes its running task with it and the scheduler runs the task
again elsewhere (a task whose workers die `distributed.scheduler.allowed-failures` + 1 times
fails its cells); a cell whose scenario does not apply fails alone; an interruption (Ctrl-C)
cancels what is queued and leaves every finished cell logged, so the same command resumes.
"""

from __future__ import annotations

import pickle
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from network.errors import FileFormatError, InputError, Problem, UnservableRowsError
from network.loader import DEFAULT_NETWORK_DIR, load_network
from network.model import Network
from sweep.cells import Cell, Inputs, Task, cells, digest, file_digest, tasks, unique
from sweep.spec import ConsignmentSet, SweepSpec
from sweep.store import Store, columns
from sweep.work import Consignments, SetData, daemonic, received, run_task

if TYPE_CHECKING:
    from distributed import Client, Future

# The results tables are rewritten at most this often while cells finish (and at most 5 % of
# the time: a large table is rewritten less often).
TABLES_EVERY_S = 5.0


@dataclass(frozen=True)
class Status:
    """Where a sweep stands: cells of the spec (distinct computations), finished before this
    run, done and failed in it, running now; the estimated time left."""

    total: int
    skipped: int
    done: int
    failed: int
    running: int
    elapsed_s: float
    eta_s: float | None

    @property
    def finished(self) -> int:
        return self.skipped + self.done + self.failed


@dataclass(frozen=True)
class Event:
    """What a sweep tells its caller (the CLI prints it; library code never prints)."""

    kind: str  # "start", "progress", "failed", "end"
    status: Status
    text: str = ""  # start: the dashboard's address; failed: the error
    cell: str = ""  # failed: which cell (key, set, scenario, parameter values)


Listener = Callable[[Event], None]


@dataclass
class Prepared:
    """A sweep's inputs, read and checked once: the network, each set (its file and what was
    read from it), the scenario files' data, the digests, and every cell."""

    spec: SweepSpec
    network: Network
    network_dir: Path
    set_files: list[Path]
    set_data: list[SetData]
    inputs: Inputs
    cells: list[Cell]
    scenario_data: dict[Path, dict[str, Any]] = field(default_factory=dict)
    _by_key: dict[str, Cell] = field(default_factory=dict, repr=False)

    def cell(self, key: str) -> Cell:
        """The first cell of `key`."""
        if not self._by_key:
            for c in reversed(self.cells):
                self._by_key[c.key] = c
        return self._by_key[key]

    def labels(self, cell: Cell) -> dict[str, Any]:
        """The columns of a cell's row that say what it is (set, scenario, parameter values)."""
        spec = self.spec
        g = cell.group
        cset = spec.sets[g.set_index]
        column = spec.columns[g.column_index]
        row: dict[str, Any] = {
            "cell": cell.key, "set": cset.label, "set_file": str(self.set_files[g.set_index]),
            "set_start": cset.generated.start.isoformat() if cset.generated else None,
            "set_seed": cset.generated.seed if cset.generated else None,
            "scenario": column.label,
            "scenario_files": " + ".join(str(u.file) for u in g.scenarios),
        }
        row.update({p.name: value for p, value in zip(spec.parameters, g.values, strict=True)})
        if cell.consignment is not None:
            row["consignment"] = cell.consignment
        return row


def _network_digest(directory: Path) -> str:
    return digest({name.name: file_digest(name.read_bytes()) for name in sorted(directory.glob("*.csv"))})


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.-]+", "-", text).strip("-").lower()[:80] or "set"


def prepare(spec: SweepSpec, store: Store, network_dir: Path | None = None) -> Prepared:
    """Load the network, write the generated sets into the store, read every set against the
    network (every problem of every file at once: `FileFormatError`, or `UnservableRowsError`
    when the only problems are places the network cannot serve), digest the inputs and list the
    cells."""
    from routing.planner.consignments import read_consignments

    directory = spec.network_dir or network_dir
    network = load_network(directory)
    root = directory or DEFAULT_NETWORK_DIR
    horizon = max([spec.run.horizon_days, *(v for p in spec.parameters if p.run_setting == "horizon_days"
                                            for v in p.values)])
    files: list[Path] = []
    data: list[SetData] = []
    digests: list[str] = []
    problems: list[Problem] = []
    unservable: list[Problem] = []
    for cset in spec.sets:
        path = _set_file(cset, network, store)
        files.append(path)
        try:
            net, consignments = read_consignments(path, network, horizon, sheet=cset.sheet,
                                                  delimiter=cset.delimiter, decimal=cset.decimal,
                                                  encoding=cset.encoding)
        except FileFormatError as exc:
            problems.extend(_named(exc.problems, cset, spec))
            continue
        except UnservableRowsError as exc:
            unservable.extend(_named(exc.problems, cset, spec))
            continue
        data.append(SetData(net, Consignments(consignments)))
        digests.append(digest({"file": file_digest(path.read_bytes()), "sheet": cset.sheet,
                               "delimiter": cset.delimiter, "decimal": cset.decimal,
                               "encoding": cset.encoding}))
    if problems:
        raise FileFormatError(problems)
    if unservable:
        raise UnservableRowsError(unservable)
    scenario_files = {f: file_digest(f.read_bytes()) for f in spec.scenario_data}
    inputs = Inputs(_network_digest(Path(root)), tuple(digests), scenario_files,
                    tuple(tuple(c.id for c in d.consignments.items) for d in data))
    return Prepared(spec, network, Path(root), files, data, inputs, cells(spec, inputs),
                    dict(spec.scenario_data))


def _named(found: Sequence[Problem], cset: ConsignmentSet, spec: SweepSpec) -> list[Problem]:
    """Problems of a set's file; a generated set's named by the spec's set (the file written
    for it is the store's, removed when the sweep stops on them)."""
    if cset.file is not None:
        return list(found)
    named = []
    for p in found:
        row = f", row {p.line - 1}" if p.line is not None and p.line > 1 else ""
        column = f" ({p.column})" if p.column else ""
        named.append(Problem(str(spec.file), None, None, f"consignments set {cset.label!r} "
                                                          f"(generated{row}){column}: {p.message}"))
    return named


def _set_file(cset: ConsignmentSet, network: Network, store: Store) -> Path:
    """The set's file: its own, or the generated rows written into the store."""
    from sweep.generator import csv_text, generate

    if cset.file is not None:
        return cset.file
    g = cset.generated
    assert g is not None
    try:
        rows = generate(g.n, g.seed, g.start, g.days, g.surge, network)
    except ValueError as exc:
        raise InputError(f"consignment set {cset.label!r}: {exc}") from None
    name = f"{_slug(cset.label)}-n{g.n}-{g.days}d{'-surge' if g.surge else ''}.csv"
    return store.write_set(name, csv_text(rows))


def finished_keys(prepared: Prepared, records: Mapping[str, Mapping[str, Any]], store: Store,
                  retry_failed: bool = False) -> set[str]:
    """Keys of the cells that need no computing: logged (failed ones unless `retry_failed`), and
    with their plan files when the run asks for them."""
    wants_files = prepared.spec.run.plan_outputs
    out = set()
    for cell in prepared.cells:
        record = records.get(cell.key)
        if record is None or (retry_failed and record.get("status") == "failed"):
            continue
        if wants_files and record.get("status") == "done" and not store.has_plan(cell.key):
            continue
        out.add(cell.key)
    return out


def rows(prepared: Prepared, records: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per cell of the spec that has a record, in cell order."""
    out = []
    for cell in prepared.cells:
        record = records.get(cell.key)
        if record is None:
            continue
        out.append({**prepared.labels(cell), "status": record.get("status"),
                    "error": record.get("error") or None, **record.get("metrics", {}),
                    "wall_s": record.get("wall_s"), "worker": record.get("worker")})
    return out


_ACCEPTS: dict[str, Callable[[object], bool]] = {
    "string": lambda v: isinstance(v, str),
    "double": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "int64": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "bool": lambda v: isinstance(v, bool),
}


def fits(record: Mapping[str, Any], types: Mapping[str, str]) -> bool:
    """Whether a logged record can be a row of results with these column types: a known status,
    metrics among the columns, each value of its column's type or empty. A record that cannot (a
    log edited by hand, or written by a version with other metrics) is left out, and its cell
    runs again, as a line cut short is."""
    metrics = record.get("metrics", {})
    if record.get("status") not in ("done", "failed") or not isinstance(metrics, dict):
        return False
    values = {**metrics, "error": record.get("error") or None, "wall_s": record.get("wall_s"),
              "worker": record.get("worker")}
    return all(name in types and (value is None or _ACCEPTS[types[name]](value))
               for name, value in values.items())


def schema(prepared: Prepared) -> list[tuple[str, str]]:
    return columns(prepared.spec.run.what, [p.name for p in prepared.spec.parameters])


class _Progress:
    """Counts and the estimate of time left (from this run's throughput)."""

    def __init__(self, total: int, skipped: int, listener: Listener | None) -> None:
        self.total, self.skipped = total, skipped
        self.done = self.failed = self.running = 0
        self.started = time.monotonic()
        self.listener = listener

    def status(self) -> Status:
        elapsed = time.monotonic() - self.started
        computed = self.done + self.failed
        left = self.total - self.skipped - computed
        eta = elapsed / computed * left if computed else None
        return Status(self.total, self.skipped, self.done, self.failed, self.running, elapsed, eta)

    def tell(self, kind: str, text: str = "", cell: str = "") -> None:
        if self.listener is not None:
            self.listener(Event(kind, self.status(), text, cell))


@dataclass(frozen=True)
class Outcome:
    """How a sweep ended: its cells (distinct computations), those computed in this run, those
    failed (in this run or before), the output directory."""

    total: int
    computed: int
    failed: int
    out: Path
    rows: list[dict[str, Any]]


class Sweep:
    """A sweep opened on its output directory: inputs read, finished cells known (use as a
    context manager: it holds the directory's lock). `run` computes the rest."""

    def __init__(self, spec: SweepSpec, out: str | Path, *, network_dir: Path | None = None,
                 protected: Sequence[Path] = (), retry_failed: bool = False) -> None:
        self.spec = spec
        self.out = Path(out)
        self.store = Store(out, protected=[*protected, *spec.scenario_data, spec.file])
        self._network_dir = network_dir
        self._retry_failed = retry_failed

    def __enter__(self) -> Sweep:
        self.store.__enter__()
        try:
            self.prepared = prepare(self.spec, self.store, self._network_dir)
            types = dict(schema(self.prepared))
            self.records = {key: record for key, record in self.store.records().items()
                            if fits(record, types)}
            done = finished_keys(self.prepared, self.records, self.store, self._retry_failed)
            distinct = unique(self.prepared.cells)
            self.total = len(distinct)
            self.todo = [c for c in distinct if c.key not in done]
            self.tasks = tasks(self.todo, self.spec.run.batch)
        except BaseException:
            self.store.discard()
            self.store.__exit__()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        if kind is not None and not issubclass(kind, KeyboardInterrupt):
            # An error (a Dask scheduler that cannot be reached) before any cell finished: a
            # directory this run created goes again, as every other command's outputs do. A
            # Ctrl-C keeps it, the store to resume from (what the CLI then says).
            self.store.discard()
        self.store.__exit__()

    @property
    def largest_set(self) -> int:
        """Consignments of the largest set (what a plan cell's memory grows with)."""
        return max(len(d.consignments.items) for d in self.prepared.set_data)

    def run(self, client: Client | None = None, *, plan_workers: int = 2, listener: Listener | None = None,
            report: bool = True, stop_after: int | None = None) -> Outcome:
        """Compute every cell not finished and write the results (module docstring).

        `client`: a connected Dask client (None: the cells run one after another in this
        process); `plan_workers`: the planner's solver processes per plan (`PlanSettings.workers`);
        `stop_after`: stop as an interruption would after that many cells (tests). An
        interruption (KeyboardInterrupt) writes the results so far and propagates."""
        prepared, store, records = self.prepared, self.store, self.records
        progress = _Progress(self.total, self.total - len(self.todo), listener)
        # When the tables were last written, and when next (a large table waits longer).
        tables_due = [time.monotonic() + TABLES_EVERY_S]

        def finish(results: Sequence[Mapping[str, Any]]) -> None:
            store.append(results)
            for record in results:
                records[str(record["key"])] = dict(record)
                if record["status"] == "failed":
                    progress.failed += 1
                    progress.tell("failed", str(record["error"]), _describe(prepared, str(record["key"])))
                else:
                    progress.done += 1
            if time.monotonic() >= tables_due[0]:
                began = time.monotonic()
                store.write_outputs(rows(prepared, records), schema(prepared))
                took = time.monotonic() - began
                tables_due[0] = time.monotonic() + max(TABLES_EVERY_S, 20 * took)
            progress.tell("progress")
            if stop_after is not None and progress.done + progress.failed >= stop_after:
                raise KeyboardInterrupt

        table: list[dict[str, Any]] = []
        try:
            progress.tell("start", "" if client is None else str(getattr(client, "dashboard_link", "") or ""))
            if self.tasks:
                if client is None:
                    _run_here(prepared, self.tasks, plan_workers, finish, progress)
                else:
                    _run_dask(prepared, self.tasks, client, plan_workers, finish, progress)
        finally:
            # The tables first: they hold every finished cell whatever happens to the report.
            table = rows(prepared, records)
            store.write_outputs(table, schema(prepared))
            if report:
                from sweep.report import report_html

                store.write_report(report_html(prepared, table))
        progress.tell("end")
        failed = sum(1 for r in table if r["status"] == "failed")
        return Outcome(self.total, progress.done + progress.failed, failed, self.out, table)


def run_sweep(spec: SweepSpec, out: str | Path, *, client: Client | None = None, plan_workers: int = 2,
              network_dir: Path | None = None, listener: Listener | None = None, retry_failed: bool = False,
              protected: Sequence[Path] = (), report: bool = True, stop_after: int | None = None) -> Outcome:
    """Open the sweep on `out` and run it (`Sweep`)."""
    with Sweep(spec, out, network_dir=network_dir, protected=protected, retry_failed=retry_failed) as sweep:
        return sweep.run(client, plan_workers=plan_workers, listener=listener, report=report,
                         stop_after=stop_after)


def _describe(prepared: Prepared, key: str) -> str:
    cell = prepared.cell(key)
    labels = prepared.labels(cell)
    pairs = zip(prepared.spec.parameters, cell.group.values, strict=True)
    params = ", ".join(f"{p.name}={v:g}" for p, v in pairs if v is not None)
    what = f"set {labels['set']!r}, scenario {labels['scenario']!r}" + (f", {params}" if params else "")
    if cell.consignment is not None:
        what += f", consignment {cell.consignment!r}"
    return f"cell {key} ({what})"


def _run_here(prepared: Prepared, work: Sequence[Task], plan_workers: int,
              finish: Callable[[Sequence[Mapping[str, Any]]], None], progress: _Progress) -> None:
    for task in work:
        progress.running = len(task.cells)
        progress.tell("progress")
        data = prepared.set_data[task.set_index]
        results = run_task(task.cells, prepared.scenario_data, data.network, data.consignments, plan_workers)
        progress.running = 0
        finish(results)


def _running(client: Client, pending: Mapping[str, Task]) -> int:
    """Cells of this sweep the workers are computing now (a worker's first tasks, one per thread)."""
    try:
        processing = client.processing()
        threads = client.nthreads()
    except Exception:  # the scheduler is busy or gone: the count is only for the progress line
        return 0
    running = 0
    for worker, keys in processing.items():
        mine = [str(k) for k in keys if str(k) in pending]
        running += sum(len(pending[k].cells) for k in mine[:threads.get(worker, 1)])
    return running


def _run_dask(prepared: Prepared, work: Sequence[Task], client: Client, plan_workers: int,
              finish: Callable[[Sequence[Mapping[str, Any]]], None], progress: _Progress) -> None:
    from distributed import as_completed

    spec = prepared.spec
    if spec.run.what == "plan" and spec.run.solver != "greedy":
        check_workers(client)
    # The networks and the sets' consignments are sent to the cluster once, each a task of its
    # own that tasks depend on: a worker fetches it once (from a peer) and keeps it, and the
    # scheduler, holding the bytes, makes it again should every worker holding it die (data sent
    # by `scatter` would be lost with them). Sets that join no world city share the base network:
    # one object on each worker, whose engine caches (the compiled network) serve all of them.
    used = sorted({t.set_index for t in work})
    networks: dict[int, Any] = {}
    for i in used:
        network = prepared.set_data[i].network
        networks.setdefault(id(network), network)
    net_futures = {n: _send(client, "network", network) for n, network in networks.items()}
    sets = {i: _send(client, f"set-{i}", prepared.set_data[i].consignments) for i in used}
    inputs = [*net_futures.values(), *sets.values()]
    scenario_data = prepared.scenario_data
    futures: dict[str, Future[Any]] = {}
    cells_of: dict[str, Task] = {}
    for task in work:
        base = net_futures[id(prepared.set_data[task.set_index].network)]
        future = client.submit(run_task, task.cells, scenario_data, base, sets[task.set_index], plan_workers,
                               key=f"sweep-{task.key}", pure=False)
        futures[str(future.key)] = future
        cells_of[str(future.key)] = task
    pending = dict(cells_of)
    queue = as_completed(list(futures.values()))
    last_count = 0.0
    try:
        while pending:
            ready = queue.next_batch(block=False) if queue.has_ready() else []
            if not ready:
                now = time.monotonic()
                if now - last_count >= 1.0:
                    progress.running = _running(client, pending)
                    progress.tell("progress")
                    last_count = now
                time.sleep(0.1)
                continue
            for future in ready:
                key = str(future.key)
                if key not in pending:  # yielded again after it was requeued below and settled
                    continue
                settled = _settled(future.status)
                if settled is None:
                    # Done, then lost with the worker that held its result before we read it:
                    # the scheduler computes it again, and the queue yields it once more.
                    queue.add(future)
                    continue
                task = cells_of[key]
                pending.pop(key)
                if settled:
                    results = future.result()
                else:  # the task itself failed: its workers died (KilledWorker), or a bug
                    text = _task_error(future.exception() if future.status == "error" else None,
                                       future.status)
                    results = [{"key": c.key, "status": "failed", "error": text, "metrics": {}, "worker": "",
                                "wall_s": None} for c in task.cells]
                future.release()
                progress.running = max(0, progress.running - len(task.cells))
                finish(results)
    finally:
        if pending:
            client.cancel([futures[k] for k in pending], force=True)
        for f in inputs:
            f.release()


def _settled(status: str) -> bool | None:
    """Whether a future the queue yielded holds its result (True), failed for good (False:
    an error, or cancelled), or is to be waited for again (None: its result was lost with a
    worker after it finished, and the scheduler is computing it again)."""
    if status == "finished":
        return True
    if status in ("error", "cancelled"):
        return False
    return None


def _send(client: Client, name: str, value: Any) -> Future[Any]:
    """`value` on the cluster, as a task the scheduler can run again (see `_run_dask`)."""
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return client.submit(received, payload, key=f"sweep-input-{name}-{digest(file_digest(payload))[:12]}",
                         pure=False)


def _task_error(error: BaseException | None, status: str) -> str:
    from sweep.work import error_text

    if error is not None and type(error).__name__ == "KilledWorker":
        return ("the workers running this cell died repeatedly (out of memory, or killed): "
                f"{' '.join(str(error).split())}")
    return error_text(error) if error is not None else f"the task was {status} by the cluster"


def check_workers(client: Client) -> None:
    """Refuse workers that cannot start the planner's solver processes (daemonic processes)."""
    found = client.run(daemonic)
    bad = sorted(w for w, flag in found.items() if flag)
    if bad:
        raise InputError(f"the Dask workers {', '.join(bad[:3])}{' …' if len(bad) > 3 else ''} run as "
                         "daemonic processes, which cannot start the planner's solver processes: start "
                         "them with DASK_DISTRIBUTED__WORKER__DAEMON=False (or dask worker --no-nanny)")

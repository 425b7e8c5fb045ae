"""Where a sweep's cells run: an embedded Dask `LocalCluster` sized by this machine's cores and
memory (the default), or any running Dask scheduler (`tcp://host:8786`: dask-jobqueue on SLURM,
Kubernetes, a hosted cluster).

Local workers are processes of one thread each, one cell at a time: a plan keeps `cores` cores
busy (the planner's search and its solver processes), so `cores // cores_per_cell` workers fit,
fewer when memory is short. Worker processes are not daemonic, so that the planner may start its
solver processes in them (`distributed.worker.daemon`; workers of an external cluster must be
started so too, which the sweep checks before sending a plan).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from distributed import WorkerPlugin

from network.errors import InputError

if TYPE_CHECKING:
    from distributed import Client

GIB = 1024**3
CONNECT_TIMEOUT_S = 10.0  # to reach a running scheduler
# Memory of one cell, measured with bench/sweep_scale.py (peak RSS of a worker and its solver
# processes): a fixed part (the interpreter, OR-Tools, the network) and a part per consignment.
MEMORY_BASE = 480 * 1024**2
MEMORY_PER_CONSIGNMENT = 85 * 1024


@dataclass(frozen=True)
class Sizing:
    """A local cluster's shape: worker processes (one thread each), the memory limit of each,
    and the planner's solver processes per plan (`PlanSettings.workers`)."""

    workers: int
    memory_limit: int
    plan_workers: int

    def __post_init__(self) -> None:
        if self.workers < 1 or self.plan_workers < 1 or self.memory_limit <= 0:
            raise ValueError(f"invalid local cluster sizing {self}")


def machine() -> tuple[int, int]:
    """(cores, bytes of memory available) of this machine, as Dask counts cores (affinity and
    cgroup limits included)."""
    import psutil
    from dask.system import CPU_COUNT

    return int(CPU_COUNT), int(psutil.virtual_memory().available)


def cell_memory(consignments: int) -> int:
    """Bytes one cell of a set of this many consignments may need."""
    return MEMORY_BASE + MEMORY_PER_CONSIGNMENT * consignments


def local_sizing(cores_per_cell: int, consignments: int, workers: int | None = None,
                 cores: int | None = None, available: int | None = None) -> Sizing:
    """Workers for cells of `cores_per_cell` cores on sets of up to `consignments`: as many as
    the cores and the memory allow (at least one), or `workers`; each plan then gets the cores
    left per worker (at most `cores_per_cell`), so that the machine is not oversubscribed."""
    if cores is None or available is None:
        found_cores, found_memory = machine()
        cores = cores if cores is not None else found_cores
        available = available if available is not None else found_memory
    need = cell_memory(consignments)
    fit = max(1, min(cores // max(1, cores_per_cell), available // need))
    count = workers if workers is not None else fit
    plan_workers = max(1, min(cores_per_cell, cores // count))
    return Sizing(count, max(need, available // count), plan_workers)


class IgnoreInterrupts(WorkerPlugin):
    """A worker plugin: local workers (and the solver processes they start, which inherit it)
    ignore Ctrl-C, which the terminal sends to the whole process group; the sweep's process
    handles it and closes the cluster, so workers stop once, quietly."""

    name = "silkroute-ignore-sigint"

    def setup(self, worker: object) -> None:
        import signal

        signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def dask_client(scheduler: str | None, sizing: Sizing | None, dashboard: str = ":8787") -> Iterator[Client]:
    """A Dask client: of the scheduler at `scheduler`, or of a new `LocalCluster` of `sizing`
    (closed on leaving). Worker processes may start children (module docstring) for as long as
    the block runs, including workers the nanny restarts after one died."""
    import dask
    from distributed import Client, LocalCluster

    with dask.config.set({"distributed.worker.daemon": False}):
        if scheduler is not None:
            try:
                remote = Client(scheduler, timeout=f"{CONNECT_TIMEOUT_S}s")
            except (OSError, TimeoutError, ValueError) as exc:
                detail = " ".join(str(exc).split()) or type(exc).__name__
                raise InputError(f"--scheduler: cannot reach a Dask scheduler at {scheduler!r}: "
                                 f"{detail}") from None
            with remote as client:
                yield client
            return
        assert sizing is not None
        # The workers import the planner once, not per task, and keep quiet on stderr.
        with LocalCluster(n_workers=sizing.workers, threads_per_worker=1, processes=True,
                          memory_limit=sizing.memory_limit, dashboard_address=dashboard,
                          silence_logs=logging.ERROR, env={"PYTHONWARNINGS": "ignore"}) as cluster, \
                Client(cluster) as client:
            client.register_plugin(IgnoreInterrupts())
            yield client


def worker_threads(client: Client) -> dict[str, int]:
    """Threads of each worker of the cluster."""
    return {str(k): int(v) for k, v in client.nthreads().items()}

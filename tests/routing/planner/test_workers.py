"""The solver pool's processes and Ctrl-C: a worker cannot die of it while it starts."""

from __future__ import annotations

import multiprocessing
import signal
import sys

import pytest

from routing.planner.workers import _interrupts_ignored


def _ignored_in(pid: int) -> int:
    """The SigIgn mask of process `pid`."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        line = next(x for x in status if x.startswith("SigIgn:"))
    return int(line.split()[1], 16)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_worker_started_in_the_window_starts_with_ctrl_c_ignored():
    """Spawned while SIGINT is ignored, a worker has it ignored from its first instruction
    (before it imports anything), and the caller's handler is back afterwards."""
    before = signal.getsignal(signal.SIGINT)
    others = set(multiprocessing.active_children())
    with _interrupts_ignored():
        pool = multiprocessing.get_context("spawn").Pool(1)
    try:
        (worker,) = set(multiprocessing.active_children()) - others
        assert _ignored_in(worker.pid) & (1 << (signal.SIGINT - 1))
    finally:
        pool.terminate()
        pool.join()
    assert signal.getsignal(signal.SIGINT) is before

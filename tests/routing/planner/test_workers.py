"""The solver pool's processes and Ctrl-C: none is lost, none kills a worker as it starts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from routing.planner.workers import _interrupts_deferred


def _blocked_in(pid_status: str) -> int:
    """The SigBlk mask of a /proc/<pid>/status text."""
    line = next(x for x in pid_status.splitlines() if x.startswith("SigBlk:"))
    return int(line.split()[1], 16)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="POSIX signal masks")
def test_a_ctrl_c_while_workers_start_is_raised_after_not_lost():
    """SIGINT inside the window is kept: KeyboardInterrupt once the window closes, not within."""
    reached: list[str] = []
    before = signal.getsignal(signal.SIGINT)

    def window() -> None:
        with _interrupts_deferred():
            os.kill(os.getpid(), signal.SIGINT)
            reached.append("the end of the window")

    with pytest.raises(KeyboardInterrupt):
        window()
    assert reached == ["the end of the window"]
    assert signal.getsignal(signal.SIGINT) is before
    assert not signal.pthread_sigmask(signal.SIG_BLOCK, set()) & {signal.SIGINT}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_process_started_in_the_window_starts_with_ctrl_c_blocked():
    """A child started in the window cannot die of a Ctrl-C before it ignores it."""
    code = "print(open('/proc/self/status').read())"
    with _interrupts_deferred():
        status = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                check=True).stdout
    assert _blocked_in(status) & (1 << (signal.SIGINT - 1))

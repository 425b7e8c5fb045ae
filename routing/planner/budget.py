"""The time a plan may take, end to end, and its interruption: one object every stage asks.

Like PyVRP's stopping criteria (`pyvrp/stop/`), a `Budget` answers "stop now?" for whoever holds
it; it also hands out each stage's deadline, as a named share of the time left, so the shares
are stated in one place (`SHARES`) rather than scattered as fractions in the code.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

# Candidate generation stops at this share of the whole limit: building the model of the
# columns, the greedy plan and everything after need the rest.
COLUMNS_SHARE = 0.5
# Shares of the time left when a stage starts (the stage may end earlier).
SHARES = {
    "phase1": 0.25,  # most consignments served (only when capacity can stop someone)
    # LP and column generation, before the search starts; the rounds after the first start from
    # the last basis and take about half the first's time, so a larger share buys more of them.
    "relaxation": 0.6,
    # Large plans' block LPs: every block must reach its optimum for a bound over the columns,
    # else only the assignment bound is left; they need more than the small plans' share, and the
    # search after them gains less than a missed bound loses (README, planner performance).
    "block_relaxation": 0.6,
    "rounding": 0.15,  # first plan from the relaxation: routes, then containers packed
    "final_packing": 1.0,  # the last exact packing may use all that is left
}
# Kept after the solve for building and writing the plan's outputs (which grow with the number of
# consignments), and because solvers check their clocks between steps: 0.3 s, 150 µs per
# consignment and 1 % of the limit, at most 20 % of it.
RESERVE_S, RESERVE_PER_CONSIGNMENT_S, RESERVE_SHARE = 0.3, 150e-6, 0.01


class Interrupted(Exception):  # noqa: N818 - it is a state, not an error
    """The run was interrupted (Ctrl-C): the plan is abandoned and nothing is written."""


class Budget:
    """A run's time limit (from `start`) and its interruption."""

    def __init__(self, time_limit_s: float, start: float | None = None,
                 clock: Callable[[], float] = time.monotonic, consignments: int = 0) -> None:
        self.clock = clock
        self.start = clock() if start is None else start
        self.limit_s = time_limit_s
        reserve = min(0.2 * time_limit_s, RESERVE_S + RESERVE_PER_CONSIGNMENT_S * consignments
                      + RESERVE_SHARE * time_limit_s)
        self.deadline = self.start + time_limit_s - reserve
        self._interrupted = threading.Event()
        self._on_interrupt: list[Callable[[], None]] = []

    def elapsed(self) -> float:
        return self.clock() - self.start

    def left(self) -> float:
        """Seconds until the deadline (negative once past)."""
        return self.deadline - self.clock()

    def until(self, stage: str) -> float:
        """The deadline of `stage`: its share of the time left from now."""
        return self.clock() + max(0.0, self.left()) * SHARES[stage]

    def columns_over(self) -> bool:
        """Whether candidate generation must stop now (`COLUMNS_SHARE`)."""
        return self._interrupted.is_set() or self.elapsed() >= COLUMNS_SHARE * self.limit_s

    def stop(self) -> bool:
        """Whether to stop now: interrupted, or out of time."""
        return self._interrupted.is_set() or self.left() <= 0

    @property
    def interrupted(self) -> bool:
        return self._interrupted.is_set()

    def on_interrupt(self, action: Callable[[], None]) -> None:
        """Run `action` (e.g. kill a solver process) when the run is interrupted."""
        self._on_interrupt.append(action)

    def interrupt(self) -> None:
        """Stop everything as soon as possible (thread-safe; called on Ctrl-C)."""
        if self._interrupted.is_set():
            return
        self._interrupted.set()
        for action in list(self._on_interrupt):
            action()

    def check(self) -> None:
        """Raise `Interrupted` if the run was interrupted."""
        if self._interrupted.is_set():
            raise Interrupted

"""Long solves in worker processes, so that an interruption stops them at once.

HiGHS through MathOpt does not honour a solve interrupter, and a Python signal handler cannot
run while a thread is inside the solver, so a Ctrl-C during a long LP or MIP would wait for its
time limit. The planner therefore sends its long solves (LPs of the relaxation, the full MIP,
phase 1) to worker processes as serialised model protos; an interruption kills the workers.
Short solves (the neighbourhood search's sub-MIPs, container packing) stay in process: they end
within a second.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.pool
import os
import signal
import sys
import threading
import time
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TypeAlias

from ortools.math_opt import model_parameters_pb2, parameters_pb2, result_pb2
from ortools.math_opt.python import mathopt

from routing.planner.budget import Budget, Interrupted


def _solve(model_bytes: bytes, solver_type: int, params_bytes: bytes, model_params_bytes: bytes,
           keep_basis: bool = False) -> bytes:
    """In a worker: solve a serialised model, return the serialised result proto."""
    from ortools.math_opt import model_pb2
    from ortools.math_opt.core.python import solver
    from ortools.math_opt.python import callback, init_arguments

    model = model_pb2.ModelProto.FromString(model_bytes)
    params = parameters_pb2.SolveParametersProto.FromString(params_bytes)
    model_params = model_parameters_pb2.ModelSolveParametersProto.FromString(model_params_bytes)
    result = solver.solve(model, solver_type, init_arguments.StreamableSolverInitArguments().to_proto(),
                          params, model_params, None, callback.CallbackRegistration().to_proto(), None,
                          None)
    if not keep_basis:
        for solution in result.solutions:
            solution.ClearField("basis")  # the slowest part to parse back; only warm starts use it
    return bytes(result.SerializeToString())


def _ignore_interrupts() -> None:
    """In a worker, first thing: a Ctrl-C reaches every process of the terminal's group, and
    workers that died of it mid-task (a traceback each) could leave the pool waiting for them;
    the plan's process alone handles it, by killing the workers (`SolverPool.terminate`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def _interrupts_ignored() -> Iterator[None]:
    """SIGINT ignored by this process while it starts worker processes, when this is the main
    thread (only it may set handlers): a process started then starts with it ignored, and
    Python installs no KeyboardInterrupt of its own, so a Ctrl-C during a worker's first second
    (importing the solver, before `_ignore_interrupts` can run) does not reach it either."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


def _warm() -> int:
    return 0


# Full protos of light results, by the result's id while it lives (results are unhashable).
_RAW: dict[int, result_pb2.SolveResultProto] = {}


def light_result(proto: result_pb2.SolveResultProto, model: mathopt.Model) -> mathopt.SolveResult:
    """A result parsed without its value vectors (parsing them into dictionaries keyed by
    variable took longer than the LP); `result_proto` reads them from the proto kept aside.
    Its termination, objective value and feasibility statuses are complete."""
    light = result_pb2.SolveResultProto()
    light.CopyFrom(proto)
    for solution in light.solutions:  # (touching an absent part would make it present)
        if solution.HasField("basis"):
            solution.ClearField("basis")  # read from the full proto (`routing.planner.basis`)
        if solution.HasField("primal_solution"):
            solution.primal_solution.ClearField("variable_values")
        if solution.HasField("dual_solution"):
            solution.dual_solution.ClearField("dual_values")
            solution.dual_solution.ClearField("reduced_costs")
    result = mathopt.parse_solve_result(light, model, validate=False)
    _RAW[id(result)] = proto
    weakref.finalize(result, _RAW.pop, id(result), None)
    return result


def result_proto(result: mathopt.SolveResult) -> result_pb2.SolveResultProto:
    """The full proto of a result (`light_result`'s, or converted back)."""
    found = _RAW.get(id(result))
    return found if found is not None else result.to_proto()


def no_optimum(result: mathopt.SolveResult | None) -> bool:
    """Whether a solve gave no optimum: no result came back in time (None), or the solver
    ended for another reason (time limit, infeasible, trouble)."""
    return result is None or result.termination.reason != mathopt.TerminationReason.OPTIMAL


# Model parameters as MathOpt's object, or as a proto built in bulk (a warm start's basis).
ModelParams: TypeAlias = mathopt.ModelSolveParameters | model_parameters_pb2.ModelSolveParametersProto | None


@dataclass
class Pending:
    result: multiprocessing.pool.AsyncResult[bytes]
    model: mathopt.Model


class SolverPool:
    """A pool of worker processes (spawned once per plan) for solves that may be long."""

    def __init__(self, budget: Budget, workers: int = 2) -> None:
        self.budget = budget
        self.workers = workers
        self._pool: multiprocessing.pool.Pool | None = None
        self._lock = threading.Lock()
        budget.on_interrupt(self.terminate)

    def start(self) -> None:
        """Start the workers now (they take a moment to import the solver)."""
        with self._lock:
            if self._pool is None:
                with _interrupts_ignored():
                    self._pool = multiprocessing.get_context("spawn").Pool(
                        self.workers, initializer=_ignore_interrupts)
                for _ in range(self.workers):
                    self._pool.apply_async(_warm)

    def submit(self, model: mathopt.Model, solver: mathopt.SolverType, params: mathopt.SolveParameters,
               model_params: ModelParams = None, keep_basis: bool = False) -> Pending:
        """Start solving `model` in a worker (`keep_basis`: the result keeps the final basis)."""
        self.budget.check()
        self.start()
        assert self._pool is not None
        proto = model.export_model()
        mp = (model_params if isinstance(model_params, model_parameters_pb2.ModelSolveParametersProto)
              else (model_params or mathopt.ModelSolveParameters()).to_proto())
        job = self._pool.apply_async(_solve, (proto.SerializeToString(), solver.value,
                                              params.to_proto().SerializeToString(),
                                              mp.SerializeToString(), keep_basis))
        return Pending(job, model)

    def result(self, pending: Pending, grace_s: float) -> mathopt.SolveResult | None:
        """The result of a submitted solve; None when it overran its time limit by more than
        `grace_s` (the workers are then restarted). Raises `Interrupted` on interruption."""
        limit = self.budget.clock() + grace_s
        poll = 0.001  # short solves come back within milliseconds: poll fast, then every 50 ms
        while True:
            self.budget.check()
            if pending.result.ready():
                break
            if self.budget.clock() > limit and self.budget.clock() > self.budget.deadline:
                self.terminate()
                return None
            pending.result.wait(poll)
            poll = min(0.05, poll * 2)
        try:
            data = pending.result.get()
        except Exception as exc:  # a worker killed under us, or a solver error
            if self.budget.interrupted:
                raise Interrupted from exc
            return None
        return light_result(result_pb2.SolveResultProto.FromString(data), pending.model)

    def solve(self, model: mathopt.Model, solver: mathopt.SolverType, params: mathopt.SolveParameters,
              model_params: ModelParams = None, keep_basis: bool = False) -> mathopt.SolveResult | None:
        """Solve in a worker and wait (see `result`)."""
        limit = params.time_limit.total_seconds() if params.time_limit is not None else 0.0
        return self.result(self.submit(model, solver, params, model_params, keep_basis), limit + 2.0)

    def terminate(self) -> None:
        """Kill the workers (an interruption, or a solve that overran)."""
        with self._lock:
            if self._pool is not None:
                self._pool.terminate()
                self._pool = None

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.terminate()
                self._pool.join()
                self._pool = None


@contextlib.contextmanager
def native_stdout_silenced() -> Iterator[None]:
    """Send what native code writes to file descriptor 1 to the null device meanwhile.

    HiGHS prints a debugging line (`HighsMipSolverData::transformNewIntegerFeasibleSolution`)
    straight to stdout on some solves, whatever its logging options; it would corrupt a plan
    written to stdout (`--format json`). Library code here never prints, so nothing is lost.
    """
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def wait_for(thread: threading.Thread, budget: Budget) -> None:
    """Wait for `thread` in short steps, so that a Ctrl-C in this (main) thread interrupts the
    budget at once; then let the thread finish (within about a second) and re-raise."""
    try:
        while thread.is_alive():
            thread.join(0.1)
    except KeyboardInterrupt:
        budget.interrupt()
        started = time.monotonic()
        while thread.is_alive() and time.monotonic() - started < 5.0:
            thread.join(0.1)
        raise

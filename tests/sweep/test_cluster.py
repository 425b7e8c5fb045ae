"""The local cluster's shape: workers by cores and memory, plans given the cores left."""

from __future__ import annotations

import pytest

from sweep.cluster import GIB, cell_memory, local_sizing


@pytest.mark.parametrize(("cores_per_cell", "consignments", "workers", "cores", "available", "expected"), [
    (2, 1_000, None, 2, 16 * GIB, (1, 2)),     # a MIP plan keeps both cores busy: one at a time
    (1, 1_000, None, 2, 16 * GIB, (2, 1)),     # greedy plans, route and compare: one per core
    (2, 1_000, 2, 2, 16 * GIB, (2, 1)),        # --workers 2: each plan gets one solver process
    (2, 10_000, None, 32, 4 * GIB, (3, 2)),    # memory binds: 4 GiB for 1.04 GiB cells
    (2, 10_000, None, 32, 512 * 1024**2, (1, 2)),  # never fewer than one worker
    (2, 1_000, None, 32, 64 * GIB, (16, 2)),   # a 32-core node: 16 plans at once
])
def test_workers_by_cores_and_memory(cores_per_cell, consignments, workers, cores, available, expected):
    """As many workers as cores / cores per cell and the memory allow, or --workers; a plan's
    solver processes are the cores left per worker."""
    sizing = local_sizing(cores_per_cell, consignments, workers, cores=cores, available=available)
    assert (sizing.workers, sizing.plan_workers) == expected
    assert sizing.memory_limit >= cell_memory(consignments)


def test_a_10000_plan_needs_about_a_gibibyte():
    """The estimate the sizing uses: about 1 GiB at 10,000 consignments."""
    assert 0.9 * GIB < cell_memory(10_000) < 1.3 * GIB

"""Scenario and sensitivity sweeps: many plans (or route / compare queries) over consignment sets ×
what-if scenario columns × parameter grids, computed on a Dask cluster (an embedded
`LocalCluster` by default), resumable, with a results table and a report.

    spec.py      the TOML specification, checked (`load_spec`)
    generator.py the consignment generator (sets drawn with a seed)
    cells.py     the cells and their keys (hashes of their inputs), the tasks
    work.py      what a worker computes for a task (never prints; failures are returned)
    store.py     the output directory: the log of finished cells, the tables (Parquet, CSV)
    cluster.py   the local cluster's sizing, or a connection to a running scheduler
    runner.py    the run: inputs sent once, tasks submitted, results logged as they come, resume,
                 interruption (`Sweep`)
    report.py    the self-contained HTML report (matplotlib charts as inline SVG)
"""

from sweep.runner import Event, Outcome, Status, Sweep, run_sweep
from sweep.spec import SweepSpec, load_spec, parse_spec

__all__ = ["Event", "Outcome", "Status", "Sweep", "SweepSpec", "load_spec", "parse_spec", "run_sweep"]

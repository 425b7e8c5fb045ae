"""Generate realistic SME consignments Belgium → China (CSV on stdout or --out); the generator
itself is `sweep/generator.py` (sweeps draw consignment sets from it too).

Default: a pre-Singles'-Day surge over 8 weeks before 2026-11-04, most of it in the last two
weeks, half of it urgent (due 5-10 days after ready), so air capacity binds at scale.
--start 2026-12-01 --days 14 --no-surge gives a calm fortnight (the shipped example).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sweep.generator import csv_text, generate

if TYPE_CHECKING:
    from network.model import Network
    from routing.consignment import Consignment
    from routing.planner import PlanRequest
    from routing.planner.instance import Instance

# The surge the planner's benchmarks plan (and this script's default): 8 weeks from 9 Sep 2026.
SURGE_START, SURGE_DAYS = date(2026, 9, 9), 56


def write(rows: list[dict[str, object]], out: Path | None) -> None:
    """Write the CSV to `out` or stdout."""
    text = csv_text(rows)
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8", newline="")


def surge_instance(network: Network, n: int, seed: int) -> tuple[Network, tuple[Consignment, ...]]:
    """`n` surge consignments of `seed`, read as `plan` reads them from a CSV (places resolved,
    off-network cities joined): the network they need and the consignments."""
    from routing.planner.consignments import read_consignments  # the planner: only when planning

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.csv"
        write(generate(n, seed, SURGE_START, SURGE_DAYS, True), path)
        return read_consignments(path, network)


def first_instance(request: PlanRequest) -> Instance:
    """The planner's instance of a request's first columns, as the pipeline builds it (for the
    benchmarks and tests that study one stage)."""
    from routing.planner.candidates import generate as first_columns
    from routing.planner.containers import ContainerRules
    from routing.planner.instance import build_instance
    from routing.planner.objective import PlanObjective

    objective = PlanObjective.of(request.objective, request.consignments, request.eur_per_tco2,
                                 request.eur_per_day)
    columns, _ = first_columns(request.network, request.consignments, request.objective,
                               eur_per_day=request.eur_per_day, eur_per_tco2=request.eur_per_tco2,
                               horizon_days=request.horizon_days, alternatives=request.alternatives,
                               max_departures=request.max_departures)
    return build_instance(request, columns, objective,
                          ContainerRules(request.network, request.consignments, objective))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--start", type=date.fromisoformat, default=SURGE_START)
    parser.add_argument("--days", type=int, default=SURGE_DAYS)
    parser.add_argument("--no-surge", action="store_true")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    write(generate(args.n, args.seed, args.start, args.days, not args.no_surge), args.out)


if __name__ == "__main__":
    main()

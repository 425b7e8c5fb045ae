"""Benchmark of the itinerary engine: prints a table of median query times.

Usage: python bench/route_perf.py [--repeat 30] [--large-queries 30]

Rows: in-process `route` and `compare` on the default network (Namur → Zhengzhou and other
lanes); `route` on a generated large network (≥ 1,500 locations, ≥ 10,000 timetabled services,
8-week horizon); and `python cli.py route ...` end to end (process start to exit).
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.generate_network import generate  # noqa: E402
from network import load_network  # noqa: E402
from routing.compare import compare  # noqa: E402
from routing.consignment import Consignment  # noqa: E402
from routing.objectives import Objective  # noqa: E402
from routing.search import SearchOptions, best_itineraries  # noqa: E402

BRU = ZoneInfo("Europe/Brussels")
LANES = [("BE-NAMUR", "CN-ZHENGZHOU"), ("BE-LIEGE", "CN-HANGZHOU"), ("BE-CHARLEROI", "CN-CHENGDU"),
         ("BE-ARLON", "CN-SHENZHEN"), ("BE-GHENT", "CN-BEIJING")]


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def _time(fn, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description="itinerary engine benchmark")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--large-queries", type=int, default=30)
    args = parser.parse_args()
    rows = []

    net = load_network()
    for objective in (Objective.COST, Objective.TIME):
        samples = []
        for i in range(args.repeat):
            o, d = LANES[i % len(LANES)]
            c = Consignment(o, d, 800, 3.5, datetime(2026, 12, 1, 9, tzinfo=BRU) + timedelta(hours=7 * i))
            options = SearchOptions(objective=objective)
            samples += _time(lambda c=c, o=options: best_itineraries(net, c, o), 1)
        rows.append((f"route ({objective.value}), default network", _median_ms(samples),
                     max(samples) * 1000, "≤ 20 ms"))
    samples = []
    for i in range(args.repeat):
        o, d = LANES[i % len(LANES)]
        c = Consignment(o, d, 800, 3.5, datetime(2026, 12, 1, 9, tzinfo=BRU) + timedelta(hours=7 * i))
        samples += _time(lambda c=c: compare(net, c, SearchOptions()), 1)
    rows.append(("compare, default network", _median_ms(samples), max(samples) * 1000, "≤ 60 ms"))

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        big = load_network(generate(Path(tmp) / "big", 1600, 12000, seed=7))
        load_s = time.perf_counter() - start
        rng = random.Random(3)
        eu = sorted(x for x in big.locations if x.startswith("EU"))
        asia = sorted(x for x in big.locations if x.startswith("AS"))
        samples, found = [], 0
        for i in range(args.large_queries):
            c = Consignment(rng.choice(eu), rng.choice(asia), rng.uniform(50, 5000),
                            rng.uniform(0.1, 20), datetime(2026, 12, 1, tzinfo=BRU) + timedelta(hours=13 * i))
            options = SearchOptions(horizon_days=56)
            start = time.perf_counter()
            result = best_itineraries(big, c, options)
            samples.append(time.perf_counter() - start)
            found += bool(result.itineraries)
        rows.append((f"route, large network ({len(big.locations)} loc, {len(big.services)} svc, "
                     f"56 d; {found}/{len(samples)} found; load {load_s:.1f} s)",
                     _median_ms(samples), max(samples) * 1000, "≤ 250 ms"))

    command = [sys.executable, str(ROOT / "cli.py"), "route", "Namur", "Zhengzhou", "--weight",
               "800kg", "--volume", "3.5m3", "--ready", "2026-12-01T09:00"]
    samples = _time(lambda: subprocess.run(command, check=True, capture_output=True), 7)
    rows.append(("python cli.py route … (end to end)", _median_ms(samples), max(samples) * 1000,
                 "≤ 1,000 ms"))

    width = max(len(r[0]) for r in rows)
    print(f"{'query'.ljust(width)}  {'median ms':>10}  {'max ms':>8}  target")
    print(f"{'-' * width}  {'-' * 10}  {'-' * 8}  ------")
    for name, median, worst, target in rows:
        print(f"{name.ljust(width)}  {median:10.1f}  {worst:8.1f}  {target}")


if __name__ == "__main__":
    main()

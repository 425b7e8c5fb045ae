"""`compare` against `route` (cost) on the default network, the mesh and (`--generated N`)
generated networks, as the best of several medians: on this shared machine one median can be
30 % off, the best of five rarely is.

Prints one row per network: the best of `--rounds` medians of `route --objective cost` and of
`compare` over the benchmark's `--repeat` queries (bench/route_perf.py's lanes and queries, its
56-day horizon on generated networks), each round timing every route query, then every compare
query, and their ratio.

Usage: python bench/compare_ratio.py [--repeat 30] [--rounds 5] [--generated 400 ...]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.generate_network import generate, mesh  # noqa: E402
from bench.route_perf import WINDOW, _default_lanes, _print, generated_queries  # noqa: E402
from network import load_network  # noqa: E402
from network.timetable import to_seconds  # noqa: E402
from routing.compare import compare  # noqa: E402
from routing.compiled import compiled  # noqa: E402
from routing.search import SearchOptions, best_itineraries  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description="compare against route, best of several medians")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--generated", type=int, nargs="*", default=[],
                        help="also generated networks of these many locations (7.5 services each)")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        nets = {"default": load_network(), "mesh 18": load_network(mesh(Path(tmp) / "mesh"))}
        for n in args.generated:
            directory = generate(Path(tmp) / f"net{n}", n, round(n * 7.5), seed=7)
            nets[f"generated {n:,}"] = load_network(directory)
    for name, net in nets.items():
        generated = name.startswith("generated")
        queries = generated_queries(net, args.repeat) if generated else _default_lanes(args.repeat)
        options = SearchOptions(horizon_days=56) if generated else SearchOptions()
        compiled(net).expand_timetables(to_seconds(WINDOW[0]), to_seconds(WINDOW[1]))
        for c in queries:  # warm: the first query on a network compiles it
            best_itineraries(net, c, options)
            compare(net, c, options)
        best_route = best_compare = float("inf")
        for _ in range(args.rounds):
            route_s, compare_s = [], []
            for c in queries:
                began = time.perf_counter()
                best_itineraries(net, c, options)
                route_s.append(time.perf_counter() - began)
            for c in queries:
                began = time.perf_counter()
                compare(net, c, options)
                compare_s.append(time.perf_counter() - began)
            best_route = min(best_route, statistics.median(route_s) * 1000)
            best_compare = min(best_compare, statistics.median(compare_s) * 1000)
        rows.append([name, f"{best_route:.2f}", f"{best_compare:.2f}", f"{best_compare / best_route:.1f}x"])
    _print(f"compare against route cost (ms, best of {args.rounds} medians over {args.repeat} queries)",
           ["network", "route cost", "compare", "compare / route"], rows)


if __name__ == "__main__":
    main()

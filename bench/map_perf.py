"""Benchmark of plan maps: a 10,000-consignment plan drawn, written and opened in Chromium.

Usage: python bench/map_perf.py [--n 10000] [--solver greedy]

Prints the map's file size, the render time in Python and the time headless Chromium (Debian's
/usr/bin/chromium, via Playwright) takes from navigation to the first drawn leg and the next
frame (the offline base layer painted). Targets from
the maps issue: file ≤ 5 MB, loads and renders in ≤ 3 s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_consignments import surge_instance

from maps import Unassigned, flows_from_departures, flows_map, save_map
from network.loader import load_network
from routing.planner import PlanRequest, plan_consignments
from routing.planner.output import unassigned_text

BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def open_in_chromium(path: Path) -> float:
    """Seconds from navigation until Leaflet has drawn a leg (outside requests are refused)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
                   else r.abort())
        start = time.perf_counter()
        page.goto(path.resolve().as_uri())
        page.wait_for_selector("path.leaflet-interactive")
        # ...and the offline base layer (land and borders on a canvas) is painted too.
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => r(null)))")
        elapsed = time.perf_counter() - start
        browser.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--solver", default="greedy")
    parser.add_argument("--time-limit", type=float, default=60.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        network, consignments = surge_instance(load_network(), args.n, 1)
        plan = plan_consignments(PlanRequest(network, consignments, solver=args.solver,
                                             time_limit_s=args.time_limit))
        start = time.perf_counter()
        m = flows_map(network, flows_from_departures(plan.departures),
                      [Unassigned(u.consignment.id, unassigned_text(plan, u))
                       for u in plan.unassigned],
                      title=f"plan of {args.n} consignments", computed_at=datetime.now(UTC))
        html = Path(tmp) / "plan.html"
        save_map(m, html)
        render_s = time.perf_counter() - start
        size_mb = html.stat().st_size / 1e6
        load_s = open_in_chromium(html)
    print(f"{'consignments':>12}  {'served':>6}  {'file MB':>7}  {'render s':>8}  {'chromium s':>10}")
    print(f"{args.n:>12}  {len(plan.assignments):>6}  {size_mb:>7.2f}  {render_s:>8.2f}  {load_s:>10.2f}")
    print("targets: file ≤ 5 MB, chromium load and render ≤ 3 s")


if __name__ == "__main__":
    main()

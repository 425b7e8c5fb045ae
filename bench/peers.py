"""Yardsticks for the itinerary engine's speed: a compact time-dependent Dijkstra for earliest
arrival, written independently of the engine (it is a benchmark peer, not a product feature).

The peer sees the same network and rules as the engine (goods classes, cut-offs, handling at
intermediate locations, departures up to ready + horizon, on-demand legs leaving at once or when
their calendar opens; departures from `network.timetable`, the one generator) and
answers one question only: the earliest arrival at the destination. Its timetables are expanded
once per network into one sorted array of departure instants per service (over the benchmark's
window), so a query is the Dijkstra itself: one bisect per arc relaxed.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from datetime import datetime

from network.model import Network, Service
from network.timetable import departures, next_open_s, to_seconds


class EarliestArrivalPeer:
    """Time-dependent Dijkstra (earliest arrival) over one network and a time window."""

    def __init__(self, network: Network, start: datetime, end: datetime) -> None:
        self.locations = network.locations
        self.arcs: dict[str, list[tuple[str, list[float], float, float, frozenset[str], Service | None]]] = {}
        for sid in sorted(network.services):
            s = network.services[sid]
            times = [to_seconds(d) for d in departures(s, start, end)] if s.is_timetabled else []
            self.arcs.setdefault(s.origin, []).append(
                (s.destination, times, s.cutoff_h * 3600.0 if s.is_timetabled else -1.0,
                 s.duration_h * 3600.0, s.goods,
                 s if not s.is_timetabled and s.is_restricted else None))
        self.handling = {lid: loc.handling_h * 3600.0 for lid, loc in network.locations.items()}

    def earliest(self, origin: str, destination: str, ready: float, horizon_s: float,
                 goods: str = "general") -> float | None:
        """The earliest arrival instant (POSIX s) at `destination`, or None."""
        last = ready + horizon_s
        best = {origin: ready}
        heap = [(ready, origin)]
        done: set[str] = set()
        while heap:
            t, u = heapq.heappop(heap)
            if u in done:
                continue
            if u == destination:
                return t
            done.add(u)
            available = t if u == origin else t + self.handling[u]
            for v, times, cut, dur, accepts, calendar in self.arcs.get(u, ()):
                if v in done or (accepts and goods not in accepts):
                    continue
                if cut < 0:
                    opened = available if calendar is None else next_open_s(calendar, available)
                    if opened is None:
                        continue
                    depart = opened
                else:
                    i = bisect_left(times, available + cut)
                    if i == len(times) or times[i] > last:
                        continue
                    depart = times[i]
                arrive = depart + dur
                if arrive < best.get(v, float("inf")):
                    best[v] = arrive
                    heapq.heappush(heap, (arrive, v))
        return None

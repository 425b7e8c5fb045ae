"""The `time` objective: the earliest arrival, then the cheapest itinerary that arrives then.

The key of `time` is (arrival, cost, CO2e), then the tie order of `search.py`. It is found in
three steps, each exact:

1. Earliest arrival EA(v) at every location: a time-dependent Dijkstra in A* order of
   EA + the static bound of the time to the destination. On a FIFO network (leaving later never
   arrives earlier, waiting is allowed) one label per location is enough for arrival alone: the
   earliest arrival at v can take every departure a later one can. The destination's EA is the
   best arrival T*; every location whose EA + bound ≤ T* is settled before stopping.
2. Latest arrival LA(v): the latest instant cargo may reach v and still reach the destination
   by T*, by the same search run backwards from the destination at T* (latest first), over the
   settled locations, through the latest departure that still connects. A location with
   LA(v) < EA(v) cannot be on an itinerary that arrives at T*.
3. Every itinerary arriving at T* is at each of its locations v at an instant in
   [EA(v), LA(v)] (by the definitions of EA and LA). The label-setting search of `search.py`
   with the objective `time`, due date T* and labels kept only inside these windows therefore
   sees all of them, and its dominance and tie order pick the one with the smallest
   (cost, CO2e, legs, sequence). Its labels are expanded cheapest first (all arrive at T*).

The windows are narrow, so step 3 touches a small part of the network; steps 1 and 2 are one
label per location each.
"""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from routing.search import SearchStats, _Label, _Problem

INF = float("inf")


def earliest_arrivals(p: _Problem, due: float) -> tuple[list[float], list[bool], float]:
    """EA per location, which locations are settled, and the destination's EA (INF if none
    arrives by `due`)."""
    cn = p.cn
    n = len(cn.ids)
    origin, target, ht = p.origin, p.target, p.ht
    out, s_to, dur_s, cut_s, timetabled = p.out, cn.s_to, cn.dur_s, cn.cut_s, cn.timetabled
    handling_s, horizon_end, restricted = cn.handling_s, p.horizon_end, cn.restricted
    best = [INF] * n
    settled = [False] * n
    best[origin] = p.ready
    heap = [(p.ready + ht[origin], p.ready, origin)]
    arrival = INF
    while heap:
        key, t, u = heapq.heappop(heap)
        if settled[u] or t > best[u]:
            continue
        if key > arrival:
            break
        settled[u] = True
        if u == target:
            arrival = t
            continue
        available = t if u == origin else t + handling_s[u]
        for si in out[u]:
            v = s_to[si]
            h = ht[v]
            if h == INF or settled[v]:
                continue
            if timetabled[si]:
                depart = cn.next_departure(si, available + cut_s[si], horizon_end)
                if depart is None:
                    continue
            elif restricted[si]:
                opened = cn.open_from(si, available)  # a calendar may make cargo wait
                if opened is None:
                    continue
                depart = opened
            else:
                depart = available
            reach = depart + dur_s[si]
            if reach < best[v] and reach + h <= due:
                best[v] = reach
                heapq.heappush(heap, (reach + h, reach, v))
    return best, settled, arrival


def latest_arrivals(p: _Problem, earliest: list[float], settled: list[bool], arrival: float
                    ) -> list[float]:
    """LA per location (-INF outside the corridor) for arriving at the destination by `arrival`."""
    cn = p.cn
    origin, target = p.origin, p.target
    into, s_from, dur_s, cut_s, timetabled = cn.into(p.goods), cn.s_from, cn.dur_s, cn.cut_s, cn.timetabled
    handling_s, horizon_end, ready = cn.handling_s, p.horizon_end, p.ready
    latest = [-INF] * len(cn.ids)
    latest[target] = arrival
    heap = [(-arrival, target)]
    done = [False] * len(cn.ids)
    while heap:
        neg, v = heapq.heappop(heap)
        if done[v]:
            continue
        done[v] = True
        deadline = -neg
        for si in into[v]:
            u = s_from[si]
            if not settled[u] or done[u] or si in p.excluded:
                continue
            ready_u = ready if u == origin else earliest[u] + handling_s[u]
            if timetabled[si]:
                depart = cn.previous_departure(si, min(deadline - dur_s[si], horizon_end),
                                               ready_u + cut_s[si])
                if depart is None:
                    continue
                needed = depart - cut_s[si]
            else:
                # The latest open instant (an upper bound where an open span ends before it:
                # a window wider than needed only prunes less).
                leave = cn.open_until(si, deadline - dur_s[si]) if cn.restricted[si] \
                    else deadline - dur_s[si]
                if leave is None or leave < ready_u:
                    continue
                needed = leave
            late = needed if u == origin else needed - handling_s[u]
            if late > latest[u]:
                latest[u] = late
                heapq.heappush(heap, (-late, u))
    return latest


def earliest_then_cheapest(p: _Problem, stats: SearchStats) -> _Label | None:
    """The best complete label under `time` (module docstring), or None."""
    from routing.search import _Search

    earliest, settled, arrival = earliest_arrivals(p, p.due)
    if arrival == INF:
        return None
    latest = latest_arrivals(p, earliest, settled, arrival)
    p.lazy_prices = True  # the corridor reaches few services: price them as it reaches them
    labels = _Search(p, stats=stats, due=arrival, latest=latest,
                     bound=lambda label: (arrival, label.cost)).run()
    return labels[0] if labels else None

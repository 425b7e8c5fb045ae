"""Pricing searches: the least-cost itinerary of a consignment when a leg's cost depends on the
departure taken (the planner's reduced costs: tariff plus dual prices of departures).

This is the engine's label-setting search (`routing.search`, whose module docstring holds the
exactness argument) specialised for one linear objective: a leg costs `LegCosts.cost(si, t)` at
departure t of service si (zero or more), a change of service at location v costs
`handling[v]`, and each second between ready and arrival costs `per_second`. A label (location,
arrival, cost so far) dominates another at the same location when it arrives no later and
costs no more (fewer legs on a tie): it can take every later departure the other takes, at the
same cost — except on a time-sensitive location, where an on-demand leg's cost depends on the
instant it leaves (it leaves when the cargo is available), so there the dominating label must
also cost no more on each such leg at its own instant. Of a timetabled leg, the first departure
the cargo can catch and every later one that is strictly cheaper than all earlier ones are
expanded (a later, no cheaper departure is dominated). The search runs over walks, which is
exact for itineraries: removing a cycle keeps the later legs at their departures, costs no
more and has fewer legs. Labels are expanded cheapest first (Dijkstra on cost plus the time
cost so far, which never decreases), with arrival bounds for the due date.

`cheapest_per_consignment` prices several consignments of one origin, ready day and goods class
with one shared preparation (the compiled network, adjacency, timetables and the time bounds of
their destinations); each then has its own search, because tariffs are not linear in weight
and volume (minimum charges, volumetric weight, whole containers), so labels of consignments
of different sizes cannot be shared.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from routing.compiled import CompiledNetwork

INF = math.inf


class LegCosts(Protocol):
    """What a leg costs one consignment, by service and departure."""

    def cost(self, si: int, depart: float) -> float:
        """The cost of service `si` leaving at `depart` (zero or more)."""
        ...

    def listed(self, si: int) -> Sequence[float]:
        """Instants (ascending) at which service `si` may cost other than its default; empty
        when every departure costs the same."""
        ...

    def default(self, si: int) -> float:
        """What service `si` costs at any instant not listed."""
        ...


@dataclass(frozen=True)
class PricingQuery:
    """One consignment's search: where, when, and what a leg and a change of service cost."""

    origin: int
    target: int
    ready: float
    horizon_end: float
    due: float
    goods: str
    excluded: frozenset[int]  # services too small for the consignment alone
    handling: Sequence[float]  # cost of changing service at each location (charge and hub CO2e)
    per_second: float  # cost of each second from ready to arrival


class _Label:
    __slots__ = ("cost", "dead", "depart", "legs", "node", "parent", "si", "time")

    def __init__(self, node: int, time: float, cost: float, legs: int, parent: _Label | None,
                 si: int, depart: float) -> None:
        self.node = node
        self.time = time
        self.cost = cost
        self.legs = legs
        self.parent = parent
        self.si = si
        self.depart = depart
        self.dead = False


@dataclass(frozen=True)
class Priced:
    """The cheapest itinerary found: its value and legs as (service index, departure)."""

    value: float
    legs: tuple[tuple[int, float], ...]
    arrive: float


def _legs(label: _Label) -> tuple[tuple[int, float], ...]:
    out = []
    node: _Label | None = label
    while node is not None and node.si >= 0:
        out.append((node.si, node.depart))
        node = node.parent
    out.reverse()
    return tuple(out)


def cheapest(cn: CompiledNetwork, q: PricingQuery, costs: LegCosts) -> Priced | None:
    """The least total cost itinerary of one consignment, or None when none arrives by due."""
    origin, target = q.origin, q.target
    ht = cn.time_bounds(q.goods, target)
    if ht[origin] == INF:
        return None
    out = cn.out(q.goods)
    s_to, dur_s, timetabled = cn.s_to, cn.dur_s, cn.timetabled
    handling_s = cn.handling_s
    excluded, horizon_end, due, per_second, ready = q.excluded, q.horizon_end, q.due, q.per_second, q.ready
    sensitive: dict[int, list[int]] = {}  # location -> on-demand services whose cost varies by instant

    def time_sensitive(node: int) -> list[int]:
        found = sensitive.get(node)
        if found is None:
            found = sensitive[node] = [si for si in out[node]
                                       if not timetabled[si] and costs.listed(si)]
        return found

    start = _Label(origin, ready, 0.0, 0, None, -1, ready)
    bags: dict[int, list[_Label]] = {origin: [start]}
    heap: list[tuple[float, int, _Label]] = [(0.0, 0, start)]
    counter = 1
    while heap:
        _, _, label = heapq.heappop(heap)
        if label.dead:
            continue
        node = label.node
        if node == target:
            return Priced(label.cost + per_second * (label.time - ready), _legs(label), label.time)
        available, base = label.time, label.cost
        if label.parent is not None:
            available += handling_s[node]
            base += q.handling[node]
        for si in out[node]:
            nxt = s_to[si]
            h = ht[nxt]
            if h == INF or si in excluded:
                continue
            for depart, leg in _options(cn, si, available, horizon_end, costs):
                arrive = depart + dur_s[si]
                if arrive + h > due:
                    break
                child = _Label(nxt, arrive, base + leg, label.legs + 1, label, si, depart)
                if _admit(bags, child, time_sensitive(nxt), costs, handling_s):
                    heapq.heappush(heap, (child.cost + per_second * (arrive - ready), counter, child))
                    counter += 1
    return None


def _options(cn: CompiledNetwork, si: int, available: float, horizon_end: float,
             costs: LegCosts) -> list[tuple[float, float]]:
    """The departures worth taking from `available`: the first, then each later one strictly
    cheaper than every earlier one (departures in time order)."""
    if not cn.timetabled[si]:
        return [(available, costs.cost(si, available))]
    depart = cn.next_departure(si, available + cn.cut_s[si], horizon_end)
    if depart is None:
        return []
    listed = costs.listed(si)
    if not listed:
        return [(depart, costs.default(si))]
    default = costs.default(si)
    last = listed[-1]
    out: list[tuple[float, float]] = []
    best = INF
    while depart is not None:
        value = costs.cost(si, depart)
        if value < best:
            out.append((depart, value))
            best = value
        if (depart > last and value == default) or best <= 0.0:
            break  # every later departure costs the default, or nothing beats free
        depart = cn.next_departure(si, depart + 1.0, horizon_end)
    return out


def _admit(bags: dict[int, list[_Label]], child: _Label, sensitive: list[int], costs: LegCosts,
           handling_s: list[float]) -> bool:
    """Add `child` unless a label at its location is at least as good (the first one stays on
    an exact tie: the search order decides, deterministically); drop those it beats."""
    bag = bags.get(child.node)
    if bag is None:
        bags[child.node] = [child]
        return True
    for other in bag:
        if _no_worse(other, child, sensitive, costs, handling_s):
            return False
    survivors = []
    for other in bag:
        if _no_worse(child, other, sensitive, costs, handling_s):
            other.dead = True
        else:
            survivors.append(other)
    survivors.append(child)
    bags[child.node] = survivors
    return True


def _no_worse(a: _Label, b: _Label, sensitive: list[int], costs: LegCosts,
              handling_s: list[float]) -> bool:
    """Whether every completion of `b` is matched by `a` at no greater cost (module docstring)."""
    if a.time > b.time or a.cost > b.cost or (a.time == b.time and a.cost == b.cost and a.legs > b.legs):
        return False
    if sensitive and a.time != b.time:
        at_a = a.time + (handling_s[a.node] if a.parent is not None else 0.0)
        at_b = b.time + (handling_s[b.node] if b.parent is not None else 0.0)
        if any(costs.cost(si, at_a) > costs.cost(si, at_b) for si in sensitive):
            return False
    return True


def all_within(cn: CompiledNetwork, q: PricingQuery, costs: LegCosts, threshold: float,
               limit: int) -> list[Priced] | None:
    """Every itinerary of one consignment whose total cost is at most `threshold`, each at
    every departure it can take (the columns a reduced-cost argument needs: `colgen.py`), or
    None when there are more than `limit`. Itineraries only (no location twice); a search
    without dominance, pruned by cost (legs cost zero or more) and by the due date."""
    ht = cn.time_bounds(q.goods, q.target)
    if ht[q.origin] == INF:
        return []
    out = cn.out(q.goods)
    found: list[Priced] = []
    path: list[tuple[int, float]] = []
    seen = {q.origin}

    def walk(node: int, time: float, cost: float, first: bool) -> bool:
        if node == q.target:
            found.append(Priced(cost + q.per_second * (time - q.ready), tuple(path), time))
            return len(found) <= limit
        available = time if first else time + cn.handling_s[node]
        base = cost if first else cost + q.handling[node]
        for si in out[node]:
            nxt = cn.s_to[si]
            h = ht[nxt]
            if h == INF or si in q.excluded or nxt in seen:
                continue
            if cn.timetabled[si]:
                depart = cn.next_departure(si, available + cn.cut_s[si], q.horizon_end)
            else:
                depart = available
            while depart is not None:
                arrive = depart + cn.dur_s[si]
                if arrive + h > q.due:
                    break
                total = base + costs.cost(si, depart)
                if total + q.per_second * (arrive - q.ready) <= threshold:
                    path.append((si, depart))
                    seen.add(nxt)
                    going = walk(nxt, arrive, total, False)
                    path.pop()
                    seen.discard(nxt)
                    if not going:
                        return False
                if not cn.timetabled[si]:
                    break
                depart = cn.next_departure(si, depart + 1.0, q.horizon_end)
        return True

    return found if walk(q.origin, q.ready, 0.0, True) else None

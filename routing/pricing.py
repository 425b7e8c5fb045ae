"""Pricing searches: the least-cost itinerary of a consignment when a leg's cost depends on the
departure taken (the planner's reduced costs: tariff plus dual prices of departures).

This is the engine's label-setting search (`routing.search`, whose module docstring holds the
exactness argument) specialised for one linear objective: a leg costs `LegCosts.cost(si, t)` at
departure t of service si (zero or more), a change of service at location v costs `handling[v]`,
and each second between ready and arrival costs `per_second`. A label (location, arrival, cost
so far) dominates another at the same location when it arrives no later and costs no more (fewer
legs on a tie): it can take every later departure the other takes, at the same cost — except on
a time-sensitive location. An on-demand leg leaves when the cargo is available (and the calendar
open) or at a later waiting instant (`LegCosts.waits`: where its price by date changes); most of
its departures cost its price by date, but some may be priced on their own (`LegCosts.points`: a
departure with its own dual prices), and the cargo cannot wait for an instant that is not a
waiting one. A location with such a leg (that can still lead to the destination) is
time-sensitive: there a label dominates another only if it also costs no more on each such leg
at its own instant. Of a timetabled leg, the first departure the cargo can catch and every later
one that is strictly cheaper than all earlier ones are expanded (a later, no cheaper departure
is dominated); of an on-demand leg likewise its first open instant and each later waiting
instant strictly cheaper than all earlier ones. A leg into a time-sensitive location keeps more
(`_into_time_sensitive`): arriving later can let the next leg leave at a cheaper instant the
earlier label cannot wait for. It keeps every departure that lets a priced leg there leave at
one of its points and, of the others, each that costs less than the last one kept or meets a
priced leg in another stretch of its price by date (the others pay what that one pays, later).
The same holds one on-demand leg earlier, and so on back: where a chain of on-demand legs leads
to a time-sensitive location the arrival instant matters too; every departure into such a
location is kept, and a label dominates another only if each on-demand leg into a location where
the instant matters leaves for both at the same instant — until the last point on those chains
(`_Timing`): after it arriving earlier is never worse again, which also keeps walks around a
cycle of on-demand legs finite. Labels are expanded cheapest first (Dijkstra on cost plus the
time cost so far, which never decreases), with arrival bounds for the due date.

The search runs over walks, which is exact for itineraries when removing a cycle keeps the
later legs at their departures (the itinerary then costs no more and has fewer legs): true
unless an on-demand leg after the cycle costs less at the later instant the cycle brings it to
than at the instant the cargo would otherwise be there. `cheapest` then searches again over
itineraries only: labels carry the locations visited, and one dominates another only if it
has been nowhere the other has not.

Each consignment has its own search (the compiled network, its adjacency, timetables and time
bounds are shared through `routing.compiled`), because tariffs are not linear in weight and
volume (minimum charges, volumetric weight, whole containers), so labels of consignments of
different sizes cannot be shared.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Iterator, Sequence
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

    def points(self, si: int) -> Sequence[float]:
        """Of the listed instants of on-demand service `si`, those at which it may cost other
        than its price by date (a price that holds from one waiting instant to the next): the
        departures with a price of their own. Arriving at another instant avoids them, which
        waiting cannot do: they make a location time-sensitive (module docstring)."""
        ...

    def waits(self, si: int, after: float) -> Sequence[float]:
        """Instants after `after` (ascending) from which an on-demand leg of `si` may also
        leave (at the first open instant), for a lower price: the starts of later price
        stretches of a dated tariff; empty when waiting never pays."""
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
    __slots__ = ("cost", "dead", "depart", "legs", "node", "parent", "seen", "si", "time")

    def __init__(self, node: int, time: float, cost: float, legs: int, parent: _Label | None,
                 si: int, depart: float, seen: int = 0) -> None:
        self.node = node
        self.time = time
        self.cost = cost
        self.legs = legs
        self.parent = parent
        self.si = si
        self.depart = depart
        self.seen = seen  # locations visited (a bit each), in an elementary search only
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
    """The least total cost itinerary of one consignment, or None when none arrives by due.

    The search runs over walks first; if the cheapest walk passes a location twice (possible
    only when an on-demand leg costs less at a later instant the cargo cannot wait for: coming
    round again is then a way to wait), it is run again over itineraries only (module
    docstring)."""
    found = _cheapest(cn, q, costs, elementary=False)
    if found is not None and _revisits(cn, q.origin, found.legs):
        found = _cheapest(cn, q, costs, elementary=True)
    return found


def _revisits(cn: CompiledNetwork, origin: int, legs: tuple[tuple[int, float], ...]) -> bool:
    nodes = [origin, *(cn.s_to[si] for si, _ in legs)]
    return len(set(nodes)) < len(nodes)


def _cheapest(cn: CompiledNetwork, q: PricingQuery, costs: LegCosts, *, elementary: bool) -> Priced | None:
    origin, target = q.origin, q.target
    ht = cn.time_bounds(q.goods, target)
    if ht[origin] == INF:
        return None
    costs = _Remembered(costs)
    out = cn.out(q.goods)
    s_to, dur_s = cn.s_to, cn.dur_s
    handling_s = cn.handling_s
    excluded, horizon_end, due, per_second, ready = q.excluded, q.horizon_end, q.due, q.per_second, q.ready
    timing = _Timing(cn, out, excluded, costs, target, ht)
    start = _Label(origin, ready, 0.0, 0, None, -1, ready, 1 << origin if elementary else 0)
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
            if h == INF or si in excluded or label.seen >> nxt & 1:
                continue
            seen = label.seen | 1 << nxt if elementary else 0
            at = timing.at(nxt)
            options = (_options(cn, si, available, horizon_end, costs) if at.until == -INF
                       else _into_time_sensitive(cn, si, available, horizon_end, costs, at))
            for depart, leg in options:
                arrive = depart + dur_s[si]
                if arrive + h > due:
                    break
                child = _Label(nxt, arrive, base + leg, label.legs + 1, label, si, depart, seen)
                if _admit(cn, bags, child, at, costs):
                    heapq.heappush(heap, (child.cost + per_second * (arrive - ready), counter, child))
                    counter += 1
    return None


def _into_time_sensitive(cn: CompiledNetwork, si: int, available: float, horizon_end: float,
                         costs: LegCosts, at: _At) -> Iterator[tuple[float, float]]:
    """The departures worth taking from `available` on a leg into a location where the arrival
    instant matters (`at`), lazily (the caller stops at the first that arrives too late).

    Every one when an on-demand chain from there matters (`at.pinned`). Else all but those
    that give the cargo, there, no departure priced on its own (`LegCosts.points`) of the
    location's priced on-demand legs and cost no less than the last one kept that did not
    either, with each such leg in the same stretch of its price by date for both (no waiting
    instant in between): that one then pays as much on every leg out of the location, earlier,
    and can wait for whatever the later one could wait for."""
    handled = cn.dur_s[si] + cn.handling_s[cn.s_to[si]]
    plain_value = INF
    plain_leaves: list[float | None] = []
    for depart in _departures(cn, si, available, horizon_end, costs):
        value = costs.cost(si, depart)
        if at.pinned:
            yield depart, value
            continue
        there = depart + handled
        leaves = [cn.open_from(sj, there) for sj in at.priced]
        if any(t is not None and t in points for t, points in zip(leaves, at.points, strict=True)):
            yield depart, value
            continue
        if value >= plain_value and all(
                b is None or (a is not None and _same_stretch(costs, sj, a, b))
                for sj, a, b in zip(at.priced, plain_leaves, leaves, strict=True)):
            continue  # dominated by the last plain one kept
        plain_value, plain_leaves = value, leaves
        yield depart, value


def _same_stretch(costs: LegCosts, si: int, a: float, b: float) -> bool:
    """Whether on-demand `si` leaving at a <= b pays the same price by date (no waiting instant
    in (a, b])."""
    later = costs.waits(si, a)
    return not later or later[0] > b


class _Remembered:
    """`costs` with each leg's cost at each departure computed once per search: dominance at a
    time-sensitive location asks for the same ones many times over."""

    def __init__(self, costs: LegCosts) -> None:
        self.listed, self.default = costs.listed, costs.default
        self.points, self.waits = costs.points, costs.waits
        self._cost = costs.cost
        self._known: dict[tuple[int, float], float] = {}

    def cost(self, si: int, depart: float) -> float:
        key = (si, depart)
        found = self._known.get(key)
        if found is None:
            found = self._known[key] = self._cost(si, depart)
        return found


def _options(cn: CompiledNetwork, si: int, available: float, horizon_end: float,
             costs: LegCosts) -> Iterable[tuple[float, float]]:
    """The departures worth taking from `available`: the first, then each later one strictly
    cheaper than every earlier one (departures in time order)."""
    if not cn.timetabled[si]:
        return _on_demand(cn, si, available, costs)
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


def _departures(cn: CompiledNetwork, si: int, available: float, horizon_end: float,
                costs: LegCosts) -> Iterator[float]:
    """Every departure of `si` the cargo can take from `available`, ascending: a timetabled
    service's to the horizon, an on-demand one's first open instant and waiting instants."""
    if not cn.timetabled[si]:
        yield from _on_demand_all(cn, si, available, costs)
        return
    depart = cn.next_departure(si, available + cn.cut_s[si], horizon_end)
    while depart is not None:
        yield depart
        depart = cn.next_departure(si, depart + 1.0, horizon_end)


def _on_demand(cn: CompiledNetwork, si: int, available: float, costs: LegCosts) -> list[tuple[float, float]]:
    """An on-demand leg's departures worth taking: of `_on_demand_all`'s, the first, then each
    strictly cheaper than all earlier ones."""
    out: list[tuple[float, float]] = []
    for leave in _on_demand_all(cn, si, available, costs):
        value = costs.cost(si, leave)
        if not out or value < out[-1][1]:
            out.append((leave, value))
    return out


def _on_demand_all(cn: CompiledNetwork, si: int, available: float, costs: LegCosts) -> list[float]:
    """Every departure an on-demand leg may take from `available` (first open instant, then
    from each waiting instant), ascending."""
    first = cn.open_from(si, available)
    if first is None:
        return []
    out = [first]
    for t in costs.waits(si, first):
        leave = cn.open_from(si, t)
        if leave is None:
            break
        if leave > out[-1]:
            out.append(leave)
    return out


@dataclass(frozen=True)
class _At:
    """What makes the instant a label arrives at a location matter (module docstring)."""

    priced: list[int]  # on-demand services out of it with departures priced on their own
    points: list[frozenset[float]]  # their departures priced on their own
    pinned: list[int]  # on-demand services out of it into locations where the instant matters
    until: float  # the latest point on a chain of on-demand legs from it (-INF: none)


class _Timing:
    """Where, and until when, the instant a label arrives matters, found per location on first
    use for one search: a location matters when a chain of on-demand legs (each leaving when
    the cargo is there) leads from it to an on-demand leg with departures priced on their own
    (`LegCosts.points`), until the last such point on any of them (arriving after it, every such
    leg costs its price by date, which can be waited for: arriving earlier is then never worse)."""

    def __init__(self, cn: CompiledNetwork, out: Sequence[Sequence[int]], excluded: frozenset[int],
                 costs: LegCosts, target: int, ht: Sequence[float]) -> None:
        self.cn, self.costs = cn, costs
        self._out, self.excluded, self.ht = out, excluded, ht
        self._on_demand: dict[int, list[int]] = {}
        self._until: dict[int, float] = {target: -INF}
        self._at: dict[int, _At] = {target: _At([], [], [], -INF)}  # the destination: never left

    def on_demand(self, node: int) -> list[int]:
        """The on-demand services out of `node` a completion can take: not excluded, and into a
        location from which the destination can be reached (the others never matter)."""
        found = self._on_demand.get(node)
        if found is None:
            timetabled, s_to, excluded, ht = self.cn.timetabled, self.cn.s_to, self.excluded, self.ht
            found = self._on_demand[node] = [si for si in self._out[node] if not timetabled[si]
                                             and si not in excluded and ht[s_to[si]] < INF]
        return found

    def _priced(self, node: int) -> list[int]:
        return [si for si in self.on_demand(node) if self.costs.points(si)]

    def until(self, node: int) -> float:
        found = self._until.get(node)
        if found is not None:
            return found
        s_to, costs = self.cn.s_to, self.costs
        known = self._until
        # The locations on-demand chains reach from `node` whose value is not known yet, each
        # with its on-demand legs' targets and the latest point of those legs.
        chains: dict[int, tuple[list[int], float]] = {}
        stack = [node]
        while stack:
            v = stack.pop()
            if v in chains or v in known:
                continue
            nexts, own = [], -INF
            for si in self.on_demand(v):
                points = costs.points(si)
                if points:
                    own = max(own, points[-1])
                nexts.append(s_to[si])
                stack.append(s_to[si])
            chains[v] = (nexts, own)
        value = {v: own for v, (_, own) in chains.items()}
        changed = True
        while changed:  # latest(v) = max(own, latest of each next): a fixed point (chains may cycle)
            changed = False
            for v, (nexts, _) in chains.items():
                best = value[v]
                for w in nexts:
                    x = known[w] if w in known else value[w]
                    if x > best:
                        best = x
                if best > value[v]:
                    value[v] = best
                    changed = True
        known.update(value)
        return value[node]

    def at(self, node: int) -> _At:
        found = self._at.get(node)
        if found is None:
            until = self.until(node)
            if until == -INF:
                found = _At([], [], [], -INF)
            else:
                s_to = self.cn.s_to
                pinned = [si for si in self.on_demand(node) if self.until(s_to[si]) > -INF]
                priced = self._priced(node)
                found = _At(priced, [frozenset(self.costs.points(si)) for si in priced], pinned, until)
            self._at[node] = found
        return found


def _admit(cn: CompiledNetwork, bags: dict[int, list[_Label]], child: _Label, at: _At,
           costs: LegCosts) -> bool:
    """Add `child` unless a label at its location is at least as good (the first one stays on
    an exact tie: the search order decides, deterministically); drop those it beats."""
    bag = bags.get(child.node)
    if bag is None:
        bags[child.node] = [child]
        return True
    for other in bag:
        if _no_worse(cn, other, child, at, costs):
            return False
    survivors = []
    for other in bag:
        if _no_worse(cn, child, other, at, costs):
            other.dead = True
        else:
            survivors.append(other)
    survivors.append(child)
    bags[child.node] = survivors
    return True


def _no_worse(cn: CompiledNetwork, a: _Label, b: _Label, at: _At, costs: LegCosts) -> bool:
    """Whether every completion of `b` is matched by `a` at no greater cost (module docstring)."""
    if a.time > b.time or a.cost > b.cost or (a.time == b.time and a.cost == b.cost and a.legs > b.legs):
        return False
    if a.seen & ~b.seen:  # elementary: `a` has been where `b` may still go
        return False
    if a.time != b.time and at.until > -INF:
        handling_s = cn.handling_s
        at_a = a.time + (handling_s[a.node] if a.parent is not None else 0.0)
        if at_a > at.until:
            return True  # both after every point on the way: arriving earlier is never worse
        at_b = b.time + (handling_s[b.node] if b.parent is not None else 0.0)
        for si in at.pinned:  # `a` must leave when `b` does, to arrive when `b` does
            leave_b = cn.open_from(si, at_b)
            if leave_b is not None and cn.open_from(si, at_a) != leave_b:
                return False
        for si, points in zip(at.priced, at.points, strict=True):
            leave_b = cn.open_from(si, at_b)
            if leave_b is None:
                continue  # `b` cannot take it: nothing to match
            leave_a = cn.open_from(si, at_a)
            if leave_a is None:
                return False
            if leave_a not in points and leave_b not in points and _same_stretch(costs, si, leave_a, leave_b):
                continue  # the same price by date
            if costs.cost(si, leave_a) > costs.cost(si, leave_b):
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
            for depart in _departures(cn, si, available, q.horizon_end, costs):
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
        return True

    return found if walk(q.origin, q.ready, 0.0, True) else None

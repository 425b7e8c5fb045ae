"""Exact time-dependent multi-criteria label-setting search for door-to-door itineraries.

Model. A label is a partial itinerary ending at a location: its arrival instant there and its
static criteria (cost and CO2e do not depend on the departure taken, only on the services).
Arcs are FIFO: leaving later never arrives earlier, and cargo may wait. Hence a label A at a
location dominates a label B there when A is no worse on every criterion (arrival included):
every completion of B is matched by the same completion of A, no worse. Discarding only
dominated labels keeps the search exact.

Order. Labels are expanded in order of an admissible lower bound of the objective's key (A*):
static reverse-Dijkstra bounds from the destination on cost, CO2e and minimum travel time
(cut-off + duration + handling, waiting ignored). The search stops when the best remaining
bound is strictly worse than the K-th best complete itinerary found, which is then provably
among the K best.

Alternatives. For K > 1 best distinct routes (distinct service sequences), a label is dropped
only when K labels with other service sequences dominate it, or one with its own sequence does
(k-dominance, the label-setting analogue of k-shortest paths). Paths never revisit a location.
"""

from __future__ import annotations

import heapq
import math
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from network.model import Network, Service
from network.timetable import from_seconds, next_departure_s, to_seconds
from routing.consignment import Consignment
from routing.costing import leg_co2e_kg, leg_price
from routing.itinerary import Handling, Itinerary, Leg
from routing.objectives import Objective, Weights, ranking_key

# Scheduled departures are searched up to this many days after ready: long enough for a sea
# leg (~45 days via the Cape) to be followed by another scheduled leg.
DEFAULT_HORIZON_DAYS = 60.0
INF = math.inf


@dataclass(frozen=True)
class SearchOptions:
    """How to search: objective, its weights, how far ahead to look, how many alternatives."""

    objective: Objective = Objective.COST
    weights: Weights = field(default_factory=Weights)
    horizon_days: float = DEFAULT_HORIZON_DAYS
    alternatives: int = 0

    def __post_init__(self) -> None:
        if not self.horizon_days > 0:
            raise ValueError("horizon_days must be greater than zero")
        if self.alternatives < 0:
            raise ValueError("alternatives must be zero or more")


@dataclass
class SearchStats:
    """Work done by one search (for benchmarks and tests)."""

    labels_created: int = 0
    labels_expanded: int = 0


class _Label:
    __slots__ = ("co2", "cost", "dead", "depart", "dmax", "mode", "node", "parent", "service",
                 "sig", "time")

    def __init__(self, node: str, time: float, cost: float, co2: float,
                 parent: _Label | None, service: Service | None, depart: float,
                 sig: tuple[str, ...], mode: str, dmax: float) -> None:
        self.node = node
        self.time = time  # arrival instant at node (POSIX s); ready time at the origin
        self.cost = cost  # EUR so far, handling at node excluded
        self.co2 = co2  # kg CO2e so far
        self.parent = parent
        self.service = service
        self.depart = depart
        self.sig = sig  # service ids so far
        self.mode = mode  # mode of the longest leg so far
        self.dmax = dmax  # length of the longest leg so far
        self.dead = False

    def visits(self, node: str) -> bool:
        label: _Label | None = self
        while label is not None:
            if label.node == node:
                return True
            label = label.parent
        return False


@dataclass(frozen=True)
class _Arc:
    service: Service
    cost: float
    co2: float
    lb_s: float  # minimum seconds from availability at the origin to arrival


_Adjacency = tuple[dict[str, list[str]], dict[str, list[str]]]  # ahead, behind
_ADJACENCY: weakref.WeakKeyDictionary[Network, dict[str, _Adjacency]] = weakref.WeakKeyDictionary()


def _adjacency(network: Network, goods: str) -> _Adjacency:
    """Locations one usable service ahead of and behind each location, cached per network and
    goods class (networks are immutable)."""
    cache = _ADJACENCY.setdefault(network, {})
    found = cache.get(goods)
    if found is None:
        ahead: dict[str, list[str]] = {}
        behind: dict[str, list[str]] = {}
        for services in network.outgoing.values():
            for s in services:
                if s.accepts(goods):
                    ahead.setdefault(s.origin, []).append(s.destination)
                    behind.setdefault(s.destination, []).append(s.origin)
        found = cache[goods] = (ahead, behind)
    return found


def _reach(start: str, edges: Mapping[str, list[str]]) -> set[str]:
    seen, stack = {start}, [start]
    while stack:
        for nxt in edges.get(stack.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def _arcs(network: Network, consignment: Consignment) -> dict[str, list[_Arc]]:
    """Usable services (goods class accepted) on some origin → destination walk, leaving each
    location, priced for the consignment.

    Only services on such a walk can appear in an itinerary, so pricing the others is wasted
    work (at 10,000 planned consignments it was most of candidate generation).
    """
    ahead, behind = _adjacency(network, consignment.goods)
    from_origin = _reach(consignment.origin, ahead)
    to_target = _reach(consignment.destination, behind)
    arcs: dict[str, list[_Arc]] = {lid: [] for lid in network.locations}
    for location_id in sorted(from_origin & to_target):
        for service in network.outgoing[location_id]:
            if not service.accepts(consignment.goods) or service.destination not in to_target:
                continue
            price = leg_price(service, consignment.weight_kg, consignment.volume_m3).eur
            co2 = leg_co2e_kg(service, consignment.weight_kg)
            wait = service.cutoff_h if service.is_timetabled else 0.0
            arcs[location_id].append(_Arc(service, price, co2, (wait + service.duration_h) * 3600))
    return arcs


def _reverse_bounds(network: Network, arcs: Mapping[str, list[_Arc]], target: str,
                    arc_weight: Callable[[_Arc], float],
                    node_weight: Callable[[str], float]) -> dict[str, float]:
    """Least static weight from every location to `target` (Dijkstra on reversed arcs)."""
    incoming: dict[str, list[_Arc]] = {}
    for out in arcs.values():
        for arc in out:
            incoming.setdefault(arc.service.destination, []).append(arc)
    best = {target: 0.0}
    heap = [(0.0, target)]
    while heap:
        dist, node = heapq.heappop(heap)
        if dist > best.get(node, INF):
            continue
        # Leaving `node` onward costs its handling, unless it is the target itself.
        through = dist + (node_weight(node) if node != target else 0.0)
        for arc in incoming.get(node, ()):
            candidate = through + arc_weight(arc)
            origin = arc.service.origin
            if candidate < best.get(origin, INF):
                best[origin] = candidate
                heapq.heappush(heap, (candidate, origin))
    return best


@dataclass
class _Problem:
    """Everything one search needs, prepared once."""

    network: Network
    consignment: Consignment
    options: SearchOptions
    arcs: dict[str, list[_Arc]]
    ready_s: float
    horizon_s: float
    due_s: float
    h_time: dict[str, float]
    h_cost: dict[str, float]
    h_co2: dict[str, float]
    handling_s: dict[str, float]
    handling_eur: dict[str, float]


def _prepare(network: Network, consignment: Consignment, options: SearchOptions) -> _Problem:
    for end in (consignment.origin, consignment.destination):
        if end not in network.locations:
            raise ValueError(f"location {end!r} is not in the network")
    arcs = _arcs(network, consignment)
    handling_s = {lid: loc.handling_h * 3600 for lid, loc in network.locations.items()}
    handling_eur = {lid: loc.handling_cost_eur(consignment.weight_kg)
                    for lid, loc in network.locations.items()}
    target = consignment.destination
    h_time = _reverse_bounds(network, arcs, target, lambda a: a.lb_s, handling_s.__getitem__)
    h_cost = _reverse_bounds(network, arcs, target, lambda a: a.cost, handling_eur.__getitem__)
    needs_co2 = options.objective in (Objective.CO2, Objective.BALANCED)
    h_co2 = (_reverse_bounds(network, arcs, target, lambda a: a.co2, lambda _: 0.0)
             if needs_co2 else {})
    ready_s = to_seconds(consignment.ready)
    due_s = to_seconds(consignment.due) if consignment.due is not None else INF
    return _Problem(network, consignment, options, arcs, ready_s,
                    ready_s + options.horizon_days * 86400.0, due_s, h_time, h_cost, h_co2,
                    handling_s, handling_eur)


# --- objective-specific keys ----------------------------------------------------------------------
# crit: the vector a label is compared on for dominance (static criteria + arrival).
# bound: an admissible lower bound of the final key, used as the heap priority.
# final: the ranking key of a complete itinerary, ties broken by the departure sequence.

Key = tuple[float, ...]


def _crit(p: _Problem, label: _Label, pareto: bool) -> Key:
    if pareto:
        return (label.cost, label.co2, label.time)
    objective = p.options.objective
    if objective is Objective.CO2:
        return (label.co2, label.cost, label.time)
    if objective is Objective.BALANCED:
        return (label.cost + p.options.weights.eur_per_tco2 * label.co2 / 1000.0, label.time)
    return (label.cost, label.time)


def _bound(p: _Problem, label: _Label) -> Key:
    node = label.node
    cost = label.cost + p.h_cost[node]
    time = label.time + p.h_time[node]
    objective = p.options.objective
    if objective is Objective.TIME:
        return (time, cost)
    if objective is Objective.CO2:
        return (label.co2 + p.h_co2[node], cost, time)
    if objective is Objective.BALANCED:
        w = p.options.weights
        co2 = label.co2 + p.h_co2[node]
        return (w.score(cost, (time - p.ready_s) / 3600.0, co2), time)
    return (cost, time)


def _final(p: _Problem, label: _Label) -> Key:
    return ranking_key(p.options.objective, p.options.weights, label.cost, label.co2, label.time,
                       p.ready_s)


def _tie_break(label: _Label) -> tuple[tuple[str, float], ...]:
    """The stated final tie rule: lexicographic (service id, departure) sequence."""
    legs = []
    node: _Label | None = label
    while node is not None and node.service is not None:
        legs.append((node.service.id, node.depart))
        node = node.parent
    return tuple(reversed(legs))


def _dominates(a: Key, b: Key) -> bool:
    return all(x <= y for x, y in zip(a, b, strict=True))


# --- the search ----------------------------------------------------------------------------------

def _run(p: _Problem, *, k: int, pareto: bool, by_mode: bool,
         stats: SearchStats) -> list[_Label]:
    """Label-setting search; returns complete labels at the destination (unordered)."""
    origin, target = p.consignment.origin, p.consignment.destination
    if origin not in p.h_time:
        return []
    bags: dict[str, list[tuple[Key, _Label]]] = {}
    start = _Label(origin, p.ready_s, 0.0, 0.0, None, None, p.ready_s, (), "", -1.0)
    heap: list[tuple[Key, int, _Label]] = [(_bound(p, start), 0, start)]
    counter = 1
    found: dict[tuple[str, ...], tuple[Key, _Label]] = {}  # best complete label per route
    exhaustive = pareto or by_mode

    while heap:
        bound, _, label = heapq.heappop(heap)
        if label.dead:
            continue
        if not exhaustive and len(found) >= k:
            kth = sorted(f for f, _ in found.values())[k - 1]
            if bound > kth[: len(bound)]:
                break
        stats.labels_expanded += 1
        if label.node == target:
            key = _final(p, label)
            if label.sig not in found or key < found[label.sig][0]:
                found[label.sig] = (key, label)
            continue
        available, cost = label.time, label.cost
        if label.parent is not None:  # changing service here: handling time and charge
            available += p.handling_s[label.node]
            cost += p.handling_eur[label.node]
        for arc in p.arcs[label.node]:
            service = arc.service
            nxt = service.destination
            h = p.h_time.get(nxt)
            if h is None or label.visits(nxt):
                continue
            if service.is_timetabled:
                depart = next_departure_s(service, available + service.cutoff_h * 3600, p.horizon_s)
                if depart is None:
                    continue
            else:
                depart = available  # on demand: no timetable, so the horizon does not apply
            arrive = depart + service.duration_h * 3600
            if arrive + h > p.due_s:
                continue
            longer = service.distance_km > label.dmax
            child = _Label(nxt, arrive, cost + arc.cost, label.co2 + arc.co2, label, service,
                           depart, (*label.sig, service.id),
                           service.mode if longer else label.mode,
                           service.distance_km if longer else label.dmax)
            if _admit(p, bags, child, k=1 if pareto or by_mode else k, pareto=pareto,
                      by_mode=by_mode):
                stats.labels_created += 1
                heapq.heappush(heap, (_bound(p, child), counter, child))
                counter += 1
    if pareto:
        return [label for _, label in bags.get(target, []) if not label.dead]
    return [label for _, label in found.values()]


def _admit(p: _Problem, bags: dict[str, list[tuple[Key, _Label]]], child: _Label, *, k: int,
           pareto: bool, by_mode: bool) -> bool:
    """Add `child` to its location's bag unless it is dominated; prune what it dominates."""
    crit = _crit(p, child, pareto)
    bag = bags.setdefault(child.node, [])
    dominators = 0
    for other_crit, other in bag:
        if by_mode and (other.mode, other.dmax) != (child.mode, child.dmax):
            continue
        if _dominates(other_crit, crit):
            if other.sig == child.sig or k == 1:
                return False
            dominators += 1
            if dominators >= k:
                return False
    survivors = []
    for other_crit, other in bag:
        comparable = not by_mode or (other.mode, other.dmax) == (child.mode, child.dmax)
        if comparable and _dominates(crit, other_crit) and (k == 1 or other.sig == child.sig):
            other.dead = True
        else:
            survivors.append((other_crit, other))
    survivors.append((crit, child))
    bags[child.node] = survivors
    return True


# --- building itineraries ------------------------------------------------------------------------

def _itinerary(p: _Problem, label: _Label) -> Itinerary:
    chain = []
    node: _Label | None = label
    while node is not None and node.service is not None:
        chain.append(node)
        node = node.parent
    chain.reverse()
    c = p.consignment
    legs, handling = [], []
    for i, step in enumerate(chain):
        service = step.service
        assert service is not None
        if i > 0:
            location = p.network.locations[service.origin]
            handling.append(Handling(location.id, location.handling_cost_eur(c.weight_kg),
                                     location.handling_h))
        price = leg_price(service, c.weight_kg, c.volume_m3)
        legs.append(Leg(
            service=service,
            depart=from_seconds(step.depart, p.network.locations[service.origin].tz),
            arrive=from_seconds(step.time, p.network.locations[service.destination].tz),
            chargeable_kg=price.chargeable_kg, cost_eur=price.eur, basis=price.basis,
            containers=price.containers, co2e_kg=leg_co2e_kg(service, c.weight_kg),
        ))
    return Itinerary(c, tuple(legs), tuple(handling))


def _ranked(p: _Problem, labels: list[_Label]) -> list[_Label]:
    return sorted(labels, key=lambda lab: (_final(p, lab), _tie_break(lab)))


@dataclass(frozen=True)
class SearchResult:
    """Itineraries best first, and the work it took."""

    itineraries: tuple[Itinerary, ...]
    stats: SearchStats


def _best_distinct(p: _Problem, stats: SearchStats) -> tuple[Itinerary, ...]:
    k = p.options.alternatives + 1
    labels = _run(p, k=k, pareto=False, by_mode=False, stats=stats)
    distinct: list[_Label] = []
    seen: set[tuple[str, ...]] = set()
    for label in _ranked(p, labels):
        if label.sig not in seen:
            seen.add(label.sig)
            distinct.append(label)
    return tuple(_itinerary(p, lab) for lab in distinct[:k])


def _best_per_mode(p: _Problem) -> dict[str, Itinerary]:
    labels = _run(p, k=1, pareto=False, by_mode=True, stats=SearchStats())
    best: dict[str, _Label] = {}
    for label in _ranked(p, labels):
        best.setdefault(label.mode, label)  # a complete label's mode is its main mode
    return {mode: _itinerary(p, label) for mode, label in best.items()}


def best_itineraries(network: Network, consignment: Consignment,
                     options: SearchOptions | None = None) -> SearchResult:
    """The best itinerary under `options.objective` and up to `alternatives` next-best
    distinct ones (distinct service sequences), best first; empty when none exists."""
    p = _prepare(network, consignment, options or SearchOptions())
    stats = SearchStats()
    return SearchResult(_best_distinct(p, stats), stats)


def pareto_itineraries(network: Network, consignment: Consignment,
                       options: SearchOptions | None = None) -> SearchResult:
    """Every non-dominated itinerary on (cost, CO2e, arrival), cheapest first."""
    options = options or SearchOptions()
    p = _prepare(network, consignment, options)
    stats = SearchStats()
    labels = _run(p, k=1, pareto=True, by_mode=False, stats=stats)
    ranked = sorted(labels, key=lambda lab: ((round(lab.cost, 6), lab.time, round(lab.co2, 6)),
                                             _tie_break(lab)))
    return SearchResult(tuple(_itinerary(p, lab) for lab in ranked), stats)


def best_by_main_mode(network: Network, consignment: Consignment,
                      options: SearchOptions | None = None) -> dict[str, Itinerary]:
    """The best itinerary for each main mode (mode of the longest leg) that has one.

    Labels are only compared within the same (main mode so far, longest leg so far) state,
    so the best itinerary of every main mode survives: exact per mode.
    """
    return _best_per_mode(_prepare(network, consignment, options or SearchOptions()))


def route_candidates(network: Network, consignment: Consignment, options: SearchOptions
                     ) -> tuple[tuple[Itinerary, ...], dict[str, Itinerary]]:
    """`best_itineraries` and `best_by_main_mode` together, preparing the search once."""
    p = _prepare(network, consignment, options)
    return _best_distinct(p, SearchStats()), _best_per_mode(p)


def earliest_arrival(network: Network, consignment: Consignment,
                     horizon_days: float = DEFAULT_HORIZON_DAYS) -> Itinerary | None:
    """The earliest-arriving itinerary ignoring the due date (to explain a missed one)."""
    relaxed = Consignment(consignment.origin, consignment.destination, consignment.weight_kg,
                          consignment.volume_m3, consignment.ready, None, consignment.goods,
                          consignment.value_eur, consignment.id)
    result = best_itineraries(network, relaxed,
                              SearchOptions(objective=Objective.TIME, horizon_days=horizon_days))
    return result.itineraries[0] if result.itineraries else None



"""Where the network breaks (`network resilience`): minimum cuts, corridor exposure and single
points of failure of each main mode, from Belgian origins to Chinese destinations.

The static graph: locations as nodes, one arc per service accepting the goods class (timetables,
calendars and prices ignored). The options of a mode M are the walks from an origin to a
destination over services of mode M and road feeders (the only long legs of that graph are of
mode M, so every such walk has its main leg in M).
- Minimum cuts (networkx maximum flow, a super-source joined to every origin and a super-sink
  from every destination): the fewest services (edge cut) and the fewest locations other than
  the origins and destinations (node cut) whose loss removes every option of the mode.
- Corridor shares: the share of the itineraries — simple paths of at most `max_legs` legs over
  every mode — that pass each corridor tag.
- Single points of failure: each corridor tag and each hub (rail terminal, airport, seaport)
  whose closure alone removes every option of a mode for every origin-destination pair; for
  each, the engine is run on a reference consignment under the implied scenario (the corridor
  or location closed for good) to give what the next-best option then costs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import networkx as nx

from network.model import Network, Service
from network.scenarios import Change, Scenario, Selector, apply_scenario
from routing.compare import MODE_ORDER
from routing.consignment import Consignment
from routing.itinerary import Itinerary
from routing.search import SearchOptions, best_by_main_mode, best_itineraries

HUB_KINDS = ("rail_terminal", "airport", "seaport")
LONG_MODES = ("rail", "air", "sea")
_S, _T = "__source__", "__sink__"


@dataclass(frozen=True)
class Cuts:
    """The minimum cuts of one mode's options (empty when it has none)."""

    mode: str
    pairs_served: int  # origin-destination pairs with at least one option of the mode
    services: tuple[str, ...]  # a minimum edge cut
    locations: tuple[str, ...]  # a minimum node cut (origins and destinations excluded)


@dataclass(frozen=True)
class CorridorShare:
    """How many itineraries (simple paths) pass a corridor, overall and per main mode."""

    tag: str
    name: str
    kind: str
    share: float
    by_mode: dict[str, float]


@dataclass(frozen=True)
class SinglePoint:
    """A corridor or hub whose closure removes every option of `mode`, and what is left."""

    what: str  # a corridor tag or a location id
    kind: str  # "corridor (border)", "rail_terminal", ...
    name: str
    mode: str
    base: Itinerary | None  # the reference consignment's best itinerary of `mode` on the base
    next_best: Itinerary | None  # its best itinerary once `what` is closed
    remaining: dict[str, Itinerary]  # its best itinerary per main mode once `what` is closed


@dataclass(frozen=True)
class Resilience:
    """Everything `network resilience` reports."""

    goods: str
    origins: tuple[str, ...]
    destinations: tuple[str, ...]
    itineraries: int  # simple paths counted for the shares
    max_legs: int
    cuts: tuple[Cuts, ...]
    corridors: tuple[CorridorShare, ...]
    single_points: tuple[SinglePoint, ...]
    reference: Consignment | None


def _usable(network: Network, goods: str, mode: str | None) -> list[Service]:
    return [s for s in network.services.values() if s.accepts(goods)
            and (mode is None or s.mode in (mode, "road"))]


def _mode_graph(network: Network, goods: str, mode: str, origins: Sequence[str],
                destinations: Sequence[str]) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(network.locations)
    for s in _usable(network, goods, mode):
        graph.add_edge(s.origin, s.destination, key=s.id)
    return graph


def _pairs(graph: nx.MultiDiGraph, origins: Sequence[str], destinations: Sequence[str]) -> int:
    return sum(1 for o in origins for d in set(nx.descendants(graph, o)) & set(destinations) if d != o)


def _cuts(network: Network, goods: str, mode: str, origins: Sequence[str],
          destinations: Sequence[str]) -> Cuts:
    graph = _mode_graph(network, goods, mode, origins, destinations)
    served = _pairs(graph, origins, destinations)
    if not served:
        return Cuts(mode, 0, (), ())
    ends = set(origins) | set(destinations)
    # Edge cut: capacity = number of parallel services; the super arcs have none (infinite).
    flow = nx.DiGraph()
    for u, v, key in graph.edges(keys=True):
        if flow.has_edge(u, v):
            flow[u][v]["capacity"] += 1
            flow[u][v]["services"].append(key)
        else:
            flow.add_edge(u, v, capacity=1, services=[key])
    for o in origins:
        flow.add_edge(_S, o)
    for d in destinations:
        flow.add_edge(d, _T)
    _, (reach, _) = nx.minimum_cut(flow, _S, _T)
    services = sorted(k for u, v, data in flow.edges(data=True) if u in reach and v not in reach
                      for k in data.get("services", ()))
    # Node cut: each location is an arc in -> out of capacity 1 (the ends: no capacity).
    split = nx.DiGraph()
    for node in graph.nodes:
        if node in ends:
            split.add_edge((node, "in"), (node, "out"))
        else:
            split.add_edge((node, "in"), (node, "out"), capacity=1)
    for u, v in set(graph.edges()):
        split.add_edge((u, "out"), (v, "in"))
    for o in origins:
        split.add_edge(_S, (o, "in"))
    for d in destinations:
        split.add_edge((d, "out"), _T)
    _, (reach_n, _) = nx.minimum_cut(split, _S, _T)
    locations = sorted(node for node in graph.nodes
                       if (node, "in") in reach_n and (node, "out") not in reach_n)
    return Cuts(mode, served, tuple(services), tuple(locations))


def _shares(network: Network, goods: str, origins: Sequence[str], destinations: Sequence[str],
            max_legs: int) -> tuple[int, list[CorridorShare]]:
    graph = nx.MultiDiGraph()
    for s in _usable(network, goods, None):
        graph.add_edge(s.origin, s.destination, key=s.id)
    services = network.services
    from routing.compiled import MODE_RANK

    total = 0
    per_mode: dict[str, int] = {}
    hits: dict[str, int] = {}
    hits_mode: dict[tuple[str, str], int] = {}
    for o in origins:
        for d in destinations:
            if o == d or o not in graph or d not in graph:
                continue
            for path in nx.all_simple_edge_paths(graph, o, d, cutoff=max_legs):
                legs = [services[k] for _, _, k in path]
                mode = max(legs, key=lambda s: (s.distance_km, MODE_RANK[s.mode])).mode
                total += 1
                per_mode[mode] = per_mode.get(mode, 0) + 1
                for tag in set().union(*(s.corridors for s in legs)):
                    hits[tag] = hits.get(tag, 0) + 1
                    hits_mode[(tag, mode)] = hits_mode.get((tag, mode), 0) + 1
    out = []
    for tag in sorted(network.corridor_tags()):
        corridor = network.corridors.get(tag)
        out.append(CorridorShare(
            tag, corridor.name if corridor else tag, corridor.kind if corridor else "",
            hits.get(tag, 0) / total if total else 0.0,
            {m: hits_mode.get((tag, m), 0) / per_mode[m] for m in MODE_ORDER if per_mode.get(m)}))
    return total, out


def closure_scenario(what: str, is_corridor: bool) -> Scenario:
    """The scenario a single point of failure implies: the corridor or location closed for good."""
    selector = Selector(corridor=what) if is_corridor else Selector(location=what)
    change = Change("close", selector, None, None, f"{what} closed", "network resilience")
    return Scenario(f"{what} closed", "(network resilience)", (change,))


def _best(network: Network, consignment: Consignment, options: SearchOptions) -> Itinerary | None:
    found = best_itineraries(network, consignment, replace(options, alternatives=0)).itineraries
    return found[0] if found else None


def resilience_report(network: Network, origins: Sequence[str], destinations: Sequence[str], *,
               goods: str = "general", max_legs: int = 4, reference: Consignment | None = None,
               options: SearchOptions | None = None) -> Resilience:
    """The resilience report (module docstring). `reference` (a consignment on `network`) is
    the one the engine prices the next-best options for; without it they are not priced."""
    options = options or SearchOptions()
    cuts = tuple(_cuts(network, goods, m, origins, destinations) for m in LONG_MODES)
    total, shares = _shares(network, goods, origins, destinations, max_legs)
    candidates: list[tuple[str, str, str, bool]] = []
    for tag in sorted(network.corridor_tags()):
        corridor = network.corridors.get(tag)
        kind = f"corridor ({corridor.kind})" if corridor else "corridor"
        candidates.append((tag, kind, corridor.name if corridor else tag, True))
    for lid in sorted(network.locations):
        loc = network.locations[lid]
        if loc.kind in HUB_KINDS:
            candidates.append((lid, loc.kind, loc.name, False))
    points: list[SinglePoint] = []
    base_modes = (best_by_main_mode(network, reference, replace(options, alternatives=0))
                  if reference is not None else {})
    for mode_cuts in cuts:
        mode = mode_cuts.mode
        if not mode_cuts.pairs_served:
            continue
        base_graph = _mode_graph(network, goods, mode, origins, destinations)
        for what, kind, name, is_corridor in candidates:
            graph = base_graph.copy()
            if is_corridor:
                graph.remove_edges_from([(s.origin, s.destination, s.id)
                                         for s in network.services.values() if what in s.corridors
                                         and graph.has_edge(s.origin, s.destination, s.id)])
            elif what in graph:
                graph.remove_node(what)
            if _pairs(graph, origins, destinations):
                continue
            next_best, remaining = None, {}
            if reference is not None:
                closed = apply_scenario(network, closure_scenario(what, is_corridor))
                next_best = _best(closed, reference, options)
                remaining = best_by_main_mode(closed, reference, replace(options, alternatives=0))
            points.append(SinglePoint(what, kind, name, mode, base_modes.get(mode), next_best,
                                      {m: remaining[m] for m in MODE_ORDER if m in remaining}))
    return Resilience(goods, tuple(origins), tuple(destinations), total, max_legs, cuts,
                      tuple(shares), tuple(points), reference)

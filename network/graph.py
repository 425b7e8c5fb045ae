"""A networkx view of a network, for structural questions (reachability, legs by mode)."""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from network.model import Network, Service


def to_graph(network: Network, modes: Iterable[str] | None = None) -> nx.MultiDiGraph:
    """Locations as nodes, one edge per service keyed by service id (optionally some modes)."""
    wanted = set(modes) if modes is not None else None
    graph = nx.MultiDiGraph(name=network.name)
    for location in network.locations.values():
        graph.add_node(location.id, kind=location.kind, name=location.name,
                       lat=location.lat, lon=location.lon, country=location.country)
    for service in network.services.values():
        if wanted is None or service.mode in wanted:
            graph.add_edge(service.origin, service.destination, key=service.id,
                           mode=service.mode, distance_km=service.distance_km,
                           duration_h=service.duration_h)
    return graph


def reachable(network: Network, origin: str, goods: str | None = None) -> set[str]:
    """Locations reachable from `origin` over services accepting `goods` (any, if None)."""
    graph = nx.DiGraph()
    graph.add_nodes_from(network.locations)
    graph.add_edges_from((s.origin, s.destination) for s in network.services.values()
                         if goods is None or s.accepts(goods))
    return set(nx.descendants(graph, origin)) | {origin}


def services_by_mode(network: Network) -> dict[str, list[Service]]:
    """Services grouped by mode, each group in id order."""
    groups: dict[str, list[Service]] = {}
    for sid in sorted(network.services):
        service = network.services[sid]
        groups.setdefault(service.mode, []).append(service)
    return groups

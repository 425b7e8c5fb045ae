"""Maps of results: itineraries (route, compare, pareto) and plan flows. Rendering only.

Each function takes results already computed and returns a `folium.Map`; `save_map` writes it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path

import folium
from branca.element import Element

from formats import write_atomic
from maps.assets import inline_leaflet
from maps.elements import BoundPopup, BoundTooltip, add_panel, add_style
from maps.flows import ServiceFlow, Unassigned
from maps.geometry import bounds, service_path
from maps.panels import (
    esc,
    flow_popup,
    flow_tooltip,
    leg_popup,
    leg_tooltip,
    legend_panel,
    location_popup,
    location_tooltip,
    marker_svg,
    summary_panel,
    title_panel,
    unassigned_panel,
)
from maps.style import (
    END_MARKER_PX,
    FIT_BOTTOM_PX,
    FIT_PADDING_PX,
    FIT_TOP_PX,
    FLOW_MAX_PX,
    FLOW_MIN_PX,
    MARKER_PX,
    MODE_STYLES,
    PANEL_CSS,
    TILES_ATTRIBUTION,
    TILES_SUBDOMAINS,
    TILES_URL,
    kind_style,
    mode_style,
)
from network.model import Network, Point
from routing.itinerary import Itinerary

__all__ = ["flows_map", "itineraries_map", "layer_names", "map_html", "save_map"]


def _base_map(title: str, computed_at: datetime, network: Network, subtitle: str) -> folium.Map:
    m = folium.Map(location=(40.0, 60.0), zoom_start=3, tiles=None, control_scale=False,
                   prefer_canvas=False, zoomSnap=0.25)
    folium.TileLayer(TILES_URL, attr=TILES_ATTRIBUTION, subdomains=TILES_SUBDOMAINS, max_zoom=19,
                     name="Basemap", control=False).add_to(m)
    inline_leaflet(m)
    root = m.get_root()
    root.title = esc(title)  # type: ignore[attr-defined]
    add_style(root, PANEL_CSS, "sr_style")
    add_panel(root, title_panel(title, computed_at, network.as_of_range(), subtitle), "sr_title")
    return m


def _fit(m: folium.Map, points: Iterable[Point]) -> None:
    box = bounds(points)
    if box is not None:
        # Room for the title panel above and the summary and legend panels below.
        m.fit_bounds(box, padding_top_left=(FIT_PADDING_PX, FIT_TOP_PX),
                     padding_bottom_right=(FIT_PADDING_PX, FIT_BOTTOM_PX))


def _add_places(group: Element, network: Network, location_ids: Iterable[str],
                roles: Mapping[str, str]) -> list[str]:
    """One marker per distinct location (origin and destination larger); returns their kinds."""
    kinds = []
    for lid in dict.fromkeys(location_ids):
        location = network.locations[lid]
        role = roles.get(lid, "")
        style = kind_style(location.kind)
        px = END_MARKER_PX if role else MARKER_PX
        icon = folium.DivIcon(html=marker_svg(style, px, end=bool(role)), icon_size=(px, px),
                              icon_anchor=(px // 2, px // 2),
                              class_name=f"sr-marker sr-kind-{style.shape}"
                                         + (" sr-end" if role else ""))
        marker = folium.Marker((location.lat, location.lon), icon=icon,
                               zIndexOffset=1000 if role else 0).add_to(group)
        marker.add_child(BoundPopup(location_popup(location, role)))
        marker.add_child(BoundTooltip(location_tooltip(location, role), permanent=bool(role),
                                      direction="right" if role == "Origin" else "left",
                                      class_name="sr-label" if role else ""))
        kinds.append(location.kind)
    return kinds


def _labels(itineraries: Sequence[Itinerary], labels: Sequence[str] | None) -> list[str]:
    if labels is None:
        labels = []
        for it in itineraries:
            main = max(it.legs, key=lambda leg: leg.service.distance_km).service
            labels.append(f"{mode_style(main.mode).label} via {main.id}")
    elif len(labels) != len(itineraries):
        raise ValueError(f"{len(labels)} labels for {len(itineraries)} itineraries")
    repeated = {x for x in labels if list(labels).count(x) > 1}
    return [f"{x} (#{i + 1})" if x in repeated else x for i, x in enumerate(labels)]


def layer_names(itineraries: Sequence[Itinerary], labels: Sequence[str] | None = None) -> list[str]:
    """Layer names like `Rail via RAIL-ZIH-LGG-ZZ — EUR 752, 23.6 days, 202 kg CO2e`.

    Without `labels`, each itinerary is labelled by its main mode and longest service; labels
    that repeat get their rank appended so every layer name is distinct.
    """
    return [f"{label} — EUR {it.cost_eur:,.0f}, {it.transit_h / 24:.1f} days, {it.co2e_kg:,.0f} kg CO2e"
            for label, it in zip(_labels(itineraries, labels), itineraries, strict=True)]


def itineraries_map(network: Network, itineraries: Sequence[Itinerary], *,
                    labels: Sequence[str] | None = None, title: str, computed_at: datetime,
                    best_index: int = 0, subtitle: str = "") -> folium.Map:
    """A map of itineraries of one consignment, one toggleable layer each.

    Only the layer of `itineraries[best_index]` is shown at first; a layer control switches
    the others on, and a summary panel compares them all. `network` must hold every location
    and service the itineraries use (pass the network the search ran on, world cities joined).
    """
    if not itineraries:
        raise ValueError("no itineraries to map")
    if not 0 <= best_index < len(itineraries):
        raise ValueError(f"best_index {best_index} is outside 0..{len(itineraries) - 1}")
    m = _base_map(title, computed_at, network, subtitle)
    names = layer_names(itineraries, labels)
    consignment = itineraries[0].consignment
    roles = {consignment.origin: "Origin", consignment.destination: "Destination"}
    ends = folium.FeatureGroup(name="Origin and destination", control=False).add_to(m)
    kinds = _add_places(ends, network, roles, roles)
    points: list[Point] = []
    modes: set[str] = set()
    for i, (name, it) in enumerate(zip(names, itineraries, strict=True)):
        group = folium.FeatureGroup(name=esc(name), show=i == best_index).add_to(m)
        stops = [leg.service.destination for leg in it.legs[:-1]]
        kinds += _add_places(group, network, [x for x in stops if x not in roles], {})
        for leg in it.legs:
            service = leg.service
            path = service_path(network, service)
            points += path
            modes.add(service.mode)
            line = folium.PolyLine(  # type: ignore[no-untyped-call]
                path, **mode_style(service.mode).options(),
                class_name=f"sr-leg sr-mode-{service.mode} sr-route-{i}")
            line.add_to(group)
            line.add_child(BoundTooltip(leg_tooltip(network, leg)))
            line.add_child(BoundPopup(leg_popup(network, leg, name)))
    root = m.get_root()
    add_panel(root, legend_panel(sorted(modes), kinds), "sr_legend")
    add_panel(root, summary_panel(_labels(itineraries, labels), itineraries, best_index), "sr_summary")
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    _fit(m, points)
    return m


def _flow_width(tonnes: float, most: float) -> float:
    if most <= 0:
        return FLOW_MIN_PX
    return round(FLOW_MIN_PX + (FLOW_MAX_PX - FLOW_MIN_PX) * math.sqrt(max(tonnes, 0.0) / most), 1)


def flows_map(network: Network, flows: Mapping[str, ServiceFlow],
              unassigned: Sequence[Unassigned] = (), *, title: str, computed_at: datetime,
              subtitle: str = "") -> folium.Map:
    """A plan: one line per service used, as wide as the tonnes it carries, one layer per mode.

    `flows` is already aggregated (see `maps.flows.aggregate_flows`), so the map's size does not
    grow with the number of consignments; `unassigned` are listed in a panel.
    """
    unknown = sorted(sid for sid in flows if sid not in network.services)
    if unknown:
        raise ValueError(f"flows on services not in the network: {', '.join(unknown[:5])}")
    m = _base_map(title, computed_at, network, subtitle)
    most = max((f.tonnes for f in flows.values()), default=0.0)
    points: list[Point] = []
    stops: list[str] = []
    by_mode: dict[str, list[str]] = {}
    for sid in flows:
        by_mode.setdefault(network.services[sid].mode, []).append(sid)
    for mode in [*(x for x in MODE_STYLES if x in by_mode), *sorted(set(by_mode) - set(MODE_STYLES))]:
        sids = sorted(by_mode[mode], key=lambda s: (-flows[s].tonnes, s))  # widest drawn first
        total = sum(flows[s].tonnes for s in sids)
        group = folium.FeatureGroup(
            name=esc(f"{mode_style(mode).label} flows — {len(sids)} services, {total:,.1f} t"))
        group.add_to(m)
        for sid in sids:
            service, flow = network.services[sid], flows[sid]
            path = service_path(network, service)
            points += path
            stops += [service.origin, service.destination]
            options = {**mode_style(mode).options(), "weight": _flow_width(flow.tonnes, most)}
            line = folium.PolyLine(  # type: ignore[no-untyped-call]
                path, **options, class_name=f"sr-flow sr-mode-{mode}")
            line.add_to(group)
            line.add_child(BoundTooltip(flow_tooltip(service, flow)))
            line.add_child(BoundPopup(flow_popup(network, service, flow)))
    places = folium.FeatureGroup(name="Places", control=False).add_to(m)
    kinds = _add_places(places, network, stops, {})
    root = m.get_root()
    note = f"line width grows with √tonnes; widest {most:,.1f} t" if flows else "no flows"
    add_panel(root, legend_panel(list(by_mode), kinds, note), "sr_legend")
    add_panel(root, unassigned_panel(unassigned), "sr_unassigned")
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    _fit(m, points)
    return m


def map_html(m: folium.Map) -> str:
    """The map as one self-contained HTML page."""
    return str(m.get_root().render())


def save_map(m: folium.Map, path: str | Path, protected: Iterable[str | Path] = ()) -> Path:
    """Write the map's HTML to `path` atomically, refusing to overwrite any of `protected`."""
    return write_atomic(path, map_html(m), protected=protected)

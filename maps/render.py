"""Maps of results: itineraries (route, compare, pareto) and plan flows. Rendering only.

Each function takes results already computed and returns a `folium.Map`; `save_map` writes it.

Layout (maps/style.py): the title, the itineraries or unassigned list, the legend and the layer
choices are in a sidebar beside the map, so nothing covers a drawn route or marker; the map is
fitted to what is drawn with margins for its own small controls (zoom, scale bar), and a popup
is panned fully into view when opened. The base layer is offline (Natural Earth land and
borders, maps/basemap.py); street tiles are an option in the layer control.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path

import folium
from branca.element import Element

from formats import write_atomic
from maps.assets import inline_leaflet
from maps.basemap import add_base_layer
from maps.closed import closed_services_layer
from maps.elements import BoundPopup, BoundTooltip, Script, add_panel, add_style
from maps.flows import ServiceFlow, Unassigned
from maps.geometry import bounds, service_path
from maps.panels import (
    city_flows_popup,
    esc,
    flow_popup,
    flow_tooltip,
    layers_panel,
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
    BADGE_PX,
    END_MARKER_PX,
    FIT_BOTTOM_RIGHT_PX,
    FIT_TOP_LEFT_PX,
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
from network.model import Location, Network, Point, Service
from routing.evidence import itinerary_evidence
from routing.itinerary import Itinerary
from routing.reliability import Figures
from routing.report import EUROS, Money

__all__ = ["flows_map", "itineraries_map", "layer_names", "map_html", "save_map"]

TILES_LAYER = "Street map tiles (online)"

# Moves Leaflet's layer control from the map's corner into the sidebar (its events go with it).
_MOVE_LAYER_CONTROL = """
var control = map.getContainer().querySelector('.leaflet-control-layers');
var box = document.getElementById('sr-layers');
if (control && box) { box.appendChild(control); }
"""

# Hides a label that would overlap one of higher priority (more tonnes), on every zoom.
_DECLUTTER = """
function declutter() {
  var labels = Array.prototype.slice.call(
      map.getContainer().querySelectorAll('.sr-flow-label[data-prio]'));
  labels.sort(function (a, b) { return Number(a.dataset.prio) - Number(b.dataset.prio); });
  var kept = [];
  labels.forEach(function (label) {
    var icon = label.parentElement;
    icon.style.visibility = 'visible';
    var r = label.getBoundingClientRect();
    var clash = kept.some(function (k) {
      return r.left < k.right && k.left < r.right && r.top < k.bottom && k.top < r.bottom;
    });
    if (clash) { icon.style.visibility = 'hidden'; } else { kept.push(r); }
  });
}
map.on('zoomend moveend layeradd layerremove', declutter);
setTimeout(declutter, 0);
"""


class _Sidebar:
    """The panels beside the map, in order; written into the page by `finish`."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def add(self, html: str) -> None:
        self.parts.append(html)

    def finish(self, m: folium.Map) -> None:
        add_panel(m.get_root(), f'<aside class="sr-side" id="sr-side">{"".join(self.parts)}</aside>',
                  "sr_side")


def _base_map(title: str, computed_at: datetime, network: Network,
              subtitle: str) -> tuple[folium.Map, _Sidebar]:
    m = folium.Map(location=(40.0, 60.0), zoom_start=3, tiles=None, control_scale=True,
                   prefer_canvas=False, zoomSnap=0.25)
    add_base_layer(m)
    folium.TileLayer(TILES_URL, attr=TILES_ATTRIBUTION, subdomains=TILES_SUBDOMAINS, max_zoom=19,
                     name=TILES_LAYER, overlay=True, control=True, show=False).add_to(m)
    inline_leaflet(m)
    root = m.get_root()
    root.title = esc(title)  # type: ignore[attr-defined]
    add_style(root, PANEL_CSS, "sr_style")
    side = _Sidebar()
    side.add(title_panel(title, computed_at, network.as_of_range(), subtitle))
    return m, side


def _fit(m: folium.Map, points: Iterable[Point]) -> None:
    box = bounds(points)
    if box is not None:
        m.fit_bounds(box, padding_top_left=FIT_TOP_LEFT_PX, padding_bottom_right=FIT_BOTTOM_RIGHT_PX)


def _finish(m: folium.Map, side: _Sidebar, points: Iterable[Point]) -> None:
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    m.add_child(Script(_MOVE_LAYER_CONTROL))
    side.finish(m)
    _fit(m, points)


def _add_places(group: Element, network: Network, location_ids: Iterable[str],
                roles: Mapping[str, str]) -> list[str]:
    """One marker per distinct location (origin and destination larger, their names as labels
    beside them, never on them); returns their kinds."""
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
        side = 1 if role == "Origin" else -1
        marker.add_child(BoundTooltip(location_tooltip(location, role), permanent=bool(role),
                                      direction="right" if role == "Origin" else "left",
                                      class_name="sr-label" if role else "",
                                      offset=(side * (px // 2 + 2), 0) if role else None))
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


def layer_names(itineraries: Sequence[Itinerary], labels: Sequence[str] | None = None,
                money: Money = EUROS) -> list[str]:
    """Layer names like `1. Rail via RAIL-ZIH-LGG-ZZ — EUR 752, 23.6 days, 202 kg CO2e` (the
    cost in `money`'s currency).

    Without `labels`, each itinerary is labelled by its main mode and longest service; labels
    that repeat get their rank appended so every layer name is distinct.
    """
    return [f"{label} — {money.text(it.cost_eur, 0)}, {it.transit_h / 24:.1f} days, {it.co2e_kg:,.0f} kg CO2e"
            for label, it in zip(_labels(itineraries, labels), itineraries, strict=True)]


def point_along(path: Sequence[Point], fraction: float) -> Point:
    """The point `fraction` of the way along `path` (by length in degrees, good enough to place
    a label on a line)."""
    if len(path) == 1:
        return path[0]
    lengths = [math.dist(a, b) for a, b in itertools.pairwise(path)]
    target = sum(lengths) * min(max(fraction, 0.0), 1.0)
    for (a, b), length in zip(itertools.pairwise(path), lengths, strict=True):
        if target <= length and length > 0:
            t = target / length
            return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)
        target -= length
    return path[-1]


def _badge(group: Element, point: Point, number: int, color: str, tip: str) -> None:
    """A numbered disc on an itinerary's main leg, matching its number in the sidebar."""
    icon = folium.DivIcon(html=f'<div class="sr-badge" style="background:{color}">{number}</div>',
                          icon_size=(BADGE_PX, BADGE_PX), icon_anchor=(BADGE_PX // 2, BADGE_PX // 2),
                          class_name=f"sr-badge-icon sr-badge-{number}")
    marker = folium.Marker(point, icon=icon, zIndexOffset=500).add_to(group)
    marker.add_child(BoundTooltip(esc(tip)))


def itineraries_map(network: Network, itineraries: Sequence[Itinerary], *,
                    labels: Sequence[str] | None = None, title: str, computed_at: datetime,
                    best_index: int = 0, subtitle: str = "", best_word: str = "",
                    figures: Sequence[Figures | None] | None = None,
                    closed: Sequence[tuple[Network, Sequence[str], str]] = (),
                    money: Money = EUROS) -> folium.Map:
    """A map of itineraries of one consignment, one toggleable layer each.

    Only the layer of `itineraries[best_index]` is shown at first; the layer choices in the
    sidebar switch the others on, and the sidebar lists them all, numbered: with more than one
    itinerary each carries its number on its main leg, so alternatives of one mode are told
    apart. `network` must hold every location and service the itineraries use (pass the
    network the search ran on, world cities joined). `figures` (aligned with `itineraries`)
    adds each one's reliability to its card and its legs' popups. `closed` adds, per (network,
    service ids, layer name), a layer of closed services in grey (`maps.closed`), before the
    layer list is built (a layer added after it breaks the page's script). Amounts are in
    `money`'s currency (`--currency`; euros by default).
    """
    if not itineraries:
        raise ValueError("no itineraries to map")
    if not 0 <= best_index < len(itineraries):
        raise ValueError(f"best_index {best_index} is outside 0..{len(itineraries) - 1}")
    m, side = _base_map(title, computed_at, network, subtitle)
    names = layer_names(itineraries, labels, money)
    consignment = itineraries[0].consignment
    roles = {consignment.origin: "Origin", consignment.destination: "Destination"}
    ends = folium.FeatureGroup(name="Origin and destination", control=False).add_to(m)
    kinds = _add_places(ends, network, roles, roles)
    points: list[Point] = []
    modes: set[str] = set()
    numbered = len(itineraries) > 1
    for i, (name, it) in enumerate(zip(names, itineraries, strict=True)):
        group = folium.FeatureGroup(name=esc(f"{i + 1}. {name}"), show=i == best_index).add_to(m)
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
            line.add_child(BoundTooltip(leg_tooltip(network, leg, money)))
            line.add_child(BoundPopup(leg_popup(network, leg, f"{i + 1}. {name}",
                                                figures[i] if figures is not None else None, money)))
        if numbered:
            # Each number sits at its own fraction of its main leg (from 20 % to 80 % in the
            # order of the list), so numbers on one leg, or on legs side by side, stay apart.
            main = it.main_leg.service
            fraction = 0.2 + 0.6 * i / (len(itineraries) - 1)
            spot = point_along(service_path(network, main), fraction)
            _badge(group, spot, i + 1, mode_style(main.mode).color, f"{i + 1}. {name}")
    for closed_network, service_ids, name in closed:
        closed_services_layer(m, closed_network, service_ids, name)
    side.add(summary_panel(_labels(itineraries, labels), itineraries, best_index, best_word, figures,
                           [itinerary_evidence(network, it).text() for it in itineraries], money))
    side.add(layers_panel())
    side.add(legend_panel(sorted(modes), kinds, badges=numbered))
    _finish(m, side, points)
    return m


def _flow_width(tonnes: float, most: float) -> float:
    if most <= 0:
        return FLOW_MIN_PX
    return round(FLOW_MIN_PX + (FLOW_MAX_PX - FLOW_MIN_PX) * math.sqrt(max(tonnes, 0.0) / most), 1)


def _count(n: int, one: str, many: str) -> str:
    return "" if not n else f"{n:,} {one if n == 1 else many}"


def city_road_groups(network: Network, flows: Mapping[str, ServiceFlow]
                     ) -> dict[tuple[str, str], list[str]]:
    """Road services between a hub and a city of the same country, by (city id, `to`|`from`):
    the first- and last-mile legs a plan map draws per city rather than per service."""
    groups: dict[tuple[str, str], list[str]] = {}
    for sid in flows:
        service = network.services[sid]
        origin, destination = network.locations[service.origin], network.locations[service.destination]
        if service.mode != "road" or origin.country != destination.country:
            continue
        if destination.kind == "city" and origin.kind != "city":
            groups.setdefault((destination.id, "to"), []).append(sid)
        elif origin.kind == "city" and destination.kind != "city":
            groups.setdefault((origin.id, "from"), []).append(sid)
    return groups


def _city_label(group: Element, city: Location, text: str, priority: int) -> None:
    """A label beside a city (right of its marker), hidden while it would overlap a label of
    higher priority."""
    icon = folium.DivIcon(html=f'<div class="sr-flow-label leaflet-tooltip" data-prio="{priority}">'
                               f"{esc(text)}</div>",
                          icon_size=(0, 0), icon_anchor=(-MARKER_PX // 2 - 3, 9),
                          class_name="sr-flow-label-icon")
    folium.Marker((city.lat, city.lon), icon=icon, interactive=False).add_to(group)


def flows_map(network: Network, flows: Mapping[str, ServiceFlow],
              unassigned: Sequence[Unassigned] = (), *, title: str, computed_at: datetime,
              subtitle: str = "") -> folium.Map:
    """A plan: one line per service used, as wide as the tonnes it carries, one layer per mode.

    `flows` is already aggregated (see `maps.flows.aggregate_flows`), so the map's size does not
    grow with the number of consignments. Road legs between a hub and a city of the same
    country (first and last miles) are drawn per city: one feature per city, with a label of its
    tonnes, so that a plan of thousands of consignments stays legible; `unassigned` are listed in
    the sidebar with their reasons.
    """
    unknown = sorted(sid for sid in flows if sid not in network.services)
    if unknown:
        raise ValueError(f"flows on services not in the network: {', '.join(unknown[:5])}")
    m, side = _base_map(title, computed_at, network, subtitle)
    groups = city_road_groups(network, flows)
    grouped = {sid for sids in groups.values() for sid in sids}
    group_tonnes = {key: sum(flows[s].tonnes for s in sids) for key, sids in groups.items()}
    most = max([*(f.tonnes for s, f in flows.items() if s not in grouped), *group_tonnes.values()],
               default=0.0)
    points: list[Point] = []
    stops: list[str] = []
    by_mode: dict[str, list[str]] = {}
    for sid in flows:
        by_mode.setdefault(network.services[sid].mode, []).append(sid)
    label_layer = folium.FeatureGroup(name="City labels", control=False)
    ranked = sorted(groups, key=lambda k: (-group_tonnes[k], k))
    for mode in [*(x for x in MODE_STYLES if x in by_mode), *sorted(set(by_mode) - set(MODE_STYLES))]:
        sids = sorted(by_mode[mode], key=lambda s: (-flows[s].tonnes, s))  # widest drawn first
        total = sum(flows[s].tonnes for s in sids)
        single = [s for s in sids if s not in grouped]
        cities = [k for k in ranked if network.services[groups[k][0]].mode == mode]
        what = ", ".join(x for x in (_count(len(single), "service", "services"),
                                     _count(len(cities), "city", "cities")) if x)
        group = folium.FeatureGroup(name=esc(f"{mode_style(mode).label} flows — {what}, {total:,.1f} t"))
        group.add_to(m)
        for sid in single:
            service, flow = network.services[sid], flows[sid]
            path = service_path(network, service)
            points += path
            stops += [service.origin, service.destination]
            line = folium.PolyLine(  # type: ignore[no-untyped-call]
                path, **mode_style(mode).options(_flow_width(flow.tonnes, most)),
                class_name=f"sr-flow sr-mode-{mode}")
            line.add_to(group)
            line.add_child(BoundTooltip(flow_tooltip(service, flow)))
            line.add_child(BoundPopup(flow_popup(network, service, flow)))
        for key in cities:
            city = network.locations[key[0]]
            parts: list[tuple[Service, ServiceFlow]] = [(network.services[s], flows[s])
                                                        for s in groups[key]]
            paths = [service_path(network, service) for service, _ in parts]
            for path in paths:
                points += path
            stops += [key[0], *(s.origin if key[1] == "to" else s.destination for s, _ in parts)]
            tonnes = group_tonnes[key]
            line = folium.PolyLine(  # type: ignore[no-untyped-call]
                paths, **mode_style(mode).options(_flow_width(tonnes, most)),
                class_name=f"sr-flow sr-mode-{mode} sr-city-flow")
            line.add_to(group)
            verb = "to" if key[1] == "to" else "from"
            line.add_child(BoundTooltip(f"<b>{esc(city.name)}</b> · road {verb} the city · "
                                        f"{tonnes:,.1f} t from {len(parts)} hub"
                                        f"{'s' if len(parts) > 1 else ''}"
                                        if verb == "to" else
                                        f"<b>{esc(city.name)}</b> · road from the city · "
                                        f"{tonnes:,.1f} t to {len(parts)} hub"
                                        f"{'s' if len(parts) > 1 else ''}"))
            line.add_child(BoundPopup(city_flows_popup(network, city, key[1], parts)))
            _city_label(label_layer, city, f"{city.name} {tonnes:,.0f} t", ranked.index(key))
    places = folium.FeatureGroup(name="Places", control=False).add_to(m)
    kinds = _add_places(places, network, stops, {})
    label_layer.add_to(m)
    m.add_child(Script(_DECLUTTER))
    note = (f"line width grows with √tonnes; widest {most:,.1f} t; road legs to and from a city "
            "are drawn as one, labelled with its tonnes" if flows else "no flows")
    side.add(unassigned_panel(unassigned))
    side.add(layers_panel())
    side.add(legend_panel(list(by_mode), kinds, note))
    _finish(m, side, points)
    return m


def map_html(m: folium.Map) -> str:
    """The map as one self-contained HTML page."""
    return str(m.get_root().render())


def save_map(m: folium.Map, path: str | Path, protected: Iterable[str | Path] = ()) -> Path:
    """Write the map's HTML to `path` atomically, refusing to overwrite any of `protected`."""
    return write_atomic(path, map_html(m), protected=protected)

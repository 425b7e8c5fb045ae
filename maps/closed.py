"""Services a what-if scenario closes, drawn greyed on a map (`scenarios compare --map`)."""

from __future__ import annotations

from collections.abc import Sequence

import folium

from maps.elements import BoundTooltip
from maps.geometry import service_path
from maps.panels import esc
from network.model import Network

CLOSED_STYLE = {"color": "#8c8c8c", "weight": 4, "opacity": 0.75, "dashArray": "2 8", "lineCap": "round"}


def closed_services_layer(m: folium.Map, network: Network, service_ids: Sequence[str], name: str,
                          *, show: bool = True) -> folium.FeatureGroup:
    """A layer of `service_ids` drawn in grey dots, each with a tooltip naming it as closed."""
    group = folium.FeatureGroup(name=esc(name), show=show)
    group.add_to(m)
    for sid in service_ids:
        service = network.services[sid]
        line = folium.PolyLine(  # type: ignore[no-untyped-call]
            service_path(network, service), **CLOSED_STYLE, class_name="sr-closed")
        line.add_to(group)
        line.add_child(BoundTooltip(f"<b>{esc(sid)}</b> · {esc(service.mode)} · closed under "
                                    f"{esc(name.removeprefix('Closed under '))}"))
    return group

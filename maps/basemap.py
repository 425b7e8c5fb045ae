"""The offline base layer: Natural Earth land and borders, drawn by Leaflet without any tile server.

The GeoJSON (maps/vendor/natural-earth/, public domain; its README gives the source) is inlined
into every map and drawn on a canvas in a pane below the tiles, so online tiles, when switched
on in the layer control, lie on top of it.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from branca.element import Element, MacroElement
from folium.template import Template

from maps.style import BORDER_STYLE, LAND_STYLE

BASEMAP_FILE = Path(__file__).parent / "vendor" / "natural-earth" / "world-50m.json"
BASE_PANE = "srBase"


@cache
def basemap_json() -> str:
    """The base layer's GeoJSON as compact text, checked to be what the map expects."""
    data = json.loads(BASEMAP_FILE.read_text(encoding="utf-8"))
    kinds = [f["properties"]["kind"] for f in data["features"]]
    if kinds != ["land", "borders"]:  # pragma: no cover - a broken vendored file
        raise ValueError(f"{BASEMAP_FILE}: unexpected features {kinds}")
    text = json.dumps(data, separators=(",", ":"))
    if "<" in text:  # pragma: no cover - inlined in a script: no markup may appear
        raise ValueError(f"{BASEMAP_FILE}: cannot be inlined")
    return text


class BaseLayer(MacroElement):
    """Draws the land and borders in their own pane (below tiles and routes), not interactive."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            (function () {
                var map = {{ this._parent.get_name() }};
                var pane = map.createPane({{ this.pane|tojson }});
                pane.style.zIndex = 150;
                pane.style.pointerEvents = "none";
                var styles = {land: {{ this.land|tojson }}, borders: {{ this.borders|tojson }}};
                L.geoJSON({{ this.data }}, {
                    pane: {{ this.pane|tojson }}, interactive: false,
                    renderer: L.canvas({pane: {{ this.pane|tojson }}, padding: 0.5}),
                    style: function (f) { return styles[f.properties.kind]; }
                }).addTo(map);
            })();
        {% endmacro %}
    """)

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "BaseLayer"
        self.pane = BASE_PANE
        self.data = basemap_json()
        self.land = LAND_STYLE
        self.borders = BORDER_STYLE


def add_base_layer(m: Element) -> None:
    """Add the offline land-and-borders layer to map `m`."""
    m.add_child(BaseLayer())

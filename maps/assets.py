"""Leaflet inlined into the map: maps open and work with no internet access.

folium links Leaflet, jQuery, Bootstrap and Font Awesome from CDNs. The maps here need only
Leaflet (markers are SVG `DivIcon`s and popups are bound by `maps.elements`, neither needs
jQuery), so the CDN links are dropped and the vendored Leaflet (see maps/vendor/README.md) is
inlined instead, its stylesheet's images as `data:` URIs. The one remaining external resource
is the basemap tiles: without a connection the map shows its lines and markers on a blank
background.
"""

from __future__ import annotations

import base64
import re
from functools import cache
from pathlib import Path

import folium
from branca.element import Element

LEAFLET_DIR = Path(__file__).parent / "vendor" / "leaflet-1.9.3"
_CSS_URL = re.compile(r"url\((images/[A-Za-z0-9_.-]+\.png)\)")


@cache
def leaflet_js() -> str:
    """The vendored leaflet.js."""
    text = (LEAFLET_DIR / "leaflet.js").read_text(encoding="utf-8")
    if "</script" in text.lower():  # pragma: no cover - would end the inline script early
        raise ValueError("leaflet.js cannot be inlined: it contains '</script'")
    return text


@cache
def leaflet_css() -> str:
    """The vendored leaflet.css, its images inlined as data: URIs."""
    css = (LEAFLET_DIR / "leaflet.css").read_text(encoding="utf-8")

    def inline(match: re.Match[str]) -> str:
        data = base64.b64encode((LEAFLET_DIR / match.group(1)).read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    return _CSS_URL.sub(inline, css)


def inline_leaflet(m: folium.Map) -> None:
    """Make `m` self-contained: no CDN links, Leaflet's JS and CSS inlined in its header."""
    m.default_js = []
    m.default_css = []
    header = m.get_root().header  # type: ignore[attr-defined]
    header.add_child(Element(f"<style>{leaflet_css()}</style>"), name="leaflet_css")
    header.add_child(Element(f"<script>{leaflet_js()}</script>"), name="leaflet")

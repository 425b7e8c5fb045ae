"""How things look: colours, dash patterns and marker shapes, as constants.

Every mode differs in colour AND dash pattern AND luminance, so legs stay distinguishable in
grey print and for colour-blind readers (Okabe-Ito palette).
"""

from __future__ import annotations

from dataclasses import dataclass

# A light basemap the coloured legs stand out on: CARTO Positron. Given as a URL template rather
# than folium's "CartoDB positron" name, whose xyzservices entry now asks for an API key and
# warns on every map when there is none.
TILES_URL = "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png"
TILES_SUBDOMAINS = "abcd"
TILES_ATTRIBUTION = ('&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
                     'contributors &copy; <a href="https://carto.com/attributions">CARTO</a>')
TILE_HOST = "basemaps.cartocdn.com"  # where tiles are fetched from (the browser tests stub it)


@dataclass(frozen=True)
class LineStyle:
    """How legs of one mode are drawn (Leaflet path options)."""

    label: str
    color: str
    dash: str | None  # SVG stroke-dasharray, None for a solid line
    weight: int  # line width in pixels

    def options(self) -> dict[str, object]:
        """Leaflet polyline options."""
        return {"color": self.color, "weight": self.weight, "opacity": 0.9,
                "dashArray": self.dash, "lineCap": "round" if self.dash else "butt"}


MODE_STYLES: dict[str, LineStyle] = {
    "road": LineStyle("Road", "#E69F00", None, 4),  # orange, light grey in print, solid
    "rail": LineStyle("Rail", "#0072B2", "12 6", 5),  # blue, dark grey, long dashes
    "air": LineStyle("Air", "#CC79A7", "1 9", 4),  # pink, mid grey, dots
    "sea": LineStyle("Sea", "#009E73", "16 6 2 6", 5),  # green, mid-dark grey, dash-dot
}
FALLBACK_STYLE = LineStyle("Other", "#555555", "4 4", 3)


def mode_style(mode: str) -> LineStyle:
    """The style of `mode` (a neutral dashed grey for an unknown one)."""
    return MODE_STYLES.get(mode, FALLBACK_STYLE)


@dataclass(frozen=True)
class MarkerStyle:
    """How locations of one kind are drawn: an SVG shape filled with a colour."""

    label: str
    color: str
    shape: str  # "circle", "square", "triangle" or "diamond"


KIND_STYLES: dict[str, MarkerStyle] = {
    "city": MarkerStyle("City", "#444444", "circle"),
    "rail_terminal": MarkerStyle("Rail terminal", "#0072B2", "square"),
    "airport": MarkerStyle("Airport", "#CC79A7", "triangle"),
    "seaport": MarkerStyle("Seaport", "#009E73", "diamond"),
}
FALLBACK_MARKER = MarkerStyle("Place", "#777777", "circle")


def kind_style(kind: str) -> MarkerStyle:
    """The marker style of a location kind."""
    return KIND_STYLES.get(kind, FALLBACK_MARKER)


MARKER_PX = 16  # side of an ordinary marker
END_MARKER_PX = 28  # origin and destination markers are larger with a thick outline
END_STROKE = "#000000"

# Flow maps: line width in pixels grows with the square root of tonnes carried.
FLOW_MIN_PX = 2.0
FLOW_MAX_PX = 16.0

GREAT_CIRCLE_POINTS = 64  # points sampled along an air leg's geodesic
FIT_PADDING_PX = 30  # fit-bounds margins (pixels) left and right,
FIT_TOP_PX = 90  # above (the title panel),
FIT_BOTTOM_PX = 240  # and below (summary and legend panels)

PANEL_CSS = """
.leaflet-container { background: #eef0f2; }
.sr-panel { position: absolute; z-index: 1000; background: rgba(255,255,255,0.94);
  border: 1px solid #999; border-radius: 4px; padding: 6px 9px; font: 12px/1.35 sans-serif;
  color: #111; box-shadow: 0 1px 4px rgba(0,0,0,0.25); max-width: 46vw; }
.sr-title { top: 10px; left: 55px; }
.sr-title h1 { font-size: 15px; margin: 0 0 2px 0; }
.sr-legend { bottom: 24px; right: 10px; }
.sr-summary { bottom: 24px; left: 10px; max-height: 38vh; overflow: auto; }
.sr-unassigned { top: 90px; left: 10px; max-height: 40vh; overflow: auto; }
.sr-panel table { border-collapse: collapse; }
.sr-panel th, .sr-panel td { padding: 1px 6px; text-align: left; vertical-align: top; }
.sr-panel td.num, .sr-panel th.num { text-align: right; }
.sr-panel tr.best td { font-weight: bold; }
.sr-popup table td { padding: 0 6px 0 0; vertical-align: top; }
.sr-popup th { text-align: left; padding-right: 6px; }
.sr-label { font: bold 12px sans-serif; }
.sr-marker { background: none; border: none; }
"""

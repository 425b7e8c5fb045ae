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
    """How legs of one mode are drawn (Leaflet path options).

    `pattern` is the dash pattern in multiples of the line's width (so dashes keep their shape
    at every drawn width), with `minimum` pixel sizes for thin lines; `cap` is the line cap.
    Gaps are wide enough that at least MIN_GAP_PX stays clear at any width, caps included
    (a round cap adds half the width at each end of a dash).
    """

    label: str
    color: str
    pattern: tuple[float, ...] | None  # dash, gap, dash, gap… in widths; None: solid
    minimum: tuple[float, ...] | None  # the same in pixels, the smallest each may be
    cap: str  # "round" or "butt"
    weight: int  # line width in pixels in itinerary maps

    @property
    def dash(self) -> str | None:
        """The dash array at the style's own width (for the legend and itinerary maps)."""
        return self.dash_array(self.weight)

    def dash_array(self, width: float) -> str | None:
        """The SVG stroke-dasharray for a line `width` pixels wide."""
        if self.pattern is None or self.minimum is None:
            return None
        sizes = []
        for i, (factor, least) in enumerate(zip(self.pattern, self.minimum, strict=True)):
            size = max(least, factor * width)
            if i % 2 == 1 and self.cap == "round":
                size = max(size, width + MIN_GAP_PX)  # the caps eat one width of every gap
            sizes.append(size)
        return " ".join(f"{x:g}" for x in (round(v, 1) for v in sizes))

    def options(self, width: float | None = None) -> dict[str, object]:
        """Leaflet polyline options at `width` (default: the style's own)."""
        weight = self.weight if width is None else width
        return {"color": self.color, "weight": weight, "opacity": 0.9,
                "dashArray": self.dash_array(weight), "lineCap": self.cap,
                "lineJoin": "round"}


MIN_GAP_PX = 3.0  # clear space in every gap of a dashed line, at every width

MODE_STYLES: dict[str, LineStyle] = {
    # orange, light grey in print, solid
    "road": LineStyle("Road", "#E69F00", None, None, "round", 4),
    # blue, dark grey, long dashes
    "rail": LineStyle("Rail", "#0072B2", (2.6, 1.4), (10.0, 5.0), "butt", 5),
    # pink, mid grey, dots (round caps on near-zero dashes)
    "air": LineStyle("Air", "#CC79A7", (0.01, 2.6), (0.01, 8.0), "round", 4),
    # green, mid-dark grey, dash-dot
    "sea": LineStyle("Sea", "#009E73", (3.4, 1.3, 0.8, 1.3), (14.0, 5.0, 3.0, 5.0), "butt", 5),
}
FALLBACK_STYLE = LineStyle("Other", "#555555", (1.0, 1.0), (4.0, 4.0), "butt", 3)


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

# Layout: the title, summary, legend and unassigned list are in a sidebar beside the map, never
# over it; inside the map only Leaflet's small controls remain (zoom top left, scale bar bottom
# left, attribution bottom right), which the fit-bounds margins keep clear of what is drawn.
SIDEBAR_PX = 390
NARROW_PX = 760  # below this viewport width the sidebar sits above the map
FIT_TOP_LEFT_PX = (64, 40)  # (x, y): clear of the zoom control
FIT_BOTTOM_RIGHT_PX = (40, 44)  # clear of the scale bar and the attribution

# Plan maps: road legs between a hub and a city of the same country are drawn per city (all its
# collections or deliveries as one feature), labelled with the tonnes; labels that would
# overlap a more important one are hidden until zoomed in.
BADGE_PX = 22

# The base layer: sea, land, borders (maps/basemap.py).
SEA_COLOR = "#dce8f0"
LAND_STYLE = {"stroke": True, "color": "#8c969e", "weight": 0.7, "fillColor": "#f6f3ec",
              "fillOpacity": 1.0}
BORDER_STYLE = {"color": "#a89aa8", "weight": 0.8, "opacity": 0.9, "fill": False}

PANEL_CSS = f"""
html, body {{ width: 100%; height: 100%; margin: 0; padding: 0; }}
.leaflet-container {{ background: {SEA_COLOR}; }}
.folium-map {{ position: absolute !important; left: {SIDEBAR_PX}px !important; top: 0 !important;
  right: 0; bottom: 0; width: auto !important; height: auto !important; }}
.sr-side {{ position: absolute; left: 0; top: 0; bottom: 0; width: {SIDEBAR_PX}px; overflow: auto;
  box-sizing: border-box; padding: 8px 10px; background: #fff; border-right: 1px solid #b8bec4;
  font: 12px/1.4 sans-serif; color: #111; z-index: 1100; }}
@media (max-width: {NARROW_PX}px) {{
  .sr-side {{ right: 0; width: auto; bottom: auto; max-height: 42vh; border-right: none;
    border-bottom: 1px solid #b8bec4; }}
  .folium-map {{ left: 0 !important; top: 42vh !important; }}
}}
.sr-panel {{ margin: 0 0 10px 0; }}
.sr-panel > summary {{ font-weight: bold; cursor: pointer; margin-bottom: 3px; }}
.sr-title h1 {{ font-size: 15px; margin: 0 0 3px 0; }}
.sr-title .sr-sub {{ font-weight: bold; margin-bottom: 2px; }}
.sr-title .sr-meta {{ color: #444; }}
.sr-panel table {{ border-collapse: collapse; }}
.sr-panel th, .sr-panel td {{ padding: 1px 5px 1px 0; text-align: left; vertical-align: top; }}
.sr-card {{ border-left: 4px solid #999; padding: 2px 0 2px 6px; margin: 0 0 6px 0; }}
.sr-card.best {{ background: #f3f6f9; }}
.sr-card .sr-num {{ display: inline-block; min-width: 16px; height: 16px; border-radius: 8px;
  color: #fff; text-align: center; font: bold 11px/16px sans-serif; margin-right: 4px; }}
.sr-card .sr-figures {{ font-weight: bold; }}
.sr-card .sr-services {{ color: #555; font-size: 11px; word-break: break-all; }}
.sr-card .sr-warning {{ color: #8a4b00; font-size: 11px; }}
.sr-unassigned-list {{ max-height: 38vh; overflow: auto; }}
.sr-layers .leaflet-control-layers {{ box-shadow: none; border: 1px solid #ccc; margin: 0;
  float: none; clear: none; }}
.sr-popup table td {{ padding: 0 6px 0 0; vertical-align: top; }}
.sr-popup th {{ text-align: left; padding-right: 6px; }}
.sr-label {{ font: bold 12px sans-serif; }}
.sr-flow-label {{ font: 11px sans-serif; padding: 1px 4px; }}
.sr-marker {{ background: none; border: none; }}
.sr-badge {{ width: {BADGE_PX}px; height: {BADGE_PX}px; border-radius: 50%; color: #fff;
  border: 2px solid #fff; box-sizing: border-box; text-align: center;
  font: bold 12px/{BADGE_PX - 4}px sans-serif; box-shadow: 0 0 2px #000; }}
"""

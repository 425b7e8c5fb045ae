"""Maps a customer can read, measured in headless Chromium (issue 18, §4).

What is asserted, in the browser's own geometry: the fraction of the drawn path length and the
markers under a panel (title, summary, unassigned list, legend, layer choices) is zero in the
first view, at a desktop and at a narrow viewport; every opened popup lies inside the map and
under no panel; every dash pattern keeps a clear gap at every drawn width; origin and
destination labels do not cover their markers; alternatives carry distinct numbers that do not
overlap; the offline base layer draws land without any tile; a plan map of the default network
with every service used stays legible (few hover targets, labels that do not overlap).
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from maps import ServiceFlow, Unassigned, best_index, flows_map, itineraries_map, save_map
from maps.render import city_road_groups
from maps.style import MIN_GAP_PX
from network import load_network
from routing.objectives import Objective
from routing.query import build_consignment
from routing.search import SearchOptions, pareto_itineraries
from tests.maps.conftest import COMPUTED_AT, Session

pytestmark = pytest.mark.browser

# Panels are the sidebar and anything in it; the map's own controls (zoom, scale bar,
# attribution) are small and kept clear by the fit-bounds margins, so they count too.
PANELS = "#sr-side, .leaflet-control-zoom, .leaflet-control-scale, .leaflet-control-attribution"

_GEOMETRY = """
(selectors) => {
  const rect = (el) => el.getBoundingClientRect();
  const panels = Array.from(document.querySelectorAll(selectors.panels)).map(rect)
      .filter(r => r.width > 0 && r.height > 0);
  const map = rect(document.querySelector('.folium-map'));
  const inside = (x, y, r) => x >= r.left && x <= r.right && y >= r.top && y <= r.bottom;
  const under = (x, y) => panels.some(r => inside(x, y, r));
  let total = 0, covered = 0, outside = 0;
  for (const path of document.querySelectorAll(selectors.paths)) {
    const length = path.getTotalLength();
    const ctm = path.getScreenCTM();
    const steps = Math.max(2, Math.ceil(length / 4));
    for (let i = 0; i <= steps; i++) {
      const p = path.getPointAtLength(length * i / steps);
      const q = new DOMPoint(p.x, p.y).matrixTransform(ctm);
      total += 1;
      if (under(q.x, q.y)) covered += 1;
      if (!inside(q.x, q.y, map)) outside += 1;
    }
  }
  const markers = Array.from(document.querySelectorAll(selectors.markers)).map(rect)
      .filter(r => r.width > 0);
  const markersCovered = markers.filter(r => under((r.left + r.right) / 2, (r.top + r.bottom) / 2));
  const markersOutside = markers.filter(r => !inside((r.left + r.right) / 2, (r.top + r.bottom) / 2, map));
  return {total, covered, outside, markers: markers.length, markersCovered: markersCovered.length,
          markersOutside: markersOutside.length, panels: panels.length};
}
"""


def _geometry(page: Any, paths: str = "path.sr-leg, path.sr-flow") -> dict[str, int]:
    result: dict[str, int] = page.evaluate(_GEOMETRY, {"panels": PANELS, "paths": paths,
                                                       "markers": ".sr-marker, .sr-badge-icon"})
    return result


def _nothing_hidden(page: Any) -> None:
    g = _geometry(page)
    assert g["total"] > 100 and g["markers"] > 0 and g["panels"] >= 3, g
    assert g["covered"] == 0, f"{g['covered'] / g['total']:.1%} of the drawn path under a panel: {g}"
    assert g["outside"] == 0, f"{g['outside'] / g['total']:.1%} of the drawn path outside the map: {g}"
    assert g["markersCovered"] == 0 and g["markersOutside"] == 0, g


def _all_layers_on(page: Any) -> None:
    for box in page.locator(".leaflet-control-layers-overlays input").all()[1:]:  # [0]: tiles
        if not box.is_checked():
            box.click()


def _rect(page: Any, selector: str) -> dict[str, float]:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return {"left": box["x"], "top": box["y"], "right": box["x"] + box["width"],
            "bottom": box["y"] + box["height"]}


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] \
        and b["top"] < a["bottom"]


def _within(a: dict[str, float], b: dict[str, float]) -> bool:
    return a["left"] >= b["left"] - 1 and a["right"] <= b["right"] + 1 and a["top"] >= b["top"] - 1 \
        and a["bottom"] <= b["bottom"] + 1


@pytest.fixture(scope="module")
def pareto_its():
    """Liège → Zhengzhou, 2 t, 8 m³: a front with several air itineraries (one mode, told apart)."""
    net, c = build_consignment(load_network(), "Liège", "Zhengzhou", weight_kg=2000.0, volume_m3=8.0,
                               ready="2026-12-01T09:00")
    its = list(pareto_itineraries(net, c, SearchOptions()).itineraries)
    modes = [it.main_mode for it in its]
    assert len(modes) > len(set(modes)), modes  # at least two of one mode
    return net, its


@pytest.fixture(scope="module")
def busy_plan(tmp_path_factory):
    """Every service of the default network used, with 10,000 unassigned: a plan map at scale."""
    net = load_network()
    rng = random.Random(7)
    flows = {sid: ServiceFlow(round(rng.uniform(0.5, 3000.0), 1), rng.randint(1, 900),
                              "", m3=rng.uniform(1, 9000), capacity_kg=None, departures=rng.randint(1, 8))
             for sid in net.services}
    # The widest line is the train's, the narrowest a sailing's: dashes at both ends of the range.
    flows["RAIL-ZIH-LGG-ZZ"] = ServiceFlow(90_000.0, 900, "", departures=8)
    flows["SEA-ANR-SHA"] = ServiceFlow(0.5, 1, "", departures=1)
    unassigned = [Unassigned(f"C{i:05d}", "cannot arrive by its due date") for i in range(10_000)]
    path = save_map(flows_map(net, flows, unassigned, title="Plan of 10,000 consignments",
                              computed_at=COMPUTED_AT), tmp_path_factory.mktemp("busy") / "plan.html")
    return net, flows, path


def test_first_view_hides_nothing_on_compare_pareto_and_plan(tmp_path, session: Session,
                                                             default_compare, pareto_its, busy_plan):
    """No drawn path or marker under a panel or outside the map, every layer switched on."""
    net, its = default_compare
    compare = save_map(itineraries_map(net, its, title="compare", computed_at=COMPUTED_AT,
                                       best_index=best_index(its, Objective.COST)), tmp_path / "c.html")
    pnet, pits = pareto_its
    pareto = save_map(itineraries_map(pnet, pits, title="pareto", computed_at=COMPUTED_AT),
                      tmp_path / "p.html")
    for path in (compare, pareto, busy_plan[2]):
        session.open(path)
        _nothing_hidden(session.page)
        _all_layers_on(session.page)
        _nothing_hidden(session.page)
    session.assert_clean()


def test_narrow_viewport_puts_the_panels_above_the_map(browser, tmp_path, default_compare, busy_plan):
    """At 700 px wide the sidebar sits above the map: still nothing under it."""
    net, its = default_compare
    path = save_map(itineraries_map(net, its, title="compare", computed_at=COMPUTED_AT),
                    tmp_path / "c.html")
    context = browser.new_context(viewport={"width": 700, "height": 900})
    page = context.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:"))
               else r.abort())
    try:
        for target in (path, busy_plan[2]):
            page.goto(target.as_uri())
            page.wait_for_selector(".leaflet-overlay-pane path", state="attached")
            side, map_box = _rect(page, "#sr-side"), _rect(page, ".folium-map")
            assert side["bottom"] <= map_box["top"] + 1  # above, not over
            _nothing_hidden(page)
    finally:
        context.close()


def test_every_popup_opens_inside_the_map_and_under_no_panel(tmp_path, session: Session,
                                                            default_compare):
    """Click every leg and every marker: the popup is panned fully into view, clear of panels."""
    net, its = default_compare
    path = save_map(itineraries_map(net, its, title="compare " * 12, computed_at=COMPUTED_AT),
                    tmp_path / "c.html")
    page = session.page
    session.open(path)
    _all_layers_on(page)
    targets = page.locator("path.sr-leg").all() + page.locator(".sr-marker").all()
    assert len(targets) > 8
    for target in targets:
        target.dispatch_event("click")
        page.wait_for_selector(".leaflet-popup", state="visible")
        page.wait_for_timeout(350)  # the pan that brings it into view
        popup = _rect(page, ".leaflet-popup-content-wrapper")
        assert _within(popup, _rect(page, ".folium-map")), popup
        assert not _overlap(popup, _rect(page, "#sr-side"))
        assert not _overlap(popup, _rect(page, ".leaflet-control-zoom"))
        page.evaluate("() => document.querySelector('.leaflet-popup-close-button').click()")
    session.assert_clean()


def test_dash_patterns_keep_a_clear_gap_at_every_drawn_width(tmp_path, session: Session, busy_plan):
    """Rail, air and sea lines stay dashed (a gap of MIN_GAP_PX at least) from 2 to 16 px wide."""
    page = session.page
    session.open(busy_plan[2])
    styles = page.evaluate("""() => Array.from(document.querySelectorAll('path.sr-flow')).map(p => {
        const s = getComputedStyle(p);
        return {cls: p.getAttribute('class'), width: parseFloat(s.strokeWidth),
                dash: s.strokeDasharray, cap: s.strokeLinecap};
    })""")
    widths: dict[str, set[float]] = {}
    for s in styles:
        mode = next(c for c in s["cls"].split() if c.startswith("sr-mode-")).removeprefix("sr-mode-")
        widths.setdefault(mode, set()).add(s["width"])
        if mode == "road":
            assert s["dash"] == "none"
            continue
        sizes = [float(x.replace("px", "")) for x in s["dash"].replace(",", " ").split()]
        gaps = sizes[1::2]
        assert gaps, s
        eaten = s["width"] if s["cap"] == "round" else 0.0
        assert min(gaps) - eaten >= MIN_GAP_PX, s
    assert max(widths["rail"]) >= 15 and min(widths["sea"]) <= 3, widths  # both ends of the range
    # The dashes differ between modes, at one width as at another.
    assert len({s["dash"].split(",")[0] for s in styles if "sr-mode-road" not in s["cls"]}) > 1


def test_labels_beside_their_markers_and_numbered_alternatives_apart(tmp_path, session: Session,
                                                                    pareto_its):
    """Origin and destination labels never cover their markers; each itinerary has its number,
    and with every layer on no two numbers overlap."""
    net, its = pareto_its
    path = save_map(itineraries_map(net, its, title="pareto", computed_at=COMPUTED_AT),
                    tmp_path / "p.html")
    page = session.page
    session.open(path)
    labels = page.locator(".sr-label").all()
    markers = page.locator(".sr-marker.sr-end").all()
    assert len(labels) == len(markers) == 2
    for label in labels:
        box = label.bounding_box()
        for marker in markers:
            mbox = marker.bounding_box()
            a = {"left": box["x"], "top": box["y"], "right": box["x"] + box["width"],
                 "bottom": box["y"] + box["height"]}
            b = {"left": mbox["x"], "top": mbox["y"], "right": mbox["x"] + mbox["width"],
                 "bottom": mbox["y"] + mbox["height"]}
            assert not _overlap(a, b)
    _all_layers_on(page)
    badges = page.locator(".sr-badge-icon .sr-badge").all()
    numbers = [b.inner_text() for b in badges if b.is_visible()]
    assert sorted(numbers, key=int) == [str(i + 1) for i in range(len(its))]
    boxes = [b.bounding_box() for b in badges if b.is_visible()]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not _overlap({"left": a["x"], "top": a["y"], "right": a["x"] + a["width"],
                                 "bottom": a["y"] + a["height"]},
                                {"left": b["x"], "top": b["y"], "right": b["x"] + b["width"],
                                 "bottom": b["y"] + b["height"]})
    session.assert_clean()


def test_offline_base_layer_draws_land_and_a_scale_bar_without_tiles(tmp_path, session: Session,
                                                                     default_compare):
    """With every tile request refused the map still shows land (canvas pixels) and a scale."""
    net, its = default_compare
    path = save_map(itineraries_map(net, its, title="compare", computed_at=COMPUTED_AT),
                    tmp_path / "c.html")
    page = session.page
    session.open(path)
    land = page.evaluate("""() => {
        const c = document.querySelector('.leaflet-srBase-pane canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let painted = 0;
        for (let i = 3; i < d.length; i += 4 * 16) { if (d[i] > 0) painted++; }
        return painted / (d.length / (4 * 16));
    }""")
    assert 0.15 < land < 0.95, land  # some land, some sea
    assert page.locator(".leaflet-control-scale-line").first.is_visible()
    assert page.locator("img.leaflet-tile").count() == 0  # tiles are off until asked for
    session.assert_clean()


def test_plan_map_of_every_service_stays_legible(session: Session, busy_plan):
    """Road flows to and from cities are one feature per city, labelled; labels never overlap."""
    net, flows, path = busy_plan
    groups = city_road_groups(net, flows)
    grouped = {sid for sids in groups.values() for sid in sids}
    page = session.page
    session.open(path)
    assert page.locator("path.sr-flow").count() == len(flows) - len(grouped) + len(groups)
    assert len(groups) >= 20 and len(grouped) > 2 * len(groups)
    labels = [x.bounding_box() for x in page.locator(".sr-flow-label").all() if x.is_visible()]
    assert len(labels) >= 5
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            assert not _overlap({"left": a["x"], "top": a["y"], "right": a["x"] + a["width"],
                                 "bottom": a["y"] + a["height"]},
                                {"left": b["x"], "top": b["y"], "right": b["x"] + b["width"],
                                 "bottom": b["y"] + b["height"]})
    assert page.locator("#sr-unassigned summary").inner_text() == "Unassigned consignments (10,000)"
    assert Path(path).stat().st_size < 5_000_000
    session.assert_clean()


def test_flow_popup_gives_kg_and_m3_against_capacity_and_containers(tmp_path, session: Session):
    """A rail flow's popup: weight and volume against capacity, departures, containers bought."""
    net = load_network()
    rail = net.services["RAIL-ZIH-LGG-ZZ"]
    assert rail.container is not None and rail.capacity_kg
    flow = ServiceFlow(300.0, 120, "", m3=900.0, capacity_kg=2 * rail.capacity_kg,
                       capacity_m3=None, departures=2, containers=7)
    path = save_map(flows_map(net, {rail.id: flow}, title="plan", computed_at=COMPUTED_AT),
                    tmp_path / "plan.html")
    page = session.page
    session.open(path)
    page.locator("path.sr-mode-rail").dispatch_event("click")
    text = page.locator(".leaflet-popup-content").inner_text()
    assert f"300,000 kg of {2 * rail.capacity_kg:,.0f} kg" in text
    assert "900.0 m³ (no capacity limit)" in text
    assert "7 (EUR" in text and "departures used\t2" in text
    assert "11,200 km" in text and "18 d 0 h" in text
    session.assert_clean()

"""The maps in headless Chromium: they load offline without errors, layers toggle, popups open,
and hostile names stay text. Tile requests are answered with a blank tile; any other external
request fails the test (the maps must be self-contained)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from maps import ServiceFlow, Unassigned, best_index, flows_map, itineraries_map, save_map
from routing.objectives import Objective
from tests.maps.conftest import COMPUTED_AT, XSS, XSS_OPERATOR

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


def _count(page: Any, selector: str) -> int:
    return int(page.locator(selector).count())


def _toggle(page: Any, layer_prefix: str) -> None:
    page.locator(".leaflet-control-layers-overlays label", has_text=layer_prefix).locator(
        "input").click()


def test_compare_map_of_the_default_network(tmp_path, session, default_compare):
    net, its = default_compare
    best = best_index(its, Objective.COST)
    path = save_map(itineraries_map(net, its, title="compare Namur → Zhengzhou · 800 kg · 3.5 m³",
                                    computed_at=COMPUTED_AT, best_index=best), tmp_path / "c.html")
    page = session.page
    session.open(path)
    # Only the best itinerary is drawn at first: its legs, the two ends and its changes of service.
    assert _count(page, "path.sr-leg") == len(its[best].legs)
    assert _count(page, ".sr-marker.sr-end") == 2
    assert _count(page, ".sr-marker") == 2 + len(its[best].legs) - 1
    assert _count(page, ".leaflet-control-layers-overlays input") == len(its) + 1  # + online tiles
    assert page.locator("#sr-title").inner_text().startswith("compare Namur → Zhengzhou")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "compare-map.png"))
    # Switching the rail layer on draws its legs; switching the best one off hides its own.
    rail = next(i for i, it in enumerate(its) if it.main_mode == "rail")
    if rail != best:
        _toggle(page, "Rail via RAIL-ZIH-LGG-ZZ")
        assert _count(page, "path.sr-mode-rail") == 1
        assert _count(page, "path.sr-leg") == len(its[best].legs) + len(its[rail].legs)
    routes = page.locator(".leaflet-control-layers-overlays label").all()[1:]  # [0]: online tiles
    for i, label in enumerate(routes):
        if i not in (best, rail):
            label.locator("input").click()
    assert _count(page, "path.sr-leg") == sum(len(it.legs) for it in its)
    page.screenshot(path=str(ARTIFACTS / "compare-map-all-layers.png"))
    _toggle(page, routes[best].inner_text().strip())
    assert _count(page, f"path.sr-route-{best}") == 0
    session.assert_clean()


def test_a_map_with_closed_services_loads_and_greys_them(tmp_path, session, default_compare):
    """What `scenarios compare --map` draws: itineraries and a layer of closed services, listed
    with the others; the page runs to the end (a layer added after the list broke it)."""
    net, its = default_compare
    rail = next(it for it in its if it.main_mode == "rail")
    closed = [(net, [rail.main_leg.service.id], "Closed under border closed")]
    path = save_map(itineraries_map(net, its, title="scenarios compare", computed_at=COMPUTED_AT,
                                    closed=closed), tmp_path / "closed.html")
    page = session.page
    session.open(path)
    assert _count(page, "path.sr-closed") == 1
    labels = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert any(label.strip() == "Closed under border closed" for label in labels), labels
    session.assert_clean()


def test_popups_open_with_the_right_text_and_xss_stays_text(tmp_path, session, tiny, tiny_itineraries):
    path = save_map(itineraries_map(tiny, tiny_itineraries, labels=[XSS, "Rail", "Sea"],
                                    title=f"route {XSS}", computed_at=COMPUTED_AT),
                    tmp_path / "xss.html")
    page = session.page
    session.open(path)
    # Permanent labels, the title and the layer control show the payload as text.
    assert page.locator(".sr-label", has_text="Origin:").inner_text() == f"Origin: {XSS}"
    assert page.locator("#sr-title h1").inner_text() == f"route {XSS}"
    assert page.locator(".leaflet-control-layers-overlays label").nth(1).inner_text().strip() \
        .startswith(f"1. {XSS}")
    # A leg's popup: fire a click on the air leg (the one with the hostile operator).
    page.locator("path.sr-mode-air").dispatch_event("click")
    content = page.locator(".leaflet-popup-content")
    content.wait_for(timeout=2000)
    text = content.inner_text()
    assert "AIR" in text and XSS_OPERATOR in text and "chargeable weight" in text and "CO2e" in text
    # The origin marker's popup: name, kind, handling.
    page.locator(".sr-marker.sr-end").first.dispatch_event("click")
    page.wait_for_function("document.querySelector('.leaflet-popup-content').innerText.includes('City')")
    text = page.locator(".leaflet-popup-content").inner_text()
    assert XSS in text and "handling time" in text and "2 h" in text and "EUR 15.00" in text
    assert _count(page, "img[src='x']") == 0 and _count(page, "script:not([src])") > 0
    session.assert_clean()


def test_plan_map_loads_with_flows_and_unassigned(tmp_path, session, tiny):
    flows = {"RAIL": ServiceFlow(100.0, 40, "80%"), "R-ORIG-RT": ServiceFlow(25.0, 10),
             "AIR": ServiceFlow(1.0, 3)}
    path = save_map(flows_map(tiny, flows, [Unassigned(XSS, "capacity")], title="plan",
                              computed_at=COMPUTED_AT), tmp_path / "plan.html")
    page = session.page
    session.open(path)
    assert _count(page, "path.sr-flow") == 3
    assert _count(page, ".sr-marker") == 5  # ORIG, RT, DRT, AP, DAP
    assert XSS in page.locator("#sr-unassigned").inner_text()
    _toggle(page, "Rail flows")
    assert _count(page, "path.sr-flow") == 2
    session.assert_clean()

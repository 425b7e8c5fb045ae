"""Maps as Folium objects: layers, legs, styles, markers, bounds, panels and escaping."""

from __future__ import annotations

import re
from datetime import datetime

import folium
import pytest
from folium.map import FitBounds

from maps import best_index, itineraries_map, layer_names, map_html, save_map
from maps.elements import BoundPopup, BoundTooltip
from maps.geometry import great_circle, service_path
from maps.panels import esc
from maps.style import GREAT_CIRCLE_POINTS, KIND_STYLES, MODE_STYLES
from routing.itinerary import Itinerary
from routing.objectives import Objective
from routing.report import Money
from tests.maps.conftest import COMPUTED_AT, RAIL_SHAPE, XSS, XSS_OPERATOR

LAYER_NAME = re.compile(r"^(Air|Rail|Sea|Road) via [A-Z0-9-]+ — EUR [\d,]+, \d+\.\d days, [\d,]+ kg CO2e$")


def _map(network, itineraries, **kw):
    kw.setdefault("title", f"compare {XSS} → Zhengzhou")
    return itineraries_map(network, itineraries, computed_at=COMPUTED_AT, **kw)


def _groups(m: folium.Map) -> list[folium.FeatureGroup]:
    return [c for c in m._children.values() if isinstance(c, folium.FeatureGroup)]


def _route_layers(m: folium.Map) -> list[folium.FeatureGroup]:
    return [g for g in _groups(m) if g.control]


def _itinerary_layers(m: folium.Map) -> list[folium.FeatureGroup]:
    return [g for g in _groups(m) if g.control and "via" in g.layer_name]


def _of(group, cls) -> list:
    return [c for c in group._children.values() if isinstance(c, cls)]


def _bound(element, cls) -> str:
    [child] = [c for c in element._children.values() if isinstance(c, cls)]
    return child.html


def test_one_toggleable_layer_per_itinerary_only_the_best_shown(tiny, tiny_itineraries):
    m = _map(tiny, tiny_itineraries, best_index=1)
    layers = _route_layers(m)
    assert [g.layer_name for g in layers] == [
        "1. Air via AIR — EUR 3,340, 1.2 days, 4,083 kg CO2e",
        "2. Rail via RAIL — EUR 760, 17.0 days, 161 kg CO2e",
        "3. Sea via SEA — EUR 650, 39.0 days, 231 kg CO2e",
    ]
    assert [g.show for g in layers] == [False, True, False]
    [tiles] = [c for c in m._children.values() if isinstance(c, folium.TileLayer)]
    assert tiles.layer_name == "Street map tiles (online)" and not tiles.show  # an option
    assert sum(isinstance(c, folium.LayerControl) for c in m._children.values()) == 1


def test_layer_names_on_the_default_network(default_compare):
    _, its = default_compare
    names = layer_names(its)
    assert all(LAYER_NAME.match(n) for n in names), names
    assert any(n.startswith("Rail via RAIL-ZIH-LGG-ZZ — EUR ") for n in names)


def test_repeated_labels_get_their_rank_and_labels_must_match(tiny, tiny_itineraries):
    names = layer_names(tiny_itineraries[:2], ["same", "same"])
    assert names[0].startswith("same (#1) — EUR") and names[1].startswith("same (#2) — EUR")
    with pytest.raises(ValueError, match="2 labels for 3 itineraries"):
        layer_names(tiny_itineraries, ["a", "b"])


def test_amounts_are_in_the_currency_asked(tiny, tiny_itineraries):
    """With `--currency USD` the layer names, the cards and the legs' popups show dollars."""
    usd = Money("USD", 1.25)
    names = layer_names(tiny_itineraries, money=usd)
    first = tiny_itineraries[0]
    assert names[0].endswith(f"— USD {first.cost_eur * 1.25:,.0f}, {first.transit_h / 24:.1f} days, "
                             f"{first.co2e_kg:,.0f} kg CO2e")
    page = map_html(itineraries_map(tiny, tiny_itineraries, title="t", computed_at=COMPUTED_AT,
                                    money=usd))
    assert f"USD {first.legs[0].cost_eur * 1.25:,.2f}" in page  # a leg's popup
    assert f"USD {first.cost_eur * 1.25:,.0f} · " in page  # its card
    assert f"EUR {first.cost_eur:,.0f} · " not in page


def test_one_line_per_leg_styled_by_mode(tiny, tiny_itineraries):
    m = _map(tiny, tiny_itineraries)
    for group, it in zip(_itinerary_layers(m), tiny_itineraries, strict=True):
        lines = _of(group, folium.PolyLine)
        assert len(lines) == len(it.legs)
        for line, leg in zip(lines, it.legs, strict=True):
            style = MODE_STYLES[leg.service.mode]
            assert line.options["color"] == style.color
            assert line.options["dashArray"] == style.dash
            assert f"sr-mode-{leg.service.mode}" in line.options["className"]


def test_modes_differ_in_colour_and_dash_and_kinds_in_shape():
    styles = list(MODE_STYLES.values())
    assert len({s.color for s in styles}) == len({s.dash for s in styles}) == len(styles) == 4
    kinds = list(KIND_STYLES.values())
    assert len({k.shape for k in kinds}) == len({k.color for k in kinds}) == len(kinds) == 4


def test_rail_follows_its_shape_air_flies_the_great_circle_road_is_straight(tiny):
    rail = service_path(tiny, tiny.services["RAIL"])
    rt, drt = tiny.locations["RT"], tiny.locations["DRT"]
    assert rail == [(rt.lat, rt.lon), *RAIL_SHAPE, (drt.lat, drt.lon)]
    air = service_path(tiny, tiny.services["AIR"])
    assert len(air) == GREAT_CIRCLE_POINTS
    # The geodesic from Belgium to China bends north of the straight lat/lon line.
    middle = air[len(air) // 2]
    assert middle[0] > (air[0][0] + air[-1][0]) / 2 + 5
    sea = service_path(tiny, tiny.services["SEA"])  # no shape: falls back to the great circle
    assert len(sea) == GREAT_CIRCLE_POINTS
    road = service_path(tiny, tiny.services["R-ORIG-RT"])
    assert road == [(50.60, 5.50), (50.65, 5.45)]


def test_great_circle_ends_exactly_on_its_points():
    arc = great_circle((50.64, 5.44), (30.78, 114.21), 10)
    assert len(arc) == 10 and arc[0] == (50.64, 5.44) and arc[-1] == (30.78, 114.21)


def test_bounds_fit_every_drawn_point(tiny, tiny_itineraries):
    m = _map(tiny, tiny_itineraries)
    [fit] = [c for c in m._children.values() if isinstance(c, FitBounds)]
    points = [p for it in tiny_itineraries for leg in it.legs for p in service_path(tiny, leg.service)]
    assert fit.bounds == [[min(p[0] for p in points), min(p[1] for p in points)],
                          [max(p[0] for p in points), max(p[1] for p in points)]]


def test_markers_by_kind_origin_and_destination_stand_out(tiny, tiny_itineraries):
    m = _map(tiny, tiny_itineraries)
    ends, *routes = _groups(m)
    assert not ends.control and ends.show
    end_markers = _of(ends, folium.Marker)
    assert [mk.location for mk in end_markers] == [[50.60, 5.50], [34.75, 113.65]]
    assert all("sr-end" in mk.icon.options["class_name"] for mk in end_markers)
    labels = [_of(mk, BoundTooltip)[0] for mk in end_markers]
    assert [t.options["permanent"] for t in labels] == [True, True]
    assert [t.html for t in labels] == [f"Origin: {esc(XSS)}", "Destination: Zhengzhou &amp; Co"]
    # Each route layer holds the markers of its changes of service, drawn by kind, and its number.
    shapes = {"air": {"triangle"}, "rail": {"square"}, "sea": {"diamond"}}
    for n, (group, it) in enumerate(zip(routes[:3], tiny_itineraries, strict=True), start=1):
        classes = [mk.icon.options["class_name"] for mk in _of(group, folium.Marker)]
        assert f"sr-badge-icon sr-badge-{n}" in classes
        classes = [c for c in classes if "sr-badge" not in c]
        assert len(classes) == 2
        assert {c.split("sr-kind-")[1] for c in classes} == shapes[it.main_mode]


def test_location_popup_names_kind_handling_time_and_cost(tiny, tiny_itineraries):
    m = _map(tiny, tiny_itineraries)
    rail = _itinerary_layers(m)[1]
    popups = [_bound(mk, BoundPopup) for mk in _of(rail, folium.Marker)
              if "sr-badge" not in mk.icon.options["class_name"]]
    rt = next(p for p in popups if "<b>RT</b>" in p)
    assert "Rail terminal" in rt and "3 h" in rt and "EUR 40.00" in rt


def test_leg_tooltip_and_popup_hold_every_fact(tiny, tiny_itineraries):
    m = _map(tiny, tiny_itineraries)
    air_layer = _itinerary_layers(m)[0]
    air_line = _of(air_layer, folium.PolyLine)[1]
    leg = tiny_itineraries[0].legs[1]
    for text in (_bound(air_line, BoundPopup), _bound(air_line, BoundTooltip)):
        assert "AIR" in text and "air" in text
        assert esc(XSS_OPERATOR) in text and XSS_OPERATOR not in text
        assert leg.depart.strftime("%Y-%m-%d %H:%M +0100") in text
        assert leg.arrive.strftime("%Y-%m-%d %H:%M +0800") in text
        assert f"{leg.chargeable_kg:,.0f} kg" in text
        assert f"EUR {leg.cost_eur:,.2f}" in text
        assert f"{leg.co2e_kg:,.1f} kg" in text
        assert f"{leg.service.distance_km:,.0f} km" in text and "20 h" in text  # distance, duration


def test_title_panel_has_query_computed_date_and_as_of_range(tiny, tiny_itineraries):
    page = map_html(_map(tiny, tiny_itineraries))
    assert f"compare {esc(XSS)} → Zhengzhou" in page
    assert "computed 2026-11-26 08:00 +0000" in page
    assert "network data as of 2024-01 to 2025-01" in page
    assert f"<title>compare {esc(XSS)} → Zhengzhou</title>" in page


def test_summary_panel_compares_all_itineraries_and_marks_the_best(tiny, tiny_itineraries):
    page = map_html(_map(tiny, tiny_itineraries, best_index=2, best_word="the cheapest"))
    summary = page.split('id="sr-summary"')[1].split("</details>")[0]
    assert summary.count("<div class='sr-card") == 3
    assert "<b>Sea via SEA</b> ★</div><div class='sr-figures'>EUR 650 · 39.0 days" in summary
    assert "★ shown first (the cheapest)" in summary
    # Departure and arrival times, and the services, of every itinerary.
    for it in tiny_itineraries:
        assert f"departs {it.depart.strftime('%Y-%m-%d %H:%M %z')}" in summary
        assert f"arrives {it.arrive.strftime('%Y-%m-%d %H:%M %z')}" in summary
    assert "R-ORIG-AP &gt; AIR &gt; R-DAP-DEST" in summary


def test_no_user_string_reaches_the_page_unescaped(tiny, tiny_itineraries):
    """Names, operators and ids are HTML text: the payloads never appear as markup."""
    page = map_html(_map(tiny, tiny_itineraries, labels=[XSS, "rail", "sea"]))
    assert XSS not in page and XSS_OPERATOR not in page
    assert "<img" not in page.replace("&lt;img", "")
    # Inside scripts the escaped text is a JSON string: `<` and `&` are \\u-escaped too.
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in page


def test_the_page_is_self_contained(tiny, tiny_itineraries):
    page = map_html(_map(tiny, tiny_itineraries))
    assert "<script src=" not in page and '<link rel="stylesheet"' not in page
    assert "cdn.jsdelivr" not in page and "jquery" not in page.lower()
    assert "Leaflet 1.9.3" in page  # inlined
    assert "url(images/" not in page  # the stylesheet's images are data: URIs


def test_bad_arguments_are_refused(tiny, tiny_itineraries):
    with pytest.raises(ValueError, match="no itineraries"):
        _map(tiny, [])
    with pytest.raises(ValueError, match="best_index 3"):
        _map(tiny, tiny_itineraries, best_index=3)


def test_best_index_follows_the_objective(tiny_itineraries: list[Itinerary]):
    assert best_index(tiny_itineraries, Objective.COST) == 2  # sea
    assert best_index(tiny_itineraries, Objective.TIME) == 0  # air
    assert best_index(tiny_itineraries, Objective.CO2) == 1  # rail
    with pytest.raises(ValueError):
        best_index([], Objective.COST)


def test_save_map_writes_atomically_and_never_over_an_input(tmp_path, tiny, tiny_itineraries):
    m = _map(tiny, tiny_itineraries)
    target = tmp_path / "map.html"
    assert save_map(m, target) == target
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["map.html"]  # no temporary left behind
    source = tmp_path / "consignments.csv"
    source.write_text("id\n", encoding="utf-8")
    with pytest.raises(ValueError, match="input of this run"):
        save_map(m, source, protected=[source])
    assert source.read_text(encoding="utf-8") == "id\n"
    with pytest.raises(ValueError, match="does not exist"):
        save_map(m, tmp_path / "missing" / "map.html")


def test_naive_computed_at_still_renders(tiny, tiny_itineraries):
    m = itineraries_map(tiny, tiny_itineraries[:1], title="t", computed_at=datetime(2026, 1, 2, 3, 4))
    assert "computed 2026-01-02 03:04" in map_html(m)

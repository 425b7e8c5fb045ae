"""Plan maps: flows aggregated per service, widths by tonnes, unassigned consignments listed."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import folium
import pytest

from maps import (
    ServiceFlow,
    Unassigned,
    aggregate_flows,
    flows_from_departures,
    flows_map,
    map_html,
    save_map,
)
from maps.elements import BoundPopup, BoundTooltip
from maps.panels import esc
from maps.style import FLOW_MAX_PX, FLOW_MIN_PX
from tests.maps.conftest import COMPUTED_AT, XSS


def _lines(m: folium.Map) -> dict[str, folium.PolyLine]:
    """Flow lines by the service id of their tooltip."""
    out = {}
    for group in m._children.values():
        if isinstance(group, folium.FeatureGroup) and group.control:
            for line in group._children.values():
                if isinstance(line, folium.PolyLine):
                    [tip] = [c for c in line._children.values() if isinstance(c, BoundTooltip)]
                    out[tip.html.split("</b>")[0].removeprefix("<b>")] = line
    return out


def test_aggregate_flows_sums_tonnes_and_consignments_per_service(tiny_itineraries):
    air, rail, _ = tiny_itineraries
    heavy = replace(rail, consignment=replace(rail.consignment, weight_kg=2200.0, id="c2"))
    flows = aggregate_flows([air, rail, heavy], {"RAIL": "50% of 1 departure"})
    assert flows["RAIL"] == ServiceFlow(3.0, 2, "50% of 1 departure")
    assert flows["AIR"] == ServiceFlow(0.8, 1, "")
    assert flows["R-ORIG-RT"].tonnes == pytest.approx(3.0)
    assert aggregate_flows([air], lambda sid, t: f"{sid}:{t:g}")["AIR"].utilisation == "AIR:0.8"


@dataclass(frozen=True)
class _Use:  # the shape of routing.planner.model.DepartureUse that maps relies on
    service_id: str
    weight_kg: float
    capacity_kg: float | None
    consignments: tuple[str, ...]


def test_flows_from_departures_reports_utilisation():
    flows = flows_from_departures([
        _Use("RAIL", 30_000, 40_000, ("a", "b")), _Use("RAIL", 10_000, 40_000, ("c",)),
        _Use("R-ORIG-RT", 500, None, ("a",)),
    ])
    assert flows["RAIL"] == ServiceFlow(40.0, 3, "50% of capacity over 2 departures (40.0 of 80.0 t)",
                                        capacity_kg=80_000.0, departures=2)
    assert flows["R-ORIG-RT"].utilisation == "1 departure, uncapacitated"


def test_line_width_grows_with_tonnes_one_layer_per_mode(tiny):
    flows = {"RAIL": ServiceFlow(100.0, 40, "80%"), "AIR": ServiceFlow(1.0, 3, "10%"),
             "R-ORIG-RT": ServiceFlow(25.0, 10), "SEA": ServiceFlow(0.0, 0)}
    m = flows_map(tiny, flows, title="plan", computed_at=COMPUTED_AT)
    lines = _lines(m)
    # The road leg from the city ORIG to its rail terminal is drawn as ORIG's collections.
    city = esc(XSS)
    assert set(lines) == {"RAIL", "AIR", "SEA", city}
    width = {sid: line.options["weight"] for sid, line in lines.items()}
    assert width["RAIL"] == FLOW_MAX_PX and width["SEA"] == FLOW_MIN_PX
    assert width["SEA"] < width["AIR"] < width[city] < width["RAIL"]
    names = [g.layer_name for g in m._children.values()
             if isinstance(g, folium.FeatureGroup) and g.control]
    assert names == ["Road flows — 1 city, 25.0 t", "Rail flows — 1 service, 100.0 t",
                     "Air flows — 1 service, 1.0 t", "Sea flows — 1 service, 0.0 t"]
    [popup] = [c for c in lines["RAIL"]._children.values() if isinstance(c, BoundPopup)]
    assert "100,000 kg" in popup.html and "80%" in popup.html and "40" in popup.html


def test_unassigned_listed_escaped(tiny):
    m = flows_map(tiny, {"RAIL": ServiceFlow(1.0, 1, f"{XSS}")},
                  [Unassigned(XSS, "capacity: every departure full"), Unassigned("c-2", "no_route")],
                  title=f"plan {XSS}", computed_at=COMPUTED_AT)
    page = map_html(m)
    assert "Unassigned consignments (2)" in page
    assert f"<td>{esc(XSS)}</td><td>capacity: every departure full</td>" in page
    assert XSS not in page


def test_no_flows_and_nothing_unassigned_still_renders(tiny):
    page = map_html(flows_map(tiny, {}, [], title="empty plan", computed_at=COMPUTED_AT))
    assert "none — every consignment is assigned" in page and "no flows" in page


def test_unknown_service_is_refused(tiny):
    with pytest.raises(ValueError, match="NOPE"):
        flows_map(tiny, {"NOPE": ServiceFlow(1.0)}, title="x", computed_at=COMPUTED_AT)


def test_ten_thousand_consignments_stay_small_and_fast(tmp_path, tiny_itineraries):
    """Aggregated before drawing: 10,000 itineraries become one line per service used."""
    from tests.maps.conftest import tiny_network

    net = tiny_network()
    start = time.perf_counter()
    plans = [replace(it, consignment=replace(it.consignment, id=f"C{i:05d}", weight_kg=100.0 + i % 900))
             for i in range(10_000) for it in (tiny_itineraries[i % 3],)]
    flows = aggregate_flows(plans)
    unassigned = [Unassigned(f"U{i:05d}", "capacity") for i in range(10_000)]
    path = save_map(flows_map(net, flows, unassigned, title="plan of 20,000",
                              computed_at=COMPUTED_AT), tmp_path / "plan.html")
    elapsed = time.perf_counter() - start
    assert len(flows) == 9
    assert sum(f.consignments for f in flows.values()) == 30_000  # 3 legs each
    assert path.stat().st_size <= 5_000_000
    assert elapsed < 10.0

"""reliability.csv (issue 16): the two distribution forms are exact, the file loads with its rules
in order, and each broken fixture, named after its error, reports it as file:line:column, all
problems at once."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from network import columns as C
from network import load_network
from network.errors import FileFormatError, InvalidFieldsError
from network.reliability import LATE_MEAN, QUANTILES, Delay, ReliabilityRule

NETWORKS = Path(__file__).resolve().parents[1] / "data" / "networks"

BROKEN = {
    "reliability_unknown_form": (2, C.FORM, "unknown form 'normal' (expected late_mean or quantiles)"),
    "reliability_share_out_of_range": (2, C.ON_TIME_SHARE, "1.5 is outside 0..1"),
    "reliability_late_mean_missing": (2, C.LATE_MEAN_H, "is required by form late_mean"),
    "reliability_late_mean_within_window": (2, C.LATE_MEAN_H, "6 h is not above window_h 12 h"),
    "reliability_quantiles_contradict": (2, C.ON_TIME_SHARE,
        "p50_h (50 % within 30 h) contradicts on_time_share/window_h (70 % within 2 h)"),
    "reliability_p90_below_p50": (2, C.P90_H, "24 h is below p50_h 48 h"),
    "reliability_unknown_service": (2, C.SERVICE, "unknown service 'TRAINN'; did you mean 'TRAIN'?"),
    "reliability_pattern_matches_nothing": (2, C.SERVICE, "pattern 'SEA-*' matches no service"),
    "reliability_unknown_location": (2, C.LOCATION, "unknown location 'BIERSETT'"),
    "reliability_selects_both": (2, C.LOCATION, "a row selects services (service, operator, mode) or "
                                                "locations (location, location_kind), not both"),
    "reliability_selects_nothing": (2, C.SERVICE, "selects nothing"),
    "reliability_rollover_on_location": (2, C.ROLLOVER_SHARE, "applies to services"),
    "reliability_unknown_mode": (2, C.MODE, "unknown mode 'ship'"),
    "reliability_duplicate_id": (3, C.ID, "duplicate 'RAIL' (first defined on line 2)"),
    "reliability_missing_form_column": (1, C.FORM, "required column is missing"),
    "reliability_field_unused_by_form": (2, C.P90_H, "is not used by form late_mean"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_reliability_file_reports_file_line_and_column(name):
    """Each broken fixture fails with its error, located by file, line and column, alone."""
    line, column, text = BROKEN[name]
    with pytest.raises(FileFormatError) as info:
        load_network(NETWORKS / name)
    problems = info.value.problems
    assert len(problems) == 1, [str(p) for p in problems]
    problem = problems[0]
    assert (problem.file, problem.line, problem.column) == (C.RELIABILITY_FILE, line, column)
    assert text in problem.message
    where = f"{C.RELIABILITY_FILE}:{line}" + (f":{problem.column_number}" if line > 1 else "")
    assert str(problem).startswith(where)


def test_every_problem_of_the_file_at_once():
    """A file with four bad rows reports the four problems, in line order."""
    with pytest.raises(FileFormatError) as info:
        load_network(NETWORKS / "reliability_many_errors")
    assert [(p.line, p.column) for p in info.value.problems] == [
        (2, C.FORM), (3, C.ON_TIME_SHARE), (4, C.LOCATION_KIND), (5, C.P90_H)]


def test_valid_file_loads_rules_in_order_and_selects_first_match():
    """Rows keep file order; a service takes the first row that selects it, a location the
    first location row; a network without the file has none."""
    net = load_network(NETWORKS / "valid_reliability")
    assert [r.id for r in net.reliability.rules] == ["RAIL", "ROAD", "TERMINALS"]
    assert net.reliability.for_service(net.services["TRAIN"]).id == "RAIL"
    assert net.reliability.for_service(net.services["TRUCK1"]).id == "ROAD"
    assert net.reliability.for_location(net.locations["RAIL"]).id == "TERMINALS"
    assert net.reliability.for_location(net.locations["ORIG"]) is None
    assert net.reliability.for_service(net.services["TRAIN"]).rollover_share == 0.05
    assert not load_network(NETWORKS / "valid").reliability


def test_default_network_gives_every_service_a_distribution():
    """The default data selects a row for every service (rail, air, sea, both road kinds) and a
    handling spread for every hub; every row says where its figures come from."""
    net = load_network()
    rel = net.reliability
    assert all(rel.for_service(s) is not None for s in net.services.values())
    by_mode = {"sea": "SEA-ANR-CN", "rail": "RAIL-CHINA-EUROPE", "air": "AIR-FREIGHTERS"}
    for s in net.services.values():
        if s.mode in by_mode:
            assert rel.for_service(s).id == by_mode[s.mode], s.id
    assert {rel.for_location(x).id for x in net.locations.values() if x.kind != "city"} == {
        "HANDLING-SEAPORT", "HANDLING-RAIL", "HANDLING-AIRPORT"}
    for rule in rel.rules:
        assert rule.source and rule.as_of
        assert rule.is_estimate or "http" in rule.source


LATE = Delay(LATE_MEAN, on_time_share=0.6, window_h=24.0, late_mean_h=120.0)
QUANT = Delay(QUANTILES, on_time_share=0.3, window_h=2.0, p50_h=12.0, p90_h=60.0)


def test_late_mean_form_matches_its_formula():
    """On time within the window with the share given; late arrivals average late_mean_h."""
    assert LATE.cdf(24.0) == pytest.approx(0.6)
    assert LATE.cdf(12.0) == pytest.approx(0.3)
    x = 24.0 + 96.0 * math.log(2.0)  # half of the late ones within this
    assert LATE.cdf(x) == pytest.approx(0.8)
    # Mean of the late ones: the window plus the exponential's mean.
    u = np.linspace(0.6, 1.0, 400_001)[1:-1]
    assert LATE.quantile(u).mean() == pytest.approx(120.0, rel=1e-3)


def test_quantiles_form_passes_through_its_points():
    """p50 and p90 are the median and ninth decile; the tail spreads as an exponential would."""
    assert QUANT.quantile(np.array([0.3, 0.5, 0.9])) == pytest.approx([2.0, 12.0, 60.0])
    tail = (60.0 - 12.0) / math.log(5.0)
    assert QUANT.cdf(60.0 + tail) == pytest.approx(1.0 - 0.1 * math.exp(-1.0))


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([LATE, QUANT, Delay(QUANTILES, p50_h=0.0, p90_h=2.0),
                        Delay(LATE_MEAN, on_time_share=0.0, window_h=6.0, late_mean_h=30.0),
                        Delay(LATE_MEAN, on_time_share=1.0),
                        Delay(QUANTILES, on_time_share=0.95, window_h=80.0, p50_h=10.0, p90_h=50.0)]),
       st.floats(0.001, 0.999))
def test_quantile_inverts_the_distribution_function(delay, u):
    """F(Q(u)) = u wherever F is continuous there, and Q is non-decreasing."""
    x = float(delay.quantile(np.array([u]))[0])
    assert x >= 0
    assert delay.cdf(x) >= u - 1e-9
    assert delay.cdf(x - 1e-6) <= u + 1e-9
    assert float(delay.quantile(np.array([min(0.9999, u + 0.0005)]))[0]) >= x - 1e-9


@pytest.mark.parametrize(("fields", "column"), [
    ({"form": "late_mean", "on_time_share": 0.5}, "late_mean_h"),
    ({"form": "late_mean", "late_mean_h": 5.0}, "on_time_share"),
    ({"form": "quantiles", "p50_h": 1.0}, "p90_h"),
    ({"form": "quantiles", "p50_h": 1.0, "p90_h": 2.0, "window_h": 3.0}, "window_h"),
    ({"form": "quantiles", "p50_h": 1.0, "p90_h": 2.0, "on_time_share": 0.5, "window_h": 3.0},
     "on_time_share"),
    ({"form": "quantiles", "p50_h": float("nan"), "p90_h": 2.0}, "p50_h"),
])
def test_delay_refuses_what_its_form_cannot_mean(fields, column):
    """Missing, contradictory or non-finite figures are refused, naming the column."""
    with pytest.raises(InvalidFieldsError) as info:
        Delay(**fields)
    assert column in [name for name, _ in info.value.errors]


def test_rule_selects_by_base_id_operator_case_and_mode():
    """Selectors are globs (operator case-insensitive); every one given must match."""
    rule = ReliabilityRule("X", LATE, service="SEA-*", operator="*cma*", mode="sea")
    assert rule.selects_service("SEA-ANR-SHA", "CMA CGM FAL1", "sea")
    assert not rule.selects_service("SEA-ANR-SHA", "MSC", "sea")
    assert not rule.selects_service("RAIL-X", "CMA CGM", "sea")
    assert not rule.selects_location("SEA-ANR-SHA", "seaport")

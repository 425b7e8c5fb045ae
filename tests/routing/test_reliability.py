"""The simulation of late arrivals and missed connections (routing/reliability.py) against closed
forms, the independent verifier's draw-by-draw re-simulation, and its determinism."""

from __future__ import annotations

import math
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from network import load_network
from network.reliability import LATE_MEAN, Delay
from network.timetable import to_seconds
from routing.consignment import Consignment
from routing.reliability import DEFAULT_SEED, Simulator, itinerary_figures, legs_of, percent_below, uniforms
from routing.search import SearchOptions, best_itineraries
from tests.builders import location, service, write_network
from tests.verifier import RawNetwork, verify_itinerary, verify_reliability

BRU = ZoneInfo("Europe/Brussels")
SUNDAY_NOON = datetime(2027, 1, 3, 12, 0, tzinfo=BRU)  # a Sunday, no DST change for weeks
WEEK = timedelta(days=7)
TRUCK_DELAY = {"form": "late_mean", "on_time_share": "0.7", "window_h": "0", "late_mean_h": "10"}


def _sigma(p: float, n: int) -> float:
    """Four standard errors of a share p estimated from n draws (and a floor for p near 0, 1)."""
    return 4.0 * math.sqrt(max(p * (1.0 - p), 1e-4) / n)


def _net(tmp: Path, services, reliability, handling_h: float = 2.0, calendar_dates=None):
    locations = [location(x, handling_h=handling_h) for x in ("A", "B", "C")]
    return load_network(write_network(tmp, locations, services, reliability=reliability,
                                      calendar_dates=calendar_dates))


def _route(net, ready, due=None):
    c = Consignment("A", "C" if "C" in {s.destination for s in net.services.values()} else "B",
                    100, 1, ready, due)
    found = best_itineraries(net, c, SearchOptions()).itineraries
    assert found
    return found[0]


def test_one_leg_on_time_probability_is_the_delay_distribution(tmp_path):
    """One on-demand leg: P(on time by planned + x) = F(x) for the late_mean form, within four
    standard errors at 10,000 draws; p50 and p90 sit at F's median and ninth decile."""
    rule = {"id": "T", "service": "T1", "form": "late_mean", "on_time_share": "0.6", "window_h": "24",
            "late_mean_h": "120"}
    net = _net(tmp_path, [service("T1", "A", "B", duration_h=10)], [rule])
    delay = Delay(LATE_MEAN, on_time_share=0.6, window_h=24.0, late_mean_h=120.0)
    it = _route(net, SUNDAY_NOON)
    planned = it.arrive
    for hours in (0.5, 12.0, 24.0, 48.0, 200.0):
        shifted = Consignment("A", "B", 100, 1, SUNDAY_NOON, planned + timedelta(hours=hours))
        f = itinerary_figures(net, [it], due=shifted.due)[0]
        assert f.on_time == pytest.approx(delay.cdf(hours), abs=_sigma(delay.cdf(hours), 10_000))
        assert f.missed_connection == 0.0 and not f.exact
    f = itinerary_figures(net, [it])[0]
    for when, q in ((f.arrive_p50, 0.5), (f.arrive_p90, 0.9)):
        hours = (when - planned).total_seconds() / 3600.0
        assert delay.cdf(hours) == pytest.approx(q, abs=_sigma(q, 10_000) + 0.001)


def _two_legs(tmp: Path, truck_rule=None, train: dict | None = None, location_rule=None,
              calendar_dates=None):
    """A 10 h truck A→B (on demand), 2 h handling at B, a weekly train B→C (Mon 12:00, cut-off
    6 h, 48 h): ready Sunday 12:00 leaves 6 h of slack before the cut-off."""
    services = [service("T1", "A", "B", duration_h=10),
                service("W1", "B", "C", days="Mon", departure="12:00", cutoff_h=6, duration_h=48,
                        mode="rail", **(train or {}))]
    rules = [r for r in (truck_rule, location_rule) if r is not None]
    return _net(tmp, services, rules, calendar_dates=calendar_dates)


def test_missed_connection_costs_exactly_one_weekly_departure(tmp_path):
    """The train is missed when the truck is more than the slack late: P(miss) = 1 − F(6 h), and
    the cargo then arrives exactly one week later (p90 = planned + 7 days)."""
    net = _two_legs(tmp_path, {"id": "T", "service": "T1", **TRUCK_DELAY})
    it = _route(net, SUNDAY_NOON)
    assert [leg.service.id for leg in it.legs] == ["T1", "W1"]
    f_slack = 1.0 - 0.3 * math.exp(-6.0 / 10.0)
    due = it.arrive + timedelta(days=3)
    f = itinerary_figures(net, [it], due=due)[0]
    assert f.on_time == pytest.approx(f_slack, abs=_sigma(f_slack, 10_000))
    assert f.missed_connection == pytest.approx(1.0 - f.on_time, abs=1e-12)
    assert f.arrive_p50 == it.arrive
    assert f.arrive_p90 == it.arrive + WEEK
    assert f.days_late == pytest.approx((1.0 - f.on_time) * 4.0, rel=1e-9)  # 7 days late − 3 slack


def test_handling_spread_at_the_connection_works_as_a_delay(tmp_path):
    """The same miss from a handling spread at B instead of a late truck."""
    spread = {"id": "H", "location": "B", **TRUCK_DELAY}
    net = _two_legs(tmp_path, location_rule=spread)
    it = _route(net, SUNDAY_NOON)
    f = itinerary_figures(net, [it])[0]
    expected = 0.3 * math.exp(-6.0 / 10.0)
    assert f.missed_connection == pytest.approx(expected, abs=_sigma(expected, 10_000))


def test_rollover_leaves_on_the_next_departure(tmp_path):
    """With rollover_share r and no delay, a share r of draws leaves a week later."""
    net = _two_legs(tmp_path, {"id": "R", "service": "W1", "form": "quantiles", "p50_h": "0",
                               "p90_h": "0", "rollover_share": "0.2"})
    it = _route(net, SUNDAY_NOON)
    f = itinerary_figures(net, [it], due=it.arrive)[0]
    assert f.missed_connection == pytest.approx(0.2, abs=_sigma(0.2, 10_000))
    assert f.on_time == pytest.approx(0.8, abs=_sigma(0.2, 10_000))
    assert f.arrive_p90 == it.arrive + WEEK


def test_missed_connection_waits_for_the_next_departure_the_calendar_allows(tmp_path):
    """A removed date (calendar_dates.csv) is skipped: missing the train costs two weeks."""
    monday = (SUNDAY_NOON + timedelta(days=8)).date()
    net = _two_legs(tmp_path, {"id": "T", "service": "T1", **TRUCK_DELAY},
                    calendar_dates=[{"service": "W1", "date": monday.isoformat(), "exception": "removed"}])
    it = _route(net, SUNDAY_NOON)
    f = itinerary_figures(net, [it])[0]
    assert f.arrive_p90 == it.arrive + 2 * WEEK


def test_network_without_delay_data_is_exact(tmp_path):
    """No reliability.csv: every draw arrives as planned, flagged exact."""
    net = _net(tmp_path, [service("T1", "A", "B", duration_h=10)], None)
    it = _route(net, SUNDAY_NOON)
    f = itinerary_figures(net, [it], due=it.arrive)[0]
    assert f.exact and f.on_time == 1.0 and f.arrive_p90 == it.arrive and f.missed_connection == 0.0
    assert f.legs_without_data == (1,)


def test_same_seed_same_figures_and_draws_are_prefixes(tmp_path):
    """Determinism: the same seed gives the same figures; a run with fewer draws uses the first
    draws of a longer one; another seed gives other draws."""
    net = _two_legs(tmp_path, {"id": "T", "service": "T1", **TRUCK_DELAY})
    it = _route(net, SUNDAY_NOON)
    assert itinerary_figures(net, [it]) == itinerary_figures(net, [it])
    long = Simulator(net, 10_000).run([legs_of(it)])[0].arrivals
    short = Simulator(net, 1_000).run([legs_of(it)])[0].arrivals
    assert np.array_equal(long[:1_000], short)
    other = Simulator(net, 1_000, seed=DEFAULT_SEED + 1).run([legs_of(it)])[0].arrivals
    assert not np.array_equal(other, short)
    assert np.array_equal(uniforms(DEFAULT_SEED, 0, 10)[0], uniforms(DEFAULT_SEED, 0, 100)[0][:10])


def test_batched_and_single_simulations_agree(tmp_path):
    """Simulating itineraries together or one by one gives the same draws (common random numbers)."""
    net = _two_legs(tmp_path, {"id": "T", "service": "T1", **TRUCK_DELAY})
    first = _route(net, SUNDAY_NOON)
    later = _route(net, SUNDAY_NOON + timedelta(days=1))
    sim = Simulator(net, 2_000)
    together = sim.run([legs_of(first), legs_of(later)])
    alone = [Simulator(net, 2_000).run([legs_of(x)])[0] for x in (first, later)]
    for a, b in zip(together, alone, strict=True):
        assert np.array_equal(a.arrivals, b.arrivals) and a.missed == b.missed
    dues = [to_seconds(first.arrive) + 86400.0] * 2
    assert list(sim.on_time([legs_of(first), legs_of(later)], dues)) == [
        s.on_time(d) for s, d in zip(alone, dues, strict=True)]


NODES = ["A", "B", "C", "D"]
legs_strategy = st.tuples(
    st.sampled_from(NODES), st.sampled_from(NODES),
    st.sampled_from(["", "", "Mon", "Tue Fri", "daily"]), st.integers(0, 23), st.integers(0, 30),
    st.integers(1, 60), st.sampled_from(["road", "rail", "air", "sea"]))
rules_strategy = st.lists(st.tuples(
    st.sampled_from(["", "S0*", "S1*", "M*"]), st.sampled_from(["", "road", "rail", "sea"]),
    st.sampled_from(["late", "quant", "quant-share"]), st.floats(0.0, 1.0), st.integers(0, 30),
    st.integers(1, 80), st.sampled_from([0, 0, 0.1, 0.5])), max_size=4)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(legs_strategy, min_size=1, max_size=8), rules_strategy,
       st.sampled_from(["", "B", "C*"]), st.integers(0, 7 * 24), st.sampled_from([1, 4, 12]),
       st.lists(st.tuples(st.integers(0, 7), st.integers(0, 20)), max_size=3))
def test_figures_match_the_independent_verifier(raw_legs, raw_rules, spread_at, ready_h, due_days,
                                                removed):
    """On random networks with delay rules of both forms, rollovers, handling spreads and removed
    dates, the figures equal a plain draw-by-draw re-simulation from the raw CSV rows."""
    services = [service(f"S{i:02d}", a, b, days=days, departure=f"{h:02d}:00" if days else "",
                        cutoff_h=cut if days else 0, duration_h=hours, mode=mode)
                for i, (a, b, days, h, cut, hours, mode) in enumerate(raw_legs) if a != b]
    services += [service(f"M{a}{b}", a, b, duration_h=3) for a in "AB" for b in "BD" if a != b]
    rules = []
    for k, (pattern, mode, form, share, window, late, roll) in enumerate(raw_rules):
        if not pattern and not mode:
            mode = "road"
        fields = {"id": f"R{k}", "service": pattern, "mode": mode}
        if form == "late":
            fields |= {"form": "late_mean", "on_time_share": round(share, 3), "window_h": window,
                       "late_mean_h": window + late}
        elif form == "quant":
            fields |= {"form": "quantiles", "p50_h": window, "p90_h": window + late}
        else:
            fields |= {"form": "quantiles", "on_time_share": "0.2", "window_h": 0, "p50_h": window,
                       "p90_h": window + late}
        if roll:
            fields["rollover_share"] = roll
        rules.append(fields)
    if spread_at:
        rules.append({"id": "SPREAD", "location": spread_at, "form": "quantiles", "p50_h": 1,
                      "p90_h": 9})
    ids = {s["id"] for s in services}
    rules = [r for r in rules  # a pattern that selects nothing is refused by the loader
             if not r.get("service") or any(x.startswith(r["service"][:-1]) for x in ids)]
    dates = []
    timetabled = [s["id"] for s in services if s["days"]]
    for k, offset in removed:
        if timetabled:
            day = (SUNDAY_NOON + timedelta(days=offset)).date().isoformat()
            entry = {"service": timetabled[k % len(timetabled)], "date": day, "exception": "removed"}
            if entry not in dates:
                dates.append(entry)
    with tempfile.TemporaryDirectory() as tmp:
        directory = write_network(Path(tmp), [location(x, handling_h=2) for x in NODES], services,
                                  reliability=rules, calendar_dates=dates)
        net = load_network(directory)
        ready = SUNDAY_NOON + timedelta(hours=ready_h)
        c = Consignment("A", "D", 100, 1, ready, ready + timedelta(days=due_days))
        found = best_itineraries(net, c, SearchOptions(horizon_days=30)).itineraries
        if not found:
            return
        raw = RawNetwork(directory)
        verify_itinerary(raw, found[0], 30)
        figures = itinerary_figures(net, found, draws=300)
        verify_reliability(raw, found[0], figures[0], 300, DEFAULT_SEED)


@pytest.mark.parametrize(("p", "target", "shown"), [
    (0.898, 0.9, "89.8 %"), (0.8999, 0.9, "89.9 %"), (0.6, 0.9, "60 %"), (0.95, 0.9, "95 %"),
    (0.994, 0.999, "99 %"), (0.004, 0.9, "< 1 %"), (0.7, None, "70 %"),
])
def test_a_chance_below_the_target_never_reads_as_reaching_it(p, target, shown):
    """Whole percent that would round up to the target gets a decimal, rounded down."""
    assert percent_below(p, target) == shown

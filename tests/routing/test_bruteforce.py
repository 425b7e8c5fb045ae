"""The engine agrees with brute force (every itinerary enumerated) on random small networks:
the full tie order of every objective, `--alternatives K`, the best per main mode and the Pareto
front with its representatives."""

from __future__ import annotations

import fnmatch
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import networkx as nx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import routing.compiled as compiled_module
from network import load_network
from network.timetable import to_seconds
from routing.consignment import Consignment
from routing.objectives import Objective, Weights, balanced_rates, rank_key
from routing.ontime import OnTimeGoal, search_on_time
from routing.reliability import Simulator
from routing.search import (
    SearchOptions,
    best_by_main_mode,
    best_itineraries,
    pareto_itineraries,
)
from tests.builders import location, service, write_network
from tests.verifier import RawNetwork, verify_itinerary

BRU = ZoneInfo("Europe/Brussels")
NODES = ["A", "B", "C", "D", "E", "F"]
HORIZON_DAYS = 21
RANK = {"road": 0, "air": 1, "rail": 2, "sea": 3}
WEIGHTS = Weights(eur_per_day=30.0, eur_per_tco2=100.0)

legs = st.tuples(
    st.sampled_from(NODES), st.sampled_from(NODES),
    st.sampled_from(["", "", "Mon", "Tue Fri", "daily", "Sat Sun"]),
    st.integers(0, 23), st.integers(0, 48), st.integers(0, 200), st.sampled_from([0, 0, 10, 50, 120, 500]),
    st.sampled_from([0, 10, 40, 100]), st.sampled_from(["road", "road", "rail", "air", "sea"]),
    st.sampled_from([100, 100, 500, 1000, 8000]),
)
# Meshes: every ordered pair of a few locations joined by on-demand road legs (both ways).
meshes = st.lists(st.sampled_from(NODES), min_size=0, max_size=4, unique=True)
# Hub emissions per location (kg CO2e per tonne handled; GLEC-like values, often none), so the
# exactness checks cover the CO2e of changing service.
hubs = st.lists(st.sampled_from([0, 0, 0.6, 2.1, 10.7, 33]), min_size=len(NODES), max_size=len(NODES))


def _write(directory: Path, raw_legs, mesh, extras=None, hub=None) -> Path:
    services = []
    for i, (a, b, days, hour, cutoff, hours, price, co2, mode, km) in enumerate(raw_legs):
        if a == b:
            continue
        row = service(f"S{i:02d}", a, b, days=days, mode=mode,
                      departure=f"{hour:02d}:00" if days else "",
                      cutoff_h=cutoff if days else 0, duration_h=hours,
                      eur_fixed=price, co2e_g_per_tkm=co2, distance_km=km)
        if hub is not None:
            # Every other leg splits its factor (TTW + WTT = WTW); flights measured great circle
            # every other time (GLEC: +95 km for emissions).
            row.update({"co2e_ttw_g_per_tkm": "", "co2e_wtt_g_per_tkm": "", "co2e_distance_add_km": ""})
            if i % 2 == 0:
                row.update({"co2e_ttw_g_per_tkm": str(0.75 * co2), "co2e_wtt_g_per_tkm": str(0.25 * co2)})
            if mode == "air" and i % 4 < 2:
                row["co2e_distance_add_km"] = "95"
        services.append(row)
    for a in mesh:
        for b in mesh:
            if a != b:
                services.append(service(f"M-{a}{b}", a, b, duration_h=2, eur_fixed=20,
                                        co2e_g_per_tkm=80, distance_km=100))
    files = {}
    if extras is not None:
        services, files = extras(services)
    places = []
    for k, n in enumerate(NODES):
        fields = {"handling_h": 3, "handling_eur": 7}
        if hub is not None:
            fields.update(hub_co2e_kg_per_t=hub[k], hub_co2e_ttw_kg_per_t=0.4 * hub[k],
                          hub_co2e_wtt_kg_per_t=0.6 * hub[k])
        places.append(location(n, **fields))
    return write_network(directory, places, services, **files)


def _micro(x: float) -> int:
    return round(x * 1_000_000)


def _itineraries(directory: Path, net, c, horizon_days: float = HORIZON_DAYS, every_departure: bool = False):
    """Every itinerary, from the raw CSV rows (tests/verifier.py: calendars, rate rows, FX,
    surcharges). Each simple path's legs take their earliest departure, which is optimal when a
    leg's price does not depend on its departure (later departures of the same services tie or
    lose on every criterion and come later in the sequence order); with `every_departure`, every
    departure of each leg within the horizon (and, on demand, the first instant of each later
    day: prices change by the day) is enumerated, as dated prices need."""
    raw = RawNetwork(directory)
    graph = nx.MultiDiGraph()
    for sid, row in raw.services.items():
        goods = row.get("goods", "").split()
        if not goods or c.goods in goods:
            graph.add_edge(row["from"], row["to"], key=sid)
    if c.origin not in graph or c.destination not in graph:
        return []
    ready_dt = c.ready.astimezone(UTC)
    horizon_end = ready_dt + timedelta(days=horizon_days)
    due = c.due.astimezone(UTC) if c.due else None
    found = []
    for path in nx.all_simple_edge_paths(graph, c.origin, c.destination):
        rows = [raw.services[k] for _, _, k in path]
        main = max(rows, key=lambda r: (float(r["distance_km"]), RANK[r["mode"]]))["mode"]

        def walk(i, t, cost, co2, seq, path=path, rows=rows, main=main):
            if i == len(path):
                found.append({"cost": cost, "co2": co2, "arrive": t.timestamp(), "legs": len(path),
                              "seq": tuple(seq), "sig": tuple(k for _, _, k in path), "mode": main})
                return
            sid, row = path[i][2], rows[i]
            if i:
                here = raw.locations[row["from"]]
                t = t + timedelta(hours=float(here["handling_h"]))
                cost += _micro(float(here["handling_eur"]) + float(here["handling_eur_per_kg"]) * c.weight_kg)
                co2 += _micro(c.weight_kg / 1000.0 * float(here.get("hub_co2e_kg_per_t") or 0))
            if row["days"].strip():
                choices = raw.departures(sid, t + timedelta(hours=float(row["cutoff_h"])), horizon_end)
            else:
                # On demand, the horizon does not apply: cargo may wait for any cheaper day, so
                # every day is a choice until prices no longer change.
                choices = raw.on_demand_choices(sid, t, max(horizon_end, raw.prices_settled(sid)))
            if not every_departure:
                choices = choices[:1]
            for dep in choices:
                arrive = dep + timedelta(hours=float(row["duration_h"]))
                if due is not None and arrive > due:
                    break
                price = _micro(raw.price(sid, c.weight_kg, c.volume_m3, dep))
                km = float(row["distance_km"]) + float(row.get("co2e_distance_add_km") or 0)
                emitted = _micro(c.weight_kg / 1000.0 * km * float(row["co2e_g_per_tkm"]) / 1000.0)
                walk(i + 1, arrive, cost + price, co2 + emitted, [*seq, (sid, dep.timestamp())])

        walk(0, ready_dt, 0, 0, [])
    return found


def _order(objective: Objective, ready: float):
    per_day, per_mg = balanced_rates(WEIGHTS)

    def key(r):
        return (rank_key(objective, per_day, per_mg, r["cost"], r["co2"], r["arrive"], ready),
                r["legs"], r["seq"])
    return key


def _engine(it):
    return (it.cost_micro, it.co2_mg, to_seconds(it.arrive), len(it.legs), it.sequence)


def _truth(r):
    return (r["cost"], r["co2"], r["arrive"], r["legs"], r["seq"])


def _check(directory: Path, c: Consignment, horizon_days: float = HORIZON_DAYS,
           every_departure: bool = False) -> None:
    net = load_network(directory)
    raw = RawNetwork(directory)
    truth = _itineraries(directory, net, c, horizon_days, every_departure)
    ready = to_seconds(c.ready)
    for objective in Objective:
        ordered = sorted(truth, key=_order(objective, ready))
        options = SearchOptions(objective=objective, weights=WEIGHTS, horizon_days=horizon_days)
        found = best_itineraries(net, c, options).itineraries
        if not ordered:
            assert not found, objective
            continue
        assert [_engine(it) for it in found] == [_truth(ordered[0])], objective
        verify_itinerary(raw, found[0], horizon_days)
        # K alternatives: the K best distinct service sequences, whatever K.
        routes = []
        for r in ordered:
            if r["sig"] not in [x["sig"] for x in routes]:
                routes.append(r)
        for k in (1, 3):
            options = SearchOptions(objective=objective, weights=WEIGHTS, horizon_days=horizon_days,
                                    alternatives=k)
            alternatives = best_itineraries(net, c, options).itineraries
            assert [_engine(it) for it in alternatives] == [_truth(r) for r in routes[:k + 1]], (objective, k)
        # Best per main mode.
        by_mode = {}
        for r in ordered:
            by_mode.setdefault(r["mode"], r)
        options = SearchOptions(objective=objective, weights=WEIGHTS, horizon_days=horizon_days)
        got = best_by_main_mode(net, c, options)
        assert {m: _engine(it) for m, it in got.items()} == {m: _truth(r) for m, r in by_mode.items()}, \
            objective
        for it in got.values():
            verify_itinerary(raw, it, horizon_days)
    # The Pareto front on (cost, CO2e, arrival), one itinerary per point: the first in tie order.
    points = {}
    for r in sorted(truth, key=lambda r: (r["legs"], r["seq"])):
        points.setdefault((r["cost"], r["co2"], r["arrive"]), r)
    front = {p: r for p, r in points.items()
             if not any(o != p and all(x <= y for x, y in zip(o, p, strict=True)) for o in points)}
    got_front = pareto_itineraries(net, c, SearchOptions(horizon_days=horizon_days)).itineraries
    assert sorted(_engine(it) for it in got_front) == sorted(_truth(r) for r in front.values())


START = date(2027, 3, 22)  # the calendars' dates are days from here (the window spans DST)


def _day(offset: int) -> str:
    return (START + timedelta(days=offset)).isoformat()


# Calendars that change only which departures exist, and money that is constant in the window
# (one exchange rate before it, surcharges without dates): each leg's earliest departure is
# still the best, so the first brute force applies.
calendars = st.fixed_dictionaries({
    "validity": st.lists(st.tuples(st.sampled_from([None, -3, 0, 2, 5]), st.sampled_from([None, 4, 9, 30])),
                         min_size=13, max_size=13),
    "exceptions": st.lists(st.tuples(st.integers(0, 12), st.integers(-1, 12), st.booleans()), max_size=6),
    "currencies": st.lists(st.sampled_from(["EUR", "EUR", "USD", "CNY"]), min_size=13, max_size=13),
    "surcharges": st.lists(st.tuples(st.sampled_from(["percent_freight", "per_chargeable_kg",
                                                      "per_container", "per_consignment"]),
                                     st.sampled_from([5, 12.5, 40]), st.sampled_from(["EUR", "USD", "CNY"]),
                                     st.sampled_from(["S0*", "S1*", "M-*", "*", ""]),
                                     st.sampled_from(["", "rail", "road", "air"])), max_size=3),
})


def _calendar_extras(spec, dated: bool = False, rate_cards=()):
    """services -> (services, files) with the calendars, currencies and surcharges of `spec`."""

    def extras(services):
        taken = set()
        out = []
        for row in services:
            if row["id"].startswith("S"):
                k = int(row["id"][1:])
                first, last = spec["validity"][k % 13]
                if last is not None and first is not None and last < first:
                    first, last = last, first
                row = {**row, "currency": spec["currencies"][k % 13],
                       "valid_from": "" if first is None else _day(first),
                       "valid_to": "" if last is None else _day(last)}
                if k in rate_cards and (first, last) == (None, None):
                    split = rate_cards[k]
                    out.append({**row, "valid_to": _day(split - 1)})
                    row = {**row, "valid_from": _day(split), "eur_fixed": float(row["eur_fixed"]) * 0.6 + 3}
            out.append(row)
        ids = [r["id"] for r in out if r["id"].startswith("S")]
        dates = []
        for k, offset, add in spec["exceptions"]:
            if ids:
                sid = ids[k % len(ids)]
                if (sid, offset) not in taken:
                    taken.add((sid, offset))
                    dates.append({"service": sid, "date": _day(offset),
                                  "exception": "added" if add else "removed"})
        fx = [{"date": _day(-30), "currency": "USD", "per_eur": "1.0813"},
              {"date": _day(-30), "currency": "CNY", "per_eur": "7.66"}]
        if dated:
            fx += [{"date": _day(2), "currency": "USD", "per_eur": "1.2345"},
                   {"date": _day(5), "currency": "CNY", "per_eur": "6.5"},
                   {"date": _day(7), "currency": "USD", "per_eur": "0.9"}]
        surcharges = []
        all_ids = [r["id"] for r in out]
        for n, (kind, amount, currency, pattern, mode) in enumerate(spec["surcharges"]):
            if pattern and not fnmatch.filter(all_ids, pattern):
                pattern = ""  # a pattern that selects nothing is refused by the loader
            window = ((_day(1 + n), _day(4 + 2 * n)) if dated and n % 2 == 0 else
                      (_day(3), "") if dated else ("", ""))
            surcharges.append({"id": f"X{n}", "service": pattern, "mode": mode, "kind": kind,
                               "amount": amount, "currency": "" if kind == "percent_freight" else currency,
                               "valid_from": window[0], "valid_to": window[1]})
        return out, {"calendar_dates": dates, "fx": fx, "surcharges": surcharges}

    return extras


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(legs, min_size=1, max_size=12), meshes, st.integers(0, 7 * 24),
       st.sampled_from([None, 2, 5, 12]), st.sampled_from(["A", "B"]), calendars, hubs)
def test_engine_matches_brute_force(raw_legs, mesh, ready_h, due_days, origin, spec, hub):
    """Every objective's full tie order, K alternatives, best per main mode and the Pareto front
    equal brute-force enumeration of all itineraries, on networks with service calendars
    (validity, added and removed dates), prices in EUR, USD and CNY, surcharges, hub emissions
    at every change of service, split emission factors and the GLEC air distance adjustment."""
    with tempfile.TemporaryDirectory() as tmp:
        directory = _write(Path(tmp), raw_legs, mesh, _calendar_extras(spec), hub)
        ready = datetime(2027, 3, 22, tzinfo=BRU).timestamp() + ready_h * 3600  # spans DST
        due = None if due_days is None else datetime.fromtimestamp(ready + due_days * 86400, BRU)
        c = Consignment(origin, "E", 500, 1, datetime.fromtimestamp(ready, BRU), due)
        _check(directory, c)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(legs, min_size=1, max_size=12), meshes, st.integers(0, 7 * 24),
       st.sampled_from([None, 2, 5, 12]), st.integers(1, 3), hubs)
def test_engine_matches_brute_force_on_the_large_network_path(raw_legs, mesh, ready_h, due_days, levels, hub):
    """The bounds large networks use (static reverse searches in scipy, floors of the longest
    leg at a few levels only) keep every answer equal to brute force, best per main mode
    included: forced here on small networks."""
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as patch:
        patch.setattr(compiled_module, "SMALL_GRAPH", 0)
        patch.setattr(compiled_module, "LEVELS", levels)
        directory = _write(Path(tmp), raw_legs, mesh, None, hub)
        ready = datetime(2027, 3, 22, tzinfo=BRU).timestamp() + ready_h * 3600
        due = None if due_days is None else datetime.fromtimestamp(ready + due_days * 86400, BRU)
        c = Consignment("A", "E", 500, 1, datetime.fromtimestamp(ready, BRU), due)
        _check(directory, c)


DATED_HORIZON = 9
DATED_NODES = ["A", "B", "C", "E"]
dated_legs = st.tuples(
    st.sampled_from(DATED_NODES), st.sampled_from(DATED_NODES),
    st.sampled_from(["", "", "Mon Thu", "Tue Fri", "Sat Sun", "Wed", "daily"]),
    st.integers(0, 23), st.integers(0, 30), st.integers(1, 60), st.sampled_from([10, 50, 120, 300]),
    st.sampled_from([0, 10, 40, 100]), st.sampled_from(["road", "road", "rail", "air", "sea"]),
    st.sampled_from([100, 500, 1000, 8000]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(dated_legs, min_size=2, max_size=8),
       st.lists(st.sampled_from(DATED_NODES), max_size=3, unique=True),
       st.integers(0, 3 * 24), st.sampled_from([None, 6, 12]), calendars,
       st.dictionaries(st.integers(0, 6), st.integers(1, 8), max_size=2), hubs)
# Found by the suite: an on-demand leg closed until after the horizon (validity ended, a date
# added later) waits beyond the horizon for its cheaper day; the brute force had stopped there.
@example(raw_legs=[("A", "A", "", 0, 0, 1, 10, 0, "road", 100)] * 3
         + [("A", "E", "", 0, 0, 1, 10, 0, "road", 100)] * 2,
         mesh=[], ready_h=0, due_days=None,
         spec={"validity": [(None, None)] * 3 + [(None, 4)] + [(None, None)] * 9,
               "exceptions": [(0, 0, False), (0, 10, True)], "currencies": ["EUR"] * 13,
               "surcharges": [("percent_freight", 5, "EUR", "S0*", "")]},
         cards={}, hub=[0] * 6)
def test_engine_matches_brute_force_with_dated_prices(raw_legs, mesh, ready_h, due_days, spec, cards, hub):
    """With prices that change inside the window (rate rows ending, exchange rates, surcharge
    windows), the engine still equals brute force, which now enumerates every departure of
    every leg (a later departure may be cheaper); hubs emit as in the test above."""
    with tempfile.TemporaryDirectory() as tmp:
        directory = _write(Path(tmp), raw_legs, mesh, _calendar_extras(spec, dated=True, rate_cards=cards),
                           hub)
        ready = datetime(2027, 3, 22, tzinfo=BRU).timestamp() + ready_h * 3600
        due = None if due_days is None else datetime.fromtimestamp(ready + due_days * 86400, BRU)
        c = Consignment("A", "E", 500, 1, datetime.fromtimestamp(ready, BRU), due)
        _check(directory, c, DATED_HORIZON, every_departure=True)


FIXTURES = Path(__file__).resolve().parents[1] / "data" / "networks"


@pytest.mark.parametrize("name", ["engine_co2_tie", "engine_sequence_tie", "engine_revisit"])
def test_regression_networks_match_brute_force(name):
    """The minimal networks of the defects the independent checker found agree with brute force."""
    c = Consignment("A", "D", 500, 1, datetime(2027, 3, 22, 6, tzinfo=BRU))
    _check(FIXTURES / name, c)


def test_a_complete_label_is_not_kept_for_what_leaving_the_destination_would_cost():
    """Regression (found by the dated brute force): a later arrival at the destination, as cheap
    and as clean, is dominated even when an on-demand leg leaving the destination costs more at
    the earlier instant (a surcharge window): a label at the destination is never expanded."""
    raw_legs = [("A", "E", "", 0, 0, 21, 10, 0, "road", 100), ("A", "E", "", 0, 0, 1, 10, 0, "road", 100),
                ("E", "A", "", 0, 0, 1, 10, 0, "road", 100)]
    spec = {"validity": [(None, None), (2, None)] + [(None, None)] * 11, "exceptions": [],
            "currencies": ["EUR"] * 13, "surcharges": [("percent_freight", 5, "EUR", "S0*", "")]}
    with tempfile.TemporaryDirectory() as tmp:
        directory = _write(Path(tmp), raw_legs, [], _calendar_extras(spec, dated=True), [0] * len(NODES))
        c = Consignment("A", "E", 500, 1, datetime(2027, 3, 22, tzinfo=BRU))
        _check(directory, c, DATED_HORIZON, every_departure=True)


# --- the on-time search (issue 16) ----------------------------------------------------------------

ON_TIME_DRAWS = 200
reliability_rules = st.lists(st.tuples(
    st.sampled_from(["S0*", "S1*", "M-*", ""]), st.sampled_from(["", "road", "rail", "sea", "air"]),
    st.sampled_from(["late_mean", "quantiles"]), st.sampled_from([0.3, 0.6, 0.9]),
    st.integers(0, 12), st.integers(1, 60), st.sampled_from([0, 0, 0.1, 0.3])), min_size=1, max_size=3)


def _reliability_extras(spec, rules, cards=()):
    """`_calendar_extras` with a reliability.csv of `rules` (patterns that select nothing dropped)."""
    calendar = _calendar_extras(spec, dated=True, rate_cards=cards)

    def extras(services):
        out, files = calendar(services)
        ids = [r["id"] for r in out]
        rows = []
        for k, (pattern, mode, form, share, window, late, roll) in enumerate(rules):
            if pattern and not fnmatch.filter(ids, pattern):
                pattern = ""
            if not pattern and not mode:
                mode = "road"
            row = {"id": f"R{k}", "service": pattern, "mode": mode, "form": form,
                   "on_time_share": share, "window_h": window, "rollover_share": roll}
            if form == "late_mean":
                row["late_mean_h"] = window + late
            else:
                row |= {"p50_h": window if share < 0.5 else window * share,
                        "p90_h": window + late}
                if share >= 0.5:  # the on-time point must lie between the quantiles
                    row |= {"on_time_share": "", "window_h": ""}
            rows.append(row)
        rows.append({"id": "SPREAD", "location": "B", "form": "quantiles", "p50_h": 1, "p90_h": 5})
        files["reliability"] = rows
        return out, files

    return extras


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(dated_legs, min_size=2, max_size=7),
       st.lists(st.sampled_from(DATED_NODES), max_size=3, unique=True),
       st.integers(0, 3 * 24), st.sampled_from([4, 6, 9]), calendars,
       st.dictionaries(st.integers(0, 6), st.integers(1, 8), max_size=2), reliability_rules,
       st.sampled_from([0.3, 0.6, 0.8, 0.95]), st.sampled_from([0.0, 300.0]),
       st.sampled_from([Objective.COST, Objective.TIME, Objective.BALANCED]))
def test_on_time_search_matches_brute_force(raw_legs, mesh, ready_h, due_days, spec, cards, rules,
                                            target, per_day_late, objective):
    """The best itinerary on time with probability ≥ P (and, under balanced, with lateness
    priced) equals brute force over every departure of every leg of every simple path, each
    simulated on the same draws; dated prices make later departures of one sequence cheaper."""
    with tempfile.TemporaryDirectory() as tmp:
        directory = _write(Path(tmp), raw_legs, mesh, _reliability_extras(spec, rules, cards))
        net = load_network(directory)
        ready = datetime(2027, 3, 22, tzinfo=BRU).timestamp() + ready_h * 3600
        c = Consignment("A", "E", 500, 1, datetime.fromtimestamp(ready, BRU),
                        datetime.fromtimestamp(ready + due_days * 86400, BRU))
        late = per_day_late if objective is Objective.BALANCED else 0.0
        goal = OnTimeGoal(target, late, draws=ON_TIME_DRAWS)
        options = SearchOptions(objective=objective, weights=WEIGHTS, horizon_days=DATED_HORIZON)
        truth = _itineraries(directory, net, c, DATED_HORIZON, every_departure=True)
        sim = Simulator(net, ON_TIME_DRAWS)
        legs = [tuple((net.services[sid], t) for sid, t in r["seq"]) for r in truth]
        samples = sim.run(legs)
        key = _order(objective, ready)
        due = to_seconds(c.due)
        ranked = []
        for r, sample in zip(truth, samples, strict=True):
            if sample.on_time(due) < target:
                continue
            base = key(r)
            penalty = late * 1e6 * sample.days_late(due)
            ranked.append(((base[0][0] + penalty, *base[0][1:]), base[1], base[2], r))
        ranked.sort(key=lambda x: x[:3])
        result = search_on_time(net, c, options, goal, sim)
        assert result.proven
        if not ranked:
            assert not result.found
            return
        assert result.found, (ranked[0][3], target)
        assert _engine(result.found[0].itinerary) == _truth(ranked[0][3])
        verify_itinerary(RawNetwork(directory), result.found[0].itinerary, DATED_HORIZON)

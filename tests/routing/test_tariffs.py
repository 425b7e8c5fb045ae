"""The one pricing function (routing.tariffs.leg_price_at): rate rows in force, FX of the
departure's date, surcharges of every kind, LCL or FCL all-in, validity and estimates; the
engine's vectorised table gives the same figures to the last bit."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from network import load_network
from network.fx import FxError
from network.timetable import to_seconds
from routing.compiled import compiled, micro
from routing.consignment import Consignment
from routing.costing import leg_price
from routing.price_window import PriceWindow
from routing.search import SearchOptions, best_itineraries
from routing.tariffs import leg_price_at, leg_prices_at, price_changes, price_with, terms_at
from tests.builders import location, service, write_network
from tests.verifier import RawNetwork, verify_itinerary

BRU = ZoneInfo("Europe/Brussels")
SHA = ZoneInfo("Asia/Shanghai")
NETWORKS = Path(__file__).resolve().parents[1] / "data" / "networks"


def _at(y: int, m: int, d: int, h: int = 10, tz: ZoneInfo = BRU) -> float:
    return to_seconds(datetime(y, m, d, h, tzinfo=tz))


@pytest.fixture(scope="module")
def dated(tmp_path_factory):
    """TRAIN in USD with two rate rows (a July price cut), a CNY truck, surcharges of each kind."""
    directory = tmp_path_factory.mktemp("tariffs")
    services = [
        service("TRAIN", "A", "B", days="daily", departure="10:00", mode="rail", currency="USD",
                eur_fixed=100, eur_per_kg=0.5, eur_min=150, container_eur=3000, container_m3=67,
                container_kg=21000, kg_per_m3=333, valid_to="2026-06-30", corridors="PL-BY-border",
                source="estimate: test"),
        service("TRAIN", "A", "B", days="daily", departure="10:00", mode="rail", currency="USD",
                eur_fixed=100, eur_per_kg=0.4, eur_min=150, container_eur=2800, container_m3=67,
                container_kg=21000, kg_per_m3=333, valid_from="2026-07-01", corridors="PL-BY-border",
                source="rate card 2026H2"),
        service("TRUCK", "B", "C", currency="CNY", eur_fixed=200, eur_per_tkm=0.5, eur_min=300,
                distance_km=900, kg_per_m3=333, source="CFLP"),
        service("PLAIN", "A", "C", eur_fixed=42, distance_km=50, mode="sea"),
    ]
    fx = [{"date": "2026-01-01", "currency": "USD", "per_eur": "1.25"},
          {"date": "2026-07-01", "currency": "USD", "per_eur": "1.10"},
          {"date": "2026-01-01", "currency": "CNY", "per_eur": "8.0"}]
    surcharges = [
        {"id": "BAF", "mode": "rail", "kind": "percent_freight", "amount": "10", "valid_from": "2026-03-01",
         "valid_to": "2026-09-30", "source": "estimate: fuel"},
        {"id": "ETS", "corridor": "PL-BY-border", "kind": "per_container", "amount": "113",
         "currency": "USD"},
        {"id": "PEAK", "service": "TR*", "kind": "per_chargeable_kg", "amount": "0.1", "currency": "EUR",
         "valid_from": "2026-11-01", "valid_to": "2026-12-15"},
        {"id": "DOC", "operator": "op", "mode": "road", "kind": "per_consignment", "amount": "80",
         "currency": "CNY"},
    ]
    return write_network(directory, [location("A"), location("B", tz="Asia/Shanghai", country="CN"),
                                     location("C", tz="Asia/Shanghai", country="CN")],
                         services, fx=fx, surcharges=surcharges)


def test_rate_row_fx_and_surcharges_by_departure_date(dated):
    """Each part of the price follows the departure's local date."""
    net = load_network(dated)
    train = net.services["TRAIN"]
    feb = leg_price_at(net, train, 800, 3.5, _at(2026, 2, 10))  # row 1, USD 1.25, no surcharge
    kg = max(800, 3.5 * 333)
    assert feb.eur == pytest.approx(max(150, 100 + 0.5 * kg) / 1.25)
    assert feb.surcharges == () and feb.rate_valid_to == date(2026, 6, 30)
    assert feb.valid_until == date(2026, 6, 30) and feb.estimate
    assert [(r.currency, r.per_eur) for r in feb.rates] == [("USD", 1.25)]
    aug = leg_price_at(net, train, 800, 3.5, _at(2026, 8, 10))  # row 2, USD 1.10, BAF 10 %
    freight = max(150, 100 + 0.4 * kg) / 1.10
    assert aug.freight_eur == pytest.approx(freight)
    assert aug.eur == pytest.approx(freight * 1.10)
    assert [s.id for s in aug.surcharges] == ["BAF"]  # ETS is per container: not on loose cargo
    assert aug.valid_until == date(2026, 9, 30) and aug.estimate  # the BAF is an estimate
    dec = leg_price_at(net, train, 800, 3.5, _at(2026, 12, 1))  # PEAK per chargeable kg
    assert dec.eur == pytest.approx(max(150, 100 + 0.4 * kg) / 1.10 + 0.1 * kg)
    assert dec.valid_until == date(2026, 12, 15) and not dec.estimate


def test_whole_containers_win_when_cheaper_all_in(dated):
    """FCL all-in (with its per-container surcharge) against LCL all-in."""
    net = load_network(dated)
    p = leg_price_at(net, net.services["TRAIN"], 20000, 60, _at(2026, 12, 1))
    fcl = 2800 / 1.10 + 113 / 1.10
    assert p.basis == "FCL" and p.containers == 1
    assert p.eur == pytest.approx(fcl)


def test_local_date_at_the_origin_decides(dated):
    """A departure at 00:30 in Shanghai on 1 July is a 1 July departure there (30 June in UTC)."""
    net = load_network(dated)
    truck = net.services["TRUCK"]
    p = leg_price_at(net, truck, 800, 3.5, to_seconds(datetime(2026, 7, 1, 0, 30, tzinfo=SHA)))
    assert p.day == date(2026, 7, 1)
    kg = max(800, 3.5 * 333)
    assert p.eur == pytest.approx(max(300, 200 + 0.5 * kg / 1000 * 900) / 8.0 + 80 / 8.0)


def test_before_the_first_rate_is_a_usage_error(dated):
    """No rate on or before the day: FxError (an InputError, exit 2) naming the currency."""
    net = load_network(dated)
    with pytest.raises(FxError, match=r"no USD exchange rate on or before 2025-12-31"):
        leg_price_at(net, net.services["TRAIN"], 800, 3.5, _at(2025, 12, 31))
    c = Consignment("A", "B", 800, 3.5, datetime(2025, 11, 1, 9, tzinfo=BRU))
    with pytest.raises(FxError):
        best_itineraries(net, c, SearchOptions(horizon_days=10))


def test_plain_eur_services_keep_the_undated_arithmetic(dated):
    """A service in EUR with one row and no surcharge costs what costing.leg_price says."""
    net = load_network(dated)
    plain = net.services["PLAIN"]
    assert price_changes(net, plain) is None
    assert leg_price_at(net, plain, 800, 3.5, _at(2026, 5, 1)).eur == leg_price(plain, 800, 3.5).eur


def test_vectorised_table_equals_the_pricing_function():
    """The engine's table under a window's terms equals leg_price_at to the micro-euro, for random
    weights and volumes on the default network and on the dated fixture network."""
    rng = random.Random(4)
    for net in (load_network(), load_network(NETWORKS / "valid_dated")):
        cn = compiled(net)
        for _ in range(20):
            w, v = rng.uniform(1, 30000), rng.uniform(0.01, 80)
            ready = _at(2026, rng.randint(1, 12), rng.randint(1, 28))
            window = PriceWindow(net, cn, w, v, ready, ready + 3 * 86400)
            table = cn.prices(w, v, window.terms)
            for si, s in enumerate(cn.services):
                if si in window.dated:
                    continue
                assert table.cost[si] == micro(leg_price_at(net, s, w, v, ready).eur), (s.id, w, v)
                assert window.price_micro(si) == table.cost[si]


def test_array_prices_equal_scalar_prices(dated):
    """compare's break-even search prices arrays of weights with the same arithmetic."""
    net = load_network(dated)
    weights = np.geomspace(1, 200000, 50)
    volumes = weights / 300
    for sid in ("TRAIN", "TRUCK", "PLAIN"):
        s = net.services[sid]
        got = leg_prices_at(net, s, weights, volumes, _at(2026, 8, 3))
        want = [leg_price_at(net, s, w, v, _at(2026, 8, 3)).eur
                for w, v in zip(weights, volumes, strict=True)]
        assert got.tolist() == want


def test_the_engine_waits_for_a_cheaper_dated_departure(dated):
    """On 28 Jun the train costs the old row at USD 1.25; from 1 Jul the cheaper row at USD 1.10
    (and the BAF): the cost objective takes the July departure, pareto keeps both, and both
    verify against the raw rows."""
    net = load_network(dated)
    raw = RawNetwork(dated)
    c = Consignment("A", "B", 800, 3.5, datetime(2026, 6, 28, 9, tzinfo=BRU))
    best = best_itineraries(net, c, SearchOptions(horizon_days=10)).itineraries[0]
    assert best.depart.date() == date(2026, 7, 1)
    verify_itinerary(raw, best, 10)
    from routing.search import pareto_itineraries

    front = pareto_itineraries(net, c, SearchOptions(horizon_days=10)).itineraries
    assert [it.depart.date() for it in front] == [date(2026, 7, 1), date(2026, 6, 28)]
    for it in front:
        verify_itinerary(raw, it, 10)
    terms = terms_at(net, net.services["TRAIN"], date(2026, 7, 1))
    assert best.legs[0].cost_eur == price_with(terms, 800, 3.5).eur


def test_time_objective_and_alternatives_with_dated_prices(dated):
    """The fastest itinerary leaves first even when a later one is cheaper; two days later the
    price changes are outside a one-day horizon and the table prices the train."""
    net = load_network(dated)
    c = Consignment("A", "B", 800, 3.5, datetime(2026, 6, 28, 9, tzinfo=BRU))
    from routing.objectives import Objective

    fast = best_itineraries(net, c, SearchOptions(objective=Objective.TIME, horizon_days=10)).itineraries
    assert fast[0].depart.date() == date(2026, 6, 28)
    later = Consignment("A", "B", 800, 3.5, datetime(2026, 7, 2, 9, tzinfo=BRU))
    window = PriceWindow(net, compiled(net), 800, 3.5, to_seconds(later.ready),
                         to_seconds(later.ready + timedelta(days=1)))
    assert compiled(net).service_index["TRAIN"] in window.terms
    assert compiled(net).service_index["TRAIN"] not in window.dated


def test_terms_are_remembered_per_network_not_pickled_and_bounded(dated, monkeypatch):
    """terms_at answers a repeated (service, day) from its memo with what it computed; the memo
    does not travel with a pickled network, and past its bound it starts again, same answers."""
    import pickle

    import sweep.work  # noqa: F401  (how a sweep pickles a network: its read-only mappings)
    from routing import tariffs

    net = load_network(dated)
    train = net.services["TRAIN"]
    first = terms_at(net, train, date(2026, 8, 3))
    assert terms_at(net, train, date(2026, 8, 3)) is first
    assert first == tariffs._terms_on(net, train, date(2026, 8, 3))
    assert "_terms_memo" not in pickle.loads(pickle.dumps(net)).__dict__
    monkeypatch.setattr(tariffs, "TERMS_MEMO", 2)
    days = [date(2026, 1, 5) + timedelta(days=7 * k) for k in range(10)]
    for day in days + days:
        for sid in ("TRAIN", "TRUCK"):
            s = net.services[sid]
            assert terms_at(net, s, day) == tariffs._terms_on(net, s, day)
    assert len(net.__dict__["_terms_memo"]) <= 2


@pytest.mark.parametrize("all_at_once", [False, True])
def test_windows_share_their_layout_but_price_their_own_consignment(dated, all_at_once):
    """Windows on the same local days share which services are dated and where their stretches
    begin; each still prices its own weight and volume at every stretch (leg_price_at), one
    stretch at a time or all at once (vectorised, as the search's bounds ask)."""
    net = load_network(dated)
    cn = compiled(net)
    rng = random.Random(7)
    for _ in range(30):
        w, v = rng.uniform(1, 30000), rng.uniform(0.01, 80)
        ready = _at(2026, 6, rng.choice([20, 27]), rng.randint(0, 23))
        window = PriceWindow(net, cn, w, v, ready, ready + 20 * 86400)
        assert window.dated, "the July rate row and FX change fall inside the window"
        if all_at_once:
            window.price_all()
        for si, costs in window.dated.items():
            s = cn.services[si]
            for instant in (ready, *costs.starts):
                assert costs.cost(instant) == micro(leg_price_at(net, s, w, v, instant).eur), (s.id, w, v)


def test_every_stretch_priced_at_once_is_what_the_pricing_function_gives():
    """On the default network (prices in USD and CNY, monthly rates), the vectorised stretch
    prices of 56-day windows equal leg_price_at at each stretch, for random consignments."""
    net = load_network()
    cn = compiled(net)
    rng = random.Random(11)
    checked = 0
    for _ in range(25):
        w, v = rng.uniform(1, 30000), rng.uniform(0.01, 80)
        ready = _at(2026, rng.randint(1, 10), rng.randint(1, 28), rng.randint(0, 23))
        window = PriceWindow(net, cn, w, v, ready, ready + 56 * 86400)
        window.price_all()
        for si, costs in window.dated.items():
            s = cn.services[si]
            for k, instant in enumerate((ready, *costs.starts)):
                assert costs._stretch[k] == micro(leg_price_at(net, s, w, v, instant).eur), (s.id, w, v)
                checked += 1
    assert checked > 500

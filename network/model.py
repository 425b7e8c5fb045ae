"""Typed, immutable model of a multimodal freight network.

Every object validates itself in `__post_init__` and raises `InvalidFieldsError`
naming each bad field, so a model object that exists is a valid one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, time
from functools import cache, cached_property
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from network.calendar import ALWAYS, Calendar, Schedule
from network.columns import CORRIDOR_KINDS, GOODS_CLASSES, KINDS, MODES, RANGES
from network.errors import InvalidFieldsError
from network.fx import EUR, NO_FX, FxTable, currency_problem
from network.reliability import NO_RELIABILITY, Reliability
from network.surcharges import Surcharge, is_estimate
from routing.limits import range_text

ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")
TAG_PATTERN = ID_PATTERN  # corridor tags
COUNTRY_PATTERN = re.compile(r"^[A-Z]{2}$")

Errors = list[tuple[str, str]]


@cache
def zone(name: str) -> ZoneInfo:
    """The IANA time zone `name`; raises `ValueError` for an unknown zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        # OSError: a key naming a directory of the zone database ("Europe") or far too long.
        raise ValueError(f"unknown time zone {name!r}") from exc


def _check_id(errors: Errors, name: str, value: str) -> None:
    if not ID_PATTERN.match(value):
        errors.append((name, f"{value!r} is not a valid id (letters, digits, '_' and '-')"))


def range_problem(value: float, column: str, shown: str | None = None) -> str | None:
    """Why `value` does not fit `column`'s physical range (network.columns.RANGES), or None.

    `shown` is the value as the user wrote it (a CSV cell), echoed in the message.
    """
    low, high, unit = RANGES[column]
    text = shown if shown is not None else f"{value:g}"
    if math.isnan(value) or math.isinf(value):
        return f"{text} is not a finite number (allowed: {range_text(low, high, unit)})"
    if value < 0 <= low:
        return f"{text} is negative (allowed: {range_text(low, high, unit)})"
    if not low <= value <= high:
        return f"{text} is outside {range_text(low, high, unit)}"
    return None


def _check_ranges(errors: Errors, obj: object, *names: str, columns: Mapping[str, str] | None = None) -> None:
    """Check each numeric field against its column's range (`columns` maps field -> column)."""
    for name in names:
        value = getattr(obj, name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            errors.append((name, f"{value!r} is not a number"))
            continue
        problem = range_problem(float(value), (columns or {}).get(name, name))
        if problem is not None:
            errors.append((name, problem))


# A split (tank-to-wheel + well-to-tank) may differ from its well-to-wheel total by float noise only.
SPLIT_TOLERANCE = 1e-6


def check_split(errors: Errors, total_name: str, total: float, ttw_name: str, ttw: float | None,
                wtt_name: str, wtt: float | None) -> None:
    """Record why the split (`ttw`, `wtt`) of an emission figure `total` (well-to-wheel) is not
    usable: one part without the other, or parts that do not add up to the total."""
    if (ttw is None) != (wtt is None):
        given, missing = (ttw_name, wtt_name) if wtt is None else (wtt_name, ttw_name)
        errors.append((missing, f"is empty while {given} is given (give both parts of the split, "
                                "or neither)"))
        return
    if ttw is None or wtt is None or not all(isinstance(x, (int, float)) for x in (total, ttw, wtt)):
        return
    if abs(ttw + wtt - total) > SPLIT_TOLERANCE * max(1.0, abs(total)):
        errors.append((total_name, f"{total:g} is not {ttw_name} + {wtt_name} = {ttw:g} + {wtt:g} = "
                                   f"{ttw + wtt:g} (well-to-wheel = tank-to-wheel + well-to-tank)"))


def split_part(total_kg: float, part_per_unit: float | None, total_per_unit: float) -> float | None:
    """The share of `total_kg` that a part of a split emission factor makes up (None when a
    non-zero factor has no split): `total_kg × part / total`, so the parts of one figure add up
    to it."""
    if total_per_unit == 0:
        return 0.0  # nothing emitted: nothing to split
    if part_per_unit is None:
        return None
    return total_kg * part_per_unit / total_per_unit


def _raise_if(owner: str, errors: Errors) -> None:
    if errors:
        raise InvalidFieldsError(owner, errors)


@dataclass(frozen=True)
class Location:
    """A place where cargo starts, ends or changes service."""

    id: str
    name: str
    kind: str
    country: str
    lat: float
    lon: float
    tz: str
    handling_h: float = 0.0
    handling_eur: float = 0.0
    handling_eur_per_kg: float = 0.0
    source: str = ""
    as_of: str = ""
    # Emissions of handling a tonne here when cargo changes service (GLEC hub factors), well to
    # wheel, and its split into tank-to-wheel and well-to-tank (None: not split).
    hub_co2e_kg_per_t: float = 0.0
    hub_co2e_ttw_kg_per_t: float | None = None
    hub_co2e_wtt_kg_per_t: float | None = None

    def __post_init__(self) -> None:
        errors: Errors = []
        _check_id(errors, "id", self.id)
        if not self.name.strip():
            errors.append(("name", "is empty"))
        if self.kind not in KINDS:
            errors.append(("kind", f"unknown kind {self.kind!r} (expected one of {', '.join(KINDS)})"))
        if not COUNTRY_PATTERN.match(self.country):
            errors.append(("country", f"{self.country!r} is not an ISO 3166 alpha-2 code"))
        _check_ranges(errors, self, "lat", "lon", "handling_h", "handling_eur", "handling_eur_per_kg",
                      "hub_co2e_kg_per_t", "hub_co2e_ttw_kg_per_t", "hub_co2e_wtt_kg_per_t")
        check_split(errors, "hub_co2e_kg_per_t", self.hub_co2e_kg_per_t, "hub_co2e_ttw_kg_per_t",
                    self.hub_co2e_ttw_kg_per_t, "hub_co2e_wtt_kg_per_t", self.hub_co2e_wtt_kg_per_t)
        try:
            zone(self.tz)
        except ValueError as exc:
            errors.append(("tz", str(exc)))
        _raise_if(f"location {self.id!r}", errors)

    @property
    def zone(self) -> ZoneInfo:
        """The location's time zone."""
        return zone(self.tz)

    def handling_cost_eur(self, weight_kg: float) -> float:
        """What changing service here costs a consignment of `weight_kg` actual weight."""
        return self.handling_eur + self.handling_eur_per_kg * weight_kg

    def handling_co2e_kg(self, weight_kg: float) -> float:
        """What changing service here emits for `weight_kg` actual weight (well to wheel), kg."""
        return weight_kg / 1000.0 * self.hub_co2e_kg_per_t


_CONTAINER_COLUMNS = {"eur": "container_eur", "m3": "container_m3", "kg": "container_kg"}


@dataclass(frozen=True)
class Container:
    """A whole unit a service sells at a flat price (a 40' box, a full truck)."""

    eur: float
    m3: float
    kg: float

    def __post_init__(self) -> None:
        errors: Errors = []
        _check_ranges(errors, self, "eur", "m3", "kg", columns=_CONTAINER_COLUMNS)
        _raise_if("container", errors)

    def count_for(self, weight_kg: float, volume_m3: float) -> int:
        """The fewest containers that hold both the weight and the volume."""
        # A tiny tolerance keeps 67.0000000001 m³ (float noise) from buying a second box.
        eps = 1e-9
        return max(1, math.ceil(weight_kg / self.kg - eps), math.ceil(volume_m3 / self.m3 - eps))


@dataclass(frozen=True)
class Service:
    """A leg between two locations: timetabled (weekly days and a departure time) or on demand."""

    id: str
    origin: str
    destination: str
    mode: str
    operator: str
    distance_km: float
    duration_h: float
    days: frozenset[int] = frozenset()
    departure: time | None = None
    cutoff_h: float = 0.0
    capacity_kg: float | None = None
    capacity_m3: float | None = None
    kg_per_m3: float = 0.0
    eur_fixed: float = 0.0
    eur_per_kg: float = 0.0
    eur_per_tkm: float = 0.0
    eur_min: float = 0.0
    container: Container | None = None
    co2e_g_per_tkm: float = 0.0
    goods: frozenset[str] = frozenset()
    source: str = ""
    as_of: str = ""
    origin_tz: str = "UTC"  # the origin location's zone, in which `departure` is read
    # Prices (eur_* and container_eur columns) are amounts in `currency`; `valid_from` and
    # `valid_to` bound this rate row (inclusive local dates at the origin, None = open).
    currency: str = EUR
    valid_from: date | None = None
    valid_to: date | None = None
    corridors: frozenset[str] = frozenset()  # tags of what the service passes (borders, straits)
    calendar: Calendar = ALWAYS  # when it may leave: see network.calendar
    variant_of: str = ""  # the service a scenario's dated change split this one from
    # The split of co2e_g_per_tkm (well to wheel) into tank-to-wheel and well-to-tank (None: not
    # split), and the distance added for emissions to a flight measured great circle (GLEC).
    co2e_ttw_g_per_tkm: float | None = None
    co2e_wtt_g_per_tkm: float | None = None
    co2e_distance_add_km: float = 0.0

    def __post_init__(self) -> None:
        errors: Errors = []
        _check_id(errors, "id", self.id)
        if self.variant_of:
            _check_id(errors, "variant_of", self.variant_of)
        _check_id(errors, "origin", self.origin)
        _check_id(errors, "destination", self.destination)
        if self.origin == self.destination:
            errors.append(("destination", "is the same as the origin"))
        if self.mode not in MODES:
            errors.append(("mode", f"unknown mode {self.mode!r} (expected one of {', '.join(MODES)})"))
        _check_ranges(
            errors, self, "distance_km", "duration_h", "cutoff_h", "capacity_kg", "capacity_m3",
            "kg_per_m3", "eur_fixed", "eur_per_kg", "eur_per_tkm", "eur_min", "co2e_g_per_tkm",
            "co2e_ttw_g_per_tkm", "co2e_wtt_g_per_tkm", "co2e_distance_add_km",
        )
        check_split(errors, "co2e_g_per_tkm", self.co2e_g_per_tkm, "co2e_ttw_g_per_tkm",
                    self.co2e_ttw_g_per_tkm, "co2e_wtt_g_per_tkm", self.co2e_wtt_g_per_tkm)
        if self.co2e_distance_add_km and self.mode != "air":
            errors.append(("co2e_distance_add_km", "applies to air only (GLEC adds 95 km per flight "
                                                   "leg to a great-circle distance)"))
        if any(d not in range(7) for d in self.days):
            errors.append(("days", "weekdays must be 0 (Monday) to 6 (Sunday)"))
        if self.days and self.departure is None:
            errors.append(("departure", "is required when days are set"))
        if not self.days and self.departure is not None:
            errors.append(("days", "are required when a departure time is set"))
        if self.departure is not None and self.departure.tzinfo is not None:
            errors.append(("departure", "must be a naive local time"))
        unknown = sorted(self.goods - set(GOODS_CLASSES))
        if unknown:
            errors.append(("goods", f"unknown goods class {', '.join(unknown)} "
                                    f"(expected {', '.join(GOODS_CLASSES)})"))
        problem = currency_problem(self.currency)
        if problem is not None:
            errors.append(("currency", problem))
        if self.valid_from is not None and self.valid_to is not None and self.valid_to < self.valid_from:
            errors.append(("valid_to", f"{self.valid_to.isoformat()} is before valid_from "
                                       f"{self.valid_from.isoformat()}"))
        bad_tags = sorted(t for t in self.corridors if not TAG_PATTERN.match(t))
        if bad_tags:
            errors.append(("corridors", f"{bad_tags[0]!r} is not a corridor tag (letters, digits, '_', '-')"))
        _raise_if(f"service {self.id!r}", errors)
        if self.calendar.is_always and (self.valid_from is not None or self.valid_to is not None):
            # A single rate row: its validity is the service's (the loader passes the union of
            # every row's periods for a service with several).
            object.__setattr__(self, "calendar", Calendar(periods=((self.valid_from, self.valid_to),)))

    @property
    def is_timetabled(self) -> bool:
        """True when the service leaves at scheduled times, False when it leaves on demand."""
        return bool(self.days)

    @property
    def co2e_distance_km(self) -> float:
        """The distance emissions are computed on: `distance_km` plus the GLEC adjustment of a
        flight measured great circle (`co2e_distance_add_km`)."""
        return self.distance_km + self.co2e_distance_add_km

    @property
    def is_capacitated(self) -> bool:
        """True when a departure has a weight or volume limit."""
        return self.capacity_kg is not None or self.capacity_m3 is not None

    def accepts(self, goods: str) -> bool:
        """Whether the service carries goods of class `goods` (an empty list accepts all)."""
        return not self.goods or goods in self.goods

    def evolve(self, **changes: Any) -> Service:
        """A copy with `changes`, checking only what they can break (ids, ranges of the numbers
        changed): scenarios change thousands of services in milliseconds."""
        errors: Errors = []
        for name, value in changes.items():
            if name in _UNCHECKED:
                continue
            if name in ("id", "variant_of"):
                if value != self.id and value != self.variant_of:  # those are valid already
                    _check_id(errors, name, value)
            elif name in _SERVICE_RANGED:
                if value is not None:
                    problem = (range_problem(float(value), name) if isinstance(value, (int, float))
                               and not isinstance(value, bool) else f"{value!r} is not a number")
                    if problem is not None:
                        errors.append((name, problem))
            elif name not in _EVOLVABLE:
                raise ValueError(f"evolve cannot change {name!r}: use dataclasses.replace")
        if "valid_from" in changes or "valid_to" in changes:
            first, last = changes.get("valid_from", self.valid_from), changes.get("valid_to", self.valid_to)
            if first is not None and last is not None and last < first:
                errors.append(("valid_to", f"{last.isoformat()} is before valid_from {first.isoformat()}"))
        if errors:
            _raise_if(f"service {changes.get('id', self.id)!r}", errors)
        new = object.__new__(Service)
        fields = new.__dict__
        fields.update(self.__dict__)
        fields.pop("schedule", None)  # compiled for the old calendar
        fields.update(changes)  # plain fields: what object.__setattr__ would set
        return new

    @property
    def base_id(self) -> str:
        """The id of the service as written in services.csv (scenario variants share it)."""
        return self.variant_of or self.id

    @property
    def is_restricted(self) -> bool:
        """True when a calendar limits its departures (validity, exceptions, scenarios)."""
        return not self.calendar.is_always

    @cached_property
    def schedule(self) -> Schedule:
        """The calendar compiled for the origin's zone and the departure time."""
        return Schedule(self.calendar, zone(self.origin_tz), self.departure)

    @property
    def price_is_estimate(self) -> bool:
        """Whether the rate row's source marks it as an estimate."""
        return is_estimate(self.source)


_SERVICE_RANGED = frozenset({"duration_h", "capacity_kg", "capacity_m3", "eur_fixed", "eur_per_kg",
                             "eur_per_tkm", "eur_min"})
_EVOLVABLE = frozenset({"calendar", "container", "source", "valid_from", "valid_to"})
_UNCHECKED = frozenset({"calendar", "container", "source"})  # nothing they hold can break a service


@dataclass(frozen=True)
class AccessRule:
    """How an off-network city of `country` is joined to the network by synthesized road legs."""

    country: str
    nearest_k: int
    detour_factor: float
    speed_kmh: float
    lead_time_h: float
    eur_fixed: float
    eur_per_tkm: float
    eur_min: float
    kg_per_m3: float
    container_eur_per_km: float | None
    container_m3: float | None
    container_kg: float | None
    co2e_g_per_tkm: float
    source: str = ""
    as_of: str = ""
    currency: str = EUR  # of eur_fixed, eur_per_kg, eur_per_tkm, eur_min, container_eur_per_km and _min
    container_eur_min: float | None = None  # the least a full truck costs, whatever the distance
    co2e_ttw_g_per_tkm: float | None = None
    co2e_wtt_g_per_tkm: float | None = None
    eur_per_kg: float = 0.0  # per chargeable kg, like a service's

    def __post_init__(self) -> None:
        errors: Errors = []
        if not COUNTRY_PATTERN.match(self.country):
            errors.append(("country", f"{self.country!r} is not an ISO 3166 alpha-2 code"))
        problem = currency_problem(self.currency)
        if problem is not None:
            errors.append(("currency", problem))
        _check_ranges(
            errors, self, "nearest_k", "detour_factor", "speed_kmh", "lead_time_h", "eur_fixed",
            "eur_per_tkm", "eur_min", "kg_per_m3", "container_eur_per_km", "container_m3",
            "container_kg", "co2e_g_per_tkm", "container_eur_min", "co2e_ttw_g_per_tkm",
            "co2e_wtt_g_per_tkm", "eur_per_kg",
        )
        sizes = (self.container_eur_per_km, self.container_m3, self.container_kg)
        if any(s is None for s in sizes) and any(s is not None for s in sizes):
            errors.append(("container_eur_per_km", "container price and sizes go together"))
        if self.container_eur_min is not None and self.container_eur_per_km is None:
            errors.append(("container_eur_min", "is a full-truck minimum: it needs container_eur_per_km, "
                                                "container_m3 and container_kg"))
        check_split(errors, "co2e_g_per_tkm", self.co2e_g_per_tkm, "co2e_ttw_g_per_tkm",
                    self.co2e_ttw_g_per_tkm, "co2e_wtt_g_per_tkm", self.co2e_wtt_g_per_tkm)
        _raise_if(f"access rule {self.country!r}", errors)

    def truck_price(self, km: float) -> float | None:
        """What a full truck costs for `km` road km (in the rule's currency): the per-km price,
        at least the minimum; None when the rule sells no full trucks."""
        if self.container_eur_per_km is None:
            return None
        price = round(self.container_eur_per_km * km, 2)
        return price if self.container_eur_min is None else max(self.container_eur_min, price)


Point = tuple[float, float]


@dataclass(frozen=True)
class Corridor:
    """A named point or passage services pass (a border crossing, a strait, a cape route),
    tagged in services.csv's `corridors` column so that one line can close all of them."""

    tag: str
    name: str
    kind: str
    source: str = ""
    as_of: str = ""

    def __post_init__(self) -> None:
        errors: Errors = []
        if not TAG_PATTERN.match(self.tag):
            errors.append(("tag", f"{self.tag!r} is not a corridor tag (letters, digits, '_', '-')"))
        if not self.name.strip():
            errors.append(("name", "is empty"))
        if self.kind not in CORRIDOR_KINDS:
            errors.append(("kind", f"unknown kind {self.kind!r} "
                                   f"(expected one of {', '.join(CORRIDOR_KINDS)})"))
        _raise_if(f"corridor {self.tag!r}", errors)


@dataclass(frozen=True)
class AppliedScenario:
    """A what-if scenario applied to a network (named in every output)."""

    name: str
    file: str
    changes: int


@dataclass(frozen=True)
class Network:
    """Locations, services, their map shapes and the access rules, checked for consistency.

    `rate_cards` holds, for a service with several dated rate rows, every row in date order
    (`services` holds the first, whose calendar covers them all); `fx` the exchange rates,
    `surcharges` the surcharges, `corridors` the known corridor tags (when given, every tag a
    service carries must be one of them), `scenarios` the what-if scenarios applied,
    `reliability` the delay distributions of reliability.csv (none: every leg on schedule).
    """

    locations: Mapping[str, Location]
    services: Mapping[str, Service]
    shapes: Mapping[str, tuple[Point, ...]] = field(default_factory=dict)
    access: Mapping[str, AccessRule] = field(default_factory=dict)
    name: str = "network"
    rate_cards: Mapping[str, tuple[Service, ...]] = field(default_factory=dict)
    fx: FxTable = NO_FX
    surcharges: tuple[Surcharge, ...] = ()
    corridors: Mapping[str, Corridor] = field(default_factory=dict)
    scenarios: tuple[AppliedScenario, ...] = ()
    reliability: Reliability = NO_RELIABILITY

    def __post_init__(self) -> None:
        self._check(self.services)

    def _check(self, services: Mapping[str, Service]) -> None:
        """Check `services` (all of them, or those a derived network changed) and the rest of
        the network's cross-references; then freeze every mapping."""
        errors: Errors = []
        locations, corridors, rates = self.locations, self.corridors, self.fx.rates
        for sid, service in services.items():
            for end in (service.origin, service.destination):
                if end not in locations:
                    errors.append(("services", f"service {sid!r} uses unknown location {end!r}"))
            origin = locations.get(service.origin)
            if origin is not None and origin.tz != service.origin_tz:
                errors.append(("services", f"service {sid!r} reads its timetable in "
                                           f"{service.origin_tz}, its origin is in {origin.tz}"))
            if service.currency != EUR and service.currency not in rates:
                errors.append(("services", f"service {sid!r} is priced in {service.currency}, "
                                           "which has no exchange rate"))
            if corridors and service.corridors:
                unknown = sorted(t for t in service.corridors if t not in corridors)
                if unknown:
                    errors.append(("services", f"service {sid!r} passes unknown corridor {unknown[0]!r}"))
        for sid, rows in self.rate_cards.items():
            if (sid not in self.services or rows[0] is not self.services[sid]
                    or any(r.id != sid for r in rows)):
                errors.append(("rate_cards", f"rate card of unknown service {sid!r}"))
        for surcharge in self.surcharges:
            if surcharge.currency not in ("", EUR) and surcharge.currency not in rates:
                errors.append(("surcharges", f"surcharge {surcharge.id!r} is in {surcharge.currency}, "
                                             "which has no exchange rate"))
        for sid in self.shapes:
            if sid not in self.services:
                errors.append(("shapes", f"shape for unknown service {sid!r}"))
        _raise_if("network", errors)
        # Freeze the mappings so the network cannot change under a cached index.
        object.__setattr__(self, "locations", MappingProxyType(dict(self.locations)))
        object.__setattr__(self, "services", MappingProxyType(dict(self.services)))
        object.__setattr__(self, "shapes", MappingProxyType(dict(self.shapes)))
        object.__setattr__(self, "access", MappingProxyType(dict(self.access)))
        object.__setattr__(self, "rate_cards", MappingProxyType(dict(self.rate_cards)))
        object.__setattr__(self, "corridors", MappingProxyType(dict(self.corridors)))
        object.__setattr__(self, "surcharges", tuple(self.surcharges))
        object.__setattr__(self, "scenarios", tuple(self.scenarios))

    def derived(self, *, services: Mapping[str, Service], changed: Iterable[str],
                rate_cards: Mapping[str, tuple[Service, ...]], shapes: Mapping[str, tuple[Point, ...]],
                surcharges: tuple[Surcharge, ...], scenarios: tuple[AppliedScenario, ...]) -> Network:
        """A network like this one (valid already) with `services` (of which only those named in
        `changed` differ), rate cards, shapes, surcharges and scenarios replaced: only what
        changed is checked again, so a scenario on a large network applies in milliseconds."""
        new = object.__new__(Network)
        for name, value in (("locations", self.locations), ("services", services), ("shapes", shapes),
                            ("access", self.access), ("name", self.name), ("rate_cards", rate_cards),
                            ("fx", self.fx), ("surcharges", surcharges), ("corridors", self.corridors),
                            ("scenarios", scenarios), ("reliability", self.reliability)):
            object.__setattr__(new, name, value)
        new._check({sid: services[sid] for sid in set(changed) if sid in services})
        return new

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other

    def __getstate__(self) -> dict[str, object]:
        """What pickling sends (a sweep sends networks to its workers): the fields, not the
        memos that queries leave on the network (`routing.tariffs.terms_at`)."""
        return {name: value for name, value in self.__dict__.items() if not name.startswith("_")}

    @cached_property
    def outgoing(self) -> Mapping[str, tuple[Service, ...]]:
        """Services leaving each location, in id order (a stated, deterministic order)."""
        index: dict[str, list[Service]] = {lid: [] for lid in self.locations}
        for sid in sorted(self.services):
            service = self.services[sid]
            index[service.origin].append(service)
        return MappingProxyType({k: tuple(v) for k, v in index.items()})

    def as_of_range(self) -> tuple[str, str]:
        """The earliest and latest `as_of` stamps of the data (empty strings if none)."""
        stamps = sorted({x.as_of for x in self.locations.values() if x.as_of}
                        | {x.as_of for x in self.services.values() if x.as_of})
        return (stamps[0], stamps[-1]) if stamps else ("", "")

    def with_services(self, extra: Mapping[str, Service],
                      extra_locations: Mapping[str, Location] | None = None) -> Network:
        """A new network with `extra` services (and locations) added."""
        return replace(self, locations={**self.locations, **(extra_locations or {})},
                       services={**self.services, **extra})

    def rate_rows(self, service_id: str) -> tuple[Service, ...]:
        """Every dated rate row of a service, in date order (one for most services)."""
        rows = self.rate_cards.get(service_id)
        return rows if rows is not None else (self.services[service_id],)

    def corridor_tags(self) -> frozenset[str]:
        """Every corridor tag known or used."""
        tags = set(self.corridors)
        for service in self.services.values():
            tags |= service.corridors
        return frozenset(tags)

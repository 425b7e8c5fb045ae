"""The compiled network's static bounds: the floors of the longest leg a walk must have."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import routing.compiled as compiled_module
from network import load_network
from routing.compiled import NO_LEAD, compiled
from tests.builders import location, service, write_network

NODES = [f"N{i}" for i in range(7)]
arcs = st.lists(st.tuples(st.sampled_from(NODES), st.sampled_from(NODES),
                          st.sampled_from([10, 40, 40, 120, 900, 5000]),
                          st.sampled_from(["road", "rail", "air", "sea"])), min_size=1, max_size=25)


def _network(directory: Path, raw):
    services = [service(f"S{i:02d}", a, b, mode=mode, distance_km=km)
                for i, (a, b, km, mode) in enumerate(raw) if a != b]
    if not services:
        services = [service("S00", "N0", "N1")]
    return load_network(write_network(directory, [location(n) for n in NODES], services))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(arcs, st.integers(1, 4), st.booleans())
def test_level_floors_bound_the_exact_bottleneck_rounded_down_to_a_level(raw, levels, both_ways):
    """Large networks' floors (components per level) never exceed the exact minimax leg of every
    walk to the destination rounded down to a level (the longest level where the destination is
    out of reach), and equal it when every service also runs the other way."""
    if both_ways:
        raw = raw + [(b, a, km, mode) for a, b, km, mode in raw]
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as patch:
        patch.setattr(compiled_module, "LEVELS", levels)
        cn = compiled(_network(Path(tmp), raw))
        ascending = list(reversed(cn.level_values("general")))
        for target in range(len(cn.ids)):
            exact = cn._exact_bottlenecks("general", target)
            reachable = _reachable_to(cn, target)
            got = cn._level_floors("general", target)
            for node, value in enumerate(exact):
                if node not in reachable:
                    rounded = ascending[-1]
                else:
                    below = [level for level in ascending if level <= value]
                    rounded = below[-1] if below else NO_LEAD
                assert not got[node] > rounded, (target, node)
                if both_ways:
                    assert got[node] == rounded, (target, node)


def _reachable_to(cn, target: int) -> set[int]:
    """Locations with a walk to `target` (itself included), by a plain graph search."""
    into = cn.into("general")
    seen, stack = {target}, [target]
    while stack:
        for si in into[stack.pop()]:
            u = cn.s_from[si]
            if u not in seen:
                seen.add(u)
                stack.append(u)
    return seen

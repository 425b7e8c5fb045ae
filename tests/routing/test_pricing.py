"""The planner's pricing searches (`routing.pricing`) agree with brute force: the least-cost
itinerary under departure-dependent leg costs, and every itinerary within a threshold, on random
small networks with calendars, random costs at chosen departures and on-demand waiting instants.
"""

from __future__ import annotations

import bisect
import math
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from network import load_network
from routing.compiled import CompiledNetwork, compiled
from routing.pricing import PricingQuery, all_within, cheapest
from tests.builders import location, service, write_network
from tests.routing.test_bruteforce import _calendar_extras, _write, calendars

BRU = ZoneInfo("Europe/Brussels")
INF = math.inf
HORIZON_S = 10 * 86400.0
# Dense little networks: four places, mostly timetabled legs, so that itineraries abound.
NODES = ["A", "B", "C", "E"]
legs = st.tuples(
    st.sampled_from(NODES), st.sampled_from(NODES),
    st.sampled_from(["", "daily", "Mon Thu", "Tue Fri Sun", "daily"]),
    st.integers(0, 23), st.integers(0, 30), st.integers(1, 60), st.sampled_from([0, 10, 50]),
    st.sampled_from([0, 40]), st.sampled_from(["road", "rail", "air", "sea"]),
    st.sampled_from([100, 1000]),
)
meshes = st.lists(st.sampled_from(NODES), max_size=3, unique=True)


class RandomCosts:
    """Leg costs: a default per service, other costs at listed departures (points), waiting
    instants; and for some on-demand services a price by date (`steps`: from each instant on,
    a price of its own, until the next; the default before the first), which the points
    override."""

    def __init__(self, defaults: list[float], special: dict[tuple[int, float], float],
                 waits: dict[int, tuple[float, ...]],
                 steps: dict[int, tuple[tuple[float, ...], tuple[float, ...]]] | None = None) -> None:
        self.defaults, self.special, self._waits = defaults, special, waits
        self.steps = steps or {}
        self._points: dict[int, list[float]] = {}
        for si, t in sorted(special):
            self._points.setdefault(si, []).append(t)
        self._listed = {si: sorted({*self._points.get(si, ()), *self.steps.get(si, ((), ()))[0]})
                        for si in {*self._points, *self.steps}}

    def cost(self, si: int, depart: float) -> float:
        found = self.special.get((si, depart))
        if found is not None:
            return found
        if si in self.steps:
            times, values = self.steps[si]
            k = bisect.bisect_right(times, depart)
            return values[k - 1] if k else self.defaults[si]
        return self.defaults[si]

    def listed(self, si: int) -> list[float]:
        return self._listed.get(si, [])

    def default(self, si: int) -> float:
        steps = self.steps.get(si)
        return steps[1][-1] if steps else self.defaults[si]  # after the last listed instant

    def points(self, si: int) -> list[float]:
        return self._points.get(si, [])

    def waits(self, si: int, after: float) -> list[float]:
        times = self.steps[si][0] if si in self.steps else self._waits.get(si, ())
        return [t for t in times if t > after]


def _departures(cn: CompiledNetwork, si: int, available: float, horizon_end: float,
                costs: RandomCosts) -> list[float]:
    """Every departure the pricing semantics allow (timetabled: all in the horizon)."""
    if cn.timetabled[si]:
        out, t = [], cn.next_departure(si, available + cn.cut_s[si], horizon_end)
        while t is not None:
            out.append(t)
            t = cn.next_departure(si, t + 1.0, horizon_end)
        return out
    first = cn.open_from(si, available)
    if first is None:
        return []
    out = [first]
    for w in costs.waits(si, first):
        leave = cn.open_from(si, w)
        if leave is None:
            break
        if leave > out[-1]:
            out.append(leave)
    return out


def _every(cn: CompiledNetwork, q: PricingQuery, costs: RandomCosts) -> list[tuple[float, tuple]]:
    """(total cost, legs) of every itinerary (no location twice) arriving by the due date."""
    out_of = cn.out(q.goods)
    found: list[tuple[float, tuple]] = []

    def walk(node: int, time: float, cost: float, path: tuple, seen: frozenset[int]) -> None:
        if node == q.target:
            found.append((cost + q.per_second * (time - q.ready), path))
            return
        first = not path
        available = time if first else time + cn.handling_s[node]
        base = cost if first else cost + q.handling[node]
        for si in out_of[node]:
            nxt = cn.s_to[si]
            if si in q.excluded or nxt in seen:
                continue
            for depart in _departures(cn, si, available, q.horizon_end, costs):
                arrive = depart + cn.dur_s[si]
                if arrive <= q.due:
                    walk(nxt, arrive, base + costs.cost(si, depart), (*path, (si, depart)), seen | {nxt})

    walk(q.origin, q.ready, 0.0, (), frozenset({q.origin}))
    return found


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(legs, min_size=3, max_size=10), meshes, st.integers(0, 5 * 24), calendars,
       st.sampled_from([None, 3, 8]), st.sampled_from([0.0, 1e-4]), st.randoms(use_true_random=False))
def test_pricing_searches_match_brute_force(raw_legs, mesh, ready_h, spec, due_days, per_second, rnd):
    """`cheapest` finds the least total cost of all itineraries, and `all_within` exactly those
    within a threshold (each at every departure), under random departure-dependent costs."""
    with tempfile.TemporaryDirectory() as tmp:
        net = load_network(_write(Path(tmp), raw_legs, mesh, _calendar_extras(spec)))
    cn = compiled(net)
    ready = datetime(2027, 3, 22, tzinfo=BRU).timestamp() + ready_h * 3600.0
    horizon_end = ready + HORIZON_S
    due = INF if due_days is None else ready + due_days * 86400.0
    n = len(cn.services)
    defaults = [rnd.choice([0.0, 20.0, 40.0, 60.0]) for _ in range(n)]
    special: dict[tuple[int, float], float] = {}
    waits: dict[int, tuple[float, ...]] = {}
    steps: dict[int, tuple[tuple[float, ...], tuple[float, ...]]] = {}
    for si in range(n):
        if cn.timetabled[si]:
            times = _departures(cn, si, ready, horizon_end, RandomCosts(defaults, {}, {}))
            for t in rnd.sample(times, min(len(times), 6)):
                special[(si, t)] = rnd.choice([0.0, 1.0, 15.0, 100.0])
        elif rnd.random() < 0.5:
            instants = sorted({ready + rnd.randint(0, 200) * 3600.0 for _ in range(3)})
            if rnd.random() < 0.5:  # a price by date: waiting for a change may pay
                steps[si] = (tuple(instants), tuple(rnd.choice([0.0, 2.0, 30.0]) for _ in instants))
                continue
            waits[si] = tuple(instants)
            for t in instants:
                leave = cn.open_from(si, t)
                if leave is not None:
                    special[(si, leave)] = rnd.choice([0.0, 2.0, 30.0])
    handling = [rnd.choice([0.0, 3.0]) for _ in cn.ids]
    # Costs at instants when cargo that took a train's first departure, then on-demand legs,
    # can leave on an on-demand leg (a dual price of that departure): arriving at another
    # instant, earlier or later, avoids them.
    there: dict[int, set[float]] = {v: set() for v in range(len(cn.ids))}
    for sj in range(n):
        first = cn.next_departure(sj, ready, horizon_end) if cn.timetabled[sj] else None
        if first is not None:
            there[cn.s_to[sj]].add(first + cn.dur_s[sj] + cn.handling_s[cn.s_to[sj]])
    for _ in range(2):
        for sk in range(n):
            if not cn.timetabled[sk]:
                for t in sorted(there[cn.s_from[sk]]):
                    leave = cn.open_from(sk, t)
                    if leave is not None:
                        there[cn.s_to[sk]].add(leave + cn.dur_s[sk] + cn.handling_s[cn.s_to[sk]])
    for si in range(n):
        if not cn.timetabled[si] and rnd.random() < 0.5:
            for t in rnd.sample(sorted(there[cn.s_from[si]]), min(2, len(there[cn.s_from[si]]))):
                leave = cn.open_from(si, t)
                if leave is not None:
                    special[(si, leave)] = defaults[si] + rnd.choice([2.0, 30.0])
    costs = RandomCosts(defaults, special, waits, steps)
    for origin in ("A", "B"):
        q = PricingQuery(cn.index[origin], cn.index["E"], ready, horizon_end, due, "general",
                         frozenset(), handling, per_second)
        truth = _every(cn, q, costs)
        found = cheapest(cn, q, costs)
        if not truth:
            assert found is None
            continue
        best = min(cost for cost, _ in truth)
        assert found is not None
        assert math.isclose(found.value, best, rel_tol=1e-9, abs_tol=1e-9)
        threshold = best + rnd.choice([0.0, 10.0, 50.0])
        within = all_within(cn, q, costs, threshold, 10_000)
        assert within is not None
        expected = sorted(path for cost, path in truth if cost <= threshold + 1e-9)
        assert sorted(p.legs for p in within) == expected


# The hand-made networks below: a free daily train out of A at 10:00 (2 h) and free on-demand
# trucks (1 h each), searched from A to E at READY; arriving later, by the SECOND_TRAIN, is what
# makes the last truck free.
READY = datetime(2027, 3, 22, 8, tzinfo=BRU)
SECOND_TRAIN = datetime(2027, 3, 23, 10, tzinfo=BRU).timestamp()


def _train_then_trucks(tmp_path: Path, places: str, to: str,
                       trucks: list[tuple[str, str, str]]) -> tuple[CompiledNetwork, PricingQuery]:
    """The network of a train A → `to` and the on-demand `trucks` (id, from, to), and its query."""
    net = load_network(write_network(tmp_path, [location(n) for n in places], [
        service("TRAIN", "A", to, mode="rail", days="daily", departure="10:00", duration_h=2),
        *(service(sid, a, b, duration_h=1) for sid, a, b in trucks)]))
    cn = compiled(net)
    ready = READY.timestamp()
    return cn, PricingQuery(cn.index["A"], cn.index["E"], ready, ready + HORIZON_S, INF, "general",
                            frozenset(), [0.0] * len(cn.ids), 0.0)


def _takes_the_second_train(cn: CompiledNetwork, q: PricingQuery, costs: RandomCosts) -> tuple:
    """The legs of the cheapest itinerary, checked to cost nothing (as brute force says) and to
    leave on the second train."""
    found = cheapest(cn, q, costs)
    assert found is not None and found.value == 0.0
    assert found.legs[0] == (cn.service_index["TRAIN"], SECOND_TRAIN)
    assert min(cost for cost, _ in _every(cn, q, costs)) == 0.0
    return found.legs


def _free_but(cn: CompiledNetwork, truck: str, at: datetime) -> RandomCosts:
    """Every leg free, but `truck` costs 5 leaving at `at`."""
    return RandomCosts([0.0] * len(cn.services), {(cn.service_index[truck], at.timestamp()): 5.0}, {})


def test_a_later_free_departure_into_a_time_sensitive_location_is_kept(tmp_path):
    """A free daily train to C, then an on-demand truck that costs 5 at the instant the first
    train's cargo is ready at C and 0 a day later: the second train, no cheaper than the first,
    still gives the cheapest itinerary (arriving later is what makes the truck free)."""
    cn, q = _train_then_trucks(tmp_path, "ACE", "C", [("TRUCK", "C", "E")])
    _takes_the_second_train(cn, q, _free_but(cn, "TRUCK", datetime(2027, 3, 22, 12, tzinfo=BRU)))


def test_a_later_arrival_through_an_on_demand_leg_into_a_time_sensitive_location_is_kept(tmp_path):
    """As above with a free on-demand truck B → C between the train and the priced truck C → E:
    the truck to C leaves when the cargo is there, so arriving at B later is what makes the
    truck out of C free; the second train must still be found."""
    cn, q = _train_then_trucks(tmp_path, "ABCE", "B", [("FEEDER", "B", "C"), ("TRUCK", "C", "E")])
    _takes_the_second_train(cn, q, _free_but(cn, "TRUCK", datetime(2027, 3, 22, 13, tzinfo=BRU)))


def test_a_cycle_of_on_demand_legs_before_a_time_sensitive_location_ends(tmp_path):
    """Free on-demand trucks B → C and back make ever later walks to C, none dominated while
    the instant matters there: the search still ends (after the last point arriving earlier
    dominates again) and returns the cheapest itinerary, not a walk."""
    cn, q = _train_then_trucks(tmp_path, "ABCE", "B", [("THERE", "B", "C"), ("BACK", "C", "B"),
                                                        ("TRUCK", "C", "E")])
    legs = _takes_the_second_train(cn, q, _free_but(cn, "TRUCK", datetime(2027, 3, 22, 13, tzinfo=BRU)))
    assert len({cn.s_to[si] for si, _ in legs}) == len(legs)  # no location twice


def test_a_later_arrival_in_a_cheaper_stretch_is_kept_when_waiting_meets_a_point(tmp_path):
    """A truck out of B costs 5 until midnight, nothing from then on, and 9 at midnight itself (a
    departure priced on its own): the first train's cargo would wait for midnight and pay 9, so
    the second train, arriving in the cheaper stretch, is kept although it costs no less."""
    cn, q = _train_then_trucks(tmp_path, "ABE", "B", [("TRUCK", "B", "E")])
    truck = cn.service_index["TRUCK"]
    midnight = datetime(2027, 3, 23, 0, tzinfo=BRU).timestamp()
    defaults = [0.0] * len(cn.services)
    defaults[truck] = 5.0
    _takes_the_second_train(cn, q, RandomCosts(defaults, {(truck, midnight): 9.0}, {},
                                               {truck: ((midnight,), (0.0,))}))

"""A network compiled for search: integer ids, adjacency per goods class, departure tables and
static lower bounds, built once per network and cached (networks are immutable).

Everything here is independent of the consignment, except `prices`, which prices every service
at once for one weight and volume (vectorised, with the same arithmetic as
`routing.tariffs.price_with`, under the terms of one query window), and `cost_bounds`, the least
static cost from every location to a destination at those prices.
"""

from __future__ import annotations

import heapq
import math
import weakref
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from network.columns import GOODS_CLASSES, MODES
from network.errors import InputError
from network.model import Network, Service
from network.timetable import WEEK_S, service_week_departures
from routing.tariffs import Terms

INF = math.inf
# The main mode of an itinerary is the mode of its longest leg; among legs of equal length the
# higher rank wins (sea, then rail, then air, then road), so the choice never depends on order.
MODE_RANK = {"road": 0, "air": 1, "rail": 2, "sea": 3}
RANKED_MODES = tuple(sorted(MODES, key=MODE_RANK.__getitem__))
# Static bounds are made a little smaller than computed so that float rounding (sums taken in
# another order) can never make them exceed a true remaining time: 1 ms, or cost: 1 micro-euro.
TIME_MARGIN_S = 1e-3
BOUND_CACHE = 512  # destinations whose static bounds are kept per goods class

Lead = tuple[float, int]  # (distance_km, mode rank) of a leg: the longest leg has the largest
NO_LEAD: Lead = (-1.0, -1)
Via = tuple[int, Lead]  # walks that take a leg of this mode (rank), at least this long
LEVELS = 16  # leg lengths at which large networks record which locations cannot avoid them


def micro(eur: float) -> int:
    """Euros (or kilograms) as whole micro-units: the engine compares costs exactly."""
    return round(eur * 1_000_000)


@dataclass(frozen=True)
class PriceTable:
    """Every service priced for one weight and volume: micro-euros per leg, CO2e in mg."""

    cost: list[int]
    co2: list[int]
    cost_array: np.ndarray  # float euros, for bounds


class CompiledNetwork:
    """Arrays and indexes of one network for the search (see module docstring)."""

    def __init__(self, network: Network) -> None:
        self.network = network
        self.ids: tuple[str, ...] = tuple(sorted(network.locations))
        self.index = {lid: i for i, lid in enumerate(self.ids)}
        self.services: tuple[Service, ...] = tuple(network.services[s] for s in sorted(network.services))
        self.service_index = {s.id: i for i, s in enumerate(self.services)}
        ss = self.services
        # What tells routes apart (alternatives are distinct routes): each service's own index,
        # or its base service's for a scenario's dated variant (the same route in a window).
        self.route_of = [self.service_index.get(s.variant_of, si) if s.variant_of else si
                         for si, s in enumerate(ss)]
        self.s_from = [self.index[s.origin] for s in ss]
        self.s_to = [self.index[s.destination] for s in ss]
        self.dur_s = [s.duration_h * 3600.0 for s in ss]
        self.cut_s = [s.cutoff_h * 3600.0 if s.is_timetabled else 0.0 for s in ss]
        self.timetabled = [s.is_timetabled for s in ss]
        # On-demand services whose calendar limits when they may leave (validity, exceptions,
        # scenario closures): cargo waits for the next open instant (`open_from`).
        self.restricted = [s.is_restricted and not s.is_timetabled for s in ss]
        self.lead: list[Lead] = [(s.distance_km, MODE_RANK[s.mode]) for s in ss]
        self.capacitated = [(si, s.capacity_kg, s.capacity_m3) for si, s in enumerate(ss)
                            if s.is_capacitated]
        locations = [network.locations[lid] for lid in self.ids]
        self.handling_s = [loc.handling_h * 3600.0 for loc in locations]
        self.handling_eur = [loc.handling_eur for loc in locations]
        self.handling_eur_per_kg = [loc.handling_eur_per_kg for loc in locations]
        self.hub_co2e_kg_per_t = [loc.hub_co2e_kg_per_t for loc in locations]
        # Per timetabled service, its departures (POSIX s, sorted) over whole UTC weeks
        # [first_week, end_week), extended on demand: one bisect finds the next departure.
        self._times: list[list[float]] = [[] for _ in ss]
        self._first_week = [0] * len(ss)
        self._end_week = [0] * len(ss)
        self._time_bounds: dict[str, OrderedDict[int, list[float]]] = {g: OrderedDict()
                                                                        for g in GOODS_CLASSES}
        self._floors: dict[str, OrderedDict[int, list[Lead]]] = {g: OrderedDict() for g in GOODS_CLASSES}
        self._out: dict[str, list[list[int]]] = {}
        self._in: dict[str, list[list[int]]] = {}

    # --- adjacency -------------------------------------------------------------------------

    def out(self, goods: str) -> list[list[int]]:
        """Services accepting `goods` leaving each location, in service-id order."""
        found = self._out.get(goods)
        if found is None:
            found = [[] for _ in self.ids]
            for si, s in enumerate(self.services):
                if s.accepts(goods):
                    found[self.s_from[si]].append(si)
            self._out[goods] = found
        return found

    def into(self, goods: str) -> list[list[int]]:
        """Services accepting `goods` arriving at each location, in service-id order."""
        found = self._in.get(goods)
        if found is None:
            found = [[] for _ in self.ids]
            for si, s in enumerate(self.services):
                if s.accepts(goods):
                    found[self.s_to[si]].append(si)
            self._in[goods] = found
        return found

    # --- timetables ------------------------------------------------------------------------

    def _cover(self, si: int, first: int, end: int) -> list[float]:
        """Make service `si`'s departure list cover UTC weeks [first, end)."""
        s = self.services[si]
        assert s.departure is not None
        times = self._times[si]
        have_first, have_end = self._first_week[si], self._end_week[si]
        if have_first == have_end:  # nothing yet
            have_first = have_end = first
        if first < have_first:
            before: list[float] = []
            for week in range(first, have_first):
                before.extend(service_week_departures(s, week))
            times[:0] = before
            have_first = first
        for week in range(have_end, end):
            times.extend(service_week_departures(s, week))
        self._first_week[si], self._end_week[si] = have_first, max(have_end, end)
        return times

    def expand_timetables(self, start_s: float, end_s: float) -> None:
        """Expand every timetable over [start_s, end_s] now rather than on first use (servers
        and benchmarks that will query that window)."""
        first, end = int(start_s // WEEK_S), int(end_s // WEEK_S) + 1
        for si, timetabled in enumerate(self.timetabled):
            if timetabled:
                self._cover(si, first, end)

    def next_departure(self, si: int, earliest: float, latest: float) -> float | None:
        """The first scheduled departure of service `si` in [earliest, latest], or None."""
        week = int(earliest // WEEK_S)
        if week < self._first_week[si] or week >= self._end_week[si]:
            self._cover(si, week, week + 1)
        times = self._times[si]
        i = bisect_left(times, earliest)
        while i == len(times):
            end = self._end_week[si]
            if end * WEEK_S > latest:
                return None
            times = self._cover(si, end, end + 4)
        depart = times[i]
        return depart if depart <= latest else None

    def previous_departure(self, si: int, latest: float, earliest: float) -> float | None:
        """The last scheduled departure of service `si` in [earliest, latest], or None."""
        week = int(latest // WEEK_S)
        if week < self._first_week[si] or week >= self._end_week[si]:
            self._cover(si, week, week + 1)
        times = self._times[si]
        i = bisect_right(times, latest)
        while i == 0:
            first = self._first_week[si]
            if first * WEEK_S <= earliest:
                return None
            self._cover(si, first - 4, first)
            times = self._times[si]
            i = bisect_right(times, latest)
        depart = times[i - 1]
        return depart if depart >= earliest else None

    def open_from(self, si: int, earliest: float) -> float | None:
        """When cargo available at `earliest` leaves on on-demand service `si`: at once, or when
        its calendar next opens (None: never)."""
        if not self.restricted[si]:
            return earliest
        return self.services[si].schedule.open_from(earliest)

    def open_until(self, si: int, latest: float) -> float | None:
        """The latest instant at or before `latest` at which on-demand service `si` may leave
        (or the end of the open span before it, an upper bound), None if none."""
        if not self.restricted[si]:
            return latest
        return self.services[si].schedule.open_until(latest)

    # --- prices ----------------------------------------------------------------------------

    @cached_property
    def _tariff(self) -> dict[str, np.ndarray]:
        ss = self.services
        boxed = [s.container for s in ss]
        return {
            "kg_per_m3": np.array([s.kg_per_m3 for s in ss]),
            "fixed": np.array([s.eur_fixed for s in ss]),
            "per_kg": np.array([s.eur_per_kg for s in ss]),
            "per_tkm": np.array([s.eur_per_tkm for s in ss]),
            "min": np.array([s.eur_min for s in ss]),
            "km": np.array([s.distance_km for s in ss]),
            "co2_km": np.array([s.co2e_distance_km for s in ss]),
            "g_per_tkm": np.array([s.co2e_g_per_tkm for s in ss]),
            "has_box": np.array([b is not None for b in boxed]),
            "box_eur": np.array([b.eur if b else 0.0 for b in boxed]),
            "box_kg": np.array([b.kg if b else 1.0 for b in boxed]),
            "box_m3": np.array([b.m3 if b else 1.0 for b in boxed]),
            "ones": np.ones(len(ss)),
            "zeros": np.zeros(len(ss)),
        }

    def prices(self, weight_kg: float, volume_m3: float,
               terms: Mapping[int, Terms] | None = None) -> PriceTable:
        """Every service's leg price and CO2e for one consignment, computed as
        `routing.tariffs.price_with` and `routing.costing.leg_co2e_kg` do. A service without
        `terms` is priced by its own EUR amounts (no conversion, no surcharge), one with terms
        by the rate row, exchange rate and surcharges they hold (its price in a query window)."""
        t = self._tariff
        fixed, per_kg, per_tkm, low, box_eur = t["fixed"], t["per_kg"], t["per_tkm"], t["min"], t["box_eur"]
        co2_kg = weight_kg / 1000.0 * t["co2_km"] * t["g_per_tkm"] / 1000.0
        if not terms:
            # Every service at its plain EUR tariff: the same figures as `terms_prices` with a rate
            # of 1 and no surcharge (x / 1.0, x + x * 0.0 / 100 + 0.0 are exact), fewer operations.
            kg = np.maximum(weight_kg, volume_m3 * t["kg_per_m3"])
            eps = 1e-9
            n = np.maximum(np.maximum(1.0, np.ceil(weight_kg / t["box_kg"] - eps)),
                           np.ceil(volume_m3 / t["box_m3"] - eps))
            lcl = np.maximum(low, fixed + per_kg * kg + per_tkm * kg / 1000.0 * t["km"])
            fcl = n * box_eur
            price = np.where(t["has_box"] & (fcl < lcl), fcl, lcl)
            return PriceTable(micro_euros(price, self._service_id, weight_kg),
                              np.rint(co2_kg * 1e6).astype(np.int64).tolist(), price)
        # Copies of the tariff arrays (they are the network's), with each `terms` row's figures.
        a = {"kg_per_m3": t["kg_per_m3"], "km": t["km"], "has_box": t["has_box"], "box_kg": t["box_kg"],
             "box_m3": t["box_m3"], "fixed": fixed.copy(), "per_kg": per_kg.copy(),
             "per_tkm": per_tkm.copy(), "min": low.copy(), "box_eur": box_eur.copy(),
             "per_eur": t["ones"].copy(), "percent": t["zeros"].copy(), "s_kg": t["zeros"].copy(),
             "s_box": t["zeros"].copy(), "s_one": t["zeros"].copy()}
        for si, x in terms.items():
            row = x.row
            a["fixed"][si], a["per_kg"][si], a["per_tkm"][si], a["min"][si] = (
                row.eur_fixed, row.eur_per_kg, row.eur_per_tkm, row.eur_min)
            a["box_eur"][si] = row.container.eur if row.container else 0.0
            a["per_eur"][si], a["percent"][si], a["s_kg"][si] = x.per_eur, x.percent, x.per_kg_eur
            a["s_box"][si], a["s_one"][si] = x.per_container_eur, x.per_consignment_eur
        price = terms_prices(a, weight_kg, volume_m3)
        return PriceTable(micro_euros(price, self._service_id, weight_kg),
                          np.rint(co2_kg * 1e6).astype(np.int64).tolist(), price)

    def _service_id(self, si: int) -> str:
        return self.services[si].id

    def too_small(self, weight_kg: float, volume_m3: float) -> frozenset[int]:
        """Services whose capacity per departure cannot hold the consignment alone."""
        return frozenset(si for si, kg, m3 in self.capacitated
                         if (kg is not None and weight_kg > kg) or (m3 is not None and volume_m3 > m3))

    def loose_prices(self, weight_kg: float, volume_m3: float) -> tuple[list[float], list[float]]:
        """Every service's LCL price (EUR, minimum charge applied, no containers) and CO2e (kg)
        for one consignment, computed as `routing.costing.lcl_eur` and `leg_co2e_kg` do."""
        t = self._tariff
        kg = np.maximum(weight_kg, volume_m3 * t["kg_per_m3"])
        lcl = np.maximum(t["min"], t["fixed"] + t["per_kg"] * kg + t["per_tkm"] * kg / 1000.0 * t["km"])
        co2_kg = weight_kg / 1000.0 * t["co2_km"] * t["g_per_tkm"] / 1000.0
        return lcl.tolist(), co2_kg.tolist()

    def handling_micro(self, weight_kg: float) -> list[int]:
        """What changing service costs at each location, in micro-euros, for `weight_kg`."""
        eur = np.array(self.handling_eur) + np.array(self.handling_eur_per_kg) * weight_kg
        return np.rint(eur * 1e6).astype(np.int64).tolist()  # type: ignore[no-any-return]

    def handling_co2_mg(self, weight_kg: float) -> list[int]:
        """What changing service emits at each location (its hub factor), in milligrams CO2e, for
        `weight_kg`: as `Location.handling_co2e_kg`, rounded like a leg's CO2e."""
        kg = weight_kg / 1000.0 * np.array(self.hub_co2e_kg_per_t, dtype=float)
        return np.rint(kg * 1e6).astype(np.int64).tolist()  # type: ignore[no-any-return]

    # --- static bounds (reverse Dijkstra on the cheapest parallel arc) ----------------------

    def _graph(self, goods: str, via: None = None) -> _ReverseGraph:
        """The reversed graph of the services accepting `goods` (see `_ReverseGraph`)."""
        graphs: dict[str, _ReverseGraph] = self.__dict__.setdefault("_graphs", {})
        found = graphs.get(goods)
        if found is None:
            usable = self._usable(goods)
            to = np.array(self.s_to, dtype=np.int64)[usable] if len(usable) else np.zeros(0, np.int64)
            fr = np.array(self.s_from, dtype=np.int64)[usable] if len(usable) else np.zeros(0, np.int64)
            found = graphs[goods] = _ReverseGraph.build(len(self.ids), to, fr, usable, to)
        return found

    def _usable(self, goods: str) -> np.ndarray:
        return np.array([i for i, s in enumerate(self.services) if s.accepts(goods)], dtype=np.int64)

    def _via_services(self, goods: str, via: Via) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The services accepting `goods` whose leg is of the mode (rank) of `via` and at least
        as long, grouped by origin: (indices, destinations, the first of each origin's group,
        the origins of the groups)."""
        cache: dict[tuple[str, Via], tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = \
            self.__dict__.setdefault("_vias", {})
        found = cache.get((goods, via))
        if found is None:
            rank, shortest = via
            usable = self._graph(goods).services  # every service accepting `goods`, once
            km, ranks = (a[usable] for a in self._lead_arrays)
            mine = np.unique(usable[(ranks == rank) & ~_shorter(km, ranks, shortest)])
            origins, destinations = self._end_arrays
            mine = mine[np.argsort(origins[mine], kind="stable")]
            mine_origins = origins[mine]
            first = np.ones(len(mine), dtype=bool)
            first[1:] = mine_origins[1:] != mine_origins[:-1]
            starts = np.flatnonzero(first)
            heads = mine_origins[starts].astype(np.int32)
            found = cache[(goods, via)] = (mine, destinations[mine], starts, heads)
        return found

    @cached_property
    def _end_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Each service's origin and destination (location indices), as arrays."""
        return np.array(self.s_from, dtype=np.int64), np.array(self.s_to, dtype=np.int64)

    @cached_property
    def _lead_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Each service's leg length (km) and mode rank, as arrays."""
        return (np.array([lead[0] for lead in self.lead], dtype=float),
                np.array([lead[1] for lead in self.lead], dtype=np.int64))

    def reverse(self, goods: str, target: int, arc: np.ndarray,
                node: Sequence[float] | np.ndarray) -> Reverse:
        """Least Σ arc + node weight of the locations passed, from every location to `target`
        (`Reverse.bounds`), kept so that bounds over walks with a leg of a mode (`Reverse.vias`)
        reuse it. `arc` holds a weight per service, `node` a weight per location paid when
        cargo changes service there (not at `target`)."""
        graph = self._graph(goods)
        node_array = np.asarray(node, dtype=float)
        weights = graph.weights(arc, node_array)
        return Reverse(self, goods, target, arc, node_array, graph, weights, graph.search(weights, target))

    def time_bounds(self, goods: str, target: int) -> list[float]:
        """Least seconds from availability at each location to arrival at `target` (cut-offs,
        durations and handling; waiting ignored), INF where `target` cannot be reached."""
        cache = self._time_bounds[goods]
        found = cache.get(target)
        if found is None:
            found = loosened(self.time_reverse(goods, target).bounds(), TIME_MARGIN_S)
            found[target] = 0.0
            cache[target] = found
            if len(cache) > BOUND_CACHE:
                cache.popitem(last=False)
        else:
            cache.move_to_end(target)
        return found

    def time_reverse(self, goods: str, target: int) -> Reverse:
        """The reverse search of least seconds to `target` (kept for the bounds via a mode)."""
        cache: dict[tuple[str, int], Reverse] = self.__dict__.setdefault("_time_reverses", {})
        found = cache.get((goods, target))
        if found is None:
            if len(cache) > BOUND_CACHE:
                cache.pop(next(iter(cache)))
            arc = np.array(self.cut_s) + np.array(self.dur_s)
            found = cache[(goods, target)] = self.reverse(goods, target, arc, self.handling_s)
        return found

    def co2_reverse(self, goods: str, target: int, emit: Sequence[int], hub: Sequence[int]) -> Reverse:
        """Least milligrams CO2e to `target`, for a consignment whose legs emit `emit` and whose
        changes of service emit `hub` (whole milligrams, as the search adds them: sums of whole
        numbers, so the bounds are exact)."""
        return self.reverse(goods, target, np.asarray(emit, dtype=float), np.asarray(hub, dtype=float))

    def cost_reverse(self, goods: str, target: int, table: PriceTable, handling: list[int]) -> Reverse:
        """Least micro-euros to `target` at the prices of `table`."""
        return self.reverse(goods, target, table.cost_array * 1e6, handling)

    def floors(self, goods: str, target: int) -> list[Lead]:
        """For each location, a lower bound of the least possible longest leg of a walk to
        `target` (every walk from there has a leg at least that long, in (distance, rank)
        order). The search uses it only as a floor, so a lower bound is all it needs.

        Exact on small networks (a minimax Dijkstra); on large ones, the longest of a few leg
        lengths (`LEVELS`, the longest in the network) such that the shorter services do not
        connect the location with `target` (`_level_floors`: components found once per network
        and goods class, compared per target).
        """
        cache = self._floors[goods]
        found = cache.get(target)
        if found is not None:
            cache.move_to_end(target)
            return found
        small = len(self._graph(goods, None).services) <= SMALL_GRAPH
        found = (self._exact_bottlenecks(goods, target) if small
                 else self._level_floors(goods, target))
        cache[target] = found
        if len(cache) > BOUND_CACHE:
            cache.popitem(last=False)
        return found

    def _exact_bottlenecks(self, goods: str, target: int) -> list[Lead]:
        best: list[Lead | None] = [None] * len(self.ids)
        best[target] = NO_LEAD
        heap: list[tuple[Lead, int]] = [(NO_LEAD, target)]
        into = self.into(goods)
        while heap:
            value, node = heapq.heappop(heap)
            if best[node] is not None and value > best[node]:  # type: ignore[operator]
                continue
            for si in into[node]:
                u = self.s_from[si]
                cand = max(value, self.lead[si])
                current = best[u]
                if current is None or cand < current:
                    best[u] = cand
                    heapq.heappush(heap, (cand, u))
        return [NO_LEAD if b is None else b for b in best]

    def level_values(self, goods: str) -> list[Lead]:
        """The leg lengths ((distance, rank), longest first) at which large networks bound
        floors: the `LEVELS` longest of the services accepting `goods`."""
        key = f"levels:{goods}"
        cached = self.__dict__.get(key)
        if cached is None:
            values = sorted({self.lead[i] for i in self._graph(goods, None).services.tolist()})
            cached = self.__dict__[key] = list(reversed(values[-LEVELS:]))
        return cached

    def _level_floors(self, goods: str, target: int) -> list[Lead]:
        """For each location, the longest of `level_values` that every walk from it to `target`
        has a leg at least as long as, as far as connectivity tells (NO_LEAD if none).

        Per level v, the services shorter than v split the locations into weakly connected
        components (`_level_components`, once per network and goods class). A location in
        another component than `target` at level v has no walk to it on shorter legs, so every
        walk has a leg at least v: a lower bound of the exact bottleneck, which is all the
        search needs, and equal to it (rounded down to a level) wherever the shorter services
        connect both ways, as they do on networks whose services run in both directions. The
        subgraphs grow with v, so a location is apart from `target` at the shortest levels up to
        some level and joined above it: the count of levels apart picks the floor."""
        components, ascending = self._level_components(goods)
        apart = (components != components[:, target:target + 1]).sum(axis=0)
        return ascending[apart].tolist()  # type: ignore[no-any-return]

    def _level_components(self, goods: str) -> tuple[np.ndarray, np.ndarray]:
        """For `_level_floors`: the weakly connected component of each location (columns) over
        the services accepting `goods` shorter than each level (rows, shortest level first), and
        the floor values by count of levels apart ([q]: the q-th shortest level, NO_LEAD at 0)."""
        key = f"level_components:{goods}"
        cached: tuple[np.ndarray, np.ndarray] | None = self.__dict__.get(key)
        if cached is None:
            from scipy.sparse import csr_matrix
            from scipy.sparse.csgraph import connected_components

            ascending = list(reversed(self.level_values(goods)))
            usable = self._graph(goods, None).services
            km, ranks = (a[usable] for a in self._lead_arrays)
            origins, destinations = (a[usable] for a in self._end_arrays)
            n = len(self.ids)
            rows = np.zeros((len(ascending), n), dtype=np.int64)
            for q, level in enumerate(ascending):
                shorter = _shorter(km, ranks, level)
                graph = csr_matrix((np.ones(int(shorter.sum())), (origins[shorter], destinations[shorter])),
                                   shape=(n, n))
                rows[q] = connected_components(graph, directed=True, connection="weak")[1]
            values = np.empty(len(ascending) + 1, dtype=object)
            for q, value in enumerate([NO_LEAD, *ascending]):
                values[q] = value
            cached = self.__dict__[key] = (rows, values)
        return cached

    # --- structure --------------------------------------------------------------------------

    @cached_property
    def leads_by_rank(self) -> list[list[Lead]]:
        """Sorted leg values (distance, rank) of each mode, indexed by rank."""
        per: list[list[Lead]] = [[] for _ in RANKED_MODES]
        for value in self.lead:
            per[value[1]].append(value)
        return [sorted(v) for v in per]

    def reach_masks(self, goods: str, below: Lead | None = None) -> list[int]:
        """For each location, the bit set of locations reachable from it (itself included),
        over the services accepting `goods` (and shorter than `below`, if given)."""
        key = f"reach:{goods}:{below}"
        cached = self.__dict__.get(key)
        if cached is None:
            import networkx as nx

            graph = nx.DiGraph()
            graph.add_nodes_from(range(len(self.ids)))
            out = self.out(goods)
            graph.add_edges_from((u, self.s_to[si]) for u in range(len(self.ids)) for si in out[u]
                                 if below is None or self.lead[si] < below)
            dag = nx.condensation(graph)
            members = dag.graph["mapping"]
            masks: dict[int, int] = {}
            for scc in reversed(list(nx.topological_sort(dag))):
                mask = 0
                for node in dag.nodes[scc]["members"]:
                    mask |= 1 << node
                for nxt in dag.successors(scc):
                    mask |= masks[nxt]
                masks[scc] = mask
            cached = [masks[members[u]] for u in range(len(self.ids))]
            self.__dict__[key] = cached
        return cached


def _shorter(km: np.ndarray, ranks: np.ndarray, lead: Lead) -> np.ndarray:
    """Which legs (lengths `km`, mode ranks `ranks`) are shorter than `lead` in the (distance,
    rank) order of `Lead`, as a boolean array."""
    lead_km, lead_rank = lead
    return (km < lead_km) | ((km == lead_km) & (ranks < lead_rank))  # type: ignore[no-any-return]


_COMPILED: weakref.WeakKeyDictionary[Network, CompiledNetwork] = weakref.WeakKeyDictionary()


def compiled(network: Network) -> CompiledNetwork:
    """The compiled form of `network` (built on first use, then cached with the network)."""
    found = _COMPILED.get(network)
    if found is None:
        found = _COMPILED[network] = CompiledNetwork(network)
    return found


@dataclass(frozen=True)
class Reverse:
    """One reverse search to a target (`CompiledNetwork.reverse`): the graph's arc weights for
    it and the distances, raw (each path into the target paid the target's node weight once,
    on its last arc)."""

    cn: CompiledNetwork
    goods: str
    target: int
    arc: np.ndarray
    node: np.ndarray
    graph: _ReverseGraph
    weights: np.ndarray
    raw: np.ndarray

    def bounds(self) -> np.ndarray:
        """Least weight from every location to the target (0 there, INF where unreachable)."""
        dist = np.maximum(self.raw - float(self.node[self.target]), 0.0)
        dist[self.target] = 0.0
        return dist

    def vias(self, vias: Sequence[Via]) -> list[np.ndarray]:
        """For each of `vias`, the least weight over walks with at least one leg of its mode
        (rank), at least its length: min over such legs e of (least weight from a location to
        e's origin) + e's weight + the least weight from e's destination on. A virtual source
        per via, joined to each such origin by its best such leg onward, on the same graph; one
        call of the search for them all."""
        n = self.graph.size
        sources = []
        for via in vias:
            services, destinations, starts, origins = self.cn._via_services(self.goods, via)
            if not len(services):
                sources.append((origins, np.zeros(0)))  # no such leg: no source arc
                continue
            onward = self.arc[services] + self.node[destinations] + self.raw[destinations]
            best = np.minimum.reduceat(onward, starts)  # the best leg onward per origin
            reachable = np.isfinite(best)
            sources.append((origins[reachable], best[reachable]))
        rows = self.graph.search_from_virtual(self.weights, sources)
        offset = float(self.node[self.target])
        return [np.maximum(row[:n] - offset, 0.0) for row in rows]


def terms_prices(a: Mapping[str, np.ndarray], weight_kg: float, volume_m3: float) -> np.ndarray:
    """`routing.tariffs.price_eur` for one consignment under many terms at once, with the same
    operations in the same order (so the figures agree to the last bit): `a` holds, per row,
    the rate row's kg_per_m3, km, fixed, per_kg, per_tkm, min, has_box, box_eur, box_kg, box_m3
    (1.0 without a box) and the terms' per_eur, percent, s_kg, s_box, s_one (surcharges per
    chargeable kg, per container, per consignment)."""
    per_eur, percent, s_one = a["per_eur"], a["percent"], a["s_one"]
    kg = np.maximum(weight_kg, volume_m3 * a["kg_per_m3"])
    lcl = (np.maximum(a["min"], a["fixed"] + a["per_kg"] * kg + a["per_tkm"] * kg / 1000.0 * a["km"])
           / per_eur)
    lcl_all = lcl + lcl * percent / 100.0 + kg * a["s_kg"] + s_one
    eps = 1e-9
    n = np.maximum(np.maximum(1.0, np.ceil(weight_kg / a["box_kg"] - eps)),
                   np.ceil(volume_m3 / a["box_m3"] - eps))
    fcl = n * a["box_eur"] / per_eur
    fcl_all = fcl + fcl * percent / 100.0 + n * a["s_box"] + s_one
    return np.where(a["has_box"] & (fcl_all < lcl_all), fcl_all, lcl_all)  # type: ignore[no-any-return]


def loosened(dist: np.ndarray, margin: float) -> list[float]:
    """Distances less `margin` (floating-point slack, so that a bound never exceeds what the
    search adds up), never below 0, INF kept: max(0, d - margin) elementwise, as a list."""
    out = np.maximum(dist - margin, 0.0)
    out[~np.isfinite(dist)] = INF
    return out.tolist()  # type: ignore[no-any-return]


# The most one leg may cost (EUR): the engine adds prices in whole micro-euros, which 64-bit
# integers hold up to 9.2e18; a dearer leg comes from a tariff and a weight far outside any
# real freight (each is within its own range, their product is not).
MAX_LEG_EUR = 1e12


def micro_euros(price: np.ndarray, service_of: Callable[[int], str], weight_kg: float) -> list[int]:
    """`price` (EUR per row) in whole micro-euros; an `InputError` naming the first row's
    service (`service_of(row)`) when a leg would cost over `MAX_LEG_EUR` (or no number)."""
    over = ~(price <= MAX_LEG_EUR)
    if over.any():
        row = int(np.argmax(over))
        raise InputError(f"service {service_of(row)!r} would cost EUR {float(price[row]):,.4g} for "
                         f"{weight_kg:,.0f} kg, over the EUR {MAX_LEG_EUR:,.0f} one leg may cost: "
                         "check its tariff (and surcharges, exchange rate) and the weight")
    return np.rint(price * 1e6).astype(np.int64).tolist()  # type: ignore[no-any-return]


# Graphs with fewer arcs than this are searched in Python (importing scipy costs more).
SMALL_GRAPH = 1_000


@dataclass(frozen=True)
class _ReverseGraph:
    """Arcs head -> tail (a service's destination to its origin), grouped by (head, tail) in
    CSR order, so that a query fills in weights and keeps the least of parallel arcs with one
    `minimum.reduceat`."""

    size: int
    services: np.ndarray  # per arc, in group order: the service whose weight it carries
    nodes: np.ndarray  # per arc: the location whose node weight it adds (the service's destination)
    starts: np.ndarray  # first arc of each group
    heads: np.ndarray  # per group
    tails: np.ndarray  # per group
    indptr: np.ndarray  # CSR row pointers of the groups

    @classmethod
    def build(cls, size: int, heads: np.ndarray, tails: np.ndarray, services: np.ndarray,
              nodes: np.ndarray) -> _ReverseGraph:
        order = np.lexsort((tails, heads))
        heads, tails, services, nodes = heads[order], tails[order], services[order], nodes[order]
        new = np.ones(len(heads), dtype=bool)
        new[1:] = (heads[1:] != heads[:-1]) | (tails[1:] != tails[:-1])
        starts = np.flatnonzero(new)
        group_heads, group_tails = heads[starts], tails[starts]
        indptr = np.searchsorted(group_heads, np.arange(size + 1))
        # 32-bit indices, as scipy's graph routines take them (no copy per search).
        return cls(size, services, nodes, starts, group_heads, group_tails.astype(np.int32),
                   indptr.astype(np.int32))

    def weights(self, arc: np.ndarray, node: np.ndarray) -> np.ndarray:
        """Each group's weight: the least of its arcs' `arc` + `node` of their head."""
        if not len(self.starts):
            return np.zeros(0)
        return np.minimum.reduceat(arc[self.services] + node[self.nodes], self.starts)

    def search(self, weights: np.ndarray, source: int) -> np.ndarray:
        """Least weights from `source` to every node (INF where unreachable)."""
        return _shortest(self.size, self.indptr, self.tails, weights, [source])[0]

    def search_from_virtual(self, weights: np.ndarray, sources: Sequence[tuple[np.ndarray, np.ndarray]]
                            ) -> list[np.ndarray]:
        """For each of `sources` (tails, weights), least weights from a virtual node joined to
        those tails by those weights, to every node (the virtual nodes `size`, `size` + 1, …
        follow the real ones in each row). One scipy call for all of them."""
        size = self.size + len(sources)
        ends = self.indptr[-1] + np.cumsum([len(t) for t, _ in sources], dtype=np.int32)
        indptr = np.concatenate([self.indptr, ends])
        tails = np.concatenate([self.tails, *(t for t, _ in sources)]).astype(np.int32, copy=False)
        weights = np.concatenate([weights, *(w for _, w in sources)])
        return _shortest(size, indptr, tails, weights, list(range(self.size, size)))


def _shortest(size: int, indptr: np.ndarray, tails: np.ndarray, weights: np.ndarray,
              sources: list[int]) -> list[np.ndarray]:
    """Least weights from each of `sources` to every node of a CSR graph (INF where
    unreachable): in Python on small graphs, else one scipy call for all the sources."""
    if not len(weights):
        return [np.where(np.arange(size) == source, 0.0, INF) for source in sources]
    if len(weights) <= SMALL_GRAPH:
        return [_python_dijkstra(size, indptr, tails, weights, source) for source in sources]
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra

    graph = csr_matrix((weights, tails, indptr), shape=(size, size))
    return list(np.atleast_2d(np.asarray(dijkstra(graph, directed=True, indices=sources))))


def _python_dijkstra(n: int, indptr: np.ndarray, tails: np.ndarray, weights: np.ndarray,
                     source: int) -> np.ndarray:
    """Dijkstra over a small CSR graph (scipy's import costs more than the search)."""
    ptr, to, w = indptr.tolist(), tails.tolist(), weights.tolist()
    dist = [INF] * n
    dist[source] = 0.0
    heap = [(0.0, source)]
    while heap:
        d, u = heapq.heappop(heap)
        if d > dist[u]:
            continue
        for i in range(ptr[u], ptr[u + 1]):
            nd = d + w[i]
            v = to[i]
            if nd < dist[v]:
                dist[v] = nd
                heapq.heappush(heap, (nd, v))
    return np.array(dist)

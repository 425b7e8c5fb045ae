"""Exact time-dependent multi-criteria label-setting search for door-to-door itineraries.

Model. A label is a partial itinerary (a walk) ending at a location: its arrival instant there,
its cost (whole micro-euros) and CO2e (whole milligrams), its number of legs and, where asked,
its longest leg and the locations it visited. Arcs are FIFO: leaving later never arrives
earlier; cargo may wait for any later scheduled departure, while an on-demand leg leaves when
the cargo is available (or when its calendar next opens, which keeps the arc FIFO). A change of
service at an intermediate location adds its handling time, its handling charge and its hub
emissions (`hub_co2e_kg_per_t`), like a leg adds its own. Costs and CO2e are never negative.
Calendars only remove departures; dated rate rows, exchange rates and surcharges make a
service's cost depend on the departure's date, and such a service is priced per departure
(`routing.price_window`), under the rule for `DepartureCosts`: an on-demand leg's price holds
until its next change and the cargo may wait for that change, so arriving earlier is never
worse — which the dominance below and taking only a leg's first departure (and those strictly
cheaper after it) rest on.

Order of itineraries. Each objective ranks complete itineraries by a key (`objectives.rank_key`)
and breaks ties by the fewest legs, then by the lexicographic sequence of (service id,
departure). This is a total order.

Dominance. Label A dominates label B at the same location when every completion σ of B is
matched by A + σ with a strictly smaller key: A arrives no later (so it can take σ at the same
departures, paying the same), and its static criteria are better in the objective's order — or
equal, with A first in the tie order (fewer legs, or the same number and a smaller sequence:
two labels with equally many legs cannot be prefixes of one another, so the first difference
decides every completion the same way). For `cost` and `time` the static criteria compare as
(cost, CO2e) lexicographically, for `co2` as (CO2e, cost); `balanced` and `pareto` compare
them componentwise. Only dominated labels are dropped, so the best walk is found.

Walks and itineraries. Itineraries never revisit a location. The best walk (and every
itinerary on the Pareto front, and the best walk of each main mode where its cycles can be
removed) is such an itinerary: removing a cycle from a walk keeps its later legs at the same
departures (it is at their origin no later), so cost, CO2e and arrival do not grow while the
number of legs falls, and the key order says the walk without the cycle comes first. So the
searches for one itinerary and for the Pareto front run over walks and return itineraries, and
dominance need not look at the locations a label has visited (which is where a search over
itineraries alone loses completeness: a label that visited Y cannot continue through Y, yet
would dominate one that can).

Main mode (`compare`). The main mode of an itinerary is the mode of its longest leg (distance,
then rank: sea, rail, air, road). Labels carry their longest leg L; a completion with longest
leg l gives main mode mode(max(L, l)). A dominates B only if no completion can tell their main
modes apart: L equal, or both below the bottleneck of the location (every walk to the
destination has a longer leg), or the same mode with no leg of another mode in between. The
best walk of a mode may need a cycle to keep its mode; then that mode is searched again over
itineraries only, with dominance that requires A's visited locations (those that could still
be passed on the way) to be among B's, which is exact by the plain argument.

The modes other than the best itinerary's are found by one search. A label's bound for mode m
is infinite when no completion can give m, else a lower bound of the key of its completions of
mode m (over walks that still take a leg of m when its longest leg so far is not of m); a label
is queued by the least bound over the modes still open. Every label left in the queue then has,
for every mode, a bound at least the one popped: once the best found of a mode is strictly better
than the popped bound, no completion can beat it or tie it, and the mode closes (ties keep it
open, as the plain search continues through equal bounds). A label queued before a mode closed
is bounded again when popped (its least bound may have grown) and queued again if it did.
Dominance is the main-mode rule above, so a label that dominates another has, for every
completion, the same main mode and a key no worse: it can give every mode the other can.

Alternatives (K next-best distinct service sequences) are searched over itineraries with that
visited-set condition and k-dominance: a label is dropped when labels of K other service
sequences dominate it, or one of its own sequence does.

Order of work. Labels are expanded in A* order of an admissible bound of the objective's key
(reverse Dijkstra on static cost, CO2e and minimum travel time, `routing.compiled`); a search
for one itinerary stops once the best remaining bound is strictly worse than the best found
(the K-th best for alternatives). `time` has its own path (`routing.earliest`): earliest
arrival, then the cheapest itinerary that arrives then.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from network.model import Network, Service
from network.timetable import from_seconds, to_seconds
from routing.compiled import (
    NO_LEAD,
    RANKED_MODES,
    TIME_MARGIN_S,
    CompiledNetwork,
    Lead,
    PriceTable,
    Reverse,
    Via,
    compiled,
    loosened,
    micro,
)
from routing.consignment import Consignment
from routing.costing import leg_co2e_kg
from routing.departure_costs import DepartureCosts
from routing.itinerary import Handling, Itinerary, Leg
from routing.limits import MAX_HORIZON_DAYS
from routing.objectives import Objective, Weights, balanced_rates, rank_key
from routing.price_window import PriceWindow
from routing.tariffs import leg_price_on

# Scheduled departures are searched up to this many days after ready: long enough for a sea
# leg (~45 days via the Cape) to be followed by another scheduled leg.
DEFAULT_HORIZON_DAYS = 60.0
INF = math.inf


@dataclass(frozen=True)
class SearchOptions:
    """How to search: objective, its weights, how far ahead to look, how many alternatives."""

    objective: Objective = Objective.COST
    weights: Weights = field(default_factory=Weights)
    horizon_days: float = DEFAULT_HORIZON_DAYS
    alternatives: int = 0
    # Alternatives are distinct routes: a scenario's dated variant of a service runs that
    # service's route (`CompiledNetwork.route_of`). True tells them apart, as the on-time search
    # needs (it examines each service sequence's own departures, `routing/ontime.py`).
    variants_apart: bool = False

    def __post_init__(self) -> None:
        if not (isinstance(self.horizon_days, (int, float)) and 0 < self.horizon_days <= MAX_HORIZON_DAYS):
            raise ValueError(f"horizon_days must be greater than 0 and at most {MAX_HORIZON_DAYS:g}, "
                             f"not {self.horizon_days!r}")
        if self.alternatives < 0:
            raise ValueError("alternatives must be zero or more")


@dataclass
class SearchStats:
    """Work done by one search (for benchmarks and tests)."""

    labels_created: int = 0
    labels_expanded: int = 0


class _Label:
    __slots__ = ("co2", "cost", "dead", "depart", "lead", "legs", "node", "parent", "seen", "si", "sig",
                 "time")

    def __init__(self, node: int, time: float, cost: float, co2: int, legs: int,
                 parent: _Label | None, si: int, depart: float, lead: Lead, seen: int,
                 sig: tuple[int, ...]) -> None:
        self.node = node
        self.time = time  # arrival instant at node (POSIX s); ready time at the origin
        self.cost = cost  # micro-euros so far, handling at node excluded
        self.co2 = co2  # milligrams CO2e so far, handling at node excluded
        self.legs = legs
        self.parent = parent
        self.si = si  # service index of the last leg (-1 at the origin)
        self.depart = depart  # departure instant of the last leg
        self.lead = lead  # (distance, rank) of the longest leg so far
        self.seen = seen  # bit set of the locations visited (itinerary searches only)
        self.sig = sig  # the route so far (`CompiledNetwork.route_of` of each leg; alternatives only)
        self.dead = False


def _sequence(cn: CompiledNetwork, label: _Label) -> tuple[tuple[str, float], ...]:
    """The (service id, departure) sequence of a label, first leg first."""
    out = []
    node: _Label | None = label
    while node is not None and node.si >= 0:
        out.append((cn.services[node.si].id, node.depart))
        node = node.parent
    out.reverse()
    return tuple(out)


def _path_nodes(cn: CompiledNetwork, label: _Label) -> list[int]:
    nodes = []
    node: _Label | None = label
    while node is not None:
        nodes.append(node.node)
        node = node.parent
    return nodes


# Dominance kinds: which static criteria, and how they compare.
_LEX_COST = 0  # (cost, CO2e) lexicographically: objectives cost and time
_LEX_CO2 = 1  # (CO2e, cost) lexicographically: objective co2
_PARETO = 2  # componentwise: balanced, pareto


_Indexable = list[int] | dict[int, int]


class _Lazy(dict[int, int]):
    """A per-service value computed on first use."""

    def __init__(self, compute: Callable[[int], int]) -> None:
        super().__init__()
        self.compute = compute

    def __missing__(self, si: int) -> int:
        value = self[si] = self.compute(si)
        return value


class _Problem:
    """Everything one search needs, prepared once per consignment."""

    def __init__(self, network: Network, consignment: Consignment, options: SearchOptions,
                 costs: Mapping[int, DepartureCosts] | None = None) -> None:
        cn = compiled(network)
        for end in (consignment.origin, consignment.destination):
            if end not in cn.index:
                raise ValueError(f"location {end!r} is not in the network")
        self.cn = cn
        self.consignment = consignment
        self.options = options
        self.objective = options.objective
        self.goods = consignment.goods
        self.origin = cn.index[consignment.origin]
        self.target = cn.index[consignment.destination]
        self.ready = to_seconds(consignment.ready)
        self.horizon_end = self.ready + options.horizon_days * 86400.0
        self.due = to_seconds(consignment.due) if consignment.due is not None else INF
        self.out = cn.out(self.goods)
        excluded = cn.too_small(consignment.weight_kg, consignment.volume_m3)
        if excluded:  # a service too small for the consignment alone is no option for it
            self.out = [[si for si in sis if si not in excluded] for sis in self.out]
        self.excluded = excluded
        self.ht = cn.time_bounds(self.goods, self.target)
        # Prices over the query's window: constant ones go to the vectorised table, those that
        # change with the departure's date become departure-dependent costs (the caller's
        # `costs` take precedence).
        self.window = PriceWindow(network, cn, consignment.weight_kg, consignment.volume_m3,
                                  self.ready, self.horizon_end)
        for si, special in (costs or {}).items():
            if not cn.timetabled[si] and not special.stepwise:
                # Arriving later could then make the leg cheaper, which the dominance rule and
                # the choice of departures assume never happens (`DepartureCosts`).
                raise ValueError(f"service {cn.services[si].id!r} runs on demand: its departure "
                                 "costs must be stepwise")
        self.costs: Mapping[int, DepartureCosts] = ({**self.window.dated, **costs} if costs
                                                    else self.window.dated)
        self.lazy_prices = False  # price services one by one as reached (the `time` corridor)
        self._table: PriceTable | None = None
        self._handling: list[int] | None = None
        self._hub_co2: list[int] | None = None
        self._hc: list[float] | None = None
        self._hco2: list[float] | None = None
        self._cost_reverse: Reverse | None = None
        self._co2_reverse: Reverse | None = None
        self._via: dict[Via, list[float]] = {}  # primary bounds over walks with a leg of a mode
        # The balanced weights in micro-euros per second in transit and per milligram CO2e.
        self.per_day_s, self.per_mg = balanced_rates(options.weights)

    @property
    def table(self) -> PriceTable:
        """The tariff of every service for the consignment; where `costs` makes a service's
        cost differ by departure, its bound weight is its cheapest departure's (so the A*
        bounds stay admissible)."""
        if self._table is None:
            c = self.consignment
            table = self.cn.prices(c.weight_kg, c.volume_m3, self.window.terms)
            if self.costs:
                self.window.price_all()  # every dated stretch in one pass, for `cheapest`
                cheapest = table.cost_array.copy()
                for si, special in self.costs.items():
                    cheapest[si] = special.cheapest() / 1e6
                table = PriceTable(table.cost, table.co2, cheapest)
            self._table = table
        return self._table

    def leg_prices(self) -> tuple[_Indexable, _Indexable]:
        """Micro-euros and milligrams per service: all at once (vectorised), or as reached."""
        if self.lazy_prices and self._table is None:
            c = self.consignment
            services = self.cn.services
            return (_Lazy(self.window.price_micro),
                    _Lazy(lambda si: micro(leg_co2e_kg(services[si], c.weight_kg))))
        return self.table.cost, self.table.co2

    @property
    def handling(self) -> list[int]:
        if self._handling is None:
            self._handling = self.cn.handling_micro(self.consignment.weight_kg)
        return self._handling

    @property
    def hub_co2(self) -> list[int]:
        """What changing service emits at each location (milligrams CO2e, hub factors)."""
        if self._hub_co2 is None:
            self._hub_co2 = self.cn.handling_co2_mg(self.consignment.weight_kg)
        return self._hub_co2

    @property
    def hc(self) -> list[float]:
        """Least static cost (micro-euros) from each location to the destination."""
        if self._hc is None:
            self._hc = loosened(self.cost_reverse.bounds(), 1.0)
        return self._hc

    @property
    def cost_reverse(self) -> Reverse:
        if self._cost_reverse is None:
            self._cost_reverse = self.cn.cost_reverse(self.goods, self.target, self.table, self.handling)
        return self._cost_reverse

    @property
    def co2_reverse(self) -> Reverse:
        if self._co2_reverse is None:
            self._co2_reverse = self.cn.co2_reverse(self.goods, self.target, self.table.co2, self.hub_co2)
        return self._co2_reverse

    @property
    def hco2(self) -> list[float]:
        """Least CO2e (mg) from each location to the destination: legs and hubs, exactly as
        the search adds them."""
        if self._hco2 is None:
            self._hco2 = self.co2_reverse.bounds().tolist()
        return self._hco2

    def prepare_vias(self, legs: Sequence[Via]) -> None:
        """Compute the primary bounds over walks with a leg as each of `legs` says, those not
        known yet, by one reverse search for all (`via_row` gives them)."""
        wanted = [leg for leg in dict.fromkeys(legs) if leg not in self._via]
        if not wanted:
            return
        objective = self.objective
        if objective is Objective.TIME:
            rows = self.cn.time_reverse(self.goods, self.target).vias(wanted)
            values = [loosened(row, TIME_MARGIN_S) for row in rows]
        elif objective is Objective.CO2:
            values = [row.tolist() for row in self.co2_reverse.vias(wanted)]
        else:
            values = [loosened(row, 1.0) for row in self.cost_reverse.vias(wanted)]
        self._via.update(zip(wanted, values, strict=True))

    def via_row(self, leg: Via) -> list[float]:
        """The primary bounds over walks that still take a leg of the mode (rank) of `leg` at
        least as long as its length, per location (INF where none reaches the destination)."""
        via = self._via.get(leg)
        if via is None:
            self.prepare_vias([leg])
            via = self._via[leg]
        return via

    @property
    def primary(self) -> list[float]:
        """The reverse bounds `bound` adds to the key's first figure: least cost (`cost`,
        `balanced`), seconds (`time`) or CO2e (`co2`) from each location to the destination."""
        objective = self.objective
        if objective is Objective.TIME:
            return self.ht
        if objective is Objective.CO2:
            return self.hco2
        return self.hc

    def bound_with(self, label: _Label, rest: float) -> tuple[float, ...]:
        """`bound` with `rest` in place of `primary` at the label's location: completions whose
        first figure grows by at least `rest` (INF: no completion). Rounding is monotone, so
        the least `rest` of several gives the least of their bounds."""
        if rest == INF:
            return (INF,)
        v = label.node
        objective = self.objective
        if objective is Objective.COST:
            return (label.cost + rest, label.time + self.ht[v])
        if objective is Objective.TIME:
            return (label.time + rest, label.cost + self.hc[v])
        if objective is Objective.CO2:
            return (label.co2 + rest, label.cost + self.hc[v])
        return (label.cost + rest + self.per_mg * (label.co2 + self.hco2[v])
                + self.per_day_s * (label.time + self.ht[v] - self.ready),)

    def key(self, label: _Label) -> tuple[float, ...]:
        return rank_key(self.objective, self.per_day_s, self.per_mg, label.cost, label.co2, label.time,
                        self.ready)

    def bound(self, label: _Label) -> tuple[float, ...]:
        """A lower bound of the key of every completion of `label` (A* order; `bound_with`
        with `primary`, written out: this runs per label)."""
        v = label.node
        objective = self.objective
        if objective is Objective.COST:
            return (label.cost + self.hc[v], label.time + self.ht[v])
        if objective is Objective.TIME:
            return (label.time + self.ht[v], label.cost + self.hc[v])
        if objective is Objective.CO2:
            return (label.co2 + self.hco2[v], label.cost + self.hc[v])
        return (label.cost + self.hc[v] + self.per_mg * (label.co2 + self.hco2[v])
                + self.per_day_s * (label.time + self.ht[v] - self.ready),)


def _kind(objective: Objective, pareto: bool) -> int:
    if pareto or objective is Objective.BALANCED:
        return _PARETO
    return _LEX_CO2 if objective is Objective.CO2 else _LEX_COST


class _Search:
    """One label-setting run (see the module docstring for the rules it implements)."""

    def __init__(self, p: _Problem, *, pareto: bool = False, by_mode: bool = False,
                 elementary: bool = False, k: int = 1, ranks: Sequence[int] | None = None,
                 stats: SearchStats | None = None, due: float | None = None,
                 latest: list[float] | None = None,
                 bound: Callable[[_Label], tuple[float, ...]] | None = None) -> None:
        self.p = p
        self.cn = p.cn
        self.kind = _kind(p.objective, pareto)
        self.pareto = pareto
        self.by_mode = by_mode or ranks is not None
        self.elementary = elementary
        self.k = k
        # The main modes (ranks) searched for, each its best; those whose best is proven close.
        self.ranks = None if ranks is None else tuple(ranks)
        self.open_ranks = self.ranks
        self.stats = stats or SearchStats()
        self.due = p.due if due is None else due
        self.latest = latest  # latest useful arrival per location (the `time` corridor)
        self.bound = bound or (self._ranks_bound if ranks is not None else p.bound)
        self.bags: dict[int, list[_Label]] = {}
        # On-demand services whose cost depends on the instant, by origin: they make their
        # origin time-sensitive (a label cannot leave later to match another's cost).
        self.sensitive: dict[int, list[tuple[int, DepartureCosts]]] = {}
        for si, special in p.costs.items():
            if not p.cn.timetabled[si]:
                self.sensitive.setdefault(p.cn.s_from[si], []).append((si, special))
        self.found: dict[object, _Label] = {}  # best complete label per route / main mode
        if self.by_mode:
            self.bottleneck = self.cn.floors(p.goods, p.target)
            leads = self.cn.leads_by_rank
            self.leads_by_rank = leads
            self.top_lead = [v[-1] if v else NO_LEAD for v in leads]
            origin_floor = self.bottleneck[p.origin]
            self.via_keys = [(rank, origin_floor) for rank in range(len(leads))]
            self.rank_rows: list[list[float] | None] = [None] * len(leads)  # `via_row` per rank
            self.primary = p.primary if ranks is not None else []
        if elementary:
            reach = self.cn.reach_masks(p.goods)
            arrive = 0
            for node, h in enumerate(p.ht):
                if h < INF:
                    arrive |= 1 << node
            # Locations that may still be passed on the way from each location: reachable from
            # it and able to reach the destination.
            self.ahead = [m & arrive for m in reach]

    # --- comparisons ----------------------------------------------------------------------

    def _tie_lt(self, a: _Label, b: _Label) -> bool:
        if a.legs != b.legs:
            return a.legs < b.legs
        return _sequence(self.cn, a) < _sequence(self.cn, b)

    def _dominates(self, a: _Label, b: _Label) -> bool:
        """Whether `a` dominates `b` at the same location (module docstring)."""
        if a.time > b.time:
            return False
        kind = self.kind
        if kind == _LEX_COST:
            if a.cost != b.cost:
                better = a.cost < b.cost
            elif a.co2 != b.co2:
                better = a.co2 < b.co2
            else:
                better = self._tie_lt(a, b)
        elif kind == _LEX_CO2:
            if a.co2 != b.co2:
                better = a.co2 < b.co2
            elif a.cost != b.cost:
                better = a.cost < b.cost
            else:
                better = self._tie_lt(a, b)
        else:
            if a.cost > b.cost or a.co2 > b.co2:
                return False
            # At the destination a label is complete: arriving earlier is then better too.
            better = (a.cost < b.cost or a.co2 < b.co2 or (a.time < b.time and a.node == self.p.target)
                      or self._tie_lt(a, b))
        if not better:
            return False
        # A label at the destination is complete (never expanded): what leaving it would cost
        # does not matter there.
        costs = self.sensitive.get(a.node) if a.node != self.p.target else None
        if costs is not None and a.time != b.time and not self._no_dearer(a, b, costs):
            return False
        if self.by_mode and not self._same_main_mode(a.lead, b.lead, a.node):
            return False
        if self.elementary:
            # `a` must be able to follow every completion of `b` (module docstring).
            return not (a.seen & ~b.seen & self.ahead[a.node])
        return True

    def _no_dearer(self, a: _Label, b: _Label, costs: list[tuple[int, DepartureCosts]]) -> bool:
        """Whether each time-sensitive on-demand leg costs `a` no more than `b`, each leaving
        when its cargo is available (or when the calendar next opens); a leg `b` cannot take
        at all does not matter."""
        at_a, at_b = self._available(a), self._available(b)
        for si, special in costs:
            leave_b = self.cn.open_from(si, at_b)
            if leave_b is None:
                continue
            leave_a = self.cn.open_from(si, at_a)
            if leave_a is None or special.cost(leave_a) > special.cost(leave_b):
                return False
        return True

    def _available(self, label: _Label) -> float:
        """When the cargo of `label` can leave its location (handling done)."""
        return label.time + (self.cn.handling_s[label.node] if label.parent is not None else 0.0)

    def _same_main_mode(self, x: Lead, y: Lead, node: int) -> bool:
        """Whether no completion from `node` can give labels with longest legs x and y
        different main modes."""
        if x == y:
            return True
        lo, hi = (x, y) if x < y else (y, x)
        floor = self.bottleneck[node]
        if floor > hi:
            return True  # every completion has a longer leg, which decides the mode
        if lo[1] != hi[1]:
            return False
        # Same mode: another mode's leg strictly between them would decide for one only.
        for rank, values in enumerate(self.leads_by_rank):
            if rank == hi[1] or not values:
                continue
            i = _bisect_right(values, lo)
            if i < len(values) and values[i] < hi:
                return False
        return True

    def _possible_ranks(self, label: _Label) -> list[int]:
        """Main modes (by rank) a completion of `label` can still give: its own longest leg's
        if some walk on needs no longer leg; another mode's if that mode has a leg longer than
        both the label's longest and the bottleneck (every walk on has a leg that long)."""
        lead = label.lead
        floor = self.bottleneck[label.node]
        ranks = [r for r, top in enumerate(self.top_lead) if top > lead and not top < floor]
        if lead != NO_LEAD and not floor > lead and lead[1] not in ranks:
            ranks.append(lead[1])
        return ranks

    # --- the search ---------------------------------------------------------------------------

    def admit(self, child: _Label) -> bool:
        """Add `child` to its location's bag unless dominated; drop what it dominates."""
        bag = self.bags.get(child.node)
        if bag is None:
            self.bags[child.node] = [child]
            return True
        k = self.k
        if k == 1:
            for other in bag:
                if self._dominates(other, child):
                    return False
        else:
            routes: set[tuple[int, ...]] = set()
            for other in bag:
                if self._dominates(other, child):
                    if other.sig == child.sig:
                        return False
                    routes.add(other.sig)
                    if len(routes) >= k:
                        return False
        survivors = []
        for other in bag:
            if (k == 1 or other.sig == child.sig) and self._dominates(child, other):
                other.dead = True
            else:
                survivors.append(other)
        survivors.append(child)
        self.bags[child.node] = survivors
        return True

    def _complete(self, label: _Label) -> None:
        """Record a label at the destination."""
        p = self.p
        if self.pareto:
            return  # already in the destination's bag, which holds the front
        if self.by_mode:
            rank = label.lead[1]
            if self.ranks is not None and rank not in self.ranks:
                return
            slot: object = rank
        elif self.k > 1:
            slot = label.sig
        else:
            slot = None
        best = self.found.get(slot)
        if best is None or (p.key(label), label.legs) < (p.key(best), best.legs) or (
                (p.key(label), label.legs) == (p.key(best), best.legs) and self._tie_lt(label, best)):
            self.found[slot] = label

    def _kth_key(self) -> tuple[float, ...] | None:
        """The key the search must beat: the best found (K-th best with alternatives)."""
        if len(self.found) < self.k:
            return None
        keys = sorted(self.p.key(lab) for lab in self.found.values())
        return keys[self.k - 1]

    def run(self) -> list[_Label]:
        p, cn = self.p, self.cn
        origin, target = p.origin, p.target
        ht = p.ht
        if ht[origin] == INF:
            return []
        start = _Label(origin, p.ready, 0, 0, 0, None, -1, p.ready, NO_LEAD,
                       1 << origin if self.elementary else 0, ())
        self.bags[origin] = [start]
        heap: list[tuple[tuple[float, ...], int, _Label]] = [(self.bound(start), 0, start)]
        counter = 1
        exhaustive = self.pareto
        limit: tuple[float, ...] | None = None
        closed_at = 0  # labels queued before this count were bounded over ranks closed since
        price, emit = p.leg_prices()
        handling_s, handling, hub_co2 = cn.handling_s, p.handling, p.hub_co2
        dur_s, cut_s, timetabled, s_to, leads = cn.dur_s, cn.cut_s, cn.timetabled, cn.s_to, cn.lead
        restricted = cn.restricted
        route_of: Sequence[int] = range(len(cn.services)) if p.options.variants_apart else cn.route_of
        horizon_end, due, latest = p.horizon_end, self.due, self.latest
        costs = p.costs
        while heap:
            bound, queued, label = heapq.heappop(heap)
            if label.dead:
                continue
            if self.open_ranks is not None:
                still = self._settle(bound)
                if not still:
                    break
                if len(still) < len(self.open_ranks):
                    self.open_ranks = still
                    closed_at = counter
                if queued < closed_at:
                    # Ranks closed since `label` was queued: its bound may have grown.
                    fresh = self.bound(label)
                    if fresh > bound:
                        if fresh[0] < INF:
                            heapq.heappush(heap, (fresh, counter, label))
                            counter += 1
                        continue
            elif not exhaustive:
                if limit is None:
                    limit = self._kth_key()
                if limit is not None and bound > limit[: len(bound)]:
                    break
            elif self.pareto and self._front_dominates(label):
                continue
            self.stats.labels_expanded += 1
            node = label.node
            if node == target:
                self._complete(label)
                limit = None
                continue
            available, cost, co2 = label.time, label.cost, label.co2
            if label.parent is not None:  # changing service here: handling time, charge, emissions
                available += handling_s[node]
                cost += handling[node]
                co2 += hub_co2[node]
            for si in p.out[node]:
                nxt = s_to[si]
                h = ht[nxt]
                if h == INF or (self.elementary and label.seen >> nxt & 1):
                    continue
                special = costs.get(si)
                if special is None:
                    if timetabled[si]:
                        depart = cn.next_departure(si, available + cut_s[si], horizon_end)
                        if depart is None:
                            continue
                    elif restricted[si]:
                        depart = cn.open_from(si, available)
                        if depart is None:
                            continue
                    else:
                        depart = available
                    options: list[tuple[float, float]] | tuple[tuple[float, float]] = ((depart, price[si]),)
                else:
                    options = _departure_options(cn, si, available, horizon_end, special)
                for depart, leg_cost in options:
                    arrive = depart + dur_s[si]
                    if arrive + h > due or (latest is not None and arrive > latest[nxt]):
                        break  # later departures arrive later still
                    lead = leads[si] if leads[si] > label.lead else label.lead
                    child = _Label(nxt, arrive, cost + leg_cost, co2 + emit[si], label.legs + 1,
                                   label, si, depart, lead,
                                   label.seen | 1 << nxt if self.elementary else 0,
                                   (*label.sig, route_of[si]) if self.k > 1 else ())
                    child_bound = self.bound(child)
                    if child_bound[0] < INF and self.admit(child):
                        self.stats.labels_created += 1
                        heapq.heappush(heap, (child_bound, counter, child))
                        counter += 1
        if self.pareto:
            return [lab for lab in self.bags.get(target, []) if not lab.dead]
        return list(self.found.values())

    def _settle(self, bound: tuple[float, ...]) -> tuple[int, ...]:
        """The open ranks less those whose best found beats `bound` (every label still queued
        has a bound at least that, for every rank): those are proven."""
        ranks = self.open_ranks
        assert ranks is not None
        found = self.found
        if not any(r in found for r in ranks):
            return ranks
        key = self.p.key
        return tuple(r for r in ranks if r not in found or not bound > key(found[r])[: len(bound)])

    def _ranks_bound(self, label: _Label) -> tuple[float, ...]:
        """The least bound of completions whose main mode is one of the open ranks (INF when
        none can be). For each rank, whether a completion can have it is
        `rank in self._possible_ranks(label)`, tested without building the list (this runs
        per label): a completion whose longest leg so far keeps the mode is bounded as any
        completion (`primary`); one that still needs a leg of the mode, over walks with one at
        least as long as the longest leg every walk from the origin needs (the origin's floor:
        one bound per mode and query, `via_row`). The bounds differ in the first figure only,
        so the least is `bound_with` the least of them."""
        ranks = self.open_ranks
        assert ranks is not None
        lead = label.lead
        v = label.node
        floor = self.bottleneck[v]
        rows = self.rank_rows
        least = INF
        for rank in ranks:
            if rank == lead[1] and not floor > lead:
                rest = self.primary[v]
            else:
                top = self.top_lead[rank]
                if not (top > lead and not top < floor):
                    continue
                row = rows[rank]
                if row is None:
                    row = rows[rank] = self.p.via_row(self.via_keys[rank])
                rest = row[v]
            if rest < least:
                least = rest
        return self.p.bound_with(label, least)

    def _front_dominates(self, label: _Label) -> bool:
        """Whether an itinerary found strictly dominates every completion of `label`."""
        p = self.p
        v = label.node
        lb = (label.cost + p.hc[v], label.co2 + p.hco2[v], label.time + p.ht[v])
        for other in self.bags.get(p.target, ()):
            if other.dead:
                continue
            mine = (other.cost, other.co2, other.time)
            if all(x <= y for x, y in zip(mine, lb, strict=True)) and any(
                    x < y for x, y in zip(mine, lb, strict=True)):
                return True
        return False


def _bisect_right(values: list[Lead], x: Lead) -> int:
    lo, hi = 0, len(values)
    while lo < hi:
        mid = (lo + hi) // 2
        if x < values[mid]:
            hi = mid
        else:
            lo = mid + 1
    return lo


def _departure_options(cn: CompiledNetwork, si: int, available: float, horizon_end: float,
                       special: DepartureCosts) -> list[tuple[float, float]]:
    """The departures of service `si` worth taking from `available`: the first, then each
    later one that is strictly cheaper than every earlier one (later and no cheaper is
    dominated). Departures are in time order."""
    times, default = special.times, special.default
    out: list[tuple[float, float]] = []
    if not cn.timetabled[si]:
        # On demand: as soon as it may leave (the cargo is there and the calendar open), or at a
        # listed instant later (the first open instant from there) if that is strictly cheaper.
        first = cn.open_from(si, available)
        if first is None:
            return out
        best = special.cost(first)
        out.append((first, best))
        for t in times[bisect.bisect_right(times, first):]:
            leave = cn.open_from(si, t)
            if leave is None:
                break
            value = special.cost(leave)
            if value < best and leave > out[-1][0]:
                out.append((leave, value))
                best = value
        return out
    depart = cn.next_departure(si, available + cn.cut_s[si], horizon_end)
    last_listed = times[-1] if times else -INF
    best = INF
    while depart is not None:
        value = special.cost(depart)
        if value < best:
            out.append((depart, value))
            best = value
        if (depart > last_listed and value == default) or best <= 0:
            break  # every later departure costs the default, or nothing is cheaper than free
        # Departures before `constant_until` cost the same, later: dominated, skipped.
        after = max(depart + 1.0, special.constant_until(depart))
        if after > horizon_end:
            break  # the price stays until the horizon (or for ever)
        depart = cn.next_departure(si, after, horizon_end)
    return out


# --- building itineraries ------------------------------------------------------------------------

def _itinerary(p: _Problem, label: _Label) -> Itinerary:
    chain = []
    node: _Label | None = label
    while node is not None and node.si >= 0:
        chain.append(node)
        node = node.parent
    chain.reverse()
    cn, c = p.cn, p.consignment
    network = cn.network
    legs, handling = [], []
    for i, step in enumerate(chain):
        service = cn.services[step.si]
        if i > 0:
            handling.append(Handling.at(network.locations[service.origin], c.weight_kg))
        depart = from_seconds(step.depart, network.locations[service.origin].tz)
        price = leg_price_on(network, service, c.weight_kg, c.volume_m3, depart.date())
        legs.append(Leg(
            service=service,
            depart=depart,
            arrive=from_seconds(step.time, network.locations[service.destination].tz),
            chargeable_kg=price.chargeable_kg, cost_eur=price.eur, basis=price.basis,
            containers=price.containers, co2e_kg=leg_co2e_kg(service, c.weight_kg),
            pricing=price,
        ))
    return Itinerary(c, tuple(legs), tuple(handling))


def _ranked(p: _Problem, search: _Search, labels: list[_Label]) -> list[_Label]:
    """Labels in the total order: key, fewest legs, lexicographic sequence."""
    return sorted(labels, key=lambda lab: (p.key(lab), lab.legs, _sequence(p.cn, lab)))


def _is_itinerary(p: _Problem, label: _Label) -> bool:
    nodes = _path_nodes(p.cn, label)
    return len(nodes) == len(set(nodes))


@dataclass(frozen=True)
class SearchResult:
    """Itineraries best first, and the work it took."""

    itineraries: tuple[Itinerary, ...]
    stats: SearchStats


def _best_one(p: _Problem, stats: SearchStats) -> _Label | None:
    """The best itinerary's label, whatever `alternatives` says."""
    if p.objective is Objective.TIME and not p.costs:
        from routing.earliest import earliest_then_cheapest

        return earliest_then_cheapest(p, stats)
    search = _Search(p, stats=stats)
    labels = _ranked(p, search, search.run())
    return labels[0] if labels else None


def _best(p: _Problem, stats: SearchStats) -> tuple[Itinerary, ...]:
    return tuple(_itinerary(p, label) for label in _best_labels(p, stats))


def _best_labels(p: _Problem, stats: SearchStats) -> list[_Label]:
    """The labels of the best itinerary and up to `alternatives` next-best, best first."""
    k = p.options.alternatives + 1
    if k == 1:
        label = _best_one(p, stats)
        return [] if label is None else [label]
    search = _Search(p, elementary=True, k=k, stats=stats)
    return _ranked(p, search, search.run())[:k]


def _best_per_mode(p: _Problem) -> dict[str, Itinerary]:
    return {mode: _itinerary(p, label) for mode, label in _best_labels_per_mode(p).items()}


def _best_labels_per_mode(p: _Problem) -> dict[str, _Label]:
    """The label of the best itinerary of each main mode the origin can still give, by mode:
    the plain search's best is the best of its own mode (same key, same tie order), and one
    search finds the other modes' (module docstring)."""
    out: dict[str, _Label] = {}
    probe = _Search(p, by_mode=True)
    start = _Label(p.origin, p.ready, 0, 0, 0, None, -1, p.ready, NO_LEAD, 0, ())
    ranks = probe._possible_ranks(start)
    best = _best_one(p, SearchStats()) if len(ranks) > 1 else None
    if best is not None:
        out[RANKED_MODES[best.lead[1]]] = best
    remaining = sorted((r for r in ranks if RANKED_MODES[r] not in out), key=lambda r: RANKED_MODES[r])
    if remaining:
        p.prepare_vias([(rank, probe.bottleneck[p.origin]) for rank in remaining])
        search = _Search(p, ranks=remaining)
        search.run()
        for rank in remaining:
            label = search.found.get(rank)
            if label is not None and not _is_itinerary(p, label):
                # Its cycle keeps the mode: search itineraries only.
                exact = _Search(p, elementary=True, ranks=(rank,)).run()
                label = exact[0] if exact else None
            if label is not None:
                out[RANKED_MODES[rank]] = label
    return {mode: out[mode] for mode in sorted(out)}


def best_itineraries(network: Network, consignment: Consignment,
                     options: SearchOptions | None = None,
                     costs: Mapping[int, DepartureCosts] | None = None) -> SearchResult:
    """The best itinerary under `options.objective` and up to `alternatives` next-best
    distinct ones (distinct service sequences), best first; empty when none exists.

    `costs` (service index in `compiled(network)` -> DepartureCosts) replaces the tariff of
    some services by departure-dependent costs; those of an on-demand service must be
    stepwise (ValueError otherwise: `DepartureCosts`)."""
    p = _Problem(network, consignment, options or SearchOptions(), costs)
    stats = SearchStats()
    return SearchResult(_best(p, stats), stats)


def pareto_itineraries(network: Network, consignment: Consignment,
                       options: SearchOptions | None = None) -> SearchResult:
    """Every non-dominated itinerary on (cost, CO2e, arrival), cheapest first (then earliest,
    then cleanest). Itineraries with the same three figures are listed once: the first in the
    tie order (fewest legs, then lexicographic sequence)."""
    p = _Problem(network, consignment, options or SearchOptions())
    stats = SearchStats()
    labels = _Search(p, pareto=True, stats=stats).run()
    ranked = sorted(labels, key=lambda lab: ((lab.cost, lab.time, lab.co2), lab.legs,
                                             _sequence(p.cn, lab)))
    return SearchResult(tuple(_itinerary(p, lab) for lab in ranked), stats)


def best_by_main_mode(network: Network, consignment: Consignment,
                      options: SearchOptions | None = None) -> dict[str, Itinerary]:
    """The best itinerary of each main mode (mode of the longest leg) that has one, exactly."""
    return _best_per_mode(_Problem(network, consignment, options or SearchOptions()))


def route_sequences(network: Network, consignment: Consignment, options: SearchOptions
                    ) -> list[tuple[Service, ...]]:
    """The service sequences of `best_itineraries` and then of `best_by_main_mode` (in that
    order, each once), preparing the search once and building no itinerary: what the planner's
    first columns start from."""
    p = _Problem(network, consignment, options)
    labels = [*_best_labels(p, SearchStats()), *_best_labels_per_mode(p).values()]
    services = p.cn.services
    out: list[tuple[Service, ...]] = []
    for label in labels:
        legs = []
        node: _Label | None = label
        while node is not None and node.si >= 0:
            legs.append(services[node.si])
            node = node.parent
        sequence = tuple(reversed(legs))
        if sequence not in out:
            out.append(sequence)
    return out


def earliest_arrival(network: Network, consignment: Consignment,
                     horizon_days: float = DEFAULT_HORIZON_DAYS) -> Itinerary | None:
    """The earliest-arriving itinerary ignoring the due date (to explain a missed one)."""
    relaxed = Consignment(consignment.origin, consignment.destination, consignment.weight_kg,
                          consignment.volume_m3, consignment.ready, None, consignment.goods,
                          consignment.value_eur, consignment.id)
    result = best_itineraries(network, relaxed,
                              SearchOptions(objective=Objective.TIME, horizon_days=horizon_days))
    return result.itineraries[0] if result.itineraries else None

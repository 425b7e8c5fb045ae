"""The best itinerary that is on time with probability at least P, lateness priced into
`balanced`, and how early a mode must leave to reach P (`route`, `compare`, `pareto`).

What is exact. The engine ranks itineraries in a total order (the objective's key, then fewest
legs, then the (service id, departure) sequence; `routing.search`). Two facts make a search over
its ranking exact:

1. Delays never shorten anything, and "the first departure at or after t" is non-decreasing in t,
   so of two timings of one service sequence where one leaves no later than the other at every
   leg, the earlier arrives no later in every draw (on the common random numbers of
   `routing.reliability`): its estimated on-time probability is at least as high and its
   expected lateness no higher — exactly, not only in expectation.
2. Within a sequence, a departure of a leg that is not strictly cheaper than every earlier one
   the cargo could take is dominated: the earlier one with the same subsequent departures costs
   no more, arrives at the same time, comes first in the sequence order and (1) is no less
   punctual. So the timings worth considering are the engine's own staircase: each leg at its
   first feasible departure, then each later one strictly cheaper than all before it (only where
   prices change inside the window, `routing.price_window`); every leg at its first departure is
   the sequence's most punctual timing.

The search takes the engine's distinct service sequences in rank order (`SearchOptions.
alternatives`, asked for in growing batches: 1, 8, 32, 128, 256 sequences), examines each
sequence's staircase timings, and keeps the best of them that meets P (or, lateness priced, the
best by key[0] + EUR per day late × expected days late). A sequence the engine has not yet listed
ranks, at every timing, after the last one it listed; lateness only adds to the key. So once the
N-th best feasible itinerary comes no later in the order than the last sequence listed (or the
engine lists fewer than asked: none is left), no unseen itinerary can be better: the result is
proven. A sequence whose most punctual timing misses P is dropped whole. The order within the
result is exact; feasibility rests on the estimated probabilities (`routing.reliability`: common
random numbers, standard error at most 0.5/sqrt(draws)), so an itinerary whose true probability
lies within a few standard errors of P may be classed either way. Without a proof within the
batches (more sequences than the last batch meet the due date), the best found is returned and
said not proven. Timings are also capped per sequence (`MAX_TIMINGS`), with the same caveat.

`pareto --on-time` keeps the front's itineraries that meet P: the front of the punctual ones may
hold itineraries the unconstrained front does not (dominated only by unpunctual ones); they are
not searched for.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from network.model import Network, Service
from network.timetable import WEEK_S, from_seconds, service_week_departures, to_seconds
from routing.compare import MODE_ORDER, Comparison, ModeGap, compare_modes, missing_modes
from routing.compiled import CompiledNetwork, compiled
from routing.consignment import Consignment
from routing.costing import leg_co2e_kg
from routing.itinerary import Handling, Itinerary, Leg
from routing.limits import MAX_EUR_PER_DAY
from routing.objectives import Objective, balanced_rates, rank_key
from routing.price_window import PriceWindow
from routing.reliability import (
    DEFAULT_DRAWS,
    DEFAULT_SEED,
    Figures,
    PlannedLeg,
    Simulator,
    figures,
    itinerary_figures,
    legs_of,
    percent,
    percent_below,
)
from routing.search import SearchOptions, _departure_options, best_by_main_mode, best_itineraries
from routing.tariffs import leg_price_on

# Distinct service sequences asked of the engine, batch after batch (the last is the cap).
BATCHES = (1, 8, 32, 128, 256)
MAX_TIMINGS = 2_000  # staircase timings examined per sequence at most
LOOKBACK_WEEKS = 26  # how far back "must leave by" looks for an earlier departure
INF = math.inf
Order = tuple[object, ...]


@dataclass(frozen=True)
class OnTimeGoal:
    """What punctuality is asked for: on time with probability ≥ `target` (None: no constraint)
    and `eur_per_day_late` per expected day late added to `balanced`."""

    target: float | None = None
    eur_per_day_late: float = 0.0
    draws: int = DEFAULT_DRAWS
    seed: int = DEFAULT_SEED

    def __post_init__(self) -> None:
        if self.target is not None and not (isinstance(self.target, (int, float))
                                            and 0.0 < self.target <= 1.0):
            raise ValueError(f"on-time probability must be greater than 0 and at most 1, not "
                             f"{self.target!r}")
        if not (isinstance(self.eur_per_day_late, (int, float))
                and 0.0 <= self.eur_per_day_late <= MAX_EUR_PER_DAY):
            raise ValueError(f"EUR per day late must be 0 to {MAX_EUR_PER_DAY:,.0f}, not "
                             f"{self.eur_per_day_late!r}")

    @property
    def active(self) -> bool:
        """Whether the search differs from the engine's (a target or a price of lateness)."""
        return self.target is not None or self.eur_per_day_late > 0.0


@dataclass(frozen=True)
class Found:
    """An itinerary, its reliability figures and its place in the order searched."""

    itinerary: Itinerary
    figures: Figures
    order: Order

    @property
    def on_time(self) -> float:
        return self.figures.on_time if self.figures.on_time is not None else 0.0


@dataclass(frozen=True)
class OnTimeResult:
    """The best itineraries meeting the goal (best first, distinct service sequences), whether
    that is proven (module docstring), the most punctual itinerary seen (what the message of a
    request that cannot be met gives), and how much was examined."""

    found: tuple[Found, ...]
    proven: bool
    most_punctual: Found | None
    sequences: int
    timings: int


class _Search:
    """One consignment's search state (module docstring)."""

    def __init__(self, network: Network, consignment: Consignment, options: SearchOptions,
                 goal: OnTimeGoal, sim: Simulator | None = None) -> None:
        if consignment.due is None:
            raise ValueError("an on-time search needs a due date")
        if goal.eur_per_day_late > 0 and options.objective is not Objective.BALANCED:
            raise ValueError("a price of lateness applies to the balanced objective")
        self.network, self.c, self.options, self.goal = network, consignment, options, goal
        self.sim = sim or Simulator(network, goal.draws, goal.seed)
        self.cn: CompiledNetwork = compiled(network)
        self.ready = to_seconds(consignment.ready)
        self.horizon_end = self.ready + options.horizon_days * 86400.0
        self.due = to_seconds(consignment.due)
        self.window = PriceWindow(network, self.cn, consignment.weight_kg, consignment.volume_m3,
                                  self.ready, self.horizon_end)
        self.per_day_s, self.per_mg = balanced_rates(options.weights)
        self.examined: dict[tuple[str, ...], Found | None] = {}
        self.best_seen: dict[str, Found] = {}  # most punctual per main mode
        self.timings = 0
        self.complete = True  # no sequence's timings were cut at MAX_TIMINGS
        self.tz = network.locations[consignment.destination].tz

    # --- orders -----------------------------------------------------------------------------

    def base_order(self, it: Itinerary) -> Order:
        key = rank_key(self.options.objective, self.per_day_s, self.per_mg, it.cost_micro, it.co2_mg,
                       to_seconds(it.arrive), self.ready)
        return (*key, len(it.legs), it.sequence)

    def order(self, it: Itinerary, figs: Figures) -> Order:
        base = self.base_order(it)
        if self.goal.eur_per_day_late <= 0.0:
            return base
        late = figs.days_late or 0.0
        return (base[0] + self.goal.eur_per_day_late * 1e6 * late, *base[1:])  # type: ignore[operator]

    # --- one sequence -----------------------------------------------------------------------

    def staircase(self, services: Sequence[Service]) -> list[tuple[PlannedLeg, ...]]:
        """The sequence's timings worth considering (module docstring, fact 2), most punctual
        first, each arriving by the due date."""
        cn = self.cn
        out: list[tuple[PlannedLeg, ...]] = []
        dated = self.window.dated
        handling = cn.handling_s

        def walk(i: int, available: float, legs: tuple[PlannedLeg, ...]) -> None:
            if len(out) >= MAX_TIMINGS:
                self.complete = False
                return
            if i == len(services):
                out.append(legs)
                return
            service = services[i]
            si = cn.service_index[service.id]
            if i:
                available += handling[cn.s_from[si]]
            special = dated.get(si)
            if special is not None:
                options = [d for d, _ in _departure_options(cn, si, available, self.horizon_end, special)]
            elif cn.timetabled[si]:
                first = cn.next_departure(si, available + cn.cut_s[si], self.horizon_end)
                options = [] if first is None else [first]
            else:
                first = cn.open_from(si, available)
                options = [] if first is None else [first]
            for depart in options:
                arrive = depart + cn.dur_s[si]
                if arrive > self.due:
                    break  # later departures arrive later still
                walk(i + 1, arrive, (*legs, (service, depart)))

        walk(0, self.ready, ())
        return out

    def itinerary(self, legs: Sequence[PlannedLeg]) -> Itinerary:
        return build_itinerary(self.network, self.c, legs)

    def examine(self, it: Itinerary) -> Found | None:
        """The best timing of `it`'s service sequence that meets the goal (None: none does)."""
        signature = it.signature
        if signature in self.examined:
            return self.examined[signature]
        services = [leg.service for leg in it.legs]
        timings = self.staircase(services)
        if legs_of(it) not in timings:  # the engine's own timing is always a candidate
            timings.append(legs_of(it))
        self.timings += len(timings)
        target = self.goal.target
        # The most punctual timing first (fact 1): when it misses P, every timing does.
        first = self._found(timings[0])
        self._seen(first)
        best: Found | None = None
        if target is None or first.on_time >= target:
            candidates = sorted((self.itinerary(t) for t in timings), key=self.base_order)
            for candidate in candidates:
                base = self.base_order(candidate)
                if best is not None and base >= best.order:
                    break  # lateness only adds: nothing after this can beat `best`
                found = first if candidate.sequence == first.itinerary.sequence else self._found(
                    legs_of(candidate), candidate)
                if target is not None and found.on_time < target:
                    continue
                if best is None or found.order < best.order:
                    best = found
                if self.goal.eur_per_day_late <= 0.0:
                    break  # the first feasible in the order is the sequence's best
        self.examined[signature] = best
        return best

    def _found(self, legs: tuple[PlannedLeg, ...], it: Itinerary | None = None) -> Found:
        it = it or self.itinerary(legs)
        sample = self.sim.run([legs])[0]
        figs = figures(self.sim, legs, sample, self.c.due, self.tz)
        return Found(it, figs, self.order(it, figs))

    def _seen(self, found: Found) -> None:
        mode = found.itinerary.main_mode
        current = self.best_seen.get(mode)
        if current is None or (found.on_time, _neg(found.order)) > (current.on_time, _neg(current.order)):
            self.best_seen[mode] = found

    def most_punctual(self, mode: str | None = None) -> Found | None:
        seen = [f for m, f in self.best_seen.items() if mode is None or m == mode]
        if not seen:
            return None
        return max(seen, key=lambda f: (f.on_time, _neg(f.order)))


def build_itinerary(network: Network, c: Consignment, legs: Sequence[PlannedLeg]) -> Itinerary:
    """The itinerary of `c` taking each service at the departure given, priced as the engine
    prices it (`routing.search`: each leg at its departure's local date)."""
    built, handling = [], []
    for i, (service, depart_s) in enumerate(legs):
        if i:
            handling.append(Handling.at(network.locations[service.origin], c.weight_kg))
        depart = from_seconds(depart_s, network.locations[service.origin].tz)
        price = leg_price_on(network, service, c.weight_kg, c.volume_m3, depart.date())
        built.append(Leg(service=service, depart=depart,
                         arrive=from_seconds(depart_s + service.duration_h * 3600.0,
                                             network.locations[service.destination].tz),
                         chargeable_kg=price.chargeable_kg, cost_eur=price.eur, basis=price.basis,
                         containers=price.containers, co2e_kg=leg_co2e_kg(service, c.weight_kg),
                         pricing=price))
    return Itinerary(c, tuple(built), tuple(handling))


def _neg(order: Order) -> tuple[object, ...]:
    """An order to maximise (ties go to the first in the order): its negated numeric head."""
    return tuple(-x if isinstance(x, (int, float)) else 0 for x in order[:-1])


def search_on_time(network: Network, consignment: Consignment, options: SearchOptions,
                   goal: OnTimeGoal, sim: Simulator | None = None) -> OnTimeResult:
    """The best `options.alternatives` + 1 itineraries (distinct service sequences) meeting
    `goal`, best first (module docstring: what is exact)."""
    s = _Search(network, consignment, options, goal, sim)
    need = options.alternatives + 1
    found: list[Found] = []
    proven = False
    for batch in BATCHES:
        k = max(batch, need)
        listed = best_itineraries(network, consignment, replace(options, alternatives=k - 1,
                                                                variants_apart=True)).itineraries
        for it in listed:
            if it.signature not in s.examined:
                result = s.examine(it)
                if result is not None:
                    found.append(result)
        found.sort(key=lambda f: f.order)
        found = _distinct_routes(found)
        if len(listed) < k:
            proven = True  # every sequence meeting the due date has been examined
            break
        bound = s.base_order(listed[-1])
        if len(found) >= need and found[need - 1].order <= bound:
            proven = True
            break
    return OnTimeResult(tuple(found[:need]), proven and s.complete, s.most_punctual(),
                        len(s.examined), s.timings)


def _distinct_routes(found: list[Found]) -> list[Found]:
    """`found` (best first) with the first of each route only: the sequences searched apart
    (a scenario's variant and its service) are one route to the user (`Itinerary.route`)."""
    seen: set[tuple[str, ...]] = set()
    out = []
    for f in found:
        if f.itinerary.route not in seen:
            seen.add(f.itinerary.route)
            out.append(f)
    return out


def best_by_mode_on_time(network: Network, consignment: Consignment, options: SearchOptions,
                         goal: OnTimeGoal, modes: Sequence[str],
                         sim: Simulator | None = None) -> dict[str, OnTimeResult]:
    """The best itinerary of each main mode in `modes` meeting `goal` (`compare`). Each mode's
    best itinerary (the engine's, exact) is examined first: when a timing of it meets the goal
    and nothing of that mode can rank between, the mode is settled; the others go through the
    engine's ranking as `search_on_time` does."""
    s = _Search(network, consignment, options, goal, sim)
    floors: dict[str, Order] = {}
    best: dict[str, Found] = {}
    for mode, it in best_by_main_mode(network, consignment, replace(options, alternatives=0)).items():
        floors[mode] = s.base_order(it)
        result = s.examine(it)
        if result is not None:
            best[mode] = result
    wanted = [m for m in modes if m in floors]  # a mode without an itinerary by due has none

    def settled(mode: str, bound: Order | None) -> bool:
        f = best.get(mode)
        if f is None:
            return False
        limit = floors[mode] if bound is None else max(floors[mode], bound)
        return f.order <= limit

    proven: dict[str, bool] = {m: settled(m, None) for m in wanted}
    for batch in BATCHES[1:]:
        if all(proven.values()):
            break
        listed = best_itineraries(network, consignment, replace(options, alternatives=batch - 1,
                                                                variants_apart=True)).itineraries
        for it in listed:
            if it.signature in s.examined:
                continue
            result = s.examine(it)
            mode = it.main_mode
            if result is not None and (mode not in best or result.order < best[mode].order):
                best[mode] = result
        bound = None if len(listed) < batch else s.base_order(listed[-1])
        for m in wanted:
            proven[m] = bound is None or settled(m, bound)  # no bound: every sequence examined
        if bound is None:
            break
    return {m: OnTimeResult((best[m],) if m in best else (), proven[m] and s.complete,
                            s.most_punctual(m), len(s.examined), s.timings) for m in wanted}


# --- how early to leave -------------------------------------------------------------------------


@dataclass(frozen=True)
class LeaveBy:
    """The latest departure of a sequence that is on time with probability ≥ target."""

    depart: datetime | None  # from the origin (local time); None: not reachable in the lookback
    probability: float  # the estimate at that departure (or the best reached)
    itinerary: Itinerary | None


def leave_by(network: Network, it: Itinerary, target: float, sim: Simulator,
             due: datetime | None = None, lookback_weeks: int = LOOKBACK_WEEKS) -> LeaveBy | None:
    """How late the cargo may leave to take the same services and be on time with probability
    ≥ `target`: the first timetabled leg at one of its earlier departures, the legs before it
    (on demand) as late as still makes its cut-off, the legs after it as early as possible.
    Earlier departures are more punctual (module docstring, fact 1; monotone on the common random
    numbers), so the latest one meeting the target is found by bisection. `due` defaults to the
    itinerary's consignment's. None when the sequence has no timetabled leg or there is no due
    date."""
    c = it.consignment if due is None else replace(it.consignment, due=due)
    if c.due is None:
        return None
    cn = compiled(network)
    services = [leg.service for leg in it.legs]
    first = next((i for i, s in enumerate(services) if s.is_timetabled), None)
    if first is None:
        return None
    main = services[first]
    planned = to_seconds(it.legs[first].depart)
    times = [t for week in range(int(planned // WEEK_S) - lookback_weeks, int(planned // WEEK_S) + 1)
             for t in service_week_departures(main, week) if t <= planned]
    times.sort(reverse=True)  # latest first: the planned departure, then earlier ones
    due_tz = network.locations[c.destination].tz

    def timing(depart: float) -> tuple[PlannedLeg, ...] | None:
        before: list[PlannedLeg] = []
        leave = depart - main.cutoff_h * 3600.0
        for k in range(first - 1, -1, -1):
            s = services[k]
            leave -= network.locations[services[k + 1].origin].handling_h * 3600.0 + s.duration_h * 3600.0
            si = cn.service_index[s.id]
            at = cn.open_until(si, leave)
            if at is None:
                return None
            before.append((s, at))
            leave = at
        legs: list[PlannedLeg] = [*reversed(before), (main, depart)]
        available = depart + main.duration_h * 3600.0
        for s in services[first + 1:]:
            si = cn.service_index[s.id]
            available += network.locations[s.origin].handling_h * 3600.0
            if s.is_timetabled:
                nxt = cn.next_departure(si, available + s.cutoff_h * 3600.0, available + 400 * 86400.0)
            else:
                nxt = cn.open_from(si, available)
            if nxt is None:
                return None
            legs.append((s, nxt))
            available = nxt + s.duration_h * 3600.0
        return tuple(legs)

    cache: dict[int, tuple[float, tuple[PlannedLeg, ...] | None]] = {}

    def probability(j: int) -> float:
        if j not in cache:
            legs = timing(times[j])
            if legs is None:
                cache[j] = (0.0, None)
            else:
                sample = sim.run([legs])[0]
                cache[j] = (figures(sim, legs, sample, c.due, due_tz).on_time or 0.0, legs)
        return cache[j][0]

    if not times:
        return None
    # Bisection for the smallest index (latest departure) whose probability reaches the target;
    # probability(j) is non-decreasing in j (earlier departures).
    last = len(times) - 1
    if probability(last) < target:
        legs = cache[last][1]
        return LeaveBy(None, probability(last), None if legs is None else _build(network, c, legs))
    lo, hi = 0, last
    while lo < hi:
        mid = (lo + hi) // 2
        if probability(mid) >= target:
            hi = mid
        else:
            lo = mid + 1
    legs = cache[lo][1]
    assert legs is not None
    built = _build(network, c, legs)
    return LeaveBy(built.depart, probability(lo), built)


def _build(network: Network, c: Consignment, legs: Sequence[PlannedLeg]) -> Itinerary:
    """The itinerary of `legs` for the consignment made ready at its first departure."""
    ready = from_seconds(legs[0][1], network.locations[legs[0][0].origin].tz)
    return build_itinerary(network, replace(c, ready=min(ready, c.ready)), legs)


def compare_line(network: Network, c: Consignment, rows: Sequence[tuple[str, Itinerary, Figures]],
                 target: float, sim: Simulator) -> str:
    """The line a planner acts on: each mode's chance of meeting `c`'s due date, and how early
    the ones below `target` must leave to reach it (`leave_by`)."""
    if not rows or c.due is None:
        return ""
    due = c.due.strftime("%d %b %Y").lstrip("0")
    origin = network.locations[c.origin].name
    chances = ", ".join(f"{mode} {percent(f.on_time or 0.0)}" for mode, _, f in rows)
    text = f"On time by {due}: {chances}."
    needs = []
    for mode, it, f in rows:
        if (f.on_time or 0.0) >= target:
            continue
        found = leave_by(network, it, target, sim, c.due)
        if found is None:
            continue
        if found.depart is None:
            needs.append(f"{mode} cannot reach it leaving up to {LOOKBACK_WEEKS} weeks earlier "
                         f"(best {percent_below(found.probability, target)})")
        else:
            needs.append(f"{mode} must leave {origin} by {found.depart.strftime('%a %d %b %Y %H:%M %z')}"
                         f" ({percent(found.probability)})")
    if needs:
        text += f" For {percent(target)}: " + "; ".join(needs) + "."
    return text


def _short(instant: datetime | None) -> str:
    return "never" if instant is None else instant.strftime("%Y-%m-%d %H:%M %z")


def figures_text(f: Figures) -> str:
    """One line of an itinerary's reliability for tables: p50 and p90 arrivals, on-time chance
    (with its standard error), chance of missing a connection."""
    parts = [f"arrives p50 {_short(f.arrive_p50)}", f"p90 {_short(f.arrive_p90)}"]
    if f.on_time is not None:
        error = f" (± {f.on_time_se * 100:.1f} points)" if f.on_time_se else ""
        parts.append(f"on time {percent(f.on_time)}{error}")
    parts.append(f"misses a connection {percent(f.missed_connection)}")
    if f.days_late:
        parts.append(f"expected {f.days_late:.2f} days late")
    if f.exact:
        parts.append("no delay data: as scheduled")
    elif f.legs_without_data:
        parts.append("legs " + ", ".join(map(str, f.legs_without_data)) + " without delay data")
    return "   " + " · ".join(parts)


def no_on_time_message(network: Network, c: Consignment, goal: OnTimeGoal,
                       most_punctual: Found | None, proven: bool, what: str = "itinerary") -> str:
    """Why nothing meets the target: the best probability reachable and by which itinerary."""
    assert c.due is not None and goal.target is not None
    head = (f"no {what} arrives by {c.due.isoformat()} with probability ≥ {percent(goal.target)}")
    if most_punctual is None:
        return head
    it, f = most_punctual.itinerary, most_punctual.figures
    best = "the best reachable" if proven else "the best found (not proven: more itineraries exist)"
    return (f"{head}; {best} is {percent_below(f.on_time, goal.target)} by {it.describe()} "
            f"({' > '.join(it.signature)}), departing {_short(it.depart)}, p90 arrival "
            f"{_short(f.arrive_p90)}, EUR {it.cost_eur:,.0f}")


# The probability `compare` says how to reach when no target is given.
DEFAULT_ON_TIME = 0.9


@dataclass(frozen=True)
class CompareReliability:
    """`compare` with reliability: the comparison (with `goal`, each mode's best itinerary meeting
    it), every mode's gap (`on_time`: none meets the target; its most punctual itinerary is the
    gap's `earliest`), the figures of every itinerary shown (by id), the line on how early to
    leave, whether the per-mode search is proven, and the message when no mode meets the goal."""

    comparison: Comparison
    gaps: dict[str, ModeGap]
    figures: dict[int, Figures]
    line: str
    proven: bool | None
    sequences: int
    unreachable: str | None = None


def compare_reliability(network: Network, c: Consignment, options: SearchOptions, goal: OnTimeGoal,
                        comparison: Comparison, sim: Simulator) -> CompareReliability:
    """What reliability adds to `compare` (`routing.compare.compare`'s result)."""
    figs: dict[int, Figures] = {}
    on_time_gaps: dict[str, ModeGap] = {}
    proven: bool | None = None
    sequences = 0
    if goal.active:
        modes = [m for m in MODE_ORDER if m in comparison.by_mode]
        per_mode = best_by_mode_on_time(network, c, options, goal, modes, sim)
        by_mode: dict[str, Itinerary] = {}
        for mode in modes:
            outcome = per_mode[mode]
            if outcome.found:
                by_mode[mode] = outcome.found[0].itinerary
                figs[id(by_mode[mode])] = outcome.found[0].figures
                continue
            punctual = outcome.most_punctual
            text = (f"on time: {percent_below(punctual.on_time if punctual else 0.0, goal.target)} < "
                    f"{percent(goal.target)}" + ("" if outcome.proven else " (best found, not proven)"))
            on_time_gaps[mode] = ModeGap(mode, "on_time", text, punctual.itinerary if punctual else None)
            if punctual is not None:
                figs[id(punctual.itinerary)] = punctual.figures
        proven = all(o.proven for o in per_mode.values())
        sequences = max((o.sequences for o in per_mode.values()), default=0)
        if not by_mode:
            seen = [o.most_punctual for o in per_mode.values() if o.most_punctual is not None]
            best = max(seen, key=lambda f: f.on_time) if seen else None
            return CompareReliability(comparison, on_time_gaps, figs, "", proven, sequences,
                                      no_on_time_message(network, c, goal, best, proven))
        comparison = compare_modes(network, by_mode)
    shown = {**comparison.by_mode, **{m: g.earliest for m, g in on_time_gaps.items() if g.earliest}}
    gaps = {**missing_modes(network, c, options, shown), **on_time_gaps}
    others = [it for it in [*comparison.by_mode.values(), *(g.earliest for g in gaps.values())]
              if it is not None and id(it) not in figs]
    figs.update((id(it), f) for it, f in zip(others, itinerary_figures(network, others, sim=sim, due=c.due),
                                              strict=True))
    line = ""
    if c.due is not None:
        rows = [(m, it, figs[id(it)]) for m in MODE_ORDER
                for it in [comparison.by_mode.get(m) or (gaps[m].earliest if m in gaps else None)]
                if it is not None]
        line = compare_line(network, c, rows, goal.target or DEFAULT_ON_TIME, sim)
    return CompareReliability(comparison, gaps, figs, line, proven, sequences)

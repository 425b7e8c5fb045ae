"""On-time probabilities in plans (issue 16): each consignment's chance of meeting its due date
on the itinerary it is given, and `--on-time P` as a constraint per consignment.

A column (candidate itinerary) of a consignment with a due date is admissible when its on-time
probability, estimated as `routing.reliability` does with `PLAN_DRAWS` draws and the default
seed (common random numbers; standard error at most 0.016), is at least P; only admissible
columns enter the model. Columns are filtered where they are made: the first candidates
(`pipeline._columns`), the columns priced by column generation (`colgen.price_round`) and those
added to complete it (`colgen.complete_columns`).

Pricing itself ignores the probability: it prices every itinerary, a superset of the admissible
ones, so its Lagrangian bound stays a valid lower bound of the constrained plan — a relaxation,
only a weaker one — and completion still adds every admissible itinerary within the reduced-cost
gap (it enumerates them all and drops the inadmissible). What is lost is in the served count: a
consignment whose generated candidates all miss P is left out (`on_time`) unless pricing finds
it an admissible itinerary, and the plan then claims no upper bound on the number served from
the candidate set (`pipeline._columns`). The probabilities reported in assignments.csv and
plan.json are the same estimates the constraint used (same draws, same seed).
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence

from network.model import Network
from network.timetable import to_seconds
from routing.consignment import Consignment
from routing.planner.candidates import Candidate
from routing.planner.model import Plan, PlanRequest, Unassigned
from routing.reliability import DEFAULT_SEED, Figures, PlannedLeg, Simulator, figures, percent, percent_below

# Draws per column: the standard error of a probability is at most 0.5/sqrt(1,000) = 0.016
# (route and compare use 10,000: 0.005); fewer draws keep judging 10,000 columns within a few
# per cent of the time limit (bench/reliability_perf.py).
PLAN_DRAWS = 1_000

_SIMULATORS: weakref.WeakKeyDictionary[Network, Simulator] = weakref.WeakKeyDictionary()


def simulator(network: Network) -> Simulator:
    """The plan's simulator of `network` (its departures expanded once)."""
    found = _SIMULATORS.get(network)
    if found is None:
        found = _SIMULATORS[network] = Simulator(network, PLAN_DRAWS, DEFAULT_SEED)
    return found


def _legs(candidate: Candidate) -> tuple[PlannedLeg, ...]:
    return tuple((leg.service, leg.depart_s) for leg in candidate.legs)


def probabilities(network: Network, items: Sequence[tuple[tuple[PlannedLeg, ...], float]]) -> list[float]:
    """The on-time probability of each (legs, due instant); identical ones are simulated once."""
    rows: dict[tuple[tuple[tuple[str, float], ...], float], int] = {}
    plans: list[tuple[PlannedLeg, ...]] = []
    dues: list[float] = []
    index = []
    for legs, due in items:
        key = (tuple((s.id, t) for s, t in legs), due)
        row = rows.get(key)
        if row is None:
            row = rows[key] = len(plans)
            plans.append(legs)
            dues.append(due)
        index.append(row)
    values = simulator(network).on_time(plans, dues).tolist()
    return [values[row] for row in index]


def _probabilities_of(request: PlanRequest, candidates: Sequence[Candidate]) -> list[float | None]:
    """Each candidate's on-time probability (None: its consignment has no due date)."""
    asked = [(k, c) for k, c in enumerate(candidates) if request.consignments[c.ci].due is not None]
    out: list[float | None] = [None] * len(candidates)
    if not asked:
        return out
    values = probabilities(request.network, [
        (_legs(c), to_seconds(request.consignments[c.ci].due))  # type: ignore[arg-type]
        for _, c in asked])
    for (k, _), p in zip(asked, values, strict=True):
        out[k] = p
    return out


def _judged(request: PlanRequest, candidates: Sequence[Candidate]) -> list[bool]:
    """Whether each candidate is admissible (no target, or no due date: all are)."""
    target = request.on_time
    if target is None:
        return [True] * len(candidates)
    return [p is None or p >= target for p in _probabilities_of(request, candidates)]


# Per request (by id, dropped with it): each consignment's most punctual first candidate, as
# (probability, services), for the reason of one left out (`unassigned_on_time`).
_MOST_PUNCTUAL: dict[int, dict[str, tuple[float, str]]] = {}


def admissible_candidates(request: PlanRequest, candidates: list[list[Candidate]]
                          ) -> tuple[list[list[Candidate]], int]:
    """The first candidates without the inadmissible ones, and how many consignments that left
    without any (they had some)."""
    if request.on_time is None:
        return candidates, 0
    flat = [c for per in candidates for c in per]
    values = _probabilities_of(request, flat)
    target = request.on_time
    best: dict[str, tuple[float, str]] = {}
    for cand, p in zip(flat, values, strict=True):
        cid = request.consignments[cand.ci].id
        if p is not None and (cid not in best or p > best[cid][0]):
            best[cid] = (p, " > ".join(leg.service.id for leg in cand.legs))
    if id(request) not in _MOST_PUNCTUAL:
        weakref.finalize(request, _MOST_PUNCTUAL.pop, id(request), None)
    _MOST_PUNCTUAL[id(request)] = best
    keep = iter(p is None or p >= target for p in values)
    out = [[c for c in per if next(keep)] for per in candidates]
    emptied = sum(1 for before, after in zip(candidates, out, strict=True) if before and not after)
    return out, emptied


def admissible_columns(request: PlanRequest, columns: dict[int, Candidate]) -> dict[int, Candidate]:
    """The priced columns that are admissible (column generation's new columns)."""
    if request.on_time is None or not columns:
        return columns
    items = list(columns.items())
    keep = _judged(request, [c for _, c in items])
    return {ci: c for (ci, c), ok in zip(items, keep, strict=True) if ok}


def admissible_lists(request: PlanRequest, columns: dict[int, list[Candidate]] | None
                     ) -> dict[int, list[Candidate]] | None:
    """The admissible ones of each consignment's columns (the completion's)."""
    if request.on_time is None or not columns:
        return columns
    flat = [c for per in columns.values() for c in per]
    keep = iter(_judged(request, flat))
    out = {ci: [c for c in per if next(keep)] for ci, per in columns.items()}
    return {ci: per for ci, per in out.items() if per}


def unassigned_on_time(request: PlanRequest, c: Consignment) -> Unassigned | None:
    """Why a consignment without an admissible column is left out, when --on-time is the reason:
    it has itineraries meeting its due date, none of its candidates (the engine's best service
    sequences, each at its most punctual departures) on time with probability P. None when the
    target is not the reason (no target, no due date, or nothing meets the due date at all)."""
    target = request.on_time
    if target is None or c.due is None:
        return None
    known = _MOST_PUNCTUAL.get(id(request), {}).get(c.id)
    if known is not None:  # its first candidates were judged: the most punctual of them
        best = percent_below(known[0], target)
        return Unassigned(c, "on_time", f"no candidate itinerary is on time with probability ≥ "
                                        f"{percent(target)}; the most punctual is {best} ({known[1]})")
    from routing.planner.candidates import expand, search_options, weights_for
    from routing.search import route_sequences

    options = search_options(request.objective, weights_for(c, request.eur_per_day, request.eur_per_tco2),
                             request.horizon_days, request.alternatives)
    earliest: list[Candidate] = []
    for services in route_sequences(request.network, c, options):
        variants = expand(request.network, c, services, 0, request.horizon_days, 1)
        if variants:
            earliest.append(variants[0])  # every leg at its first departure: the most punctual
    if not earliest:
        return None
    values = probabilities(request.network, [(_legs(e), to_seconds(c.due)) for e in earliest])
    k = max(range(len(earliest)), key=values.__getitem__)
    route = " > ".join(leg.service.id for leg in earliest[k].legs)
    best = percent_below(values[k], target)
    return Unassigned(c, "on_time", f"no candidate itinerary is on time with probability ≥ "
                                    f"{percent(target)}; the most punctual is {best} ({route})")


def assignment_figures(plan: Plan) -> dict[str, Figures]:
    """The reliability of each assigned itinerary, by consignment id (the same estimates as the
    constraint: `PLAN_DRAWS` draws, the default seed)."""
    network = plan.request.network
    sim = simulator(network)
    legs = [tuple((network.services[leg.service_id], to_seconds(leg.depart)) for leg in a.legs)
            for a in plan.assignments]
    samples = sim.run(legs)
    return {a.consignment.id: figures(sim, lg, sample, a.consignment.due,
                                      network.locations[a.consignment.destination].tz)
            for a, lg, sample in zip(plan.assignments, legs, samples, strict=True)}

"""Candidate itineraries per consignment: distinct service sequences × departure variants.

Sequences come from the exact itinerary engine (`best_itineraries` with alternatives, plus the
best itinerary of each main mode, so a full air departure can always fall back to rail or sea).
Each sequence is then expanded into departure variants: every timetabled leg may take its
earliest feasible departure or up to `max_departures - 1` later ones (capacity may force them,
consolidation may reward them). Downstream legs are recomputed with the same rules as the
engine: handling_h at every intermediate location, cut-off before a timetabled departure,
departures no later than ready + horizon (on-demand legs have no timetable and are not
limited by it), arrival no later than the due date. On-demand legs leave as soon as the cargo is
available and the service's calendar open, or at the start of a later price stretch where the
loose price is strictly lower (`tariff.py`). Every leg is priced at its departure's date
(`tariff.PlanTariffs`). These candidates are the first columns of the plan's model; column generation
(`colgen.py`) adds every itinerary that can improve it, so the caps only shape the start.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from network.model import Network, Service
from network.timetable import next_departure_s, next_open_s, to_seconds
from routing.consignment import Consignment
from routing.costing import leg_co2e_kg
from routing.objectives import Objective, Weights
from routing.planner.tariff import PlanTariffs, plan_tariffs
from routing.search import SearchOptions, route_sequences

INF = float("inf")


@dataclass(frozen=True)
class CandidateLeg:
    """A service at one departure, priced for the consignment at that departure's date: loose
    (`lcl_eur`), or riding in containers costing `box_eur` each (None: the service sells none)
    plus `boxed_eur` (the per-consignment surcharges a boxed rider still pays)."""

    service: Service
    depart_s: float
    arrive_s: float
    lcl_eur: float
    co2e_kg: float
    box_eur: float | None = None
    boxed_eur: float = 0.0

    @cached_property
    def key(self) -> tuple[str, float]:
        """The departure this leg rides on: (service id, departure instant); computed once
        (every stage looks legs up by it)."""
        return (self.service.id, self.depart_s)


@dataclass(frozen=True)
class Candidate:
    """One itinerary of one consignment (index `ci` in the request)."""

    ci: int
    legs: tuple[CandidateLeg, ...]
    handling_eur: float
    ready_s: float
    handling_co2e_kg: float = 0.0  # hub emissions at the changes of service

    @property
    def arrive_s(self) -> float:
        return self.legs[-1].arrive_s

    @property
    def co2e_kg(self) -> float:
        return sum(leg.co2e_kg for leg in self.legs) + self.handling_co2e_kg

    @property
    def transit_h(self) -> float:
        return (self.arrive_s - self.ready_s) / 3600.0


def search_options(objective: Objective, weights: Weights, horizon_days: float,
                   alternatives: int) -> SearchOptions:
    """The engine's options for one consignment of the plan."""
    return SearchOptions(objective, weights, horizon_days, alternatives)


def priced_leg(tariffs: PlanTariffs, consignment: Consignment, service: Service,
               depart_s: float) -> CandidateLeg:
    """`service` leaving at `depart_s`, priced for `consignment` on that day."""
    terms = tariffs.at(service, depart_s)
    w = consignment.weight_kg
    return CandidateLeg(service, depart_s, depart_s + service.duration_h * 3600.0,
                        terms.loose_eur(w, consignment.volume_m3), leg_co2e_kg(service, w),
                        terms.box_eur, terms.boxed_eur)


def on_demand_departures(tariffs: PlanTariffs, service: Service, available_s: float,
                         loose: Callable[[float], float]) -> list[float]:
    """When cargo available at `available_s` may leave on on-demand `service`: the first open
    instant, then the first open instant of each later price stretch whose `loose` price is
    strictly lower than every earlier one (later and no cheaper is never better)."""
    first = next_open_s(service, available_s)
    if first is None:
        return []
    out = [first]
    best = loose(first)
    for start in tariffs.later_starts(service, first):
        leave = next_open_s(service, start)
        if leave is None:
            break
        value = loose(leave)
        if value < best and leave > out[-1]:
            out.append(leave)
            best = value
    return out


def expand(network: Network, consignment: Consignment, services: tuple[Service, ...],
           ci: int, horizon_days: float, max_departures: int) -> list[Candidate]:
    """Every departure variant of a service sequence, earliest first (up to the caps)."""
    tariffs = plan_tariffs(network)
    ready_s = to_seconds(consignment.ready)
    horizon_s = ready_s + horizon_days * 86400.0
    due_s = to_seconds(consignment.due) if consignment.due is not None else INF
    w, v = consignment.weight_kg, consignment.volume_m3
    handling = sum(network.locations[s.origin].handling_cost_eur(w) for s in services[1:])
    hub_co2 = sum(network.locations[s.origin].handling_co2e_kg(w) for s in services[1:])
    out: list[Candidate] = []

    def walk(i: int, available_s: float, legs: tuple[CandidateLeg, ...]) -> None:
        if i == len(services):
            out.append(Candidate(ci, legs, handling, ready_s, hub_co2))
            return
        service = services[i]
        if i > 0:
            available_s += network.locations[service.origin].handling_h * 3600.0
        if not service.is_timetabled:  # on demand: no timetable, so no horizon either
            departures = on_demand_departures(
                tariffs, service, available_s, lambda t: tariffs.at(service, t).loose_eur(w, v))
            for depart in departures[:max_departures]:
                leg = priced_leg(tariffs, consignment, service, depart)
                if leg.arrive_s > due_s:
                    return
                walk(i + 1, leg.arrive_s, (*legs, leg))
            return
        scheduled = next_departure_s(service, available_s + service.cutoff_h * 3600.0, horizon_s)
        taken = 0
        while scheduled is not None and taken < max_departures:
            leg = priced_leg(tariffs, consignment, service, scheduled)
            if leg.arrive_s > due_s:
                return
            walk(i + 1, leg.arrive_s, (*legs, leg))
            taken += 1
            scheduled = next_departure_s(service, scheduled + 1.0, horizon_s)

    walk(0, ready_s, ())
    return out


def from_legs(network: Network, consignment: Consignment, ci: int,
              legs: tuple[tuple[Service, float], ...]) -> Candidate:
    """The candidate of consignment `ci` taking each service at the departure given (the
    itineraries found by pricing): times, loose freight and CO2e recomputed here."""
    w = consignment.weight_kg
    tariffs = plan_tariffs(network)
    built = [priced_leg(tariffs, consignment, service, depart) for service, depart in legs]
    handling = sum(network.locations[s.origin].handling_cost_eur(w) for s, _ in legs[1:])
    hub_co2 = sum(network.locations[s.origin].handling_co2e_kg(w) for s, _ in legs[1:])
    return Candidate(ci, tuple(built), handling, to_seconds(consignment.ready), hub_co2)


def weights_for(consignment: Consignment, eur_per_day: float | None, eur_per_tco2: float) -> Weights:
    """The balanced weights of one consignment (its own carrying cost unless one is given)."""
    from routing.objectives import default_eur_per_day

    per_day = default_eur_per_day(consignment.value_eur) if eur_per_day is None else eur_per_day
    return Weights(per_day, eur_per_tco2)


def generate(network: Network, consignments: tuple[Consignment, ...], objective: Objective, *,
             eur_per_day: float | None, eur_per_tco2: float, horizon_days: float,
             alternatives: int, max_departures: int,
             progress: Callable[[str], None] | None = None,
             stop: Callable[[], bool] = lambda: False) -> tuple[list[list[Candidate]], int]:
    """Candidates of every consignment (an empty list when none reaches it in time), and how
    many consignments were searched before `stop()` said to stop (the rest have none yet)."""
    result: list[list[Candidate]] = [[] for _ in consignments]
    cache: dict[tuple[object, ...], list[tuple[Service, ...]]] = {}
    for ci, c in enumerate(consignments):
        if ci % 64 == 0 and stop():
            return result, ci
        weights = weights_for(c, eur_per_day, eur_per_tco2)
        # Sequences depend on everything but the id: identical requests share one search.
        key = (c.origin, c.destination, c.weight_kg, c.volume_m3, c.ready, c.due, c.goods,
               weights)
        sequences = cache.get(key)
        if sequences is None:
            options = search_options(objective, weights, horizon_days, alternatives)
            sequences = cache[key] = route_sequences(network, c, options)
        for seq in sequences:
            result[ci].extend(expand(network, c, seq, ci, horizon_days, max_departures))
        if progress is not None and (ci + 1) % 2000 == 0:
            progress(f"candidates: {ci + 1}/{len(consignments)} consignments, "
                     f"{sum(len(r) for r in result)} itineraries")
    return result, len(consignments)

"""The same query under the base network and under each what-if scenario, side by side
(`scenarios compare`): the best itinerary per main mode and overall, or a plan's headline
figures, and what changed against the base."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from network.model import Network, Service
from network.scenarios import apply_scenarios, closed_services, load_scenarios
from routing.compare import MODE_ORDER
from routing.consignment import Consignment
from routing.itinerary import Itinerary
from routing.objectives import Objective, Weights, balanced_rates, rank_key
from routing.search import SearchOptions, best_by_main_mode

BASE = "base"


@dataclass(frozen=True)
class Column:
    """One network a query runs on: the base, or the base with scenario files applied."""

    label: str
    files: tuple[Path, ...]
    network: Network

    @property
    def closed(self) -> list[str]:
        """Services its scenarios close for some time."""
        return closed_services(self.network) if self.files else []


def columns(base: Network, groups: Sequence[Sequence[Path]]) -> list[Column]:
    """The base column, then one per group of scenario files (applied in order). Every file
    is checked before any query runs: problems of all of them at once."""
    scenarios = load_scenarios([f for group in groups for f in group], base)
    out = [Column(BASE, (), base)]
    i = 0
    for group in groups:
        mine = scenarios[i:i + len(group)]
        i += len(group)
        out.append(Column(" + ".join(s.name for s in mine), tuple(group), apply_scenarios(base, mine)))
    return out


@dataclass(frozen=True)
class Outcome:
    """A consignment's best itineraries on one column's network."""

    column: Column
    network: Network  # the column's, world cities joined
    consignment: Consignment
    by_mode: dict[str, Itinerary]
    best: Itinerary | None


def objective_order(objective: Objective, weights: Weights) -> Callable[[Itinerary], tuple[object, ...]]:
    """The engine's total order of itineraries under `objective` (key, fewest legs, sequence)."""
    per_day_s, per_mg = balanced_rates(weights)

    def key(it: Itinerary) -> tuple[object, ...]:
        return (rank_key(objective, per_day_s, per_mg, it.cost_micro, it.co2_mg, it.arrive.timestamp(),
                         it.consignment.ready.timestamp()), len(it.legs), it.sequence)
    return key


def run_consignment(cols: Sequence[Column], build: Callable[[Network], tuple[Network, Consignment]],
                    options: SearchOptions) -> list[Outcome]:
    """The best itinerary per main mode (exact, as `compare`) and overall, on every column."""
    order = objective_order(options.objective, options.weights)
    out = []
    for col in cols:
        net, consignment = build(col.network)
        by_mode = best_by_main_mode(net, consignment, replace(options, alternatives=0))
        ordered = {m: by_mode[m] for m in MODE_ORDER if m in by_mode}
        best = min(ordered.values(), key=order) if ordered else None
        out.append(Outcome(col, net, consignment, ordered, best))
    return out


def change(base: Itinerary | None, other: Itinerary | None) -> dict[str, Any]:
    """What changed from `base` to `other`: cost, transit, CO2e, and whether it is served."""
    if base is None or other is None:
        return {"served": other is not None, "was_served": base is not None,
                "cost_eur": None, "transit_h": None, "co2e_kg": None}
    return {"served": True, "was_served": True,
            "cost_eur": round(other.cost_eur - base.cost_eur, 2),
            "transit_h": round(other.transit_h - base.transit_h, 2),
            "co2e_kg": round(other.co2e_kg - base.co2e_kg, 2)}


def union_network(networks: Sequence[Network]) -> Network:
    """One network holding every location, service and shape of `networks` (scenario variants
    and world cities included), for a map of all their itineraries."""
    first = networks[0]
    locations = {k: v for n in networks for k, v in n.locations.items()}
    services: dict[str, Service] = {k: v for n in networks for k, v in n.services.items()}
    shapes = {k: v for n in networks for k, v in n.shapes.items()}
    return Network(locations=locations, services=services, shapes=shapes, access=first.access,
                   name=first.name, fx=first.fx, corridors=first.corridors)


@dataclass(frozen=True)
class PlanOutcome:
    """A plan's headline figures on one column's network."""

    column: Column
    summary: dict[str, Any]
    served_by_mode: dict[str, int]


def main_mode(network: Network, service_ids: Sequence[str]) -> str:
    """The mode of the longest leg (as `Itinerary.main_mode`) of a planned service sequence."""
    from routing.compiled import MODE_RANK

    services = [network.services[s] for s in service_ids]
    return max(services, key=lambda s: (s.distance_km, MODE_RANK[s.mode])).mode


def run_plan(cols: Sequence[Column], consignments_csv: Path, *, objective: Objective,
             horizon_days: float, time_limit_s: float, solver: str) -> list[PlanOutcome]:
    """The plan of the consignments CSV on every column, with the public planner
    (`routing.planner.plan_consignments`), each within `time_limit_s`."""
    from routing.planner import PlanRequest, plan_consignments
    from routing.planner.consignments import read_consignments
    from routing.planner.output import summary

    out = []
    for col in cols:
        network, consignments = read_consignments(consignments_csv, col.network, horizon_days)
        plan = plan_consignments(PlanRequest(network, consignments, objective, horizon_days=horizon_days,
                                             solver=solver, time_limit_s=time_limit_s))
        by_mode: dict[str, int] = {}
        for a in plan.assignments:
            mode = main_mode(network, [leg.service_id for leg in a.legs])
            by_mode[mode] = by_mode.get(mode, 0) + 1
        out.append(PlanOutcome(col, summary(plan), {m: by_mode[m] for m in MODE_ORDER if m in by_mode}))
    return out

"""Which of several itineraries a map shows first: the best under the query's objective."""

from __future__ import annotations

from collections.abc import Sequence

from routing.itinerary import Itinerary
from routing.objectives import Objective, Weights, balanced_rates, rank_key


def objective_key(it: Itinerary, objective: Objective,
                  weights: Weights | None = None) -> tuple[object, ...]:
    """The search's total order for `it`: the objective's key, fewest legs, then sequence."""
    per_day_s, per_mg = balanced_rates(weights or Weights())
    key = rank_key(objective, per_day_s, per_mg, it.cost_micro, it.co2_mg, it.arrive.timestamp(),
                   it.consignment.ready.timestamp())
    return (key, len(it.legs), it.sequence)


def best_index(itineraries: Sequence[Itinerary], objective: Objective,
               weights: Weights | None = None) -> int:
    """The index of the best itinerary under `objective` (the first on a tie)."""
    if not itineraries:
        raise ValueError("no itineraries")
    return min(range(len(itineraries)),
               key=lambda i: (objective_key(itineraries[i], objective, weights), i))

"""Which of several itineraries a map shows first: the best under the query's objective."""

from __future__ import annotations

from collections.abc import Sequence

from routing.itinerary import Itinerary
from routing.objectives import Objective, Weights, ranking_key


def objective_key(it: Itinerary, objective: Objective,
                  weights: Weights | None = None) -> tuple[float, ...]:
    """The objective's ranking key of `it`, the same as the search's final ranking."""
    return ranking_key(objective, weights or Weights(), it.cost_eur, it.co2e_kg,
                       it.arrive.timestamp(), it.consignment.ready.timestamp())


def best_index(itineraries: Sequence[Itinerary], objective: Objective,
               weights: Weights | None = None) -> int:
    """The index of the best itinerary under `objective` (the first on a tie)."""
    if not itineraries:
        raise ValueError("no itineraries")
    return min(range(len(itineraries)),
               key=lambda i: (objective_key(itineraries[i], objective, weights), i))

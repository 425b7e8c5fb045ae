"""Which of several itineraries a map shows first: the best under the query's objective."""

from __future__ import annotations

from collections.abc import Sequence

from routing.itinerary import Itinerary
from routing.objectives import Objective, Weights


def objective_key(it: Itinerary, objective: Objective,
                  weights: Weights | None = None) -> tuple[float, ...]:
    """The objective's sort key, ties broken as `routing.objectives.Objective` documents."""
    # The same keys as the search's final ranking (routing.search._final).
    arrive = it.arrive.timestamp()
    cost, co2 = round(it.cost_eur, 6), round(it.co2e_kg, 6)
    if objective is Objective.TIME:
        return (arrive, cost, co2)
    if objective is Objective.CO2:
        return (co2, cost, arrive)
    if objective is Objective.BALANCED:
        score = (weights or Weights()).score(it.cost_eur, it.transit_h, it.co2e_kg)
        return (round(score, 6), arrive, cost)
    return (cost, arrive, co2)


def best_index(itineraries: Sequence[Itinerary], objective: Objective,
               weights: Weights | None = None) -> int:
    """The index of the best itinerary under `objective` (the first on a tie)."""
    if not itineraries:
        raise ValueError("no itineraries")
    return min(range(len(itineraries)),
               key=lambda i: (objective_key(itineraries[i], objective, weights), i))

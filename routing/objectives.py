"""Objectives a planner optimises, and the defaults of the `balanced` trade-off."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from network.errors import InvalidFieldsError

# Inventory carrying cost as a share of the goods' value per year. 20 % is the middle of the
# 15-30 % range quoted in inventory-management textbooks (capital, insurance, obsolescence).
ANNUAL_CARRYING_RATE = 0.20
# A carbon price in EUR per tonne CO2e: the order of magnitude of EU ETS allowances in
# 2024-2025 (EUR 60-90 per tonne). Planners override it with --eur-per-tco2.
DEFAULT_EUR_PER_TCO2 = 80.0


class Objective(StrEnum):
    """What the best itinerary minimises (ties broken as documented per member)."""

    COST = "cost"  # min cost_eur, then earliest arrival, then CO2e
    TIME = "time"  # earliest arrival, then cost_eur, then CO2e
    CO2 = "co2"  # min CO2e, then cost_eur, then earliest arrival
    BALANCED = "balanced"  # min cost + eur_per_day × transit days + eur_per_tco2 × t CO2e


def default_eur_per_day(value_eur: float | None) -> float:
    """The carrying cost per day of goods worth `value_eur` (0 when the value is unknown)."""
    return 0.0 if value_eur is None else value_eur * ANNUAL_CARRYING_RATE / 365.0


@dataclass(frozen=True)
class Weights:
    """Prices that turn time and CO2e into euros for the `balanced` objective."""

    eur_per_day: float = 0.0
    eur_per_tco2: float = DEFAULT_EUR_PER_TCO2

    def __post_init__(self) -> None:
        bad = [(n, "must be zero or more") for n in ("eur_per_day", "eur_per_tco2")
               if not getattr(self, n) >= 0]
        if bad:
            raise InvalidFieldsError("weights", bad)

    def score(self, cost_eur: float, transit_h: float, co2e_kg: float) -> float:
        """The balanced score of an itinerary, in euros."""
        return cost_eur + self.eur_per_day * transit_h / 24.0 + self.eur_per_tco2 * co2e_kg / 1000.0


def rank_key(objective: Objective, per_day_s: float, per_mg: float, cost: float, co2: int,
             arrive_s: float, ready_s: float) -> tuple[float, ...]:
    """How complete itineraries are ranked under `objective` (smaller is better).

    `cost` is in whole micro-euros and `co2` in whole milligrams (each leg's price, handling
    charge and CO2e rounded to those units, then summed), so ties are exact. `per_day_s` and
    `per_mg` are the balanced weights in micro-euros per second in transit and per mg CO2e.
    Ties left are broken by the fewest legs, then the lexicographic (service id, departure)
    sequence (`search.py`).
    """
    if objective is Objective.TIME:
        return (arrive_s, cost, co2)
    if objective is Objective.CO2:
        return (co2, cost, arrive_s)
    if objective is Objective.BALANCED:
        return (cost + per_mg * co2 + per_day_s * (arrive_s - ready_s), arrive_s, cost, co2)
    return (cost, arrive_s, co2)


def balanced_rates(weights: Weights) -> tuple[float, float]:
    """The balanced weights in the engine's units: micro-euros per second, per mg CO2e."""
    return weights.eur_per_day * 1e6 / 86400.0, weights.eur_per_tco2 / 1000.0

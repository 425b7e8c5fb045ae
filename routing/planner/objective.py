"""The plan's objective, in one place: what a consignment's itinerary, a leg's loose freight, a
change of service and a container are worth, in objective units.

Every stage prices with these functions: the model's coefficients (instance.py), the savings of
riding in a bought container, the greedy baseline, a plan's value (decisions.py) and the pricing
of new itineraries (colgen.py).

Units. `cost` and `balanced` count euros. `co2` counts kg CO2e and breaks ties by cost: one euro
weighs as much as one milligram of CO2e (`CO2_MONEY_WEIGHT`), so the money of a whole plan never
outweighs a gram.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from routing.consignment import Consignment
from routing.objectives import Objective, default_eur_per_day

CO2_MONEY_WEIGHT = 1e-6  # objective units per euro under `co2` (per kg CO2e: 1)


@dataclass(frozen=True)
class PlanObjective:
    """Weights of money, CO2e and time in the plan's objective (see module docstring)."""

    objective: Objective
    money: float  # units per euro
    per_kg_co2e: float  # units per kg CO2e
    per_day: tuple[float, ...]  # units per day in transit, per consignment

    @classmethod
    def of(cls, objective: Objective, consignments: Sequence[Consignment], eur_per_tco2: float,
           eur_per_day: float | None) -> PlanObjective:
        """The weights for `objective` (balanced: each consignment's carrying cost per day
        unless `eur_per_day` is given)."""
        if objective is Objective.CO2:
            return cls(objective, CO2_MONEY_WEIGHT, 1.0, (0.0,) * len(consignments))
        if objective is Objective.BALANCED:
            days = tuple(default_eur_per_day(c.value_eur) if eur_per_day is None else eur_per_day
                         for c in consignments)
            return cls(objective, 1.0, eur_per_tco2 / 1000.0, days)
        return cls(objective, 1.0, 0.0, (0.0,) * len(consignments))

    def money_value(self, eur: float) -> float:
        """What `eur` of freight, handling or containers is worth."""
        return self.money * eur

    def itinerary_value(self, ci: int, loose_eur: float, co2e_kg: float, transit_h: float) -> float:
        """An itinerary of consignment `ci` paying `loose_eur` (LCL freight and handling)."""
        return (self.money * loose_eur + self.per_kg_co2e * co2e_kg
                + self.per_day[ci] * transit_h / 24.0)

    def per_second(self, ci: int) -> float:
        """What each second in transit is worth for consignment `ci`."""
        return self.per_day[ci] / 86400.0

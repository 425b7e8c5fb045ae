"""Rail versus air (versus sea): best itinerary per main mode, and the break-even figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from network.model import Network
from network.timetable import to_seconds
from routing.consignment import Consignment
from routing.itinerary import Itinerary
from routing.objectives import ANNUAL_CARRYING_RATE
from routing.search import SearchOptions, best_by_main_mode
from routing.tariffs import Terms, leg_prices_at, local_day, prices_with, terms_at

MODE_ORDER = ("air", "rail", "sea", "road")
# Break-even weights are searched between these bounds (kg), on a log grid then by bisection.
MIN_KG, MAX_KG, GRID = 1.0, 200_000.0, 400


def route_cost_eur(network: Network, itinerary: Itinerary, weight_kg: float,
                   volume_m3: float) -> float:
    """What the same services cost for another weight and volume (departures unchanged)."""
    return float(route_costs_eur(network, itinerary, np.array([weight_kg]), np.array([volume_m3]))[0])


def route_costs_eur(network: Network, itinerary: Itinerary, weights_kg: np.ndarray,
                    volumes_m3: np.ndarray, terms: Sequence[Terms] | None = None) -> np.ndarray:
    """`route_cost_eur` for arrays of weights and volumes at once (each leg at its departure's
    dated price: `routing.tariffs.leg_prices_at`; `terms`, one per leg, when known already)."""
    total = np.zeros(len(weights_kg))
    for i, leg in enumerate(itinerary.legs):
        if terms is not None:
            total = total + prices_with(terms[i], weights_kg, volumes_m3)
        else:
            total = total + leg_prices_at(network, leg.service, weights_kg, volumes_m3,
                                          to_seconds(leg.depart))
    for h in itinerary.handling:
        location = network.locations[h.location]
        total = total + (location.handling_eur + location.handling_eur_per_kg * weights_kg)
    return total


def break_even_weight_kg(network: Network, air: Itinerary, rail: Itinerary) -> float | None:
    """The smallest weight (at the consignment's density) above which rail is cheaper than air,
    to 0.1 kg; None when one is cheaper over the whole range.

    The density (m³ per kg) is kept so the volumetric rules of both modes apply as they would
    to more of the same goods. The first crossing is found on a log grid of the range, then on
    ever finer even grids of the interval that holds it (vectorised).
    """
    density = air.consignment.volume_m3 / air.consignment.weight_kg
    # Each leg's terms (rate row, FX, surcharges) at its departure, found once.
    air_terms, rail_terms = (
        [terms_at(network, leg.service, local_day(leg.service, to_seconds(leg.depart))) for leg in it.legs]
        for it in (air, rail))

    def gap(kgs: np.ndarray) -> np.ndarray:
        volumes = kgs * density
        difference: np.ndarray = (route_costs_eur(network, air, kgs, volumes, air_terms)
                                  - route_costs_eur(network, rail, kgs, volumes, rail_terms))
        return difference

    grid = np.geomspace(MIN_KG, MAX_KG, GRID + 1)
    dearer = gap(grid) > 0
    if dearer[0]:
        return None if dearer[-1] else MIN_KG
    if not dearer.any():
        return None
    j = int(np.argmax(dearer))
    low, high = float(grid[j - 1]), float(grid[j])
    while high - low > 0.01:
        fine = np.linspace(low, high, 1001)
        k = int(np.argmax(gap(fine) > 0))
        low, high = float(fine[k - 1]), float(fine[k])
    return float(round(high, 1))


@dataclass(frozen=True)
class Comparison:
    """The best itinerary per main mode and what separates rail from air."""

    by_mode: dict[str, Itinerary]
    break_even_kg: float | None
    value_of_time_eur_per_day: float | None
    break_even_goods_value_eur: float | None


def compare_modes(network: Network, consignment_itineraries: dict[str, Itinerary]) -> Comparison:
    """Derive the break-even figures from the best itinerary of each main mode."""
    ordered = {m: consignment_itineraries[m] for m in MODE_ORDER if m in consignment_itineraries}
    air, rail = ordered.get("air"), ordered.get("rail")
    weight = value_of_time = goods_value = None
    if air is not None and rail is not None:
        weight = break_even_weight_kg(network, air, rail)
        days_saved = (rail.transit_h - air.transit_h) / 24.0
        extra = air.cost_eur - rail.cost_eur
        if days_saved > 0 and extra > 0:
            value_of_time = round(extra / days_saved, 2)
            goods_value = round(value_of_time / (ANNUAL_CARRYING_RATE / 365.0), 0)
    return Comparison(ordered, weight, value_of_time, goods_value)


def compare(network: Network, consignment: Consignment, options: SearchOptions) -> Comparison:
    """Best itinerary per main mode under `options`, with break-even figures."""
    return compare_modes(network, best_by_main_mode(network, consignment,
                                                    replace(options, alternatives=0)))

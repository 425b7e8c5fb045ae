"""Rail versus air (versus sea): best itinerary per main mode, and the break-even figures."""

from __future__ import annotations

from dataclasses import dataclass, replace

from network.model import Network
from routing.consignment import Consignment
from routing.costing import leg_price
from routing.itinerary import Itinerary
from routing.objectives import ANNUAL_CARRYING_RATE
from routing.search import SearchOptions, best_by_main_mode

MODE_ORDER = ("air", "rail", "sea", "road")
# Break-even weights are searched between these bounds (kg), on a log grid then by bisection.
MIN_KG, MAX_KG, GRID = 1.0, 200_000.0, 400


def route_cost_eur(network: Network, itinerary: Itinerary, weight_kg: float,
                   volume_m3: float) -> float:
    """What the same services cost for another weight and volume (departures unchanged)."""
    legs = sum(leg_price(leg.service, weight_kg, volume_m3).eur for leg in itinerary.legs)
    handling = sum(network.locations[h.location].handling_cost_eur(weight_kg)
                   for h in itinerary.handling)
    return legs + handling


def break_even_weight_kg(network: Network, air: Itinerary, rail: Itinerary) -> float | None:
    """The smallest weight (at the consignment's density) above which rail is cheaper than air.

    None when one is cheaper over the whole range. The density (m³ per kg) is kept so the
    volumetric rules of both modes apply as they would to more of the same goods.
    """
    density = air.consignment.volume_m3 / air.consignment.weight_kg

    def gap(kg: float) -> float:
        return (route_cost_eur(network, air, kg, kg * density)
                - route_cost_eur(network, rail, kg, kg * density))

    ratio = (MAX_KG / MIN_KG) ** (1.0 / GRID)
    low = MIN_KG
    if gap(low) > 0:
        return None if gap(MAX_KG) > 0 else MIN_KG
    for _ in range(GRID):
        high = low * ratio
        if gap(high) > 0:
            for _ in range(60):
                mid = (low + high) / 2
                low, high = (mid, high) if gap(mid) <= 0 else (low, mid)
            return float(round(high, 1))
        low = high
    return None


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

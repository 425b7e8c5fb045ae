"""What one leg costs and emits for a consignment: the tariff rules, in one place.

Per leg: chargeable_kg = max(weight_kg, volume_m3 × kg_per_m3);
LCL = max(eur_min, eur_fixed + eur_per_kg × chargeable_kg + eur_per_tkm × chargeable_kg/1000 ×
distance_km); where the service sells whole containers, FCL = n × container_eur with n the fewest
containers holding the weight and the volume; the leg costs min(LCL, FCL).
CO2e (ISO 14083 / GLEC v3, well to wheel, actual weight): weight_kg/1000 × (distance_km +
co2e_distance_add_km) × co2e_g_per_tkm / 1000 kg; its tank-to-wheel and well-to-tank parts are
that figure's shares of co2e_g_per_tkm (`network.model.split_part`). Handling at an intermediate
location emits weight_kg/1000 × hub_co2e_kg_per_t kg.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from network.model import Service

LCL = "LCL"
FCL = "FCL"


def chargeable_kg(service: Service, weight_kg: float, volume_m3: float) -> float:
    """The weight the tariff is applied to: actual or volumetric, whichever is larger."""
    return max(weight_kg, volume_m3 * service.kg_per_m3)


def lcl_eur(service: Service, weight_kg: float, volume_m3: float) -> float:
    """The loose-cargo (per-kg / per-tonne-km) price of the leg, minimum charge applied."""
    kg = chargeable_kg(service, weight_kg, volume_m3)
    variable = (service.eur_fixed + service.eur_per_kg * kg
                + service.eur_per_tkm * kg / 1000.0 * service.distance_km)
    return max(service.eur_min, variable)


@dataclass(frozen=True)
class LegPrice:
    """The price of one leg for one consignment, and which tariff set it."""

    chargeable_kg: float
    lcl_eur: float
    fcl_eur: float | None
    containers: int
    eur: float
    basis: str


def leg_price(service: Service, weight_kg: float, volume_m3: float) -> LegPrice:
    """The cheaper of LCL and whole containers (LCL wins ties)."""
    lcl = lcl_eur(service, weight_kg, volume_m3)
    kg = chargeable_kg(service, weight_kg, volume_m3)
    if service.container is None:
        return LegPrice(kg, lcl, None, 0, lcl, LCL)
    n = service.container.count_for(weight_kg, volume_m3)
    fcl = n * service.container.eur
    if fcl < lcl:
        return LegPrice(kg, lcl, fcl, n, fcl, FCL)
    return LegPrice(kg, lcl, fcl, 0, lcl, LCL)


def leg_co2e_kg(service: Service, weight_kg: float) -> float:
    """Well-to-wheel CO2e of carrying `weight_kg` on the leg, in kg."""
    return weight_kg / 1000.0 * service.co2e_distance_km * service.co2e_g_per_tkm / 1000.0


def leg_prices(service: Service, weights_kg: np.ndarray, volumes_m3: np.ndarray) -> np.ndarray:
    """`leg_price(service, w, v).eur` for arrays of weights and volumes, with the same
    arithmetic (so the figures are identical)."""
    kg = np.maximum(weights_kg, volumes_m3 * service.kg_per_m3)
    lcl = np.maximum(service.eur_min, service.eur_fixed + service.eur_per_kg * kg
                     + service.eur_per_tkm * kg / 1000.0 * service.distance_km)
    box = service.container
    if box is None:
        return lcl  # type: ignore[no-any-return]
    eps = 1e-9
    n = np.maximum(np.maximum(1.0, np.ceil(weights_kg / box.kg - eps)), np.ceil(volumes_m3 / box.m3 - eps))
    fcl = n * box.eur
    return np.where(fcl < lcl, fcl, lcl)

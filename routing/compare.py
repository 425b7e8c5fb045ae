"""Rail versus air (versus sea): best itinerary per main mode, and the break-even figures."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np

from network.model import Network, Service
from network.timetable import to_seconds
from routing.consignment import Consignment
from routing.itinerary import Itinerary
from routing.objectives import ANNUAL_CARRYING_RATE, Objective
from routing.search import SearchOptions, best_by_main_mode
from routing.tariffs import leg_prices_at, local_day, terms_at

MODE_ORDER = ("air", "rail", "sea", "road")
# Break-even weights are searched between these bounds (kg), on a log grid then by bisection.
MIN_KG, MAX_KG, GRID = 1.0, 200_000.0, 400
_LOG_GRID = np.geomspace(MIN_KG, MAX_KG, GRID + 1)  # the same for every query (read-only)
_LOG_GRID.flags.writeable = False
# Points of a finer even grid of the bisection at most: enough that one grid reaches 0.01 kg
# below a few tonnes (each grid evaluated is some twenty array operations, whatever its length).
FINE = 2001


def route_costs_eur(network: Network, itinerary: Itinerary, weights_kg: np.ndarray,
                    volumes_m3: np.ndarray) -> np.ndarray:
    """What the same services (departures unchanged) cost for each of arrays of weights and
    volumes, leg by leg, each leg at its departure's dated price (`routing.tariffs.leg_prices_at`).
    `CostCurve` is the fast form for weight grids."""
    total = np.zeros(len(weights_kg))
    for leg in itinerary.legs:
        total = total + leg_prices_at(network, leg.service, weights_kg, volumes_m3, to_seconds(leg.depart))
    for h in itinerary.handling:
        location = network.locations[h.location]
        total = total + (location.handling_eur + location.handling_eur_per_kg * weights_kg)
    return total


class CostCurve:
    """What a signed sum of itineraries (`signed`: pairs of sign and itinerary) costs as a
    function of weight alone, the volume growing with it at a fixed density (m³ per kg):
    `route_costs_eur` for many weights in a few array operations (the break-even search
    evaluates air less rail on grids of weights).

    Every leg's loose price is max(m, a + b·w) + c + e·w: its rate row's minimum and linear
    price on the chargeable weight (w · max(1, density · kg per m³)), converted to euros and
    raised by percentage surcharges (a positive factor, which passes through the maximum), plus
    per-kg and per-consignment surcharges; handling is linear too. A leg that sells containers
    costs the lesser of that and n(w)·k + c: n(w) boxes as `Container.count_for` counts them
    (the same operations as `routing.tariffs.prices_with`), k a box with its surcharges. The
    legs of each kind are evaluated together, one matrix each.
    """

    def __init__(self, network: Network, signed: Sequence[tuple[float, Itinerary]],
                 density_m3_per_kg: float) -> None:
        self.density = density_m3_per_kg
        loose: dict[bool, list[tuple[float, float, float, float]]] = {False: [], True: []}
        boxes: list[tuple[float, float, float, float]] = []  # per boxed leg: kg, m3, k, e
        constant = per_kg = 0.0
        for sign, itinerary in signed:
            for leg in itinerary.legs:
                # The local date the leg was priced on, when it says (it is the departure's).
                day = (leg.pricing.day if leg.pricing is not None
                       else local_day(leg.service, to_seconds(leg.depart)))
                terms = terms_at(network, leg.service, day)
                row, box = terms.row, terms.row.container
                factor = max(1.0, density_m3_per_kg * row.kg_per_m3)
                scale = (1.0 + terms.percent / 100.0) / terms.per_eur
                loose[box is not None].append(
                    (sign, row.eur_min * scale, row.eur_fixed * scale,
                     (row.eur_per_kg + row.eur_per_tkm / 1000.0 * row.distance_km) * factor * scale))
                constant += sign * terms.per_consignment_eur  # paid loose or boxed alike
                if box is None:
                    per_kg += sign * terms.per_kg_eur * factor
                else:
                    boxes.append((box.kg, box.m3, box.eur * scale + terms.per_container_eur,
                                  terms.per_kg_eur * factor))
            for h in itinerary.handling:
                location = network.locations[h.location]
                constant += sign * location.handling_eur
                per_kg += sign * location.handling_eur_per_kg
        self.signs, self.floors, self.fixed, self.slopes = _columns(loose[False])
        self.box_signs, self.box_floors, self.box_fixed, self.box_slopes = _columns(loose[True])
        self.box_kg, self.box_m3, self.box_eur, self.box_per_kg = _columns(boxes)
        self.boxed = bool(boxes)
        self.constant, self.per_kg = constant, per_kg

    def __call__(self, kgs: np.ndarray) -> np.ndarray:
        """The signed sum's cost at each weight of `kgs` (EUR)."""
        total: np.ndarray = (self.signs[:, 0] @ np.maximum(self.floors, self.fixed + self.slopes * kgs)
                             + (self.constant + self.per_kg * kgs))
        if self.boxed:
            loose = (np.maximum(self.box_floors, self.box_fixed + self.box_slopes * kgs)
                     + self.box_per_kg * kgs)
            eps = 1e-9
            n = np.maximum(np.maximum(1.0, np.ceil(kgs / self.box_kg - eps)),
                           np.ceil(kgs * self.density / self.box_m3 - eps))
            boxed = n * self.box_eur
            total += self.box_signs[:, 0] @ np.where(boxed < loose, boxed, loose)
        return total


def _columns(rows: Sequence[tuple[float, ...]]) -> tuple[np.ndarray, ...]:
    """Each field of `rows` as a column (an array of shape (len(rows), 1))."""
    width = 4
    table = np.array(rows, dtype=float).reshape(len(rows), width)
    return tuple(table[:, i:i + 1] for i in range(width))


def break_even_weight_kg(network: Network, air: Itinerary, rail: Itinerary) -> float | None:
    """The smallest weight (at the consignment's density) above which rail is cheaper than air,
    to 0.1 kg; None when one is cheaper over the whole range.

    The density (m³ per kg) is kept so the volumetric rules of both modes apply as they would
    to more of the same goods. The first crossing is found on a log grid of the range, then on
    ever finer even grids of the interval that holds it (vectorised, `CostCurve`).
    """
    density = air.consignment.volume_m3 / air.consignment.weight_kg
    gap = CostCurve(network, ((1.0, air), (-1.0, rail)), density)
    grid = _LOG_GRID
    dearer = gap(grid) > 0
    if dearer[0]:
        return None if dearer[-1] else MIN_KG
    if not dearer.any():
        return None
    j = int(np.argmax(dearer))
    low, high = float(grid[j - 1]), float(grid[j])
    while high - low > 0.01:
        fine = np.linspace(low, high, min(FINE, math.ceil((high - low) / 0.01) + 1))
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


@dataclass(frozen=True)
class ModeGap:
    """Why `compare` has no itinerary of one main mode."""

    mode: str
    reason: str  # "due_date", "goods_class", "capacity" or "no_route"
    text: str  # e.g. "meets due: no — earliest arrival 2026-12-20 14:00 +0800"
    earliest: Itinerary | None = None  # for "due_date": the earliest arrival of that mode


def compared_modes(network: Network) -> list[str]:
    """The main modes `compare` always shows a row for: those of the network's long-haul
    services (every mode but road, in MODE_ORDER)."""
    present = {s.mode for s in network.services.values()}
    return [m for m in MODE_ORDER if m in present and m != "road"]


def _local_text(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%d %H:%M %z")


def missing_modes(network: Network, consignment: Consignment, options: SearchOptions,
                  found: Mapping[str, Itinerary]) -> dict[str, ModeGap]:
    """Why each mode of `compared_modes` without an itinerary in `found` has none.

    In order: no service of the mode accepts the goods class; every service of the mode that
    does is smaller than the consignment; the due date excludes it (the earliest arrival of that
    mode, searched by the public engine without the due date, objective time); else no
    itinerary of that mode within the horizon.
    """
    gaps: dict[str, ModeGap] = {}
    missing = [m for m in compared_modes(network) if m not in found]
    if not missing:
        return gaps
    late: dict[str, Itinerary] = {}
    if consignment.due is not None:
        late = best_by_main_mode(network, replace(consignment, due=None),
                                 replace(options, objective=Objective.TIME, alternatives=0))
    goods = consignment.goods
    for mode in missing:
        services = [s for s in network.services.values() if s.mode == mode]
        accepting = [s for s in services if s.accepts(goods)]
        big_enough = [s for s in accepting
                      if (s.capacity_kg is None or s.capacity_kg >= consignment.weight_kg)
                      and (s.capacity_m3 is None or s.capacity_m3 >= consignment.volume_m3)]
        if not accepting:
            gaps[mode] = ModeGap(mode, "goods_class", f"no {mode} service accepts {goods} goods")
        elif not big_enough:
            gaps[mode] = ModeGap(mode, "capacity", f"every {mode} departure is smaller than this "
                                                   f"consignment (largest {_largest(accepting)})")
        elif mode in late:
            # Searched without the due date, shown against it: its figures say it is late too
            # (`meets_due` False in every output, not unknown).
            it = replace(late[mode], consignment=consignment)
            gaps[mode] = ModeGap(mode, "due_date", f"meets due: no — earliest arrival "
                                                   f"{_local_text(it.arrive)}", it)
        else:
            gaps[mode] = ModeGap(mode, "no_route", f"no {mode} itinerary within "
                                                   f"{options.horizon_days:g} days of ready")
    return gaps


def _largest(services: Sequence[Service]) -> str:
    """The largest capacity of `services` in each unit some of them limit: `100,000 kg, 700 m³`
    (a service limited in one unit only counts in that one)."""
    kgs = [s.capacity_kg for s in services if s.capacity_kg is not None]
    m3s = [s.capacity_m3 for s in services if s.capacity_m3 is not None]
    return ", ".join([*([f"{max(kgs):,.0f} kg"] if kgs else []), *([f"{max(m3s):,.0f} m³"] if m3s else [])])


def break_even_notes(result: Comparison, gaps: Mapping[str, ModeGap]) -> list[str]:
    """The break-even lines in words, including why one is missing."""
    notes = []
    air, rail = result.by_mode.get("air"), result.by_mode.get("rail")
    if air is None or rail is None:
        why = "; ".join(f"{m}: {gaps[m].text}" if m in gaps else f"no {m} itinerary"
                        for m, it in (("rail", rail), ("air", air)) if it is None)
        return [f"No rail/air break-even figures: they need a rail and an air itinerary ({why})."]
    if result.break_even_kg is not None:
        notes.append(f"Rail is cheaper than air above {result.break_even_kg:,.0f} kg for goods of "
                     "this density.")
    else:
        notes.append(f"No break-even weight between {MIN_KG:g} kg and {MAX_KG / 1000:g} t: one mode "
                     "is cheaper throughout.")
    if result.value_of_time_eur_per_day is not None:
        notes.append(f"Air's speed pays when a day in transit costs more than EUR "
                     f"{result.value_of_time_eur_per_day:,.0f} (goods worth over EUR "
                     f"{result.break_even_goods_value_eur:,.0f} at {ANNUAL_CARRYING_RATE:.0%} a year "
                     "carrying cost).")
    elif air.transit_h >= rail.transit_h:
        notes.append("No value of time: air is not faster than rail here.")
    else:
        notes.append("No value of time: air is not dearer than rail here, so it pays at any value.")
    return notes

"""Column generation: price every itinerary with the duals of a relaxation, add the ones that
can improve it, and bound the plan over *all* itineraries (the Lagrangian bound).

Relax the rows that tie consignments together — (cap_kg), (cap_m3), (fill_*), (open), (served)
of `spec.py` — with multipliers p ≥ 0 (the duals of an LP over the columns generated so far,
read by row family). What is left is one small problem per consignment: its best itinerary,
each container leg boxed or loose, where a leg at departure d costs

  loose:  LCL + p_cap(d)·(w, v)
  boxed:  p_cap(d)·(w, v) + p_fill(d)·(w, v) + p_open(c, d)      (container-selling services)

in objective units (plus the CO2e and time terms of the objective and the handling at changes
of service), and one per container departure (its containers n: price − K·p_fill − Σ_c p_open,
never negative with the multipliers used here). For departures the LP has no group for, boxing
is priced by the multipliers of `containers.py` (exact own containers, loose only, or a
pro-rata share), which keep every container's own term at zero. The itinerary engine solves
each consignment's problem exactly over every itinerary (`routing.pricing`), so

  L(p) = Σ_c min(0, z_c(p) − σ) + σ·S − Σ_d p_cap(d)·capacity(d)

is a lower bound of the plan's objective over all itineraries, for any p ≥ 0 and σ ≥ 0 (weak
Lagrangian duality; S is the number the plan must serve). For the other multipliers fixed, the
best σ is the S-th smallest z_c, which gives L = (sum of the S smallest z_c) − Σ_d p_cap·capacity:
the bound used. With the LP's own duals, L equals the LP value when no consignment has a column
of negative reduced cost, and the gap between them says how far generation is from done. A bound
over blocks of consignments (`bounds.py`) is the sum of one such bound per block.

Phase 1 (most consignments served) relaxes only the capacity rows: U(p) = Σ_c max(0, 1 − z_c(p))
+ Σ_d p_cap(d)·capacity(d) bounds the number served from above, z_c being the least capacity
charge of an itinerary of c.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from network.timetable import to_seconds
from routing.compiled import compiled
from routing.planner.candidates import Candidate, from_legs
from routing.planner.containers import PRO_RATA, Kind
from routing.planner.decisions import DepKey
from routing.planner.instance import Instance
from routing.planner.spec import Formulation, Row
from routing.pricing import Priced, PricingQuery, all_within, cheapest

INF = math.inf


@dataclass
class Multipliers:
    """Lagrangian multipliers (penalties ≥ 0, objective units) of the rows that tie
    consignments together, by departure."""

    cap: dict[DepKey, tuple[float, float]] = field(default_factory=dict)  # per kg, per m³
    fill: dict[DepKey, tuple[float, float]] = field(default_factory=dict)  # per kg, per m³
    open: dict[tuple[int, DepKey], float] = field(default_factory=dict)
    # For a departure the LP has no group for: the fill multipliers of the same service's
    # group that charges most for a container (open multipliers 0), which keep its containers'
    # term at zero like any group's; services without a group use `containers.PRO_RATA`.
    service_fill: dict[str, tuple[float, float]] = field(default_factory=dict)
    # Groups a block relaxation prices pro rata in its costs (spanning blocks): their λ.
    pro_rata: dict[DepKey, float] = field(default_factory=dict)
    capacity_term: float = 0.0  # Σ_d p_cap(d)·capacity(d) over the rows relaxed
    phase1: bool = False  # only capacity relaxed (containers ignored, every leg costs 0)

    @classmethod
    def from_lp(cls, inst: Instance, f: Formulation, duals: np.ndarray, *,
                phase1: bool = False) -> Multipliers:
        """The duals of an LP built by `spec.build` (the whole model) as multipliers."""
        return cls.stitched(inst, [(f, duals, {})], phase1=phase1)

    @classmethod
    def stitched(cls, inst: Instance, lps: list[tuple[Formulation, np.ndarray, Mapping[int, float]]], *,
                 phase1: bool = False, pro_rata: Mapping[DepKey, float] | None = None) -> Multipliers:
        """Multipliers of the whole model from the duals of one LP or of the blocks of the
        block relaxation (each with its price share of groups copied into several blocks):
        signs made penalties; a capacity row's the largest of the blocks'; a group's fill
        multipliers the sum over the blocks that hold it and its open multipliers theirs, then
        scaled down where they would make its containers' own term negative (any multipliers
        give a valid bound). `pro_rata`: groups priced pro rata (with their λ)."""
        sign = 1.0 if phase1 else -1.0  # MathOpt: a ≤ row's dual is ≤ 0 when minimising
        m = cls(phase1=phase1, pro_rata=dict(pro_rata or {}))
        cap_kg: dict[DepKey, float] = defaultdict(float)
        cap_m3: dict[DepKey, float] = defaultdict(float)
        fill_kg: dict[int, float] = defaultdict(float)
        fill_m3: dict[int, float] = defaultdict(float)
        opened: dict[tuple[int, int], float] = {}
        shares: dict[int, float] = defaultdict(float)
        for f, duals, share in lps:
            for gi in f.n:
                shares[gi] += share.get(gi, 1.0)
            for r, (family, key) in enumerate(f.rows):
                value = max(0.0, sign * float(duals[r]))
                if family is Row.CAP_KG:
                    cap_kg[key] = max(cap_kg[key], value)  # type: ignore[index]
                elif family is Row.CAP_M3:
                    cap_m3[key] = max(cap_m3[key], value)  # type: ignore[index]
                elif family is Row.FILL_KG:
                    fill_kg[key] += value  # type: ignore[index]
                elif family is Row.FILL_M3:
                    fill_m3[key] += value  # type: ignore[index]
                elif family is Row.OPEN:
                    opened[key] = value  # type: ignore[index]
        for key in cap_kg.keys() | cap_m3.keys():
            kg, m3 = cap_kg.get(key, 0.0), cap_m3.get(key, 0.0)
            if kg or m3:
                m.cap[key] = (kg, m3)
                limits = inst.capacity_limits[key]
                m.capacity_term += kg * (limits[0] or 0.0) + m3 * (limits[1] or 0.0)
        by_group: dict[int, list[tuple[int, float]]] = defaultdict(list)
        for (gi, ci), value in opened.items():
            by_group[gi].append((ci, value))
        for gi in fill_kg.keys() | fill_m3.keys() | by_group.keys():
            g = inst.groups[gi]
            kg, m3 = fill_kg.get(gi, 0.0), fill_m3.get(gi, 0.0)
            charged = g.container_kg * kg + g.container_m3 * m3 + sum(v for _, v in by_group[gi])
            price = g.container_eur * inst.cost_weight * min(1.0, shares.get(gi, 1.0))
            scale = 1.0 if charged <= price else price / charged
            m.fill[g.key] = (kg * scale, m3 * scale)
            for ci, value in by_group[gi]:
                if value > 0:
                    m.open[(ci, g.key)] = value * scale
            sid = g.key[0]
            here = g.container_kg * kg * scale + g.container_m3 * m3 * scale
            best = m.service_fill.get(sid)
            if best is None or here > g.container_kg * best[0] + g.container_m3 * best[1]:
                m.service_fill[sid] = (kg * scale, m3 * scale)
        return m


class ConsignmentCosts:
    """What each leg costs one consignment under some multipliers (`routing.pricing.LegCosts`)."""

    def __init__(self, inst: Instance, m: Multipliers, ci: int, listed: Callable[[int], Sequence[float]],
                 lcl: list[float], co2: list[float]) -> None:
        self.inst = inst
        self.m = m
        self.ci = ci
        c = inst.consignments[ci]
        self.w, self.v = c.weight_kg, c.volume_m3
        self.cn = compiled(inst.request.network)
        self.money = inst.objective.money
        self.co2w = inst.objective.per_kg_co2e
        self.lcl, self.co2 = lcl, co2
        self._listed = listed
        self._default: dict[int, float] = {}

    def listed(self, si: int) -> Sequence[float]:
        return self._listed(si)

    def _static(self, si: int) -> float:
        return self.co2w * self.co2[si]

    def cost(self, si: int, depart: float) -> float:
        m = self.m
        key = (self.cn.services[si].id, depart)
        cap = m.cap.get(key)
        charge = 0.0 if cap is None else cap[0] * self.w + cap[1] * self.v
        if m.phase1:
            return charge
        loose = self.money * self.lcl[si] + self._static(si) + charge
        boxed = self._boxed(si, key)
        return loose if boxed is None else min(loose, boxed + self._static(si) + charge)

    def default(self, si: int) -> float:
        found = self._default.get(si)
        if found is None:
            if self.m.phase1:
                found = 0.0
            else:
                loose = self.money * self.lcl[si] + self._static(si)
                boxed = self._pro_rata(si)
                found = loose if boxed is None else min(loose, boxed + self._static(si))
            self._default[si] = found
        return found

    def _boxed(self, si: int, key: DepKey) -> float | None:
        """What riding boxed costs at departure `key` (the containers' share), or None."""
        service = self.cn.services[si]
        box = service.container
        if box is None:
            return None
        fill = self.m.fill.get(key)
        if fill is not None:
            return fill[0] * self.w + fill[1] * self.v + self.m.open.get((self.ci, key), 0.0)
        lam = self.m.pro_rata.get(key)
        if lam is not None:  # as `instance.amortised_coef` prices it
            return self.money * box.eur * (lam * self.w / box.kg + (1.0 - lam) * self.v / box.m3)
        kind = self.inst.rules.kind(service, key[1])
        if kind is Kind.LOOSE:
            return None
        if kind is Kind.OWN:
            return self.money * box.eur * box.count_for(self.w, self.v)
        return self._pro_rata(si)

    def _pro_rata(self, si: int) -> float | None:
        """Boxing at a departure with no group: the service's default multipliers."""
        service = self.cn.services[si]
        box = service.container
        if box is None:
            return None
        fill = self.m.service_fill.get(service.id)
        if fill is not None:
            return fill[0] * self.w + fill[1] * self.v
        return self.money * box.eur * (PRO_RATA * self.w / box.kg + (1.0 - PRO_RATA) * self.v / box.m3)


class Listing:
    """The instants at which each service's cost may differ from its default, per round: the
    departures with multipliers and, for on-demand container services from origin-only
    locations, the ready instants there (their kind depends on who is ready then)."""

    def __init__(self, inst: Instance, m: Multipliers) -> None:
        cn = compiled(inst.request.network)
        per: dict[int, set[float]] = defaultdict(set)
        for sid, t in (*m.cap, *m.fill):
            per[cn.service_index[sid]].add(t)
        if not m.phase1:
            ready: dict[str, set[float]] = defaultdict(set)
            for origin, t in inst.rules.ready_at:
                ready[origin].add(t)
            for si, s in enumerate(cn.services):
                if s.origin in ready and s.container is not None and not s.is_timetabled:
                    per[si] |= ready[s.origin]
        self.times: dict[int, tuple[float, ...]] = {si: tuple(sorted(ts)) for si, ts in per.items()}

    def __call__(self, si: int) -> Sequence[float]:
        return self.times.get(si, ())


@dataclass
class PricingRound:
    """What one round of pricing found: the bound it proves and the new columns."""

    bound: float | None  # L(p) over every itinerary (phase 1: U(p), an upper bound on served)
    values: dict[int, float]  # least cost z_c(p) per servable consignment
    columns: dict[int, Candidate]  # consignment -> its cheapest itinerary, when not yet a column
    unreachable: list[int]  # consignments no itinerary serves


def price_round(inst: Instance, m: Multipliers, served_target: int,
                members: Collection[int] | None = None, stop: Callable[[], bool] = lambda: False
                ) -> PricingRound | None:
    """Price every consignment (or `members`) exactly over all itineraries; None if `stop()`.

    The bound takes the served multiplier σ at its best for the others: the `served_target`-th
    smallest z_c, which makes L = Σ of the `served_target` smallest z_c − Σ p_cap·capacity (the
    sum of the cheapest ways to serve that many, at these prices). It is None when fewer than
    `served_target` consignments can be served at all."""
    network = inst.request.network
    cn = compiled(network)
    listing = Listing(inst, m)
    handling_eur = np.array(cn.handling_eur)
    handling_kg = np.array(cn.handling_eur_per_kg)
    hub_kg_per_t = np.array(cn.hub_co2e_kg_per_t, dtype=float)  # hub emissions enter like a leg's
    co2w = inst.objective.per_kg_co2e
    money = inst.objective.money
    horizon_s = inst.request.horizon_days * 86400.0
    existing: dict[int, set[tuple[DepKey, ...]]] = defaultdict(set)
    for cand in inst.cands:
        existing[cand.ci].add(tuple(leg.key for leg in cand.legs))
    values: dict[int, float] = {}
    columns: dict[int, Candidate] = {}
    unreachable: list[int] = []
    for ci in (range(len(inst.consignments)) if members is None else sorted(members)):
        if stop():
            return None
        c = inst.consignments[ci]
        lcl, co2 = cn.loose_prices(c.weight_kg, c.volume_m3)
        costs = ConsignmentCosts(inst, m, ci, listing, lcl, co2)
        handling = ([0.0] * len(cn.ids) if m.phase1
                    else (money * (handling_eur + handling_kg * c.weight_kg)
                          + co2w * (c.weight_kg / 1000.0 * hub_kg_per_t)).tolist())
        ready = to_seconds(c.ready)
        query = PricingQuery(cn.index[c.origin], cn.index[c.destination], ready, ready + horizon_s,
                             to_seconds(c.due) if c.due is not None else INF, c.goods,
                             cn.too_small(c.weight_kg, c.volume_m3), handling,
                             0.0 if m.phase1 else inst.objective.per_second(ci))
        found = cheapest(cn, query, costs)
        if found is None:
            unreachable.append(ci)
            continue
        values[ci] = found.value
        legs = tuple((cn.services[si].id, t) for si, t in found.legs)
        if legs not in existing[ci]:
            columns[ci] = _candidate(inst, ci, found)
    bound: float | None
    if m.phase1:
        bound = sum(max(0.0, 1.0 - z) for z in values.values()) + m.capacity_term
    elif len(values) >= served_target:
        bound = sum(sorted(values.values())[:served_target]) - m.capacity_term
    else:
        bound = None
    return PricingRound(bound, values, columns, unreachable)


def _candidate(inst: Instance, ci: int, found: Priced) -> Candidate:
    cn = compiled(inst.request.network)
    legs = tuple((cn.services[si], t) for si, t in found.legs)
    return from_legs(inst.request.network, inst.consignments[ci], ci, legs)



def complete_columns(inst: Instance, m: Multipliers, priced: PricingRound, gap: float, limit: int,
                     stop: Callable[[], bool] = lambda: False) -> dict[int, list[Candidate]] | None:
    """Every itinerary that a plan better than the incumbent could use, under the multipliers
    of one round of pricing: for any plan x, objective(x) ≥ L(p) + Σ_c (z_c(x_c) − z_c*(p)),
    so a plan within `gap` (= incumbent − L) uses for each consignment only itineraries with
    z_c ≤ z_c* + gap. With all of them among the columns, the MIP over the columns is exact over
    every itinerary, and so is its dual bound. In phase 1 likewise: served(x) ≤ U(p) − Σ_c
    (z_c(x_c) − z_c*(p)), so serving one more than the incumbent needs `gap` = U − (incumbent
    + 1). Returns the ones missing, or None when some consignment has more than `limit` of them
    (or `stop()`)."""
    network = inst.request.network
    cn = compiled(network)
    listing = Listing(inst, m)
    handling_eur = np.array(cn.handling_eur)
    handling_kg = np.array(cn.handling_eur_per_kg)
    hub_kg_per_t = np.array(cn.hub_co2e_kg_per_t, dtype=float)  # hub emissions enter like a leg's
    co2w = inst.objective.per_kg_co2e
    horizon_s = inst.request.horizon_days * 86400.0
    existing: dict[int, set[tuple[DepKey, ...]]] = defaultdict(set)
    for cand in inst.cands:
        existing[cand.ci].add(tuple(leg.key for leg in cand.legs))
    missing: dict[int, list[Candidate]] = {}
    for ci, best in priced.values.items():
        if stop():
            return None
        c = inst.consignments[ci]
        lcl, co2 = cn.loose_prices(c.weight_kg, c.volume_m3)
        costs = ConsignmentCosts(inst, m, ci, listing, lcl, co2)
        ready = to_seconds(c.ready)
        handling = ([0.0] * len(cn.ids) if m.phase1
                    else (inst.objective.money * (handling_eur + handling_kg * c.weight_kg)
                          + co2w * (c.weight_kg / 1000.0 * hub_kg_per_t)).tolist())
        query = PricingQuery(cn.index[c.origin], cn.index[c.destination], ready, ready + horizon_s,
                             to_seconds(c.due) if c.due is not None else INF, c.goods,
                             cn.too_small(c.weight_kg, c.volume_m3), handling,
                             0.0 if m.phase1 else inst.objective.per_second(ci))
        found = all_within(cn, query, costs, best + gap * (1 + 1e-9) + 1e-9, limit)
        if found is None:
            return None
        for option in found:
            legs = tuple((cn.services[si].id, t) for si, t in option.legs)
            if legs not in existing[ci]:
                existing[ci].add(legs)
                missing.setdefault(ci, []).append(_candidate(inst, ci, option))
    return missing

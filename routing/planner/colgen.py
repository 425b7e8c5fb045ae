"""Column generation: price every itinerary with the duals of a relaxation, add the ones that
can improve it, and bound the plan over *all* itineraries (the Lagrangian bound).

Relax the rows that tie consignments together — (cap_kg), (cap_m3), (fill_*), (open), (served)
of `spec.py` — with multipliers p ≥ 0 (the duals of an LP over the columns generated so far,
read by row family). What is left is one small problem per consignment: its best itinerary,
each container leg boxed or loose, where a leg at departure d costs

  loose:  LCL(d) + p_cap(d)·(w, v)
  boxed:  per-consignment surcharges(d) + p_cap(d)·(w, v) + p_fill(d)·(w, v) + p_open(c, d)

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
from routing.planner.ontime import admissible_columns, admissible_lists
from routing.planner.spec import Formulation, Row
from routing.planner.tariff import LegTerms, plan_tariffs
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


def no_group_fill(inst: Instance, m: Multipliers, key: DepKey) -> tuple[float, float]:
    """The fill multipliers (per kg, per m³, objective units) of a container departure that `m`
    has no group for: its service's (`Multipliers.service_fill`), scaled down where they would
    charge more than a container costs on this departure's date, else `containers.PRO_RATA` of
    the container's price by weight and the rest by volume. Either keeps the containers' own
    term at zero or above."""
    cn = compiled(inst.request.network)
    service = cn.services[cn.service_index[key[0]]]
    box = service.container
    assert box is not None
    box_eur = plan_tariffs(inst.request.network).at(service, key[1]).box_eur
    assert box_eur is not None
    price = inst.objective.money * box_eur
    fill = m.service_fill.get(service.id)
    if fill is None:
        return price * PRO_RATA / box.kg, price * (1.0 - PRO_RATA) / box.m3
    charged = fill[0] * box.kg + fill[1] * box.m3
    if charged <= price:
        return fill
    return fill[0] * price / charged, fill[1] * price / charged


def smoothed(inst: Instance, centre: Multipliers, lp: Multipliers, alpha: float) -> Multipliers:
    """alpha·`centre` + (1 − alpha)·`lp` (Wentges' dual smoothing: pricing between the best
    multipliers so far and the LP's gives steadier bounds), each departure's multipliers taken
    as pricing sees them (a group one side has none for at that side's no-group fill). Any
    mix of two valid sets is valid: each keeps every container's own term at zero or above, a
    linear condition; where neither side has a group the no-group fill of the mix applies,
    which keeps it too."""
    assert not centre.phase1 and not lp.phase1 and not centre.pro_rata and not lp.pro_rata
    beta = 1.0 - alpha
    m = Multipliers()
    services = inst.request.network.services
    for key in centre.cap.keys() | lp.cap.keys():
        a, b = centre.cap.get(key, (0.0, 0.0)), lp.cap.get(key, (0.0, 0.0))
        m.cap[key] = (alpha * a[0] + beta * b[0], alpha * a[1] + beta * b[1])
        service = services[key[0]]  # a departure of `centre` may have no column in `inst` now
        limits = inst.capacity_limits.get(key, (service.capacity_kg, service.capacity_m3))
        m.capacity_term += m.cap[key][0] * (limits[0] or 0.0) + m.cap[key][1] * (limits[1] or 0.0)
    for key in centre.fill.keys() | lp.fill.keys():
        a = centre.fill.get(key) or no_group_fill(inst, centre, key)
        b = lp.fill.get(key) or no_group_fill(inst, lp, key)
        m.fill[key] = (alpha * a[0] + beta * b[0], alpha * a[1] + beta * b[1])
    for ckey in centre.open.keys() | lp.open.keys():
        m.open[ckey] = alpha * centre.open.get(ckey, 0.0) + beta * lp.open.get(ckey, 0.0)
    for sid in centre.service_fill.keys() | lp.service_fill.keys():
        sa, sb = centre.service_fill.get(sid), lp.service_fill.get(sid)
        if sa is not None and sb is not None:
            m.service_fill[sid] = (alpha * sa[0] + beta * sb[0], alpha * sa[1] + beta * sb[1])
        else:
            one = sa or sb
            assert one is not None
            m.service_fill[sid] = one
    return m


class ConsignmentCosts:
    """What each leg costs one consignment under some multipliers (`routing.pricing.LegCosts`).

    `lcl` holds every service's loose price under its undated tariff; a service whose price
    changes by date (`tariff.PlanTariffs.is_dated`) is priced at each departure instead, lists
    its change instants (so that the search looks at every departure up to the last one) and
    lets an on-demand leg wait for them (`waits`)."""

    def __init__(self, inst: Instance, m: Multipliers, ci: int, listing: Listing,
                 lcl: list[float], co2: list[float]) -> None:
        self.inst = inst
        self.m = m
        self.ci = ci
        c = inst.consignments[ci]
        self.w, self.v = c.weight_kg, c.volume_m3
        self.cn = compiled(inst.request.network)
        self.tariffs = plan_tariffs(inst.request.network)
        self.money = inst.objective.money
        self.co2w = inst.objective.per_kg_co2e
        self.lcl, self.co2 = lcl, co2
        self._changes = listing.changes
        self.listed = listing.listed
        self.points = listing.points
        self._default: dict[int, float] = {}
        # Loose prices by the identity of the `LegTerms` they were computed under: the plan's
        # tariffs keep one per service and price stretch, shared by its departures in it.
        self._loose_under: dict[int, float] = {}
        self.ready = to_seconds(c.ready)

    def waits(self, si: int, after: float) -> Sequence[float]:
        changes = self._changes(si)
        if changes is None or self.m.phase1:
            return ()
        return self.tariffs.later_starts(self.cn.services[si], after)

    def _static(self, si: int) -> float:
        return self.co2w * self.co2[si]

    def _loose(self, si: int, depart: float) -> float:
        if self._changes(si) is None:
            return self.lcl[si]
        return self._loose_by(self.tariffs.at(self.cn.services[si], depart))

    def _loose_by(self, terms: LegTerms) -> float:
        """`terms.loose_eur` for this consignment, computed once per terms (the plan's tariffs
        hold each `LegTerms` for as long as the network lives, so its identity is its key)."""
        found = self._loose_under.get(id(terms))
        if found is None:
            found = self._loose_under[id(terms)] = terms.loose_eur(self.w, self.v)
        return found

    def cost(self, si: int, depart: float) -> float:
        m = self.m
        service = self.cn.services[si]
        key = (service.id, depart)
        cap = m.cap.get(key)
        charge = 0.0 if cap is None else cap[0] * self.w + cap[1] * self.v
        if m.phase1:
            return charge
        dated = self._changes(si) is not None
        # The departure's terms, looked up once for the loose and the boxed price alike.
        terms = self.tariffs.at(service, depart) if dated or service.container is not None else None
        lcl = self._loose_by(terms) if dated and terms is not None else self.lcl[si]
        loose = self.money * lcl + self._static(si) + charge
        boxed = self._boxed(si, key, terms)
        return loose if boxed is None else min(loose, boxed + self._static(si) + charge)

    def default(self, si: int) -> float:
        found = self._default.get(si)
        if found is None:
            if self.m.phase1:
                found = 0.0
            else:
                changes = self._changes(si)
                # A dated service's departures after its last change (all others are listed).
                at = max(changes[-1], self.ready) if changes else self.ready
                loose = self.money * self._loose(si, at) + self._static(si)
                boxed = self._pro_rata(si, at)
                found = loose if boxed is None else min(loose, boxed + self._static(si))
            self._default[si] = found
        return found

    def _boxed(self, si: int, key: DepKey, terms: LegTerms | None = None) -> float | None:
        """What riding boxed costs at departure `key` (the containers' share and the
        per-consignment surcharges), or None; `terms`: the departure's, when known already."""
        service = self.cn.services[si]
        box = service.container
        if box is None:
            return None
        if terms is None:
            terms = self.tariffs.at(service, key[1])
        box_eur = terms.box_eur
        assert box_eur is not None
        extra = self.money * terms.boxed_eur
        fill = self.m.fill.get(key)
        if fill is not None:
            return fill[0] * self.w + fill[1] * self.v + self.m.open.get((self.ci, key), 0.0) + extra
        lam = self.m.pro_rata.get(key)
        if lam is not None:  # as `instance.amortised_coef` prices it
            return self.money * box_eur * (lam * self.w / box.kg + (1.0 - lam) * self.v / box.m3) + extra
        kind = self.inst.rules.kind(service, key[1])
        if kind is Kind.LOOSE:
            return None
        if kind is Kind.OWN:
            return self.money * box_eur * box.count_for(self.w, self.v) + extra
        return self._pro_rata(si, key[1])

    def _pro_rata(self, si: int, depart: float) -> float | None:
        """Boxing at a departure with no group: the no-group multipliers (`no_group_fill`)."""
        service = self.cn.services[si]
        if service.container is None:
            return None
        fill = no_group_fill(self.inst, self.m, (service.id, depart))
        return fill[0] * self.w + fill[1] * self.v + self.money * self.tariffs.at(service, depart).boxed_eur


class Listing:
    """The instants at which each service's cost may differ from its default, per round: the
    departures with multipliers (and groups priced pro rata at their own λ) and, for on-demand
    container services from origin-only locations, the ready instants there (their kind depends
    on who is ready then)."""

    def __init__(self, inst: Instance, m: Multipliers) -> None:
        self.cn = cn = compiled(inst.request.network)
        self.tariffs = plan_tariffs(inst.request.network)
        self.phase1 = m.phase1
        # What does not depend on the consignment, found once per round for every service.
        self._dated: dict[int, tuple[float, ...] | None] = {}
        self._merged: dict[int, Sequence[float]] = {}
        per: dict[int, set[float]] = defaultdict(set)
        for sid, t in (*m.cap, *m.fill, *m.pro_rata):  # each prices its departure on its own
            per[cn.service_index[sid]].add(t)
        if not m.phase1:
            origins = {origin for origin, _ in inst.rules.ready_at}
            for si, s in enumerate(cn.services):
                if s.origin in origins and s.container is not None and not s.is_timetabled:
                    per[si] |= set(inst.rules.riders(s))
        self.times: dict[int, tuple[float, ...]] = {si: tuple(sorted(ts)) for si, ts in per.items()}

    def points(self, si: int) -> Sequence[float]:
        """The departures of service `si` with multipliers of their own (or, from an origin-only
        location, riders of their own): instants that cost other than the price by date."""
        return self.times.get(si, ())

    def changes(self, si: int) -> tuple[float, ...] | None:
        """The change instants of a dated service, None for one with a single price."""
        try:
            return self._dated[si]
        except KeyError:
            service = self.cn.services[si]
            found = self._dated[si] = (self.tariffs.change_starts(service)
                                       if self.tariffs.is_dated(service) else None)
            return found

    def listed(self, si: int) -> Sequence[float]:
        """The instants at which service `si`'s cost may differ from its default: those of
        the multipliers and, outside phase 1, its price changes."""
        changes = self.changes(si)
        if changes is None or self.phase1:
            return self.times.get(si, ())
        found = self._merged.get(si)
        if found is None:
            found = self._merged[si] = tuple(sorted({*self.times.get(si, ()), *changes}))
        return found


@dataclass
class PricingRound:
    """What one round of pricing found: the bound it proves and the new columns."""

    bound: float | None  # L(p) over every itinerary (phase 1: U(p), an upper bound on served)
    values: dict[int, float]  # least cost z_c(p) per servable consignment
    columns: dict[int, Candidate]  # consignment -> its cheapest itinerary, when not yet a column
    unreachable: list[int]  # consignments no itinerary serves


class Pricer:
    """One round's pricing, prepared once and shared by every consignment it prices: the
    instants listed per service, the columns already in the model, the handling arrays."""

    def __init__(self, inst: Instance, m: Multipliers) -> None:
        self.inst, self.m = inst, m
        self.cn = cn = compiled(inst.request.network)
        self.listing = Listing(inst, m)
        self.handling_eur = np.array(cn.handling_eur)
        self.handling_kg = np.array(cn.handling_eur_per_kg)
        self.hub_kg_per_t = np.array(cn.hub_co2e_kg_per_t, dtype=float)
        self.horizon_s = inst.request.horizon_days * 86400.0
        self.existing: dict[int, set[tuple[DepKey, ...]]] = defaultdict(set)
        for cand in inst.cands:
            self.existing[cand.ci].add(tuple(leg.key for leg in cand.legs))

    def query(self, ci: int) -> tuple[PricingQuery, ConsignmentCosts]:
        """Consignment `ci`'s search and its leg costs under the round's multipliers."""
        inst, m, cn = self.inst, self.m, self.cn
        c = inst.consignments[ci]
        lcl, co2 = cn.loose_prices(c.weight_kg, c.volume_m3)
        costs = ConsignmentCosts(inst, m, ci, self.listing, lcl, co2)
        money, co2w = inst.objective.money, inst.objective.per_kg_co2e
        # Hub emissions at a change of service enter like its handling charge.
        handling = ([0.0] * len(cn.ids) if m.phase1
                    else (money * (self.handling_eur + self.handling_kg * c.weight_kg)
                          + co2w * (c.weight_kg / 1000.0 * self.hub_kg_per_t)).tolist())
        ready = to_seconds(c.ready)
        query = PricingQuery(cn.index[c.origin], cn.index[c.destination], ready, ready + self.horizon_s,
                             to_seconds(c.due) if c.due is not None else INF, c.goods,
                             cn.too_small(c.weight_kg, c.volume_m3), handling,
                             0.0 if m.phase1 else inst.objective.per_second(ci))
        return query, costs

    def cheapest(self, ci: int) -> Priced | None:
        """Consignment `ci`'s least-cost itinerary (`routing.pricing.cheapest`)."""
        query, costs = self.query(ci)
        return cheapest(self.cn, query, costs)

    def is_new(self, ci: int, found: Priced) -> bool:
        """Whether `found` is not yet among `ci`'s columns (then it counts as one from now)."""
        legs = tuple((self.cn.services[si].id, t) for si, t in found.legs)
        if legs in self.existing[ci]:
            return False
        self.existing[ci].add(legs)
        return True


def price_round(inst: Instance, m: Multipliers, served_target: int,
                members: Collection[int] | None = None, stop: Callable[[], bool] = lambda: False,
                pricer: Pricer | None = None) -> PricingRound | None:
    """Price every consignment (or `members`) exactly over all itineraries; None if `stop()`.

    The bound takes the served multiplier σ at its best for the others: the `served_target`-th
    smallest z_c, which makes L = Σ of the `served_target` smallest z_c − Σ p_cap·capacity (the
    sum of the cheapest ways to serve that many, at these prices). It is None when fewer than
    `served_target` consignments can be served at all. `pricer`: the round's preparation, when
    several calls share it."""
    pricer = pricer or Pricer(inst, m)
    values: dict[int, float] = {}
    columns: dict[int, Candidate] = {}
    unreachable: list[int] = []
    for ci in (range(len(inst.consignments)) if members is None else sorted(members)):
        if stop():
            return None
        found = pricer.cheapest(ci)
        if found is None:
            unreachable.append(ci)
            continue
        values[ci] = found.value
        if pricer.is_new(ci, found):
            columns[ci] = _candidate(inst, ci, found)
    bound: float | None
    if m.phase1:
        bound = sum(max(0.0, 1.0 - z) for z in values.values()) + m.capacity_term
    elif len(values) >= served_target:
        bound = sum(sorted(values.values())[:served_target]) - m.capacity_term
    else:
        bound = None
    # Only admissible columns enter the model (--on-time); the bound over every itinerary stays
    # a valid relaxation (routing/planner/ontime.py).
    return PricingRound(bound, values, admissible_columns(inst.request, columns), unreachable)


def _candidate(inst: Instance, ci: int, found: Priced) -> Candidate:
    cn = compiled(inst.request.network)
    legs = tuple((cn.services[si], t) for si, t in found.legs)
    return from_legs(inst.request.network, inst.consignments[ci], ci, legs)



def complete_columns(inst: Instance, m: Multipliers, priced: PricingRound, gap: float, limit: int,
                     stop: Callable[[], bool] = lambda: False,
                     total_limit: int | None = None) -> dict[int, list[Candidate]] | None:
    """Every itinerary that a plan better than the incumbent could use, under the multipliers
    of one round of pricing: for any plan x, objective(x) ≥ L(p) + Σ_c (z_c(x_c) − z_c*(p)),
    so a plan within `gap` (= incumbent − L) uses for each consignment only itineraries with
    z_c ≤ z_c* + gap. With all of them among the columns, the MIP over the columns is exact over
    every itinerary, and so is its dual bound. In phase 1 likewise: served(x) ≤ U(p) − Σ_c
    (z_c(x_c) − z_c*(p)), so serving one more than the incumbent needs `gap` = U − (incumbent
    + 1). Returns the ones missing, or None when some consignment has more than `limit` of them
    (or all together more than `total_limit`, or `stop()`)."""
    pricer = Pricer(inst, m)
    options: dict[int, list[Priced]] = {}
    total = 0
    for ci, best in priced.values.items():
        if stop():
            return None
        query, costs = pricer.query(ci)
        found = all_within(pricer.cn, query, costs, best + gap * (1 + 1e-9) + 1e-9, limit)
        if found is None:
            return None
        total += len(found)
        if total_limit is not None and total > total_limit:
            return None
        options[ci] = [option for option in found if pricer.is_new(ci, option)]
    # Built only once all are known to fit the limits (a refusal stays cheap); only the
    # admissible ones (--on-time) enter the model: every admissible one within the gap.
    return admissible_lists(inst.request, {ci: [_candidate(inst, ci, option) for option in found]
                                           for ci, found in options.items() if found})

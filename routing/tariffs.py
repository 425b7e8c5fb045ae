"""Dated prices in euros: what one leg costs on one departure. The single pricing function.

`leg_price_at(network, service, weight_kg, volume_m3, depart_s)` is what every priced figure of
the project rests on (itineraries, `compare`'s break-even weights, the engine's tables through
`terms_at`, the planner). The rules, in order (the README's "Money" section states them too):

1. The day. Rates apply by the departure's local date at the service's origin, D.
2. The rate row. The service's rate row in force on D (`valid_from` <= D <= `valid_to`); on a
   day no row covers (an added date, a scenario's opening) the last row that started before D,
   else the first row. Its amounts are in the row's `currency`.
3. Freight. chargeable_kg = max(weight_kg, volume_m3 × kg_per_m3); LCL = max(eur_min, eur_fixed
   + eur_per_kg × chargeable_kg + eur_per_tkm × chargeable_kg / 1000 × distance_km), and where
   the service sells containers FCL = n × container_eur (n the fewest holding weight and
   volume), each divided by the row currency's rate on D (units per euro, `fx.csv`: the latest
   row dated on or before D; EUR is 1).
4. Surcharges in force on D that select the service (`network.surcharges`), summed in file
   order per kind and converted at their own currency's rate on D:
   all-in LCL = LCL + LCL × Σpercent/100 + chargeable_kg × Σper_chargeable_kg + Σper_consignment;
   all-in FCL = FCL + FCL × Σpercent/100 + n × Σper_container + Σper_consignment.
5. The leg costs the cheaper all-in price (LCL on a tie).

The surcharges a leg uses are those its basis pays (per chargeable kg: loose cargo; per
container: whole containers; percent and per consignment: both). The price is valid until the
earliest `valid_to` of the rate row and the surcharges it used (None when all are open-ended);
it is an estimate when the row's or a used surcharge's `source` starts with `estimate:`. A day
before the first rate of a currency it needs raises `FxError` (an `InputError`: exit 2 at the
command line).
"""

from __future__ import annotations

import weakref
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date

import numpy as np

from network.fx import EUR, FxRate
from network.model import Network, Service
from network.surcharges import (
    PER_CHARGEABLE_KG,
    PER_CONSIGNMENT,
    PER_CONTAINER,
    PERCENT_FREIGHT,
    Surcharge,
)
from network.timetable import from_seconds
from routing.costing import FCL, LCL, chargeable_kg, lcl_eur, leg_price
from routing.costing import leg_prices as costing_prices


@dataclass(frozen=True)
class Terms:
    """Everything a leg's price depends on for one service on one day (rules 2 and 4)."""

    row: Service  # the rate row in force: its amounts are in row.currency
    per_eur: float  # units of row.currency per euro on the day
    percent: float  # Σ percent_freight surcharges
    per_kg_eur: float  # Σ per_chargeable_kg surcharges, EUR per chargeable kg
    per_container_eur: float  # Σ per_container surcharges, EUR per container
    per_consignment_eur: float  # Σ per_consignment surcharges, EUR
    surcharges: tuple[Surcharge, ...]  # in force and selecting the service, file order
    rates: tuple[FxRate, ...]  # the exchange rates used (row's first, then surcharges')
    day: date

    @property
    def is_plain(self) -> bool:
        """True when the terms are the row's EUR amounts alone (no conversion, no surcharge)."""
        return self.per_eur == 1.0 and not self.surcharges


@dataclass(frozen=True)
class AppliedSurcharge:
    """A surcharge as it was charged on one leg, in euros."""

    id: str
    kind: str
    eur: float
    source: str


@dataclass(frozen=True)
class LegPrice:
    """The price of one leg on one departure (module docstring), in euros."""

    eur: float  # what the leg costs, surcharges included
    chargeable_kg: float
    basis: str  # "LCL" or "FCL"
    containers: int  # containers bought when basis is FCL, else 0
    freight_eur: float  # the tariff alone on that basis, converted
    surcharges: tuple[AppliedSurcharge, ...]
    currency: str  # of the rate row
    rates: tuple[FxRate, ...]  # exchange rates used (EUR omitted)
    day: date  # the departure's local date at the origin
    rate_valid_from: date | None
    rate_valid_to: date | None
    valid_until: date | None  # earliest valid_to of the row and the surcharges used
    estimate: bool
    source: str  # the rate row's source


def local_day(service: Service, depart_s: float) -> date:
    """The local date at the service's origin of a departure instant (rule 1)."""
    return from_seconds(depart_s, service.origin_tz).date()


def row_at(network: Network, service: Service, day: date) -> Service:
    """The rate row of `service` in force on `day` (rule 2)."""
    rows = network.rate_cards.get(service.id)
    if rows is None:
        return service
    for row in rows:
        if (row.valid_from or date.min) <= day <= (row.valid_to or date.max):
            return row
    started = [row for row in rows if row.valid_from is not None and row.valid_from <= day]
    return started[-1] if started else rows[0]


_SELECTED: weakref.WeakKeyDictionary[Network, dict[str, tuple[Surcharge, ...]]] = weakref.WeakKeyDictionary()


def selecting(network: Network, service: Service) -> tuple[Surcharge, ...]:
    """The network's surcharges that select `service` (dates aside), in file order."""
    if not network.surcharges:
        return ()
    cache = _SELECTED.get(network)
    if cache is None:
        cache = _SELECTED[network] = {}
    found = cache.get(service.id)
    if found is None:
        found = cache[service.id] = tuple(
            s for s in network.surcharges
            if s.selects(service.base_id, service.operator, service.mode, service.corridors))
    return found


# Terms kept per network: at most this many (service, day) pairs, then the memo starts again
# (a sweep over many days or a large network must not grow it without end).
TERMS_MEMO = 65_536


def terms_at(network: Network, service: Service, day: date) -> Terms:
    """The terms of `service` on local date `day` (rules 2 and 4). They depend on nothing but
    the network (immutable), the service and the day, so they are remembered per network: every
    query, candidate and price window of a day asks again (most of a query's time on the
    default network, whose prices are in USD and CNY, before they were)."""
    memo: dict[tuple[str, date], tuple[Service, Terms]] | None = network.__dict__.get("_terms_memo")
    if memo is None:
        memo = network.__dict__["_terms_memo"] = {}
    key = (service.id, day)
    found = memo.get(key)
    if found is not None and found[0] is service:
        return found[1]
    terms = _terms_on(network, service, day)
    if len(memo) >= TERMS_MEMO:
        memo.clear()
    memo[key] = (service, terms)
    return terms


def _terms_on(network: Network, service: Service, day: date) -> Terms:
    """`terms_at`, computed."""
    row = row_at(network, service, day)
    fx = network.fx
    row_rate = fx.rate_on(row.currency, day)
    rates = [row_rate] if row.currency != EUR else []
    percent = per_kg = per_box = per_consignment = 0.0
    used = []
    for s in selecting(network, service):
        if not s.in_force(day):
            continue
        used.append(s)
        if s.kind == PERCENT_FREIGHT:
            percent += s.amount
            continue
        rate = fx.rate_on(s.currency, day)
        if s.currency != EUR and rate not in rates:
            rates.append(rate)
        amount = s.amount / rate.per_eur
        if s.kind == PER_CHARGEABLE_KG:
            per_kg += amount
        elif s.kind == PER_CONTAINER:
            per_box += amount
        elif s.kind == PER_CONSIGNMENT:
            per_consignment += amount
    return Terms(row, row_rate.per_eur, percent, per_kg, per_box, per_consignment, tuple(used),
                 tuple(rates), day)


def _freight(terms: Terms, weight_kg: float, volume_m3: float) -> tuple[str, int, float, float, float]:
    """(basis, containers, freight, price, chargeable kg) under `terms` (rules 3 to 5)."""
    row = terms.row
    kg = chargeable_kg(row, weight_kg, volume_m3)
    lcl = lcl_eur(row, weight_kg, volume_m3) / terms.per_eur
    lcl_all = lcl + lcl * terms.percent / 100.0 + kg * terms.per_kg_eur + terms.per_consignment_eur
    if row.container is not None:
        count = row.container.count_for(weight_kg, volume_m3)
        fcl = count * row.container.eur / terms.per_eur
        fcl_all = fcl + fcl * terms.percent / 100.0 + count * terms.per_container_eur \
            + terms.per_consignment_eur
        if fcl_all < lcl_all:
            return FCL, count, fcl, fcl_all, kg
    return LCL, 0, lcl, lcl_all, kg


def price_eur(terms: Terms, weight_kg: float, volume_m3: float) -> float:
    """`price_with(terms, weight_kg, volume_m3).eur`, without the record (the engine's dated
    costs need the figure only)."""
    return _freight(terms, weight_kg, volume_m3)[3]


def price_with(terms: Terms, weight_kg: float, volume_m3: float) -> LegPrice:
    """The price under `terms` (rules 3 to 5). `routing.compiled.prices` computes the same with
    the same operations, vectorised, so the two agree to the last bit."""
    row = terms.row
    basis, n, freight, price, kg = _freight(terms, weight_kg, volume_m3)
    # The surcharges the chosen basis pays (per kg on loose cargo, per container on boxes).
    used = [s for s in terms.surcharges if not ((s.kind == PER_CHARGEABLE_KG and basis == FCL)
                                                or (s.kind == PER_CONTAINER and basis == LCL))]
    applied = []
    for s in used:
        if s.kind == PERCENT_FREIGHT:
            eur = freight * s.amount / 100.0
        else:
            rate = next((r.per_eur for r in terms.rates if r.currency == s.currency), 1.0)
            eur = s.amount / rate * {PER_CHARGEABLE_KG: kg, PER_CONTAINER: n, PER_CONSIGNMENT: 1}[s.kind]
        applied.append(AppliedSurcharge(s.id, s.kind, eur, s.source))
    ends = [d for d in (row.valid_to, *(s.valid_to for s in used)) if d is not None]
    return LegPrice(
        eur=price, chargeable_kg=kg, basis=basis, containers=n, freight_eur=freight,
        surcharges=tuple(applied), currency=row.currency, rates=terms.rates, day=terms.day,
        rate_valid_from=row.valid_from, rate_valid_to=row.valid_to,
        valid_until=min(ends) if ends else None,
        estimate=row.price_is_estimate or any(s.is_estimate for s in used),
        source=row.source)


def leg_price_at(network: Network, service: Service, weight_kg: float, volume_m3: float,
                 depart_s: float) -> LegPrice:
    """The price in EUR of carrying `weight_kg` / `volume_m3` on `service` leaving at POSIX
    instant `depart_s` (module docstring: rate row in force, FX on the departure's local date at
    the origin, surcharges, LCL or FCL).

    Contract (stable; the planner prices plans with it): `service` is a service of `network`
    (as in `network.services`, or an access leg of a network returned by `resolve_place`);
    `weight_kg` > 0 (actual), `volume_m3` > 0; `depart_s` the departure instant in POSIX
    seconds (the engine's time axis). Returns a `LegPrice` in euros: `eur` the leg's cost,
    `freight_eur` the tariff alone, `surcharges` as charged, `rates` the exchange rates used,
    `valid_until` the last day its rate row and surcharges are valid (None: open-ended),
    `estimate` whether any of them is an estimate. Raises `FxError` (an `InputError`) when a
    currency it needs has no rate on or before the departure's date.
    """
    return leg_price_on(network, service, weight_kg, volume_m3, local_day(service, depart_s))


def leg_price_on(network: Network, service: Service, weight_kg: float, volume_m3: float,
                 day: date) -> LegPrice:
    """`leg_price_at` for a departure on local date `day` at the origin (callers that hold the
    local departure already save converting it again)."""
    if price_changes(network, service) is None:
        # The plain EUR tariff (one row, no surcharge): the undated arithmetic, same figures.
        p = leg_price(service, weight_kg, volume_m3)
        return LegPrice(eur=p.eur, chargeable_kg=p.chargeable_kg, basis=p.basis, containers=p.containers,
                        freight_eur=p.eur, surcharges=(), currency=EUR, rates=(), day=day,
                        rate_valid_from=service.valid_from, rate_valid_to=service.valid_to,
                        valid_until=service.valid_to, estimate=service.price_is_estimate,
                        source=service.source)
    return price_with(terms_at(network, service, day), weight_kg, volume_m3)


def leg_prices_at(network: Network, service: Service, weights_kg: np.ndarray, volumes_m3: np.ndarray,
                  depart_s: float) -> np.ndarray:
    """`leg_price_at(...).eur` for arrays of weights and volumes at one departure, with the same
    arithmetic (`compare`'s break-even search prices many weights at once)."""
    return prices_with(terms_at(network, service, local_day(service, depart_s)), weights_kg, volumes_m3)


def prices_with(terms: Terms, weights_kg: np.ndarray, volumes_m3: np.ndarray) -> np.ndarray:
    """`price_with(terms, w, v).eur` for arrays of weights and volumes (the same arithmetic)."""
    row = terms.row
    if terms.is_plain:  # the plain EUR tariff: the same figures in fewer operations
        return costing_prices(row, weights_kg, volumes_m3)
    kg = np.maximum(weights_kg, volumes_m3 * row.kg_per_m3)
    lcl = np.maximum(row.eur_min, row.eur_fixed + row.eur_per_kg * kg
                     + row.eur_per_tkm * kg / 1000.0 * row.distance_km) / terms.per_eur
    lcl_all = lcl + lcl * terms.percent / 100.0 + kg * terms.per_kg_eur + terms.per_consignment_eur
    box = row.container
    if box is None:
        return lcl_all  # type: ignore[no-any-return]
    eps = 1e-9
    n = np.maximum(np.maximum(1.0, np.ceil(weights_kg / box.kg - eps)), np.ceil(volumes_m3 / box.m3 - eps))
    fcl = n * box.eur / terms.per_eur
    fcl_all = fcl + fcl * terms.percent / 100.0 + n * terms.per_container_eur + terms.per_consignment_eur
    return np.where(fcl_all < lcl_all, fcl_all, lcl_all)


_CHANGES: weakref.WeakKeyDictionary[Network, dict[str, tuple[date, ...]]] = weakref.WeakKeyDictionary()


def price_changes(network: Network, service: Service) -> tuple[date, ...] | None:
    """The days on which `service`'s terms may change (a rate row starting or ending, an
    exchange rate, a surcharge starting or ending), sorted; None when its price is the plain
    EUR tariff on every day (one EUR row, no surcharge selects it)."""
    cache = _CHANGES.get(network)
    if cache is None:
        cache = _CHANGES[network] = {}
    if service.id in cache:
        found = cache[service.id]
        return None if found == _PLAIN else found
    rows = network.rate_rows(service.id)
    surcharges = selecting(network, service)
    if len(rows) == 1 and rows[0].currency == EUR and not surcharges:
        cache[service.id] = _PLAIN
        return None
    days: set[date] = set()
    if len(rows) > 1:
        for row in rows:
            days.update(d for d in (row.valid_from, _next_day(row.valid_to)) if d is not None)
    currencies = {row.currency for row in rows} | {s.currency for s in surcharges if s.currency}
    for currency in currencies - {EUR}:
        days.update(network.fx.change_dates(currency))
    for s in surcharges:
        days.update(d for d in (s.valid_from, _next_day(s.valid_to)) if d is not None)
    found = tuple(sorted(days))
    cache[service.id] = found
    return found


_PLAIN: tuple[date, ...] = (date.min,)  # cache marker: the plain tariff


def _next_day(day: date | None) -> date | None:
    if day is None or day == date.max:
        return None
    return date.fromordinal(day.toordinal() + 1)


def changes_within(changes: tuple[date, ...], first: date, last: date) -> tuple[date, ...]:
    """The change days d with first < d <= last (the terms differ on both sides of each)."""
    return changes[bisect_right(changes, first):bisect_right(changes, last)]

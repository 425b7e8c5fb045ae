"""Plain-data views of results (the documented JSON schema), shared by the CLI and the maps."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from network.fx import EUR, FxRate
from network.model import Network
from network.timetable import to_seconds
from routing.consignment import Consignment
from routing.evidence import itinerary_evidence
from routing.itinerary import Itinerary, Leg
from routing.reliability import Figures
from routing.tariffs import local_day
from routing.waits import price_waits

SCHEMA = "silkroute.itineraries/1"


@dataclass(frozen=True)
class Money:
    """The currency outputs are shown in: euros, or another currency at the rate of the query's
    ready date (the local date at the origin), from the network's fx.csv."""

    code: str = EUR
    per_eur: float = 1.0
    rate: FxRate | None = None  # None for EUR

    def of(self, eur: float) -> float:
        """`eur` in this currency."""
        return eur * self.per_eur

    def text(self, eur: float, digits: int = 2) -> str:
        """`eur` as `USD 1,234.56`."""
        return f"{self.code} {self.of(eur):,.{digits}f}"

    def note(self) -> str:
        """How amounts were converted, for table footers ("" for euros)."""
        if self.rate is None:
            return ""
        return (f"Amounts in {self.code} at {self.per_eur:g} per EUR (fx.csv: the rate of "
                f"{self.rate.date.isoformat()}, in force on the ready date).")

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "per_eur": self.per_eur,
                "rate_date": self.rate.date.isoformat() if self.rate else None,
                "source": self.rate.source if self.rate else None}


EUROS = Money()  # the default display currency (frozen: safe as a shared default)


def money_for(network: Network, consignment: Consignment, code: str) -> Money:
    """The display currency `code` at the rate of the consignment's ready date (the local date
    at its origin); raises `FxError` (bad input) when fx.csv has no rate on or before it."""
    if code == EUR:
        return Money()
    day = consignment.ready.astimezone(network.locations[consignment.origin].zone).date()
    rate = network.fx.rate_on(code, day)
    return Money(code, rate.per_eur, rate)


def scenarios_list(network: Network) -> list[dict[str, Any]]:
    """The what-if scenarios applied to `network`, in order."""
    return [{"name": s.name, "file": s.file, "changes": s.changes} for s in network.scenarios]


def fx_list(rates: tuple[FxRate, ...]) -> list[dict[str, Any]]:
    return [{"currency": r.currency, "per_eur": r.per_eur, "date": r.date.isoformat(), "source": r.source}
            for r in rates]


def _r(value: float, digits: int = 2) -> float:
    return round(value + 0.0, digits)


def _r_or_none(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else _r(value, digits)


def consignment_dict(network: Network, c: Consignment) -> dict[str, Any]:
    """The consignment as echoed in every output."""
    return {
        "id": c.id or None,
        "origin": c.origin,
        "origin_name": network.locations[c.origin].name,
        "destination": c.destination,
        "destination_name": network.locations[c.destination].name,
        "weight_kg": c.weight_kg,
        "volume_m3": c.volume_m3,
        "ready": c.ready.isoformat(),
        "due": c.due.isoformat() if c.due else None,
        "goods": c.goods,
        "value_eur": c.value_eur,
    }


def _leg_money(leg: Leg, money: Money) -> dict[str, Any]:
    """The dated-price fields of a leg (added to schema 1)."""
    p = leg.pricing
    if p is None:  # a leg built outside the engine (tests): its undated tariff in EUR
        return {"currency": EUR, "fx_per_eur": 1.0, "freight_eur": _r(leg.cost_eur), "surcharges": [],
                "price_estimate": leg.price_is_estimate, "rate_valid_until": None,
                "price_date": local_day(leg.service, to_seconds(leg.depart)).isoformat(),
                "cost": _r(money.of(leg.cost_eur))}
    rate = next((r.per_eur for r in p.rates if r.currency == p.currency), 1.0)
    return {
        "currency": p.currency,
        "fx_per_eur": rate,
        "freight_eur": _r(p.freight_eur),
        "surcharges": [{"id": s.id, "kind": s.kind, "cost_eur": _r(s.eur)} for s in p.surcharges],
        "price_estimate": p.estimate,
        "rate_valid_until": p.rate_valid_to.isoformat() if p.rate_valid_to else None,
        "price_date": p.day.isoformat(),
        "cost": _r(money.of(leg.cost_eur)),
    }


def itinerary_dict(network: Network, it: Itinerary, rank: int | None = None,
                   money: Money | None = None, figures: Figures | None = None) -> dict[str, Any]:
    """One itinerary: totals, then legs and handling in order (`money`: the display currency
    of the `cost` fields; `cost_eur` stays in euros); with `figures`, its reliability
    (`arrive_p50`, `arrive_p90`, `on_time_probability`, ...: `routing.reliability`)."""
    money = money or Money()
    until = it.prices_valid_until
    return {
        "rank": rank,
        "main_mode": it.main_mode,
        "summary": it.describe(),
        "cost_eur": _r(it.cost_eur),
        "transit_h": _r(it.transit_h),
        "transit_days": _r(it.transit_h / 24.0, 1),
        "co2e_kg": _r(it.co2e_kg),
        "depart": it.depart.isoformat(),
        "arrive": it.arrive.isoformat(),
        "meets_due": it.meets_due,
        "legs": [
            {
                "service": leg.service.id,
                "operator": leg.service.operator,
                "from": leg.service.origin,
                "from_name": network.locations[leg.service.origin].name,
                "to": leg.service.destination,
                "to_name": network.locations[leg.service.destination].name,
                "mode": leg.service.mode,
                "depart": leg.depart.isoformat(),
                "arrive": leg.arrive.isoformat(),
                "distance_km": leg.service.distance_km,
                "chargeable_kg": _r(leg.chargeable_kg),
                "basis": leg.basis,
                "containers": leg.containers,
                "cost_eur": _r(leg.cost_eur),
                "co2e_kg": _r(leg.co2e_kg),
                **_leg_money(leg, money),
                "co2e_ttw_kg": _r_or_none(leg.co2e_ttw_kg),
                "co2e_wtt_kg": _r_or_none(leg.co2e_wtt_kg),
                "co2e_distance_km": leg.service.co2e_distance_km,
            }
            for leg in it.legs
        ],
        "handling": [
            {"location": h.location, "cost_eur": _r(h.cost_eur), "hours": h.hours,
             "cost": _r(money.of(h.cost_eur)), "co2e_kg": _r(h.co2e_kg, 3),
             "co2e_ttw_kg": _r_or_none(h.co2e_ttw_kg, 3), "co2e_wtt_kg": _r_or_none(h.co2e_wtt_kg, 3)}
            for h in it.handling
        ],
        "cost": _r(money.of(it.cost_eur)),
        "currency": money.code,
        "fx": fx_list(it.fx_rates),
        "prices_valid_until": until.isoformat() if until else None,
        "estimated_legs": list(it.estimated_legs),
        # issue 15: emissions split (ISO 14083 / GLEC v3) and the evidence it rests on
        "co2e_ttw_kg": _r_or_none(it.co2e_ttw_kg),
        "co2e_wtt_kg": _r_or_none(it.co2e_wtt_kg),
        "co2e_hub_kg": _r(it.co2e_hub_kg, 3),
        "evidence": itinerary_evidence(network, it).as_dict(),
        # on-demand legs that leave later than they could, for a cheaper dated price
        "price_waits": [w.as_dict() for w in price_waits(network, it)],
        **(figures.as_dict() if figures is not None else {}),
    }


def itineraries_document(network: Network, consignment: Consignment, itineraries: list[Itinerary],
                         query: dict[str, Any], money: Money | None = None,
                         figures: list[Figures] | None = None) -> dict[str, Any]:
    """The whole JSON document of `route` / `pareto` / `compare` (`figures`: the reliability of
    each itinerary, in order)."""
    money = money or Money()
    shown = figures if figures is not None else [None] * len(itineraries)
    return {
        "schema": SCHEMA,
        "query": query,
        "network": {"name": network.name, "as_of": list(network.as_of_range())},
        "consignment": consignment_dict(network, consignment),
        "itineraries": [itinerary_dict(network, it, i + 1, money, f)
                        for i, (it, f) in enumerate(zip(itineraries, shown, strict=True))],
        "scenarios": scenarios_list(network),
        "currency": money.as_dict(),
    }

"""Text and table pieces about dated money and scenarios, shared by the command-line outputs:
which scenarios were applied, a service's currency, validity and corridors, an itinerary's
exchange rates, price validity and estimates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from network.calendar import INF
from network.model import Network, Service
from network.timetable import from_seconds
from routing.itinerary import Itinerary
from routing.report import Money

# Columns `network show` adds to services.csv's own when a scenario or calendar changed them.
SERVICE_SCENARIO_COLUMNS = ("calendar_dates", "scenario_edits", "variant_of", "rate_rows")


def scenario_names(network: Network) -> str:
    """The what-if scenarios applied, in order, for a CSV's `scenarios` column ("" for none)."""
    return " + ".join(s.name for s in network.scenarios)


def scenario_line(network: Network) -> str:
    """` Scenarios applied: A (a.toml), B (b.toml).` or ""."""
    if not network.scenarios:
        return ""
    names = ", ".join(f"{s.name} ({s.file})" for s in network.scenarios)
    return f" Scenarios applied: {names}."


def service_extras(network: Network, s: Service) -> dict[str, Any]:
    """The optional services.csv columns of a service, and what calendars and scenarios did."""
    calendar = s.calendar
    dates = [f"+{d.isoformat()}" for d in sorted(calendar.added)]
    dates += [f"-{d.isoformat()}" for d in sorted(calendar.removed)]
    edits = [f"{'open' if e.opening else 'close'} {_bound(e.start)}..{_bound(e.end)}"
             for e in calendar.edits]
    return {
        "currency": s.currency,
        "valid_from": s.valid_from.isoformat() if s.valid_from else "",
        "valid_to": s.valid_to.isoformat() if s.valid_to else "",
        "corridors": " ".join(sorted(s.corridors)),
        "calendar_dates": " ".join(dates),
        "scenario_edits": "; ".join(edits),
        "variant_of": s.variant_of,
        "rate_rows": len(network.rate_rows(s.id)),
    }


def _bound(value: object) -> str:
    if value is None:
        return "open"
    return value.isoformat() if isinstance(value, datetime) or hasattr(value, "isoformat") else str(value)


def money_lines(it: Itinerary, money: Money) -> str:
    """One line on an itinerary's prices: valid until, exchange rates, estimates, surcharges."""
    parts = []
    until = it.prices_valid_until
    parts.append(f"prices valid until {until.isoformat()}" if until else "prices open-ended")
    rates = it.fx_rates
    if rates:
        parts.append("FX " + ", ".join(f"{r.currency} {r.per_eur:g}/EUR ({r.date.isoformat()})"
                                       for r in rates))
    surcharges = [s for leg in it.legs if leg.pricing is not None for s in leg.pricing.surcharges]
    if surcharges:
        total = sum(s.eur for s in surcharges)
        parts.append(f"surcharges {money.text(total)} ({', '.join(sorted({s.id for s in surcharges}))})")
    estimated = it.estimated_legs
    if estimated:
        which = "all legs" if len(estimated) == len(it.legs) else \
            "legs " + ", ".join(str(i) for i in estimated)
        parts.append(f"estimated prices: {which}")
    return "   " + " · ".join(parts)


def open_periods(service: Service, start_s: float, end_s: float) -> list[tuple[str, str]]:
    """When an on-demand service may leave within [start_s, end_s): (from, to) local texts."""
    out = []
    spans = [(-INF, INF)] if service.calendar.is_always else service.schedule.spans()
    for a, b in spans:
        lo, hi = max(a, start_s), min(b, end_s)
        if lo < hi:
            out.append((from_seconds(lo, service.origin_tz).isoformat(),
                        from_seconds(hi, service.origin_tz).isoformat()))
    return out

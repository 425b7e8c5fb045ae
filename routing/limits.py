"""The project's limits on inputs, in one place: instants, quantities, prices, file sizes.

A value outside these limits is refused at the boundary (CLI options, consignments CSV) with the
option or field named and the allowed range given, so nothing deeper ever sees it. This module
imports only the standard library, so every package (the network loader too) may use it.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

EARLIEST_INSTANT = datetime(1971, 1, 1, tzinfo=UTC)
"""The earliest supported instant (before it, zones fall back to local mean time and odd offsets)."""

LATEST_INSTANT = datetime(2200, 1, 1, tzinfo=UTC)
"""The first unsupported instant: ready, due and the horizon's end must all lie before it."""

MAX_HORIZON_DAYS = 400.0
"""The longest --horizon-days: a year of timetables plus a long sea leg's slack."""

MAX_WEIGHT_KG = 10_000_000.0
"""The heaviest consignment: 10,000 t, more than any one train or flight carries."""

MAX_VOLUME_M3 = 100_000.0
"""The largest consignment: 100,000 m³, about 1,300 forty-foot containers."""

MAX_VALUE_EUR = 10_000_000_000.0
"""The highest declared goods value: EUR 10 billion."""

MAX_EUR_PER_DAY = 10_000_000.0
"""The highest price of a day in transit (the default from MAX_VALUE_EUR stays below it)."""

MAX_EUR_PER_TCO2 = 100_000.0
"""The highest carbon price per tonne CO2e (EU ETS allowances trade near EUR 80)."""

MAX_TIME_LIMIT_S = 7 * 86_400.0
"""The longest `plan --time-limit`: one week."""

MIN_TIME_LIMIT_S = 0.1
"""The shortest `plan --time-limit` (the solvers need a moment to return anything)."""

MAX_INPUT_BYTES = 128 * 1024 * 1024
"""The largest input CSV file read (consignments or network), 128 MiB: over a million rows."""

MAX_FIELD_CHARS = 131_072
"""The longest CSV field read, in characters (the csv module's own default limit)."""

MAX_PLACE_CHARS = 200
"""The longest place name or id accepted on the command line or in a consignments CSV."""

DAY = timedelta(days=1)


def last_day_text() -> str:
    """The last supported day: `2199-12-31`."""
    return (LATEST_INSTANT - DAY).date().isoformat()


def date_range_text() -> str:
    """The supported instants as people read them: `1971-01-01 to 2199-12-31 UTC` (the zone
    said, so that a local instant on the first day before 00:00 UTC is not refused by a message
    that seems to include it)."""
    return f"{EARLIEST_INSTANT.date().isoformat()} to {last_day_text()} UTC"


def instant_in_range(instant: datetime) -> bool:
    """True when an aware `instant` lies in [EARLIEST_INSTANT, LATEST_INSTANT)."""
    return EARLIEST_INSTANT <= instant < LATEST_INSTANT


def window_in_range(start: datetime, days: float) -> bool:
    """True when `days` after an aware `start` still lies before LATEST_INSTANT."""
    return instant_in_range(start) and days <= (LATEST_INSTANT - start) / DAY


def amount_text(value: float) -> str:
    """A limit as people read it: `50,000`, `0.1`, `10,000,000,000`."""
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,g}"


def range_text(low: float, high: float, unit: str) -> str:
    """An inclusive range with its unit: `0..50,000 km`."""
    return f"{amount_text(low)}..{amount_text(high)}{' ' + unit if unit else ''}"


def quantity_problem(value: float, high: float, unit: str, *, zero_ok: bool = False) -> str | None:
    """Why `value` is not a usable quantity in (0, high] (or [0, high] when `zero_ok`), or None."""
    low_text = "0 or more" if zero_ok else "greater than 0"
    allowed = f"{low_text} and at most {amount_text(high)}{' ' + unit if unit else ''}"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"{value!r} is not a number (allowed: {allowed})"
    if math.isnan(value) or math.isinf(value):
        return f"{value:g} is not a finite number (allowed: {allowed})"
    if value < 0 or (value == 0 and not zero_ok) or value > high:
        return f"{value:,g}{' ' + unit if unit else ''} is outside the allowed range: {allowed}"
    return None

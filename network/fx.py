"""Currencies and the dated exchange-rate table (`fx.csv`) of a network.

Prices are kept in the currency they are quoted in and converted to euros at the rate in
force on the departure's date (the local date at the service's origin): the rate of the latest
`fx.csv` row of that currency dated on or before that day. EUR is 1 on every day.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from network.errors import InputError, InvalidFieldsError

EUR = "EUR"

# Active ISO 4217 codes (2025). A code outside this list is refused as unknown.
ISO_4217 = frozenset({
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD",
    "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD",
    "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ",
    "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD",
    "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR",
    "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR",
    "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN",
    "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR",
    "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB",
    "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS",
    "VES", "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG",
})

_CODE = re.compile(r"^[A-Z]{3}$")


def currency_problem(code: str) -> str | None:
    """Why `code` is not a currency this project knows (ISO 4217), or None."""
    if not _CODE.match(code):
        return f"{code!r} is not an ISO 4217 currency code (three capital letters, e.g. EUR, USD, CNY)"
    if code not in ISO_4217:
        return f"unknown currency {code!r} (not an active ISO 4217 code)"
    return None


class FxError(InputError):
    """No exchange rate for a currency on a date (before the table's first rate)."""


# Units of a currency per euro: no currency is worth more than EUR 1,000 (the dearest, the
# Kuwaiti dinar, is about 0.33 per euro) and the weakest trade near 1e5 per euro. Bounding the
# rate also bounds every converted price, which the engine keeps in whole micro-euros.
MIN_PER_EUR, MAX_PER_EUR = 1e-3, 1e9
RATE_RANGE_TEXT = (f"is not a rate from {MIN_PER_EUR:g} to {MAX_PER_EUR:,.0f} "
                   "(units of the currency per euro)")


@dataclass(frozen=True)
class FxRate:
    """Units of `currency` per euro, in force from `date` until the next row of the currency."""

    date: date
    currency: str
    per_eur: float
    source: str = ""
    as_of: str = ""

    def __post_init__(self) -> None:
        errors = []
        problem = currency_problem(self.currency)
        if problem is not None:
            errors.append(("currency", problem))
        if not (isinstance(self.per_eur, (int, float)) and MIN_PER_EUR <= self.per_eur <= MAX_PER_EUR):
            errors.append(("per_eur", f"{self.per_eur!r} {RATE_RANGE_TEXT}"))
        if errors:
            raise InvalidFieldsError(f"fx rate {self.currency} {self.date}", errors)


EUR_RATE = FxRate(date.min, EUR, 1.0, "the reference currency")


@dataclass(frozen=True)
class FxTable:
    """Dated rates per currency (module docstring)."""

    rates: Mapping[str, tuple[FxRate, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        ordered = {c: tuple(sorted(rows, key=lambda r: r.date)) for c, rows in self.rates.items()}
        object.__setattr__(self, "rates", MappingProxyType(ordered))
        object.__setattr__(self, "_days", {c: [r.date for r in rows] for c, rows in ordered.items()})

    @classmethod
    def of(cls, rows: Iterable[FxRate]) -> FxTable:
        grouped: dict[str, list[FxRate]] = {}
        for row in rows:
            grouped.setdefault(row.currency, []).append(row)
        return cls({c: tuple(v) for c, v in grouped.items()})

    def __hash__(self) -> int:
        return id(self)

    def currencies(self) -> tuple[str, ...]:
        return tuple(sorted(self.rates))

    def first_date(self, currency: str) -> date | None:
        """The first day `currency` can be converted (None for EUR: always)."""
        if currency == EUR:
            return None
        rows = self.rates.get(currency)
        return rows[0].date if rows else date.max

    def change_dates(self, currency: str) -> tuple[date, ...]:
        """The days on which `currency`'s rate changes (its rows' dates)."""
        if currency == EUR:
            return ()
        return tuple(r.date for r in self.rates.get(currency, ()))

    def rate_on(self, currency: str, day: date) -> FxRate:
        """The rate in force on `day`; raises `FxError` before the first rate of `currency`."""
        if currency == EUR:
            return EUR_RATE
        rows = self.rates.get(currency)
        if not rows:
            raise FxError(f"no exchange rate for {currency} (fx.csv has none): prices in {currency} "
                          "cannot be converted to EUR")
        days: list[date] = self.__dict__["_days"][currency]
        i = bisect_right(days, day)
        if i == 0:
            raise FxError(f"no {currency} exchange rate on or before {day.isoformat()} (fx.csv starts "
                          f"{currency} on {rows[0].date.isoformat()}): a price on that day cannot be "
                          "converted to EUR; use a later date or add earlier rates to fx.csv")
        return rows[i - 1]


NO_FX = FxTable()

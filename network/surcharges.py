"""Surcharges (`surcharges.csv`, and what-if scenarios): fuel (BAF), peak season, war risk,
emissions trading — added to a leg's freight while they are in force.

A surcharge applies to a leg when every selector it gives matches the service (an empty
selector matches all): `service` (a glob on the service id, `SEA-*`), `operator` (a glob,
case-insensitive), `mode`, `corridor` (one of the service's corridor tags); and when the
departure's local date at the origin lies in `valid_from`..`valid_to` (inclusive, open ends).

Kinds: `percent_freight` (amount % of the leg's freight, in EUR), `per_chargeable_kg` (amount ×
chargeable kg, on loose cargo), `per_container` (amount × containers bought, on whole
containers), `per_consignment` (amount once per leg). All but `percent_freight` carry a currency
and are converted at the rate of the departure's date, as freight is.
"""

from __future__ import annotations

import fnmatch
import math
import re
from dataclasses import dataclass
from datetime import date

from network.columns import MODES
from network.errors import InvalidFieldsError
from network.fx import currency_problem

PERCENT_FREIGHT = "percent_freight"
PER_CHARGEABLE_KG = "per_chargeable_kg"
PER_CONTAINER = "per_container"
PER_CONSIGNMENT = "per_consignment"
KINDS = (PERCENT_FREIGHT, PER_CHARGEABLE_KG, PER_CONTAINER, PER_CONSIGNMENT)
# Inclusive ranges of `amount` per kind: surcharges never make a price negative.
AMOUNT_RANGES = {PERCENT_FREIGHT: (0.0, 1_000.0, "%"), PER_CHARGEABLE_KG: (0.0, 10_000.0, "per kg"),
                 PER_CONTAINER: (0.0, 10_000_000.0, "per container"),
                 PER_CONSIGNMENT: (0.0, 10_000_000.0, "per consignment")}
_ID = re.compile(r"^[A-Za-z0-9_.-]+$")


@dataclass(frozen=True)
class Surcharge:
    """One surcharge and what it applies to (module docstring)."""

    id: str
    kind: str
    amount: float
    currency: str = ""
    service: str = ""
    operator: str = ""
    mode: str = ""
    corridor: str = ""
    valid_from: date | None = None
    valid_to: date | None = None
    source: str = ""
    as_of: str = ""

    def __post_init__(self) -> None:
        errors: list[tuple[str, str]] = []
        if not _ID.match(self.id):
            errors.append(("id", f"{self.id!r} is not a valid id (letters, digits, '_', '-', '.')"))
        if self.kind not in KINDS:
            errors.append(("kind", f"unknown kind {self.kind!r} (expected {', '.join(KINDS)})"))
        else:
            low, high, unit = AMOUNT_RANGES[self.kind]
            if isinstance(self.amount, bool) or not isinstance(self.amount, (int, float)) \
                    or not math.isfinite(self.amount) or not low <= self.amount <= high:
                errors.append(("amount", f"{self.amount!r} is outside {low:g}..{high:,g} {unit}"))
            if self.kind == PERCENT_FREIGHT:
                if self.currency:
                    errors.append(("currency", "a percent_freight surcharge has no currency"))
            else:
                problem = currency_problem(self.currency) if self.currency else "is empty (give the "\
                    "currency of the amount, e.g. EUR)"
                if problem is not None:
                    errors.append(("currency", problem))
        if self.mode and self.mode not in MODES:
            errors.append(("mode", f"unknown mode {self.mode!r} (expected one of {', '.join(MODES)})"))
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors.append(("valid_to", f"{self.valid_to.isoformat()} is before valid_from "
                                       f"{self.valid_from.isoformat()}"))
        if errors:
            raise InvalidFieldsError(f"surcharge {self.id!r}", errors)

    def selects(self, service_id: str, operator: str, mode: str, corridors: frozenset[str]) -> bool:
        """Whether the surcharge applies to a service with these attributes (dates aside)."""
        return ((not self.service or fnmatch.fnmatchcase(service_id, self.service))
                and (not self.operator or fnmatch.fnmatchcase(operator.lower(), self.operator.lower()))
                and (not self.mode or mode == self.mode)
                and (not self.corridor or self.corridor in corridors))

    def in_force(self, day: date) -> bool:
        """Whether the surcharge applies to a departure on local date `day`."""
        return ((self.valid_from is None or self.valid_from <= day)
                and (self.valid_to is None or day <= self.valid_to))

    @property
    def is_estimate(self) -> bool:
        return is_estimate(self.source)


def is_estimate(source: str) -> bool:
    """Whether a figure's `source` marks it as an estimate (it starts with `estimate:`)."""
    return source.lstrip()[:9].lower() == "estimate:"  # sources are long: no copy of them

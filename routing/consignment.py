"""A consignment: what a planner asks to move, from where to where, when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from network.columns import GOODS_CLASSES
from network.errors import InvalidFieldsError
from routing.limits import (
    MAX_VALUE_EUR,
    MAX_VOLUME_M3,
    MAX_WEIGHT_KG,
    date_range_text,
    instant_in_range,
    quantity_problem,
)

DEFAULT_GOODS = "general"


@dataclass(frozen=True)
class Consignment:
    """Goods of one shipper, moved unsplit from `origin` to `destination` (location ids)."""

    origin: str
    destination: str
    weight_kg: float
    volume_m3: float
    ready: datetime
    due: datetime | None = None
    goods: str = DEFAULT_GOODS
    value_eur: float | None = None
    id: str = ""

    def __post_init__(self) -> None:
        errors: list[tuple[str, str]] = []
        for name, high, unit in (("weight_kg", MAX_WEIGHT_KG, "kg"), ("volume_m3", MAX_VOLUME_M3, "m³")):
            problem = quantity_problem(getattr(self, name), high, unit)
            if problem is not None:
                errors.append((name, problem))
        if self.value_eur is not None:
            problem = quantity_problem(self.value_eur, MAX_VALUE_EUR, "EUR", zero_ok=True)
            if problem is not None:
                errors.append(("value_eur", problem))
        for name, instant in (("ready", self.ready), ("due", self.due)):
            if instant is None:
                continue
            if instant.tzinfo is None or instant.utcoffset() is None:
                errors.append((name, "needs a time zone"))
            elif not instant_in_range(instant):
                errors.append((name, f"{instant.isoformat()} is outside the supported range "
                                     f"{date_range_text()}"))
        if self.due is not None and not errors and self.due <= self.ready:
            errors.append(("due", f"{self.due.isoformat()} is not after ready "
                                  f"{self.ready.isoformat()}"))
        if self.goods not in GOODS_CLASSES:
            errors.append(("goods", f"unknown goods class {self.goods!r} "
                                    f"(expected {', '.join(GOODS_CLASSES)})"))
        if self.origin == self.destination:
            errors.append(("destination", "is the same place as the origin"))
        if errors:
            raise InvalidFieldsError(f"consignment {self.id}".strip(), errors)

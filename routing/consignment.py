"""A consignment: what a planner asks to move, from where to where, when."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from network.columns import GOODS_CLASSES
from network.errors import InvalidFieldsError

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
        for name in ("weight_kg", "volume_m3"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
                errors.append((name, f"{value!r} must be a number greater than zero"))
        if self.value_eur is not None and (not math.isfinite(self.value_eur) or self.value_eur < 0):
            errors.append(("value_eur", f"{self.value_eur!r} must be zero or more"))
        if self.ready.tzinfo is None or self.ready.utcoffset() is None:
            errors.append(("ready", "needs a time zone"))
        if self.due is not None:
            if self.due.tzinfo is None or self.due.utcoffset() is None:
                errors.append(("due", "needs a time zone"))
            elif not errors and self.due.astimezone(UTC) <= self.ready.astimezone(UTC):
                errors.append(("due", f"{self.due.isoformat()} is not after ready "
                                      f"{self.ready.isoformat()}"))
        if self.goods not in GOODS_CLASSES:
            errors.append(("goods", f"unknown goods class {self.goods!r} "
                                    f"(expected {', '.join(GOODS_CLASSES)})"))
        if self.origin == self.destination:
            errors.append(("destination", "is the same place as the origin"))
        if errors:
            raise InvalidFieldsError(f"consignment {self.id}".strip(), errors)

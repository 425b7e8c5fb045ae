"""Parse weights and volumes as planners type them: `800kg`, `1.2t`, `3.5m3`, `350l`."""

from __future__ import annotations

import math
import re

from network.errors import InputError

_NUMBER_UNIT = re.compile(r"^\s*([0-9]+(?:[.,][0-9]+)?|[.,][0-9]+)\s*((?:[^\s0-9]\S*)?)\s*$")

# Unit spellings -> factor to the base unit (kg or m³). A bare number is the base unit.
WEIGHT_UNITS = {"": 1.0, "kg": 1.0, "kgs": 1.0, "t": 1000.0, "tonne": 1000.0,
                "tonnes": 1000.0, "g": 0.001}
VOLUME_UNITS = {"": 1.0, "m3": 1.0, "m³": 1.0, "cbm": 1.0, "l": 0.001, "litre": 0.001,
                "litres": 0.001, "liter": 0.001, "liters": 0.001}


def _parse(text: str, units: dict[str, float], what: str, example: str) -> float:
    match = _NUMBER_UNIT.match(text)
    unit = match.group(2).lower() if match else None
    if match is None or unit not in units:
        raise InputError(f"cannot read {text!r} as a {what}: expected a number with "
                         f"{' or '.join(u for u in units if u in ('kg', 't', 'm3', 'l'))}, "
                         f"e.g. {example}")
    value = float(match.group(1).replace(",", ".")) * units[unit]
    if not math.isfinite(value) or value <= 0:
        raise InputError(f"{what} {text!r} must be greater than zero")
    return value


def parse_weight_kg(text: str) -> float:
    """Kilograms from `800kg`, `800 kg`, `1.2t`, `1,2 t` or a bare `800` (kg)."""
    return _parse(str(text), WEIGHT_UNITS, "weight", "800kg or 1.2t")


def parse_volume_m3(text: str) -> float:
    """Cubic metres from `3.5m3`, `3.5 m³`, `350l` or a bare `3.5` (m³)."""
    return _parse(str(text), VOLUME_UNITS, "volume", "3.5m3 or 350l")

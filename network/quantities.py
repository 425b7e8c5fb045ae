"""Parse numbers, weights and volumes as planners type them: `800kg`, `1,2 t`, `3.5m3`, `20 000`.

**The rule for decimal and thousands separators** (flags and file cells alike):

- Digits only (`800`) is a whole number. Spaces (also the no-break spaces Excel writes) and
  apostrophes may group digits by three: `20 000`, `20'000`.
- Both `.` and `,` in one number: the last one is the decimal separator, the other groups
  digits by three (`1.234,5` and `1,234.5` are both 1234.5).
- One separator repeated (`1.234.567`, `1,234,567`) groups digits by three: a whole number.
- One separator once: when fewer or more than three digits follow (`1,5`, `3.25`, `0,125`)
  or the part before it is 0 or longer than three digits, it is the decimal separator, `,` or
  `.` alike (`1,5` is 1.5). Exactly three digits after a 1-3 digit number (`20.000`, `1,500`)
  is **ambiguous** (twenty thousand or twenty?) and is refused, unless the input's dialect
  says which separator is the decimal one (a consignments file whose other cells show it, or
  `plan --decimal comma|point`).
- Scientific notation (`1e308`), `inf` and `nan` are read as numbers so that range checks can
  name them.
"""

from __future__ import annotations

import math
import re

from network.errors import InputError

# Characters that group digits by three: space, no-break space, narrow no-break space (what
# fr-BE Excel writes), thin space, apostrophe (Swiss style).
GROUPING_SPACES = " \u00a0\u202f\u2009'’"
_PLAIN_FLOAT = re.compile(r"^[+-]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][+-]?[0-9]+|inf(?:inity)?|nan)$",
                          re.IGNORECASE)
_BODY = re.compile(r"^[0-9.," + re.escape(GROUPING_SPACES) + r"]+$")
_NUMBER = r"[0-9][0-9.," + re.escape(GROUPING_SPACES) + r"]*[0-9]|[0-9]|[.,][0-9]+"
_UNIT = r"\s*([^\s0-9.,]\S*)?\s*$"
_NUMBER_UNIT = re.compile(r"^\s*(" + _NUMBER + ")" + _UNIT)
# A quantity with its minus sign read too (`parse_number` takes it), so that a negative one is
# refused by the range check, as a negative number, rather than as unreadable text.
_SIGNED_NUMBER_UNIT = re.compile(r"^\s*(-?\s*(?:" + _NUMBER + "))" + _UNIT)

DECIMAL_NAMES = {",": "decimal comma", ".": "decimal point"}


class AmbiguousNumberError(ValueError):
    """A number like `20.000` whose separator may be a decimal or a thousands separator."""


def _groups_ok(parts: list[str]) -> bool:
    """`parts` (split at a grouping separator) form digit groups: 1-3 digits, then threes."""
    return (1 <= len(parts[0]) <= 3 and all(p.isdigit() for p in parts)
            and all(len(p) == 3 for p in parts[1:]))


def _whole(text: str, sep: str, shown: str) -> str:
    parts = text.split(sep)
    if not _groups_ok(parts):
        raise ValueError(f"{shown!r} is not a number: {sep!r} groups digits by three "
                         "(e.g. 1.234.567)")
    return "".join(parts)


def decimal_evidence(text: str) -> str | None:
    """The decimal separator `text` shows unambiguously (`,` or `.`), or None.

    `1,5` shows a decimal comma, `3.25` and `1,234.5` a decimal point; `20.000`, `800` and
    `1.234.567` show nothing.
    """
    body = "".join(c for c in str(text).strip() if c not in GROUPING_SPACES)
    match = _NUMBER_UNIT.match(body)
    if match is None:
        return None
    number = match.group(1)
    if "." in number and "," in number:
        return "." if number.rfind(".") > number.rfind(",") else ","
    for sep in ".,":
        if number.count(sep) == 1:
            whole, _, frac = number.partition(sep)
            if len(frac) != 3 or whole in ("", "0") or len(whole) > 3:
                return sep
    return None


def parse_number(text: str, decimal: str | None = None) -> float:
    """`text` as a number under the rule above; `decimal` is the input's decimal separator
    (`,` or `.`) when known. Raises `AmbiguousNumberError` or `ValueError` with the reason."""
    shown = str(text).strip()
    sign = ""
    body = shown
    if body[:1] and body[0] in "+-":
        sign, body = body[0], body[1:].lstrip()
    if _PLAIN_FLOAT.match(shown):
        return float(shown)
    if not body or not _BODY.match(body) or not any(c.isdigit() for c in body):
        raise ValueError(f"{shown!r} is not a number")
    if any(c in GROUPING_SPACES for c in body):
        for space in GROUPING_SPACES:
            if space in body:
                head = body.split(space)
                # The last group may carry a decimal part: `20 000,5`.
                last = re.split(r"[.,]", head[-1], maxsplit=1)
                if not _groups_ok([*head[:-1], last[0]]) or any(not p for p in head):
                    raise ValueError(f"{shown!r} is not a number: spaces group digits by three "
                                     "(e.g. 20 000)")
                body = body.replace(space, "")
    dots, commas = body.count("."), body.count(",")
    if dots and commas:
        point = "." if body.rfind(".") > body.rfind(",") else ","
        group = "," if point == "." else "."
        if body.count(point) > 1:
            raise ValueError(f"{shown!r} is not a number: more than one {DECIMAL_NAMES[point]}")
        if decimal is not None and point != decimal:
            raise ValueError(f"{shown!r} uses a {DECIMAL_NAMES[point]} but this input's decimal "
                             f"separator is {decimal!r}")
        whole, frac = body.split(point)
        return float(sign + _whole(whole, group, shown) + "." + frac)
    if not dots and not commas:
        return float(sign + body)
    sep = "." if dots else ","
    count = dots or commas
    if count > 1:
        if decimal == sep:
            raise ValueError(f"{shown!r} is not a number: more than one {DECIMAL_NAMES[sep]}")
        return float(sign + _whole(body, sep, shown))
    whole, frac = body.split(sep)
    if decimal is not None:
        if sep == decimal:
            return float(sign + (whole or "0") + "." + frac)
        return float(sign + _whole(body, sep, shown))
    if len(frac) != 3 or whole in ("", "0") or len(whole) > 3:
        return float(sign + (whole or "0") + "." + frac)
    smaller = float(whole + "." + frac)
    raise AmbiguousNumberError(
        f"{shown!r} is ambiguous: {whole}{frac} or {smaller:g}? ({sep!r} may separate thousands "
        f"or decimals): write {whole}{frac} for the first, {smaller:g} for the second")


# Unit spellings -> factor to the base unit (kg or m³). A bare number is the base unit.
WEIGHT_UNITS = {"": 1.0, "kg": 1.0, "kgs": 1.0, "t": 1000.0, "tonne": 1000.0,
                "tonnes": 1000.0, "g": 0.001}
VOLUME_UNITS = {"": 1.0, "m3": 1.0, "m³": 1.0, "cbm": 1.0, "l": 0.001, "litre": 0.001,
                "litres": 0.001, "liter": 0.001, "liters": 0.001}


def _parse(text: str, units: dict[str, float], what: str, example: str,
           decimal: str | None) -> float:
    if not text.strip():  # an empty cell (in a workbook, also a formula never calculated)
        raise InputError(f"the {what} is empty: give a number with "
                         f"{' or '.join(u for u in units if u in ('kg', 't', 'm3', 'l'))}, e.g. {example}")
    match = _SIGNED_NUMBER_UNIT.match(text)
    unit = (match.group(2) or "").lower() if match else None
    if match is None or unit not in units:
        raise InputError(f"cannot read {text!r} as a {what}: expected a number with "
                         f"{' or '.join(u for u in units if u in ('kg', 't', 'm3', 'l'))}, "
                         f"e.g. {example}")
    try:
        number = parse_number(match.group(1), decimal)
    except ValueError as exc:
        raise InputError(f"{what} {exc}") from None
    value = number * units[unit]
    if not math.isfinite(value) or value <= 0:
        raise InputError(f"{what} {text!r} must be greater than zero")
    return value


def parse_weight_kg(text: str, decimal: str | None = None) -> float:
    """Kilograms from `800kg`, `800 kg`, `1.2t`, `1,2 t`, `20 000` or a bare `800` (kg)."""
    return _parse(str(text), WEIGHT_UNITS, "weight", "800kg or 1.2t", decimal)


def parse_volume_m3(text: str, decimal: str | None = None) -> float:
    """Cubic metres from `3.5m3`, `3,5 m³`, `350l` or a bare `3.5` (m³)."""
    return _parse(str(text), VOLUME_UNITS, "volume", "3.5m3 or 350l", decimal)

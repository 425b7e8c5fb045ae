"""Read a consignments CSV: every problem of the file reported together as file:line:column."""

from __future__ import annotations

import csv
import math
from pathlib import Path

from network.columns import GOODS_CLASSES
from network.errors import FileFormatError, InputError, InvalidFieldsError, Problem
from network.model import Network
from network.quantities import parse_volume_m3, parse_weight_kg
from routing.consignment import Consignment
from routing.query import build_consignment

REQUIRED = ("id", "origin", "destination", "weight_kg", "volume_m3", "ready")
OPTIONAL = ("due", "goods", "value_eur")


def read_consignments(path: str | Path, network: Network) -> tuple[Network, tuple[Consignment, ...]]:
    """The consignments of `path` and the network extended with any world cities they name.

    Raises `FileFormatError` carrying every problem (file:line:column) when the file is bad.
    """
    path = Path(path)
    name = str(path)
    problems: list[Problem] = []
    consignments: list[Consignment] = []
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise FileFormatError([Problem(name, None, None, f"cannot read: {exc.strerror}")]) from None
    with handle:
        reader = csv.reader(handle)
        try:
            header = [h.strip() for h in next(reader, [])]
            if not header:
                raise FileFormatError([Problem(name, 1, None, "file is empty (expected a header row)")])
            head_problems = [Problem(name, 1, c, "required column is missing") for c in REQUIRED
                             if c not in header]
            head_problems += [Problem(name, 1, h, "column appears twice", i + 1)
                              for i, h in enumerate(header) if header.index(h) != i]
            expected = ", ".join(REQUIRED + OPTIONAL)
            head_problems += [Problem(name, 1, h, f"unknown column (expected {expected})", i + 1)
                              for i, h in enumerate(header) if h not in REQUIRED + OPTIONAL]
            if head_problems:
                raise FileFormatError(head_problems)
            seen: dict[str, int] = {}
            for cells in reader:
                line = reader.line_num
                if not any(c.strip() for c in cells):
                    continue
                if len(cells) != len(header):
                    problems.append(Problem(name, line, None,
                                            f"expected {len(header)} fields, found {len(cells)}"))
                    continue
                row = {h: c.strip() for h, c in zip(header, cells, strict=True)}
                network, consignment = _row(network, name, line, header, row, seen, problems)
                if consignment is not None:
                    consignments.append(consignment)
        except UnicodeDecodeError as exc:
            problems.append(Problem(name, None, None, f"not UTF-8 text ({exc.reason})"))
        except csv.Error as exc:
            problems.append(Problem(name, reader.line_num, None, f"malformed CSV: {exc}"))
    if problems:
        raise FileFormatError(problems)
    if not consignments:
        raise FileFormatError([Problem(name, None, None, "no consignments in the file")])
    return network, tuple(consignments)


def _row(network: Network, name: str, line: int, header: list[str], row: dict[str, str],
         seen: dict[str, int], problems: list[Problem]) -> tuple[Network, Consignment | None]:
    """Parse one row; problems go to `problems` (each with its column number)."""
    before = len(problems)

    def bad(column: str, message: str) -> None:
        problems.append(Problem(name, line, column, message, header.index(column) + 1))

    cid = row["id"]
    if not cid:
        bad("id", "is empty")
    elif cid in seen:
        bad("id", f"duplicate id {cid!r} (first on line {seen[cid]})")
    else:
        seen[cid] = line
    for column in ("origin", "destination", "ready"):
        if not row[column]:
            bad(column, "is empty")
    weight = volume = math.nan
    try:
        weight = parse_weight_kg(row["weight_kg"])
    except InputError as exc:
        bad("weight_kg", str(exc))
    try:
        volume = parse_volume_m3(row["volume_m3"])
    except InputError as exc:
        bad("volume_m3", str(exc))
    value: float | None = None
    if row.get("value_eur"):
        try:
            value = float(row["value_eur"])
            if not math.isfinite(value) or value < 0:
                raise ValueError
        except ValueError:
            bad("value_eur", f"{row['value_eur']!r} is not an amount of EUR (zero or more)")
    goods = row.get("goods") or "general"
    if goods not in GOODS_CLASSES:
        bad("goods", f"unknown goods class {goods!r} (expected {', '.join(GOODS_CLASSES)})")
    if len(problems) > before:
        return network, None
    extended = network
    try:
        extended, consignment = build_consignment(
            network, row["origin"], row["destination"], weight_kg=weight, volume_m3=volume,
            ready=row["ready"], due=row.get("due") or None, goods=goods, value_eur=value,
            consignment_id=cid)
    except InvalidFieldsError as exc:
        for field_name, message in exc.errors:
            column = field_name if field_name in header else "id"
            bad(column, message)
        return network, None
    except InputError as exc:
        text = str(exc)
        column = ("ready" if text.startswith("ready") else "due" if text.startswith("due")
                  else "destination" if row["destination"] in text and row["origin"] not in text
                  else "origin")
        bad(column, text)
        return network, None
    return extended, consignment

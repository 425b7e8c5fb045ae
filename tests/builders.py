"""Tiny hand-made networks written as CSV files, so the loader and the verifier both read them."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from network import columns as C

LOCATION_DEFAULTS = {C.KIND: "city", C.COUNTRY: "BE", C.LAT: "50.6", C.LON: "5.5",
                     C.TZ: "Europe/Brussels", C.HANDLING_H: "0", C.HANDLING_EUR: "0",
                     C.HANDLING_EUR_PER_KG: "0", C.SOURCE: "test", C.AS_OF: "2026-01-01"}
SERVICE_DEFAULTS = {C.MODE: "road", C.OPERATOR: "op", C.DISTANCE_KM: "100", C.DURATION_H: "1",
                    C.DAYS: "", C.DEPARTURE: "", C.CUTOFF_H: "0", C.KG_PER_M3: "0",
                    C.EUR_FIXED: "0", C.EUR_PER_KG: "0", C.EUR_PER_TKM: "0", C.EUR_MIN: "0",
                    C.CO2E_G_PER_TKM: "0", C.GOODS: "", C.SOURCE: "test", C.AS_OF: "2026-01-01"}


def location(lid: str, **fields: Any) -> dict[str, str]:
    """A locations.csv row with sensible defaults (a Belgian city)."""
    row = {C.ID: lid, C.NAME: fields.pop("name", lid), **LOCATION_DEFAULTS}
    row.update({k: str(v) for k, v in fields.items()})
    return row


def service(sid: str, origin: str, destination: str, **fields: Any) -> dict[str, str]:
    """A services.csv row with sensible defaults (an on-demand free road leg of 1 h)."""
    row = {C.ID: sid, C.FROM: origin, C.TO: destination, **SERVICE_DEFAULTS}
    row.update({k: str(v) for k, v in fields.items()})
    return row


def write_network(directory: Path, locations: list[dict[str, str]],
                  services: list[dict[str, str]]) -> Path:
    """Write the two CSV files and return the directory."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, columns, rows in ((C.LOCATIONS_FILE, C.LOCATION_COLUMNS, locations),
                                (C.SERVICES_FILE, C.SERVICE_COLUMNS, services)):
        with (directory / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(columns), restval="")
            writer.writeheader()
            writer.writerows(rows)
    return directory

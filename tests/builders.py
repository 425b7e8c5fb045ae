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
                  services: list[dict[str, str]], *, calendar_dates: list[dict[str, str]] | None = None,
                  fx: list[dict[str, str]] | None = None, surcharges: list[dict[str, str]] | None = None,
                  corridors: list[dict[str, str]] | None = None,
                  reliability: list[dict[str, str]] | None = None) -> Path:
    """Write the CSV files (the optional ones when given) and return the directory. services.csv
    and locations.csv get their optional columns (currency, validity, corridors, emission splits,
    hub emissions) only when a row uses them."""
    directory.mkdir(parents=True, exist_ok=True)
    service_columns = list(C.SERVICE_COLUMNS)
    service_columns += [c for c in C.SERVICE_OPTIONAL_COLUMNS if any(c in row for row in services)]
    location_columns = list(C.LOCATION_COLUMNS)
    location_columns += [c for c in C.LOCATION_OPTIONAL_COLUMNS if any(c in row for row in locations)]
    files = [(C.LOCATIONS_FILE, tuple(location_columns), locations),
             (C.SERVICES_FILE, tuple(service_columns), services)]
    for name, columns, rows in ((C.CALENDAR_DATES_FILE, C.CALENDAR_DATES_COLUMNS, calendar_dates),
                                (C.FX_FILE, C.FX_COLUMNS, fx),
                                (C.SURCHARGES_FILE, C.SURCHARGE_COLUMNS, surcharges),
                                (C.CORRIDORS_FILE, C.CORRIDOR_COLUMNS, corridors),
                                (C.RELIABILITY_FILE, C.RELIABILITY_COLUMNS, reliability)):
        if rows is not None:
            files.append((name, columns, rows))
    for name, columns, rows in files:
        with (directory / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(columns), restval="")
            writer.writeheader()
            writer.writerows(rows)
    return directory

"""Loaders of the optional network files that date and price a network: corridors.csv,
fx.csv, calendar_dates.csv and surcharges.csv; and reliability.csv (delays).

Each reports every problem as `file:line:column`, like the rest of the loader, and checks its
references only against files that could be read whole (no cascades).
"""

from __future__ import annotations

import difflib
import fnmatch
from dataclasses import replace
from datetime import date
from pathlib import Path

from network import columns as C
from network.errors import Problem
from network.fx import EUR, MAX_PER_EUR, MIN_PER_EUR, RATE_RANGE_TEXT, FxRate, FxTable, currency_problem
from network.model import Corridor, Service
from network.reliability import Delay, Reliability, ReliabilityRule
from network.rows import (
    FileRead,
    check_unique,
    parse_currency,
    parse_date,
    parse_float,
    read_rows,
)
from network.surcharges import Surcharge

REQUIRED_CORRIDOR_COLUMNS = (C.TAG, C.NAME, C.KIND)
REQUIRED_FX_COLUMNS = (C.DATE, C.CURRENCY, C.PER_EUR)
REQUIRED_CALENDAR_COLUMNS = (C.SERVICE, C.DATE, C.EXCEPTION)
REQUIRED_SURCHARGE_COLUMNS = (C.ID, C.KIND, C.AMOUNT)
REQUIRED_RELIABILITY_COLUMNS = (C.ID, C.FORM)


def load_corridors(path: Path, problems: list[Problem], status: FileRead) -> dict[str, Corridor]:
    """The corridor tags of corridors.csv."""
    corridors: dict[str, Corridor] = {}
    seen: dict[str, int] = {}
    for row in read_rows(path, REQUIRED_CORRIDOR_COLUMNS, problems, status, key=C.TAG):
        tag = row.text(C.TAG, required=True)
        if tag in seen:
            row.problem(C.TAG, f"duplicate {tag!r} (first defined on line {seen[tag]})")
            continue
        seen[tag] = row.line
        corridor = row.build(Corridor, tag=tag, name=row.text(C.NAME, required=True),
                             kind=row.text(C.KIND, required=True), source=row.text(C.SOURCE),
                             as_of=row.text(C.AS_OF))
        if corridor is not None:
            corridors[tag] = corridor
    return corridors


def _per_eur(text: str) -> float:
    value = parse_float(text)
    if not MIN_PER_EUR <= value <= MAX_PER_EUR:
        raise ValueError(f"{text} {RATE_RANGE_TEXT}")
    return value


def load_fx(path: Path, problems: list[Problem], status: FileRead) -> FxTable:
    """The dated exchange rates of fx.csv."""
    rates: list[FxRate] = []
    seen: dict[tuple[str, date], int] = {}
    for row in read_rows(path, REQUIRED_FX_COLUMNS, problems, status):
        day = row.get(C.DATE, parse_date)
        currency = row.get(C.CURRENCY, parse_currency, fallback=None)
        per_eur = row.get(C.PER_EUR, _per_eur)
        if currency == EUR:
            row.problem(C.CURRENCY, "EUR is the reference currency (1 per euro): list other currencies")
            continue
        if row.failed or day is None or currency is None:
            continue
        if (currency, day) in seen:
            row.problem(C.DATE, f"{currency} on {day.isoformat()} is listed twice "
                                f"(first on line {seen[(currency, day)]})")
            continue
        seen[(currency, day)] = row.line
        rate = row.build(FxRate, date=day, currency=currency, per_eur=per_eur,
                         source=row.text(C.SOURCE), as_of=row.text(C.AS_OF))
        if rate is not None:
            rates.append(rate)
    return FxTable.of(rates)


def fx_problem(fx: FxTable, currency: str, first_day: date | None) -> tuple[str, str] | None:
    """(column, message) when prices in `currency` from `first_day` on cannot be converted:
    no rate at all, or none on or before that day; None when they can."""
    if currency == EUR:
        return None
    first = fx.first_date(currency)
    if first is None:
        return None
    if first == date.max:
        return (C.CURRENCY, f"no exchange rate for {currency} in fx.csv: add its rates per euro")
    if first_day is not None and first_day < first:
        return (C.VALID_FROM, f"no {currency} exchange rate on or before {first_day.isoformat()} "
                              f"(fx.csv starts {currency} on {first.isoformat()})")
    return None


def load_calendar_dates(path: Path, services: dict[str, Service],
                        cards: dict[str, tuple[Service, ...]], service_ids: set[str] | None,
                        problems: list[Problem]
                        ) -> tuple[dict[str, Service], dict[str, tuple[Service, ...]]]:
    """Services with calendar_dates.csv's added and removed dates in their calendars."""
    added: dict[str, set[date]] = {}
    removed: dict[str, set[date]] = {}
    seen: dict[tuple[str, date], int] = {}
    for row in read_rows(path, REQUIRED_CALENDAR_COLUMNS, problems, FileRead()):
        sid = row.text(C.SERVICE, required=True)
        day = row.get(C.DATE, parse_date)
        exception = row.text(C.EXCEPTION, required=True)
        if exception and exception not in (C.ADDED, C.REMOVED):
            row.problem(C.EXCEPTION, f"unknown exception {exception!r} (expected {C.ADDED} or {C.REMOVED})")
            row.failed.add(C.EXCEPTION)
        if sid and service_ids is not None and sid not in service_ids:
            close = difflib.get_close_matches(sid, sorted(service_ids), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            row.problem(C.SERVICE, f"unknown service {sid!r}{hint}")
            continue
        if row.failed or day is None or not sid:
            continue
        if (sid, day) in seen:
            row.problem(C.DATE, f"{sid} on {day.isoformat()} is listed twice "
                                f"(first on line {seen[(sid, day)]})")
            continue
        seen[(sid, day)] = row.line
        (added if exception == C.ADDED else removed).setdefault(sid, set()).add(day)
    out = dict(services)
    out_cards = dict(cards)
    for sid in sorted(set(added) | set(removed)):
        if sid not in services:
            continue  # the service itself was rejected; its problems are already recorded
        service = services[sid]
        calendar = replace(service.calendar, added=frozenset(added.get(sid, ())),
                           removed=frozenset(removed.get(sid, ())))
        if not calendar.periods and (service.valid_from or service.valid_to):
            calendar = replace(calendar, periods=((service.valid_from, service.valid_to),))
        rows = tuple(replace(r, calendar=calendar) for r in cards.get(sid, (service,)))
        out[sid] = rows[0]
        if sid in cards:
            out_cards[sid] = rows
    return out, out_cards


def _pattern_problem(pattern: str, ids: list[str], what: str = "service") -> str | None:
    """Why a service (or location) pattern selects nothing (an unknown id, with a suggestion),
    or None."""
    if any(ch in pattern for ch in "*?["):
        return None if fnmatch.filter(ids, pattern) else f"pattern {pattern!r} matches no {what}"
    if pattern in ids:
        return None
    close = difflib.get_close_matches(pattern, ids, n=1)
    return f"unknown {what} {pattern!r}" + (f"; did you mean {close[0]!r}?" if close else "")


def load_surcharges(path: Path, services: dict[str, Service], service_ids: set[str] | None,
                    corridors: dict[str, Corridor] | None, fx: FxTable | None,
                    problems: list[Problem]) -> tuple[Surcharge, ...]:
    """The surcharges of surcharges.csv, in file order (the order they are added in)."""
    found: list[Surcharge] = []
    seen: dict[str, int] = {}
    ids = sorted(service_ids) if service_ids is not None else None
    tags = set(corridors) if corridors is not None else {t for s in services.values() for t in s.corridors}
    for row in read_rows(path, REQUIRED_SURCHARGE_COLUMNS, problems, FileRead()):
        sid = row.text(C.ID, required=True)
        pattern = row.text(C.SERVICE)
        corridor = row.text(C.CORRIDOR)
        if pattern and ids is not None:
            problem = _pattern_problem(pattern, ids)
            if problem is not None:
                row.problem(C.SERVICE, problem)
        if corridor and corridor not in tags:
            row.problem(C.CORRIDOR, f"unknown corridor {corridor!r} "
                                    f"(known: {', '.join(sorted(tags)) or 'none'})")
        amount = row.number(C.AMOUNT)
        currency = row.text(C.CURRENCY)
        valid_from = row.get(C.VALID_FROM, parse_date, required=False)
        valid_to = row.get(C.VALID_TO, parse_date, required=False)
        if currency and fx is not None and currency_problem(currency) is None:
            problem_fx = fx_problem(fx, currency, valid_from)
            if problem_fx is not None:
                row.problem(problem_fx[0], problem_fx[1])
        if not check_unique(row, sid, seen):
            continue
        surcharge = row.build(Surcharge, id=sid, kind=row.text(C.KIND, required=True), amount=amount,
                              currency=currency, service=pattern, operator=row.text(C.OPERATOR),
                              mode=row.text(C.MODE), corridor=corridor, valid_from=valid_from,
                              valid_to=valid_to, source=row.text(C.SOURCE), as_of=row.text(C.AS_OF))
        if surcharge is not None:
            found.append(surcharge)
    return tuple(found)


def load_reliability(path: Path, service_ids: set[str] | None, location_ids: set[str] | None,
                     problems: list[Problem]) -> Reliability:
    """The rows of reliability.csv, in file order (network/reliability.py: forms and rules).
    Service patterns are checked against every id written in services.csv and location patterns
    against locations.csv's (not at all when that file could not be read)."""
    rules: list[ReliabilityRule] = []
    seen: dict[str, int] = {}
    service_list = sorted(service_ids) if service_ids is not None else None
    location_list = sorted(location_ids) if location_ids is not None else None
    for row in read_rows(path, REQUIRED_RELIABILITY_COLUMNS, problems, FileRead()):
        rid = row.text(C.ID, required=True)
        pattern, place = row.text(C.SERVICE), row.text(C.LOCATION)
        for column, text, ids, what in ((C.SERVICE, pattern, service_list, "service"),
                                        (C.LOCATION, place, location_list, "location")):
            if text and ids is not None:
                problem = _pattern_problem(text, ids, what)
                if problem is not None:
                    row.problem(column, problem)
        values = {name: row.number(name, required=False, default=None)
                  for name in (C.ON_TIME_SHARE, C.WINDOW_H, C.LATE_MEAN_H, C.P50_H, C.P90_H)}
        rollover = row.number(C.ROLLOVER_SHARE, required=False)
        if not check_unique(row, rid, seen):
            continue
        delay = row.build(Delay, form=row.text(C.FORM, required=True), **values)
        rule = row.build(ReliabilityRule, id=rid, delay=delay or _PLACEHOLDER, service=pattern,
                         operator=row.text(C.OPERATOR), mode=row.text(C.MODE), location=place,
                         location_kind=row.text(C.LOCATION_KIND), rollover_share=rollover,
                         source=row.text(C.SOURCE), as_of=row.text(C.AS_OF))
        if rule is not None and delay is not None:
            rules.append(rule)
    return Reliability(tuple(rules))


# Stands in for a delay that failed its own checks, so that the row's other columns are still
# checked in the same pass.
_PLACEHOLDER = Delay("late_mean", on_time_share=1.0)

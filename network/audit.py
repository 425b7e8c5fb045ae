"""How old and how firm the evidence behind a network is (`network audit`).

Every data row carries `source` (an estimate starts with `estimate:`) and `as_of`, the date of
the evidence it rests on, written `YYYY`, `YYYY-MM` or `YYYY-MM-DD`. A partial date is read as
its first day: the evidence is at least that old. A row's evidence is *old* when it is more than
`OLD_MONTHS` months older than the day of the audit (or, for an itinerary, than its ready date).

The audit covers every row a loaded network keeps: locations, services (each rate row), access
rules, corridors, surcharges and exchange rates. `shapes.csv` only draws maps and
`calendar_dates.csv` rows are folded into the services' calendars: `SOURCES.md` covers them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from network.model import Network, Service
from network.surcharges import is_estimate
from network.timetable import next_departure_s, next_open_s, to_seconds

OLD_MONTHS = 18  # evidence older than this is flagged
IDLE_DAYS = 90  # a service without a departure in this many days from the audit day is flagged
_AS_OF = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def evidence_date(as_of: str) -> date | None:
    """The date an `as_of` stamp stands for (a partial date: its first day), None when it is
    empty or not a date."""
    match = _AS_OF.match(as_of.strip())
    if match is None:
        return None
    year, month, day = (int(g) if g else 1 for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for candidate in range(day.day, 0, -1):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has a first day")


def is_old(evidence: date | None, today: date, months: int = OLD_MONTHS) -> bool:
    """Whether evidence of date `evidence` is more than `months` months older than `today`
    (undated evidence counts as old)."""
    return evidence is None or evidence < months_before(today, months)


def age_months(evidence: date, today: date) -> int:
    """Whole months from `evidence` to `today` (negative when the evidence is dated later)."""
    months = (today.year - evidence.year) * 12 + today.month - evidence.month
    return months - 1 if today.day < evidence.day else months


@dataclass(frozen=True)
class EvidenceRow:
    """One data row: what it is, what it rests on, and how old that is on the audit day."""

    file: str  # locations.csv, services.csv, access.csv, corridors.csv, surcharges.csv, fx.csv
    key: str  # the row's id (a dated rate row: `id valid_from..valid_to`)
    group: str  # a service's mode; otherwise the kind of row (location, access, …)
    source: str
    as_of: str
    evidence: date | None
    estimate: bool
    age_months: int | None
    old: bool
    in_force: bool = True  # False: a dated row that ended before the audit day (history)

    @property
    def warned(self) -> bool:
        """Whether the row gets a warning: in force and its evidence old or undated."""
        return self.in_force and self.old

    @property
    def sourced(self) -> bool:
        """Whether the row names a source at all."""
        return bool(self.source.strip())


@dataclass(frozen=True)
class NetworkAudit:
    """The evidence of every row, and the services with no departure soon (module docstring)."""

    today: date
    rows: tuple[EvidenceRow, ...]
    idle_services: tuple[str, ...]  # no departure in [today, today + IDLE_DAYS)

    @property
    def estimates(self) -> int:
        return sum(r.estimate for r in self.rows)

    @property
    def estimate_share(self) -> float:
        return self.estimates / len(self.rows) if self.rows else 0.0

    def oldest_by_group(self) -> dict[str, EvidenceRow]:
        """The row with the oldest evidence of each group (undated rows first), by group name."""
        oldest: dict[str, EvidenceRow] = {}
        for row in self.rows:
            best = oldest.get(row.group)
            if best is None or _older(row, best):
                oldest[row.group] = row
        return dict(sorted(oldest.items()))

    @property
    def old_in_force(self) -> int:
        """Rows in force whose evidence is older than `OLD_MONTHS` months or undated."""
        return sum(r.warned for r in self.rows)

    def warnings(self) -> list[str]:
        """One line per row that names no source, and per row in force whose evidence is old
        or undated (a dated row that ended before the audit day is history: not warned)."""
        lines = []
        for row in self.rows:
            where = f"{row.file} {row.key}"
            if not row.sourced:
                lines.append(f"{where}: no source")
            if not row.in_force:
                continue
            if row.evidence is None:
                lines.append(f"{where}: no evidence date (as_of {row.as_of!r})")
            elif row.old:
                lines.append(f"{where}: evidence of {row.as_of} is older than {OLD_MONTHS} months "
                             f"({age_text(row.evidence, self.today)} on {self.today.isoformat()})")
        for sid in self.idle_services:
            lines.append(f"services.csv {sid}: no departure in the {IDLE_DAYS} days from "
                         f"{self.today.isoformat()}")
        return lines


def _older(a: EvidenceRow, b: EvidenceRow) -> bool:
    if a.evidence is None or b.evidence is None:
        return a.evidence is None and b.evidence is not None
    return a.evidence < b.evidence


def age_text(evidence: date, today: date) -> str:
    """`19 months 3 days`: how old evidence of date `evidence` is on `today`."""
    months = age_months(evidence, today)
    days = (months_before(today, months) - evidence).days if months >= 0 else (today - evidence).days
    return f"{months} months {days} days" if days else f"{months} months"


def _row(file: str, key: str, group: str, source: str, as_of: str, today: date,
         until: date | None = None) -> EvidenceRow:
    evidence = evidence_date(as_of)
    return EvidenceRow(file, key, group, source, as_of, evidence, is_estimate(source),
                       None if evidence is None else age_months(evidence, today),
                       is_old(evidence, today), until is None or until >= today)


def _period(row: Service) -> str:
    first = row.valid_from.isoformat() if row.valid_from else "open"
    last = row.valid_to.isoformat() if row.valid_to else "open"
    return f"{row.id} {first}..{last}"


def evidence_rows(network: Network, today: date) -> list[EvidenceRow]:
    """Every row of `network` with its evidence on `today` (file order, then id order)."""
    rows = [_row("locations.csv", x.id, "location", x.source, x.as_of, today)
            for x in sorted(network.locations.values(), key=lambda x: x.id)]
    for sid in sorted(network.services):
        service = network.services[sid]
        if service.variant_of:
            continue  # made by a scenario: its rows are the service's
        card = network.rate_rows(sid)
        for row in card:
            key = _period(row) if len(card) > 1 else sid
            rows.append(_row("services.csv", key, row.mode, row.source, row.as_of, today, row.valid_to))
    rows += [_row("access.csv", r.country, "access", r.source, r.as_of, today)
             for r in sorted(network.access.values(), key=lambda r: r.country)]
    rows += [_row("corridors.csv", c.tag, "corridor", c.source, c.as_of, today)
             for c in sorted(network.corridors.values(), key=lambda c: c.tag)]
    rows += [_row("surcharges.csv", s.id, "surcharge", s.source, s.as_of, today, s.valid_to)
             for s in network.surcharges]
    for currency in sorted(network.fx.rates):
        rates = network.fx.rates[currency]
        for i, rate in enumerate(rates):
            # A rate is in force until the currency's next row: only the last one is still.
            until = None if i + 1 == len(rates) else rates[i + 1].date - timedelta(days=1)
            rows.append(_row("fx.csv", f"{currency} {rate.date.isoformat()}", "fx", rate.source,
                             rate.as_of, today, until))
    return rows


def has_departure(service: Service, start: datetime, end: datetime) -> bool:
    """Whether `service` may leave at some instant of [start, end)."""
    start_s, end_s = to_seconds(start), to_seconds(end)
    if service.is_timetabled:
        found = next_departure_s(service, start_s, end_s)
        return found is not None and found < end_s
    opened = next_open_s(service, start_s)
    return opened is not None and opened < end_s


def idle_services(network: Network, today: date, days: int = IDLE_DAYS) -> list[str]:
    """Services (scenario variants with their service) with no departure in the `days` days
    from the start of `today` at their origin."""
    departing: dict[str, bool] = {}
    for service in network.services.values():
        zone = ZoneInfo(service.origin_tz)
        start = datetime.combine(today, time(0, 0), tzinfo=zone)
        end = datetime.combine(today + timedelta(days=days), time(0, 0), tzinfo=zone)
        base = service.base_id
        departing[base] = departing.get(base, False) or has_departure(service, start, end)
    return sorted(sid for sid, yes in departing.items() if not yes)


def audit(network: Network, today: date | None = None) -> NetworkAudit:
    """The evidence audit of `network` on `today` (default: today's date in UTC)."""
    day = today or datetime.now(UTC).date()
    return NetworkAudit(day, tuple(evidence_rows(network, day)), tuple(idle_services(network, day)))


def summary_lines(result: NetworkAudit) -> Iterable[str]:
    """The audit's summary in words, one figure per line."""
    rows = result.rows
    yield (f"{len(rows)} rows, {result.estimates} estimates ({result.estimate_share:.0%}); "
           f"{result.old_in_force} rows in force rest on evidence older than {OLD_MONTHS} months "
           f"(or undated) on {result.today.isoformat()}")
    for group, row in result.oldest_by_group().items():
        yield f"oldest evidence ({group}): {row.as_of or 'none'} — {row.file} {row.key}"
    idle = ", ".join(result.idle_services) or "none"
    yield f"services without a departure in the next {IDLE_DAYS} days: {idle}"

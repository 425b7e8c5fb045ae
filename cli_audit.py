"""`network audit`: how old and how firm the evidence behind every row of the network is
(register on the `network` group)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import click

from formats import table, to_json
from network.audit import IDLE_DAYS, OLD_MONTHS, NetworkAudit, audit, summary_lines
from network.model import Network
from routing.limits import EARLIEST_INSTANT, last_day_text
from routing.query import day_first

SCHEMA = "silkroute.audit/1"


class AuditDay(click.ParamType[date]):
    """A day `YYYY-MM-DD`, or day first as everywhere else (`29/11/2026`, `29.11.2026`),
    within the supported range of instants."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        text = str(value).strip()
        try:
            iso = day_first(text)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)
        if iso is not None and "T" in iso:
            self.fail(f"{text!r} is a date and a time: give the day alone", param, ctx)
        text = iso or text
        try:
            day = date.fromisoformat(text)
        except ValueError:
            self.fail(f"{text!r} is not a date YYYY-MM-DD (or day first: 29/11/2026)", param, ctx)
        first = EARLIEST_INSTANT.date().isoformat()
        if len(text) != 10 or not first <= text <= last_day_text():
            self.fail(f"{text!r} is outside {first} to {last_day_text()}", param, ctx)
        return day


@click.command("audit")
@click.option("--as-of", "as_of", type=AuditDay(), default=None,
              help="The day the evidence is aged on (default: today, UTC).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"], case_sensitive=False),
              default="table", show_default=True, help="Output format.")
@click.pass_context
def network_audit(ctx: click.Context, as_of: date | None, fmt: str) -> None:
    """The evidence behind every row: its date and age, estimate or sourced; the share of
    estimates, the oldest evidence per mode, services without a departure in the next
    90 days, and a warning for each row whose evidence is older than 18 months."""
    from cli import _emit, _network

    net = _network(ctx)
    result = audit(net, as_of or datetime.now(UTC).date())
    _emit(to_json(document(net, result)) if fmt.lower() == "json" else text(net, result))
    old = result.old_in_force
    if old:
        click.echo(f"note: {old} of {len(result.rows)} rows in force rest on evidence older than "
                   f"{OLD_MONTHS} months or undated (see the warnings)", err=True)


def document(net: Network, result: NetworkAudit) -> dict[str, Any]:
    """The audit as JSON (schema `silkroute.audit/1`)."""
    oldest = result.oldest_by_group()
    return {
        "schema": SCHEMA,
        "network": net.name,
        "as_of": result.today.isoformat(),
        "old_after_months": OLD_MONTHS,
        "idle_days": IDLE_DAYS,
        "summary": {
            "rows": len(result.rows),
            "estimates": result.estimates,
            "estimate_share": round(result.estimate_share, 4),
            "old_in_force": result.old_in_force,
            "oldest_by_mode": {group: {"file": r.file, "key": r.key, "as_of": r.as_of,
                                       "age_months": r.age_months} for group, r in oldest.items()},
            "services_without_departures": list(result.idle_services),
        },
        "rows": [{"file": r.file, "key": r.key, "group": r.group, "as_of": r.as_of,
                  "evidence_date": r.evidence.isoformat() if r.evidence else None,
                  "age_months": r.age_months, "estimate": r.estimate, "old": r.old,
                  "in_force": r.in_force, "warning": r.warned, "source": r.source}
                 for r in result.rows],
        "warnings": result.warnings(),
    }


def text(net: Network, result: NetworkAudit) -> str:
    """The audit as tables: every row, the summary, the warnings."""
    rows = [[r.file, r.key, r.group, r.as_of or "–",
             "–" if r.age_months is None else str(r.age_months),
             "estimate" if r.estimate else ("sourced" if r.sourced else "NO SOURCE"),
             "OLD" if r.warned else ("old, ended" if r.old else "")] for r in result.rows]
    grid = table(rows, ["file", "row", "mode/kind", "as of", "months", "basis", f">{OLD_MONTHS} mo"],
                 align_right=(4,))
    warnings = result.warnings()
    parts = [f"Evidence audit of network '{net.name}' on {result.today.isoformat()} "
             f"({len(result.rows)} rows)", grid, "Summary\n" + "\n".join(summary_lines(result)),
             f"Warnings ({len(warnings)})\n" + ("\n".join(f"warning: {w}" for w in warnings) or "none")]
    return "\n\n".join(parts)

"""The evidence audit: dates read from `as_of`, ages, old rows, estimates, the oldest evidence per
mode, services without a departure in the next 90 days."""

from __future__ import annotations

from datetime import date

import pytest

from network import load_network
from network.audit import (
    age_months,
    age_text,
    audit,
    evidence_date,
    is_old,
    months_before,
    summary_lines,
)
from tests.builders import location, service, write_network

TODAY = date(2026, 11, 29)


@pytest.mark.parametrize(("text", "expected"), [
    ("2025", date(2025, 1, 1)), ("2025-09", date(2025, 9, 1)), ("2025-09-22", date(2025, 9, 22)),
    (" 2024-06 ", date(2024, 6, 1)), ("", None), ("c. 2025", None), ("2025-13", None),
    ("2025-02-30", None), ("25-09", None), ("2025/09", None),
])
def test_evidence_dates_are_read_at_their_precision(text, expected):
    """`as_of` is YYYY, YYYY-MM or YYYY-MM-DD; a partial date is its first day; anything else is
    no date."""
    assert evidence_date(text) == expected


def test_months_before_clamps_to_the_month_end():
    """18 months before 31 Aug 2027 is 28 Feb 2026; before 29 Nov 2026 it is 29 May 2025."""
    assert months_before(date(2027, 8, 31), 18) == date(2026, 2, 28)
    assert months_before(TODAY, 18) == date(2025, 5, 29)
    assert months_before(date(2026, 1, 15), 1) == date(2025, 12, 15)


def test_old_means_more_than_18_months_and_undated_is_old():
    """Evidence of 29 May 2025 is not old on 29 Nov 2026, of 28 May 2025 it is; undated is."""
    assert not is_old(date(2025, 5, 29), TODAY)
    assert is_old(date(2025, 5, 28), TODAY)
    assert is_old(evidence_date("2025-05"), TODAY)  # read as 1 May 2025
    assert is_old(None, TODAY)
    assert age_months(date(2025, 5, 1), TODAY) == 18
    assert age_text(date(2025, 5, 1), TODAY) == "18 months 28 days"
    assert age_text(date(2024, 11, 29), TODAY) == "24 months"


@pytest.fixture
def small(tmp_path):
    services = [
        service("OLD", "A", "B", source="estimate: made up", as_of="2023-01", mode="rail",
                days="Mon", departure="10:00"),
        service("NEW", "A", "B", source="https://example.org (2026-10)", as_of="2026-10", mode="air"),
        service("PAST", "B", "C", source="https://example.org (2025-02)", as_of="2025-02",
                valid_from="2025-01-01", valid_to="2025-03-31"),
        service("LATER", "B", "C", source="estimate: starts next year", as_of="2026-11",
                valid_from="2027-06-01"),
    ]
    places = [location("A", as_of="2026-01", source="https://example.org"),
              location("B", as_of="", source=""),
              location("C", as_of="2026-02-03", source="estimate: map")]
    fx = [{"date": "2025-01-01", "currency": "USD", "per_eur": "1.04", "source": "ECB", "as_of": "2025-01"},
          {"date": "2026-10-01", "currency": "USD", "per_eur": "1.12", "source": "ECB", "as_of": "2026-10"}]
    return load_network(write_network(tmp_path, places, services, fx=fx))


def test_audit_ages_every_row_and_summarises(small):
    """Rows of every file with their age; estimates counted; history (an ended rate row, an
    fx rate superseded) is shown but not warned; undated and unsourced rows are warned."""
    result = audit(small, TODAY)
    rows = {(r.file, r.key): r for r in result.rows}
    assert set(rows) == {("locations.csv", "A"), ("locations.csv", "B"), ("locations.csv", "C"),
                         ("services.csv", "LATER"), ("services.csv", "NEW"), ("services.csv", "OLD"),
                         ("services.csv", "PAST"), ("fx.csv", "USD 2025-01-01"), ("fx.csv", "USD 2026-10-01")}
    old = rows[("services.csv", "OLD")]
    assert old.estimate and old.old and old.age_months == 46 and old.group == "rail" and old.warned
    assert not rows[("services.csv", "NEW")].old
    past = rows[("services.csv", "PAST")]
    assert past.old and not past.in_force and not past.warned
    assert not rows[("fx.csv", "USD 2025-01-01")].in_force
    assert result.estimates == 3 and result.estimate_share == pytest.approx(3 / 9)
    warnings = result.warnings()
    assert "services.csv OLD: evidence of 2023-01 is older than 18 months (46 months 28 days on 2026-11-29)" \
        in warnings
    assert "locations.csv B: no source" in warnings
    assert "locations.csv B: no evidence date (as_of '')" in warnings
    assert not any("PAST: evidence" in w or "USD 2025-01-01" in w for w in warnings)
    oldest = result.oldest_by_group()
    assert oldest["location"].key == "B" and oldest["rail"].key == "OLD"
    assert oldest["fx"].key == "USD 2025-01-01"


def test_services_without_a_departure_in_the_next_90_days(small):
    """A rate row that ended and a service that starts next year have no departure soon; the
    timetabled and on-demand services that run do."""
    assert audit(small, TODAY).idle_services == ("LATER", "PAST")
    assert "services.csv LATER: no departure in the 90 days from 2026-11-29" in audit(small, TODAY).warnings()
    assert audit(small, date(2027, 5, 1)).idle_services == ("PAST",)  # LATER starts 1 Jun 2027


def test_the_audit_day_is_injected_not_read_from_the_clock(small):
    """The same network audited on two days ages the same rows differently."""
    early, late = audit(small, date(2026, 11, 1)), audit(small, date(2028, 5, 1))
    assert early.old_in_force < late.old_in_force
    assert next(summary_lines(early)).endswith("on 2026-11-01")


def test_the_default_network_audit(tmp_path):
    """On 29 Nov 2026: no row without a source or a date, the Suez loops (January 2026 only) are
    the services without a departure in the next 90 days, and the share of estimates is shown."""
    result = audit(load_network(), TODAY)
    assert all(r.sourced and r.evidence is not None for r in result.rows)
    assert result.idle_services == ("SEA-ANR-NGB-SUEZ", "SEA-ANR-SHA-SUEZ")
    assert 0.5 < result.estimate_share < 1.0
    oldest = result.oldest_by_group()
    assert set(oldest) >= {"air", "rail", "road", "sea", "location", "access", "corridor", "fx", "surcharge"}
    assert oldest["air"].key == "AIR-CA-LGG-HGH"  # Air China's Hangzhou flights: c. 2023, no later evidence

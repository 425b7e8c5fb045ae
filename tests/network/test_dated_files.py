"""The optional files and columns of issue 14 (calendar_dates.csv, fx.csv, surcharges.csv,
corridors.csv; currency, validity and corridor columns; dated rate cards): each broken fixture,
named after its error, reports it as file:line:column, all problems at once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from network import columns as C
from network import load_network
from network.errors import FileFormatError

NETWORKS = Path(__file__).resolve().parents[1] / "data" / "networks"

BROKEN = {
    "calendar_unknown_service": ("calendar_dates.csv", 2, C.SERVICE,
        "unknown service 'TRAINN'; did you mean 'TRAIN'?"),
    "calendar_date_twice": ("calendar_dates.csv", 3, C.DATE,
        "TRAIN on 2026-12-03 is listed twice (first on line 2)"),
    "calendar_unknown_exception": ("calendar_dates.csv", 2, C.EXCEPTION, "unknown exception 'cancelled'"),
    "calendar_malformed_date": ("calendar_dates.csv", 2, C.DATE, "'3 Dec 2026' is not a date YYYY-MM-DD"),
    "inverted_validity": ("services.csv", 3, C.VALID_TO, "2026-01-01 is before valid_from 2026-12-31"),
    "overlapping_rate_rows": ("services.csv", 4, C.VALID_FROM, "overlaps line 3 (2026-01-01..2026-06-30)"),
    "rate_rows_differ": ("services.csv", 4, C.DURATION_H, "differs from line 3"),
    "duplicate_service_without_validity": ("services.csv", 4, C.ID,
        "duplicate 'TRAIN' (first defined on line 3)"),
    "unknown_currency": ("services.csv", 3, C.CURRENCY, "unknown currency 'XYZ'"),
    "currency_without_rate": ("services.csv", 3, C.CURRENCY, "no exchange rate for GBP in fx.csv"),
    "missing_rate_for_date": ("services.csv", 3, C.VALID_FROM,
                              "no USD exchange rate on or before 2020-01-01 "
                              "(fx.csv starts USD on 2023-01-01)"),
    "fx_duplicate_date": ("fx.csv", 4, C.DATE, "USD on 2023-01-01 is listed twice"),
    "fx_bad_rate": ("fx.csv", 2, C.PER_EUR, "is not a rate from 0.001 to 1,000,000,000"),
    "fx_rate_too_small": ("fx.csv", 2, C.PER_EUR, "5e-324 is not a rate from 0.001"),
    "fx_eur_row": ("fx.csv", 2, C.CURRENCY, "EUR is the reference currency"),
    "unknown_corridor": ("services.csv", 3, C.CORRIDORS, "unknown corridor 'PL-BY'"),
    "corridor_bad_kind": ("corridors.csv", 2, C.KIND, "unknown kind 'wall'"),
    "surcharge_unknown_service": ("surcharges.csv", 2, C.SERVICE,
        "unknown service 'TRAINN'; did you mean 'TRAIN'?"),
    "surcharge_pattern_matches_nothing": ("surcharges.csv", 2, C.SERVICE,
        "pattern 'SEA-*' matches no service"),
    "surcharge_unknown_corridor": ("surcharges.csv", 2, C.CORRIDOR, "unknown corridor 'suez'"),
    "surcharge_inverted_dates": ("surcharges.csv", 2, C.VALID_TO,
        "2026-01-01 is before valid_from 2026-12-31"),
    "surcharge_unknown_kind": ("surcharges.csv", 2, C.KIND, "unknown kind 'per_pallet'"),
    "surcharge_missing_currency": ("surcharges.csv", 2, C.CURRENCY, "is empty"),
    "surcharge_missing_rate": ("surcharges.csv", 2, C.VALID_FROM,
        "no USD exchange rate on or before 2022-06-01"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_dated_network_reports_file_line_and_column(name):
    """Each broken fixture fails with its error, located by file, line and column, alone."""
    file, line, column, text = BROKEN[name]
    with pytest.raises(FileFormatError) as info:
        load_network(NETWORKS / name)
    problems = info.value.problems
    matching = [p for p in problems
                if p.file == file and p.line == line and p.column == column and text in p.message]
    assert matching, [str(p) for p in problems]
    assert len(problems) == 1, [str(p) for p in problems]  # no cascade
    assert str(matching[0]).startswith(f"{file}:{line}:")


def test_every_problem_of_every_new_file_at_once():
    """A network broken in five files reports each problem, ordered file by file."""
    with pytest.raises(FileFormatError) as info:
        load_network(NETWORKS / "dated_many_errors")
    where = [(p.file, p.column) for p in info.value.problems]
    assert where == [("fx.csv", C.DATE), ("services.csv", C.CURRENCY), ("services.csv", C.VALID_TO),
                     ("services.csv", C.CORRIDORS), ("calendar_dates.csv", C.SERVICE),
                     ("surcharges.csv", C.CORRIDOR), ("surcharges.csv", C.KIND)]


def test_valid_dated_network_loads_every_new_file():
    """Rate card, currencies, calendar exceptions, corridors and surcharges load together."""
    net = load_network(NETWORKS / "valid_dated")
    train = net.services["TRAIN"]
    assert [r.valid_to for r in net.rate_cards["TRAIN"]] == [date(2026, 6, 30), None]
    assert train.calendar.periods == ((None, date(2026, 6, 30)), (date(2026, 7, 1), None))
    assert train.calendar.removed == {date(2026, 12, 3)} and train.calendar.added == {date(2026, 12, 5)}
    assert all(r.calendar == train.calendar for r in net.rate_cards["TRAIN"])
    assert train.currency == "USD" and net.services["TRUCK2"].currency == "CNY"
    assert train.corridors == {"PL-BY-border"}
    assert [s.id for s in net.surcharges] == ["BAF", "ETS"]
    assert net.fx.rate_on("USD", date(2026, 7, 1)).per_eur == 1.15
    assert net.fx.rate_on("USD", date(2026, 6, 30)).per_eur == 1.0769


def test_old_networks_load_with_euro_prices_and_no_calendar():
    """A network without the new columns and files is unchanged: EUR, always valid."""
    net = load_network(NETWORKS / "valid")
    assert {s.currency for s in net.services.values()} == {"EUR"}
    assert all(s.calendar.is_always for s in net.services.values())
    assert not net.surcharges and not net.rate_cards and not net.fx.rates


def test_default_network_ships_ecb_rates_and_corridor_tags():
    """fx.csv holds the ECB monthly means of the research memo; the ZIH train and the sea
    services carry their corridors; the Suez loops are valid only in January 2026."""
    net = load_network()
    assert net.fx.rate_on("USD", date(2026, 10, 15)).per_eur == 1.1202
    assert net.fx.rate_on("CNY", date(2023, 1, 31)).per_eur == 7.3173
    assert "ecb.europa.eu" in net.fx.rate_on("USD", date(2025, 3, 1)).source
    assert net.services["RAIL-ZIH-LGG-ZZ"].corridors == {"PL-BY-border", "KZ-CN-border"}
    assert net.services["SEA-ANR-SHA"].corridors == {"cape"}
    assert net.services["SEA-ANR-SHA-SUEZ"].calendar.periods == ((date(2026, 1, 5), date(2026, 1, 19)),)
    assert set(net.corridors) == {"PL-BY-border", "KZ-CN-border", "cape", "suez"}

"""The planner's terms per departure (`routing.planner.tariff`)."""

from __future__ import annotations

import random

import pytest

from network import load_network
from network.fx import FxError
from routing.planner.tariff import LegTerms, PlanTariffs
from routing.tariffs import local_day, terms_at


def test_terms_by_stretch_between_changes_equal_the_terms_of_the_local_day():
    """`PlanTariffs.at` finds a departure's terms by the stretch between two change instants;
    on the default network (USD and CNY rows at monthly rates, dated rows), every dated
    service's terms at random instants across 2026-2027 (DST changes included) and at
    each change instant and a second either side are those of the
    departure's local date, computed from the raw tables."""
    network = load_network(None)
    tariffs = PlanTariffs(network)
    dated = [s for s in network.services.values() if tariffs.is_dated(s)]
    assert dated
    rng = random.Random(5)
    start = 1_767_225_600.0  # 2026-01-01 00:00 UTC
    for _ in range(3000):
        service = rng.choice(dated)
        depart = start + rng.uniform(0, 2 * 365 * 86400.0)
        if rng.random() < 0.3 and tariffs.change_starts(service):  # at and around a change
            depart = rng.choice(tariffs.change_starts(service)) + rng.choice([-1.0, 0.0, 1.0])
        try:
            t = terms_at(network, service, local_day(service, depart))
        except FxError:  # before the first exchange rate: both refuse
            with pytest.raises(FxError):
                PlanTariffs(network).at(service, depart)
            continue
        assert tariffs.at(service, depart) == LegTerms(t.row, t.per_eur, t.percent, t.per_kg_eur,
                                                       t.per_container_eur, t.per_consignment_eur)

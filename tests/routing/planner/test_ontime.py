"""Plans with on-time probabilities (routing/planner/ontime.py): `--on-time P` admits only
punctual enough columns, with capacity as before; each assignment's probability is reported, and
re-simulated by the independent verifier."""

from __future__ import annotations

import json
import math
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from network.loader import load_network
from network.timetable import to_seconds
from routing.consignment import Consignment
from routing.planner import PlanRequest, plan_consignments
from routing.planner.candidates import from_legs
from routing.planner.ontime import PLAN_DRAWS, admissible_columns, assignment_figures
from routing.planner.output import ASSIGNMENT_FIELDS, plan_files
from routing.planner.verify import verify_plan
from routing.reliability import DEFAULT_SEED
from tests.builders import location, service, write_network
from tests.verifier import RawNetwork, simulate_raw

BRU = ZoneInfo("Europe/Brussels")
MONDAY = datetime(2027, 1, 4, 6, 0, tzinfo=BRU)


@pytest.fixture(scope="module")
def network_dir(tmp_path_factory) -> Path:
    """A cheap daily train, late half the time (24 h on average), and a dear daily flight that
    is punctual and takes one consignment per departure."""
    services = [service("RAIL", "A", "B", days="daily", departure="10:00", duration_h=48, mode="rail",
                        eur_per_kg=1, distance_km=9000),
                service("AIR", "A", "B", days="daily", departure="12:00", duration_h=12, mode="air",
                        eur_per_kg=5, distance_km=8000, capacity_kg=1000)]
    rules = [{"id": "RAIL", "service": "RAIL", "form": "late_mean", "on_time_share": "0.5",
              "window_h": "0", "late_mean_h": "24"},
             {"id": "AIR", "service": "AIR", "form": "quantiles", "p50_h": "0", "p90_h": "1"}]
    return write_network(tmp_path_factory.mktemp("net"), [location("A"), location("B")], services,
                         reliability=rules)


def _consignments(n: int, due_h: float) -> tuple[Consignment, ...]:
    return tuple(Consignment("A", "B", 800, 1, MONDAY, MONDAY + timedelta(hours=due_h), id=f"c{i}")
                 for i in range(n))


def _verify(directory: Path, plan) -> None:
    """Each assignment's reported probability equals the verifier's re-simulation."""
    figures = assignment_figures(plan)
    raw = RawNetwork(directory)
    for a in plan.assignments:
        arrivals, _ = simulate_raw(raw, [(leg.service_id, leg.depart) for leg in a.legs], PLAN_DRAWS,
                                   DEFAULT_SEED)
        expected = sum(t <= a.consignment.due.timestamp() for t in arrivals) / PLAN_DRAWS
        assert figures[a.consignment.id].on_time == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("solver", ["highs", "greedy"])
def test_on_time_target_moves_consignments_to_the_punctual_service(network_dir, solver):
    """Due 60 h after ready the train (arriving 52 h after it) is on time with 1 − 0.5 e^(−8/24)
    ≈ 64 %: without a target it carries the consignment, with 90 % the flight does."""
    net = load_network(network_dir)
    loose = plan_consignments(PlanRequest(net, _consignments(1, 60), solver=solver, time_limit_s=10))
    strict = plan_consignments(PlanRequest(net, _consignments(1, 60), solver=solver, time_limit_s=10,
                                           on_time=0.9))
    assert [leg.service_id for leg in loose.assignments[0].legs] == ["RAIL"]
    assert [leg.service_id for leg in strict.assignments[0].legs] == ["AIR"]
    for plan in (loose, strict):
        verify_plan(plan)
        _verify(network_dir, plan)
    assert assignment_figures(strict)["c0"].on_time >= 0.9
    expected = 1.0 - 0.5 * math.exp(-8.0 / 24.0)
    assert assignment_figures(loose)["c0"].on_time == pytest.approx(expected, abs=0.045)


def test_capacity_interplay_and_the_on_time_reason(network_dir):
    """Two consignments, one flight seat per day before their due date: one flies; the other,
    whose only punctual columns are full, is left out for capacity; a third that no column
    can bring in time often enough is left out with reason on_time and its best chance."""
    net = load_network(network_dir)
    # The flight arrives 18 h after ready: due 15 min later it is on time with 60 %.
    tight = Consignment("A", "B", 800, 1, MONDAY, MONDAY + timedelta(hours=18, minutes=15), id="tight")
    plan = plan_consignments(PlanRequest(net, (*_consignments(2, 30), tight), time_limit_s=10,
                                         on_time=0.9))
    verify_plan(plan)
    assert [a.consignment.id for a in plan.assignments] in (["c0"], ["c1"])
    reasons = {u.consignment.id: u for u in plan.unassigned}
    assert reasons["tight"].reason == "on_time"
    chance = re.search(r"the most punctual is (\d+) %", reasons["tight"].detail)
    assert chance is not None and abs(int(chance.group(1)) - 60) <= 5  # 4 standard errors
    assert {u.reason for cid, u in reasons.items() if cid != "tight"} == {"capacity"}


def test_only_admissible_priced_columns_enter(network_dir):
    """A priced column below the target is dropped; one above it is kept; without a target all are."""
    net = load_network(network_dir)
    cs = _consignments(2, 60)
    request = PlanRequest(net, cs, on_time=0.9)
    rail_departure = to_seconds(datetime(2027, 1, 4, 10, 0, tzinfo=BRU))
    air_departure = to_seconds(datetime(2027, 1, 4, 12, 0, tzinfo=BRU))
    columns = {0: from_legs(net, cs[0], 0, ((net.services["RAIL"], rail_departure),)),
               1: from_legs(net, cs[1], 1, ((net.services["AIR"], air_departure),))}
    assert list(admissible_columns(request, columns)) == [1]
    assert list(admissible_columns(PlanRequest(net, cs), columns)) == [0, 1]


def test_outputs_carry_each_assignments_probability(network_dir):
    """assignments.csv, plan.json and the workbook give the on-time probability and p50/p90."""
    net = load_network(network_dir)
    plan = plan_consignments(PlanRequest(net, _consignments(1, 60), time_limit_s=10, on_time=0.9))
    figures = assignment_figures(plan)
    files = plan_files(plan, xlsx=True, on_time=figures)
    header = files["assignments.csv"].splitlines()[0].split(",")
    start = header.index("on_time_probability")
    assert header == ASSIGNMENT_FIELDS and header[start:start + 4] == [
        "on_time_probability", "arrival_p50", "arrival_p90", "missed_connection_probability"]
    row = files["assignments.csv"].splitlines()[1].split(",")
    assert float(row[header.index("on_time_probability")]) >= 0.9
    doc = json.loads(files["plan.json"])
    assert doc["summary"]["on_time"] == 0.9
    assert doc["assignments"][0]["on_time_probability"] >= 0.9
    assert doc["assignments"][0]["arrival_p90"].startswith("2027-01-0")
    assert isinstance(files["plan.xlsx"], bytes)


def test_plan_request_refuses_a_probability_outside_0_1(network_dir):
    """--on-time must be greater than 0 and at most 1."""
    with pytest.raises(ValueError, match="on-time"):
        PlanRequest(load_network(network_dir), _consignments(1, 60), on_time=1.2)

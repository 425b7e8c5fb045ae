"""Shared fixtures of the planner tests: a small generated instance and a greedy plan of it."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

from network.loader import load_network
from routing.planner import PlanRequest
from routing.planner.candidates import generate
from routing.planner.consignments import read_consignments
from routing.planner.containers import ContainerRules
from routing.planner.decisions import Decisions
from routing.planner.greedy import solve_greedy
from routing.planner.instance import Instance, build_instance
from routing.planner.objective import PlanObjective
from routing.planner.packing import exact_pack

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "bench"))


def instance_of(request: PlanRequest) -> Instance:
    """The instance of a request's first columns (as the pipeline builds it)."""
    objective = PlanObjective.of(request.objective, request.consignments, request.eur_per_tco2,
                                 request.eur_per_day)
    candidates, _ = generate(request.network, request.consignments, request.objective,
                             eur_per_day=request.eur_per_day, eur_per_tco2=request.eur_per_tco2,
                             horizon_days=request.horizon_days, alternatives=request.alternatives,
                             max_departures=request.max_departures)
    return build_instance(request, candidates, objective,
                          ContainerRules(request.network, request.consignments, objective))


@pytest.fixture(scope="module")
def inst(tmp_path_factory: pytest.TempPathFactory) -> Instance:
    from generate_consignments import generate as consignments
    from generate_consignments import write

    path = tmp_path_factory.mktemp("plan") / "c.csv"
    write(consignments(120, 5, date(2026, 10, 1), 21, True), path)
    net, cs = read_consignments(path, load_network(None))
    return instance_of(PlanRequest(net, cs, max_departures=3))


def greedy_plan(inst: Instance) -> Decisions:
    """Greedy's routes with their containers packed exactly."""
    chosen = solve_greedy(inst).chosen
    packed = exact_pack(inst, chosen, 10.0, 0)
    assert packed is not None
    return chosen, *packed

"""Shared fixtures of the planner tests: a small generated instance and a greedy plan of it, and
a hand-made network of one capacitated train."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from network.loader import load_network
from network.model import Container, Location, Network, Service
from routing.consignment import Consignment
from routing.planner import PlanRequest
from routing.planner.consignments import read_consignments
from routing.planner.decisions import Decisions
from routing.planner.greedy import solve_greedy
from routing.planner.instance import Instance
from routing.planner.packing import exact_pack

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "bench"))


def instance_of(request: PlanRequest) -> Instance:
    """The instance of a request's first columns (as the pipeline builds it)."""
    from generate_consignments import first_instance

    return first_instance(request)


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


# Due at 23:00 on 1 December: only the 10:00 departure of that day arrives in time.
DUE = datetime(2026, 12, 1, 23, 0, tzinfo=UTC)


def one_train(capacity_kg: float | None, container: Container | None = None) -> Network:
    """A → B by a daily 10:00 train (EUR 1 per kg, 10 h) of `capacity_kg`, selling `container`."""
    rail = Service("S-AB", "A", "B", "rail", "op", 1000.0, 10.0, frozenset(range(7)), time(10, 0),
                   cutoff_h=2.0, capacity_kg=capacity_kg, capacity_m3=None, kg_per_m3=0.0,
                   eur_per_kg=1.0, container=container, co2e_g_per_tkm=20.0, origin_tz="UTC")
    places = {x: Location(x, x, "city", "BE", 50.0, 5.0, "UTC") for x in "AB"}
    return Network(places, {rail.id: rail})


def due_today(cid: str, kg: float, ready_hour: int) -> Consignment:
    """`kg` (1 m³) from A to B, ready at `ready_hour` on 1 December, due by `DUE`."""
    return Consignment("A", "B", kg, 1.0, datetime(2026, 12, 1, ready_hour, 0, tzinfo=UTC), DUE, id=cid)

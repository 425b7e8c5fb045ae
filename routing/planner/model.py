"""Typed inputs and outputs of the batch planner (frozen dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from network.model import Network
from routing.consignment import Consignment
from routing.objectives import DEFAULT_EUR_PER_TCO2, Objective
from routing.search import DEFAULT_HORIZON_DAYS

SOLVERS = ("highs", "scip", "greedy")
DEFAULT_SOLVER = "highs"


@dataclass(frozen=True)
class PlanRequest:
    """Consignments to plan on a network, and how.

    `eur_per_day` None means each consignment's carrying cost (value × 20 % / 365) for
    `balanced`. The first columns of the model are `alternatives` + 1 distinct service sequences
    per consignment (plus the best per main mode), each at up to `max_departures` departures per
    timetabled leg; column generation then adds every itinerary that can improve the plan.
    `on_time` admits only itineraries on time by the due date with at least that probability
    (`routing/planner/ontime.py`).
    """

    network: Network
    consignments: tuple[Consignment, ...]
    objective: Objective = Objective.COST
    eur_per_tco2: float = DEFAULT_EUR_PER_TCO2
    eur_per_day: float | None = None
    horizon_days: float = DEFAULT_HORIZON_DAYS
    alternatives: int = 3
    max_departures: int = 6
    solver: str = DEFAULT_SOLVER
    time_limit_s: float = 60.0
    on_time: float | None = None  # each consignment on time with at least this probability

    def __post_init__(self) -> None:
        if self.objective not in (Objective.COST, Objective.CO2, Objective.BALANCED):
            raise ValueError(f"objective {self.objective.value!r} is not supported by plan "
                             "(use cost, co2 or balanced)")
        if self.solver not in SOLVERS:
            raise ValueError(f"unknown solver {self.solver!r} (expected {', '.join(SOLVERS)})")
        if not (isinstance(self.time_limit_s, (int, float)) and 0 < self.time_limit_s < float("inf")):
            raise ValueError("time limit must be a finite number of seconds greater than zero")
        if self.on_time is not None and not (isinstance(self.on_time, (int, float))
                                             and 0.0 < self.on_time <= 1.0):
            raise ValueError(f"on-time probability must be greater than 0 and at most 1, not "
                             f"{self.on_time!r}")
        ids = [c.id for c in self.consignments]
        if len(set(ids)) != len(ids):
            raise ValueError("consignment ids must be unique")


@dataclass(frozen=True)
class PlanSettings:
    """How the solver works (benchmarks and tests), as opposed to what is asked (`PlanRequest`).

    `seed` fixes the solvers' randomness; `relative_gap` is where the MIPs stop proving;
    `open_rows` False drops the model's (open) rows (a benchmark comparison); `capacity` False
    ignores capacity (what-if, tests); `workers` is the number of solver processes.
    """

    seed: int = 0
    relative_gap: float = 1e-4
    open_rows: bool = True
    capacity: bool = True
    workers: int = 2


@dataclass(frozen=True)
class PlannedLeg:
    """One leg of an assigned itinerary: a service at one departure."""

    service_id: str
    origin: str
    destination: str
    mode: str
    depart: datetime
    arrive: datetime
    in_container: bool
    freight_eur: float  # loose freight paid by the consignment; in containers, only the
    # per-consignment surcharges (the containers are paid by the departure)
    co2e_kg: float


@dataclass(frozen=True)
class Assignment:
    """A served consignment and its itinerary."""

    consignment: Consignment
    legs: tuple[PlannedLeg, ...]
    handling_eur: float
    container_share_eur: float  # its share of the containers it rides in (pro rata of fill)
    handling_co2e_kg: float = 0.0  # hub emissions at its changes of service

    @property
    def freight_eur(self) -> float:
        return sum(leg.freight_eur for leg in self.legs)

    @property
    def cost_eur(self) -> float:
        """LCL freight + handling + its share of containers."""
        return self.freight_eur + self.handling_eur + self.container_share_eur

    @property
    def co2e_kg(self) -> float:
        """The legs' CO2e and the hubs' (well to wheel)."""
        return sum(leg.co2e_kg for leg in self.legs) + self.handling_co2e_kg

    @property
    def arrive(self) -> datetime:
        return self.legs[-1].arrive

    @property
    def meets_due(self) -> bool | None:
        due = self.consignment.due
        return None if due is None else self.arrive <= due


@dataclass(frozen=True)
class Unassigned:
    """A consignment left out, and why."""

    consignment: Consignment
    reason: str  # "due_date", "goods_class", "too_large", "no_route", "capacity", "time_limit" or "on_time"
    detail: str
    full_departures: tuple[str, ...] = ()


@dataclass(frozen=True)
class DepartureUse:
    """What the plan puts on one departure of one service."""

    service_id: str
    depart: datetime
    weight_kg: float
    volume_m3: float
    capacity_kg: float | None
    capacity_m3: float | None
    containers: int
    container_eur: float  # one container on this departure's date, surcharges included
    consignments: tuple[str, ...]
    in_container: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    """The outcome of planning: who goes how, what each departure carries, and the solve."""

    request: PlanRequest
    assignments: tuple[Assignment, ...]
    unassigned: tuple[Unassigned, ...]
    departures: tuple[DepartureUse, ...]
    objective_value: float
    best_bound: float | None
    solver: str
    termination: str
    solve_s: float
    candidates: int
    model_size: dict[str, int] = field(default_factory=dict)
    served_bound: int | None = None  # proven upper bound on servable consignments, all itineraries
    settings: PlanSettings = field(default_factory=PlanSettings)
    bound_basis: str = ""  # what proves `best_bound` (empty when there is none yet)
    stages: tuple[tuple[str, float, str], ...] = ()  # (stage, seconds, note)

    @property
    def total_cost_eur(self) -> float:
        return (sum(a.freight_eur + a.handling_eur for a in self.assignments)
                + sum(d.containers * d.container_eur for d in self.departures))

    @property
    def total_co2e_kg(self) -> float:
        return sum(a.co2e_kg for a in self.assignments)

    @property
    def gap(self) -> float | None:
        """Relative optimality gap of the objective (None when no bound is known)."""
        if self.best_bound is None:
            return None
        denom = max(abs(self.objective_value), 1e-9)
        return max(0.0, (self.objective_value - self.best_bound) / denom)

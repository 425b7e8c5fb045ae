"""When will it arrive? Monte Carlo simulation of an itinerary's arrival under the delays of
`reliability.csv` (network/reliability.py), with late cargo missing its connections.

The rule (README "Transit-time reliability"). Cargo is booked on the itinerary's legs at their
planned departures. Each leg, in order:
- a timetabled leg leaves at its planned departure if the cargo is there by the cut-off, else at
  the first departure of the same service whose cut-off it makes (the one departure generator,
  `network.timetable.service_week_departures`: calendars and scenarios applied); with the
  service's `rollover_share` it is not loaded and leaves on the departure after that;
- an on-demand leg leaves at its planned departure, or when late cargo is available (at the
  first instant its calendar is open);
- it arrives after its scheduled duration plus a delay drawn from the service's distribution;
- at the next location the cargo is available after `handling_h` plus a draw of the location's
  handling spread.
Delays never shorten anything, so a simulated arrival is never before the planned one, and an
itinerary planned to arrive after the due date has on-time probability 0.

Draws are vectorised over itineraries and draws (numpy). They are common random numbers: draw j
of leg position i (and of the handling before it) uses the same uniform number for every
itinerary, from generators seeded by (seed, position, stream) — the same seed gives the same
figures, itineraries are compared on the same draws, and the estimate of a probability is an
exact monotone function of the itinerary's departures (an itinerary whose every departure is no
later than another's has an estimate no lower). The on-time probability p is estimated with
standard error sqrt(p(1 − p)/N) ≤ 0.5/sqrt(N): 0.005 at the default N = 10,000 draws.
An itinerary none of whose legs, locations or services has a distribution is exact: it arrives
as planned in every draw.

A draw that finds no departure within `HORIZON_DAYS` of the leg's planned one never arrives:
its arrival is infinite (late, and counted `HORIZON_DAYS` late in the expected lateness).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import numpy as np

from network.model import Network, Service
from network.reliability import Delay, ReliabilityRule
from network.timetable import WEEK_S, from_seconds, next_departure_s, service_week_departures, to_seconds
from routing.itinerary import Itinerary

DEFAULT_DRAWS = 10_000
DEFAULT_SEED = 16
MIN_DRAWS, MAX_DRAWS = 100, 1_000_000
HORIZON_DAYS = 366
HORIZON_S = HORIZON_DAYS * 86400.0
# Draws × itineraries simulated together at most: bounds memory and keeps the arrays in cache.
BATCH_CELLS = 250_000
LATE_EPS_S = 0.5  # a departure this much after the planned one counts as a missed one

PlannedLeg = tuple[Service, float]  # a service and its planned departure (POSIX s)


@lru_cache(maxsize=256)
def uniforms(seed: int, position: int, draws: int) -> np.ndarray:
    """The common random numbers of leg position `position`: rows delay, handling, rollover.
    Each row is its own stream, so the first n of N draws are the draws of a run with n.
    Cached (read-only): every itinerary of a run, and every run, draws the same ones."""
    out = np.stack([np.random.default_rng([seed, position, stream]).random(draws)
                    for stream in range(3)])
    out.setflags(write=False)
    return out


@lru_cache(maxsize=1024)
def delay_draws_s(delay: Delay, seed: int, position: int, stream: int, draws: int) -> np.ndarray:
    """Seconds of delay per draw of `delay` on the uniforms of (position, stream); cached."""
    out = delay.quantile(uniforms(seed, position, draws)[stream]) * 3600.0
    out.setflags(write=False)
    return out


@dataclass(frozen=True)
class Sample:
    """The simulated arrivals (POSIX s, one per draw; inf: never) of one itinerary and the share
    of draws in which it missed a planned departure."""

    arrivals: np.ndarray
    missed: float
    exact: bool  # no distribution applies: every draw is the planned arrival

    def on_time(self, due_s: float) -> float:
        """The share of draws arriving by `due_s`."""
        return float(np.count_nonzero(self.arrivals <= due_s)) / len(self.arrivals)

    def quantiles(self, *qs: float) -> list[float]:
        """The arrivals at or below which shares `qs` of the draws fall: the ⌈q·N⌉-th smallest
        draws (numpy's `inverted_cdf` quantiles), found by one partial sort."""
        n = len(self.arrivals)
        ranks = [min(n, max(1, math.ceil(q * n - 1e-9))) - 1 for q in qs]
        parted = np.partition(self.arrivals, ranks)
        return [float(parted[r]) for r in ranks]

    def days_late(self, due_s: float) -> float:
        """The expected lateness after `due_s` in days (never arriving: `HORIZON_DAYS`)."""
        late = np.clip(self.arrivals - due_s, 0.0, HORIZON_S)
        return float(late.mean()) / 86400.0


class Simulator:
    """Simulates itineraries of one network (module docstring); departures are expanded once
    per service and reused."""

    def __init__(self, network: Network, draws: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED) -> None:
        if not MIN_DRAWS <= draws <= MAX_DRAWS:
            raise ValueError(f"draws must be {MIN_DRAWS:,} to {MAX_DRAWS:,}, not {draws!r}")
        self.network = network
        self.draws = draws
        self.seed = seed
        self.reliability = network.reliability
        self._departures: dict[str, tuple[int, int, np.ndarray]] = {}

    # --- what applies ---------------------------------------------------------------------

    def rule(self, service: Service) -> ReliabilityRule | None:
        return self.reliability.for_service(service) if self.reliability else None

    def handling_rule(self, location_id: str) -> ReliabilityRule | None:
        if not self.reliability:
            return None
        return self.reliability.for_location(self.network.locations[location_id])

    def is_exact(self, legs: Sequence[PlannedLeg]) -> bool:
        """Whether no distribution touches these legs (they arrive as planned in every draw)."""
        for i, (service, _) in enumerate(legs):
            rule = self.rule(service)
            if rule is not None and not (rule.delay.is_zero and rule.rollover_share == 0.0):
                return False
            spread = self.handling_rule(service.origin) if i else None
            if spread is not None and not spread.delay.is_zero:
                return False
        return True

    # --- draws --------------------------------------------------------------------------------

    def _u(self, position: int) -> np.ndarray:
        return uniforms(self.seed, position, self.draws)

    def _delay_s(self, rule: ReliabilityRule | None, position: int, stream: int) -> np.ndarray | float:
        """Seconds of delay (stream 0) or of extra handling (stream 1) per draw at a position."""
        if rule is None or rule.delay.is_zero:
            return 0.0
        return delay_draws_s(rule.delay, self.seed, position, stream, self.draws)

    def _times(self, service: Service, start: float, end: float) -> np.ndarray:
        """Departures of timetabled `service` covering [start, end] (whole UTC weeks), with +inf
        appended."""
        first, last = int(start // WEEK_S), int(end // WEEK_S) + 1
        found = self._departures.get(service.id)
        if found is not None and found[0] <= first and last <= found[1]:
            return found[2]
        if found is not None:
            first, last = min(first, found[0]), max(last, found[1])
        times: list[float] = []
        for week in range(first, last):
            times.extend(service_week_departures(service, week))
        array = np.array([*times, math.inf])
        self._departures[service.id] = (first, last, array)
        return array

    # --- simulation --------------------------------------------------------------------------

    def run(self, itineraries: Sequence[Sequence[PlannedLeg]]) -> list[Sample]:
        """A sample per itinerary (each a sequence of (service, planned departure))."""
        out: list[Sample] = []
        per_batch = max(1, BATCH_CELLS // self.draws)
        for start in range(0, len(itineraries), per_batch):
            arrivals, missed, exact = self._batch(itineraries[start:start + per_batch])
            out.extend(Sample(arrivals[k], float(missed[k]), exact[k]) for k in range(len(exact)))
        return out

    def on_time(self, itineraries: Sequence[Sequence[PlannedLeg]], dues: Sequence[float]) -> np.ndarray:
        """The on-time probability of each itinerary by its due instant (POSIX s), batch by
        batch without keeping the draws (many itineraries: the planner's columns)."""
        out = np.empty(len(itineraries))
        per_batch = max(1, BATCH_CELLS // self.draws)
        limits = np.asarray(dues, dtype=float)
        for start in range(0, len(itineraries), per_batch):
            arrivals, _, _ = self._batch(itineraries[start:start + per_batch])
            stop = start + len(arrivals)
            out[start:stop] = np.count_nonzero(arrivals <= limits[start:stop, None], axis=1) / self.draws
        return out

    def _exact_parts(self) -> dict[tuple[str, str], bool]:
        found: dict[tuple[str, str], bool] | None = self.__dict__.get("_exact")
        if found is None:
            found = self.__dict__["_exact"] = {}
        return found

    def _is_exact_leg(self, service: Service, first: bool) -> bool:
        """Whether a leg (and the handling before it) adds nothing random, cached per service."""
        parts = self._exact_parts()
        key = (service.id, "first" if first else "later")
        found = parts.get(key)
        if found is None:
            found = parts[key] = self.is_exact(((service, 0.0),) if first else (
                (service, 0.0), (service, 0.0)))
        return found

    def _batch(self, plans: Sequence[Sequence[PlannedLeg]]) -> tuple[np.ndarray, np.ndarray, list[bool]]:
        """Arrivals (itineraries × draws), the share of draws missing a planned departure, and
        whether each itinerary is exact (no distribution applies: every draw as planned)."""
        n, draws = len(plans), self.draws
        exact = [all(self._is_exact_leg(s, i == 0) for i, (s, _) in enumerate(p)) for p in plans]
        avail = np.full((n, draws), -math.inf)
        missed = np.zeros((n, draws), dtype=bool)
        live = [k for k in range(n) if not exact[k]]
        for k in range(n):
            if exact[k]:
                last, leaves = plans[k][-1]
                avail[k] = leaves + last.duration_h * 3600.0
        depth = max((len(plans[k]) for k in live), default=0)
        locations = self.network.locations
        for i in range(depth):
            groups: dict[str, list[int]] = {}
            for k in live:
                if len(plans[k]) > i:
                    groups.setdefault(plans[k][i][0].id, []).append(k)
            for ks in groups.values():
                service = plans[ks[0]][i][0]
                rows = np.array(ks)
                planned = np.array([plans[k][i][1] for k in ks])[:, None]
                ready = avail[rows]
                if i:
                    location = locations[service.origin]
                    ready += (location.handling_h * 3600.0
                              + self._delay_s(self.handling_rule(service.origin), i, 1))
                rule = self.rule(service)
                if service.is_timetabled:
                    ready += service.cutoff_h * 3600.0
                    np.maximum(ready, planned, out=ready)
                    depart = self._next(service, ready, planned, rule.rollover_share if rule else 0.0, i)
                    # (an on-demand leg leaves whenever the cargo is there: never "missed")
                    missed[rows] |= depart > planned + LATE_EPS_S
                else:
                    np.maximum(ready, planned, out=ready)
                    depart = self._open(service, ready)
                depart += service.duration_h * 3600.0 + self._delay_s(rule, i, 0)
                avail[rows] = depart
        return avail, missed.mean(axis=1), exact

    def _next(self, service: Service, earliest: np.ndarray, planned: np.ndarray, rollover: float,
              position: int) -> np.ndarray:
        """The first departure at or after `earliest` per draw (then, with probability
        `rollover`, the one after it); +inf when none within `HORIZON_DAYS` of the planned one."""
        limit = float(planned.max()) + HORIZON_S
        top = float(earliest.max())
        if math.isinf(top):  # some draws never got here: the others decide how far to expand
            finite = earliest[np.isfinite(earliest)]
            top = float(finite.max()) if finite.size else limit
        top = min(top, limit) + 2 * WEEK_S
        times = self._times(service, float(planned.min()), top)
        index = np.searchsorted(times, earliest, side="left")
        if rollover > 0.0:
            index = index + (self._u(position)[2] < rollover)
        index = np.minimum(index, len(times) - 1)
        depart = times[index]
        if bool(np.isfinite(depart).all()):
            return depart
        # Beyond the weeks expanded (a long closure, or a rollover off the end): ask the generator.
        gap = np.isinf(depart) & (earliest <= planned + HORIZON_S)
        if gap.any():
            depart = depart.copy()
            for j in zip(*np.nonzero(gap), strict=True):
                found = next_departure_s(service, float(earliest[j]), float(planned[j[0], 0]) + HORIZON_S)
                if found is not None and rollover > 0.0 and self._u(position)[2][j[1]] < rollover:
                    found = next_departure_s(service, found + 1.0, float(planned[j[0], 0]) + HORIZON_S)
                depart[j] = math.inf if found is None else found
        return depart

    def _open(self, service: Service, earliest: np.ndarray) -> np.ndarray:
        """When an on-demand leg leaves per draw: at once, or when its calendar next opens."""
        if not service.is_restricted:
            return earliest
        bounds = np.array([*service.schedule.bounds, math.inf])
        index = np.searchsorted(bounds, earliest, side="right")
        inside = index % 2 == 1
        return np.where(inside, earliest, bounds[np.minimum(index, len(bounds) - 1)])


@dataclass(frozen=True)
class Figures:
    """What an itinerary's reliability looks like, for every output."""

    arrive_p50: datetime | None  # local time at the destination; None: never (within the horizon)
    arrive_p90: datetime | None
    on_time: float | None  # P(arrival <= due); None without a due date
    on_time_se: float | None  # its standard error
    missed_connection: float  # P(some leg leaves after its planned departure)
    days_late: float | None  # expected days after due
    draws: int
    seed: int
    exact: bool  # no distribution applies: as scheduled
    estimated_legs: tuple[int, ...]  # 1-based legs whose delay row is an estimate
    legs_without_data: tuple[int, ...]  # 1-based legs no row selects (taken as punctual)

    def as_dict(self) -> dict[str, Any]:
        """The JSON fields (schema silkroute.itineraries/1, added by issue 16)."""
        return {
            "arrive_p50": self.arrive_p50.isoformat() if self.arrive_p50 else None,
            "arrive_p90": self.arrive_p90.isoformat() if self.arrive_p90 else None,
            "on_time_probability": None if self.on_time is None else round(self.on_time, 4),
            "missed_connection_probability": round(self.missed_connection, 4),
            "expected_days_late": None if self.days_late is None else round(self.days_late, 3),
            "reliability": {"method": "exact" if self.exact else "monte_carlo", "draws": self.draws,
                            "seed": self.seed,
                            "on_time_standard_error": None if self.on_time_se is None
                            else round(self.on_time_se, 4),
                            "legs_with_estimated_delays": list(self.estimated_legs),
                            "legs_without_delay_data": list(self.legs_without_data)},
        }


def percent(p: float | None) -> str:
    """A probability as people read it: `62 %`, `< 1 %`, `> 99 %`."""
    if p is None:
        return "–"
    if 0.0 < p < 0.005:
        return "< 1 %"
    if 0.995 <= p < 1.0:
        return "> 99 %"
    return f"{p * 100:.0f} %"


def percent_below(p: float | None, target: float | None) -> str:
    """`percent(p)` for a probability that falls short of `target`, never read as reaching it:
    where whole percent would round up to the target or past it, one decimal, rounded down
    (`89.8 %`, not `90 %` against 90 %)."""
    if p is None or target is None or p >= target or round(p * 100) < round(target * 100, 6):
        return percent(p)
    return f"{math.floor(p * 1000) / 10:.1f} %"


def _minute(seconds: float, tz: str) -> datetime | None:
    """A simulated arrival rounded up to the whole minute (None: never)."""
    return None if math.isinf(seconds) else from_seconds(math.ceil(seconds / 60.0 - 1e-9) * 60.0, tz)


def legs_of(itinerary: Itinerary) -> tuple[PlannedLeg, ...]:
    """The (service, planned departure) of each leg."""
    return tuple((leg.service, to_seconds(leg.depart)) for leg in itinerary.legs)


def figures(sim: Simulator, legs: Sequence[PlannedLeg], sample: Sample, due: datetime | None,
            destination_tz: str) -> Figures:
    """The figures of one simulated itinerary."""
    due_s = None if due is None else to_seconds(due)
    p50, p90 = sample.quantiles(0.5, 0.9)
    on_time = None if due_s is None else sample.on_time(due_s)
    se = None if on_time is None else math.sqrt(on_time * (1.0 - on_time) / sim.draws)
    rules = [sim.rule(service) for service, _ in legs]
    return Figures(
        arrive_p50=_minute(p50, destination_tz), arrive_p90=_minute(p90, destination_tz),
        on_time=on_time, on_time_se=se, missed_connection=sample.missed,
        days_late=None if due_s is None else sample.days_late(due_s),
        draws=sim.draws, seed=sim.seed, exact=sample.exact,
        estimated_legs=tuple(i + 1 for i, r in enumerate(rules) if r is not None and r.is_estimate),
        legs_without_data=tuple(i + 1 for i, r in enumerate(rules) if r is None))


def itinerary_figures(network: Network, itineraries: Sequence[Itinerary], *,
                      draws: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED,
                      sim: Simulator | None = None, due: datetime | None = None) -> list[Figures]:
    """The reliability figures of each itinerary: on time by `due`, else by its consignment's
    due date (an itinerary searched without one, e.g. a mode's earliest arrival, is judged
    against the query's `due`)."""
    sim = sim or Simulator(network, draws, seed)
    legs = [legs_of(it) for it in itineraries]
    samples = sim.run(legs)
    return [figures(sim, lg, sample, due or it.consignment.due,
                    network.locations[it.consignment.destination].tz)
            for it, lg, sample in zip(itineraries, legs, samples, strict=True)]

"""Transit-time reliability (`reliability.csv`): how late services arrive, how long handling
really takes, and how often cargo is rolled over to the next departure.

Each row selects either services — by `service` (a glob on the service id, `SEA-*`; scenario
variants match by the id they were split from), `operator` (a glob, case-insensitive) and `mode`,
every selector given having to match — or locations — by `location` (a glob on the location id)
and `location_kind` (city, rail_terminal, airport, seaport). A service (a location) takes the
first row in file order that selects it, so specific rows go before general ones; one that no
row selects is taken as punctual (no delay, no spread, no rollover).

A row's `form` says how its delay distribution is written. The delay D ≥ 0 is, for a service,
its arrival after the scheduled one (arriving early counts as on schedule: cargo is not released
before it), and for a location the handling time beyond its `handling_h`:

`late_mean` — the way schedule-reliability reports publish it (Sea-Intelligence: the share of
  vessels on time within ±1 day, and the average delay of the late ones):
  `on_time_share` s of arrivals within `window_h` w (spread evenly over [0, w]; w = 0 is a
  point mass at 0), the others late by w + an exponential excess, so that the late ones are
  on average `late_mean_h` m late (m > w when s < 1):
      F(x) = s·x/w on [0, w],   F(x) = 1 − (1 − s)·exp(−(x − w)/(m − w)) beyond.
`quantiles` — quantiles of the delay: `p50_h` and `p90_h`, optionally with `on_time_share` s
  within `window_h` w as a third point. The distribution function is linear between the points
  (0, 0), (w, s), (p50, 0.5) and (p90, 0.9) and has an exponential tail beyond the last one,
  whose mean (p90 − p50)/ln 5 is the one of an exponential law with that p50–p90 spread (no
  tail when the last point is at probability 1). The points must not contradict each other
  (a larger share at a smaller delay).

`rollover_share` (services only): the probability that cargo that reached a departure in time
is not loaded on it (offloaded, a blank sailing) and waits for the next departure of the same
service. It applies to timetabled services; on-demand ones leave when the cargo is there.
"""

from __future__ import annotations

import fnmatch
import itertools
import math
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from network.columns import KINDS, MODES, RANGES
from network.errors import InvalidFieldsError
from network.surcharges import is_estimate

if TYPE_CHECKING:
    from network.model import Location, Service

LATE_MEAN = "late_mean"
QUANTILES = "quantiles"
FORMS = (LATE_MEAN, QUANTILES)
_ID = re.compile(r"^[A-Za-z0-9_.-]+$")
LN5 = math.log(5.0)


def _range_problem(name: str, value: float) -> str | None:
    low, high, unit = RANGES[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return f"{value!r} is not a finite number"
    if not low <= value <= high:
        return f"{value:g} is outside {low:g}..{high:,g}{' ' + unit if unit else ''}"
    return None


@dataclass(frozen=True)
class Delay:
    """A delay distribution in hours (module docstring), compiled to the points of its
    distribution function and an exponential tail: the quantile function is exact."""

    form: str
    on_time_share: float | None = None
    window_h: float | None = None
    late_mean_h: float | None = None
    p50_h: float | None = None
    p90_h: float | None = None
    # Derived in __post_init__: (probability, hours) points, non-decreasing in both, and the
    # mean of the exponential tail beyond the last point (0: none).
    points: tuple[tuple[float, float], ...] = field(init=False, repr=False, compare=False)
    tail_mean_h: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        errors: list[tuple[str, str]] = []
        for name in ("on_time_share", "window_h", "late_mean_h", "p50_h", "p90_h"):
            value = getattr(self, name)
            if value is not None:
                problem = _range_problem(name, value)
                if problem is not None:
                    errors.append((name, problem))
        if self.form not in FORMS:
            errors.append(("form", f"unknown form {self.form!r} (expected {' or '.join(FORMS)})"))
        if errors:
            raise InvalidFieldsError("delay", errors)
        if self.form == LATE_MEAN:
            points, tail = self._late_mean(errors)
        else:
            points, tail = self._quantiles(errors)
        if errors:
            raise InvalidFieldsError("delay", errors)
        object.__setattr__(self, "points", points)
        object.__setattr__(self, "tail_mean_h", tail)

    def _late_mean(self, errors: list[tuple[str, str]]) -> tuple[tuple[tuple[float, float], ...], float]:
        for name in ("p50_h", "p90_h"):
            if getattr(self, name) is not None:
                errors.append((name, f"is not used by form {LATE_MEAN} (give on_time_share, window_h "
                                     "and late_mean_h)"))
        share, window = self.on_time_share, self.window_h or 0.0
        if share is None:
            errors.append(("on_time_share", f"is required by form {LATE_MEAN}"))
            return (), 0.0
        if share < 1.0:
            if self.late_mean_h is None:
                errors.append(("late_mean_h", f"is required by form {LATE_MEAN} when on_time_share "
                                              "is below 1 (the average delay of late arrivals)"))
            elif self.late_mean_h <= window:
                errors.append(("late_mean_h", f"{self.late_mean_h:g} h is not above window_h "
                                              f"{window:g} h: late arrivals are later than the window"))
        if errors:
            return (), 0.0
        tail = 0.0 if share >= 1.0 else float(self.late_mean_h or 0.0) - window
        return ((0.0, 0.0), (share, window)), tail

    def _quantiles(self, errors: list[tuple[str, str]]) -> tuple[tuple[tuple[float, float], ...], float]:
        if self.late_mean_h is not None:
            errors.append(("late_mean_h", f"is not used by form {QUANTILES} (give p50_h and p90_h)"))
        for name in ("p50_h", "p90_h"):
            if getattr(self, name) is None:
                errors.append((name, f"is required by form {QUANTILES}"))
        if self.window_h is not None and self.on_time_share is None:
            errors.append(("window_h", "needs on_time_share (the share of arrivals within it)"))
        if errors:
            return (), 0.0
        p50, p90 = float(self.p50_h or 0.0), float(self.p90_h or 0.0)
        if p90 < p50:
            errors.append(("p90_h", f"{p90:g} h is below p50_h {p50:g} h"))
            return (), 0.0
        named = [(0.5, p50, "p50_h"), (0.9, p90, "p90_h")]
        if self.on_time_share is not None:
            named.append((self.on_time_share, self.window_h or 0.0, "window_h"))
        named.sort(key=lambda x: (x[0], x[1]))
        for (p_a, h_a, name_a), (p_b, h_b, name_b) in itertools.pairwise(named):
            if h_b < h_a or (p_b == p_a and h_b != h_a):
                # A larger share of arrivals within a smaller delay: say which figures disagree.
                column = "on_time_share" if "window_h" in (name_a, name_b) else name_b
                errors.append((column, f"{_point_text(p_a, h_a, name_a)} contradicts "
                                       f"{_point_text(p_b, h_b, name_b)}"))
                return (), 0.0
        points = ((0.0, 0.0), *((p, h) for p, h, _ in named))
        tail = 0.0 if points[-1][0] >= 1.0 else (p90 - p50) / LN5
        return points, tail

    @cached_property
    def _segments(self) -> tuple[np.ndarray, np.ndarray]:
        """The points for interpolation: where two share a probability (a gap in delay), the
        higher delay starts the next segment."""
        probs: list[float] = []
        hours: list[float] = []
        for p, h in self.points:
            if probs and p == probs[-1]:
                hours[-1] = max(hours[-1], h)
            else:
                probs.append(p)
                hours.append(h)
        return np.array(probs), np.array(hours)

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """Delays in hours at probabilities `u` in [0, 1) (the inverse distribution function,
        exact: linear between the points, exponential in the tail)."""
        probs, hours = self._segments
        last_p, last_h = float(probs[-1]), float(hours[-1])
        out = np.interp(u, probs, hours) if len(probs) > 1 else np.full(len(u), last_h)
        if last_p >= 1.0:
            return out
        beyond = u > last_p
        if beyond.any():
            out[beyond] = last_h - self.tail_mean_h * np.log((1.0 - u[beyond]) / (1.0 - last_p))
        return out

    def cdf(self, hours: float) -> float:
        """P(D ≤ hours), for tests and exact one-leg figures."""
        if hours < 0:
            return 0.0
        points = self.points
        for (p_a, h_a), (p_b, h_b) in itertools.pairwise(points):
            if hours < h_b:
                if h_b == h_a:
                    return p_b
                return p_a + (p_b - p_a) * (hours - h_a) / (h_b - h_a)
        last_p, last_h = points[-1]
        if last_p >= 1.0 or self.tail_mean_h <= 0.0:
            return 1.0 if hours >= last_h else last_p
        return 1.0 - (1.0 - last_p) * math.exp(-(hours - last_h) / self.tail_mean_h)

    @property
    def is_zero(self) -> bool:
        """Whether every draw is 0 h (a row that says "punctual")."""
        return all(h == 0.0 for _, h in self.points) and (self.points[-1][0] >= 1.0
                                                          or self.tail_mean_h == 0.0)


def _point_text(p: float, h: float, name: str) -> str:
    what = {"p50_h": "p50_h", "p90_h": "p90_h", "window_h": "on_time_share/window_h"}[name]
    return f"{what} ({p * 100:g} % within {h:g} h)"


@dataclass(frozen=True)
class ReliabilityRule:
    """One row of reliability.csv: what it selects and the distribution it gives them."""

    id: str
    delay: Delay
    service: str = ""
    operator: str = ""
    mode: str = ""
    location: str = ""
    location_kind: str = ""
    rollover_share: float = 0.0
    source: str = ""
    as_of: str = ""

    def __post_init__(self) -> None:
        errors: list[tuple[str, str]] = []
        if not _ID.match(self.id):
            errors.append(("id", f"{self.id!r} is not a valid id (letters, digits, '_', '-', '.')"))
        if self.mode and self.mode not in MODES:
            errors.append(("mode", f"unknown mode {self.mode!r} (expected one of {', '.join(MODES)})"))
        if self.location_kind and self.location_kind not in KINDS:
            errors.append(("location_kind", f"unknown kind {self.location_kind!r} "
                                            f"(expected one of {', '.join(KINDS)})"))
        problem = _range_problem("rollover_share", self.rollover_share)
        if problem is not None:
            errors.append(("rollover_share", problem))
        if self.for_locations and self.for_services:
            errors.append(("location", "a row selects services (service, operator, mode) or "
                                       "locations (location, location_kind), not both"))
        elif not self.for_locations and not self.for_services:
            errors.append(("service", "selects nothing: give service, operator or mode (a delay of "
                                      "services) or location or location_kind (a handling spread)"))
        elif self.for_locations and self.rollover_share:
            errors.append(("rollover_share", "applies to services (a departure missed), not to "
                                             "locations"))
        if errors:
            raise InvalidFieldsError(f"reliability row {self.id!r}", errors)

    @property
    def for_services(self) -> bool:
        return bool(self.service or self.operator or self.mode)

    @property
    def for_locations(self) -> bool:
        return bool(self.location or self.location_kind)

    def selects_service(self, service_id: str, operator: str, mode: str) -> bool:
        """Whether the row gives the distribution of a service with these attributes."""
        return (self.for_services
                and (not self.service or fnmatch.fnmatchcase(service_id, self.service))
                and (not self.operator or fnmatch.fnmatchcase(operator.lower(), self.operator.lower()))
                and (not self.mode or mode == self.mode))

    def selects_location(self, location_id: str, kind: str) -> bool:
        """Whether the row gives the handling spread of a location with this id and kind."""
        return (self.for_locations
                and (not self.location or fnmatch.fnmatchcase(location_id, self.location))
                and (not self.location_kind or kind == self.location_kind))

    @property
    def is_estimate(self) -> bool:
        return is_estimate(self.source)


@dataclass(frozen=True)
class Reliability:
    """The rows of reliability.csv in file order; the first that selects a service or location
    gives it its distribution (module docstring)."""

    rules: tuple[ReliabilityRule, ...] = ()
    _cache: dict[tuple[str, ...], ReliabilityRule | None] = field(default_factory=dict, repr=False,
                                                                   compare=False)

    def __hash__(self) -> int:
        return hash(self.rules)

    def for_service(self, service: Service) -> ReliabilityRule | None:
        """The row of a service (by the id it was written with: scenario variants share it)."""
        key = ("s", service.base_id, service.operator, service.mode)
        if key not in self._cache:
            self._cache[key] = next((r for r in self.rules
                                     if r.selects_service(service.base_id, service.operator,
                                                          service.mode)), None)
        return self._cache[key]

    def for_location(self, location: Location) -> ReliabilityRule | None:
        """The handling-spread row of a location."""
        key = ("l", location.id, location.kind)
        if key not in self._cache:
            self._cache[key] = next((r for r in self.rules
                                     if r.selects_location(location.id, location.kind)), None)
        return self._cache[key]

    def __bool__(self) -> bool:
        return bool(self.rules)


NO_RELIABILITY = Reliability()

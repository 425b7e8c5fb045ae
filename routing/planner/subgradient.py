"""Capacity multipliers for phase 1's bound when its LP is too large: subgradient over the columns.

Phase 1's Lagrangian bound (`colgen.py`) holds for any capacity multipliers p ≥ 0:

  U(p) = Σ_c max(0, 1 − z_c(p)) + Σ_r p_r                       (served ≤ U(p))
  z_c(p) = min over the itineraries of c of Σ_r p_r·use_r(c)       (the capacity it is charged)

with one row r per capacitated departure and unit (kg, m³), and use_r(c) the consignment's
weight or volume as a share of that departure's limit (so that p_r is in consignments served
and the rows are on one scale). The LP of phase 1 finds the best p, but on large plans it does
not end in time. Here U is minimised over the *columns* (z_c over the candidates generated,
which is ≥ the z_c over every itinerary, so this U is ≤ the true one) by the projected
subgradient method:

  subgradient   g_r = 1 − Σ_{c: z_c < 1} use_r(argmin column of c)
  step          p ← max(0, p − θ·(U(p) − served)/‖g‖²)      (Polyak; `served` ≤ min U)
  θ             halved after `STALL` steps that do not lower the best U

The multipliers returned are then priced exactly over every itinerary (`colgen.price_round`),
which gives the true U(p): a valid bound whatever the subgradient method reached.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from routing.planner.colgen import Multipliers
from routing.planner.decisions import DepKey
from routing.planner.instance import Instance

ITERATIONS = 150
STALL = 10  # steps without a lower U before θ is halved


class _Rows:
    """The capacity rows as arrays: for each (column, row) pair the share of the row's limit
    the column's consignment takes; the columns of each servable consignment contiguous."""

    def __init__(self, inst: Instance) -> None:
        self.keys: list[tuple[DepKey, int]] = []  # (departure, 0 for kg or 1 for m³)
        columns: list[int] = []
        rows: list[int] = []
        shares: list[float] = []
        for key, ks in inst.capacity.items():
            for unit, limit in enumerate(inst.capacity_limits[key]):
                if limit is None or limit <= 0:
                    continue
                r = len(self.keys)
                self.keys.append((key, unit))
                for k in ks:
                    ci = inst.cands[k].ci
                    columns.append(k)
                    rows.append(r)
                    shares.append((inst.weight(ci) if unit == 0 else inst.volume(ci)) / limit)
        self.column = np.array(columns, dtype=np.int64)
        self.row = np.array(rows, dtype=np.int64)
        self.share = np.array(shares, dtype=float)
        servable = inst.servable
        self.order = np.array([k for ci in servable for k in inst.by_consignment[ci]], dtype=np.int64)
        lengths = np.array([len(inst.by_consignment[ci]) for ci in servable], dtype=np.int64)
        self.starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
        self.segment = np.repeat(np.arange(len(servable)), lengths)
        self.columns = len(inst.cands)

    def evaluate(self, p: np.ndarray) -> tuple[float, np.ndarray]:
        """U(p) over the columns and a subgradient at p."""
        charges = np.bincount(self.column, weights=p[self.row] * self.share, minlength=self.columns)
        charge = charges[self.order]
        z = np.minimum.reduceat(charge, self.starts)
        value = float(np.maximum(0.0, 1.0 - z).sum() + p.sum())
        # The first column of least charge of each consignment charged less than 1 (served).
        at_min = np.flatnonzero(charge == z[self.segment])
        segments, first = np.unique(self.segment[at_min], return_index=True)
        chosen = np.zeros(self.columns, dtype=bool)
        chosen[self.order[at_min[first]][z[segments] < 1.0]] = True
        used = chosen[self.column]
        load = np.bincount(self.row[used], weights=self.share[used], minlength=len(self.keys))
        return value, 1.0 - load


def served_multipliers(inst: Instance, served: int, stop: Callable[[], bool] = lambda: False,
                       iterations: int = ITERATIONS) -> Multipliers:
    """Phase 1 multipliers with a small U over the columns (module docstring), from p = 0;
    `served` is the number the best plan serves (a lower bound of U). Stops early on `stop()`."""
    rows = _Rows(inst)
    p = np.zeros(len(rows.keys))
    best_value, best_p = float("inf"), p
    theta, stalled = 1.0, 0
    for _ in range(iterations):
        if stop() or not rows.keys:
            break
        value, g = rows.evaluate(p)
        if value < best_value - 1e-9:
            best_value, best_p, stalled = value, p, 0
        else:
            stalled += 1
            if stalled >= STALL:
                theta, stalled = theta / 2.0, 0
        norm = float(g @ g)
        if norm == 0.0 or value - served < 1.0:  # nothing to lower, or within one consignment
            break
        p = np.maximum(0.0, p - theta * (value - served) / norm * g)
    return _multipliers(inst, rows, best_p)


def _multipliers(inst: Instance, rows: _Rows, p: np.ndarray) -> Multipliers:
    """`p` (consignments per row) as phase 1 multipliers per kg and m³ of each departure."""
    m = Multipliers(phase1=True)
    per_unit: dict[DepKey, list[float]] = {}
    for (key, unit), value in zip(rows.keys, p, strict=True):
        if value > 0.0:
            limit = inst.capacity_limits[key][unit]
            assert limit is not None
            per_unit.setdefault(key, [0.0, 0.0])[unit] = float(value) / limit
            m.capacity_term += float(value)
    m.cap = {key: (kg, m3) for key, (kg, m3) in per_unit.items()}
    return m

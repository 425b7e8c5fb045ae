"""A relaxation for large plans: the LP decomposed into blocks of consignments.

The LP relaxation of the whole model is too slow to solve within the time limit of a large
plan (10,000 consignments and more). When every servable consignment must be served, the model
splits into blocks of consignments (by ready time) with a relaxation that stays valid:

  (capacity)  each block gets every departure's full capacity: the other blocks' loads are ≥ 0,
              so any plan restricted to a block fits;
  (groups)    a container group with all its possible riders in one block keeps its exact rows
              there; a group that never needs more than one container (n-max = 1) and spans
              blocks gets a copy of n in each block, priced at that block's share of its riders
              (the shares sum to 1, so a plan's container cost splits exactly); any other group
              spanning blocks is priced pro rata in the candidates' coefficients
              (`instance.amortised_coef`'s λ-share, itself a relaxation).
  (served)    each block serves all its servable consignments, as the whole plan must.

Any plan maps to a feasible point of every block with the same total objective, so the sum of
the block optima is a lower bound — over the columns generated. Over *all* itineraries, each
block's LP duals price every consignment of the block (`colgen.py`, with the block's own cost
structure: its exact groups by their duals, spanning groups pro rata, other departures by the
default multipliers), and the sum of the block Lagrangian bounds is valid over every itinerary.
The block LP solutions, put side by side, are also rounded into a first plan. The blocks are
independent LPs, solved in worker processes (one per core).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from ortools.math_opt.python import mathopt

from routing.planner.budget import Budget
from routing.planner.decisions import DepKey
from routing.planner.instance import Instance, amortised_coef, group_lambda, n_max
from routing.planner.spec import Block, Formulation, build
from routing.planner.workers import SolverPool, no_optimum


@dataclass
class SolvedBlock:
    """One block's LP: its model, duals, and what its costs assume."""

    members: list[int]
    formulation: Formulation
    value: float
    duals: np.ndarray
    share: dict[int, float]  # group -> price share (groups copied into several blocks)


@dataclass
class BlockBound:
    """The decomposed relaxation: its value over the columns, the LP values of every
    candidate (for rounding), and each block for pricing."""

    bound: float
    values: list[float]
    blocks: list[SolvedBlock]
    pro_rata: dict[DepKey, float]  # groups priced pro rata (spanning blocks) -> their λ


def blocks_of(inst: Instance, block_size: int) -> list[list[int]]:
    """Servable consignments by ready time (then id), cut into blocks of `block_size`."""
    order = sorted(inst.servable, key=lambda ci: (inst.consignments[ci].ready, inst.consignments[ci].id))
    return [order[i:i + block_size] for i in range(0, len(order), block_size)]


def block_relaxation(inst: Instance, block_size: int, deadline: float, pool: SolverPool,
                     budget: Budget, seed: int) -> BlockBound | None:
    """The block LPs (all servable consignments served); None if any block is infeasible
    (capacity then stops some consignment) or time runs out."""
    blocks = blocks_of(inst, block_size)
    block_of = {ci: b for b, block in enumerate(blocks) for ci in block}
    exact: set[int] = set()  # groups with exact rows (whole in a block, or copied)
    share: dict[int, dict[int, float]] = defaultdict(dict)  # block -> group -> price share
    pro_rata: list[int] = []  # groups priced pro rata in the coefficients
    for gi, g in enumerate(inst.groups):
        where = [block_of[ci] for ci in g.members if ci in block_of]
        if len(set(where)) <= 1:
            exact.add(gi)
        elif n_max(inst, gi) == 1:
            exact.add(gi)
            for b in set(where):
                share[b][gi] = where.count(b) / len(where)
        else:
            pro_rata.append(gi)
    coef = amortised_coef(inst, pro_rata)
    lambdas = {inst.groups[gi].key: group_lambda(inst, gi) for gi in pro_rata}
    jobs = []
    for b, block in enumerate(blocks):
        f = build(inst, relax=True, served_target=len(block), block=Block(block, coef, exact, share[b]),
                  bounded=False)
        params = mathopt.SolveParameters(time_limit=timedelta(seconds=max(0.1, deadline - budget.clock())),
                                         random_seed=seed, lp_algorithm=mathopt.LPAlgorithm.DUAL_SIMPLEX)
        jobs.append((block, f, pool.submit(f.model, mathopt.SolverType.HIGHS, params)))
    solved: list[SolvedBlock] = []
    values = [0.0] * len(inst.cands)
    total = 0.0
    for b, (block, f, job) in enumerate(jobs):
        r = pool.result(job, max(0.0, deadline - budget.clock()) + 2.0)
        if r is None or no_optimum(r):
            return None
        total += r.objective_value()
        x = f.values(r)
        for k, var in f.x.items():
            values[k] = float(x[var])
        solved.append(SolvedBlock(block, f, r.objective_value(), f.duals(r), share[b]))
    return BlockBound(total, values, solved, lambdas)

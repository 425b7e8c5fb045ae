"""A lower bound for large plans: the LP relaxation decomposed into blocks of consignments.

The LP relaxation of the whole phase-2 model is the bound of choice, but at 10,000 consignments
(253k variables, 296k rows) HiGHS needs about 150 s for it. When every servable consignment is
served (phase 1 proved nothing else is possible, or greedy already serves them all), the model
splits into blocks of consignments (by ready time) with a relaxation that stays valid:

  (capacity)  each block gets every departure's full capacity: the other blocks' loads are ≥ 0,
              so any plan restricted to a block fits;
  (groups)    a container group with all its possible riders in one block keeps its exact rows
              there; a group that never needs more than one container (n-max = 1) and spans
              blocks gets a copy of n in each block, priced at that block's share of its riders
              (the shares sum to 1, so a plan's container cost splits exactly); any other group
              spanning blocks is priced pro rata in the candidates' coefficients
              (`amortised_coef`'s λ-share, itself a relaxation).
  (served)    each block serves all its servable consignments, as the whole plan must.

Any plan maps to a feasible point of every block with the same total objective, so the sum of
the block LP optima is a lower bound of phase 2. Measured on 10,000 generated consignments
(EUR, one block at a time): 16,533,198 with blocks of 1,000 in 5.4 s, 16,560,951 with blocks of
2,500 in 11 s, 16,575,068 with 5,000 in 53 s, against the whole LP's 16,588,016 in 150 s. The
blocks are independent LPs, solved two at a time (HiGHS releases the GIL): 2 blocks of 4,572
give 16,572,769 in 25 s instead of about 40 s. The block LP solutions, put side by side, are
also rounded into a first plan.

Where the bound loses (measured on 5,000 consignments, one block holding everyone): the whole LP
is EUR 8,683,984; pricing pro rata the 434 groups (n-max > 1) that span the two blocks gives
8,666,149, and keeping their exact rows but dropping only their (open) rows y ≤ n gives
8,666,782. Of the EUR 17,836 the spanning groups cost, their (open) rows are 17,203 and the
pro-rata fill (λ) 633 (the shared capacity costs the rest of the gap). No separable form keeps
them cheaply: copying n into every block priced by fixed shares (of riders, as for n-max = 1
groups) lets a block with a small share fill whole containers cheaply; for every spanning group
at 10,000 it fell to EUR 16,329,862, and a block LP took 174 s.

Tried and left out: a spanning group's exact rows in the block where its riders can fill the
most, its n standing for the containers less the other blocks' pro-rata charge (at most U), so
the other dimension's (box-*) row and the (open) rows loosened by U, its riders elsewhere priced
pro rata (EUR +2,222 at 5,000; +1,977 at 10,000, but 42 s instead of 26 s; where U is a
container or more the (open) rows say nothing, and leading only the groups with U under one
container keeps the whole gain but still takes 33 s instead of 24-27 s); overlapping blocks,
each sharing consignment costing half in each (worse: at 5,000, with every spanning group pro
rata, 8,641,362 with a tenth of the consignments in both blocks against 8,663,260 without; the
two copies choose apart); a cut between the blocks where the fewest groups span (585 instead of
612 at 10,000: EUR +2,400, but 32 s instead of 20 s for the slower block); HiGHS interior point
for the whole LP at 10,000 (its dual bound after 98 s, EUR 16,560,309, was still under the block
bound); the block LPs without HiGHS presolve (one block 23 s → 15 s, the other 15 s → 26 s) or
by interior point without crossover (18 s and 14 s, but the interior solution rounded to a plan
EUR 11,000 worse); Lagrangian prices on the capacity the blocks share (at 4 blocks of 2,500 only
7 of the 79 shared capacitated departures were over-used by the block LPs put together, so
prices would gain little); column generation over the candidates for the whole LP (it converges
to the LP exactly at 1,000 consignments, in 16 rounds, but at 10,000 each cold-started master LP
took 39 s and more).
"""

from __future__ import annotations

import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from ortools.math_opt.python import mathopt

from routing.planner.formulation import build
from routing.planner.instance import Instance, amortised_coef, n_max


@dataclass
class BlockBound:
    """The decomposed bound and the LP values of every candidate (for rounding)."""

    bound: float
    values: list[float]
    blocks: int


def block_relaxation(inst: Instance, block_size: int, deadline: float, solver: mathopt.SolverType,
                     seed: int, workers: int = 2) -> BlockBound | None:
    """The sum of the block LPs (all servable consignments served); None if any block is
    infeasible (capacity then stops some consignment) or time runs out."""
    order = sorted((ci for ci, ks in enumerate(inst.by_consignment) if ks),
                   key=lambda ci: (inst.consignments[ci].ready, inst.consignments[ci].id))
    blocks = [order[i:i + block_size] for i in range(0, len(order), block_size)]
    block_of = {ci: b for b, block in enumerate(blocks) for ci in block}
    exact: set[int] = set()  # groups with exact rows (whole in a block, or copied)
    share: dict[int, dict[int, float]] = defaultdict(dict)  # block -> group -> price share
    pro_rata: list[int] = []  # groups priced pro rata in the coefficients
    for gi, g in enumerate(inst.groups):
        where = [block_of[ci] for ci in g.members]
        if len(set(where)) == 1:
            exact.add(gi)
        elif n_max(inst, gi) == 1:
            exact.add(gi)
            for b in set(where):
                share[b][gi] = where.count(b) / len(where)
        else:
            pro_rata.append(gi)
    coef = amortised_coef(inst, pro_rata)

    def solve_block(b: int) -> tuple[float, dict[int, float]] | None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        block = blocks[b]
        f = build(inst, relax=True, served_target=len(block), free=block,
                  coef=coef, only_groups=exact, container_share=share[b])
        params = mathopt.SolveParameters(time_limit=timedelta(seconds=remaining), random_seed=seed)
        if solver == mathopt.SolverType.HIGHS:
            params.lp_algorithm = mathopt.LPAlgorithm.DUAL_SIMPLEX
        r = mathopt.solve(f.model, solver, params=params)
        if r.termination.reason != mathopt.TerminationReason.OPTIMAL:
            return None
        solution = f.values(r)
        return r.objective_value(), {k: float(solution[var]) for k, var in f.x.items()}

    # The blocks are independent: solved two at a time (the LP solver releases the GIL).
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(solve_block, range(len(blocks))))
    if any(result is None for result in results):
        return None
    bound = 0.0
    values = [0.0] * len(inst.cands)
    for result in results:
        assert result is not None
        bound += result[0]
        for k, v in result[1].items():
            values[k] = v
    return BlockBound(bound, values, len(blocks))

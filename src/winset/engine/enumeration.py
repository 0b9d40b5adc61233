"""Enumeration of every deal of a problem, in chunks of numpy arrays sized to the work a step may
do, and the size of space up to which the analyses enumerate rather than search.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .problem import DealProblem, Quantities
from .topk import Feasibility, Objective

WORK_ROWS = 4_000_000  # rows x packages per vectorised step
# spaces up to this many packages are enumerated by the analyses' method 'auto'; larger ones are
# searched by branch and bound
SEARCH_ENUMERATE_LIMIT = 2_000_000
# the support a screen assumes for a public it has not bounded yet: the largest float, above any
# finite support, and finite, so that a group weighted zero adds nothing rather than NaN
UNBOUNDED_SUPPORT = float(np.finfo(np.float64).max)


def enumerate_valid(problem: DealProblem, chunk: int | None = None) -> Iterator[tuple[np.ndarray, Quantities]]:
    """Every deal (valid package other than the status quo) with its exact quantities, in chunks
    sized to the problem."""
    for chunk_codes in problem.deals.iter_valid(chunk_size=chunk or enumeration_chunk(problem)):
        codes = chunk_codes.astype(np.int64)
        yield codes, problem.evaluate(codes)


def enumeration_chunk(problem: DealProblem) -> int:
    """How many packages an enumeration takes at a time: :data:`WORK_ROWS` rows x packages, at
    least 256 packages."""
    rows = sum(p.table.n_rows for p in problem.publics) + len(problem.negotiators)
    return max(256, WORK_ROWS // max(rows, 1))


def screen(
    problem: DealProblem,
    codes: np.ndarray,
    feasible: Feasibility,
    objective: Objective | None = None,
    distance: np.ndarray | None = None,
    floor: float = -np.inf,
    low: bool = False,
) -> tuple[np.ndarray, Quantities | None]:
    """The packages whose upper bounds (:meth:`DealProblem.bounds`) are feasible, with an
    ``objective`` of at least ``floor`` if one is given (the packages that could enter a top k at
    that floor): their indices, and with ``low`` their quantities just below the exact ones.

    The publics are bounded one at a time, the smallest table first, each only on the packages
    the ones before left open, the others taken to pass by any margin (their rules not
    evaluated: ``unbounded`` in :meth:`DealProblem.quantities`). Every quantity is
    monotone in the supports, so a package cut early would be cut by the full bounds too, and
    the packages left at the end are those the full bounds leave (but where the bounds' float32
    rounding, which depends on how many packages are bounded together, decides); a survey public with
    its bootstrap draws (tens of thousands of rows) is bounded only on what the cheaper publics
    and the negotiators leave."""
    tables = problem.public_tables()
    high = [np.full((t.n_groups, len(codes)), UNBOUNDED_SUPPORT) for t in tables]
    below = [np.full((t.n_groups, len(codes)), -UNBOUNDED_SUPPORT) for t in tables]
    utility = problem.utilities(codes)
    distance = np.zeros(len(codes)) if distance is None else distance
    open_ = np.arange(len(codes))
    unbounded = [True] * len(tables)
    for i in [None, *np.argsort([t.n_rows for t in tables], kind="stable")]:
        if i is not None:
            high[i][:, open_], below[i][:, open_] = tables[i].support_bounds(codes[open_])
            unbounded[i] = False
        q = problem.quantities([h[:, open_] for h in high], utility[:, open_], unbounded)
        keep = feasible(q)
        if objective is not None:
            keep &= objective(q, distance[open_]) >= floor - 1e-12
        open_ = open_[keep]
        if not len(open_):
            break
    if not low:
        return open_, None
    return open_, problem.quantities([side[:, open_] for side in below], utility[:, open_])

"""Enumeration of every deal of a problem, in chunks of numpy arrays sized to the work a step may
do, and the size of space up to which the analyses enumerate rather than search.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .problem import DealProblem, Quantities

WORK_ROWS = 4_000_000  # rows x packages per vectorised step
# spaces up to this many packages are enumerated by the analyses' method 'auto'; larger ones are
# searched by branch and bound
SEARCH_ENUMERATE_LIMIT = 2_000_000


def enumerate_valid(problem: DealProblem, chunk: int | None = None) -> Iterator[tuple[np.ndarray, Quantities]]:
    """Every deal (valid package other than the status quo) with its exact quantities, in chunks
    sized to the problem."""
    rows = sum(p.table.n_rows for p in problem.publics) + len(problem.negotiators)
    size = chunk or max(256, WORK_ROWS // max(rows, 1))
    for chunk_codes in problem.deals.iter_valid(chunk_size=size):
        codes = chunk_codes.astype(np.int64)
        yield codes, problem.evaluate(codes)

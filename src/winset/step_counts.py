"""How many rows of each group have a positive score: the step link's support, compiled.

Under the step link a group's support is the weighted share of its rows whose score is above zero.
Where every row of a group has the same weight (simulated individuals, unweighted respondents) that
is the group's count of positive scores times the weight: an integer count, exact, and the same
whatever the order of the rows.

Why compiled (numba): numpy needs three passes for it (compare, turn the booleans into floats,
a matrix product with the weights), about 0.55 ns a row and package; one fused integer pass takes
about 0.1 ns (measured on 256 packages x 2,000 rows). The exact search under the step link spends a
fifth of its time there. Tests check it against the numpy route it replaces.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def positive_counts(scores: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """For scores (m, rows) whose groups are runs of columns starting at ``starts`` (ascending,
    the first 0): each group's number of scores above zero, (m, groups)."""
    m, rows = scores.shape
    groups = starts.shape[0]
    out = np.zeros((m, groups), dtype=np.int64)
    for i in range(m):
        for g in range(groups):
            stop = starts[g + 1] if g + 1 < groups else rows
            count = 0
            for r in range(starts[g], stop):
                count += scores[i, r] > 0.0
            out[i, g] = count
    return out

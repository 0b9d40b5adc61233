"""The step link's compiled counting, against numpy's three passes it replaces."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from winset.step_counts import positive_counts


@settings(max_examples=100)
@given(st.integers(0, 2**32 - 1), st.integers(1, 6), st.integers(1, 40), st.integers(1, 5))
def test_counts_equal_numpy(seed, m, rows, groups):
    rng = np.random.default_rng(seed)
    groups = min(groups, rows)
    starts = np.concatenate([[0], np.sort(rng.choice(np.arange(1, rows), groups - 1, replace=False))])
    scores = rng.integers(-2, 3, size=(m, rows)).astype(np.float64)  # many exact zeros: not counted
    scores[rng.random((m, rows)) < 0.1] = -0.0
    stops = np.append(starts[1:], rows)
    expected = np.column_stack([(scores[:, a:b] > 0).sum(axis=1) for a, b in zip(starts, stops, strict=True)])
    np.testing.assert_array_equal(positive_counts(scores, starts.astype(np.int64)), expected)

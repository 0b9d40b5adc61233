"""The non-dominated filter under the frontiers against the definition, with ties and duplicates."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from winset.engine.pareto import non_dominated

from .conftest import EXACT


def naive_non_dominated(points: np.ndarray, tiebreak: np.ndarray) -> list[int]:
    """By the definition: no other point at least as good everywhere and better somewhere; of
    equal points, the one with the smallest tiebreak."""
    keep = []
    for i, p in enumerate(points):
        dominated = ((points >= p).all(axis=1) & (points > p).any(axis=1)).any()
        equal = (points == p).all(axis=1)
        if not dominated and tiebreak[i] == tiebreak[equal].min():
            keep.append(i)
    return keep


@st.composite
def point_sets(draw):
    """Up to 80 points in 1..6 dimensions on a coarse grid (many ties in a coordinate and many
    duplicates; above 16 points moocore switches to its divide and conquer), and distinct
    tiebreaks."""
    m = draw(st.integers(1, 6))
    n = draw(st.integers(0, 80))
    levels = draw(st.integers(2, 6))
    points = draw(hnp.arrays(np.float64, (n, m), elements=st.integers(0, levels - 1).map(float)))
    tiebreak = draw(st.permutations(range(n))) if n else []
    return points, np.array(tiebreak, dtype=np.float64)


@EXACT
@given(point_sets())
def test_non_dominated_is_the_definition(case):
    points, tiebreak = case
    assert non_dominated(points, tiebreak).tolist() == naive_non_dominated(points, tiebreak)


@EXACT
@given(point_sets(), st.data())
def test_non_dominated_with_infinities(case, data):
    """Infinite coordinates (which moocore does not take) are ranked, not lost."""
    points, tiebreak = case
    if points.size:
        mask = data.draw(hnp.arrays(np.int8, points.shape, elements=st.integers(-1, 3)))
        points = np.where(mask == -1, -np.inf, np.where(mask == 3, np.inf, points))
    assert non_dominated(points, tiebreak).tolist() == naive_non_dominated(points, tiebreak)


def test_non_dominated_without_objectives_keeps_one_point():
    assert non_dominated(np.zeros((3, 0)), np.array([2.0, 0.0, 1.0])).tolist() == [1]


def test_non_dominated_refuses_nan():
    with pytest.raises(ValueError, match="NaN"):
        non_dominated(np.array([[0.0, np.nan], [1.0, 1.0]]))


def test_non_dominated_scales_to_many_negotiators():
    """Six objectives, 20,000 points of which thousands are non-dominated (the case a quadratic
    filter took minutes on): the same set as the definition applied to a random sample's
    candidates, and every point left out is dominated by one kept."""
    rng = np.random.default_rng(0)
    points = rng.uniform(size=(20_000, 6))
    keep = non_dominated(points)
    assert len(keep) > 1_000
    kept = points[keep]
    left_out = np.setdiff1d(np.arange(len(points)), keep)
    for i in rng.choice(left_out, 200, replace=False):
        assert ((kept >= points[i]).all(axis=1) & (kept > points[i]).any(axis=1)).any()
    for i in rng.choice(keep, 200, replace=False):
        assert not ((points >= points[i]).all(axis=1) & (points > points[i]).any(axis=1)).any()

"""The ScoreTable contract, against a direct evaluation of its formula."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import expit

from winset.scoretable import Pair, ScoreTable


@st.composite
def tables(draw):
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=4)))
    rows = draw(st.integers(1, 24))
    groups = draw(st.integers(1, min(rows, 12)))  # more than DENSE_GROUPS: per-group sums
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    group = np.concatenate([np.arange(groups), rng.integers(0, groups, rows - groups)])
    link = draw(st.sampled_from(["identity", "logistic", "step"]))
    pairs = ()
    if len(shape) > 1 and draw(st.booleans()):
        first, second = rng.choice(len(shape), 2, replace=False)
        pairs = (Pair(int(first), int(second), rng.normal(size=(rows, shape[first], shape[second]))),)
    weights = rng.uniform(0, 1, rows)
    if draw(st.booleans()):  # one weight per group: the step link counts its rows
        weights = rng.uniform(0, 1, groups)[group]
    table = ScoreTable(shape, rng.normal(size=rows), rng.normal(size=(rows, sum(shape))), weights, group, link, pairs)
    packages = np.column_stack([rng.integers(0, n, 5) for n in shape])
    return table, packages


def direct(table: ScoreTable, packages: np.ndarray) -> np.ndarray:
    """support_g(P) = sum over rows r in g of w_r * phi(a_r + sum_k B[r, (k, P_k)] + pair terms),
    row by row."""
    out = np.zeros((table.n_groups, len(packages)))
    offsets = np.concatenate([[0], np.cumsum(table.shape)[:-1]])
    phi = {"identity": lambda s: s, "logistic": expit, "step": lambda s: float(s > 0)}[table.link]
    for r in range(table.n_rows):
        for m, package in enumerate(packages):
            score = table.intercepts[r] + sum(table.coefficients[r, offsets[k] + c] for k, c in enumerate(package))
            score += sum(pair.values[r, package[pair.first], package[pair.second]] for pair in table.pairs)
            out[table.groups[r], m] += table.weights[r] * phi(score)
    return out


@settings(max_examples=150)
@given(tables())
def test_support_follows_the_formula(case):
    table, packages = case
    np.testing.assert_allclose(table.support(packages), direct(table, packages), rtol=1e-12, atol=1e-12)


@settings(max_examples=50)
@given(tables(), st.floats(-3, 3))
def test_shift_moves_every_intercept(case, shift):
    table, packages = case
    moved = table.shifted(shift)
    np.testing.assert_allclose(moved.scores(packages), table.scores(packages) + shift)


def test_stack_and_group_round_trip():
    rng = np.random.default_rng(0)
    parts = [
        ScoreTable((2, 3), rng.normal(size=r), rng.normal(size=(r, 5)), np.full(r, 1 / r), np.zeros(r, dtype=np.int64))
        for r in (3, 1, 4)
    ]
    stacked = ScoreTable.stack(parts)
    packages = np.array([[0, 0], [1, 2]])
    assert stacked.n_groups == 3
    for g, part in enumerate(parts):
        np.testing.assert_allclose(stacked.group(g).support(packages)[0], part.support(packages)[0])


def test_invalid_tables_are_refused():
    with pytest.raises(ValueError, match="coefficients"):
        ScoreTable((2,), np.zeros(2), np.zeros((2, 3)), np.ones(2), np.zeros(2, dtype=np.int64))
    with pytest.raises(ValueError, match="without gaps"):
        ScoreTable((2,), np.zeros(2), np.zeros((2, 2)), np.ones(2), np.array([0, 2]))


@settings(max_examples=150)
@given(tables(), st.floats(-30, 30))
def test_support_bounds_bracket_the_support(case, scale):
    """The cheap float32 bounds the engine screens with lie on either side of the exact support."""
    table, packages = case
    table = ScoreTable(
        table.shape, table.intercepts * scale, table.coefficients * scale, table.weights, table.groups, table.link
    )
    high, low = table.support_bounds(packages)
    exact = direct(table, packages)
    assert np.all(low <= exact + 1e-12) and np.all(exact <= high + 1e-12)
    # About 2e-5 wide per unit of weight (generated weights need not sum to one per group).
    weight = np.bincount(table.groups, weights=np.abs(table.weights))
    assert np.all(high - low <= 5e-5 * weight[:, None])

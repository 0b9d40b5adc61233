"""The bounds branch and bound prunes with: valid on every completion, and exact where they should be."""

import itertools

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from scipy.special import expit

from winset.engine.bounds import TableBounds
from winset.engine.linear_bound import LinearBound, LinkLines
from winset.engine.search import Search
from winset.scoretable import logistic32

from .conftest import EXACT
from .instances import LINK_FUNCTIONS, naive_rule, naive_support, problems, valid_packages

scores = st.floats(-60, 60, allow_nan=False)


@EXACT
@given(st.sampled_from(["logistic", "step", "identity"]), scores, scores, st.floats(-70, 70))
def test_link_lines_lie_above_the_link_on_the_interval(link, a, b, at):
    lo, hi = min(a, b), max(a, b)
    intercept, slope = LinkLines(link, np.array([[lo]]), np.array([[hi]])).at(np.array([[at]]))
    assert slope[0, 0] >= 0
    grid = np.concatenate([np.linspace(lo, hi, 2001), [lo, hi, min(max(0.0, lo), hi)]])
    line = intercept[0, 0] + slope[0, 0] * grid
    assert np.all(line >= LINK_FUNCTIONS[link](grid) - 1e-12)


def test_logistic_lines_touch_where_asked():
    lo, hi = np.array([[-3.0, 0.5]]), np.array([[4.0, 3.0]])
    intercept, slope = LinkLines("logistic", lo, hi).at(np.array([[2.0, 1.0]]))
    np.testing.assert_allclose(intercept + slope * np.array([[2.0, 1.0]]), expit(np.array([[2.0, 1.0]])))


@EXACT
@given(st.lists(st.floats(-200, 200, allow_nan=False), min_size=1, max_size=50))
def test_float32_logistic_is_within_its_stated_error(values):
    x = np.array(values)
    assert np.max(np.abs(logistic32(x) - expit(x))) < 1e-6


@EXACT
@given(problems(max_issues=4, max_options=3, draws=True, confidence=False), st.integers(0, 3))
def test_row_bounds_bracket_every_completion(problem, depth):
    """Per-row score bounds, and the supports from them, hold for every valid completion."""
    search = Search(problem)
    depth = min(depth, problem.space.n_issues - 1)
    codes = valid_packages(problem)
    prefix = codes[:1, search.order][:, :depth]
    completions = codes[(codes[:, search.order][:, :depth] == prefix).all(axis=1)]
    high, low = search.bound_quantities(prefix)
    for i, public in enumerate(problem.publics):
        exact = naive_support(public.table, completions)
        assert np.all(exact <= high.support[i] + 1e-12) and np.all(exact >= low.support[i] - 1e-12)
    margins = np.array([naive_rule(p, completions)[1][0] for p in problem.publics])
    if problem.binding.any():
        assert margins[problem.binding].min(axis=0).max() <= high.joint_margin[0] + 1e-12


@EXACT
@given(problems(max_issues=5, max_options=3, draws=False, min_negotiators=0, max_negotiators=0, rules=False), st.data())
def test_linear_bound_holds_for_every_completion(problem, data):
    binding = [p.table for p, b in zip(problem.publics, problem.binding, strict=True) if b]
    search = Search(problem)
    rows = [np.flatnonzero(t.groups == 0) for t in binding]
    bound = LinearBound([t.group(0) for t in binding], problem.thresholds[problem.binding], search.order, rows)
    depth = data.draw(st.integers(0, problem.space.n_issues - 1))
    shape = problem.space.shape
    combos = list(itertools.product(*[range(shape[i]) for i in search.order[:depth]]))
    prefixes = np.array(combos, dtype=np.int64).reshape(len(combos), depth)
    partials, highs, lows = [], [], []
    for table in binding:
        tb = TableBounds(table, search.order)
        partial = tb.partial(prefixes)
        high, low = tb.bounds(prefixes, partial)
        partials.append(partial)
        highs.append(high)
        lows.append(low)
    values = bound.bound(prefixes, partials, highs, lows)
    every = np.array(list(itertools.product(*[range(n) for n in shape])))
    margins = np.array(
        [naive_support(t, every)[0] - th for t, th in zip(binding, problem.thresholds[problem.binding], strict=True)]
    )
    smallest = margins.min(axis=0)
    in_search_order = every[:, search.order][:, :depth]
    for prefix, value in zip(prefixes, values, strict=True):
        below = (in_search_order == prefix).all(axis=1)
        assert smallest[below].max() <= value + 1e-9

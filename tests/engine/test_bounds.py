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


@EXACT
@given(scores, scores, st.floats(-70, 70))
def test_compiled_logistic_lines_lie_above_the_logistic_on_the_interval(a, b, at):
    from winset.engine.line_kernels import logistic_lines
    from winset.engine.linear_bound import TANGENT_GRID, _tangent_points

    lo, hi = min(a, b), max(a, b)
    one, start, step = np.ones((1, 1)), TANGENT_GRID[0], TANGENT_GRID[2]
    empty = np.zeros((1, 0), dtype=np.int64)
    intercept, slope = logistic_lines(
        np.zeros(1, dtype=np.int64),
        at * one,
        0 * one,
        lo * one,
        hi * one,
        np.zeros((0, 1)),
        empty[0],
        empty,
        one[0],
        _tangent_points()[1],
        start,
        step,
    )  # one row of weight 1 at no extra: the constant is the intercept
    grid = np.concatenate([np.linspace(lo, hi, 2001), [lo, hi, min(max(0.0, lo), hi)]])
    assert slope[0, 0] >= 0 and np.all(intercept[0] + slope[0, 0] * grid >= expit(grid) - 1e-12)


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
    # nodes cut at random after each round: theirs stay valid bounds, the others' are unchanged
    rng, kept = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1))), np.ones(len(prefixes), dtype=bool)

    def open_(so_far):
        assert so_far.shape == (len(prefixes),) and np.all(so_far >= values - 1e-12)
        still = rng.random(len(so_far)) < 0.6
        kept[:] &= still
        return still

    cut = bound.bound(prefixes, partials, highs, lows, open_)
    np.testing.assert_allclose(cut[kept], values[kept], rtol=1e-12, atol=1e-14)  # rounding of smaller products
    # some of the nodes, read in place from the arrays of all of them
    some = np.flatnonzero(rng.random(len(prefixes)) < 0.5)
    np.testing.assert_allclose(
        bound.bound(prefixes[some], partials, highs, lows, nodes=some), values[some], rtol=1e-12, atol=1e-14
    )
    every = np.array(list(itertools.product(*[range(n) for n in shape])))
    margins = np.array(
        [naive_support(t, every)[0] - th for t, th in zip(binding, problem.thresholds[problem.binding], strict=True)]
    )
    smallest = margins.min(axis=0)
    in_search_order = every[:, search.order][:, :depth]
    for prefix, value, looser in zip(prefixes, values, cut, strict=True):
        below = (in_search_order == prefix).all(axis=1)
        assert smallest[below].max() <= min(value, looser) + 1e-9


@EXACT
@given(st.integers(0, 2**32 - 1), st.integers(1, 6), st.integers(1, 40), st.integers(0, 3), st.booleans())
def test_compiled_lines_are_link_lines(seed, nodes, rows, open_issues, logistic):
    """The compiled kernels against the numpy reference, on intervals of every kind: beyond the
    tabulated range, where the chord is the envelope, wholly above zero, crossing it, and the rest."""
    from winset.engine.line_kernels import logistic_lines, step_lines
    from winset.engine.linear_bound import TANGENT_GRID, _tangent_points

    rng = np.random.default_rng(seed)
    lo = rng.choice([-60.0, -8.0, -1.0, 0.5], (nodes, rows)) + rng.normal(0, 2, (nodes, rows))
    hi = lo + rng.choice([0.0, 0.3, 3.0, 30.0, 55.0], (nodes, rows)) * rng.random((nodes, rows))
    x = lo + (hi - lo) * rng.random((nodes, rows)) / 2
    most = x + rng.random((nodes, rows))
    coefficients = rng.normal(0, 1, (rows, 3 * open_issues))
    starts = np.arange(0, 3 * open_issues, 3, dtype=np.int64)
    completion = rng.integers(0, 3, (nodes, open_issues))
    weights = rng.random(rows)
    start, _, step = TANGENT_GRID
    columns = np.ascontiguousarray(coefficients.T)  # the kernels read the coefficients columns x rows
    arrays = (np.arange(nodes), x, most, lo, hi, columns, starts, completion, weights)
    if logistic:
        constant, slopes = logistic_lines(*arrays, _tangent_points()[1], start, step)
    else:
        constant, slopes = step_lines(*arrays)
    scores = x + sum(coefficients[:, starts[k] + completion[:, k]].T for k in range(open_issues))
    intercept, slope = LinkLines("logistic" if logistic else "step", lo, hi).at(scores)
    # a chord's slope is a difference of two probabilities over the interval: the kernel's and
    # numpy's roundings of the difference (a few 1e-16 each) part by that over its length
    width = hi - lo
    rounding = np.where(width > 0, 8 * np.finfo(float).eps / np.where(width > 0, width, 1.0), 0.0) * weights
    assert np.all(np.abs(slopes - slope * weights) <= 1e-12 * np.abs(slope * weights) + rounding + 1e-15)
    np.testing.assert_allclose(constant, (intercept + slope * most) @ weights, rtol=1e-12, atol=1e-14)


@EXACT
@given(problems(max_issues=5, max_options=3, draws=True, confidence=False), st.integers(2, 5))
def test_children_share_their_parents_scores_to_the_last_bit(problem, depth):
    """Partial scores of a node's children, the shared part scored once, equal those of each
    child scored whole, bit for bit."""
    search = Search(problem)
    depth = min(depth, problem.space.n_issues)
    parents = np.array(list(itertools.product(*[range(problem.space.shape[i]) for i in search.order[: depth - 1]])))
    children = search.children(parents.reshape(len(parents), depth - 1))
    for bounds in search.public_bounds:
        whole = np.vstack([bounds.partial(child[None, :]) for child in children])
        np.testing.assert_array_equal(bounds.partial(children), whole)

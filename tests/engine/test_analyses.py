"""Recommendations, frontiers, the ratification gap, assessment and improvement against brute force."""

from dataclasses import replace
from unittest import mock

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from winset.engine import criteria
from winset.engine import gap as gap_module
from winset.engine.gap import ratification_gap
from winset.engine.joint import point_only
from winset.engine.pareto import additive_frontier, restricted_frontier
from winset.engine.recommendations import recommend
from winset.engine.repair import assess, improve
from winset.errors import PackageError

from .conftest import EXACT, METHODS, method_under_test
from .instances import (
    in_joint_winset,
    naive_quantities,
    naive_rule,
    naive_support,
    problems,
    ranked,
    valid_packages,
)


def pareto_points(points: np.ndarray) -> set[tuple[float, ...]]:
    """The non-dominated points, by the definition (rounded, to compare as sets)."""
    keep = []
    for p in points:
        dominated = ((points >= p).all(axis=1) & (points > p).any(axis=1)).any()
        if not dominated:
            keep.append(tuple(np.round(p, 9)))
    return set(keep)


def frontier_points(frontier) -> set[tuple[float, ...]]:
    return {tuple(np.round(p, 9)) for p in frontier.utilities}


def attains(problem, frontier) -> None:
    """Every frontier package is valid and has the utilities of its point."""
    if not len(frontier):
        return
    assert problem.space.is_valid(frontier.packages).all()
    utilities = naive_quantities(problem, frontier.packages).utility.T
    np.testing.assert_allclose(utilities, frontier.utilities, rtol=1e-9, atol=1e-12)


# ------------------------------------------------------------------------------------ frontiers
@EXACT
@given(problems(min_negotiators=1, max_negotiators=6, draws=False))
def test_unrestricted_frontier(problem):
    codes = valid_packages(problem)
    utilities = naive_quantities(problem, codes).utility.T
    frontier = additive_frontier(problem)
    assert frontier_points(frontier) == pareto_points(utilities)
    assert len(frontier) == len(pareto_points(utilities))
    attains(problem, frontier)


@EXACT
@given(problems(min_negotiators=1, max_negotiators=3), st.sampled_from(METHODS))
def test_frontier_of_the_joint_winset(problem, method):
    codes = valid_packages(problem)
    q = naive_quantities(problem, codes)
    inside = in_joint_winset(problem, q)
    with method_under_test(method) as engine_method:
        frontier = restricted_frontier(problem, method=engine_method)
    assert frontier_points(frontier) == pareto_points(q.utility.T[inside])
    attains(problem, frontier)
    assert criteria.joint(problem)(naive_quantities(problem, frontier.packages)).all() if len(frontier) else True


# ------------------------------------------------------------------------------------ recommendations
@EXACT
@given(problems(min_negotiators=1), st.sampled_from(METHODS))
def test_recommendations(problem, method):
    codes = valid_packages(problem)
    point = point_only(problem)
    q = naive_quantities(problem, codes)
    qp = naive_quantities(point, codes)
    with method_under_test(method) as engine_method:
        table = recommend(problem, engine_method).set_index("recommendation")
    # the best smallest margin, among packages every negotiator accepts
    gains = (qp.gain >= 0).all(axis=0)
    if gains.any():
        assert table.loc["max_min_margin", "value"] == pytest.approx(qp.joint_margin[gains].max(), abs=1e-12)
    else:
        assert "max_min_margin" not in table.index
    # the Nash bargaining solution in the joint win-set
    base = qp if problem.confidence is None else q
    inside = in_joint_winset(problem, base)
    if inside.any():
        nash = np.prod(np.maximum(base.gain[:, inside], 0), axis=0).max()
        assert table.loc["nash", "value"] == pytest.approx(nash, rel=1e-9, abs=1e-15)
    else:
        assert "nash" not in table.index
    # the highest probability that every binding rule is met
    probability = np.prod(q.probability[problem.binding][:, gains], axis=0) if gains.any() else np.zeros(0)
    draws = all(p.n_draws for p in problem.publics)
    if draws and len(probability) and probability.max() > 0:
        assert table.loc["max_probability", "value"] == pytest.approx(probability.max())
    else:
        assert "max_probability" not in table.index


# ------------------------------------------------------------------------------------ the gap
def needed_shift(problem, codes: np.ndarray) -> np.ndarray:
    """By the definition: per package, the smallest common shift of the binding publics at which
    every one of them accepts it (bisection on each public's naive rule)."""
    needs = np.zeros(len(codes))
    for public, binding in zip(problem.publics, problem.binding, strict=True):
        if not binding:
            continue
        for m, package in enumerate(codes):

            def accepts(shift, public=public, package=package):
                passes = naive_rule(public, package[None, :], shift)[0][:, 0]
                if problem.confidence is None:
                    return passes[0]
                return passes[1:].mean() >= problem.confidence

            low, high = -70.0, 70.0
            if not accepts(high):
                needs[m] = np.inf
                continue
            for _ in range(80):
                middle = (low + high) / 2
                low, high = (low, middle) if accepts(middle) else (middle, high)
            needs[m] = max(needs[m], high)
    return np.maximum(needs, 0.0)


@EXACT
@given(problems(max_issues=3, max_options=3), st.sampled_from(METHODS))
def test_ratification_gap(problem, method):
    codes = valid_packages(problem)
    q = naive_quantities(problem, codes)
    gains = (q.gain >= 0).all(axis=0)
    with method_under_test(method) as engine_method:
        gap = ratification_gap(problem, engine_method)
    check_gap(problem, codes[gains], gap)


@EXACT
@given(problems(max_issues=3, max_options=3), st.sampled_from([None, 0.5, 0.8, 0.9]))
def test_ratification_gap_by_enumeration_one_package_at_a_time(problem, level):
    """The gap by enumeration, at the estimate or under a confidence level (from each package's
    draws), exact shifts computed one package at a time, so that the bounds decide which
    packages are never computed."""
    assume(level is None or all(p.n_draws for p in problem.publics))
    problem = replace(problem, confidence=level)
    codes = valid_packages(problem)
    gains = (naive_quantities(problem, codes).gain >= 0).all(axis=0)
    with mock.patch.object(gap_module, "GAP_BATCH", 1):
        gap = ratification_gap(problem, "enumerate")
    check_gap(problem, codes[gains], gap)


def check_gap(problem, candidates: np.ndarray, gap) -> None:
    """The gap is the least shift any candidate (a deal every negotiator accepts) needs, and the
    package it names becomes ratifiable at that shift."""
    if not len(candidates):
        assert gap.package is None and gap.shift == np.inf
        return
    needs = needed_shift(problem, candidates)
    assert gap.shift == pytest.approx(needs.min(), abs=2e-6)
    package = np.array([gap.package])
    assert needed_shift(problem, package)[0] <= gap.shift + 2e-6


@EXACT
@given(problems(max_issues=3, max_options=3, draws=False))
def test_no_gap_where_the_winset_is_not_empty(problem):
    codes = valid_packages(problem)
    inside = in_joint_winset(problem, naive_quantities(problem, codes))
    gap = ratification_gap(problem)
    if inside.any():
        assert gap.shift == 0.0
    elif gap.package is not None:
        assert gap.shift > 0


# ------------------------------------------------------------------------------------ a proposal
@EXACT
@given(problems(min_negotiators=1), st.sampled_from(METHODS), st.data())
def test_assessment_and_repairs(problem, method, data):
    codes = valid_packages(problem)
    proposal = codes[data.draw(st.integers(0, len(codes) - 1))]
    q = naive_quantities(problem, codes)
    base = naive_quantities(point_only(problem), codes) if problem.confidence is None else q
    with method_under_test(method) as engine_method:
        result = assess(problem, proposal, repairs=3, method=engine_method)
    i = int(np.flatnonzero((codes == proposal).all(axis=1))[0])
    for j, rule in result.rules.iterrows():
        assert rule["support"] == pytest.approx(q.support[j][0, i], rel=1e-9, abs=1e-12)
        assert rule["margin"] == pytest.approx(q.margin[j, i], rel=1e-9, abs=1e-12)
        assert rule["passes"] == q.accept[j, i]
        assert rule["lower"] <= rule["upper"]
    assert bool(result.table["in_winset"].iloc[0]) == in_joint_winset(problem, q)[i]
    # repairs: fewest changes, then the best smallest margin, as the brute force ranks them
    inside = in_joint_winset(problem, base)
    changes = (codes != proposal).sum(axis=1)
    value = np.arctan(base.joint_margin) / np.pi - changes
    expected, best = ranked(value[inside], codes[inside], problem, 3)
    assert list(result.repairs["changes"]) == [int((b != proposal).sum()) for b in best]
    got = result.repairs[[f"{p.id}_margin" for p in problem.publics]].to_numpy()[:, problem.binding].min(axis=1)
    np.testing.assert_allclose(np.arctan(got) / np.pi - result.repairs["changes"], expected, rtol=1e-9, atol=1e-12)
    # each change's effect, alone, on each public's support
    for _, effect in result.effects.iterrows():
        single = proposal.copy()
        k = problem.space.issue_ids.index(effect["issue"])
        single[k] = problem.space.option_ids[k].index(effect["to"])
        for p in problem.publics:
            before = naive_support(p.table, proposal[None, :])[0, 0]
            after = naive_support(p.table, single[None, :])[0, 0]
            assert effect[f"{p.id}_points"] == pytest.approx((after - before) * 100, abs=1e-9)
        assert effect["valid_alone"] == problem.space.is_valid(single)


@EXACT
@given(problems(min_negotiators=1), st.sampled_from(METHODS), st.data())
def test_repairs_that_keep_an_option(problem, method, data):
    """``assess(..., keep='issue=option')``: the proposal judged as it is, its repairs the nearest
    ratifiable packages that have the kept option, as the brute force ranks them."""
    codes = valid_packages(problem)
    proposal = codes[data.draw(st.integers(0, len(codes) - 1))]
    k = data.draw(st.integers(0, problem.space.n_issues - 1))
    o = data.draw(st.integers(0, problem.space.shape[k] - 1))
    q = naive_quantities(problem, codes)
    base = naive_quantities(point_only(problem), codes) if problem.confidence is None else q
    keep = f"{problem.space.issue_ids[k]}={problem.space.option_ids[k][o]}"
    if not (codes[:, k] == o).any():  # no deal has the option: said, not searched for
        with pytest.raises(PackageError, match=r"no deal keeps|no package keeps"):
            assess(problem, proposal, keep=keep)
        return
    with method_under_test(method) as engine_method:
        result = assess(problem, proposal, repairs=3, method=engine_method, keep=keep)
    i = int(np.flatnonzero((codes == proposal).all(axis=1))[0])
    assert bool(result.table["in_winset"].iloc[0]) == in_joint_winset(problem, q)[i]
    inside = in_joint_winset(problem, base) & (codes[:, k] == o)
    changes = (codes != proposal).sum(axis=1)
    value = np.arctan(base.joint_margin) / np.pi - changes
    _, best = ranked(value[inside], codes[inside], problem, 3)
    assert list(result.repairs["package"]) == [problem.space.format(b, changes_only=True) for b in best]


@EXACT
@given(problems(min_negotiators=1, max_negotiators=3), st.sampled_from(METHODS))
def test_improvement_of_an_agreed_package(problem, method):
    codes = valid_packages(problem)
    point = point_only(problem)
    base = naive_quantities(point if problem.confidence is None else problem, codes)
    inside = in_joint_winset(problem, base)
    if not inside.any():
        return
    agreed = codes[np.flatnonzero(inside)[0]]
    agreed_utility = base.utility[:, np.flatnonzero(inside)[0]]
    better = inside & (base.utility >= agreed_utility[:, None]).all(axis=0)
    with method_under_test(method) as engine_method:
        count, table = improve(problem, agreed, engine_method)
    assert count == int(better.sum())
    points = table[[f"{n.id}_utility" for n in problem.negotiators]].to_numpy()
    assert {tuple(np.round(p, 9)) for p in points} == pareto_points(base.utility.T[better])

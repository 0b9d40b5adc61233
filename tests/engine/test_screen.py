"""The staged screen of an enumeration (publics bounded one at a time) keeps the packages the
full bounds keep (exactly, but where float32 rounding of the bounds decides, which random
problems do not reach), and every package that could enter a top k."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from winset.engine import criteria
from winset.engine.enumeration import screen
from winset.engine.problem import DealProblem, Public
from winset.engine.rules import Rule
from winset.scoretable import ScoreTable
from winset.space import PackageSpace

from .conftest import EXACT
from .instances import naive_quantities, problems, valid_packages

# (objective, feasibility) pairs the recommendations and repairs search with
PAIRS = {
    "margin among accepted": (criteria.min_margin, criteria.negotiators),
    "nash in the joint win-set": (criteria.nash, criteria.joint),
    "probability among accepted": (criteria.all_rules_probability, criteria.negotiators),
    "nearest ratifiable": (criteria.nearest, criteria.joint),
}


@EXACT
@given(problems(max_negotiators=2), st.sampled_from(sorted(PAIRS)), st.floats(0.0, 1.0), st.booleans())
def test_screen_keeps_what_the_full_bounds_keep(problem, pair, quantile, reference):
    codes = valid_packages(problem)
    objective, feasibility = (make(problem) for make in PAIRS[pair])
    distance = (codes != codes[len(codes) // 2]).sum(axis=1).astype(float) if reference else np.zeros(len(codes))
    exact = naive_quantities(problem, codes)
    values = objective(exact, distance)
    floor = float(np.quantile(values, quantile)) if len(values) else 0.0
    if quantile == 0.0:
        floor = -np.inf  # a top k not yet full
    kept, kept_low = screen(problem, codes, feasibility, objective, distance, floor, low=True)
    high, low = problem.bounds(codes)
    full = np.flatnonzero(feasibility(high) & (objective(high, distance) >= floor - 1e-12))
    assert kept.tolist() == full.tolist()
    # the low bounds it gives are the full ones of the packages it keeps, to their float32
    # rounding (which depends on how many packages are bounded together), and lie below the truth
    for got, expected, truth in zip(kept_low.support, low.support, exact.support, strict=True):
        np.testing.assert_allclose(got, expected[:, kept], rtol=0, atol=1e-6)
        assert (got <= truth[:, kept] + 1e-12).all()
    np.testing.assert_array_equal(kept_low.accept, low.accept[:, kept])
    np.testing.assert_array_equal(kept_low.probability, low.probability[:, kept])
    could = np.flatnonzero(feasibility(exact) & (values >= floor))
    assert np.isin(could, kept).all()


def test_screen_of_supports_beyond_any_survey():
    """An identity-link public whose supports reach 1e301 is screened as the full bounds are."""
    table = ScoreTable(
        (2, 2), np.zeros(1), np.array([[0, 1e301, 0, 0.0]]), np.ones(1), np.zeros(1, dtype=np.int64), "identity"
    )
    space = PackageSpace([("a", ["x", "y"]), ("b", ["x", "y"])])
    problem = DealProblem(space, (), (Public("p", "s", table, Rule.share(0.5)),))
    codes = np.array([[0, 1], [1, 0], [1, 1]])
    kept, _ = screen(problem, codes, criteria.anything(problem), criteria.min_margin(problem), None, 5e300)
    assert kept.tolist() == [1, 2]

"""The staged screen of an enumeration (publics bounded one at a time) keeps exactly the packages
the full bounds keep, and every package that could enter a top k."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from winset.engine import criteria
from winset.engine.enumeration import screen

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
    kept = screen(problem, codes, feasibility, objective, distance, floor)
    high, _ = problem.bounds(codes)
    full = np.flatnonzero(feasibility(high) & (objective(high, distance) >= floor - 1e-12))
    assert kept.tolist() == full.tolist()
    could = np.flatnonzero(feasibility(exact) & (values >= floor))
    assert np.isin(could, kept).all()

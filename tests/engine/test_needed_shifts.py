"""The opinion shift a package needs: Newton inside a bisection bracket equals plain bisection."""

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from winset.compare import SUPPORT_TOLERANCE
from winset.engine.gap import SHIFT_LIMIT, draw_rule_shifts, needed_shifts, rule_shifts
from winset.scoretable import ScoreTable, apply_link

from .instances import problems, valid_packages


def bisection(table, codes, threshold):
    """Where the support meets the threshold (within the documented tolerance), by bisection."""
    threshold = threshold - SUPPORT_TOLERANCE
    scores = table.package_scores(codes)

    def support(s):
        return apply_link(table.link, scores + s[:, None]) @ table.weights

    low, high = np.full(len(codes), -SHIFT_LIMIT), np.full(len(codes), SHIFT_LIMIT)
    reachable = support(high) >= threshold
    for _ in range(80):
        middle = (low + high) / 2
        above = support(middle) >= threshold
        high, low = np.where(above, middle, high), np.where(above, low, middle)
    return np.where(reachable, high, np.inf)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    rows=st.integers(1, 60),
    threshold=st.floats(0.02, 0.98),
    link=st.sampled_from(["logistic", "identity"]),
)
def test_needed_shifts_equal_bisection(seed, rows, threshold, link):
    rng = np.random.default_rng(seed)
    shape = (3, 4, 2)
    scale = 3.0 if link == "logistic" else 0.1
    table = ScoreTable(
        shape,
        rng.normal(0, scale, rows),
        rng.normal(0, scale, (rows, sum(shape))),
        np.full(rows, 1 / rows),
        np.zeros(rows, dtype=np.int64),
        link,
    )
    codes = np.array([[a, b, c] for a in range(3) for b in range(4) for c in range(2)])
    got, expected = needed_shifts(table, codes, threshold), bisection(table, codes, threshold)
    assert (np.isfinite(got) == np.isfinite(expected)).all()
    finite = np.isfinite(expected)
    assert np.allclose(got[finite], expected[finite], atol=2e-10, rtol=0)
    scores = table.package_scores(codes[finite])
    reached = apply_link(link, scores + got[finite][:, None]) @ table.weights
    assert (reached >= threshold - SUPPORT_TOLERANCE).all()  # never short of meeting the threshold


@settings(max_examples=40, deadline=None)
@given(problems(rules=True, confidence=False))
def test_every_draws_rule_shift_at_once_equals_each_draws_own(problem):
    """A rule over groups, bisected for all its draws together, needs the shift each draw needs
    when bisected alone (to the bisection's tolerance)."""
    codes = valid_packages(problem)
    grouped = [p for p in problem.publics if not p.rule.plain and p.n_draws]
    assume(grouped and len(codes))
    for public in grouped:
        together = draw_rule_shifts(public, codes)
        alone = np.array([rule_shifts(public.draw(d), codes) for d in range(public.n_draws + 1)])
        np.testing.assert_array_equal(np.isinf(together), np.isinf(alone))
        finite = np.isfinite(alone)
        np.testing.assert_allclose(together[finite], alone[finite], rtol=0, atol=1e-9)

"""Plain-text summaries of the engine's results, on a problem small enough to work out by hand.

Two issues of two options each (option 0 the status quo). One public, identity link, support
0.40 + 0.20 (i0 changed) + 0.05 (i1 changed); negotiator a gains 1 from either change, negotiator
b loses 0.5 from i0 and gains 1 from i1; both reserve 0. With threshold 0.5 only (1, 1) is in the
joint win-set (support 0.65, margin 0.15); with 0.7 none is, and (1, 1) needs a shift of 0.05.
"""

import numpy as np
import pytest

from winset.engine import DealProblem, Negotiator, Public, Rule, assess, ratification_gap, solve
from winset.scoretable import ScoreTable
from winset.space import PackageSpace

SPACE = PackageSpace([("i0", ["o0", "o1"]), ("i1", ["o0", "o1"])])


def table(values: list[float], intercept: float = 0.0) -> ScoreTable:
    return ScoreTable(
        (2, 2), np.array([intercept]), np.array([values]), np.ones(1), np.zeros(1, dtype=np.int64), "identity"
    )


def problem(threshold: float) -> DealProblem:
    public = Public("voters", "home", table([0.0, 0.2, 0.0, 0.05], 0.4), Rule.share(threshold))
    negotiators = (
        Negotiator("a", table([0.0, 1.0, 0.0, 1.0]), 0.0),
        Negotiator("b", table([0.0, -0.5, 0.0, 1.0]), 0.0),
    )
    return DealProblem(SPACE, negotiators, (public,))


@pytest.mark.parametrize("method", ["enumerate", "search"])
def test_solution_summary_names_the_winset_and_its_best_package(method):
    text = solve(problem(0.5), method=method).summary()
    assert "Joint win-set: 1 package." in text
    assert "Best by margin: i0=o1,i1=o1 (margin 0.1500)" in text
    assert "Recommended (nash): i0=o1,i1=o1 (value 1.0000)" in text
    assert "Pareto frontier: 2 points over all deals, 1 over the joint win-set." in text
    assert "Ratification gap" not in text


def test_gap_summary_gives_the_shift_and_the_support_it_brings():
    gap = ratification_gap(problem(0.7), method="enumerate")
    text = gap.summary()
    assert "shift of 0.0500 (logit)" in text
    assert "(1, 1)" in text
    assert "voters: support 65.0% -> 70.0% (+5.0 points; threshold 70.0%)" in text
    assert solve(problem(0.7), method="enumerate").summary().endswith(text)


def test_assessment_summary_gives_the_failing_rule_and_the_repair():
    text = assess(problem(0.5), (0, 1), method="enumerate").summary()
    assert "not in the joint win-set" in text
    assert "voters: support 45.0%" in text
    assert "threshold 50.0%, margin -5.0 points, fails" in text
    assert "Nearest repair (1 found)" in text
    assert "Nearest repair (1 found): i0=o1,i1=o1 (1 change)" in text
    agreed = assess(problem(0.5), (1, 1), method="enumerate").summary()
    assert "(in the joint win-set)" in agreed and "margin +15.0 points, passes" in agreed
    assert "Improvements: 1 ratifiable packages" in agreed

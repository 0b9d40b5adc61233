"""AMCE power: cjpowR's published numbers, and winset's own AMCE estimator on simulated surveys."""

import itertools

import numpy as np
import pytest
from scipy.special import logit

from winset.conjoint import amce
from winset.conjoint.errors import ConjointError
from winset.conjoint.power import amce_power, amce_sample_size, minimum_detectable_amce
from winset.space import PackageSpace
from winset.support import TruthModel


def test_cjpowr_documented_example():
    # cjpowR's README: cjpowr_amce(amce = 0.05, power = 0.8, levels = 5) gives n = 7829.258, and
    # cjpowr_amce(amce = 0.05, n = 7829.258, levels = 5) gives power 0.8
    assert amce_sample_size(0.05, power=0.8, levels=5) == pytest.approx(7829.258, abs=1e-3)
    assert amce_power(0.05, 7829.258, levels=5) == pytest.approx(0.8, abs=1e-6)


def test_power_by_hand_from_the_two_proportions():
    # an independent route: the difference of two proportions, each from n / levels observations
    amce_, n, levels = 0.04, 12_000, 3
    p0 = 0.5 - amce_ / 2
    p1 = p0 + amce_
    se = np.sqrt(p1 * (1 - p1) / (n / levels) + p0 * (1 - p0) / (n / levels))
    from scipy.stats import norm

    z = amce_ / se
    expected = norm.cdf(z - norm.ppf(0.975)) + norm.cdf(-z - norm.ppf(0.975))
    assert amce_power(amce_, n, levels) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("levels", [2, 4, 7])
def test_minimum_detectable_amce_inverts_power_and_sample_size(levels):
    mde = minimum_detectable_amce(8_000, power=0.8, levels=levels)
    assert amce_power(mde, 8_000, levels) == pytest.approx(0.8, abs=1e-7)
    # the closed form leaves out the far tail's tiny share of the power, as cjpowR's does
    assert amce_sample_size(mde, 0.8, levels) == pytest.approx(8_000, rel=1e-5)
    smaller = [minimum_detectable_amce(n, 0.8, levels) for n in (50, 500, 5_000, 50_000)]
    assert all(a > b for a, b in itertools.pairwise(smaller))
    assert minimum_detectable_amce(50_000 * 4, 0.8, levels) == pytest.approx(smaller[-1] / 2, rel=0.02)


@pytest.mark.parametrize(
    "call",
    [
        lambda: amce_power(0.05, 1000, levels=1),
        lambda: amce_power(0.05, 1000, alpha=1.5),
        lambda: amce_power(0.05, 0),
        lambda: amce_sample_size(0.0),
        lambda: minimum_detectable_amce(1000, power=1.2),
        lambda: minimum_detectable_amce(1000, power=0.05),
        lambda: minimum_detectable_amce(float("nan")),
        lambda: minimum_detectable_amce(float("inf")),
        lambda: amce_power(0.05, float("inf")),
        lambda: amce_power(0.05, float("nan")),
        lambda: amce_power(1.5, 1000),
        lambda: amce_sample_size(1.5),
    ],
)
def test_refusals(call):
    with pytest.raises(ConjointError):
        call()


def test_the_analytical_power_matches_winsets_estimator_on_simulated_forced_choices():
    """Forced choices of two profiles where one level has an AMCE of 0.05: the share of
    simulated surveys whose AMCE is significant at 5% (winset's AMCE, respondent clusters) is the
    approximation's power within three binomial standard errors."""
    space = PackageSpace([("x", ["x0", "x1"]), ("y", ["y0", "y1", "y2"]), ("z", ["z0", "z1", "z2", "z3"])])
    target = 0.05
    # choosing between a profile with x1 and one with x0: P = logistic(beta) = 0.5 + amce
    truth = TruthModel(space, alpha=0.0, effects={"x": {"x1": float(logit(0.5 + target))}})
    respondents, tasks, reps = 150, 5, 300
    n_effective = respondents * tasks * 2
    rejected = 0
    for rep in range(reps):
        frame = truth.simulate(respondents, tasks, optout=False, seed=1000 + rep)
        table = amce(frame, "chosen", ["x", "y", "z"], id="respondent")
        p = table.loc[(table["feature"] == "x") & (table["level"] == "x1"), "p"].iloc[0]
        rejected += p < 0.05
    expected = amce_power(target, n_effective, levels=2)
    assert 0.3 < expected < 0.8  # a size where power is neither 0 nor 1
    assert abs(rejected / reps - expected) < 3 * np.sqrt(expected * (1 - expected) / reps)

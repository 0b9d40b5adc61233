"""The Bayesian additive support model: its mode against statsmodels and a general optimiser, its
Laplace posterior against a brute-force grid, polls reproduced within their sampling error, options
no poll varies left to their prior, intervals that cover the truth, and refusals."""

import itertools

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import optimize
from scipy.special import expit, logit

from winset.errors import ModelError, NotFittedError
from winset.support.additive import AdditivePrior, AdditiveSupportModel, Poll, points_to_logit

SHAPE = (3, 2, 3)
SQ = (0, 0, 0)


def truth_polls(rng, packages, theta, n=800):
    """Polls of ``packages`` drawn from the additive truth ``theta`` (level, free effects)."""
    model = AdditiveSupportModel(AdditivePrior.default(SHAPE, SQ))
    p = expit(model.design(packages) @ theta)
    return [Poll(tuple(c), float(rng.binomial(n, q) / n), n) for c, q in zip(packages, p, strict=True)]


def every_package(shape=SHAPE):
    return [tuple(c) for c in itertools.product(*[range(k) for k in shape])]


def test_with_a_flat_prior_the_mode_is_statsmodels_glm():
    rng = np.random.default_rng(0)
    theta = np.array([-0.4, 0.6, -0.3, 0.5, 0.2, -0.8])
    packages = [every_package()[i] for i in rng.choice(18, size=12, replace=False)]
    polls = truth_polls(rng, packages, theta)
    flat = AdditivePrior(SHAPE, SQ, 0.0, 1e4, np.zeros(8), np.full(8, 1e4))
    model = AdditiveSupportModel(flat).fit(polls)
    x = model.design([p.codes for p in polls])
    glm = sm.GLM(
        np.array([p.support for p in polls]), x, family=sm.families.Binomial(), var_weights=[p.n for p in polls]
    ).fit(tol=1e-12)
    np.testing.assert_allclose(model.mode_, glm.params, atol=1e-6)
    np.testing.assert_allclose(model.covariance_, glm.cov_params(), rtol=1e-5)


def test_the_mode_maximises_the_log_posterior():
    rng = np.random.default_rng(1)
    prior = AdditivePrior(
        SHAPE, SQ, -0.5, 0.8, rng.normal(size=8) * 0.3, rng.uniform(0.3, 1.2, size=8), source="a test"
    )
    polls = truth_polls(rng, [(1, 0, 0), (0, 1, 2), (2, 1, 1)], np.array([-0.2, 0.4, 0.1, -0.5, 0.3, 0.2]), n=300)
    model = AdditiveSupportModel(prior).fit(polls)
    free = prior.free

    def minus_log_posterior(theta):  # written out anew: level, then the options' effects by column
        effects = np.zeros(8)
        effects[free] = theta[1:]
        value = -0.5 * ((theta[0] - prior.level_mean) / prior.level_sd) ** 2
        value -= 0.5 * (((effects - prior.effect_mean) / prior.effect_sd)[free] ** 2).sum()
        for poll in polls:
            eta = theta[0] + effects[poll.codes[0]] + effects[3 + poll.codes[1]]
            eta += effects[5 + poll.codes[2]]
            value += poll.n * (poll.support * np.log(expit(eta)) + (1 - poll.support) * np.log(expit(-eta)))
        return -value

    best = optimize.minimize(minus_log_posterior, np.zeros(6), method="BFGS", options={"gtol": 1e-9})
    np.testing.assert_allclose(model.mode_, best.x, atol=1e-5)


def test_a_sharp_prior_against_large_polls_still_finds_the_mode():
    """The prior says the option lowers support a lot, polls of 100,000 people say it raises it
    from 0.1% to 99.9%: a full Newton step from the prior overshoots; the halved steps reach the
    mode a derivative-free optimiser finds."""
    prior = AdditivePrior((2,), (0,), 0.0, 1.5, np.array([0.0, -6.0]), np.array([1.0, 0.1]))
    polls = [Poll((1,), 0.999, 100_000), Poll((0,), 0.001, 100_000)]
    model = AdditiveSupportModel(prior).fit(polls)

    def minus_log_posterior(t):
        eta = np.array([t[0] + t[1], t[0]])
        y = np.array([0.999, 0.001])
        return -(1e5 * (y * np.log(expit(eta)) + (1 - y) * np.log(expit(-eta)))).sum() + 0.5 * (
            (t[0] / 1.5) ** 2 + ((t[1] + 6) / 0.1) ** 2
        )

    best = optimize.minimize(
        minus_log_posterior, [0, -6], method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20_000}
    )
    np.testing.assert_allclose(model.mode_, best.x, atol=1e-6)


@pytest.mark.parametrize(
    "polls",
    [
        [Poll((0,), 0.30, 400), Poll((1,), 0.45, 300)],  # both parameters seen by the polls
        [Poll((0,), 0.30, 60)],  # the option's effect known from its prior alone, and few people asked
        [Poll((0,), 0.90, 20), Poll((1,), 0.95, 15)],  # small polls near 1: the normal approximation is off
    ],
)
def test_the_posterior_draws_against_a_grid(polls):
    """One issue of two options (parameters: the level and one effect): the posterior of support
    for the other option by brute force on a fine grid, and by the model's draws."""
    prior = AdditivePrior((2,), (0,), -0.5, 1.0, np.array([0.0, 0.3]), np.array([1.0, 0.7]))
    model = AdditiveSupportModel(prior).fit(polls)
    a, b = np.meshgrid(np.linspace(-8, 8, 1601), np.linspace(-8, 8, 1601), indexing="ij")
    log_density = -0.5 * ((a + 0.5) / 1.0) ** 2 - 0.5 * ((b - 0.3) / 0.7) ** 2
    for poll in polls:
        eta = a + (b if poll.codes == (1,) else 0.0)
        log_density += poll.n * (poll.support * -np.logaddexp(0, -eta) + (1 - poll.support) * -np.logaddexp(0, eta))
    weight = np.exp(log_density - log_density.max()).ravel()
    weight /= weight.sum()
    support = expit(a + b).ravel()
    order = np.argsort(support)
    cumulative = np.cumsum(weight[order])
    grid_quantiles = [support[order][np.searchsorted(cumulative, q)] for q in (0.05, 0.5, 0.95)]
    drawn = expit(model.draws(200_000, seed=3).sum(axis=1))
    np.testing.assert_allclose(np.quantile(drawn, [0.05, 0.5, 0.95]), grid_quantiles, atol=0.01)
    assert drawn.mean() == pytest.approx(weight @ support, abs=0.005)


def test_the_polls_are_reproduced_within_their_sampling_error():
    """Poll toplines only, the stated defaults: the fitted model gives every polled package
    within its margin of error (1.96 standard errors) of its topline."""
    rng = np.random.default_rng(4)
    theta = np.array([-0.6, 0.9, -0.4, 0.7, 0.3, -1.0])
    packages = [(0, 0, 0), (1, 0, 0), (2, 1, 0), (0, 1, 1), (1, 1, 2), (2, 0, 2), (0, 0, 1)]
    polls = truth_polls(rng, packages, theta, n=1000)
    model = AdditiveSupportModel(AdditivePrior.default(SHAPE, SQ)).fit(polls)
    fitted = model.support(packages)
    shares = np.array([p.support for p in polls])
    se = np.sqrt(shares * (1 - shares) / 1000)
    assert np.all(np.abs(fitted - shares) < 1.96 * se), (fitted, shares, se)


def test_an_option_no_poll_varies_keeps_its_prior():
    polls = [Poll((0, 0, 0), 0.4, 1000), Poll((1, 0, 0), 0.5, 1000), Poll((0, 1, 0), 0.3, 1000)]
    model = AdditiveSupportModel(AdditivePrior.default(SHAPE, SQ)).fit(polls)
    # parameters: level, issue 0's options 1 and 2, issue 1's option 1, issue 2's options 1 and 2
    unseen = [2, 4, 5]
    assert model.information_[unseen] == pytest.approx(0.0, abs=0.02)  # the prior alone
    assert np.all(model.information_[[0, 1, 3]] > 0.9)
    np.testing.assert_allclose(np.sqrt(np.diag(model.covariance_))[unseen], 1.0, rtol=0.02)
    draws = expit(model.design([(0, 0, 2)]) @ model.draws(4000).T)[0]
    low, high = np.quantile(draws, [0.05, 0.95])
    assert high - low > 0.5  # wide: the polls say nothing of this option
    seen = expit(model.design([(1, 0, 0)]) @ model.draws(4000).T)[0]
    assert np.diff(np.quantile(seen, [0.05, 0.95]))[0] < 0.06


def test_the_intervals_cover_the_truth():
    """Truths drawn from the prior, polls drawn from each truth: the posterior's 90% intervals of
    support, for polled and unpolled packages, hold the truth about 90% of the time."""
    rng = np.random.default_rng(5)
    prior = AdditivePrior.default(SHAPE, SQ, level=0.4)
    packages = every_package()
    hits = []
    for _ in range(200):
        theta = prior.mean + prior.sd * rng.standard_normal(len(prior.mean))
        asked = [packages[i] for i in rng.choice(len(packages), size=4, replace=False)]
        model = AdditiveSupportModel(prior).fit(truth_polls(rng, asked, theta, n=600))
        x = model.design(packages)
        drawn = expit(x @ model.draws(400, seed=int(rng.integers(1 << 30))).T)
        low, high = np.quantile(drawn, [0.05, 0.95], axis=1)
        truth = expit(x @ theta)
        hits.append((low <= truth) & (truth <= high))
    coverage = np.mean(hits)
    assert 0.86 <= coverage <= 0.94, coverage


def test_the_score_table_is_the_posterior():
    polls = [Poll((0, 0, 0), 0.4, 1000), Poll((2, 1, 1), 0.6, 500)]
    model = AdditiveSupportModel(AdditivePrior.default(SHAPE, SQ)).fit(polls)
    table = model.score_table(50, seed=7)
    packages = np.array(every_package())
    assert table.n_groups == 51 and table.shape == SHAPE
    np.testing.assert_allclose(table.support(packages)[0], model.support(packages), rtol=1e-12)
    np.testing.assert_allclose(table.support(packages)[1:], expit(model.design(packages) @ model.draws(50, 7).T).T)
    assert model.score_table(0).n_groups == 1


def test_points_on_the_logit_scale():
    mean, sd = points_to_logit(0.4, 0.1, 0.0, 0.2)
    assert mean == pytest.approx(logit(0.5) - logit(0.4))
    assert sd == pytest.approx((logit(0.6) - logit(0.4)) / (2 * 1.6448536269514722))


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        ((1.0, 0.0, -0.1, 0.1), "strictly between 0 and 1"),
        ((0.5, 0.2, 0.0, 0.1), "low <= central <= high"),
        ((0.9, 0.0, -0.1, 0.2), "outside 0 to 1"),
        ((0.5, 0.1, 0.1, 0.1), "low < high"),
    ],
)
def test_points_that_cannot_be_converted(args, phrase):
    with pytest.raises(ModelError, match=phrase):
        points_to_logit(*args)


def test_bad_priors_and_polls_are_refused():
    with pytest.raises(ModelError, match="needs 8 entries"):
        AdditivePrior(SHAPE, SQ, 0.0, 1.0, np.zeros(7), np.ones(8))
    with pytest.raises(ModelError, match="not positive"):
        AdditivePrior(SHAPE, SQ, 0.0, 1.0, np.zeros(8), np.r_[np.ones(7), 0.0])
    with pytest.raises(ModelError, match="positive standard deviation"):
        AdditivePrior(SHAPE, SQ, 0.0, 0.0, np.zeros(8), np.ones(8))
    with pytest.raises(ModelError, match="not a package"):
        AdditivePrior(SHAPE, (0, 2, 0), 0.0, 1.0, np.zeros(8), np.ones(8))
    # the status quo's own options are not parameters: their sd may be anything
    AdditivePrior(SHAPE, SQ, 0.0, 1.0, np.zeros(8), np.array([0.0, 1, 1, 0, 1, 0, 1, 1]))
    with pytest.raises(ModelError, match="must be an AdditivePrior"):
        AdditiveSupportModel("defaults")
    model = AdditiveSupportModel(AdditivePrior.default(SHAPE, SQ))
    with pytest.raises(NotFittedError):
        model.support([(0, 0, 0)])
    with pytest.raises(ModelError) as refused:
        model.fit([Poll((0, 0, 3), 0.5, 100), Poll((0, 0, 0), 1.5, 100), Poll((0, 0, 0), 0.5, 0), Poll((0, 0), 0.5, 9)])
    assert len(refused.value.problems) == 4


def test_without_polls_the_posterior_is_the_prior():
    prior = AdditivePrior.default(SHAPE, SQ, level=0.3)
    model = AdditiveSupportModel(prior).fit([])
    np.testing.assert_allclose(model.mode_, prior.mean)
    np.testing.assert_allclose(np.sqrt(np.diag(model.covariance_)), prior.sd)
    assert model.information_ == pytest.approx(np.zeros(6), abs=1e-12)

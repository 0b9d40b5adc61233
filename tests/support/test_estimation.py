"""Raking, the logistic fit and the mixed logit's likelihood, against independent computations."""

import warnings

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import linalg

from winset.conjoint import ConjointData, ConjointError
from winset.conjoint.ols import DummyDesign, Term
from winset.space import PackageSpace
from winset.support import MixedLogitModel, TruthModel, logit, rake, respondents, simulated_likelihood
from winset.support.logit import fit_logit, fit_logits


@settings(max_examples=100)
@given(st.integers(0, 2**32 - 1), st.integers(2, 4), st.integers(2, 3))
def test_raking_matches_every_margin(seed, a_levels, b_levels):
    rng = np.random.default_rng(seed)
    n = 200
    a = np.concatenate([np.arange(a_levels), rng.integers(0, a_levels, n - a_levels)])
    b = np.concatenate([np.arange(b_levels), rng.integers(0, b_levels, n - b_levels)])
    targets = {"a": rng.dirichlet(np.ones(a_levels)), "b": rng.dirichlet(np.ones(b_levels))}
    base = rng.uniform(0.5, 2, n)
    weights = rake({"a": a, "b": b}, targets, base)
    assert weights.sum() == pytest.approx(1.0)
    for name, codes in (("a", a), ("b", b)):
        np.testing.assert_allclose(
            np.bincount(codes, weights=weights, minlength=len(targets[name])), targets[name], atol=1e-9
        )
    # within a cell, weights keep the base weights' proportions
    cell = (a == 0) & (b == 0)
    if cell.sum() > 1:
        ratio = weights[cell] / base[cell]
        np.testing.assert_allclose(ratio, ratio[0], rtol=1e-9)


def test_raking_refuses_an_empty_category():
    with pytest.raises(ConjointError, match="no respondent is in category"):
        rake({"a": np.array([0, 0, 1])}, {"a": np.array([0.3, 0.3, 0.4])})


def logit_problem(seed: int, n: int = 400):
    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, 3, n), rng.integers(0, 2, n)
    terms = [
        Term("(Intercept)", ("",), np.zeros(n, dtype=np.int16)),
        Term("a", ("1", "2"), (a - 1).astype(np.int16)),
        Term("b", ("1",), (b - 1).astype(np.int16)),
    ]
    eta = -0.3 + 0.8 * (a == 1) - 0.5 * (a == 2) + 0.6 * (b == 1)
    y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    return DummyDesign(terms), y, rng.uniform(0.5, 2, n)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_logit_matches_statsmodels(seed):
    design, y, w = logit_problem(seed)
    x = design.dense(0, design.n_rows)
    ours = fit_logit(design, y)
    theirs = sm.Logit(y, x).fit(disp=0)
    np.testing.assert_allclose(ours.coef, theirs.params, rtol=1e-8)
    np.testing.assert_allclose(ours.std_error, theirs.bse, rtol=1e-6)
    weighted = fit_logit(design, y, w)
    glm = sm.GLM(y, x, family=sm.families.Binomial(), freq_weights=w).fit()
    np.testing.assert_allclose(weighted.coef, glm.params, rtol=1e-8)


class FlippedLogit(sm.families.links.Link):
    """statsmodels' link for answers flipped at rate tau: p = tau + (1 - 2 tau) expit(eta)."""

    def __init__(self, tau):
        self.tau = tau

    def __call__(self, p):
        q = (p - self.tau) / (1 - 2 * self.tau)
        return np.log(q / (1 - q))

    def inverse(self, z):
        return self.tau + (1 - 2 * self.tau) / (1 + np.exp(-z))

    def deriv(self, p):
        q = (p - self.tau) / (1 - 2 * self.tau)
        return 1 / ((1 - 2 * self.tau) * q * (1 - q))

    def inverse_deriv(self, z):
        e = 1 / (1 + np.exp(-z))
        return (1 - 2 * self.tau) * e * (1 - e)


def flipped_problem(seed, tau, n=3000):
    design, y, w = logit_problem(seed, n)
    flips = np.random.default_rng(seed + 100).random(n) < tau
    return design, np.where(flips, 1 - y, y), w


@pytest.mark.parametrize(("seed", "tau"), [(1, 0.1), (2, 0.2), (3, 0.3)])
def test_a_logit_of_flipped_answers_matches_statsmodels_glm_with_its_link(seed, tau):
    """The likelihood of answers flipped at a known rate: the estimate, its standard errors
    (expected information) and the log-likelihood equal statsmodels' GLM with that link, weighted
    and not; the plain logit of the same answers is pulled towards zero."""
    design, y, w = flipped_problem(seed, tau)
    x = design.dense(0, design.n_rows)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels warns of a link it does not know
        family = sm.families.Binomial(link=FlippedLogit(tau), check_link=False)
        start = sm.Logit(y, x).fit(disp=0).params  # IRLS's own start can fall below tau
        theirs = sm.GLM(y, x, family=family).fit(start_params=start, tol=1e-12)
        weighted = sm.GLM(y, x, family=family, freq_weights=w).fit(start_params=start, tol=1e-12)
    ours = fit_logit(design, y, flip=tau)
    np.testing.assert_allclose(ours.coef, theirs.params, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(ours.std_error, theirs.bse, rtol=1e-5)
    assert ours.loglik == pytest.approx(theirs.llf, rel=1e-10)
    np.testing.assert_allclose(fit_logit(design, y, w, flip=tau).coef, weighted.params, rtol=1e-7, atol=1e-9)
    plain = fit_logit(design, y)
    assert np.all(np.abs(plain.coef[1:]) < np.abs(ours.coef[1:]))


def test_a_level_answered_yes_less_often_than_the_flip_rate_is_fitted_at_the_boundary():
    """Where one level's rows say yes 2% of the time and answers flip 20% of the time, the MLE puts
    those rows' probability at the floor tau (a coefficient without end, not a separation error),
    and the other coefficients are the fit to the other rows alone: statsmodels' GLM with the
    link on them, its log-likelihood plus the floor's."""
    design, y, _ = logit_problem(3, 3000)
    x = design.dense(0, design.n_rows)
    level = x[:, 2] > 0
    y = y.copy()
    y[level] = np.random.default_rng(0).random(level.sum()) < 0.02
    tau = 0.2
    ours = fit_logit(design, y, flip=tau)
    assert ours.coef[2] < -30
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rest = x[~level][:, [0, 1, 3]]
        start = sm.Logit(y[~level], rest).fit(disp=0).params
        family = sm.families.Binomial(link=FlippedLogit(tau), check_link=False)
        theirs = sm.GLM(y[~level], rest, family=family).fit(start_params=start, tol=1e-12)
    np.testing.assert_allclose(ours.coef[[0, 1, 3]], theirs.params, rtol=1e-6)
    floor = np.sum(y[level] * np.log(tau) + (1 - y[level]) * np.log(1 - tau))
    assert ours.loglik == pytest.approx(theirs.llf + floor, rel=1e-9)


def test_fisher_scoring_gets_the_steps_it_needs_and_says_when_they_are_not_enough(monkeypatch):
    """Fisher scoring converges linearly, so a fit of flipped answers is not held to Newton's limit
    (here 5 steps for a fit that takes 11); with too few of its own, one message names it."""
    design, y, _ = flipped_problem(2, 0.3)
    expected = fit_logit(design, y, flip=0.3)
    assert expected.iterations > 5
    monkeypatch.setattr(logit, "MAX_ITERATIONS", 5)
    np.testing.assert_allclose(fit_logit(design, y, flip=0.3).coef, expected.coef)
    monkeypatch.setattr(logit, "SCORING_ITERATIONS", 5)
    with pytest.raises(ConjointError, match="answers flipped at the repeated task's rate does not converge in 5 steps"):
        fit_logit(design, y, flip=0.3)


@pytest.mark.parametrize(("seed", "tau"), [(1, 0.1), (3, 0.3)])
def test_fisher_scoring_stops_where_no_step_raises_the_likelihood(seed, tau):
    """Asked for steps smaller than floating point can resolve (a tolerance of 0), a fit of
    flipped answers stops once no step raises the log-likelihood, at the estimate the default
    tolerance gives, rather than running out of steps."""
    design, y, _ = flipped_problem(seed, tau)
    expected = fit_logit(design, y, flip=tau)
    exact = fit_logit(design, y, flip=tau, tolerance=0.0)
    assert exact.iterations < logit.SCORING_ITERATIONS
    np.testing.assert_allclose(exact.coef, expected.coef, rtol=1e-9, atol=1e-12)
    assert exact.loglik == pytest.approx(expected.loglik, rel=1e-12)


def test_flipped_logits_of_many_weightings_are_each_its_own_fit():
    """fit_logits with a flip rate per fit: each draw as fit_logit gives it alone."""
    design, y, _ = flipped_problem(7, 0.15, 800)
    units = np.arange(design.n_rows) // 4
    counts = np.random.default_rng(7).multinomial(200, np.full(200, 1 / 200), size=4).astype(float)
    taus = np.array([0.0, 0.1, 0.15, 0.25])
    start = fit_logit(design, y).coef
    coef, value, _ = fit_logits(design, y, counts, units, start, np.ones(design.width, bool), 1e-10, taus)
    for b in range(4):
        alone = fit_logit(design, y, counts[b][units], flip=taus[b])
        np.testing.assert_allclose(coef[b], alone.coef, rtol=1e-7, atol=1e-9)
        assert value[b] == pytest.approx(alone.loglik, rel=1e-10)


def test_logit_warm_start_reaches_the_same_estimate():
    design, y, w = logit_problem(4)
    cold = fit_logit(design, y, w)
    warm = fit_logit(design, y, w * 1.0, start=cold.coef + 0.3)
    np.testing.assert_allclose(warm.coef, cold.coef, rtol=1e-7)


def test_logit_reports_separation():
    design, _y, _ = logit_problem(5)
    perfect = (design.dense(0, design.n_rows)[:, 3] > 0).astype(float)  # b predicts y exactly
    with pytest.raises(ConjointError, match="predicts the answer perfectly"):
        fit_logit(design, perfect)


# small chunks: 5 fits and then 1, their Hessians without the column pairs; one fit per chunk
@pytest.mark.parametrize("chunk, pairs", [(logit.CHUNK, logit.PAIRS), (30, 30), (1, 1)])
def test_logit_draws_match_statsmodels_draw_by_draw(monkeypatch, chunk, pairs):
    monkeypatch.setattr(logit, "CHUNK", chunk)
    monkeypatch.setattr(logit, "PAIRS", pairs)
    design, y, _ = logit_problem(6)
    units = np.arange(design.n_rows) // 4  # 100 respondents of 4 rows each
    counts = np.random.default_rng(6).multinomial(100, np.full(100, 0.01), size=6).astype(float)
    start = fit_logit(design, y).coef + 2.0  # far from every draw's estimate: steps are halved
    coef, value, iterations = fit_logits(design, y, counts, units, start, np.ones(design.width, bool), 1e-10)
    x = design.dense(0, design.n_rows)
    for b, draw in enumerate(counts):
        glm = sm.GLM(y, x, family=sm.families.Binomial(), freq_weights=draw[units]).fit(tol=1e-12)
        np.testing.assert_allclose(coef[b], glm.params, rtol=1e-8)
        assert value[b] == pytest.approx(glm.llf, rel=1e-12)
        assert iterations[b] >= 3


def test_logit_hessians_of_many_weightings():
    rng = np.random.default_rng(9)
    x = (rng.random((13, 4)) < 0.5).astype(float)
    v = rng.random((13, 3))
    expected = np.einsum("dj,dk,db->bjk", x, x, v)
    np.testing.assert_allclose(logit._hessians(x, v), expected, rtol=1e-13)
    np.testing.assert_allclose(logit._hessians(x, v, logit._column_pairs(x)), expected, rtol=1e-13)
    np.testing.assert_allclose(logit._hessians(x, v[:, :1]), expected[:1], rtol=1e-13)


def test_logit_draws_leave_an_uninformed_column_where_it_started():
    design, y, w = logit_problem(7)
    x = design.dense(0, design.n_rows)
    without_b = w * (x[:, 3] == 0)  # no row with weight switches b on
    start = fit_logit(design, y, w).coef
    coef, _, _ = fit_logits(design, y, np.array([w, without_b]), None, start, np.ones(design.width, bool), 1e-10)
    np.testing.assert_allclose(coef[0], start, rtol=1e-7)
    assert coef[1, 3] == start[3]
    informed = without_b > 0
    glm = sm.GLM(y[informed], x[informed][:, :3], family=sm.families.Binomial(), freq_weights=w[informed]).fit()
    np.testing.assert_allclose(coef[1, :3], glm.params, rtol=1e-8)


def test_logit_draws_reach_the_maximum_where_two_columns_coincide():
    """In the second weighting a and b are on in exactly the same rows (the others weigh 0): its
    Hessian is singular, and the fit still reaches the likelihood's maximum, which fixes the
    intercept and the sum of a and b only."""
    a = np.array([0, 0, 1, 1, 1, 1, 1, 0, 0])
    b = np.array([0, 0, 1, 1, 1, 0, 0, 1, 1])
    y = np.array([1.0, 0, 1, 1, 0, 1, 0, 1, 1])
    design = DummyDesign(
        [Term("(Intercept)", ("",), np.zeros(9, dtype=np.int16))]
        + [Term(name, ("1",), (x - 1).astype(np.int16)) for name, x in (("a", a), ("b", b))]
    )
    start = fit_logit(design, y).coef
    weights = np.array([np.ones(9), [1, 1, 1, 1, 1, 0, 0, 0, 0]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", linalg.LinAlgWarning)  # the singular Hessian, said by LAPACK
        coef, _, _ = fit_logits(design, y, weights, None, start, np.ones(3, bool), 1e-10)
    np.testing.assert_allclose(coef[0], start, atol=1e-9)
    assert coef[1, 0] == pytest.approx(0.0, abs=1e-9)  # one yes of two with neither on
    assert coef[1, 1] + coef[1, 2] == pytest.approx(np.log(2.0), abs=1e-9)  # two yes of three with both


def test_logit_draws_report_a_separated_draw():
    design, y, w = logit_problem(8)
    x = design.dense(0, design.n_rows)
    separated = w * ((x[:, 3] == 0) | (y == 1))  # with b on, every answer is yes
    keep = np.ones(design.width, bool)
    with pytest.raises(ConjointError, match="predicts the answer perfectly"):
        fit_logits(design, y, np.array([w, separated]), None, None, keep, 1e-10)


# ----------------------------------------------------------------------------------- mixed logit
SPACE = PackageSpace(
    [("a", ["x", "y", "z"]), ("b", ["p", "q"]), ("c", ["u", "v", "w"])], constraints=[("no", {"a": "z", "b": "q"})]
)
TRUTH = TruthModel(
    SPACE,
    alpha=-0.3,
    effects={"a": {"y": 0.8, "z": -0.5}, "b": {"q": 0.4}, "c": {"v": 0.3, "w": -0.6}},
    sd={"a": {"y": 1.0}},
    intercept_sd=0.7,
)
ISSUES = [("a", ["x", "y", "z"]), ("b", ["p", "q"]), ("c", ["u", "v", "w"])]


def choice_data(n: int, seed: int, optout: bool = True) -> ConjointData:
    return as_choice_data(TRUTH.simulate(n, 8, optout=optout, seed=seed))


def as_choice_data(frame) -> ConjointData:
    return ConjointData(
        frame,
        "chosen",
        ["a", "b", "c"],
        id="respondent",
        task="task",
        profile="profile",
        baselines={"a": "x", "b": "p", "c": "u"},
    )


def likelihood_of(data: ConjointData, optout: bool, draws: int) -> MixedLogitModel:
    """A mixed logit ready to evaluate its simulated likelihood on ``data``, unfitted."""
    model = MixedLogitModel(optout=optout, draws=draws)
    model.features_ = list(data.features)
    model.tasks_ = model.tasks(data)
    model._z = model._normal_draws(data.n_clusters, len(model.tasks_.names))
    return model


@pytest.fixture(params=["one block", "blocks on threads"])
def blocks(request, monkeypatch):
    """The simulated likelihood in one block of respondents, or in blocks of 5 on 3 threads."""
    if request.param == "blocks on threads":
        monkeypatch.setattr(simulated_likelihood, "BLOCK", 5)
        monkeypatch.setattr(simulated_likelihood, "THREADS", 3)
    else:
        monkeypatch.setattr(simulated_likelihood, "BLOCK", 10**6)
    return request.param


@pytest.mark.parametrize("optout", [True, False])
def test_mixed_logit_gradient_is_the_derivative(optout, blocks):
    data = choice_data(60, seed=1, optout=optout)
    model = likelihood_of(data, optout, draws=15)
    k = len(model.tasks_.names)
    theta = np.random.default_rng(0).normal(size=2 * k) * 0.4
    w = np.random.default_rng(1).uniform(0.5, 2, data.n_clusters)
    _, gradient = model._loglik(theta, w)
    step = 1e-6
    numeric = [
        (model._loglik(theta + e, w)[0] - model._loglik(theta - e, w)[0]) / (2 * step) for e in np.eye(2 * k) * step
    ]
    np.testing.assert_allclose(gradient, numeric, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("optout", [True, False])
def test_mixed_logit_likelihood_is_the_simulated_likelihood_by_hand(optout, blocks):
    """The vectorised simulated log-likelihood against a loop over respondents, draws and tasks,
    from the data's rows, with respondents who answered different numbers of tasks."""
    data = choice_data(12, seed=3, optout=optout)
    frame = data.frame
    task = frame["task"].astype(int).to_numpy()
    keep = ~((data.clusters % 3 == 0) & (task > 8 - data.clusters % 5))  # some answer fewer tasks
    data = as_choice_data(frame[keep].reset_index(drop=True))
    model = likelihood_of(data, optout, draws=7)
    names = model.tasks_.names
    theta = np.random.default_rng(4).normal(size=2 * len(names)) * 0.5
    w = np.random.default_rng(5).uniform(0.5, 2, data.n_clusters)

    def dummies(row) -> np.ndarray:
        return np.array(
            [1.0 if n == "(constant)" else float(n == f"{n.split('[')[0]}[{row[n.split('[')[0]]}]") for n in names]
        )

    frame = data.frame
    expected = 0.0
    for cluster in range(data.n_clusters):
        rows = frame[data.clusters == cluster]
        likelihoods = []
        for r in range(model.draws):
            beta = theta[: len(names)] + theta[len(names) :] * model._z[cluster, :, r]
            likelihood = 1.0
            for _, task in rows.groupby("task"):
                utilities = [float(dummies(row) @ beta) for _, row in task.iterrows()]
                picked = [u for u, c in zip(utilities, task["chosen"], strict=True) if c == 1]
                options = utilities + ([0.0] if optout else [])
                likelihood *= np.exp(picked[0] if picked else 0.0) / sum(np.exp(options))
            likelihoods.append(likelihood)
        expected += w[cluster] * np.log(np.mean(likelihoods))
    assert len(set(np.bincount(data.clusters[frame["profile"] == 1]))) > 1  # some answered fewer tasks
    assert model._loglik(theta, w)[0] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("optout", [True, False])
def test_mixed_logit_likelihood_does_not_depend_on_the_threads(optout, monkeypatch):
    """Blocks are fixed by the data and added in order: any number of threads gives the same
    value, gradient and scores to the last bit; other blocks agree to rounding."""
    data = choice_data(40, seed=6, optout=optout)
    model = likelihood_of(data, optout, draws=9)
    theta = np.random.default_rng(7).normal(size=2 * len(model.tasks_.names)) * 0.5
    w = np.random.default_rng(8).uniform(0.5, 2, data.n_clusters)
    results = {}
    for block, threads in [(7, 1), (7, 2), (7, 5), (40, 1)]:
        monkeypatch.setattr(simulated_likelihood, "BLOCK", block)
        monkeypatch.setattr(simulated_likelihood, "THREADS", threads)
        results[block, threads] = (model._loglik(theta, w), model._loglik(theta, w, scores=True))
    (value, gradient), (_, scores) = results[7, 1]
    for threads in (2, 5):
        (other_value, other_gradient), (_, other_scores) = results[7, threads]
        assert other_value == value
        np.testing.assert_array_equal(other_gradient, gradient)
        np.testing.assert_array_equal(other_scores, scores)
    (whole_value, whole_gradient), (_, whole_scores) = results[40, 1]
    assert whole_value == pytest.approx(value, rel=1e-13)
    np.testing.assert_allclose(whole_gradient, gradient, rtol=1e-11, atol=1e-12)
    np.testing.assert_allclose(whole_scores, scores, rtol=1e-11, atol=1e-12)
    np.testing.assert_allclose(w @ scores, gradient, rtol=1e-12)


def test_mixed_logit_recovers_the_truth():
    data = choice_data(1200, seed=2)
    model = MixedLogitModel(draws=60).fit(data, respondents(data))
    names = model.tasks_.names
    mean = dict(zip(names, model.fit_.mean, strict=True))
    assert mean["(constant)"] == pytest.approx(-0.3, abs=0.12)
    assert mean["a[y]"] == pytest.approx(0.8, abs=0.15)
    assert mean["c[w]"] == pytest.approx(-0.6, abs=0.12)
    assert abs(model.fit_.sd[names.index("a[y]")]) == pytest.approx(1.0, abs=0.3)
    packages = np.array([[0, 0, 0], [1, 1, 2], [2, 0, 1]])
    np.testing.assert_allclose(model.predict_support(ISSUES, packages), TRUTH.support(packages), atol=0.04)


def test_choice_tasks_need_one_choice():
    frame = TRUTH.simulate(5, 2, optout=False, seed=3)
    frame.loc[0, "chosen"] = 1
    frame.loc[1, "chosen"] = 1
    data = ConjointData(frame, "chosen", ["a", "b", "c"], id="respondent", task="task", profile="profile")
    with pytest.raises(ConjointError, match="each task needs exactly one chosen profile, but not in rows 0, 1"):
        MixedLogitModel(optout=False).tasks(data)


def test_choice_probabilities_sum_to_one_without_optout():
    data = choice_data(200, seed=4, optout=False)
    model = MixedLogitModel(optout=False, draws=20).fit(data, respondents(data))
    p = model.choice_probabilities(data)
    pairs = p.reshape(-1, 2)
    np.testing.assert_allclose(pairs.sum(axis=1), 1.0)


def test_distinct_rows_fit_each_weighting_from_its_own_start():
    """The EM's M step: one fit per row of unit weights, each from its own start, as fit_logit
    gives each alone."""
    from winset.support.logit import DistinctRows

    design, y, _ = logit_problem(8, 600)
    units = np.arange(design.n_rows) // 3
    weights = np.random.default_rng(8).uniform(0.1, 2, (3, 200))
    starts = np.random.default_rng(9).normal(0, 0.5, (3, design.width))
    coef, value = DistinctRows(design, y, units).fit(weights, starts, 1e-10)
    for k in range(3):
        alone = fit_logit(design, y, weights[k][units])
        np.testing.assert_allclose(coef[k], alone.coef, rtol=1e-8, atol=1e-10)
        assert value[k] == pytest.approx(alone.loglik, rel=1e-10)

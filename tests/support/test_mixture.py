"""The mixture of logits: recovery of planted classes, the EM's fixed point against a direct
maximisation of the same likelihood, one class as the plain logit, support and AMCEs by hand."""

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize
from scipy.special import expit, logsumexp
from sklearn.metrics import adjusted_rand_score

from winset.conjoint import ConjointData, ConjointError
from winset.errors import ModelError, NotFittedError
from winset.support import respondents
from winset.support.logit import fit_logit
from winset.support.mixture import LogitMixture

LEVELS = {"a": ["a0", "a1", "a2"], "b": ["b0", "b1"], "c": ["c0", "c1", "c2", "c3"]}
TRUTH = [  # intercept, then the non-baseline levels of a, b, c
    np.array([0.2, 1.5, -1.0, 0.8, 0.5, -0.5, 1.0]),
    np.array([-0.3, -1.5, 1.0, -0.8, 0.0, 0.5, -1.0]),
]


def survey(seed: int, n: int = 600, tasks: int = 8, shares=(0.65, 0.35), truth=TRUTH):
    """Yes/no answers of respondents in planted classes, two profiles per task."""
    rng = np.random.default_rng(seed)
    classes = rng.choice(len(shares), n, p=shares)
    rows = n * tasks * 2
    codes = {f: rng.integers(0, len(levels), rows) for f, levels in LEVELS.items()}
    x = np.column_stack(
        [np.ones(rows)] + [codes[f] == j for f, levels in LEVELS.items() for j in range(1, len(levels))]
    )
    person = np.repeat(np.arange(n), tasks * 2)
    eta = np.einsum("ij,ij->i", x, np.array(truth)[classes[person]])
    frame = pd.DataFrame({f: np.array(levels)[codes[f]] for f, levels in LEVELS.items()})
    frame["yes"] = (rng.random(rows) < expit(eta)).astype(int)
    frame["id"], frame["task"], frame["profile"] = (
        person,
        np.repeat(np.arange(n * tasks), 2),
        np.tile([1, 2], n * tasks),
    )
    data = ConjointData(frame, "yes", list(LEVELS), id="id", task="task", profile="profile", levels=LEVELS)
    return data, classes, x


@pytest.fixture(scope="module")
def planted():
    data, classes, x = survey(1)
    return data, classes, x, LogitMixture().fit(data, respondents(data))


def test_planted_classes_are_recovered(planted):
    """BIC picks two classes; shares, coefficients and each respondent's class come back."""
    _, classes, _, model = planted
    assert model.n_classes_ == 2 and model.converged_
    np.testing.assert_allclose(model.shares_, [0.65, 0.35], atol=0.04)
    np.testing.assert_allclose(model.coef_.to_numpy(), np.array(TRUTH), atol=0.35)
    assert adjusted_rand_score(classes, model.classes_) > 0.95
    assert model.bic_.idxmin() == 2 and model.bic_[1] > model.bic_[2] < model.bic_[3]
    assert "Mixture of logits: 2 classes by BIC" in model.summary() and "class 2: 3" in model.summary()


def mixture_loglik(theta, x, y, person, n, classes):
    """The mixture's log-likelihood, written out again: theta holds each class's coefficients,
    then the log-odds of the shares against class 1."""
    width = x.shape[1]
    coef = theta[: classes * width].reshape(classes, width)
    log_shares = np.concatenate([[0.0], theta[classes * width :]])
    log_shares -= logsumexp(log_shares)
    eta = x @ coef.T
    rows = y[:, None] * eta - np.logaddexp(0, eta)
    per_person = np.stack([np.bincount(person, weights=rows[:, k], minlength=n) for k in range(classes)], axis=1)
    return logsumexp(per_person + log_shares, axis=1).sum()


def test_the_em_fixed_point_is_the_maximum_of_the_likelihood(planted):
    """scipy's BFGS on the likelihood written out afresh, started away from the EM's answer,
    climbs to the same maximum: the same log-likelihood and the same estimates."""
    data, _, x, model = planted
    y = data.y
    person = np.repeat(np.arange(600), 16)
    ours = np.concatenate([model.coef_.to_numpy().ravel(), [np.log(model.shares_.iloc[1] / model.shares_.iloc[0])]])
    assert mixture_loglik(ours, x, y, person, 600, 2) == pytest.approx(model.loglik_, rel=1e-10)
    start = ours + np.random.default_rng(0).normal(0, 0.2, len(ours))
    found = minimize(lambda t: -mixture_loglik(t, x, y, person, 600, 2), start, method="BFGS", options={"gtol": 1e-6})
    assert -found.fun == pytest.approx(model.loglik_, abs=0.05)
    np.testing.assert_allclose(found.x, ours, atol=0.02)


def test_one_class_is_the_plain_logit():
    data, _, _ = survey(3, n=300, shares=(1.0,), truth=TRUTH[:1])
    model = LogitMixture().fit(data, respondents(data))
    assert model.n_classes_ == 1 and model.shares_.tolist() == pytest.approx([1.0])
    plain = fit_logit(model._design, data.y)
    np.testing.assert_allclose(model.coef_.iloc[0].to_numpy(), plain.coef, rtol=1e-6, atol=1e-8)
    assert model.loglik_ == pytest.approx(plain.loglik, rel=1e-9)


def test_support_and_amces_by_hand(planted):
    _, _, x, model = planted
    issues = [(f, levels) for f, levels in LEVELS.items()]
    codes = np.array([[0, 0, 0], [1, 1, 3], [2, 0, 1]])
    support = model.support(issues, codes)
    coef = model.coef_.to_numpy()
    for row, package in enumerate(codes):
        dummies = np.concatenate(
            [[1.0], *[np.eye(len(v))[c][1:] for v, c in zip(LEVELS.values(), package, strict=True)]]
        )
        by_class = expit(coef @ dummies)
        np.testing.assert_allclose(support.iloc[row, :2].to_numpy(), by_class, rtol=1e-12)
        assert support["all"].iloc[row] == pytest.approx(by_class @ model.shares_.to_numpy(), rel=1e-12)
    # AMCE of b1 in class 2, profile by profile
    amce = model.amce()
    b = coef[1]
    with_b = x.copy()
    with_b[:, 3] = 1
    without = x.copy()
    without[:, 3] = 0
    expected = np.mean(expit(with_b @ b) - expit(without @ b))
    row = amce[(amce["class"] == "class 2") & (amce["feature"] == "b") & (amce["level"] == "b1")]
    assert row["estimate"].item() == pytest.approx(expected, rel=1e-12)
    assert amce.groupby(["class", "feature"])["estimate"].first().eq(0).all()  # baselines


def test_the_score_table_is_the_classes_weighted_by_their_shares(planted):
    _, _, _, model = planted
    issues = [(f, levels) for f, levels in LEVELS.items()]
    table = model.score_table(issues)
    assert table.n_rows == 2 and table.n_groups == 1
    np.testing.assert_allclose(table.weights, model.shares_.to_numpy())
    with pytest.raises(ModelError, match="not the model's features"):
        model.score_table(issues[:2])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"classes": 0}, "classes must be a whole number of at least 1"),
        ({"max_classes": 0}, "max_classes must be"),
        ({"starts": True}, "starts must be"),
        ({"tolerance": 0.0}, "tolerance must be in"),
    ],
)
def test_options_are_checked(options, message):
    with pytest.raises(ModelError, match=message):
        LogitMixture(**options)


def test_a_rating_or_an_unfitted_model_is_refused():
    data, _, _ = survey(4, n=50)
    rated = data.with_outcome(data.y * 3.0)
    with pytest.raises(ConjointError, match="binary support answer"):
        LogitMixture().fit(rated, respondents(rated))
    with pytest.raises(NotFittedError):
        LogitMixture().summary()

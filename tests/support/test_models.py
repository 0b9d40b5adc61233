"""Support models on simulated data with known truth: recovery, ScoreTable equivalence,
calibration, and a small recovery study of the bootstrap intervals."""

import numpy as np
import pandas as pd
import pytest

from winset.conjoint import ConjointData
from winset.scoretable import ScoreTable
from winset.space import random_packages
from winset.support import (
    BinarySupportModel,
    Covariate,
    MixedLogitModel,
    Target,
    TruthModel,
    bootstrap_counts,
    calibrate,
    respondents,
)

from .test_estimation import ISSUES, SPACE

TRUTH = TruthModel(
    SPACE,
    alpha=-0.3,
    effects={"a": {"y": 0.8, "z": -0.5}, "b": {"q": 0.4}, "c": {"v": 0.3, "w": -0.6}},
    covariates={"age": Covariate(("old", "young"), (0.6, 0.4), (0.4, 0.6))},
    shifts={"age": {"old": -0.5}},
    interactions={("a", "age"): {("y", "old"): -0.6}},
)
MARGINS = {"age": {"old": 0.6, "young": 0.4}}


def binary_fit(n: int = 2000, seed: int = 1, truth: TruthModel = TRUTH):
    frame = truth.simulate(n, 8, seed=seed)
    data = ConjointData(
        frame, "support", ["a", "b", "c"], id="respondent", task="task", profile="profile",
        covariates=["age"], baselines={"a": "x", "b": "p", "c": "u"},
    )  # fmt: skip
    people = respondents(data, ["age"], MARGINS)
    model = BinarySupportModel(covariates=["age"], interactions=[("a", "age")]).fit(data, people)
    return model, people, data


def test_simulated_answers_follow_the_truth():
    """Support rates in a large simulated sample match the truth's exact support."""
    frame = TRUTH.simulate(20000, 4, seed=5)
    for option in ("y", "z"):
        shown = frame[(frame["a"] == option) & (frame["b"] == "p") & (frame["c"] == "u")]
        # the sample over-represents the young (0.6 vs 0.4): weight back to the population
        weights = np.where(shown["age"] == "old", 0.6 / 0.4, 0.4 / 0.6)
        code = np.array([[ISSUES[0][1].index(option), 0, 0]])
        assert np.average(shown["support"], weights=weights) == pytest.approx(TRUTH.support(code)[0], abs=0.02)


def test_raking_moves_the_sample_to_the_population():
    _, people, _ = binary_fit(500)
    age = people.covariates[0]
    shares = np.bincount(age.codes, weights=people.weights)
    assert dict(zip(age.levels, shares, strict=True)) == pytest.approx(MARGINS["age"])


def test_binary_model_recovers_coefficients_and_support():
    model, _, _ = binary_fit()
    coef = dict(zip(model.fit_.names, model.fit_.coef, strict=True))
    assert coef["a[y]"] == pytest.approx(0.8 - 0.6, abs=0.12)  # baseline age group is "old"
    assert coef["a:age[y:young]"] == pytest.approx(0.6, abs=0.15)
    assert coef["c[w]"] == pytest.approx(-0.6, abs=0.1)
    packages = random_packages(SPACE, 20, seed=2)
    np.testing.assert_allclose(model.score_table(ISSUES).support(packages)[0], TRUTH.support(packages), atol=0.03)


def test_binary_score_table_equals_the_model():
    model, people, _ = binary_fit(800)
    packages = random_packages(SPACE, 25, seed=3)
    np.testing.assert_allclose(
        model.score_table(ISSUES).support(packages)[0], model.predict_support(ISSUES, packages), rtol=1e-12
    )
    other = people.raked(MARGINS, bootstrap_counts(people.n, 1, seed=4)[0])
    np.testing.assert_allclose(
        model.score_table(ISSUES, other).support(packages)[0],
        model.predict_support(ISSUES, packages, other),
        rtol=1e-12,
    )


def test_respondents_with_more_covariates_than_the_model_give_the_same_table():
    """The respondents may carry characteristics the model has no term for, listed before its
    own: the table reads the model's covariates by name."""
    frame = TRUTH.simulate(600, 8, seed=2)
    frame["region"] = np.where(frame["respondent"].astype(str).str[-1].isin(list("01234")), "north", "south")
    data = ConjointData(
        frame, "support", ["a", "b", "c"], id="respondent", task="task", profile="profile",
        covariates=["region", "age"], baselines={"a": "x", "b": "p", "c": "u"},
    )  # fmt: skip
    packages = random_packages(SPACE, 25, seed=3)
    tables = [
        BinarySupportModel(covariates=["age"]).fit(data, respondents(data, listed)).score_table(ISSUES)
        for listed in (["age"], ["region", "age"])
    ]
    np.testing.assert_allclose(tables[1].support(packages), tables[0].support(packages), rtol=1e-12)


def test_mixed_logit_score_table_equals_the_model():
    frame = TRUTH.simulate(300, 8, seed=6)
    data = ConjointData(
        frame,
        "chosen",
        ["a", "b", "c"],
        id="respondent",
        task="task",
        profile="profile",
        baselines={"a": "x", "b": "p", "c": "u"},
    )
    model = MixedLogitModel(draws=30).fit(data, respondents(data))
    packages = random_packages(SPACE, 25, seed=7)
    np.testing.assert_allclose(
        model.score_table(ISSUES).support(packages)[0], model.predict_support(ISSUES, packages), rtol=1e-12
    )


def test_calibration_matches_a_poll_and_weighs_conflicting_ones():
    model, _, _ = binary_fit(600)
    table = model.score_table(ISSUES)
    package = tuple(random_packages(SPACE, 1, seed=8)[0])
    one = [Target("poll", package, share=0.30, n=1000)]
    calibrated, shifts, report = calibrate(ScoreTable.stack([table, table]), one, seed=1)
    assert calibrated.group(0).support(np.array([package]))[0, 0] == pytest.approx(0.30, abs=1e-9)
    assert report.loc[0, "calibrated"] == pytest.approx(0.30, abs=1e-9)
    assert shifts[1] != shifts[0]  # the draw is calibrated to a poll redrawn within its error
    # the same package polled twice, equally precise: the model lands between them
    two = [Target("a", package, 0.30, 1000), Target("b", package, 0.40, 1000, side="against", dont_know=0.26)]
    assert two[1].support == pytest.approx(0.34)
    calibrated, _, report = calibrate(table, two)
    assert calibrated.support(np.array([package]))[0, 0] == pytest.approx(0.32, abs=0.002)
    assert report.loc[1, "calibrated"] == pytest.approx(1 - 0.32 - 0.26, abs=0.002)  # shown as published: against


def coverage(model_kind: str, replications: int, draws: int, n: int) -> float:
    """Share of 90% bootstrap intervals covering the true support of 20 random packages."""
    truth = TruthModel(
        SPACE, alpha=-0.3, effects=TRUTH.effects, sd={"a": {"y": 0.8}} if model_kind == "choice" else {},
        intercept_sd=0.6 if model_kind == "choice" else 0.0,
    )  # fmt: skip
    packages = random_packages(SPACE, 20, seed=11)
    hits = []
    for r in range(replications):
        frame = truth.simulate(n, 8, seed=100 + r)
        outcome = "support" if model_kind == "binary" else "chosen"
        data = ConjointData(
            frame,
            outcome,
            ["a", "b", "c"],
            id="respondent",
            task="task",
            profile="profile",
            baselines={"a": "x", "b": "p", "c": "u"},
        )
        people = respondents(data)
        model = (BinarySupportModel() if model_kind == "binary" else MixedLogitModel(draws=40, seed=r)).fit(
            data, people
        )
        tables = [model.score_table(ISSUES)]
        for counts in bootstrap_counts(people.n, draws, seed=200 + r):
            weights = people.raked(None, counts)
            tables.append(model.score_table(ISSUES, weights, model.refit(weights)))
        support = ScoreTable.stack(tables).support(packages)[1:]
        lower, upper = np.quantile(support, [0.05, 0.95], axis=0)
        true = truth.support(packages)
        hits.append((true >= lower) & (true <= upper))
    return float(np.mean(hits))


@pytest.mark.parametrize("model_kind", ["binary", "choice"])
def test_small_recovery_study(model_kind):
    """The study in benchmarks/recovery_study.py, small: 4 replications x 20 packages."""
    assert coverage(model_kind, replications=4, draws=100, n=600) >= 0.80


def test_binary_refit_draws_equal_refits_one_by_one():
    frame = TruthModel(SPACE, alpha=-0.3, effects=TRUTH.effects).simulate(300, 4, seed=5)
    data = ConjointData(
        frame, "support", ["a", "b", "c"], id="respondent", task="task", profile="profile",
        baselines={"a": "x", "b": "p", "c": "u"},
    )  # fmt: skip
    people = respondents(data)
    model = BinarySupportModel().fit(data, people)
    resampled = np.array([people.raked(None, counts) for counts in bootstrap_counts(people.n, 5, seed=6)])
    together = model.refit_draws(resampled)
    assert len(together) == 5
    for weights, draw in zip(resampled, together, strict=True):
        alone = model.refit(weights)
        np.testing.assert_allclose(draw.coef, alone.coef, rtol=1e-10)
        assert draw.loglik == pytest.approx(alone.loglik, rel=1e-12)
    assert model.refit_draws(resampled[:0]) == []


def test_simulated_response_errors_flip_answers_at_their_rate_and_the_repeat_swaps_the_profiles():
    from winset.errors import ModelError

    frame = TRUTH.simulate(3000, 4, optout=False, seed=5, response_error=0.3, repeat=2)
    flipped = (frame["chosen"] != frame["chosen_true"]).mean()
    assert abs(flipped - 0.3) < 4 * np.sqrt(0.3 * 0.7 / (len(frame) / 2))
    assert abs((frame["support"] != frame["support_true"]).mean() - 0.3) < 4 * np.sqrt(0.21 / len(frame))
    first, again = frame[frame["task"] == 2], frame[frame["task"] == 5]
    assert set(again["repeats"]) == {2.0} and frame.loc[frame["task"] < 5, "repeats"].isna().all()
    swapped = again.assign(profile=3 - again["profile"]).set_index(["respondent", "profile"])
    pd.testing.assert_frame_equal(
        swapped[["a", "b", "c", "chosen_true"]].sort_index(),
        first.set_index(["respondent", "profile"])[["a", "b", "c", "chosen_true"]].sort_index(),
    )
    assert (frame.groupby(["respondent", "task"])["chosen"].sum() == 1).all()
    for options, message in (({"optout": True}, "forced choice"), ({"repeat": 9}, "no task 9")):
        with pytest.raises(ModelError, match=message):
            TRUTH.simulate(10, 4, seed=1, response_error=0.1, **{"optout": False, **options})

"""Simulated surveys from a fitted truth: valid distinct profiles, answers at the truth's rates."""

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from winset import load_scenario
from winset.design import Truth
from winset.scoretable import ScoreTable
from winset.space import PackageSpace, distinct_tasks
from winset.support.fit import fit_ratifier

from ..small_scenario import small_scenario


def _space() -> PackageSpace:
    return PackageSpace(
        [("a", ["a0", "a1"]), ("b", ["b0", "b1", "b2"])],
        constraints=[("no", {"a": "a1", "b": "b2"})],
    )


def test_distinct_tasks_are_valid_and_distinct_and_uniform():
    space = _space()
    packages = distinct_tasks(space, 20_000, 3, np.random.default_rng(1))
    assert packages.shape == (20_000, 3, 2)
    flat = packages.reshape(-1, 2)
    assert space.is_valid(flat).all()
    for i, j in [(0, 1), (0, 2), (1, 2)]:
        assert not (packages[:, i] == packages[:, j]).all(axis=1).any()
    # each of the 5 valid packages equally likely in any one place (symmetry of the redraws)
    counts = pd.Series([tuple(p) for p in flat]).value_counts()
    assert len(counts) == 5
    assert counts.min() / counts.max() > 0.95


def test_distinct_tasks_in_a_space_with_fewer_packages_than_profiles():
    space = PackageSpace([("a", ["a0", "a1"])])
    packages = distinct_tasks(space, 50, 3, np.random.default_rng(0))
    for task in packages:
        assert len(np.unique(task, axis=0)) == 2


def _one_row_truth(space, intercept, effects):
    coefficients = np.array([effects])
    table = ScoreTable(tuple(space.shape), np.array([intercept]), coefficients, np.ones(1), np.zeros(1, dtype=np.int64))
    return Truth(space, table, pd.DataFrame(index=pd.RangeIndex(1)))


class _Spec:
    def __init__(self, model, optout=True):
        self.model, self.optout = model, optout
        self.respondent, self.task, self.profile = "respondent", "task", "profile"
        self.outcome_column = "support" if model == "binary" else "chosen"


class _Ratifier:
    def __init__(self, model, optout=True):
        self.data = _Spec(model, optout)


def test_binary_answers_say_yes_at_the_logistic_rate():
    space = _space()
    truth = _one_row_truth(space, -0.3, [0.0, 0.8, 0.0, -0.5, 0.4])
    frame = truth.simulate(_Ratifier("binary"), 4000, 5, 2, np.random.default_rng(2))
    assert len(frame) == 4000 * 5 * 2
    for (a, b), rows in frame.groupby(["a", "b"]):
        score = -0.3 + {"a0": 0.0, "a1": 0.8}[a] + {"b0": 0.0, "b1": -0.5, "b2": 0.4}[b]
        p = expit(score)
        assert abs(rows["support"].mean() - p) < 4 * np.sqrt(p * (1 - p) / len(rows))


@pytest.mark.parametrize("optout", [True, False])
def test_choices_follow_the_multinomial_logit(optout):
    space = _space()
    truth = _one_row_truth(space, 0.2, [0.0, 1.0, 0.0, -0.7, 0.3])
    frame = truth.simulate(_Ratifier("choice", optout), 6000, 4, 2, np.random.default_rng(3))
    tasks = frame.groupby(["respondent", "task"])
    picks = tasks["chosen"].sum()
    assert set(picks) <= ({0, 1} if optout else {1})
    # the first profile's choice share against the formula, for one pair of packages
    first = frame[frame["profile"] == 1].reset_index(drop=True)
    second = frame[frame["profile"] == 2].reset_index(drop=True)
    pair = (first["a"] == "a1") & (first["b"] == "b0") & (second["a"] == "a0") & (second["b"] == "b1")
    u1, u2 = 0.2 + 1.0, 0.2 - 0.7
    exps = [np.exp(u1), np.exp(u2)] + ([1.0] if optout else [])
    p = exps[0] / sum(exps)
    share = first.loc[pair, "chosen"].mean()
    assert abs(share - p) < 4 * np.sqrt(p * (1 - p) / pair.sum())


def test_a_fits_truth_keeps_its_rows_covariates_and_support(tmp_path):
    scenario = load_scenario(small_scenario(tmp_path))
    party, ratifier = scenario.ratifiers[0]
    fit = fit_ratifier(scenario, party, ratifier, draws=0)
    truth = Truth.of(scenario.space, fit)
    assert truth.covariates == ["age"]
    assert sorted(truth.labels["age"]) == ["old", "young"]
    codes = np.array([scenario.space.status_quo])
    assert truth.support(codes) == pytest.approx(fit.table.support(codes)[0])
    # the labels say which row is which: the young row has the larger intercept (shift +0.4)
    young = truth.labels["age"].to_numpy() == "young"
    assert truth.table.intercepts[young][0] > truth.table.intercepts[~young][0]
    frame = truth.simulate(ratifier, 500, 4, 2, np.random.default_rng(0))
    assert set(frame["age"]) == {"old", "young"}
    assert abs((frame.groupby("respondent")["age"].first() == "young").mean() - 0.4) < 0.07

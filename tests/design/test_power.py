"""The pass/fail power simulation: a design it calls sufficient is, in a fresh simulation."""

import numpy as np
import pytest
from scipy.special import ndtr

from winset import load_scenario
from winset.design import Study, Truth, public_power
from winset.design.power import _needed, _right, simulated_margins, targets
from winset.support.fit import fit_ratifier

from ..small_scenario import small_scenario

Q = 0.9


@pytest.fixture(scope="module")
def designed(tmp_path_factory):
    # without the poll calibration, packages lie on both sides of the threshold, 1 to 30 points off
    uncalibrated = small_scenario(
        tmp_path_factory.mktemp("design"),
        scenario_edit=lambda text: text.replace('\n  calibration = [{ line = 2, package = "two_islands" }]', ""),
    )
    scenario = load_scenario(uncalibrated)
    party, ratifier = scenario.ratifiers[0]
    fit = fit_ratifier(scenario, party, ratifier, draws=0)
    power = public_power(scenario, fit, Study(2, 1), confidence=Q, reps=60, margin=0.02, near=2, seed=3)
    return scenario, party, ratifier, fit, power


def test_the_design_calls_every_package_right_at_the_promised_rate_in_a_fresh_simulation(designed):
    scenario, party, ratifier, fit, power = designed
    assert power.respondents is not None and power.met
    frame = power.targets
    assert (frame["kind"] != "proposal").sum() >= 3  # both sides of the threshold
    assert power.respondents > 100  # a size the rule decides, not the floor
    codes = np.array(list(frame["package"]))
    fresh = simulated_margins(
        scenario,
        party,
        ratifier,
        Truth.of(scenario.space, fit),
        power.study,
        power.respondents,
        codes,
        200,
        np.random.SeedSequence(2024),
    )
    right = _right(fresh, frame["true_margin"].to_numpy()).mean(axis=0)
    callable_ = ~frame["too_close"].to_numpy()
    assert (right[callable_] >= Q).all(), right


def test_the_normal_approximation_predicts_the_right_call_rate_at_a_smaller_size(designed):
    scenario, party, ratifier, fit, power = designed
    frame = power.targets
    hardest = int(np.argmax(frame["respondents_needed"].where(~frame["too_close"], 0)))
    n = max(20, power.respondents // 4)
    codes = np.array([frame["package"].iloc[hardest]])
    fresh = simulated_margins(
        scenario, party, ratifier, Truth.of(scenario.space, fit), power.study, n, codes, 300, np.random.SeedSequence(7)
    )
    rate = _right(fresh, frame["true_margin"].to_numpy()[[hardest]]).mean()
    # the spread is an upper bound, so the approximation may only err low (by more than noise: no)
    predicted = ndtr(abs(frame["true_margin"].iloc[hardest]) * np.sqrt(n) / frame["spread"].iloc[hardest])
    assert rate > predicted - 3 * np.sqrt(predicted * (1 - predicted) / 300)
    assert rate < 1.0


def test_targets_are_the_proposals_and_the_nearest_packages_each_side(designed):
    scenario, party, ratifier, fit, _power = designed
    from winset.compile import public

    truth = public(scenario, party, ratifier, fit).draw(0)
    every = np.concatenate(list(scenario.space.iter_valid()))
    frame = targets(lambda c: truth.margins(c)[0], scenario, every, near=1, margin=0.02)
    proposals = {p.id for p in scenario.proposals}
    assert set(frame.loc[frame["kind"] == "proposal", "target"]) == proposals
    margins = truth.margins(every)[0]
    named = {tuple(c) for name, c in scenario.named_packages().items() if name != "status_quo"}
    for side, sign in (("passes", 1), ("fails", -1)):
        rows = frame[frame["kind"] == f"near threshold ({side})"]
        eligible = [m for c, m in zip(every, margins, strict=True) if sign * m >= 0.02 and tuple(c) not in named]
        if eligible:  # by brute force: the smallest margin on that side
            assert rows["true_margin"].iloc[0] == pytest.approx(min(eligible, key=abs))
        else:
            assert rows.empty


def test_respondents_needed_solve_the_normal_approximation():
    n = _needed(0.04, 1.1, 0.9)
    assert n % 10 == 0
    assert ndtr(0.04 * np.sqrt(n) / 1.1) >= 0.9 > ndtr(0.04 * np.sqrt(n - 10) / 1.1)
    assert np.isnan(_needed(0.0, 1.0, 0.9)) and np.isnan(_needed(0.05, float("nan"), 0.9))
    assert _needed(0.4, 0.1, 0.9) == 100  # never below the design's floor


def test_study_refuses_impossible_designs():
    from winset.errors import WinsetError

    with pytest.raises(WinsetError, match="tasks"):
        Study(0, 2)
    with pytest.raises(WinsetError, match="profiles"):
        Study(8, 9)


def test_a_survey_too_small_to_fit_calls_nothing_right(designed):
    scenario, party, ratifier, fit, power = designed
    codes = np.array(list(power.targets["package"]))
    tiny = simulated_margins(
        scenario, party, ratifier, Truth.of(scenario.space, fit), Study(1, 1), 3, codes, 20, np.random.SeedSequence(1)
    )
    failed = np.isnan(tiny).all(axis=1)
    assert failed.any()  # three answers cannot fit a model of five parameters
    assert not _right(tiny, power.targets["true_margin"].to_numpy())[failed].any()


def test_the_size_reported_is_the_size_checked(designed):
    *_, power = designed
    at_size = power.checks[power.checks["respondents"] == power.respondents]
    assert len(at_size) == len(power.targets) and (at_size["reps"] == 60).all()


def test_nothing_to_call_and_nothing_fitted_are_said_not_guessed(designed):
    scenario, _, _, fit, _ = designed
    nothing = public_power(scenario, fit, Study(2, 1), reps=20, margin=0.45, near=2, seed=1)
    assert nothing.respondents is None and nothing.notes[0].startswith("no package to call")
    assert nothing.checks.empty and nothing.targets["respondents_needed"].isna().all()
    unfitted = public_power(scenario, fit, Study(1, 1), reps=20, pilot=4, margin=0.02, seed=1)
    assert unfitted.respondents is None and not unfitted.met
    assert "too few of the simulated surveys could be fitted" in unfitted.notes[0]
    assert unfitted.curve([100, 1000])["p_right"].isna().all()  # no spread: no curve, not certainty


ELICITED = (
    '\n  prior = { kind = "elicitation", status_quo = [0.4, 0.3, 0.5], options = { habomai = { japan = [-0.12, -0.2, '
    "-0.04] }, shikotan = { japan = [-0.1, -0.2, 0.0], joint = [-0.02, -0.1, 0.06] }, treaty = { signed = [0.2, 0.1, "
    "0.3] } } }"
)


def brute_force_right_rate(scenario, truth_support, package, n, reps, seed):
    """The share of ``reps`` surveys of ``n`` respondents (two yes/no profiles each, drawn uniformly
    from the valid packages) in which a logistic regression by statsmodels calls ``package``
    on the side of one half that its true support is: written apart from the design's code."""
    import pandas as pd
    import statsmodels.api as sm

    valid = np.concatenate(list(scenario.space.iter_valid()))
    sq = np.asarray(scenario.space.status_quo)
    columns = [(k, j) for k, options in enumerate(scenario.space.option_ids) for j in range(len(options)) if j != sq[k]]

    def dummies(codes):
        return np.column_stack([np.ones(len(codes))] + [(codes[:, k] == j).astype(float) for k, j in columns])

    rng = np.random.default_rng(seed)
    true = truth_support(package[None, :])[0]
    right = 0
    for _ in range(reps):
        shown = valid[rng.integers(0, len(valid), 2 * n)]
        yes = (rng.random(2 * n) < truth_support(shown)).astype(float)
        fitted = sm.Logit(yes, pd.DataFrame(dummies(shown))).fit(disp=0)
        estimate = 1 / (1 + np.exp(-(dummies(package[None, :]) @ fitted.params.to_numpy())[0]))
        right += (estimate >= 0.5) == (true >= 0.5)
    return right / reps


def test_a_polls_only_publics_design_agrees_with_a_brute_force_simulation(tmp_path):
    """A public without a survey (its prior elicited, its polls): the design's size calls every
    package right at the promised rate in surveys simulated and fitted by statsmodels, and at a
    quarter of it the design's simulation and the brute force agree on the hardest package."""
    import shutil

    from ..conftest import FIXTURES

    source = FIXTURES / "valid" / "minimal.toml"
    text = source.read_text().replace(
        'data = { polls = "polls.csv", polls_where = { country = "RU" } }',
        'data = { polls = "polls.csv", polls_where = { country = "RU" } }' + ELICITED,
        1,
    )
    (tmp_path / "scenario.toml").write_text(text)
    shutil.copy(FIXTURES / "valid" / "polls.csv", tmp_path)
    scenario = load_scenario(tmp_path / "scenario.toml")
    party, ratifier = scenario.ratifiers[0]
    fit = fit_ratifier(scenario, party, ratifier, draws=0)
    assert fit.additive
    power = public_power(scenario, fit, Study(2, 1), confidence=Q, reps=60, margin=0.02, near=2, seed=3)
    assert power.met and power.respondents is not None
    frame = power.targets[~power.targets["too_close"]]
    packages = np.array(list(frame["package"]))

    def truth_support(codes):
        return fit.table.support(codes)[0]

    for package in packages:
        assert brute_force_right_rate(scenario, truth_support, package, power.respondents, 100, 1) >= Q
    hardest = packages[int(np.argmax(frame["respondents_needed"]))]
    n = power.respondents // 4
    brute = brute_force_right_rate(scenario, truth_support, hardest, n, 300, 2)
    fresh = simulated_margins(
        scenario, party, ratifier, Truth.of(scenario.space, fit), power.study, n, hardest[None, :], 300,
        np.random.SeedSequence(5),
    )  # fmt: skip
    true_margin = truth_support(hardest[None, :]) - 0.5
    designed = _right(fresh, true_margin).mean()
    noise = np.sqrt(brute * (1 - brute) / 300 + designed * (1 - designed) / 300)
    assert 0.55 < brute < 0.97  # a size at which the call is uncertain
    assert abs(designed - brute) < 3 * noise

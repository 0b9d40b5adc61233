"""Support corrected for the answers' error, where a ratifier's survey repeats a task: recovery of
a known truth, the repeated rows kept out of the fit, the error rate weighted as the respondents
are, post-stratified publics, ratings, and the scenario and command-line surfaces."""

import json
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from typer.testing import CliRunner

from winset import ScenarioError, load_scenario
from winset.cli import app
from winset.conjoint import reliability
from winset.support import Covariate, TruthModel
from winset.support.fit import fit_ratifier, survey_data

from ..small_scenario import small_scenario

runner = CliRunner()
EFFECTS = {"habomai": {"japan": -0.8}, "shikotan": {"japan": -0.6, "joint": -0.2}, "treaty": {"signed": 0.5}}
MARGINS = "  population = { age = { old = 0.6, young = 0.4 } }\n"
NO_CALIBRATION = '  calibration = [{ line = 2, package = "two_islands" }]'


def repeated_scenario(tmp_path, edit=lambda t: t):
    """The small scenario whose Russian public (binary) and Japanese public (forced choice) each
    mark a repeated task in column ``repeats``, without calibration."""

    def scenario_edit(text):
        text = text.replace(
            'covariates = ["age"], provenance', 'covariates = ["age"], repeated = "repeats", provenance'
        )
        text = text.replace('model = "choice",', 'model = "choice", optout = false, repeated = "repeats",')
        return edit(text.replace(NO_CALIBRATION, ""))

    return load_scenario(small_scenario(tmp_path, scenario_edit=scenario_edit))


def truth(scenario, sample=(0.6, 0.4), alpha=-0.5):
    return TruthModel(
        scenario.space,
        alpha=alpha,
        effects=EFFECTS,
        covariates={"age": Covariate(("old", "young"), (0.6, 0.4), sample)},
        shifts={"age": {"young": 0.4}},
    )


def ratifier(scenario, rid):
    return next((p, r) for p, r in scenario.ratifiers if r.id == rid)


def fitted(scenario, rid, frame, draws=2, seed=0):
    party, r = ratifier(scenario, rid)
    return fit_ratifier(scenario, party, r, draws=draws, seed=seed, data=survey_data(scenario, r, frame))


def test_corrected_support_recovers_the_truth_that_the_measured_support_misses(tmp_path):
    """40 surveys of 800 respondents (a sample skewed from the population, raked back), each answer
    flipped with probability 0.2: the corrected support (the logit refitted with the flips in its
    likelihood) of every package is within two simulation standard errors of the truth; the
    measured support misses by up to 11 points."""
    scenario = repeated_scenario(tmp_path)
    world = truth(scenario, sample=(0.3, 0.7))
    codes = np.concatenate(list(scenario.space.iter_valid()))
    corrected, measured = [], []
    for rep in range(40):
        frame = world.simulate(800, 4, optout=False, seed=100 + rep, response_error=0.2, repeat=1)
        survey, fixed = fitted(scenario, "russian_public", frame, seed=rep).response_error.support(codes)
        corrected.append(fixed[0])
        measured.append(survey[0])
    true = world.support(codes)
    corrected, measured = np.array(corrected), np.array(measured)
    se = corrected.std(axis=0, ddof=1) / np.sqrt(len(corrected))
    assert np.all(np.abs(corrected.mean(axis=0) - true) < 2 * se)
    assert np.abs(measured.mean(axis=0) - true).max() > 0.08


def test_a_binary_publics_corrected_support_is_the_logit_of_flipped_answers_by_statsmodels(tmp_path):
    """The corrected model is the logit with the flips in its likelihood: statsmodels' GLM with
    that link, fitted to the same answers with the same raking weights, predicts each package's
    support (averaged over the respondents) as winset's corrected support."""
    from .test_estimation import FlippedLogit

    scenario = repeated_scenario(tmp_path)
    frame = truth(scenario, sample=(0.3, 0.7)).simulate(600, 4, optout=False, seed=21, response_error=0.15, repeat=2)
    fit = fitted(scenario, "russian_public", frame)
    tau = float(fit.response_error.tau[0])
    rows = frame[frame["repeats"].isna()].reset_index(drop=True)
    weights = fit.respondents.row_weights() * fit.respondents.n
    formula = "support ~ C(habomai, Treatment('russia')) + C(shikotan, Treatment('russia')) + C(treaty, Treatment('none')) + C(age)"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        family = sm.families.Binomial(link=FlippedLogit(tau), check_link=False)
        start = smf.glm(formula, rows, family=sm.families.Binomial(), freq_weights=weights).fit().params
        theirs = smf.glm(formula, rows, family=family, freq_weights=weights).fit(start_params=start, tol=1e-12)
    people = rows.groupby("respondent", sort=False).first().reset_index()
    share = people["respondent"].map(dict(zip(rows["respondent"], weights, strict=True))).to_numpy()
    codes = np.concatenate(list(scenario.space.iter_valid()))
    expected = []
    for package in codes:
        chosen = {
            k: scenario.space.option_ids[i][c]
            for i, (k, c) in enumerate(zip(scenario.space.issue_ids, package, strict=True))
        }
        linear = theirs.predict(people.assign(**chosen), which="linear")
        expected.append(float(share @ (1 / (1 + np.exp(-linear))) / share.sum()))
    _, corrected = fit.response_error.support(codes)
    np.testing.assert_allclose(corrected[0], expected, atol=1e-7)


def test_a_forced_choice_without_opt_out_is_corrected_too(tmp_path):
    """The Japanese public chooses between two profiles: its support of a package is the share
    choosing it over the status quo, in which the intercept and the covariates' shifts cancel. The
    corrected support is within three bootstrap standard deviations of the truth, and nearer to it
    than the measured one wherever the two differ."""
    scenario = repeated_scenario(tmp_path)
    frame = truth(scenario).simulate(2000, 6, optout=False, seed=3, response_error=0.15, repeat=2)
    fit = fitted(scenario, "japanese_public", frame, draws=40, seed=1)
    codes = np.concatenate(list(scenario.space.iter_valid()))
    pairwise = TruthModel(scenario.space, alpha=0.0, effects=EFFECTS).support(codes)
    survey, fixed = fit.response_error.support(codes)
    spread = np.nanstd(fixed[1:], axis=0, ddof=1)
    changed = np.abs(pairwise - 0.5) > 0.05  # the status quo and packages like it: 0.5 either way
    assert np.all(np.abs(fixed[0] - pairwise) < 3 * spread + 1e-9)
    assert np.all(np.abs(survey[0] - pairwise)[changed] > np.abs(fixed[0] - pairwise)[changed])
    assert np.abs(survey[0] - pairwise).max() > 0.06


def test_the_repeated_rows_are_left_out_of_the_fit(tmp_path):
    """The model fitted with a repeated task is the model fitted to the survey without its rows."""
    scenario = repeated_scenario(tmp_path)
    frame = truth(scenario).simulate(300, 4, optout=False, seed=5, response_error=0.1, repeat=3)
    fit = fitted(scenario, "russian_public", frame)
    assert fit.data.n_rows == int(frame["repeats"].isna().sum())
    party, r = ratifier(scenario, "russian_public")
    plain = r.model_copy(update={"data": r.data.model_copy(update={"repeated": None})})
    alone = fit_ratifier(
        scenario, party, plain, draws=2, data=survey_data(scenario, plain, frame[frame["repeats"].isna()])
    )
    pd.testing.assert_frame_equal(fit.coefficients, alone.coefficients)


def test_the_error_rate_is_projoints_unweighted_and_weighted_as_the_respondents_are(tmp_path):
    """Without population margins every respondent weighs the same and tau is projoint's; with
    them, the share of agreeing answers is weighted by each respondent's raking weight (computed
    here from the survey by hand)."""
    scenario = repeated_scenario(tmp_path)
    frame = truth(scenario, sample=(0.2, 0.8)).simulate(500, 4, optout=False, seed=7, response_error=0.2, repeat=2)
    weighted = fitted(scenario, "russian_public", frame)
    error = weighted.response_error
    found = reliability(frame, "support", list(EFFECTS), id="respondent", task="task", repeated="repeats")
    assert error.reliability == found
    # by hand: each respondent's agreeing answers, weighted by its raking weight
    original = frame[frame["repeats"].isna()].set_index(["respondent", "task", "profile"])["support"]
    again = frame[frame["repeats"].notna()]
    keys = pd.MultiIndex.from_arrays([again["respondent"], again["repeats"].astype(int), 3 - again["profile"]])
    same = pd.Series(again["support"].to_numpy() == original.reindex(keys).to_numpy(), index=again["respondent"])
    share = frame.groupby("respondent")["age"].first().map({"old": 0.6, "young": 0.4})
    count = frame.groupby("respondent")["age"].first().map(frame.groupby("respondent")["age"].first().value_counts())
    weight = (share / count).reindex(same.index)
    irr = (weight * same).sum() / weight.sum()
    assert error.irr[0] == pytest.approx(irr, abs=1e-9)
    assert abs(error.irr[0] - found.irr) > 1e-4  # the weights matter here
    (tmp_path / "flat").mkdir()
    unweighted = repeated_scenario(tmp_path / "flat", lambda t: t.replace(MARGINS, ""))
    assert fitted(unweighted, "russian_public", frame).response_error.irr[0] == pytest.approx(found.irr, abs=1e-12)


def test_a_post_stratified_public_has_one_error_rate_weighted_by_its_groups(tmp_path):
    """Groups of the public are fitted apart; the agreement of each group's respondents counts by
    the group's population share (equal weights within a group here, so by hand: each group's
    share of agreeing answers, averaged with the shares)."""
    groups = '{ covariate = "age", values = { old = ["old"], young = ["young"] }, shares = { old = 0.6, young = 0.4 } }'

    def edit(text):
        text = text.replace(
            '  rule = { threshold = 0.5, population = "adults" }',
            f'  rule = {{ threshold = 0.5, population = "adults" }}\n  groups = {groups}',
            1,
        )
        return text.replace(MARGINS, "", 1)

    scenario = repeated_scenario(tmp_path, edit)
    frame = truth(scenario, sample=(0.25, 0.75)).simulate(600, 4, optout=False, seed=9, response_error=0.2, repeat=1)
    fit = fitted(scenario, "russian_public", frame, draws=8)
    assert fit.groups is not None
    rate = {}
    for name in ("old", "young"):
        part = frame[frame["age"] == name]
        rate[name] = reliability(part, "support", list(EFFECTS), id="respondent", task="task", repeated="repeats").irr
    assert fit.response_error.irr[0] == pytest.approx(0.6 * rate["old"] + 0.4 * rate["young"], abs=1e-12)
    table = fit.corrected_support(np.concatenate(list(scenario.space.iter_valid())))
    assert table["estimate"].notna().all() and (table["lower"] <= table["upper"]).all()


def test_a_rating_is_compared_as_the_model_reads_it(tmp_path):
    """A 1..7 rating with a cutoff of 5: two ratings on the same side of the cutoff agree."""
    scenario = repeated_scenario(
        tmp_path,
        lambda t: t.replace(
            'repeated = "repeats", provenance', 'repeated = "repeats", outcome = "rating", cutoff = 5, provenance'
        ),
    )
    frame = truth(scenario).simulate(400, 4, optout=False, seed=11, response_error=0.2, repeat=1)
    rng = np.random.default_rng(0)
    frame["rating"] = np.where(frame["support"] == 1, rng.integers(5, 8, len(frame)), rng.integers(1, 5, len(frame)))
    fit = fitted(scenario, "russian_public", frame)
    found = reliability(frame, "support", list(EFFECTS), id="respondent", task="task", repeated="repeats")
    assert fit.response_error.reliability == found


def test_draws_without_an_error_rate_are_left_out_and_said(tmp_path):
    """Four respondents repeat a task: many bootstrap draws hold none of them, or agree no more
    than chance; those are left out of the intervals, and a warning says how many."""
    scenario = repeated_scenario(tmp_path)
    frame = truth(scenario).simulate(300, 4, optout=False, seed=13, response_error=0.05, repeat=1)
    keep = frame["repeats"].isna() | frame["respondent"].isin(["1", "2", "3", "4"])
    fit = fitted(scenario, "russian_public", frame[keep].reset_index(drop=True), draws=30)
    failed = fit.response_error.failed_draws
    assert 0 < failed < 30
    assert any(f"in {failed} of 30 bootstrap draws" in w for w in fit.warnings)
    table = fit.corrected_support(np.concatenate(list(scenario.space.iter_valid())))
    assert table[["estimate", "lower", "upper"]].notna().all().all()


def test_a_choice_with_an_opt_out_cannot_be_corrected(tmp_path):
    with pytest.raises(ScenarioError) as error:
        repeated_scenario(tmp_path, lambda t: t.replace("optout = false, ", ""))
    problem = {p.location: p.message for p in error.value.problems}
    assert "opt-out" in problem["parties[1].ratifiers[0].data.repeated"]


def test_winset_fit_reports_the_corrected_support_beside_the_measured(tmp_path):
    scenario = repeated_scenario(tmp_path)
    frame = truth(scenario).simulate(400, 4, optout=False, seed=17, response_error=0.15, repeat=1)
    frame.to_csv(tmp_path / "survey.csv", index=False)
    result = runner.invoke(app, ["fit", str(scenario.source), "--draws", "10", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)["ratifiers"]
    for rid in ("russian_public", "japanese_public"):
        assert document[rid]["reliability"]["n_respondents"] == 400
        rows = {row["package"]: row for row in document[rid]["corrected_support"]}
        assert set(rows) == {"status_quo", "two_islands"}
        assert rows["status_quo"]["p_rule_met"] is None
    text = runner.invoke(app, ["fit", str(scenario.source), "--draws", "10"])
    assert text.exit_code == 0, text.output
    assert "Support corrected for the answers' error" in text.stdout and "IRR" in text.stdout


def test_a_repeated_column_the_survey_lacks_is_one_message(tmp_path):
    scenario = repeated_scenario(
        tmp_path, lambda t: t.replace('repeated = "repeats", provenance', 'repeated = "again", provenance')
    )
    frame = truth(scenario).simulate(100, 2, optout=False, seed=1, repeat=1)
    frame.to_csv(tmp_path / "survey.csv", index=False)
    result = runner.invoke(app, ["fit", str(scenario.source), "--draws", "4"])
    assert result.exit_code == 2
    assert "column 'again'" in result.output and "Traceback" not in result.output


def test_a_corrected_fit_that_does_not_converge_is_said_and_left_out(tmp_path, monkeypatch):
    """With one scoring step allowed, no fit of the flipped answers converges: the fit still
    stands, the measured support is given, the corrected one is missing, and warnings say why."""
    from winset.support import logit

    scenario = repeated_scenario(tmp_path)
    frame = truth(scenario).simulate(300, 4, optout=False, seed=23, response_error=0.2, repeat=1)
    monkeypatch.setattr(logit, "SCORING_ITERATIONS", 1)
    fit = fitted(scenario, "russian_public", frame, draws=6)
    assert any("does not converge: no corrected support" in w for w in fit.warnings)
    assert any(
        "in 6 of 6 bootstrap draws the model of the flipped answers does not converge" in w for w in fit.warnings
    )
    table = fit.corrected_support(np.concatenate(list(scenario.space.iter_valid())))
    assert table["measured"].notna().all() and table[["estimate", "lower", "upper"]].isna().all().all()

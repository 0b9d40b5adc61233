"""Intra-respondent reliability and corrected estimates: projoint's formulas, a second route to the
standard errors, and recovery of the truth in simulations with known error rates."""

import numpy as np
import pandas as pd
import pytest

from winset.conjoint import ConjointError, amce, corrected, mm, reliability
from winset.conjoint.amce import amce_terms
from winset.conjoint.data import ConjointData
from winset.conjoint.ols import DummyDesign, influence
from winset.space import PackageSpace
from winset.support.simulate import TruthModel

SPACE = PackageSpace([("price", ["low", "mid", "high"]), ("brand", ["A", "B"])])
TRUTH = TruthModel(
    SPACE, alpha=0.0, effects={"price": {"mid": -0.6, "high": -1.2}, "brand": {"B": 0.5}}, sd={"brand": {"B": 0.5}}
)


def simulate(n: int, tau: float, seed: int, tasks: int = 4) -> pd.DataFrame:
    """A forced choice between two different profiles from the project's truth model, every answer
    flipped with probability ``tau``, task 1 asked again with the profiles swapped; ``chosen_true``
    holds the error-free choice."""
    return TRUTH.simulate(n, tasks, optout=False, seed=seed, response_error=tau, repeat=1)


ROLES = {"id": "respondent", "task": "task", "repeated": "repeats"}


def test_tau_and_the_corrected_marginal_means_follow_projoints_formulas():
    data = simulate(300, 0.15, 1)
    found = reliability(data, "chosen", ["price", "brand"], **ROLES)
    table = corrected(data, "chosen", ["price", "brand"], statistic="mm", **ROLES)
    # a second route, in pandas: agreement per respondent between task 1 and its repeat
    first = data[data["task"] == 1]
    again = data[data["repeats"] == 1]
    key = ["respondent", "price", "brand"]
    merged = first.merge(again, on=key, suffixes=("", "_again"))
    agree = merged[merged["chosen"] == 1].set_index("respondent")["chosen_again"].astype(float)
    irr = agree.mean()
    var_irr = agree.var(ddof=1) / len(agree)  # estimatr's lm_robust(agree ~ 1), HC2 = classical here
    tau = (1 - np.sqrt(1 - 2 * (1 - irr))) / 2  # projoint's expression
    var_tau = 0.25 * (2 * irr - 1) ** (-1) * var_irr
    assert found.irr == pytest.approx(irr, rel=1e-12) and found.tau == pytest.approx(tau, rel=1e-12)
    assert found.tau_se == pytest.approx(np.sqrt(var_tau), rel=1e-10)
    assert found.n_respondents == 300 and found.n_identical == 0
    # projoint's delta method, with the covariance of the mean and tau over respondents
    main = data[data["repeats"].isna()]
    m = main["respondent"].nunique()
    u_tau = (-(agree - irr) / len(agree) / (2 * np.sqrt(2 * irr - 1))).reindex(
        sorted(main["respondent"].unique()), fill_value=0
    )
    for row in table[table["statistic"] == "mm_corrected"].itertuples():
        shows = main[main[row.feature] == row.level]
        mean = shows["chosen"].mean()
        z = (
            ((shows["chosen"] - mean) / len(shows))
            .groupby(shows["respondent"])
            .sum()
            .reindex(u_tau.index, fill_value=0)
        )
        var_mm = m / (m - 1) * (z**2).sum()
        cov = m / (m - 1) * (z * u_tau).sum()
        dp, dt = 1 / (1 - 2 * tau), (2 * mean - 1) / (1 - 2 * tau) ** 2
        assert row.estimate == pytest.approx((mean - tau) / (1 - 2 * tau), rel=1e-12)
        assert row.std_error == pytest.approx(np.sqrt(dp**2 * var_mm + dt**2 * var_tau + 2 * dp * dt * cov), rel=1e-6)
    uncorrected = table[table["statistic"] == "mm"].reset_index(drop=True)
    expected = mm(main, "chosen", ["price", "brand"], id="respondent", h0=0.5)
    np.testing.assert_allclose(uncorrected["estimate"], expected["estimate"], rtol=1e-12)
    np.testing.assert_allclose(uncorrected["std_error"], expected["std_error"], rtol=1e-12)
    assert set(table["tau"]) == {found.tau}


def test_each_respondents_influence_gives_the_amces_survey_variance():
    data = simulate(200, 0.1, 2)
    cj = ConjointData(data, "chosen", ["price", "brand"], id="respondent")
    table = amce(cj)
    from winset.conjoint.amce import amce_combinations

    model, _ = amce_combinations(cj, [], "cregg")
    per = influence(DummyDesign(amce_terms(cj, [])), model, cj.y, None, cj.clusters)
    per -= per.mean(axis=0)
    m = cj.n_clusters
    np.testing.assert_allclose(m / (m - 1) * per.T @ per, model.vcov, rtol=1e-9, atol=1e-15)
    assert table["std_error"].notna().sum() == 3


@pytest.mark.parametrize("statistic", ["mm", "amce"])
def test_the_correction_recovers_the_error_free_estimates_in_simulations(statistic):
    """Paired with the same draws' error-free choices: the corrected estimate's mean error is
    within three simulation standard errors of zero in every cell (ten or five cells, so the
    bound allows for their number), where the uncorrected one is many standard errors off."""
    errors: dict[str, list] = {"plain": [], "fixed": []}
    for seed in range(40):
        data = simulate(500, 0.2, 100 + seed)
        main = data[data["repeats"].isna()]
        if statistic == "mm":
            truth = mm(main, "chosen_true", ["price", "brand"], id="respondent")["estimate"].to_numpy()
        else:
            truth = amce(main, "chosen_true", ["price", "brand"], id="respondent")["estimate"].to_numpy()
        table = corrected(data, "chosen", ["price", "brand"], statistic=statistic, **ROLES)
        errors["plain"].append(table[table["statistic"] == statistic]["estimate"].to_numpy() - truth)
        errors["fixed"].append(table[table["statistic"] == f"{statistic}_corrected"]["estimate"].to_numpy() - truth)
    fixed = np.array(errors["fixed"])
    plain = np.array(errors["plain"])
    estimable = ~np.isnan(fixed).any(axis=0) & (np.abs(fixed).sum(axis=0) > 0)  # not the AMCE baselines
    z_fixed = fixed.mean(axis=0)[estimable] / (fixed.std(axis=0, ddof=1)[estimable] / np.sqrt(len(fixed)))
    z_plain = plain.mean(axis=0)[estimable] / (plain.std(axis=0, ddof=1)[estimable] / np.sqrt(len(plain)))
    assert np.all(np.abs(z_fixed) < 3), z_fixed
    assert np.max(np.abs(z_plain)) > 10, z_plain


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.assign(repeats=np.nan), "no row is marked as a repeated task"),
        (lambda d: d.assign(repeats=d["repeats"].where(d["repeats"].isna(), 9.0)), "not shown"),
        (
            lambda d: d.assign(price=np.where(d["repeats"].notna() & (d["profile"] == 1), "low", d["price"])).assign(
                brand=np.where(d["repeats"].notna() & (d["profile"] == 1), "A", d["brand"])
            ),
            "not show the same two profiles",
        ),
        (
            lambda d: d.assign(chosen=np.where(d["repeats"].notna(), d["chosen_true"] == 0, d["chosen"]).astype(int)),
            "no more than chance",
        ),
        (lambda d: d.assign(chosen=np.where(d["task"] == 1, 0, d["chosen"])), "look like a choice with an opt-out"),
    ],
)
def test_bad_repeated_tasks_get_one_clear_message(change, message):
    data = change(simulate(30, 0.0, 3))
    with pytest.raises(ConjointError) as caught:
        corrected(data, "chosen", ["price", "brand"], **ROLES)
    assert message in caught.value.problems[0].message, caught.value.problems[0].message


def test_missing_roles_are_named():
    data = simulate(20, 0.0, 4)
    with pytest.raises(ConjointError) as caught:
        reliability(data, "chosen", ["price", "brand"], repeated="repeats")
    assert {p.location for p in caught.value.problems} == {"id", "task"}
    with pytest.raises(ConjointError, match="no such column"):
        reliability(data, "chosen", ["price", "brand"], id="respondent", task="task", repeated="again")


def test_yes_no_answers_to_each_profile_recover_the_error_rate_and_the_true_means():
    """The consultation site's layout: a yes/no answer per profile, each flipped with probability
    tau; the repeated task's answers are paired with the original answers to the same profiles."""
    data = simulate(3000, 0.12, 11)
    found = reliability(data, "support", ["price", "brand"], **ROLES)
    # a second route: every repeated answer against the answer to the same profile in task 1
    first = data[data["task"] == 1]
    again = data[data["repeats"] == 1]
    merged = first.merge(again, on=["respondent", "price", "brand"], suffixes=("", "_again"))
    assert found.n_answers == len(merged) == 2 * 3000
    assert found.irr == pytest.approx((merged["support"] == merged["support_again"]).mean(), rel=1e-12)
    assert abs(found.tau - 0.12) < 3 * found.tau_se
    table = corrected(data, "support", ["price", "brand"], statistic="mm", **ROLES)
    main = data[data["repeats"].isna()]
    fixed = table[table["statistic"] == "mm_corrected"].set_index(["feature", "level"])
    raw = table[table["statistic"] == "mm"].set_index(["feature", "level"])
    for (feature, level), row in fixed.iterrows():
        truth = main.loc[main[feature] == level, "support_true"].mean()
        assert abs(row["estimate"] - truth) < 3 * row["std_error"]
        assert abs(raw.loc[(feature, level), "estimate"] - truth) > abs(row["estimate"] - truth)


def test_a_choice_with_an_opt_out_is_refused():
    data = TRUTH.simulate(200, 4, optout=True, seed=2, repeat=1)
    with pytest.raises(ConjointError, match="opt-out"):
        reliability(data, "chosen", ["price", "brand"], **ROLES)

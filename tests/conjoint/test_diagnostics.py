"""Conjoint diagnostics against scipy and statsmodels, and on simulated data with known flaws."""

import shutil

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats
from statsmodels.stats.anova import anova_lm

from winset.conjoint import ConjointError, Design, amce, cj_anova, diagnose

from .conftest import DATA, needs_shared

FEATURES = ["Gender", "LanguageSkills", "PriorEntry", "Education"]


@needs_shared
def test_attribute_balance_is_scipys_chi_square_with_the_designs_marginals(immigration_cjoint, tmp_path):
    shutil.copy(DATA / "immigration_design_education_job.csv", tmp_path / "p.csv")
    (tmp_path / "design.toml").write_text(
        '[[restrictions]]\nfeatures = ["Education", "Job"]\nprobabilities = "p.csv"\n'
    )
    design = Design.from_file(tmp_path / "design.toml")
    found = diagnose(immigration_cjoint, "Chosen_Immigrant", ["Gender", "Education", "Job"], id="CaseID", design=design)
    probabilities = pd.read_csv(tmp_path / "p.csv", index_col=0)
    marginals = {"Education": probabilities.sum(axis=1), "Job": probabilities.sum(axis=0)}
    for feature in ("Gender", "Education", "Job"):
        counts = immigration_cjoint[feature].value_counts()
        if feature in marginals:
            shares = marginals[feature] / marginals[feature].sum()
        else:
            shares = pd.Series(1 / len(counts), index=counts.index)
        expected = shares.loc[counts.index] * counts.sum()
        reference = stats.chisquare(counts.to_numpy(), expected.to_numpy())
        row = found.balance_tests.set_index("feature").loc[feature]
        assert row["chi2"] == pytest.approx(reference.statistic, rel=1e-10)
        assert row["p"] == pytest.approx(reference.pvalue, rel=1e-8)
        assert row["df"] == len(counts) - 1
    # without the design, Job's unequal shares are flagged with the likely cause
    plain = diagnose(immigration_cjoint, "Chosen_Immigrant", ["Gender", "Education", "Job"], id="CaseID")
    assert plain.balance_tests.set_index("feature").loc["Job", "p"] < 1e-6
    assert any("Job" in note and "design" in note for note in plain.notes)
    assert not any("Job" in note for note in found.notes)


@needs_shared
def test_covariate_balance_is_a_clustered_wald_test_as_statsmodels_computes_it(immigration):
    """W = b' V^-1 b with statsmodels' clustered variance (cregg's M/(M-1)), as F = W/q on
    (q, M - 1) degrees of freedom."""
    found = diagnose(immigration, "ChosenImmigrant", FEATURES, id="CaseID", covariates=["ethnocentrism"])
    kept = immigration[immigration["ethnocentrism"].notna()]
    groups = pd.factorize(kept["CaseID"])[0]
    m = groups.max() + 1
    fitted = smf.ols("ethnocentrism ~ " + " + ".join(f"C({f})" for f in FEATURES), kept).fit(
        cov_type="cluster", cov_kwds={"groups": groups, "use_correction": False}
    )
    b = fitted.params.to_numpy()[1:]
    v = fitted.cov_params().to_numpy()[1:, 1:] * m / (m - 1)
    wald = b @ np.linalg.solve(v, b)
    row = found.covariate_tests.iloc[0]
    assert row["covariate"] == "ethnocentrism" and row["n_rows"] == len(kept)
    assert row["f"] == pytest.approx(wald / len(b), rel=1e-8)
    assert row["p"] == pytest.approx(stats.f.sf(wald / len(b), len(b), m - 1), rel=1e-8)
    assert row["df"] == len(b) and row["df_residual"] == m - 1
    assert any("2460 rows without a value" in note for note in found.notes)


@needs_shared
def test_carryover_and_profile_order_are_amces_by_group_and_cj_anova(immigration):
    found = diagnose(immigration, "ChosenImmigrant", FEATURES, id="CaseID", task="contest_no", profile="profile")
    pd.testing.assert_frame_equal(
        found.carryover, amce(immigration, "ChosenImmigrant", FEATURES, id="CaseID", by="contest_no")
    )
    pd.testing.assert_frame_equal(
        found.profile_order_test, cj_anova(immigration, "ChosenImmigrant", FEATURES, by="profile")
    )
    tests = found.tests().set_index("diagnostic")
    # the 4 tasks after the first, alone and with each of the 14 feature dummies
    assert tests.loc["carryover", "df"] == 4 * (1 + (1 + 3 + 4 + 6))


@needs_shared
def test_attribute_order_f_test_equals_statsmodels_anova_of_the_nested_models(immigration):
    found = diagnose(immigration, "ChosenImmigrant", FEATURES, id="CaseID", positions={"LanguageSkills": "LangPos"})
    formula = "ChosenImmigrant ~ " + " + ".join(f"C({f})" for f in FEATURES)
    reduced = smf.ols(formula, immigration).fit()
    full = smf.ols(formula + " + C(LangPos) + C(LanguageSkills):C(LangPos)", immigration).fit()
    table = anova_lm(reduced, full)
    row = found.attribute_order_tests.iloc[0]
    assert row["feature"] == "LanguageSkills" and row["position"] == "LangPos"
    assert row["f"] == pytest.approx(table["F"].iloc[1], rel=1e-8)
    assert row["p"] == pytest.approx(table["Pr(>F)"].iloc[1], rel=1e-6)
    assert row["df"] == table["df_diff"].iloc[1]
    by_position = found.attribute_order
    assert set(by_position["feature"]) == {"LanguageSkills"}
    assert set(by_position["position"]) == {f"{v:g}" for v in immigration["LangPos"]}


def simulated(n_respondents: int, order_effect: float, seed: int) -> pd.DataFrame:
    """A forced choice between two profiles of price x brand; ``order_effect`` makes the price's
    effect depend on which side of the screen the profile is on, and on the task."""
    rng = np.random.default_rng(seed)
    rows = []
    for r in range(n_respondents):
        for task in (1, 2, 3):
            utilities = []
            profiles = []
            for side in (1, 2):
                price = rng.choice(["low", "mid", "high"])
                brand = rng.choice(["A", "B"])
                effect = {"low": 0.0, "mid": -0.5, "high": -1.0}[price] * (1 + order_effect * (side == 1))
                utilities.append(effect + 0.3 * (brand == "B") + rng.gumbel())
                profiles.append({"resp": r, "task": task, "side": side, "price": price, "brand": brand})
            chosen = int(np.argmax(utilities))
            for side, profile in enumerate(profiles):
                rows.append({**profile, "chosen": int(side == chosen), "age": 30 + r % 40})
    return pd.DataFrame(rows)


def test_a_profile_order_effect_is_found_where_there_is_one_and_not_where_there_is_none():
    flawed = diagnose(simulated(600, 1.5, 1), "chosen", ["price", "brand"], id="resp", profile="side", task="task")
    clean = diagnose(simulated(600, 0.0, 1), "chosen", ["price", "brand"], id="resp", profile="side", task="task")
    assert flawed.tests().set_index("diagnostic").loc["profile_order", "p"] < 1e-4
    assert clean.tests().set_index("diagnostic").loc["profile_order", "p"] > 0.01
    covariate = diagnose(simulated(300, 0.0, 2), "chosen", ["price", "brand"], id="resp", covariates=["age"])
    assert covariate.covariate_tests["p"].iloc[0] > 0.01  # age was not randomised with the profiles


def test_the_summary_lists_every_test_and_says_what_to_give_when_none_ran():
    data = simulated(100, 0.0, 3)
    found = diagnose(data, "chosen", ["price", "brand"], id="resp", task="task", positions={"price": "side"})
    text = found.summary()
    for word in ("balance", "carryover", "attribute_order", "price", "brand"):
        assert word in text
    assert "no diagnostic" not in text
    assert len(found.tests()) == 2 + 1 + 1


@needs_shared
def test_with_weights_the_tests_are_those_of_the_unweighted_sample(taxes):
    """Weighted sums of squares would take survey weights for precisions: a placebo split of the
    respondents would be 'significant' most of the time. The tests ignore the weights; the
    tables keep them."""
    features = ["taxrate1", "taxrate2", "taxrev"]
    rng = np.random.default_rng(0)
    placebo = dict(zip(taxes["ID"].unique(), rng.integers(0, 2, taxes["ID"].nunique()), strict=True))
    data = taxes.assign(placebo=taxes["ID"].map(placebo))
    weighted = diagnose(
        data, "chose_plan", features, id="ID", weights="weight", task="placebo", covariates=["inequality_aversion"]
    )
    plain = diagnose(data, "chose_plan", features, id="ID", task="placebo", covariates=["inequality_aversion"])
    pd.testing.assert_frame_equal(weighted.tests(), plain.tests())
    assert any("without the survey weights" in note for note in weighted.notes)
    assert not weighted.carryover.equals(plain.carryover)  # the AMCEs by group are weighted


def test_covariates_that_cannot_be_tested_get_a_note_not_a_number():
    data = simulated(4, 0.0, 8)
    data = data.assign(constant=1.0, sparse=np.where(data["resp"] == 0, data["age"], np.nan), few=data["resp"] * 1.0)
    found = diagnose(data, "chosen", ["price", "brand"], id="resp", covariates=["constant", "sparse", "few"])
    assert found.covariate_tests["p"].isna().all()
    notes = " ".join(found.notes)
    assert "constant: the same value in every row" in notes
    assert "sparse: one respondent only has a value" in notes
    assert "few: 4 respondents for 3 coefficients, too few for its test" in notes


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"task": "round"}, "no such column"),
        ({"covariates": ["colour"]}, "no such column"),
        ({"positions": {"size": "side"}}, "'size' is not one of the features"),
        ({"positions": {"price": "nowhere"}}, "no such column"),
        ({"positions": ["side"]}, "expected a mapping"),
    ],
)
def test_wrong_columns_get_one_clear_message(options, message):
    with pytest.raises(ConjointError) as caught:
        diagnose(simulated(20, 0.0, 4), "chosen", ["price", "brand"], id="resp", **options)
    assert message in caught.value.problems[0].message


def test_a_covariate_that_is_not_numeric_is_refused_naming_its_rows():
    data = simulated(20, 0.0, 5).assign(colour="red")
    with pytest.raises(ConjointError) as caught:
        diagnose(data, "chosen", ["price", "brand"], id="resp", covariates=["colour"])
    assert "must be numeric" in caught.value.problems[0].message

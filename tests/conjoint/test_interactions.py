"""ACIEs, tests that two levels differ and AMCEs by reference, against statsmodels and identities."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from winset.conjoint import ConjointError, acie, amce, amce_by_reference, compare_levels, mm

from .conftest import EDUCATION, IMMIGRATION_BASELINES, JOBS, TAXES_BASELINES, TAXES_FEATURES, needs_shared
from .test_errors import small

FEATURES = ["Gender", "LanguageSkills", "PriorEntry"]
BASELINES = {f: IMMIGRATION_BASELINES[f] for f in FEATURES}


def clustered(formula: str, frame: pd.DataFrame, convention: str):
    """statsmodels' OLS with respondent clusters: cregg's variance (sandwich x M/(M-1)) or
    cjoint's CR1 (statsmodels' default correction, M/(M-1) (N-1)/(N-K))."""
    groups = pd.factorize(frame["CaseID"])[0]
    model = smf.ols(formula, frame)
    if convention == "cjoint":
        return model.fit(cov_type="cluster", cov_kwds={"groups": groups})
    fitted = model.fit(cov_type="cluster", cov_kwds={"groups": groups, "use_correction": False})
    m = groups.max() + 1
    return fitted, m / (m - 1)


def treatment(feature: str) -> str:
    return f"C({feature}, Treatment('{BASELINES[feature]}'))"


@needs_shared
@pytest.mark.parametrize("convention", ["cregg", "cjoint"])
def test_acie_is_the_interaction_coefficient_of_statsmodels_ols(immigration, convention):
    table = acie(
        immigration, "ChosenImmigrant", FEATURES, pair=("Gender", "LanguageSkills"), id="CaseID",
        baselines=BASELINES, convention=convention,
    )  # fmt: skip
    formula = f"ChosenImmigrant ~ {treatment('Gender')} * {treatment('LanguageSkills')} + {treatment('PriorEntry')}"
    result = clustered(formula, immigration, convention)
    fitted, factor = result if convention == "cregg" else (result, 1.0)
    assert set(table["statistic"]) == {"acie"} and set(table["feature"]) == {"Gender:LanguageSkills"}
    assert len(table) == 3
    for _, row in table.iterrows():
        gender, language = row["level"].split(":")
        name = f"{treatment('Gender')}[T.{gender}]:{treatment('LanguageSkills')}[T.{language}]"
        assert row["estimate"] == pytest.approx(fitted.params[name], rel=1e-9, abs=1e-12)
        assert row["std_error"] == pytest.approx(np.sqrt(fitted.cov_params().loc[name, name] * factor), rel=1e-8)


@needs_shared
def test_an_acie_of_a_restricted_pair_is_missing_exactly_where_one_of_its_four_combinations_was_never_shown(
    immigration,
):
    features = ["Education", "Job", "Gender"]
    table = acie(immigration, "ChosenImmigrant", features, pair=("Education", "Job"), id="CaseID",
                 levels={"Education": EDUCATION, "Job": JOBS}, restricted=[("Education", "Job")])  # fmt: skip
    shown = set(immigration.groupby(["Education", "Job"]).size().index)
    base_e, base_j = EDUCATION[0], JOBS[0]
    identified = {
        f"{e}:{j}"
        for e in EDUCATION[1:]
        for j in JOBS[1:]
        if {(e, j), (base_e, j), (e, base_j), (base_e, base_j)} <= shown
    }
    missing = set(table.loc[table["estimate"].isna(), "level"])
    assert identified and missing == set(table["level"]) - identified
    # the jobs never shown without a degree have no ACIE against the baseline 'No Formal'
    assert {f"College Degree:{job}" for job in ["Doctor", "Financial Analyst"]} <= missing
    assert table.loc[~table["level"].isin(missing), "std_error"].gt(0).all()


@needs_shared
def test_amce_contrasts_equal_statsmodels_t_tests_and_a_baseline_gives_the_amce(immigration):
    comparisons = [
        (("LanguageSkills", "Broken English"), ("LanguageSkills", "Used Interpreter")),
        (("Gender", "Male"), ("PriorEntry", "Once as Tourist")),
        (("LanguageSkills", "Broken English"), ("LanguageSkills", "Fluent English")),
        (("Gender", "Male"), ("Gender", "Male")),
    ]
    table = compare_levels(
        immigration, "ChosenImmigrant", FEATURES, id="CaseID", baselines=BASELINES, comparisons=comparisons
    )
    formula = "ChosenImmigrant ~ " + " + ".join(treatment(f) for f in FEATURES)
    fitted, factor = clustered(formula, immigration, "cregg")
    names = list(fitted.params.index)
    for row, ((f1, l1), (f2, l2)) in zip(table.itertuples(), comparisons, strict=True):
        contrast = np.zeros(len(names))
        for sign, feature, level in ((1, f1, l1), (-1, f2, l2)):
            if level != BASELINES[feature]:
                contrast[names.index(f"{treatment(feature)}[T.{level}]")] += sign
        test = fitted.t_test(contrast)
        assert row.estimate == pytest.approx(float(np.squeeze(test.effect)), abs=1e-12)
        assert row.std_error == pytest.approx(float(np.squeeze(test.sd)) * np.sqrt(factor), rel=1e-8, abs=1e-15)
    amces = amce(immigration, "ChosenImmigrant", FEATURES, id="CaseID", baselines=BASELINES).set_index("level")
    assert table.loc[2, "estimate"] == pytest.approx(amces.loc["Broken English", "estimate"], abs=1e-14)
    assert table.loc[2, "std_error"] == pytest.approx(amces.loc["Broken English", "std_error"], rel=1e-12)
    assert table.loc[3, "estimate"] == 0 and table.loc[3, "std_error"] == 0
    assert list(table["first"][:2]) == ["LanguageSkills = Broken English", "Gender = Male"]


@needs_shared
def test_mm_contrasts_equal_a_stacked_regression_with_respondent_clusters(immigration):
    """A second route: stack the rows showing each level (a profile showing both appears twice),
    regress the outcome on the two levels' indicators without intercept, and take statsmodels'
    clustered sandwich with cregg's M/(M-1) over all respondents."""
    comparisons = [
        (("LanguageSkills", "Broken English"), ("LanguageSkills", "Used Interpreter")),
        (("Gender", "Male"), ("PriorEntry", "Once as Tourist")),
    ]
    table = compare_levels(
        immigration, "ChosenImmigrant", FEATURES, id="CaseID", statistic="mm", comparisons=comparisons
    )
    m = immigration["CaseID"].nunique()
    for row, ((f1, l1), (f2, l2)) in zip(table.itertuples(), comparisons, strict=True):
        one = immigration[immigration[f1] == l1].assign(d1=1.0, d2=0.0)
        two = immigration[immigration[f2] == l2].assign(d1=0.0, d2=1.0)
        stacked = pd.concat([one, two], ignore_index=True)
        groups = pd.factorize(stacked["CaseID"])[0]
        fitted = smf.ols("ChosenImmigrant ~ 0 + d1 + d2", stacked).fit(
            cov_type="cluster", cov_kwds={"groups": groups, "use_correction": False}
        )
        test = fitted.t_test([1.0, -1.0])
        assert row.estimate == pytest.approx(float(np.squeeze(test.effect)), abs=1e-12)
        assert row.std_error == pytest.approx(float(np.squeeze(test.sd)) * np.sqrt(m / (m - 1)), rel=1e-8)
    means = mm(immigration, "ChosenImmigrant", ["LanguageSkills"], id="CaseID").set_index("level")
    first = means.loc["Broken English", "estimate"] - means.loc["Used Interpreter", "estimate"]
    assert table.loc[0, "estimate"] == pytest.approx(first, abs=1e-14)


@needs_shared
def test_amce_by_reference_stacks_amce_under_each_baseline(immigration):
    table = amce_by_reference(
        immigration, "ChosenImmigrant", ["LanguageSkills", "Gender"], variable="LanguageSkills", id="CaseID"
    )
    levels = ["Broken English", "Fluent English", "Tried English but Unable", "Used Interpreter"]
    assert list(dict.fromkeys(table["reference"])) == levels
    assert list(table.columns[:3]) == ["reference", "outcome", "statistic"]
    for reference in levels:
        block = table[table["reference"] == reference].drop(columns="reference").reset_index(drop=True)
        alone = amce(immigration, "ChosenImmigrant", ["LanguageSkills", "Gender"], id="CaseID",
                     baselines={"LanguageSkills": reference})  # fmt: skip
        pd.testing.assert_frame_equal(block, alone)
    # in a fully randomised design, the AMCE against reference r is the AMCE against b minus r's
    language = table[table["feature"] == "LanguageSkills"].pivot(index="level", columns="reference", values="estimate")
    for r in levels:
        np.testing.assert_allclose(language[r], language[levels[0]] - language.loc[r, levels[0]], atol=1e-12)
    gender = table[(table["feature"] == "Gender") & table["std_error"].notna()]
    assert np.ptp(gender["estimate"]) < 1e-12  # the other feature's AMCE does not move


def test_an_acie_on_small_data_handles_a_pair_given_in_either_order():
    frame = small(80, seed=2)
    one = acie(frame, "chosen", ["price", "brand"], pair=("price", "brand"), id="resp")
    two = acie(frame, "chosen", ["price", "brand"], pair=("brand", "price"), id="resp")
    assert list(one["feature"]) == ["price:brand"] * 2 and list(one["level"]) == ["low:B", "mid:B"]
    assert list(two["feature"]) == ["brand:price"] * 2 and list(two["level"]) == ["B:low", "B:mid"]
    np.testing.assert_allclose(two["estimate"], one["estimate"], rtol=1e-12)
    np.testing.assert_allclose(two["std_error"], one["std_error"], rtol=1e-12)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda f: acie(f, "chosen", ["price", "brand"], pair=("price", "price")), "two different features"),
        (lambda f: acie(f, "chosen", ["price", "brand"], pair=("price", "brnd")), "did you mean 'brand'"),
        (lambda f: acie(f, "chosen", ["price", "brand"], pair="price"), "expected two items"),
        (lambda f: compare_levels(f, "chosen", ["price"], comparisons=[]), "no comparison given"),
        (
            lambda f: compare_levels(f, "chosen", ["price"], comparisons=[(("price", "lo"), ("price", "mid"))]),
            "'lo' is not a level of price",
        ),
        (
            lambda f: compare_levels(
                f, "chosen", ["price"], statistic="mn", comparisons=[(("price", "low"), ("price", "mid"))]
            ),
            "unknown statistic 'mn'",
        ),
        (lambda f: amce_by_reference(f, "chosen", ["price"], variable="brand"), "'brand' is not one of the features"),
    ],
)
def test_wrong_arguments_get_one_clear_message(call, message):
    with pytest.raises(ConjointError) as caught:
        call(small(20))
    assert message in caught.value.problems[0].message


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda f: compare_levels(
                f, "chosen", ["price"], comparisons=np.array([[["price", "low"], ["price", "mid"]]])
            ),
            None,
        ),
        (
            lambda f: compare_levels(f, "chosen", ["price"], comparisons=(("price", "low"), ("price", "mid"))),
            "each comparison is two (feature, level) pairs",
        ),
        (lambda f: compare_levels(f, "chosen", ["price"], comparisons="price"), "no comparison given"),
        (lambda f: acie(f, "chosen", ["price", "brand"], pair=("price", "brand"), alpha="0.05"), "alpha must be"),
        (lambda f: acie(f.assign(one="x"), "chosen", ["price", "one"], pair=("price", "one")), "one level only"),
        (
            lambda f: compare_levels(
                f,
                "chosen",
                ["price"],
                statistic="mm",
                restricted=[("Q", "R")],
                comparisons=[(("price", "low"), ("price", "mid"))],
            ),
            "'Q' is not one of the features",
        ),
    ],
)
def test_odd_shapes_of_arguments_are_read_or_refused_with_a_clear_message(call, message):
    if message is None:  # a numpy array of comparisons is read as the list it holds
        assert len(call(small(20))) == 1
        return
    with pytest.raises(ConjointError) as caught:
        call(small(20))
    assert message in caught.value.problems[0].message


def taxes_term(feature: str) -> str:
    return f"C({feature}, Treatment('{TAXES_BASELINES[feature]}'))"


@needs_shared
def test_on_the_taxes_survey_acies_and_contrasts_equal_statsmodels(taxes):
    """The taxes conjoint (seven features, levels with colons and signs in their names): the ACIE
    of the lowest bracket's rate and the revenue, and contrasts between levels, against statsmodels'
    OLS with respondent clusters (cregg's variance)."""
    frame = taxes.dropna(subset=["chose_plan"])
    pair = ("taxrate1", "taxrev")
    table = acie(frame, "chose_plan", TAXES_FEATURES, pair=pair, id="ID", baselines=TAXES_BASELINES)
    others = " + ".join(taxes_term(f) for f in TAXES_FEATURES if f not in pair)
    formula = f"chose_plan ~ {taxes_term('taxrate1')} * {taxes_term('taxrev')} + {others}"
    groups = pd.factorize(frame["ID"])[0]
    fitted = smf.ols(formula, frame).fit(cov_type="cluster", cov_kwds={"groups": groups, "use_correction": False})
    m = groups.max() + 1
    rates = [v for v in sorted(frame["taxrate1"].unique()) if v != TAXES_BASELINES["taxrate1"]]
    revenues = [v for v in sorted(frame["taxrev"].unique()) if v != TAXES_BASELINES["taxrev"]]
    by_level = table.set_index("level")
    assert len(table) == len(rates) * len(revenues)
    for rate in rates:
        for revenue in revenues:
            name = f"{taxes_term('taxrate1')}[T.{rate}]:{taxes_term('taxrev')}[T.{revenue}]"
            row = by_level.loc[f"{rate}:{revenue}"]
            assert row["estimate"] == pytest.approx(fitted.params[name], rel=1e-9, abs=1e-12)
            assert row["std_error"] == pytest.approx(
                np.sqrt(fitted.cov_params().loc[name, name] * m / (m - 1)), rel=1e-8
            )
    comparisons = [
        (("taxrate1", rates[0]), ("taxrate1", rates[-1])),
        (("taxrate6", ">375k: 45%"), ("taxrev", revenues[0])),
    ]
    contrasts = compare_levels(
        frame, "chose_plan", TAXES_FEATURES, id="ID", baselines=TAXES_BASELINES, comparisons=comparisons
    )
    main = smf.ols("chose_plan ~ " + " + ".join(taxes_term(f) for f in TAXES_FEATURES), frame).fit(
        cov_type="cluster", cov_kwds={"groups": groups, "use_correction": False}
    )
    names = list(main.params.index)
    for row, ((f1, l1), (f2, l2)) in zip(contrasts.itertuples(), comparisons, strict=True):
        weights = np.zeros(len(names))
        weights[names.index(f"{taxes_term(f1)}[T.{l1}]")] += 1
        weights[names.index(f"{taxes_term(f2)}[T.{l2}]")] -= 1
        test = main.t_test(weights)
        assert row.estimate == pytest.approx(float(np.squeeze(test.effect)), abs=1e-12)
        assert row.std_error == pytest.approx(float(np.squeeze(test.sd)) * np.sqrt(m / (m - 1)), rel=1e-8)

"""The real-data check of docs/real-data-check.md, lighter: held-out predictions on the immigration
conjoint are calibrated."""

import numpy as np
import pytest

from winset.conjoint import ConjointData, read_table
from winset.support import MixedLogitModel, respondents

from ..conjoint.conftest import DATA, needs_shared

FEATURES = [
    "Gender",
    "Education",
    "LanguageSkills",
    "CountryOfOrigin",
    "Job",
    "JobExperience",
    "JobPlans",
    "ReasonForApplication",
    "PriorEntry",
]


@needs_shared
def test_held_out_choices_match_predictions():
    frame = read_table(DATA / "immigration.csv")
    ids = frame["CaseID"].unique()
    held_out = np.isin(frame["CaseID"], np.random.default_rng(1).choice(ids, size=len(ids) // 5, replace=False))

    def data(rows, levels=None):
        return ConjointData(
            frame[rows].reset_index(drop=True),
            "ChosenImmigrant",
            FEATURES,
            id="CaseID",
            task="contest_no",
            profile="profile",
            levels=levels,
        )

    train = data(~held_out)
    test = data(held_out, {f.name: list(f.levels) for f in train.features})
    model = MixedLogitModel(optout=False, draws=30).fit(train, respondents(train))
    predicted = model.choice_probabilities(test)
    order = np.argsort(predicted)
    groups = np.array_split(order, 5)
    gaps = [abs(predicted[g].mean() - test.y[g].mean()) for g in groups]
    assert max(gaps) < 0.05
    assert np.mean((predicted - test.y) ** 2) < 0.21  # a coin toss scores 0.25


@needs_shared
@pytest.mark.parametrize(
    ("name", "outcome", "features", "tau"),
    [
        (
            "taxes.csv",
            "chose_plan",
            ["taxrate1", "taxrate2", "taxrate3", "taxrate4", "taxrate5", "taxrate6", "taxrev"],
            0.1,
        ),
        ("immigration.csv", "ChosenImmigrant", FEATURES, 0.15),
    ],
)
def test_the_logit_of_flipped_answers_on_the_real_surveys_matches_statsmodels(name, outcome, features, tau):
    """The taxes and immigration conjoints, their choices read as answers flipped at a stated rate:
    the estimate, standard errors and log-likelihood equal statsmodels' GLM with that link."""
    import warnings

    import statsmodels.api as sm

    from winset.conjoint import terms
    from winset.conjoint.ols import DummyDesign
    from winset.support.logit import fit_logit

    from .test_estimation import FlippedLogit

    frame = read_table(DATA / name).dropna(subset=[outcome])
    cj = ConjointData(frame, outcome, features)
    design = DummyDesign([terms.intercept(cj.n_rows)] + [terms.main(f) for f in cj.features])
    ours = fit_logit(design, cj.y, flip=tau)
    x = design.dense(0, design.n_rows)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = sm.Logit(cj.y, x).fit(disp=0).params
        family = sm.families.Binomial(link=FlippedLogit(tau), check_link=False)
        theirs = sm.GLM(cj.y, x, family=family).fit(start_params=start, tol=1e-12)
    np.testing.assert_allclose(ours.coef, theirs.params, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(ours.std_error, theirs.bse, rtol=1e-5)
    assert ours.loglik == pytest.approx(theirs.llf, rel=1e-10)

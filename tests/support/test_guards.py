"""The support models refuse bad parameters and use before fitting, with errors that say what to
do; a fitted ratifier summarises itself."""

import numpy as np
import pytest

from winset import load_scenario
from winset.errors import ModelError, NotFittedError, WinsetError
from winset.support import BinarySupportModel, Covariate, MixedLogitModel, TruthModel, fit_scenario

from ..small_scenario import small_scenario
from .test_estimation import ISSUES, SPACE


@pytest.mark.parametrize(
    ("make", "location"),
    [
        (lambda: BinarySupportModel(covariates="age"), "covariates"),
        (lambda: BinarySupportModel(interactions=[("a", "age", "x")]), "interactions"),
        (lambda: BinarySupportModel(cutoff=float("nan")), "cutoff"),
        (lambda: BinarySupportModel(cutoff="5"), "cutoff"),
        (lambda: MixedLogitModel(optout="yes"), "optout"),
        (lambda: MixedLogitModel(draws=0), "draws"),
        (lambda: MixedLogitModel(draws=2.5), "draws"),
        (lambda: MixedLogitModel(seed=-1), "seed"),
    ],
)
def test_bad_parameters_are_refused_when_the_model_is_made(make, location):
    with pytest.raises(ModelError) as refused:
        make()
    assert refused.value.problems[0].location == location
    assert isinstance(refused.value, ValueError) and isinstance(refused.value, WinsetError)


CODES = np.zeros((1, 3), dtype=np.int64)


@pytest.mark.parametrize(
    ("use", "what"),
    [
        (lambda m: m.predict_support(ISSUES, CODES), "predict support"),
        (lambda m: m.score_table(ISSUES), "compile a ScoreTable"),
        (lambda m: m.refit(np.ones(3) / 3), "refit"),
        (lambda m: m.coefficient("a", "y"), "give a coefficient"),
    ],
)
def test_an_unfitted_binary_model_says_to_fit_it_first(use, what):
    with pytest.raises(NotFittedError, match=f"cannot {what}") as refused:
        use(BinarySupportModel())
    assert refused.value.problems[0].fix == "call BinarySupportModel.fit first"


@pytest.mark.parametrize(
    ("use", "what"),
    [
        (lambda m: m.predict_support(ISSUES, CODES), "predict support"),
        (lambda m: m.score_table(ISSUES), "compile a ScoreTable"),
        (lambda m: m.refit(np.ones(3) / 3), "refit"),
        (lambda m: m.choice_probabilities(None), "give choice probabilities"),
    ],
)
def test_an_unfitted_mixed_logit_says_to_fit_it_first(use, what):
    with pytest.raises(NotFittedError, match=f"cannot {what}") as refused:
        use(MixedLogitModel())
    assert refused.value.problems[0].fix == "call MixedLogitModel.fit first"
    assert isinstance(refused.value, AttributeError)  # what using it unfitted raised before


def test_an_unknown_covariate_level_is_refused_by_the_truth():
    truth = TruthModel(
        SPACE,
        alpha=0.0,
        effects={},
        covariates={"age": Covariate(("old", "young"), (0.5, 0.5))},
        shifts={"age": {"old": -0.5}},
    )
    assert truth.mean_utility(CODES, {"age": "old"}) == pytest.approx([-0.5])
    with pytest.raises(ModelError, match="unknown covariate level 'olde' \\(did you mean 'old'\\?\\)"):
        truth.mean_utility(CODES, {"age": "olde"})


def test_a_ratifier_fit_summarises_its_model_and_sample(tmp_path):
    fits = fit_scenario(load_scenario(small_scenario(tmp_path)), draws=4)
    russian = fits["russian_public"]
    text = russian.summary()
    assert text.startswith("Ratifier 'russian_public' of party 'russia': binary support (logistic regression) model.")
    assert f"Respondents: {russian.respondents.n}; rows: {russian.data.n_rows}; " in text
    assert f"parameters: {len(russian.coefficients)}; bootstrap draws: 4." in text
    assert f"Calibration shift (logit): {russian.shift:+.4f} to 1 poll target." in text

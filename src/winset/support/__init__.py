"""Public-support models: each public's support for any package, with uncertainty.

========================  ==================================================================
``BinarySupportModel``    logistic model of yes/no support, covariates, interactions
``MixedLogitModel``       mixed logit of choices between packages and the status quo
``AdditiveSupportModel``  Bayesian additive model from polls and a prior (no microdata)
``respondents``           respondents, their covariates and weights raked to population margins
``calibrate``             shift a model to published poll toplines
``fit_scenario``          every ratifier of a scenario: data, model, bootstrap, calibration
``simulate``              simulated respondents from a known truth (``TruthModel``)
========================  ==================================================================

Every model compiles to a :class:`~winset.scoretable.ScoreTable`.
"""

from .additive import AdditivePrior, AdditiveSupportModel, Poll
from .binary import BinarySupportModel
from .calibration import Target, calibrate
from .fit import RatifierFit, fit_ratifier, fit_scenario
from .mixed_logit import MixedLogitModel
from .population import Respondents, bootstrap_counts, respondents
from .raking import rake
from .simulate import Covariate, TruthModel

__all__ = [
    "AdditivePrior",
    "AdditiveSupportModel",
    "BinarySupportModel",
    "Covariate",
    "MixedLogitModel",
    "Poll",
    "RatifierFit",
    "Respondents",
    "Target",
    "TruthModel",
    "bootstrap_counts",
    "calibrate",
    "fit_ratifier",
    "fit_scenario",
    "rake",
    "respondents",
]

"""Fitting every ratifier's support model from a scenario: data, raking, model, bootstrap, polls.

For each ratifier with a survey: read it and check it against the scenario (one column per issue,
option ids or labels); weight respondents to the population margins; fit the support model; redo
the weighting and the fit on respondent-cluster bootstrap resamples; calibrate every draw to the
polls; and compile it all into one ScoreTable (group 0 the estimate, groups 1..B the draws).

For a ratifier without one: the Bayesian additive model learns from its polls (the calibration
targets) and its prior; group 0 is the posterior mode, groups 1..B posterior draws, so that
intervals and P(rule met) mean what they mean for a survey model.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..conjoint import amce
from ..conjoint.data import ConjointData, ConjointError, read_table
from ..defaults import DRAWS
from ..errors import Problem
from ..scenario import Party, Ratifier, Scenario
from ..scenario.evidence import require_evidence
from ..scoretable import ScoreTable
from .additive_fit import Progress, fit_additive
from .binary import BinarySupportModel
from .calibration import calibrate
from .logit import LogitFit
from .mixed_logit import MixedLogitFit, MixedLogitModel
from .population import bootstrap_counts, respondents
from .results import RatifierFit
from .targets import targets


def survey_data(scenario: Scenario, ratifier: Ratifier) -> ConjointData:
    """A ratifier's survey as conjoint data over the scenario's issues (baselines: the status
    quo), with option labels in any of the scenario's languages read as option ids."""
    spec = ratifier.data
    if spec.survey is None:
        raise ConjointError(
            [
                Problem(
                    f"ratifier '{ratifier.id}'",
                    "the ratifier has no survey data, so no support model can be fitted",
                    "add data.survey: respondent-level conjoint data (polls alone cannot say how support varies across packages)",
                )
            ]
        )
    path = scenario.data_path(spec.survey)
    frame = read_table(path)
    issues = [issue.id for issue in scenario.issues]
    missing = [i for i in issues if i not in frame.columns]
    if missing:
        raise ConjointError(
            [
                Problem(
                    f"column '{issue}'",
                    f"the survey has no column for issue '{issue}'",
                    "add the column (the option shown on each profile), or remove the issue from the scenario",
                )
                for issue in missing
            ],
            source=path,
        )
    frame = frame.copy()
    for issue, names in scenario.option_names().items():
        mapped = frame[issue].map(names)
        frame[issue] = mapped.where(mapped.notna(), frame[issue])
    return ConjointData(
        frame,
        spec.outcome_column,
        issues,
        id=spec.respondent,
        task=spec.task,
        profile=spec.profile,
        covariates=spec.covariates,
        levels={issue.id: [o.id for o in issue.options] for issue in scenario.issues},
        baselines=scenario.status_quo,
        source=path,
    )


def fit_ratifier(
    scenario: Scenario,
    party: Party,
    ratifier: Ratifier,
    draws: int = DRAWS,
    seed: int = 0,
    progress: Progress | None = None,
) -> RatifierFit:
    """Fit one ratifier's support model with ``draws`` bootstrap (or posterior) draws (see the
    module text)."""
    if progress is not None:
        progress(ratifier.id, 0, draws)
    if ratifier.data.survey is None:
        return fit_additive(scenario, party, ratifier, draws, seed, progress)
    data = survey_data(scenario, ratifier)
    spec = ratifier.data
    people = respondents(data, spec.covariates, ratifier.population)
    model: BinarySupportModel | MixedLogitModel
    if spec.model == "binary":
        model = BinarySupportModel(spec.covariates, [tuple(pair) for pair in spec.interactions], spec.cutoff)
    else:
        model = MixedLogitModel(optout=spec.optout, seed=seed + 1)
    model.fit(data, people)
    issues = [(issue.id, [o.id for o in issue.options]) for issue in scenario.issues]
    tables = [model.score_table(issues)]
    estimates = [_parameters(model, model.fit_)]
    for b, counts in enumerate(bootstrap_counts(people.n, draws, seed)):
        weights = people.raked(ratifier.population, counts * (people.weights * people.n))
        draw_table, parameters = _refitted(model, issues, weights)
        tables.append(draw_table)
        estimates.append(parameters)
        if progress is not None:
            progress(ratifier.id, b + 1, draws)
    table, shifts, report = calibrate(ScoreTable.stack(tables), targets(scenario, ratifier), seed=seed + 2)
    values = np.array([e.to_numpy() for e in estimates])
    coefficients = pd.DataFrame(
        {"estimate": estimates[0].to_numpy(), "std_error": values[1:].std(axis=0, ddof=1) if draws > 1 else np.nan},
        index=estimates[0].index,
    )
    warnings = [*getattr(model, "warnings_", []), *report.attrs.get("warnings", [])]
    return RatifierFit(party, ratifier, data, people, model, table, coefficients, report, float(shifts[0]), warnings)


def fit_scenario(
    scenario: Scenario, draws: int = DRAWS, seed: int = 0, progress: Progress | None = None
) -> dict[str, RatifierFit]:
    """Every ratifier's fitted support model, by ratifier id (seeds differ between ratifiers);
    every ratifier without usable survey evidence is refused at once, before any is fitted."""
    require_evidence(scenario)
    return {
        ratifier.id: fit_ratifier(scenario, party, ratifier, draws, seed + 1000 * i, progress)
        for i, (party, ratifier) in enumerate(scenario.ratifiers)
    }


def amce_table(fit: RatifierFit) -> pd.DataFrame:
    """AMCEs of the ratifier's survey (respondent clusters, cregg's conventions); for the additive
    model, its options' posterior effects (see :func:`posterior_effects`)."""
    if fit.data is None:
        assert fit.effects is not None  # fit_additive gives every fit without a survey its effects
        return fit.effects
    return amce(fit.data)


def _refitted(
    model: BinarySupportModel | MixedLogitModel, issues: Sequence[tuple[str, Sequence[str]]], weights: np.ndarray
) -> tuple[ScoreTable, pd.Series]:
    """One bootstrap draw: the model refitted with ``weights``, its table and its parameters."""
    if isinstance(model, BinarySupportModel):
        logit_fit = model.refit(weights)
        return model.score_table(issues, weights, logit_fit), _parameters(model, logit_fit)
    mixed_fit = model.refit(weights)
    return model.score_table(issues, weights, mixed_fit), _parameters(model, mixed_fit)


def _parameters(model: BinarySupportModel | MixedLogitModel, fit: LogitFit | MixedLogitFit) -> pd.Series:
    if isinstance(model, BinarySupportModel) and isinstance(fit, LogitFit):
        return pd.Series(fit.coef, index=[name.removesuffix("[]") for name in fit.names])
    if isinstance(model, MixedLogitModel) and isinstance(fit, MixedLogitFit):
        names = model.tasks_.names
        return pd.Series(
            np.concatenate([fit.mean, np.abs(fit.sd)]),
            index=[f"mean {n}" for n in names] + [f"sd {n}" for n in names],
        )
    raise TypeError(f"a {type(model).__name__} has no parameters in a {type(fit).__name__}")

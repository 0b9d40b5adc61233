"""Fitting the Bayesian additive model of a ratifier without a survey (see :mod:`.additive`), and
what its results say of the evidence: the polls it reproduces or misses, the options the polls say
almost nothing of, the verdicts that rest on the prior."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from scipy.special import expit

from ..defaults import DRAWS, INTERVAL
from ..scenario import Party, Ratifier, Scenario
from ..scoretable import ScoreTable
from .additive import AdditiveSupportModel, Poll
from .calibration import Target, poll_columns
from .priors import additive_prior
from .results import RatifierFit
from .targets import targets

Progress = Callable[[str, int, int], None]


def fit_additive(
    scenario: Scenario,
    party: Party,
    ratifier: Ratifier,
    draws: int = DRAWS,
    seed: int = 0,
    progress: Progress | None = None,
) -> RatifierFit:
    """The Bayesian additive model of a ratifier without a survey, from its polls and prior."""
    polls = targets(scenario, ratifier)
    model = AdditiveSupportModel(additive_prior(scenario, ratifier))
    model.fit([Poll(t.codes, t.support, t.n, t.label) for t in polls])
    table = model.score_table(draws, seed=seed + 2)
    if progress is not None:
        progress(ratifier.id, draws, draws)
    names = _parameter_names(scenario, model)
    coefficients = pd.DataFrame(
        {
            "estimate": model.mode_,
            "std_error": np.sqrt(np.diag(model.covariance_)),
            "prior_mean": model.prior.mean,
            "prior_sd": model.prior.sd,
            "information": model.information_,
        },
        index=names,
    )
    codes = np.array([t.codes for t in polls]).reshape(len(polls), len(scenario.issues))
    # support under the prior's means, and the prior's own spread of it (delta method)
    x = model.design(codes)
    prior_support = expit(x @ model.prior.mean)
    prior_spread = prior_support * (1 - prior_support) * np.sqrt((x**2) @ model.prior.sd**2)
    fitted = model.support(codes)
    goal = np.array([t.support for t in polls])
    se = np.array([t.std_error for t in polls])
    report = pd.DataFrame(
        {
            **poll_columns(polls),
            "prior": [float(t.as_published(b)) for t, b in zip(polls, prior_support, strict=True)],
            "fitted": [float(t.as_published(a)) for t, a in zip(polls, fitted, strict=True)],
            "z_prior": (prior_support - goal) / np.sqrt(se**2 + prior_spread**2),
            "z_fitted": (fitted - goal) / se,
        }
    )
    effects = posterior_effects(scenario, table)
    uninformed = [name for name, share in zip(names[1:], model.information_[1:], strict=True) if share < UNINFORMED]
    if draws and model.ess_ < draws:
        rough = (
            f"the posterior draws rest on {model.ess_:.0f} effective candidates, fewer than the {draws} draws: "
            "their intervals are rough (the polls and the prior may disagree sharply)"
        )
        warnings_ess = [rough]
    else:
        warnings_ess = []
    pronoun = "its" if len(uninformed) == 1 else "their"
    if not polls:
        warnings = [f"no polls: all that is said of this public's support is its prior's, {model.prior.source}"]
    elif uninformed:
        unseen = ", ".join(uninformed)
        said = (
            f"the polls say almost nothing of {unseen} (under a tenth of the precision of {pronoun} effect): what is said of {pronoun} "
            f"effect is the prior's ({model.prior.source})"
        )
        warnings = [said]
    else:
        warnings = []
    warnings += warnings_ess + _misfit(polls, report)
    return RatifierFit(party, ratifier, None, None, model, table, coefficients, report, 0.0, warnings, effects)


MIN_P_DRAWS = 100  # posterior draws below which an effect's p is not given
MISFIT_Z = 2.58  # a poll this many standard errors from the fitted model (99%) is flagged


def _misfit(polls: Sequence[Target], report: pd.DataFrame) -> list[str]:
    """A warning for each poll the fitted model does not reproduce within 2.58 standard errors:
    polls that contradict each other (or the prior), house effects, questions that were not about
    the package cited."""
    far = [f"{t.source} ({z:+.1f} se)" for t, z in zip(polls, report["z_fitted"], strict=True) if abs(z) > MISFIT_Z]
    if not far:
        return []
    listed = ", ".join(far[:5]) + (" ..." if len(far) > 5 else "")
    message = (
        f"the fitted model misses {len(far)} of {len(polls)} polls by more than {MISFIT_Z} standard errors: "
        f"{listed}. The polls disagree with each other or with the prior (another question, another "
        "population, a house effect): its intervals are too narrow"
    )
    return [message]


def _parameter_names(scenario: Scenario, model: AdditiveSupportModel) -> list[str]:
    columns = [f"{issue.id}[{option.id}]" for issue in scenario.issues for option in issue.options]
    return ["(status quo level)"] + [c for c, free in zip(columns, model.prior.free, strict=True) if free]


PRIOR_ALONE = 0.5  # a verdict "rests on the prior" where the polls gave less of its precision than this
UNINFORMED = 0.1  # an option's effect is the prior's where the polls gave less of its precision than this


def evidence_notes(scenario: Scenario, fits: dict[str, RatifierFit], codes: Sequence[int]) -> list[str]:
    """Plain-words warnings for a package, for each public without a survey whose support for it
    rests on its prior: the package has options whose effect no poll informs (the polls gave
    under a tenth of its precision), or the polls gave under half the precision of its support."""
    notes = []
    for rid, fit in fits.items():
        if not isinstance(fit.model, AdditiveSupportModel) or not len(fit.calibration):
            continue  # a survey model, or a public without polls (prior_only says so once)
        information = max(float(fit.model.information([codes])[0]), 0.0)
        uninformed = fit.coefficients.index[1:][fit.coefficients["information"].to_numpy()[1:] < UNINFORMED]
        chosen = {f"{issue.id}[{issue.options[c].id}]" for issue, c in zip(scenario.issues, codes, strict=True)}
        unseen = [name for name in uninformed if name in chosen]
        source = fit.model.prior.source
        if unseen:
            notes.append(
                f"{rid}: the polls say almost nothing of {', '.join(unseen)}, so the model's word on {'its' if len(unseen) == 1 else 'their'} "
                f"effect is its prior's ({source}); of this package's support as a whole, the polls gave "
                f"{information:.0%} of the precision"
            )
        elif information < PRIOR_ALONE:
            notes.append(
                f"{rid}'s support for this package rests mostly on its prior ({source}): the polls gave "
                f"{information:.0%} of its precision"
            )
    return notes


def prior_only(fits: dict[str, RatifierFit]) -> list[str]:
    """A warning for each public without a survey or polls: all that is said of it is its prior's."""
    return [
        f"{rid} has no survey and no polls: all that is said of its support is its prior's, {fit.model.prior.source}"
        for rid, fit in fits.items()
        if isinstance(fit.model, AdditiveSupportModel) and not len(fit.calibration)
    ]


def posterior_effects(scenario: Scenario, table: ScoreTable) -> pd.DataFrame:
    """Each option's effect on support for the status quo package, in points (fractions), from an
    additive model's table: the posterior mode's, and the draws' standard deviation and 90%
    interval; 0 for the status quo's own options. Columns as an AMCE table's (``z``: the estimate
    over its sd; ``p``: twice the posterior probability of the less likely sign)."""
    rows = []
    offset = 0
    for issue in scenario.issues:
        for j, option in enumerate(issue.options):
            effect = expit(table.intercepts + table.coefficients[:, offset + j]) - expit(table.intercepts)
            draws = effect[1:] if len(effect) > 1 else effect
            sd = float(draws.std(ddof=1)) if len(draws) > 1 else np.nan
            own = option.id == scenario.status_quo[issue.id]
            rows.append(
                {
                    "feature": issue.id,
                    "level": option.id,
                    "estimate": float(effect[0]),
                    "std_error": 0.0 if own else sd,
                    "z": np.nan if own or not sd else float(effect[0]) / sd,
                    # twice the posterior probability of the less likely sign (as a two-sided p);
                    # none from fewer than MIN_P_DRAWS draws, where it would be noise
                    "p": np.nan
                    if own or len(effect) - 1 < MIN_P_DRAWS
                    else float(2 * min((draws > 0).mean(), (draws < 0).mean())),
                    "lower": float(np.quantile(draws, INTERVAL[0])),
                    "upper": float(np.quantile(draws, INTERVAL[1])),
                }
            )
        offset += len(issue.options)
    return pd.DataFrame(rows)

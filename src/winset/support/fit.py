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

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import expit

from ..compare import meets
from ..conjoint import amce
from ..conjoint.data import ConjointData, ConjointError, read_table
from ..defaults import DRAWS, INTERVAL
from ..errors import Problem
from ..scenario import Party, Ratifier, Scenario
from ..scenario.evidence import require_evidence
from ..scenario.polls import read_polls, topline
from ..scoretable import ScoreTable
from .additive import AdditiveSupportModel, Poll
from .binary import BinarySupportModel
from .calibration import Target, calibrate
from .logit import LogitFit
from .mixed_logit import MixedLogitFit, MixedLogitModel
from .population import Respondents, bootstrap_counts, respondents
from .priors import additive_prior

Progress = Callable[[str, int, int], None]


@dataclass
class RatifierFit:
    """A ratifier's fitted support model and everything reported about it."""

    party: Party
    ratifier: Ratifier
    data: ConjointData | None  # the survey (None: the additive model, from polls and a prior)
    respondents: Respondents | None
    model: BinarySupportModel | MixedLogitModel | AdditiveSupportModel
    table: ScoreTable  # calibrated; group 0 = estimate, 1.. = bootstrap (or posterior) draws
    coefficients: pd.DataFrame  # estimate and standard error per model parameter
    calibration: pd.DataFrame  # the polls: matched by calibration, or learned from
    shift: float  # calibration shift of the estimate, logit scale (0 for the additive model)
    warnings: list[str] = field(default_factory=list)  # fits that stopped short but are usable
    effects: pd.DataFrame | None = None  # the additive model's option effects (posterior_effects)

    @property
    def kind(self) -> str:
        """The model, in words."""
        if isinstance(self.model, AdditiveSupportModel):
            return "Bayesian additive (polls and prior)"
        return "choice (mixed logit)" if isinstance(self.model, MixedLogitModel) else "binary support (logit)"

    @property
    def evidence(self) -> str:
        """What the model rests on, in words: the survey's respondents, or the polls and the prior."""
        if self.respondents is None or self.data is None:
            assert isinstance(self.model, AdditiveSupportModel)
            polls = len(self.calibration)
            if not polls:
                return f"no polls: {self.model.prior.source}"
            return f"{polls} poll{'' if polls == 1 else 's'} and {self.model.prior.source}"
        return f"a survey of {self.respondents.n:,} respondents ({self.data.n_rows:,} profiles)"

    def summary(self) -> str:
        """A few lines: the ratifier, its model and evidence, the calibration shift and the
        draws."""
        draws = self.table.n_groups - 1
        lines = [f"Ratifier '{self.ratifier.id}' of party '{self.party.id}': {self.kind} model."]
        if isinstance(self.model, AdditiveSupportModel):
            lines.append(f"Evidence: {self.evidence}; parameters: {len(self.coefficients)}; posterior draws: {draws}.")
        else:
            assert self.respondents is not None and self.data is not None
            sample = f"Respondents: {self.respondents.n}; rows: {self.data.n_rows}; "
            sample += f"parameters: {len(self.coefficients)}; bootstrap draws: {draws}."
            targets = len(self.calibration)
            lines += [
                sample,
                f"Calibration shift (logit): {self.shift:+.4f} to {targets} poll target{'' if targets == 1 else 's'}.",
            ]
        lines += [f"Warning: {w}" for w in self.warnings]
        return "\n".join(lines)

    def support(self, codes: np.ndarray) -> pd.DataFrame:
        """Support of packages: estimate, bootstrap mean, 90% interval, probability the rule is met
        (the share of draws in which support meets the threshold, as the engine decides it)."""
        values = self.table.support(np.atleast_2d(codes))
        draws = values[1:] if len(values) > 1 else values
        threshold = self.ratifier.rule.threshold
        return pd.DataFrame(
            {
                "estimate": values[0],
                "mean": draws.mean(axis=0),
                "lower": np.quantile(draws, INTERVAL[0], axis=0),
                "upper": np.quantile(draws, INTERVAL[1], axis=0),
                "p_rule_met": meets(draws, threshold).mean(axis=0),
            }
        )


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
    for issue in scenario.issues:
        names = {o.id: o.id for o in issue.options}
        for option in issue.options:
            label = option.label if isinstance(option.label, dict) else {"": option.label} if option.label else {}
            names.update({text: option.id for text in label.values()})
        mapped = frame[issue.id].map(names)
        frame[issue.id] = mapped.where(mapped.notna(), frame[issue.id])
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


def targets(scenario: Scenario, ratifier: Ratifier) -> list[Target]:
    """The ratifier's calibration targets, read from its polls file (refused, as ``winset check``
    refuses them, if a cited line cannot serve as a target)."""
    if not ratifier.calibration:
        return []
    polls_file = ratifier.data.polls
    assert polls_file is not None  # the scenario's checks refuse calibration targets without a polls file
    path = scenario.data_path(polls_file)
    polls = read_polls(path)
    where = next(
        f"parties[{i}].ratifiers[{j}]"
        for i, party in enumerate(scenario.parties)
        for j, candidate in enumerate(party.ratifiers)
        if candidate.id == ratifier.id
    )
    out = []
    for k, target in enumerate(ratifier.calibration):
        share, n = topline(polls, target.line, target.side, target.dont_know, target.n, f"{where}.calibration[{k}]")
        row = polls.row(target.line)
        assert row is not None  # topline() has refused a line with no row
        answer = f" ({row['option']})" if row.get("option") else ""
        label = (
            target.label
            or f"{row.get('pollster') or ''} {row.get('fieldwork') or ''}: {row.get('question') or ''}{answer}".strip()
        )
        out.append(
            Target(
                label=label,
                codes=scenario.space.parse(scenario.resolve_package(target.package)),
                share=share,
                n=n,
                side=target.side,
                dont_know=target.dont_know,
                source=f"{ratifier.data.polls}:{target.line}",
            )
        )
    return out


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
    prior_model = AdditiveSupportModel(model.prior).fit([])
    prior_support = prior_model.support(codes) if polls else np.zeros(0)
    # the prior's own spread of each polled package's support (delta method), beside the poll's
    prior_spread = np.zeros(0)
    if polls:
        x = prior_model.design(codes)
        prior_spread = prior_support * (1 - prior_support) * np.sqrt((x**2) @ model.prior.sd**2)
    fitted = model.support(codes) if polls else np.zeros(0)
    goal = np.array([t.support for t in polls])
    se = np.array([t.std_error for t in polls])
    report = pd.DataFrame(
        {
            "target": [t.label for t in polls],
            "source": [t.source for t in polls],
            "side": [t.side for t in polls],
            "poll": [t.share for t in polls],
            "prior": [float(t.as_published(b)) for t, b in zip(polls, prior_support, strict=True)],
            "fitted": [float(t.as_published(a)) for t, a in zip(polls, fitted, strict=True)],
            "z_prior": (prior_support - goal) / np.sqrt(se**2 + prior_spread**2) if polls else [],
            "z_fitted": (fitted - goal) / se if polls else [],
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
        warnings = [f"no polls: all that is said of this public's support is its prior's ({model.prior.source})"]
    elif uninformed:
        unseen = ", ".join(uninformed)
        said = (
            f"the polls say almost nothing of {unseen} (under a tenth of the precision): what is said of {pronoun} "
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
                f"effect is its prior's ({source}); the polls gave {information:.0%} of the precision of this support"
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
        f"{rid} has no survey and no polls: all that is said of its support is its prior's ({fit.model.prior.source})"
        for rid, fit in fits.items()
        if isinstance(fit.model, AdditiveSupportModel) and not len(fit.calibration)
    ]


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

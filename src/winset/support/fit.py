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

from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from ..conjoint import amce
from ..conjoint.data import ConjointData, ConjointError, read_table
from ..conjoint.reliability import Repeats, split_repeats
from ..defaults import DRAWS, cores
from ..errors import Problem
from ..scenario import Party, Ratifier, Scenario
from ..scenario.evidence import require_evidence
from ..scoretable import ScoreTable
from .additive_fit import Progress, fit_additive
from .binary import BinarySupportModel
from .calibration import calibrate
from .groups import GroupSplit, group_shares, split_respondents
from .logit import LogitFit
from .mixed_logit import POPULATION_DRAWS, MixedLogitFit, MixedLogitModel
from .population import Respondents, bootstrap_counts, respondents
from .response_error import ResponseError, agreement, flip_rate
from .results import RatifierFit
from .targets import targets


def survey_data(scenario: Scenario, ratifier: Ratifier, frame: pd.DataFrame | None = None) -> ConjointData:
    """A ratifier's survey as conjoint data over the scenario's issues (baselines: the status
    quo), with option labels in any of the scenario's languages read as option ids; ``frame``
    stands in for the survey file (simulated answers in its columns)."""
    spec = ratifier.data
    if spec.survey is None and frame is None:
        raise ConjointError(
            [
                Problem(
                    f"ratifier '{ratifier.id}'",
                    "the ratifier has no survey data, so no support model can be fitted",
                    "add data.survey: respondent-level conjoint data (polls alone cannot say how support varies across packages)",
                )
            ]
        )
    path = None
    if frame is None:
        assert spec.survey is not None  # refused above
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
    data: ConjointData | None = None,
) -> RatifierFit:
    """Fit one ratifier's support model with ``draws`` bootstrap (or posterior) draws (see the
    module text), to ``data`` in place of the ratifier's survey where given."""
    if progress is not None:
        progress(ratifier.id, 0, draws)
    if data is None and ratifier.data.survey is None:
        return fit_additive(scenario, party, ratifier, draws, seed, progress)
    data = survey_data(scenario, ratifier) if data is None else data
    data, repeats = _without_repeats(ratifier, data)
    if ratifier.groups is not None:
        return _fit_groups(scenario, party, ratifier, data, repeats, draws, seed, progress)
    people = respondents(data, ratifier.data.covariates, ratifier.population)
    model, tables, estimates, weights = _fit_survey(scenario, ratifier, data, people, draws, seed, progress)
    measured = ScoreTable.stack(tables)
    table, shifts, report = calibrate(measured, targets(scenario, ratifier), seed=seed + 2)
    warnings = [*getattr(model, "warnings_", []), *report.attrs.get("warnings", [])]
    error = None
    if repeats is not None:
        agreed = agreement(repeats.agree, repeats.answers, weights)
        error = _response_error(scenario, repeats, agreed, measured, [(model, weights, 1.0)], warnings)
    return RatifierFit(
        party,
        ratifier,
        data,
        people,
        model,
        table,
        _coefficients(estimates),
        report,
        float(shifts[0]),
        warnings,
        rows=_row_labels(model),
        response_error=error,
    )


def _without_repeats(ratifier: Ratifier, data: ConjointData) -> tuple[ConjointData, Repeats | None]:
    """The survey without its repeated task's rows, and what those rows say of the answers' error
    (None where the survey has no repeated task). A rating is compared as the model reads it:
    support or not, at the cutoff."""
    spec = ratifier.data
    if spec.repeated is None:
        return data, None
    answers = data if spec.cutoff is None else data.with_outcome(data.y >= spec.cutoff)
    repeats = split_repeats(answers, spec.task, spec.repeated)
    return data.take(repeats.rows), repeats


def _response_error(
    scenario: Scenario,
    repeats: Repeats,
    agreed: np.ndarray,
    measured: ScoreTable,
    parts: Sequence[tuple[BinarySupportModel | MixedLogitModel, np.ndarray, float]],
    warnings: list[str],
) -> ResponseError:
    """The answer error per draw, from the weighted counts of agreeing and compared repeated
    answers (2 x draws), and for a binary survey the model refitted with the flips in its
    likelihood: each of ``parts`` (the public's model, or its groups': model, respondent weights
    per draw, population share) at each draw's error rate. Says where a bootstrap draw's repeated
    tasks gave no error rate."""
    with np.errstate(invalid="ignore", divide="ignore"):  # a draw without a repeated task: NaN
        irr = agreed[0] / agreed[1]
    tau = flip_rate(irr)
    corrected, unconverged = None, None
    if all(isinstance(model, BinarySupportModel) for model, _, _ in parts):
        unconverged = np.zeros(len(irr), dtype=bool)
        issues = [(issue.id, [o.id for o in issue.options]) for issue in scenario.issues]
        flips = np.nan_to_num(tau)  # a draw without an error rate is fitted as it is, and left out
        per_draw: list[list[ScoreTable]] = [[] for _ in range(len(irr))]
        for model, weights, share in parts:
            assert isinstance(model, BinarySupportModel)
            for d, (w, fitted) in enumerate(zip(weights, model.refit_flipped(weights, flips), strict=True)):
                unconverged[d] |= np.isnan(fitted.loglik)
                table = model.score_table(issues, w, fitted)
                per_draw[d].append(replace(table, weights=table.weights * share))
        corrected = ScoreTable.stack([_one_group(ScoreTable.stack(tables)) for tables in per_draw])
    error = ResponseError(repeats.reliability, irr, measured, corrected, unconverged)
    if unconverged is not None and unconverged.any():
        stopped = int(unconverged[1:].sum())
        if unconverged[0]:
            warnings.append("the model of the flipped answers does not converge: no corrected support can be given")
        if stopped:
            warnings.append(
                f"in {stopped} of {len(irr) - 1} bootstrap draws the model of the flipped answers does not converge: "
                "those draws are left out of the corrected support's intervals"
            )
    if not irr[0] > 0.5:
        warnings.append(
            f"weighted to the population, the repeated tasks agree {irr[0]:.1%} of the time, no more than chance: "
            "no corrected support can be given"
        )
    if error.failed_draws:
        warnings.append(
            f"in {error.failed_draws} of {len(irr) - 1} bootstrap draws the repeated tasks agree no more than "
            "chance: those draws are left out of the corrected support's intervals"
        )
    return error


def _fit_survey(
    scenario: Scenario,
    ratifier: Ratifier,
    data: ConjointData,
    people: Respondents,
    draws: int,
    seed: int,
    progress: Progress | None,
) -> tuple[BinarySupportModel | MixedLogitModel, list[ScoreTable], list[pd.Series], np.ndarray]:
    """The support model fitted to ``data``, its table per draw (the estimate, then the
    bootstrap's), its parameters per draw, and the respondents' weights per draw (draws + 1 x
    respondents, each row summing to one)."""
    spec = ratifier.data
    model: BinarySupportModel | MixedLogitModel
    if spec.model == "binary":
        split = ratifier.groups.covariate if ratifier.groups is not None else None
        interactions = [(a, b) for a, b in spec.interactions if split not in (a, b)]
        model = BinarySupportModel(_covariates(ratifier), interactions, spec.cutoff)
    else:
        model = MixedLogitModel(optout=spec.optout, seed=seed + 1)
    model.fit(data, people)
    issues = [(issue.id, [o.id for o in issue.options]) for issue in scenario.issues]
    tables = [model.score_table(issues)]
    estimates = [_parameters(model, model.fit_)]
    margins = _margins(ratifier)
    resampled = np.array(
        [
            people.raked(margins, counts * (people.weights * people.n))
            for counts in bootstrap_counts(people.n, draws, seed)
        ]
    ).reshape(draws, people.n)
    for b, (draw_table, parameters) in enumerate(_refitted(model, issues, resampled)):
        tables.append(draw_table)
        estimates.append(parameters)
        if progress is not None:
            progress(ratifier.id, b + 1, draws)
    return model, tables, estimates, np.vstack([people.weights[None, :], resampled])


def _fit_groups(
    scenario: Scenario,
    party: Party,
    ratifier: Ratifier,
    data: ConjointData,
    repeats: Repeats | None,
    draws: int,
    seed: int,
    progress: Progress | None,
) -> RatifierFit:
    """Post-stratification: the model fitted (and bootstrapped) within each group, its
    respondents raked to the other covariates' population margins, each draw's rows weighted by
    the groups' population shares, then calibrated to the polls as a whole. One answer error for
    the whole public: its repeated answers weighted as the groups' respondents are."""
    assert ratifier.groups is not None
    where = f"{scenario.location(ratifier.id)}.groups"
    names, member, outside = split_respondents(ratifier.groups, data, where, scenario.source)
    everyone = respondents(data, ratifier.data.covariates)
    of_respondent = np.empty(everyone.n, dtype=np.int64)
    of_respondent[everyone.row_respondent] = member  # constant within a respondent (checked)
    inside = of_respondent >= 0
    sample = np.bincount(of_respondent[inside], weights=everyone.weights[inside], minlength=len(names))
    shares, stated = group_shares(ratifier.groups, names, sample / sample.sum(), where, scenario.source)
    per_draw: list[list[ScoreTable]] = [[] for _ in range(draws + 1)]
    estimates, models, counts, labels = [], [], [], []
    agreed = np.zeros((2, draws + 1))
    fitted_groups = []
    for g in range(len(names)):
        rows = np.flatnonzero(member == g)
        subset = data.take(rows)
        people = respondents(subset, _covariates(ratifier), _margins(ratifier))
        counts.append(people.n)
        model, tables, group_estimates, weights = _fit_survey(
            scenario, ratifier, subset, people, draws, seed + 7 * g, _group_progress(progress, g, len(names))
        )
        if repeats is not None:
            assert data.clusters is not None  # respondents() needs them
            own = np.unique(data.clusters[rows])  # the subset's respondents, in its order, as the data's
            agreed += shares[g] * agreement(repeats.agree[own], repeats.answers[own], weights)
            fitted_groups.append((model, weights, float(shares[g])))
        models.append(model)
        # the group's rows carry one of its respondents' own values of the group covariate
        labels.append(
            _row_labels(model).assign(**{ratifier.groups.covariate: subset.frame[ratifier.groups.covariate].iloc[0]})
        )
        for d, table in enumerate(tables):
            per_draw[d].append(replace(table, weights=table.weights * shares[g]))
        estimates.append(group_estimates)
    cells = np.concatenate([np.full(t.n_rows, g) for tables in per_draw for g, t in enumerate(tables)])
    measured = ScoreTable.stack([_one_group(ScoreTable.stack(tables)) for tables in per_draw])
    table, shifts, report = calibrate(measured, targets(scenario, ratifier), seed=seed + 2)
    split = GroupSplit(ratifier.groups.covariate, tuple(names), tuple(shares), stated, tuple(counts), cells)
    warnings = [w for m in models for w in getattr(m, "warnings_", [])] + report.attrs.get("warnings", [])
    if outside:
        warnings.append(f"{outside:,} respondents fall in no group of '{split.covariate}' and are left out")
    error = None if repeats is None else _response_error(scenario, repeats, agreed, measured, fitted_groups, warnings)
    parts = []
    for name, group_estimates in zip(names, estimates, strict=True):
        part = _coefficients(group_estimates)
        part.index = [f"{name}: {p}" for p in part.index]
        parts.append(part)
    coefficients = pd.concat(parts)
    return RatifierFit(
        party,
        ratifier,
        data,
        everyone,
        models[0],
        table,
        coefficients,
        report,
        float(shifts[0]),
        warnings,
        groups=split,
        rows=pd.concat(labels, ignore_index=True),
        response_error=error,
    )


def _row_labels(model: BinarySupportModel | MixedLogitModel) -> pd.DataFrame:
    """The covariate values of each row of the model's estimate table, in its order (none for a
    mixed logit, whose rows are simulated members of the whole public)."""
    if isinstance(model, BinarySupportModel):
        return model.cell_labels()
    return pd.DataFrame(index=pd.RangeIndex(POPULATION_DRAWS))


def _covariates(ratifier: Ratifier) -> list[str]:
    """The covariates of the support model: within a group, all but the group's own (constant
    there); the respondents a model is fitted to carry exactly these, in this order."""
    split = ratifier.groups.covariate if ratifier.groups is not None else None
    return [c for c in ratifier.data.covariates if c != split]


def _margins(ratifier: Ratifier) -> dict[str, dict[str, float]]:
    """The population margins respondents are raked to: within a group, every margin but the
    group covariate's (each group is taken to resemble the whole population on the others)."""
    split = ratifier.groups.covariate if ratifier.groups is not None else None
    return {name: shares for name, shares in ratifier.population.items() if name != split}


def _group_progress(progress: Progress | None, group: int, groups: int) -> Progress | None:
    """Progress of one group's fit as part of the whole ratifier's (the groups one after another)."""
    if progress is None:
        return None

    def step(ratifier: str, done: int, total: int) -> None:
        progress(ratifier, (group * total + done) // groups, total)

    return step


def _one_group(table: ScoreTable) -> ScoreTable:
    """The table's rows as one group."""
    return replace(table, groups=np.zeros(table.n_rows, dtype=np.int64))


def _coefficients(estimates: list[pd.Series]) -> pd.DataFrame:
    """Each parameter's estimate and its bootstrap standard error."""
    values = np.array([e.to_numpy() for e in estimates])
    return pd.DataFrame(
        {
            "estimate": estimates[0].to_numpy(),
            "std_error": values[1:].std(axis=0, ddof=1) if len(values) > 2 else np.nan,
        },
        index=estimates[0].index,
    )


def fit_scenario(
    scenario: Scenario,
    draws: int = DRAWS,
    seed: int = 0,
    progress: Progress | None = None,
    workers: int | None = None,
) -> dict[str, RatifierFit]:
    """Every ratifier's fitted support model, by ratifier id (seeds differ between ratifiers);
    every ratifier without usable survey evidence is refused at once, before any is fitted.

    The ratifiers are fitted side by side on ``workers`` threads (default: one per core, at most
    one per ratifier), each with the results it would have alone: numpy releases the interpreter
    in its loops, and BLAS is held to one thread meanwhile so that the threads share the cores
    rather than oversubscribe them. ``progress`` may then be called from several threads."""
    require_evidence(scenario)
    jobs = [(party, ratifier, seed + 1000 * i) for i, (party, ratifier) in enumerate(scenario.ratifiers)]
    workers = min(len(jobs), workers or cores())
    if workers <= 1:
        return {r.id: fit_ratifier(scenario, party, r, draws, s, progress) for party, r, s in jobs}
    # the slowest kinds of fit start first, so that one does not start last and run alone
    started = sorted(jobs, key=lambda job: _kind_of_fit(job[1]))
    with threadpool_limits(1, user_api="blas"), ThreadPoolExecutor(workers) as pool:
        futures = {r.id: pool.submit(fit_ratifier, scenario, party, r, draws, s, progress) for party, r, s in started}
        try:
            return {r.id: futures[r.id].result() for _, r, _ in jobs}
        except BaseException:
            pool.shutdown(cancel_futures=True)  # a failed fit or an interrupt: start no other
            raise


def _kind_of_fit(ratifier: Ratifier) -> int:
    """0 for a choice survey (a mixed logit by simulated likelihood, the slowest), 1 for a binary
    one, 2 without a survey."""
    if ratifier.data.survey is None:
        return 2
    return 0 if ratifier.data.model == "choice" else 1


def amce_table(fit: RatifierFit) -> pd.DataFrame:
    """AMCEs of the ratifier's survey (respondent clusters, cregg's conventions); for the additive
    model, its options' posterior effects (see :func:`posterior_effects`)."""
    if fit.data is None:
        assert fit.effects is not None  # fit_additive gives every fit without a survey its effects
        return fit.effects
    return amce(fit.data)


def _refitted(
    model: BinarySupportModel | MixedLogitModel, issues: Sequence[tuple[str, Sequence[str]]], resampled: np.ndarray
) -> Iterator[tuple[ScoreTable, pd.Series]]:
    """The bootstrap draws: the model refitted with each row of ``resampled`` (draws x
    respondents), each draw's table and parameters. The logistic draws are fitted all at once."""
    if isinstance(model, BinarySupportModel):
        for weights, logit_fit in zip(resampled, model.refit_draws(resampled), strict=True):
            yield model.score_table(issues, weights, logit_fit), _parameters(model, logit_fit)
        return
    for weights in resampled:
        mixed_fit = model.refit(weights)
        yield model.score_table(issues, weights, mixed_fit), _parameters(model, mixed_fit)


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

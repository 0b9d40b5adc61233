"""A ratifier's fitted support model and everything reported about it (:class:`RatifierFit`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..compare import meets
from ..conjoint.data import ConjointData
from ..defaults import INTERVAL
from ..scenario import Party, Ratifier, share_threshold
from ..scoretable import ScoreTable
from .additive import AdditiveSupportModel
from .binary import BinarySupportModel
from .groups import GroupSplit
from .mixed_logit import MixedLogitModel
from .population import Respondents
from .response_error import ResponseError


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
    groups: GroupSplit | None = None  # the public's groups, for rules that count them (post-stratified)
    rows: pd.DataFrame | None = None  # each estimate row's covariate values (None: the additive model)
    response_error: ResponseError | None = None  # the answers' error, where the survey repeats a task

    @property
    def additive(self) -> bool:
        """Whether this is the additive model of a public without a survey (no respondents)."""
        return isinstance(self.model, AdditiveSupportModel)

    @property
    def kind(self) -> str:
        """The model, in words."""
        if self.additive:
            return "Bayesian additive (polls and prior)"
        if isinstance(self.model, MixedLogitModel):
            return "choice against the status quo (mixed logit)"
        return "binary support (logistic regression)"

    @property
    def evidence(self) -> str:
        """What the model rests on, in words: the survey's respondents, or the polls and the prior."""
        if self.respondents is None or self.data is None:
            assert isinstance(self.model, AdditiveSupportModel)  # the only model without respondents
            polls = len(self.calibration)
            if not polls:
                return f"no polls: {self.model.prior.source}"
            return f"{polls} poll{'' if polls == 1 else 's'} and {self.model.prior.source}"
        survey = f"a survey of {self.respondents.n:,} respondents ({self.data.n_rows:,} profiles)"
        return survey if self.groups is None else f"{survey}, post-stratified by {self.groups.describe()}"

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
        (the share of draws in which support meets the threshold, as the engine decides it; for a
        rule that is not a share of the whole public, missing: the engine decides it)."""
        values = self.table.support(np.atleast_2d(codes))
        draws = values[1:] if len(values) > 1 else values
        threshold = share_threshold(self.ratifier.rule)
        return pd.DataFrame(
            {
                "estimate": values[0],
                "mean": draws.mean(axis=0),
                "lower": np.quantile(draws, INTERVAL[0], axis=0),
                "upper": np.quantile(draws, INTERVAL[1], axis=0),
                "p_rule_met": meets(draws, threshold).mean(axis=0) if threshold is not None else np.nan,
            }
        )

    def corrected_support(self, codes: np.ndarray) -> pd.DataFrame:
        """Support of packages as the survey measured it (``measured``: before calibration) and
        corrected for the answers' error (see :mod:`winset.support.response_error`): estimate,
        bootstrap mean, 90% interval, probability the rule is met (for a rule that is a share of
        the whole public). Draws without an error rate are left out. Refused without a repeated task."""
        if self.response_error is None:
            raise ValueError(f"ratifier '{self.ratifier.id}' has no repeated task: set data.repeated")
        measured, corrected = self.response_error.support(codes)
        draws = corrected[1:] if len(corrected) > 1 else corrected
        usable = draws[~np.isnan(draws[:, 0])]
        threshold = share_threshold(self.ratifier.rule)
        empty = not len(usable)
        return pd.DataFrame(
            {
                "measured": measured[0],
                "estimate": corrected[0],
                "mean": np.nan if empty else usable.mean(axis=0),
                "lower": np.nan if empty else np.quantile(usable, INTERVAL[0], axis=0),
                "upper": np.nan if empty else np.quantile(usable, INTERVAL[1], axis=0),
                "p_rule_met": meets(usable, threshold).mean(axis=0) if threshold is not None and not empty else np.nan,
            }
        )

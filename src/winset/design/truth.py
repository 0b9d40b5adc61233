"""A public's support taken as the truth, and surveys of it simulated as the study would field them.

The truth is a fitted support model's estimate as a ScoreTable (``RatifierFit.table``, group 0): its
rows are kinds of member of the public (covariate cells of a logistic model, simulated members of
a mixed logit, a post-stratified group's cells), each with its population share as weight and its
covariate values (``RatifierFit.rows``). A simulated respondent is one row, drawn with its share,
who answers every profile shown as the model says the row would:

- a yes/no support answer: yes with probability ``logistic(score_r(P))``;
- a choice among the task's profiles and, with an opt-out, the status quo (score 0): a
  multinomial logit, the choice with the largest ``score_r(P) + Gumbel`` noise.

These are the answers the fitted models describe, so a refit of the same kind recovers the truth
as the sample grows. Profiles are valid packages drawn uniformly, distinct within a task, as the
consultation survey draws them. The truth is calibrated to the polls where the fit was, so it is
the scenario's best current picture of the public.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy.special import expit

from ..errors import ModelError, Problem
from ..scenario import Ratifier
from ..scoretable import ScoreTable
from ..space import PackageSpace, distinct_tasks
from ..support.results import RatifierFit


@dataclass(frozen=True)
class Truth:
    """A public's members by kind: the rows of ``table`` (one group, weights summing to one) with
    each row's covariate values in ``labels``."""

    space: PackageSpace
    table: ScoreTable
    labels: pd.DataFrame

    def __post_init__(self) -> None:
        if self.table.n_groups != 1 or len(self.labels) != self.table.n_rows:
            raise ModelError([Problem("truth", "needs one group of rows, each with its labels", "give group 0")])
        if self.table.link != "logistic":
            raise ModelError([Problem("truth", "simulated answers need a logistic support table", "fit support")])

    @classmethod
    def of(cls, space: PackageSpace, fit: RatifierFit) -> Truth:
        """The fit's estimate as the truth (the additive model's rows carry no covariates)."""
        table = fit.table.group(0)
        labels = fit.rows if fit.rows is not None else pd.DataFrame(index=pd.RangeIndex(table.n_rows))
        return cls(space, replace(table, weights=table.weights / table.weights.sum()), labels.reset_index(drop=True))

    @property
    def covariates(self) -> list[str]:
        return [str(c) for c in self.labels.columns]

    def support(self, codes: np.ndarray) -> np.ndarray:
        """The true support of each package."""
        return self.table.support(np.atleast_2d(codes))[0]

    def simulate(
        self,
        ratifier: Ratifier,
        respondents: int,
        tasks: int,
        profiles: int,
        rng: np.random.Generator,
    ) -> pd.DataFrame:
        """A survey of ``respondents`` members, ``tasks`` tasks of ``profiles`` profiles each,
        answered as the ratifier's survey is (its model, outcome and column names), long format."""
        spec = ratifier.data
        rows = rng.choice(self.table.n_rows, size=respondents, p=self.table.weights)
        codes = distinct_tasks(self.space, respondents * tasks, profiles, rng).reshape(-1, self.space.n_issues)
        member = np.repeat(rows, tasks * profiles)
        score = self.table.intercepts[member] + np.take_along_axis(
            self.table.coefficients[member], codes + self.table.offsets, axis=1
        ).sum(axis=1)
        for pair in self.table.pairs:
            score += pair.values[member, codes[:, pair.first], codes[:, pair.second]]
        if spec.model == "binary":
            answer = (rng.random(len(score)) < expit(score)).astype(np.int64)
        else:
            utility = score.reshape(-1, profiles)
            if spec.optout:
                utility = np.column_stack([utility, np.zeros(len(utility))])
            pick = np.argmax(utility + rng.gumbel(size=utility.shape), axis=1)
            answer = (pick[:, None] == np.arange(profiles)[None, :]).astype(np.int64).reshape(-1)
        frame = {
            spec.respondent: np.repeat(np.arange(1, respondents + 1), tasks * profiles),
            spec.task: np.tile(np.repeat(np.arange(1, tasks + 1), profiles), respondents),
            spec.profile: np.tile(np.arange(1, profiles + 1), respondents * tasks),
        }
        for k, issue in enumerate(self.space.issue_ids):
            frame[issue] = np.asarray(self.space.option_ids[k], dtype=object)[codes[:, k]]
        frame[spec.outcome_column] = answer
        for name in self.covariates:
            frame[name] = self.labels[name].to_numpy()[member]
        return pd.DataFrame(frame)

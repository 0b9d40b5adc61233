"""Respondents as a population: their characteristics, their weights, and bootstrap resamples.

Support models average over people. :class:`Respondents` holds one row per respondent of a
conjoint survey: its categorical characteristics (covariates) and its weight, from the design or
from raking to population margins. :func:`bootstrap_counts` draws respondent-cluster bootstrap
resamples as multinomial counts, so a resample is a reweighting of the same respondents.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..conjoint.data import ConjointData, ConjointError, Feature, distinct_values
from ..conjoint.ols import unit_scale
from ..errors import Problem, did_you_mean, known_list
from .raking import rake


@dataclass(frozen=True)
class Respondents:
    """One entry per respondent: covariate levels (as Features over respondents) and weights."""

    covariates: tuple[Feature, ...]
    weights: np.ndarray  # sums to one
    row_respondent: np.ndarray  # for each data row, its respondent index

    @property
    def n(self) -> int:
        return len(self.weights)

    def row_weights(self, weights: np.ndarray | None = None) -> np.ndarray:
        """Respondent weights spread over the respondent's rows."""
        return (self.weights if weights is None else weights)[self.row_respondent]

    def cells(self, weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Distinct covariate patterns (cells x covariates, level indices) and their total weight."""
        w = self.weights if weights is None else weights
        if not self.covariates:
            return np.zeros((1, 0), dtype=np.int64), np.array([w.sum()])
        codes = np.column_stack([c.codes for c in self.covariates]).astype(np.int64)
        patterns, index = np.unique(codes, axis=0, return_inverse=True)
        return patterns, np.bincount(index.reshape(-1), weights=w, minlength=len(patterns))

    def raked(self, margins: Mapping[str, Mapping[str, float]] | None, base: np.ndarray | None = None) -> np.ndarray:
        """Respondent weights raked to ``margins`` (``{covariate: {level: share}}``), starting from
        ``base`` (e.g. bootstrap counts); without margins, ``base`` normalised."""
        start = np.ones(self.n) if base is None else np.asarray(base, dtype=float)
        if not margins:
            return start / start.sum()
        by_name = {c.name: c for c in self.covariates}
        codes = {name: by_name[name].codes for name in margins}
        targets = {name: np.array([margins[name][level] for level in by_name[name].levels]) for name in margins}
        return rake(codes, targets, base=start)


def respondents(
    data: ConjointData,
    covariates: Sequence[str] = (),
    margins: Mapping[str, Mapping[str, float]] | None = None,
) -> Respondents:
    """The respondents of conjoint data, with categorical ``covariates`` (constant within each
    respondent) and weights: the data's weights if any (first row of each respondent), then raked
    to ``margins`` if given."""
    if data.clusters is None:
        raise ConjointError(
            [Problem("id", "support models need the respondent id column", "name the respondent id column")]
        )
    n = data.n_clusters
    first = np.full(n, -1)
    first[data.clusters[::-1]] = np.arange(data.n_rows - 1, -1, -1)  # first row of each respondent
    problems: list[Problem] = []
    features = []
    columns = [str(c) for c in data.frame.columns]
    for name in covariates:
        if name not in columns:
            problems.append(
                Problem(
                    f"covariate '{name}'",
                    f"the data have no column '{name}'{did_you_mean(name, columns)}",
                    f"use one of {known_list(columns)}",
                )
            )
            continue
        row_codes, distinct, order = distinct_values(data.frame[name])
        codes = pd.Index(order).get_indexer(pd.Index(distinct, tupleize_cols=False))[row_codes].astype(np.int64)
        varying = np.flatnonzero(codes != codes[first][data.clusters])
        if len(varying):
            problems.append(
                Problem(
                    f"column '{name}'",
                    f"the covariate changes within a respondent in {data.row_names(varying)}",
                    "a respondent characteristic must be the same on all of the respondent's rows",
                )
            )
            continue
        features.append(Feature(name, tuple(order), codes[first]))
    base = None if data.weights is None else unit_scale(data.weights[first])  # no sum can overflow
    if margins:
        known = {f.name: f for f in features}
        for name, shares in margins.items():
            if name not in known:
                problems.append(
                    Problem(
                        f"population margin '{name}'",
                        f"'{name}' is not a covariate of the model{did_you_mean(name, list(known))}",
                        "list it among the covariates, or remove the margin",
                    )
                )
                continue
            levels = known[name].levels
            for level in levels:
                if level not in shares:
                    problems.append(
                        Problem(
                            f"population margin '{name}'",
                            f"no population share for '{level}'",
                            f"give a share for every level: {known_list(levels)}",
                        )
                    )
            for level in shares:
                if level not in levels:
                    problems.append(
                        Problem(
                            f"population margin '{name}'",
                            f"'{level}' is not a value of '{name}' in the data{did_you_mean(level, levels)}",
                            f"the data have {known_list(levels)}",
                        )
                    )
            total = sum(shares.values())
            if abs(total - 1) > 1e-6:
                problems.append(
                    Problem(
                        f"population margin '{name}'", f"the shares sum to {total:.4f}, not 1", "make them sum to 1"
                    )
                )
    if problems:
        raise ConjointError(problems, source=data.source)
    people = Respondents(tuple(features), np.full(n, 1.0 / n), data.clusters)
    return Respondents(people.covariates, people.raked(margins, base), data.clusters)


def bootstrap_counts(n: int, draws: int, seed: int | None) -> np.ndarray:
    """Respondent-cluster bootstrap: how often each respondent is drawn, for each resample
    (draws x n, each row summing to n)."""
    rng = np.random.default_rng(seed)
    return rng.multinomial(n, np.full(n, 1.0 / n), size=draws).astype(float)

"""Long-format conjoint data: one row per profile shown, and what each column is for.

:class:`ConjointData` checks the data once, at the boundary, and keeps what the estimators need as
arrays: the outcome, weights, respondent (cluster) codes and, per feature, integer level codes in
the feature's level order (baseline first). The user's data frame is never modified.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import Problem, did_you_mean, known_list
from . import validation
from .errors import ConjointError
from .randomisation import Design
from .reading import read_table
from .validation import as_text, distinct_values

# the names other modules import from here, wherever they are defined
__all__ = [
    "ConjointData",
    "ConjointError",
    "Feature",
    "as_conjoint",
    "as_text",
    "distinct_values",
    "read_table",
]


@dataclass(frozen=True)
class Feature:
    """A conjoint feature (attribute): its column and its levels in order, baseline first."""

    name: str
    levels: tuple[str, ...]
    codes: np.ndarray = field(repr=False)  # per row: index into levels

    @property
    def baseline(self) -> str:
        return self.levels[0]


class ConjointData:
    """Validated long-format conjoint data.

    Parameters
    ----------
    frame:
        one row per profile shown (a pandas DataFrame; it is not modified).
    outcome:
        column of the numeric outcome (chosen 1/0, a rating, support 1/0).
    features:
        columns of the profile features (attributes), in the order results should follow.
    id, task, profile:
        respondent id (clusters for the variance), task number and profile number columns.
    weights:
        column of survey weights (positive numbers), or None.
    covariates:
        respondent characteristics to keep and check (no missing values), e.g. to split by.
    levels:
        ``{feature: [level, ...]}`` to fix the level order (first = baseline); other features take
        the levels of the design, then the categories of a pandas Categorical column, then the
        distinct values in natural order (digit runs compared as numbers: "5%" before "15%").
        R's ``factor`` sorts alphabetically instead: give levels or baselines to match an R
        analysis.
    baselines:
        ``{feature: level}`` to move one level to the front.
    design:
        a :class:`~winset.conjoint.randomisation.Design` the data must follow (levels, forbidden pairs).
    source:
        the file the frame was read from, to name rows by their line in it.
    """

    def __init__(
        self,
        frame: pd.DataFrame,
        outcome: str,
        features: Sequence[str],
        *,
        id: str | None = None,
        task: str | None = None,
        profile: str | None = None,
        weights: str | None = None,
        covariates: Sequence[str] = (),
        levels: Mapping[str, Sequence[str]] | None = None,
        baselines: Mapping[str, str] | None = None,
        design: Design | None = None,
        source: str | Path | None = None,
    ):
        self.frame = frame
        self.outcome = outcome
        self.id, self.task, self.profile, self.weight_column = id, task, profile, weights
        self.covariates = list(covariates)
        self.design = design
        self.source = str(source) if source is not None else None
        roles = [("outcome", outcome), ("id", id), ("task", task), ("profile", profile), ("weights", weights)]
        roles += [("feature", f) for f in features] + [("covariate", c) for c in self.covariates]
        misnamed = validation.column_problems([str(c) for c in frame.columns], roles, list(features))
        if misnamed:
            raise ConjointError(misnamed, source=self.source)
        if len(frame) == 0:
            raise ConjointError(
                [Problem("data", "the data have no rows", "give the data with a row per profile shown")],
                source=self.source,
            )
        problems: list[Problem] = []
        for covariate in self.covariates:
            gap = validation.missing_problem(frame, covariate, "the covariate", self.row_names)
            if gap:
                problems.append(gap)
        self.y = validation.numeric(frame, outcome, "outcome", problems, self.row_names)
        self.weights = validation.weights(frame, weights, problems, self.row_names) if weights else None
        self.features = self._features(list(features), levels or {}, baselines or {}, problems)
        self.clusters, self.n_clusters = self._clusters(problems)
        if task and id:
            problems += validation.task_problems(frame, id, task, profile, self.row_names)
        if design is not None and not problems:
            self._check_design(design, problems)
        if problems:
            raise ConjointError(problems, source=self.source)

    # ------------------------------------------------------------------ public helpers
    @property
    def n_rows(self) -> int:
        return len(self.frame)

    @property
    def feature_names(self) -> list[str]:
        return [f.name for f in self.features]

    def feature(self, name: str) -> Feature:
        for f in self.features:
            if f.name == name:
                return f
        raise ConjointError([Problem(name, f"no feature '{name}'", f"use one of {known_list(self.feature_names)}")])

    def unweighted(self) -> ConjointData:
        """The same data without survey weights."""
        copy = object.__new__(ConjointData)
        copy.__dict__.update(self.__dict__)
        copy.weights, copy.weight_column = None, None
        return copy

    def with_outcome(self, y: np.ndarray) -> ConjointData:
        """The same data with another outcome on each row (a rating dichotomised, say)."""
        copy = object.__new__(ConjointData)
        copy.__dict__.update(self.__dict__)
        copy.y = np.asarray(y, dtype=float)
        return copy

    def rebased(self, name: str, level: str) -> ConjointData:
        """The same data with ``level`` as feature ``name``'s baseline (the other levels keep
        their order), as ``baselines={name: level}`` would give."""
        feature = self.feature(name)
        if level not in feature.levels:
            raise ConjointError(
                [
                    Problem(
                        name,
                        f"'{level}' is not a level of {name}{did_you_mean(level, feature.levels)}",
                        f"use one of {known_list(feature.levels)}",
                    )
                ]
            )
        order = [feature.levels.index(level)] + [i for i, v in enumerate(feature.levels) if v != level]
        new_code = np.empty(len(order), dtype=feature.codes.dtype)
        new_code[order] = np.arange(len(order))
        moved = Feature(name, tuple(feature.levels[i] for i in order), new_code[feature.codes])
        copy = object.__new__(ConjointData)
        copy.__dict__.update(self.__dict__)
        copy.features = [moved if f.name == name else f for f in self.features]
        return copy

    def row_names(self, positions: np.ndarray, limit: int = 5) -> str:
        """Name rows for a message: ``lines 3, 17 and 40 more`` (file lines) or ``rows ...``."""
        positions = np.asarray(positions)
        if self.source:
            # the header is line 1; a subset (a group) keeps the index of the rows as read
            index = self.frame.index
            numbered = pd.api.types.is_integer_dtype(index.dtype)
            shown = [str(int(index[int(p)] if numbered else p) + 2) for p in positions[:limit]]
            word = "line" if len(positions) == 1 else "lines"
        else:
            index = self.frame.index
            shown = [str(index[int(p)]) for p in positions[:limit]]
            word = "row" if len(positions) == 1 else "rows"
        more = f" and {len(positions) - limit} more" if len(positions) > limit else ""
        return f"{word} {', '.join(shown)}{more}"

    def groups(self, by: str) -> Iterator[tuple[str, ConjointData]]:
        """The data split by the values of column ``by`` (levels in order), each as ConjointData
        with the same feature levels."""
        values, group_levels = self.group_codes(by)
        for code, level in enumerate(group_levels):
            yield level, self.take(np.flatnonzero(values == code))

    def per_group(self, by: str, estimate: Callable[[ConjointData], pd.DataFrame]) -> pd.DataFrame:
        """``estimate`` on each group of column ``by``, stacked, with a first column named ``by``.
        Every level of every feature must appear in every group."""
        tables = []
        for group, subset in self.groups(by):
            subset.check_levels_present(f"group {by} = '{group}'")
            try:
                table = estimate(subset)
            except ConjointError as error:
                raise ConjointError(
                    [Problem(p.location, f"in group {by} = '{group}': {p.message}", p.fix) for p in error.problems],
                    source=error.source,
                ) from None
            table.insert(0, by, group)
            tables.append(table)
        return pd.concat(tables, ignore_index=True)

    def check_sample(self, y: np.ndarray | None = None, role: str = "outcome") -> None:
        """What every estimate needs: two respondents (two rows without respondent ids), and an
        outcome (``y``, default the data's) that varies among the rows that carry weight."""
        problems = []
        weighted = self.weights is None or (self.weights > 0)
        if self.clusters is None:
            units = int(np.sum(weighted)) if self.weights is not None else self.n_rows
        else:
            units = len(np.unique(self.clusters[weighted] if self.weights is not None else self.clusters))
        if units < 2 and self.weights is not None and self.n_clusters >= 2:
            what = "row" if self.clusters is None else "respondent"
            problems.append(
                Problem(
                    f"column '{self.weight_column}'",
                    f"only one {what} has a weight above 0: standard errors need at least two",
                    "check the weights column, or analyse more weighted respondents",
                )
            )
        elif self.n_clusters < 2:
            if self.clusters is None:
                problems.append(
                    Problem("data", "there is only one row: standard errors need at least two", "analyse more data")
                )
            else:
                problems.append(
                    Problem(
                        f"column '{self.id}'",
                        f"there is only one respondent ({as_text(self.frame[self.id].iloc[0])!r}): "
                        "standard errors need at least two",
                        f"check that '{self.id}' is the respondent id column, or analyse more respondents",
                    )
                )
        values = self.y if y is None else y
        counted = values if self.weights is None else values[self.weights > 0]
        if len(counted) and (counted == counted[0]).all():
            problems.append(
                Problem(
                    f"column '{self.outcome}'",
                    f"the {role} is {counted[0]:g} in every row: there is nothing to estimate",
                    f"check that '{self.outcome}' is the {role} column (1 for chosen or supported, 0 for not), "
                    "or analyse data in which it varies",
                )
            )
        if problems:
            raise ConjointError(problems, source=self.source)

    def group_codes(self, by: str) -> tuple[np.ndarray, list[str]]:
        """Each row's group in column ``by``, and the groups in order (natural order, or a
        categorical column's categories). At least two groups, none empty, none missing."""
        if by in self.feature_names:
            raise ConjointError(
                [
                    Problem(
                        f"by column '{by}'",
                        f"'{by}' is also one of the features",
                        "split by a column that is not analysed as a feature",
                    )
                ],
                source=self.source,
            )
        problems: list[Problem] = []
        found = validation.group_levels(self.frame, by, problems, self.row_names)
        if found is None:
            raise ConjointError(problems, source=self.source)
        return found

    def take(self, rows: np.ndarray) -> ConjointData:
        """A subset of rows (positions), keeping every feature's levels and baseline."""
        subset = object.__new__(ConjointData)
        subset.frame = self.frame.iloc[rows]
        subset.outcome, subset.id, subset.task, subset.profile = self.outcome, self.id, self.task, self.profile
        subset.weight_column, subset.design, subset.source = self.weight_column, self.design, self.source
        subset.covariates = self.covariates
        subset.y = self.y[rows]
        subset.weights = None if self.weights is None else self.weights[rows]
        subset.features = [Feature(f.name, f.levels, f.codes[rows]) for f in self.features]
        if self.clusters is None:
            subset.clusters, subset.n_clusters = None, len(rows)
        else:
            subset.clusters, uniques = pd.factorize(self.clusters[rows], sort=True)
            subset.n_clusters = len(uniques)
        return subset

    def require_binary(self, values: np.ndarray, what: str, fix: str) -> np.ndarray:
        """``values`` (one per row), which must all be 0 or 1; else a problem naming the rows."""
        bad = np.flatnonzero((values != 0) & (values != 1))
        if len(bad):
            raise ConjointError(
                [
                    Problem(
                        f"column '{self.outcome}'",
                        f"{what} must be 0 or 1, not {values[bad[0]]:g} ({self.row_names(bad)})",
                        fix,
                    )
                ],
                source=self.source,
            )
        return values

    def check_levels_present(self, what: str) -> None:
        """Every level of every feature must appear at least once (e.g. within a subgroup)."""
        problems = []
        for f in self.features:
            counts = np.bincount(f.codes, minlength=len(f.levels))
            for level, count in zip(f.levels, counts, strict=True):
                if count == 0:
                    problems.append(
                        Problem(
                            f"column '{f.name}'",
                            f"{what} has no row with {f.name} = '{level}'",
                            "merge or drop that level, or analyse larger groups",
                        )
                    )
        if problems:
            raise ConjointError(problems, source=self.source)

    # ------------------------------------------------------------------ checks
    def _features(
        self,
        names: list[str],
        levels: Mapping[str, Sequence[str]],
        baselines: Mapping[str, str],
        problems: list[Problem],
    ) -> list[Feature]:
        problems += validation.unknown_feature_problems(names, levels, baselines)
        features = []
        for name in names:
            found = validation.feature_levels(
                self.frame, name, levels, baselines.get(name), self.design, problems, self.row_names
            )
            if found is not None:
                features.append(Feature(name, *found))
        return features

    def _clusters(self, problems: list[Problem]) -> tuple[np.ndarray | None, int]:
        if self.id is None:
            return None, self.n_rows
        gap = validation.missing_problem(
            self.frame, self.id, "the respondent id", self.row_names, "give every row its respondent id"
        )
        if gap:
            problems.append(gap)
            return None, self.n_rows
        raw = self.frame[self.id]
        codes, uniques = pd.factorize(raw, sort=True)
        return codes.astype(np.int64), len(uniques)

    def _check_design(self, design: Design, problems: list[Problem]) -> None:
        """The data must show no pair of levels that the design never shows."""
        for restriction in design.restrictions:
            a, b = restriction.features
            if a not in self.feature_names or b not in self.feature_names:
                continue
            fa, fb = self.feature(a), self.feature(b)
            allowed = restriction.allowed(fa.levels, fb.levels)
            bad = np.flatnonzero(~allowed[fa.codes, fb.codes])
            if len(bad):
                pairs = {(fa.levels[fa.codes[i]], fb.levels[fb.codes[i]]) for i in bad[:50]}
                shown = ", ".join(f"{a}='{x}' with {b}='{y}'" for x, y in sorted(pairs)[:3])
                problems.append(
                    Problem(
                        f"columns '{a}', '{b}'",
                        f"the design never shows {shown}, but the data do in {self.row_names(bad)}",
                        "check the data against the design, or correct the design's restriction",
                    )
                )


def as_conjoint(
    data: pd.DataFrame | ConjointData, outcome: str | None, features: Sequence[str] | None, **roles: Any
) -> ConjointData:
    """Return ``data`` as ConjointData: unchanged if it already is, else validated with the given
    roles (id, weights, levels, baselines, design, ...; None means not given)."""
    if isinstance(data, ConjointData):
        return data
    if not isinstance(data, pd.DataFrame):
        raise ConjointError(
            [Problem("data", f"expected a pandas DataFrame, got {type(data).__name__}", "pass a DataFrame")]
        )
    if not outcome or not features:
        problems = []
        if not outcome:
            problems.append(Problem("outcome", "no outcome column given", "name the column holding the outcome"))
        if not features:
            problems.append(Problem("features", "no features given", "name the feature (attribute) columns to analyse"))
        raise ConjointError(problems)
    return ConjointData(data, outcome, list(features), **{k: v for k, v in roles.items() if v is not None})

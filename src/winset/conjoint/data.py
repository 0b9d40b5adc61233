"""Long-format conjoint data: one row per profile shown, and what each column is for.

:class:`ConjointData` checks the data once, at the boundary, and keeps what the estimators need as
arrays: the outcome, weights, respondent (cluster) codes and, per feature, integer level codes in
the feature's level order (baseline first). The user's data frame is never modified.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import files
from ..errors import Problem, WinsetError, did_you_mean, known_list
from .randomisation import Design

# Survey weights are refused when the largest is more than this many times the median positive
# weight: one row would then count as a thousand typical ones. Weights are usually trimmed at 5 to
# 10 times the median; real surveys (cregg's taxes data: 10 times) stay far below this.
MAX_WEIGHT_RATIO = 1000


class ConjointError(WinsetError, ValueError):
    """Conjoint data, a design or an analysis request that cannot be used as given."""


def as_text(value: object) -> str:
    """A value as a level name: whole floats without ".0" (a column of 1.0, 2.0 reads as 1, 2)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def distinct_values(raw: pd.Series) -> tuple[np.ndarray, list[str], list[str]]:
    """Each row's index among the column's distinct values, those values as text, and the ones
    that occur, in order (a categorical column's categories keep their order)."""
    if isinstance(raw.dtype, pd.CategoricalDtype):
        codes = raw.cat.codes.to_numpy()
        distinct = [as_text(c) for c in raw.cat.categories]
        seen = np.bincount(codes[codes >= 0], minlength=len(distinct)) > 0
        return codes, distinct, [d for d, s in zip(distinct, seen, strict=True) if s]
    codes, uniques = pd.factorize(raw, sort=False)
    distinct = [as_text(u) for u in uniques]
    return codes, distinct, sorted(distinct, key=natural_key)


def natural_key(text: str) -> list[tuple[int, int | str]]:
    """Sort key that reads digit runs as numbers: "5%" before "15%", "2" before "10"."""
    return [(0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", text) if part]


def read_table(path: str | Path, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Read a CSV (also ``.csv.gz``, ``.csv.bz2``, ``.csv.xz``) or Parquet file (by its suffix)
    into a data frame, with clear errors (see :mod:`winset.files` for what is refused, and the
    size limits).

    In a CSV only empty cells count as missing; text such as "None" or "NA" is kept as a level."""
    # only empty cells are missing: "None" or "NA" can be real levels (job experience: None)
    return files.read_data(path, ConjointError, low_memory=False, keep_default_na=False, na_values=[""])


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
        self._check_columns(list(features))
        if len(frame) == 0:
            raise ConjointError(
                [Problem("data", "the data have no rows", "give the data with a row per profile shown")],
                source=self.source,
            )
        problems: list[Problem] = []
        for covariate in self.covariates:
            missing = np.flatnonzero(pd.isna(frame[covariate]).to_numpy())
            if len(missing):
                problems.append(
                    Problem(
                        f"column '{covariate}'",
                        f"the covariate is missing in {self.row_names(missing)}",
                        "fill in or drop these rows",
                    )
                )
        self.y = self._numeric(outcome, "outcome", problems)
        self.weights = self._weights(problems) if weights else None
        self.features = self._features(list(features), levels or {}, baselines or {}, problems)
        self.clusters, self.n_clusters = self._clusters(problems)
        if task and id:
            self._check_tasks(problems)
        if design is not None and not problems:
            self._check_design(problems)
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
        return self._column_levels(by)

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

    def _missing(self, column: str, what: str, fix: str = "fill in or drop these rows") -> Problem | None:
        """A problem naming the rows where ``column`` is empty, or None if it is complete."""
        missing = np.flatnonzero(pd.isna(self.frame[column]).to_numpy())
        if not len(missing):
            return None
        return Problem(f"column '{column}'", f"{what} is missing in {self.row_names(missing)}", fix)

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
    def _check_columns(self, features: list[str]) -> None:
        columns = [str(c) for c in self.frame.columns]
        problems = []
        roles = [("outcome", self.outcome), ("id", self.id), ("task", self.task), ("profile", self.profile)]
        roles += [("weights", self.weight_column)] + [("feature", f) for f in features]
        roles += [("covariate", c) for c in self.covariates]
        for role, name in roles:
            if name is not None and name not in columns:
                problems.append(
                    Problem(
                        f"{role} column '{name}'",
                        f"the data have no column '{name}'{did_you_mean(name, columns)}",
                        f"use one of its columns: {known_list(columns)}",
                    )
                )
        if not features:
            problems.append(Problem("features", "no features given", "name the feature (attribute) columns to analyse"))
        # one role per column: an id that is the outcome, or a task column that is the profile
        # column, would be read as two things at once
        first: dict[str, str] = {}
        for role, name in roles:
            if name is None:
                continue
            if name not in first:
                first[name] = role
            elif role == first[name]:
                problems.append(
                    Problem(f"{role} column '{name}'", f"the {role} is listed twice", f"list each {role} once")
                )
            elif {role, first[name]} == {"outcome", "feature"}:
                problems.append(
                    Problem(
                        f"feature column '{name}'",
                        "the outcome is also listed as a feature",
                        "remove it from the features",
                    )
                )
            else:
                problems.append(
                    Problem(
                        f"{role} column '{name}'",
                        f"column '{name}' is named as the {first[name]} and as the {role}",
                        "give each role its own column",
                    )
                )
        if problems:
            raise ConjointError(problems, source=self.source)

    def _numeric(self, column: str, role: str, problems: list[Problem]) -> np.ndarray:
        raw = self.frame[column]
        if pd.api.types.is_bool_dtype(raw):
            raw = raw.astype(float)
        values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        missing = pd.isna(raw).to_numpy()
        bad = np.flatnonzero(np.isnan(values) & ~missing)
        if len(bad):
            examples = ", ".join(repr(raw.iloc[int(i)]) for i in bad[:3])
            problems.append(
                Problem(
                    f"column '{column}'",
                    f"the {role} is not a number in {self.row_names(bad)} (e.g. {examples})",
                    "code it as numbers: 1 for chosen or supported, 0 for not (or a rating)",
                )
            )
        gone = np.flatnonzero(missing)
        if len(gone):
            problems.append(
                Problem(
                    f"column '{column}'",
                    f"the {role} is missing in {self.row_names(gone)}",
                    "drop these rows before the analysis (e.g. frame.dropna(subset=[...])) or fill them in",
                )
            )
        infinite = np.flatnonzero(np.isinf(values))
        if len(infinite):
            problems.append(
                Problem(
                    f"column '{column}'", f"the {role} is infinite in {self.row_names(infinite)}", "use finite numbers"
                )
            )
        return values

    def _weights(self, problems: list[Problem]) -> np.ndarray:
        column = self.weight_column
        values = self._numeric(column, "weight", problems)
        negative = np.flatnonzero(values < 0)
        if len(negative):
            problems.append(
                Problem(
                    f"column '{column}'",
                    f"negative weight in {self.row_names(negative)}",
                    "weights must be zero or more",
                )
            )
        if np.isfinite(values).all() and not (values > 0).any():
            problems.append(Problem(f"column '{column}'", "every weight is zero", "give the rows positive weights"))
        elif np.isfinite(values).all() and not len(negative):
            median = 2 * float(np.median(values[values > 0] / 2))  # halved: two huge weights cannot overflow
            beyond = np.flatnonzero(values / MAX_WEIGHT_RATIO > median)
            if len(beyond):
                problems.append(
                    Problem(
                        f"column '{column}'",
                        f"weight {values[beyond[0]]:g} in {self.row_names(beyond)} is more than "
                        f"{MAX_WEIGHT_RATIO:,} times the median weight ({median:g})",
                        "weights this uneven let a few rows decide every estimate: check the weights column, "
                        "or trim the weights (e.g. at 5 or 10 times the median)",
                    )
                )
        return values

    def _features(
        self,
        names: list[str],
        levels: Mapping[str, Sequence[str]],
        baselines: Mapping[str, str],
        problems: list[Problem],
    ) -> list[Feature]:
        for name in list(levels) + list(baselines):
            if name not in names:
                problems.append(
                    Problem(
                        f"feature '{name}'",
                        f"levels or a baseline are given for '{name}', which is not a feature{did_you_mean(name, names)}",
                        f"use one of the features: {known_list(names)}",
                    )
                )
        features = []
        for name in names:
            raw = self.frame[name]
            gap = self._missing(name, "the feature")
            if gap:
                problems.append(gap)
                continue
            row_codes, distinct, shown = distinct_values(raw)
            order = self._level_order(name, shown, levels)
            repeated = sorted({level for level in order if order.count(level) > 1})
            if repeated:
                problems.append(
                    Problem(
                        f"feature '{name}'",
                        f"level {known_list(repeated)} is listed more than once",
                        "list each level once, baseline first",
                    )
                )
                continue
            base = baselines.get(name)
            if base is not None:
                if base not in order:
                    problems.append(
                        Problem(
                            f"feature '{name}'",
                            f"baseline '{base}' is not a level of {name}{did_you_mean(base, order)}",
                            f"use one of its levels: {known_list(order)}",
                        )
                    )
                    continue
                order = [base] + [level for level in order if level != base]
            codes = pd.Index(order).get_indexer(distinct)[row_codes]
            unknown = np.flatnonzero(codes < 0)
            if len(unknown):
                values = [
                    d for d, code in zip(distinct, pd.Index(order).get_indexer(distinct), strict=True) if code < 0
                ]
                shown = ", ".join(f"'{v}'{did_you_mean(v, order)}" for v in values[:5])
                problems.append(
                    Problem(
                        f"column '{name}'",
                        f"unknown level{'s' if len(values) > 1 else ''} {shown} in {self.row_names(unknown)}",
                        f"the known levels are {known_list(order)}; correct the data or the levels",
                    )
                )
                continue
            counts = np.bincount(codes, minlength=len(order))
            for level, count in zip(order, counts, strict=True):
                if count == 0:
                    problems.append(
                        Problem(
                            f"column '{name}'",
                            f"level '{level}' never appears in the data",
                            "remove it from the levels or design, or check the data",
                        )
                    )
            features.append(Feature(name, tuple(order), codes.astype(np.int16 if len(order) < 2**15 else np.int32)))
        return features

    def _level_order(self, name: str, shown: list[str], levels: Mapping[str, Sequence[str]]) -> list[str]:
        """Level order: given levels, then the design's, then the values shown (a categorical
        column's categories in order, other values in natural order)."""
        if name in levels:
            return [str(level) for level in levels[name]]
        if self.design is not None and name in self.design.levels:
            return list(self.design.levels[name])
        return shown

    def _clusters(self, problems: list[Problem]) -> tuple[np.ndarray | None, int]:
        if self.id is None:
            return None, self.n_rows
        gap = self._missing(self.id, "the respondent id", "give every row its respondent id")
        if gap:
            problems.append(gap)
            return None, self.n_rows
        raw = self.frame[self.id]
        codes, uniques = pd.factorize(raw, sort=True)
        return codes.astype(np.int64), len(uniques)

    def _check_tasks(self, problems: list[Problem]) -> None:
        """Every task of every respondent should show the same number of profiles."""
        keys = [self.id, self.task] + ([self.profile] if self.profile else [])
        frame = self.frame[keys]
        if self.profile:
            duplicated = np.flatnonzero(frame.duplicated(keep="first").to_numpy())
            if len(duplicated):
                problems.append(
                    Problem(
                        f"columns '{self.id}', '{self.task}', '{self.profile}'",
                        f"the same respondent, task and profile appear more than once ({self.row_names(duplicated)})",
                        "give every profile of a task its own number",
                    )
                )
        sizes = frame.groupby([self.id, self.task], sort=False, dropna=False)[self.id].transform("size").to_numpy()
        if len(sizes) == 0:
            return
        usual = int(np.bincount(sizes).argmax())
        odd = np.flatnonzero(sizes != usual)
        if len(odd):
            problems.append(
                Problem(
                    f"columns '{self.id}', '{self.task}'",
                    f"incomplete tasks: most tasks show {usual} profiles, but not those in {self.row_names(odd)}",
                    "complete or drop those tasks",
                )
            )

    def _check_design(self, problems: list[Problem]) -> None:
        for restriction in self.design.restrictions:
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

    def _column_levels(self, column: str) -> tuple[np.ndarray, list[str]]:
        if column not in [str(c) for c in self.frame.columns]:
            raise ConjointError(
                [
                    Problem(
                        f"by column '{column}'",
                        f"the data have no column '{column}'{did_you_mean(column, [str(c) for c in self.frame.columns])}",
                        "name a respondent or profile characteristic to split by",
                    )
                ],
                source=self.source,
            )
        gap = self._missing(column, "the grouping value")
        if gap:
            raise ConjointError([gap], source=self.source)
        raw = self.frame[column]
        row_codes, distinct, order = distinct_values(raw)
        codes = pd.Index(order).get_indexer(distinct)[row_codes]
        if len(order) < 2:
            raise ConjointError(
                [
                    Problem(
                        f"column '{column}'",
                        f"only one group ('{order[0]}')",
                        "split by a column with two or more values",
                    )
                ],
                source=self.source,
            )
        return codes, order


def as_conjoint(
    data: pd.DataFrame | ConjointData, outcome: str | None, features: Sequence[str] | None, **roles
) -> ConjointData:
    """Return ``data`` as ConjointData: unchanged if it already is, else validated with the given
    roles (id, weights, levels, baselines, design, ...; None means not given)."""
    if isinstance(data, ConjointData):
        return data
    if not isinstance(data, pd.DataFrame):
        raise ConjointError(
            [Problem("data", f"expected a pandas DataFrame, got {type(data).__name__}", "pass a DataFrame")]
        )
    problems = []
    if not outcome:
        problems.append(Problem("outcome", "no outcome column given", "name the column holding the outcome"))
    if not features:
        problems.append(Problem("features", "no features given", "name the feature (attribute) columns to analyse"))
    if problems:
        raise ConjointError(problems)
    return ConjointData(data, outcome, list(features), **{k: v for k, v in roles.items() if v is not None})

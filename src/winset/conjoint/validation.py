"""The checks conjoint data pass at the boundary, each with its message: that the columns named
for each role exist and none has two roles, that the outcome and weights are numbers (the weights
not negative, not all zero, not wildly uneven), that every feature's levels are known and shown,
that respondent ids and tasks are complete, and that a column to split by holds two groups or
more; and how a column's values become level names (as text, in the order of :mod:`.level_order`).

Each check appends its problems to a list, so that the data object can report them all at once;
``row_names`` names the offending rows (by their line in the file, where there is one).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import Problem, did_you_mean, known_list
from .level_order import in_order
from .randomisation import Design

# Survey weights are refused when the largest is more than this many times the median positive
# weight: one row would then count as a thousand typical ones. Weights are usually trimmed at 5 to
# 10 times the median; real surveys (cregg's taxes data: 10 times) stay far below this.
MAX_WEIGHT_RATIO = 1000

RowNames = Callable[[np.ndarray], str]


# ---------------------------------------------------------------------- levels as text
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
    return codes, distinct, in_order(distinct)


# ---------------------------------------------------------------------- columns and roles
def column_problems(columns: list[str], roles: list[tuple[str, str | None]], features: list[str]) -> list[Problem]:
    """Every column named for a role (outcome, id, feature, ...) must exist, and play one role
    only; at least one feature must be given. ``roles`` pairs each role with its column (None:
    not given)."""
    problems = []
    for role, name in roles:
        if name is not None and name not in columns:
            problems.append(
                _role_problem(
                    role,
                    name,
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
            problems.append(_role_problem(role, name, f"the {role} is listed twice", f"list each {role} once"))
        elif {role, first[name]} == {"outcome", "feature"}:
            problems.append(
                _role_problem("feature", name, "the outcome is also listed as a feature", "remove it from the features")
            )
        else:
            problems.append(
                _role_problem(
                    role,
                    name,
                    f"column '{name}' is named as the {first[name]} and as the {role}",
                    "give each role its own column",
                )
            )
    return problems


def _role_problem(role: str, name: str, message: str, fix: str) -> Problem:
    return Problem(f"{role} column '{name}'", message, fix)


def missing_problem(
    frame: pd.DataFrame, column: str, what: str, row_names: RowNames, fix: str = "fill in or drop these rows"
) -> Problem | None:
    """A problem naming the rows where ``column`` is empty, or None if it is complete."""
    missing = np.flatnonzero(pd.isna(frame[column]).to_numpy())
    if not len(missing):
        return None
    return Problem(f"column '{column}'", f"{what} is missing in {row_names(missing)}", fix)


# ---------------------------------------------------------------------- numbers
def numeric(frame: pd.DataFrame, column: str, role: str, problems: list[Problem], row_names: RowNames) -> np.ndarray:
    """The column as floats; values that are not numbers, missing or infinite are problems."""
    raw = frame[column]
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
                f"the {role} is not a number in {row_names(bad)} (e.g. {examples})",
                "code it as numbers: 1 for chosen or supported, 0 for not (or a rating)",
            )
        )
    gone = np.flatnonzero(missing)
    if len(gone):
        problems.append(
            Problem(
                f"column '{column}'",
                f"the {role} is missing in {row_names(gone)}",
                "drop these rows before the analysis (e.g. frame.dropna(subset=[...])) or fill them in",
            )
        )
    infinite = np.flatnonzero(np.isinf(values))
    if len(infinite):
        problems.append(
            Problem(f"column '{column}'", f"the {role} is infinite in {row_names(infinite)}", "use finite numbers")
        )
    return values


def weights(frame: pd.DataFrame, column: str, problems: list[Problem], row_names: RowNames) -> np.ndarray:
    """Survey weights: numbers, none negative, not all zero, none beyond MAX_WEIGHT_RATIO times
    the median positive weight."""
    values = numeric(frame, column, "weight", problems, row_names)
    negative = np.flatnonzero(values < 0)
    if len(negative):
        problems.append(
            Problem(
                f"column '{column}'",
                f"negative weight in {row_names(negative)}",
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
                    f"weight {values[beyond[0]]:g} in {row_names(beyond)} is more than "
                    f"{MAX_WEIGHT_RATIO:,} times the median weight ({median:g})",
                    "weights this uneven let a few rows decide every estimate: check the weights column, "
                    "or trim the weights (e.g. at 5 or 10 times the median)",
                )
            )
    return values


# ---------------------------------------------------------------------- feature levels
def unknown_feature_problems(
    names: list[str], levels: Mapping[str, Sequence[str]], baselines: Mapping[str, str]
) -> list[Problem]:
    """Levels and baselines may be given for features only."""
    return [
        Problem(
            f"feature '{name}'",
            f"levels or a baseline are given for '{name}', which is not a feature{did_you_mean(name, names)}",
            f"use one of the features: {known_list(names)}",
        )
        for name in list(levels) + list(baselines)
        if name not in names
    ]


def feature_levels(
    frame: pd.DataFrame,
    name: str,
    levels: Mapping[str, Sequence[str]],
    baseline: str | None,
    design: Design | None,
    problems: list[Problem],
    row_names: RowNames,
) -> tuple[tuple[str, ...], np.ndarray] | None:
    """A feature's levels in order (baseline first) and each row's level code; None, with the
    problems, if its column has gaps, a level listed twice, an unknown baseline or unknown values.
    A level that never appears is a problem too (the levels and codes are still returned)."""
    gap = missing_problem(frame, name, "the feature", row_names)
    if gap:
        problems.append(gap)
        return None
    row_codes, distinct, shown = distinct_values(frame[name])
    order = level_order(name, shown, levels, design)
    repeated = sorted({level for level in order if order.count(level) > 1})
    if repeated:
        problems.append(
            Problem(
                f"feature '{name}'",
                f"level {known_list(repeated)} is listed more than once",
                "list each level once, baseline first",
            )
        )
        return None
    if baseline is not None:
        if baseline not in order:
            problems.append(
                Problem(
                    f"feature '{name}'",
                    f"baseline '{baseline}' is not a level of {name}{did_you_mean(baseline, order)}",
                    f"use one of its levels: {known_list(order)}",
                )
            )
            return None
        order = [baseline] + [level for level in order if level != baseline]
    codes = pd.Index(order).get_indexer(pd.Index(distinct))[row_codes]
    unknown = np.flatnonzero(codes < 0)
    if len(unknown):
        values = [
            d for d, code in zip(distinct, pd.Index(order).get_indexer(pd.Index(distinct)), strict=True) if code < 0
        ]
        named = ", ".join(f"'{v}'{did_you_mean(v, order)}" for v in values[:5])
        problems.append(
            Problem(
                f"column '{name}'",
                f"unknown level{'s' if len(values) > 1 else ''} {named} in {row_names(unknown)}",
                f"the known levels are {known_list(order)}; correct the data or the levels",
            )
        )
        return None
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
    return tuple(order), codes.astype(np.int16 if len(order) < 2**15 else np.int32)


def level_order(name: str, shown: list[str], levels: Mapping[str, Sequence[str]], design: Design | None) -> list[str]:
    """Level order: given levels, then the design's, then the values shown (a categorical
    column's categories in order, other values in natural order)."""
    if name in levels:
        return [str(level) for level in levels[name]]
    if design is not None and name in design.levels:
        return list(design.levels[name])
    return shown


def group_levels(
    frame: pd.DataFrame, column: str, problems: list[Problem], row_names: RowNames
) -> tuple[np.ndarray, list[str]] | None:
    """Each row's group in ``column`` and the groups in order; None, with the problem, if there
    is no such column, a row has no group, or there is one group only."""
    columns = [str(c) for c in frame.columns]
    if column not in columns:
        problems.append(
            Problem(
                f"by column '{column}'",
                f"the data have no column '{column}'{did_you_mean(column, columns)}",
                "name a respondent or profile characteristic to split by",
            )
        )
        return None
    gap = missing_problem(frame, column, "the grouping value", row_names)
    if gap:
        problems.append(gap)
        return None
    row_codes, distinct, order = distinct_values(frame[column])
    codes = pd.Index(order).get_indexer(pd.Index(distinct))[row_codes]
    if len(order) < 2:
        problems.append(
            Problem(f"column '{column}'", f"only one group ('{order[0]}')", "split by a column with two or more values")
        )
        return None
    return codes, order


# ---------------------------------------------------------------------- respondents and tasks
def task_problems(frame: pd.DataFrame, id: str, task: str, profile: str | None, row_names: RowNames) -> list[Problem]:
    """Every task of every respondent should show the same number of profiles, each once."""
    problems = []
    keys = [id, task] + ([profile] if profile else [])
    frame = frame[keys]
    if profile:
        duplicated = np.flatnonzero(frame.duplicated(keep="first").to_numpy())
        if len(duplicated):
            problems.append(
                Problem(
                    f"columns '{id}', '{task}', '{profile}'",
                    f"the same respondent, task and profile appear more than once ({row_names(duplicated)})",
                    "give every profile of a task its own number",
                )
            )
    sizes = frame.groupby([id, task], sort=False, dropna=False)[id].transform("size").to_numpy()
    if len(sizes) == 0:
        return problems
    usual = int(np.bincount(sizes).argmax())
    odd = np.flatnonzero(sizes != usual)
    if len(odd):
        problems.append(
            Problem(
                f"columns '{id}', '{task}'",
                f"incomplete tasks: most tasks show {usual} profiles, but not those in {row_names(odd)}",
                "complete or drop those tasks",
            )
        )
    return problems

"""Published effect tables: a paper's AMCEs or marginal means, read as the prior of a public that
has no survey of its own.

A published table is a UTF-8 CSV file with a header line and a row per (feature, level):

``feature``
    the issue, by its id;
``level``
    the option, by its id or its label (in any of the scenario's languages);
``estimate``
    in support points as a fraction (0.05 for 5 points): an AMCE against the feature's own
    baseline level (0 for the baseline, which may be left out), or a marginal mean;
``std_error``
    its standard error, positive.

cregg's tidy tables and ``winset amce --json`` have these columns. Other columns are ignored.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .. import files
from ..errors import Problem, ScenarioError, did_you_mean, known_list

COLUMNS = ("feature", "level", "estimate", "std_error")


@dataclass(frozen=True)
class Effect:
    """One row of a published table, its option resolved to an id."""

    feature: str
    option: str
    estimate: float
    std_error: float
    line: int


def read_effects(path: str | Path, options: Mapping[str, Mapping[str, str]]) -> tuple[list[Effect], list[Problem]]:
    """The rows of a published table and what is wrong with it (every problem, located by
    line). ``options`` maps each issue id to its options' names (ids and labels) -> ids."""
    frame = files.read_csv(path, files.TABLE_BYTES, ScenarioError, dtype=str, keep_default_na=False)
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        return [], [
            Problem(
                str(path),
                f"the table has no column {known_list(missing)}; it has {known_list(list(frame.columns), limit=20)}",
                "a published table needs the header feature,level,estimate,std_error (support points as fractions)",
            )
        ]
    effects: list[Effect] = []
    problems: list[Problem] = []
    seen: dict[tuple[str, str], int] = {}
    for i, row in enumerate(frame[list(COLUMNS)].itertuples(index=False)):
        line = i + 2
        feature, level, estimate, std_error = (str(v).strip() for v in row)
        where = f"line {line}"
        if feature not in options:
            problems.append(
                Problem(
                    where,
                    f"feature '{feature}' is not an issue of the scenario{did_you_mean(feature, options)}",
                    f"name the issue by its id: {known_list(list(options))}",
                )
            )
            continue
        option = options[feature].get(level)
        if option is None:
            ids = sorted(set(options[feature].values()))
            problems.append(
                Problem(
                    where,
                    f"issue '{feature}' has no option '{level}'{did_you_mean(level, options[feature])}",
                    f"name the option by its id or label: {known_list(ids)}",
                )
            )
            continue
        value, error = _number(estimate), _number(std_error)
        if value is None or abs(value) >= 1:
            problems.append(
                Problem(
                    where,
                    f"estimate {estimate!r} is not a number of support points as a fraction (between -1 and 1)",
                    "write 0.05 for 5 points",
                )
            )
        if error is None or not 0 < error < 1:
            problems.append(
                Problem(where, f"std_error {std_error!r} is not a positive fraction", "write 0.02 for 2 points")
            )
        if (feature, option) in seen:
            problems.append(
                Problem(
                    where,
                    f"option '{option}' of issue '{feature}' is on line {seen[feature, option]} already",
                    "give each option one row",
                )
            )
        seen.setdefault((feature, option), line)
        if value is not None and error is not None and abs(value) < 1 and 0 < error < 1:
            effects.append(Effect(feature, option, value, error, line))
    return effects, problems


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None

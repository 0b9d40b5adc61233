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

from ..defaults import Z90
from ..errors import Problem, did_you_mean, known_list
from .polls import read_rows

COLUMNS = ("feature", "level", "estimate", "std_error")
MIN_ERROR = 1e-4  # a standard error below 0.01 points says an effect is known exactly


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
    header, rows = read_rows(path, "a row per (feature, level)")
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        return [], [
            Problem(
                "line 1",
                f"the table has no column {known_list(missing)}; it has {known_list(header, limit=20)}",
                "a published table needs the header feature,level,estimate,std_error (support points as fractions)",
            )
        ]
    effects: list[Effect] = []
    problems: list[Problem] = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in rows.items():
        feature, level, estimate, std_error = (str(row.get(c) or "").strip() for c in COLUMNS)
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
        if error is None or not MIN_ERROR <= error < 1:
            problems.append(
                Problem(
                    where,
                    f"std_error {std_error!r} is not a fraction from {MIN_ERROR:g} to 1",
                    "write 0.02 for 2 points",
                )
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
        if value is not None and error is not None and abs(value) < 1 and MIN_ERROR <= error < 1:
            effects.append(Effect(feature, option, value, error, line))
    return effects, problems


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def rebased(
    effects: list[Effect], status_quo: Mapping[str, str], estimate: str, base: float
) -> tuple[dict[tuple[str, str], tuple[float, float]], list[Problem]]:
    """Each option's effect against its issue's status-quo option, with its standard error (the
    two added in quadrature: a paper publishes no covariances), and what stops any from serving as
    a prior at support ``base``: a marginal-means table without the status quo's option, or an
    effect whose 90% range (estimate +- 1.645 standard errors) takes support outside 0 to 1. An
    AMCE table that leaves the status quo's option out has it as its baseline (0)."""
    by_issue: dict[str, dict[str, Effect]] = {}
    for effect in effects:
        by_issue.setdefault(effect.feature, {})[effect.option] = effect
    out, problems = {}, []
    for issue, rows in by_issue.items():
        own = status_quo.get(issue)
        if own in rows:
            reference = (rows[own].estimate, rows[own].std_error)
        elif estimate == "amce":
            reference = (0.0, 0.0)
        else:
            problems.append(
                Problem(
                    f"issue '{issue}'",
                    f"marginal means for issue '{issue}' but none for the status quo's option '{own}'",
                    "add the status quo option's row: effects are measured against it",
                )
            )
            continue
        for option, effect in rows.items():
            if option == own:
                continue
            value, error = effect.estimate - reference[0], math.hypot(effect.std_error, reference[1])
            low, high = base + value - Z90 * error, base + value + Z90 * error
            if not (low > 0 and high < 1):
                problems.append(
                    Problem(
                        f"line {effect.line}",
                        f"the effect of option '{option}' of issue '{issue}', {value:+.3g} +- {Z90 * error:.3g} (a 90% "
                        f"range), takes support outside 0 to 1 from the status quo's {base:g}",
                        "check the estimate and std_error (fractions: 0.05 for 5 points), or give the prior the status "
                        "quo's support: status_quo = [central, low, high]",
                    )
                )
                continue
            out[issue, option] = (value, error)
    return out, problems

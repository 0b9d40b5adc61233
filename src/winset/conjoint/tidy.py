"""Tidy result tables: one row per (feature, level), with the columns cregg returns.

Every table an estimator returns starts, as cregg's do, with the ``outcome`` it was estimated on
and the ``statistic`` it holds (``"amce"``, ``"mm"``, ``"amce_difference"``, ``"mm_difference"``),
after a grouping column where there is one (``by``, or ``reference`` for
:func:`~winset.conjoint.reference.amce_by_reference`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri  # the normal's tails, without scipy.stats's half second of imports

from ..errors import Problem
from .errors import ConjointError

COLUMNS = ["feature", "level", "estimate", "std_error", "z", "p", "lower", "upper"]
LABELS = ["outcome", "statistic"]
TABLE_COLUMNS = LABELS + COLUMNS
# tests that two levels differ (winset.conjoint.interactions.compare_levels)
CONTRAST_COLUMNS = [*LABELS, "first", "second", *COLUMNS[2:]]


def tidy(
    features: Sequence[str],
    levels: Sequence[str],
    estimates: Sequence[float],
    std_errors: Sequence[float],
    alpha: float = 0.05,
    h0: float = 0.0,
) -> pd.DataFrame:
    """A result table: z and two-sided p against ``h0`` (normal), and a ``1 - alpha`` confidence
    interval ``estimate +/- z_(1 - alpha/2) * std_error``. Baseline rows carry NaN errors."""
    estimate = np.asarray(estimates, dtype=float)
    se = np.asarray(std_errors, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (estimate - h0) / se
    crit = -ndtri(alpha / 2)  # not ndtri(1 - alpha / 2): 1 - 1e-300 / 2 rounds to 1
    return pd.DataFrame(
        {
            "feature": list(features),
            "level": list(levels),
            "estimate": estimate,
            "std_error": se,
            "z": z,
            "p": 2 * ndtr(-np.abs(z)),
            "lower": estimate - crit * se,
            "upper": estimate + crit * se,
        }
    )


def labelled(table: pd.DataFrame, outcome: str, statistic: str) -> pd.DataFrame:
    """``table`` with cregg's ``outcome`` and ``statistic`` columns before ``feature`` (in place)."""
    at = list(table.columns).index("feature")
    table.insert(at, "statistic", statistic)
    table.insert(at, "outcome", outcome)
    return table


def check_h0(h0: float) -> None:
    if not np.isfinite(h0):
        raise ConjointError([Problem("h0", f"the null value must be a finite number, got {h0}", "use e.g. 0.5")])


def check_alpha(alpha: float) -> None:
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.floating)) or not 0 < alpha < 1:
        raise ConjointError(
            [Problem("alpha", f"alpha must be between 0 and 1, got {alpha}", "use e.g. 0.05 for 95% intervals")]
        )

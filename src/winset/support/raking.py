"""Raking (iterative proportional fitting): weights whose margins match the population's.

Respondents' base weights are scaled, one characteristic at a time, until the weighted share of
every category of every characteristic equals its population share (e.g. age group, sex and
region margins from a census). The weights keep each respondent's relative weight within every
cell of the cross-classification and sum to one.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..conjoint.data import ConjointError
from ..errors import Problem

MAX_ITERATIONS = 1000
TOLERANCE = 1e-10


def rake(
    codes: Mapping[str, np.ndarray],
    margins: Mapping[str, np.ndarray],
    base: np.ndarray | None = None,
) -> np.ndarray:
    """Weights (summing to one) whose margins equal ``margins``.

    ``codes[name]`` gives each respondent's category index for a characteristic, and
    ``margins[name]`` the population share of each category (summing to one). ``base`` are
    starting weights (design weights, or bootstrap counts); default all equal.
    """
    n = len(next(iter(codes.values())))
    weights = np.ones(n) if base is None else np.asarray(base, dtype=float).copy()
    weights = weights / weights.sum()
    for name, target in margins.items():
        present = np.bincount(codes[name], weights=weights, minlength=len(target))
        empty = np.flatnonzero((present == 0) & (np.asarray(target) > 0))
        if len(empty):
            raise ConjointError(
                [
                    Problem(
                        f"population margin '{name}'",
                        f"no respondent is in categor{'y' if len(empty) == 1 else 'ies'} {list(empty)} of '{name}', "
                        "which the population has",
                        "merge small categories, or collect respondents in every category",
                    )
                ]
            )
    for _ in range(MAX_ITERATIONS):
        worst = 0.0
        for name, target in margins.items():
            current = np.bincount(codes[name], weights=weights, minlength=len(target))
            factor = np.divide(target, current, out=np.zeros(len(target)), where=current > 0)
            weights = weights * factor[codes[name]]
            worst = max(worst, float(np.abs(current - target).max()))
        if worst < TOLERANCE:
            break
    else:
        raise ConjointError(
            [
                Problem(
                    "population margins",
                    f"raking did not converge in {MAX_ITERATIONS} rounds",
                    "check that the margins can be met together (no category with respondents in only one cell)",
                )
            ]
        )
    return weights / weights.sum()

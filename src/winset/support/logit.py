"""Logistic regression on dummy-coded designs, by Newton's method on the distinct design rows.

Uses :class:`~winset.conjoint.ols.DummyDesign`, so the gradient ``X'w(y - p)`` and Hessian
``X' diag(w p (1-p)) X`` are computed on the design's distinct rows, and R's aliasing rule drops
linearly dependent columns. Weighted likelihood (survey or bootstrap weights). The variance is
the inverse information (model-based); winset's support models take their uncertainty from the
respondent bootstrap instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import linalg
from scipy.special import expit

from ..conjoint.data import ConjointError
from ..conjoint.ols import Coefficients, DummyDesign
from ..errors import Problem

MAX_ITERATIONS = 100
SEPARATION = 30.0  # |linear predictor| beyond which a probability is numerically 0 or 1


@dataclass(frozen=True)
class LogitFit(Coefficients):
    """Coefficients (NaN where aliased), their model-based variance, and the fit's log-likelihood."""

    loglik: float
    iterations: int


def loglik(design: DummyDesign, coef: np.ndarray, y: np.ndarray, weights: np.ndarray) -> float:
    eta = design.fitted(coef)
    return float(weights @ (y * eta - np.logaddexp(0.0, eta)))


def fit_logit(
    design: DummyDesign,
    y: np.ndarray,
    weights: np.ndarray | None = None,
    start: np.ndarray | None = None,
    keep: np.ndarray | None = None,
    tolerance: float = 1e-10,
    variance: bool = True,
) -> LogitFit:
    """Maximise the (weighted) binomial log-likelihood of ``y`` (0/1) on the design.

    ``start`` (all columns, NaN where aliased) warm-starts Newton's method, e.g. from the full
    sample's estimate in a bootstrap; ``keep`` fixes which columns are estimable; ``variance``
    False skips the variance (NaN), which bootstrap draws do not need.
    """
    w = np.ones(design.n_rows) if weights is None else np.asarray(weights, dtype=float)
    if keep is None:
        keep = design.estimable(w)
    kept = np.flatnonzero(keep)
    coef = np.zeros(design.width)
    if start is not None:
        coef[kept] = np.nan_to_num(start[kept])
    current = loglik(design, coef, y, w)
    for iteration in range(1, MAX_ITERATIONS + 1):  # noqa: B007 (its last value is returned: the iterations run)
        p = expit(design.fitted(coef))
        gradient = design.crossprod(w * (y - p))[kept]
        hessian = design.gram(w * p * (1.0 - p))[np.ix_(kept, kept)]
        try:
            step = linalg.solve(hessian, gradient, assume_a="pos")
        except (linalg.LinAlgError, ValueError):
            # a column no row (with weight) informs, e.g. in a bootstrap resample: the least-norm
            # step leaves it where it started
            step = linalg.lstsq(hessian, gradient)[0]
        size = 1.0
        while True:
            trial = coef.copy()
            trial[kept] += size * step
            value = loglik(design, trial, y, w)
            if value >= current - 1e-12 * abs(current) or size < 1e-8:
                break
            size /= 2
        coef, improvement, current = trial, value - current, value
        if np.max(np.abs(size * step)) < tolerance or abs(improvement) < tolerance * max(1.0, abs(current)) * 1e-3:
            break
    else:
        raise _separated()
    if np.max(np.abs(design.fitted(coef))) > SEPARATION:
        raise _separated()
    full = np.full(design.width, np.nan)
    full[kept] = coef[kept]
    vcov = np.full((design.width, design.width), np.nan)
    if variance:
        p = expit(design.fitted(coef))
        vcov[np.ix_(kept, kept)] = linalg.pinv(design.gram(w * p * (1.0 - p))[np.ix_(kept, kept)])
    return LogitFit(design.names, full, vcov, ~keep, current, iteration)


def _separated() -> ConjointError:
    return ConjointError(
        [
            Problem(
                "support model",
                "the logistic regression does not converge: some option or group predicts the answer perfectly",
                "merge rare options or covariate groups, or collect more responses",
            )
        ]
    )

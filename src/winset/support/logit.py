"""Logistic regression on dummy-coded designs, by Newton's method on the distinct design rows.

Uses :class:`~winset.conjoint.ols.DummyDesign`: the likelihood, gradient ``X'w(y - p)`` and
Hessian ``X' diag(w p (1-p)) X`` are computed on the design's distinct rows, from the weights'
and the weighted answers' sums over each, and R's aliasing rule drops linearly dependent columns.
Weighted likelihood (survey or bootstrap weights). The variance is the inverse information
(model-based); winset's support models take their uncertainty from the respondent bootstrap.

Newton's method is written here rather than taken from statsmodels (tested against its ``Logit``
and ``GLM``) to fit many weightings of one design at once: a bootstrap's resamples are columns of
one matrix, so each step is a few matrix products over all of them (the Hessians of all the
resamples in one product of the distinct rows' column pairs, where those fit in memory) instead of
hundreds of small fits. Each resample keeps its own step halving, stopping rule and solve.

Answers flipped at random (projoint's measurement-error model, :mod:`winset.support.response_error`)
have a logit of their own: with a known flip rate ``tau``, ``P(yes) = tau + (1 - 2 tau) expit(eta)``
(Hausman, Abrevaya and Scott-Morton's misclassified binary choice, with the two error rates equal).
``flip`` gives each fit its ``tau``; its steps are Fisher scoring (the expected information
``X' diag(w s^2 / (p (1 - p))) X``, ``s = (1 - 2 tau) p0 (1 - p0)``, ``p0 = expit(eta)``), which is
Newton's method where ``tau`` is 0.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import linalg, sparse
from scipy.special import expit

from ..conjoint.data import ConjointError
from ..conjoint.ols import Coefficients, DummyDesign
from ..errors import Problem

MAX_ITERATIONS = 100
SCORING_ITERATIONS = 2000  # Fisher scoring converges linearly: near tau's floor, slowly (cheap steps)
SEPARATION = 30.0  # |linear predictor| beyond which a probability is numerically 0 or 1
CHUNK = 2**20  # distinct rows x resamples held in one matrix at a time (8 MB)
PAIRS = 2**23  # at most this many distinct rows x column pairs are kept for the Hessians of many fits


@dataclass(frozen=True)
class LogitFit(Coefficients):
    """Coefficients (NaN where aliased), their model-based variance, and the fit's log-likelihood."""

    loglik: float
    iterations: int


def fit_logit(
    design: DummyDesign,
    y: np.ndarray,
    weights: np.ndarray | None = None,
    start: np.ndarray | None = None,
    keep: np.ndarray | None = None,
    tolerance: float = 1e-10,
    variance: bool = True,
    flip: float = 0.0,
) -> LogitFit:
    """Maximise the (weighted) binomial log-likelihood of ``y`` (0/1) on the design.

    ``start`` (all columns, NaN where aliased) warm-starts Newton's method, e.g. from the full
    sample's estimate in a bootstrap; ``keep`` fixes which columns are estimable; ``variance``
    False skips the variance (NaN), which bootstrap draws do not need; ``flip`` is the rate at
    which answers are flipped (see the module; the variance is then the inverse expected
    information, with ``flip`` taken as known).
    """
    w = np.ones(design.n_rows) if weights is None else np.asarray(weights, dtype=float)
    if keep is None:
        keep = design.estimable(w)
    coef, value, iterations = fit_logits(design, y, w[None, :], None, start, keep, tolerance, np.array([flip]))
    if np.isnan(value[0]):
        raise _not_converged()
    kept = np.flatnonzero(keep)
    vcov = np.full((design.width, design.width), np.nan)
    if variance:
        eta = design.fitted(coef[0])[:, None]
        curvature, _ = _scoring(eta, w[:, None], np.zeros_like(eta), np.array([flip]))
        vcov[np.ix_(kept, kept)] = linalg.pinv(design.gram(curvature[:, 0])[np.ix_(kept, kept)])
    return LogitFit(design.names, coef[0], vcov, ~keep, float(value[0]), int(iterations[0]))


def fit_logits(
    design: DummyDesign,
    y: np.ndarray,
    weights: np.ndarray,
    units: np.ndarray | None,
    start: np.ndarray | None,
    keep: np.ndarray,
    tolerance: float,
    flip: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One fit per row of ``weights``, as :func:`fit_logit` would give it, all at once.

    ``weights`` (fits x units) weight the units, ``units`` gives each data row's unit (None: the
    rows themselves), e.g. bootstrap resamples of respondents; ``flip`` (one per fit, in [0, 0.5))
    the rate at which answers are flipped (see the module). Returns the coefficients (fits x
    columns, NaN where not kept), the log-likelihoods and the iterations each fit took; a fit of
    flipped answers that does not converge in ``SCORING_ITERATIONS`` steps is NaN throughout.
    """
    weights = np.atleast_2d(np.asarray(weights, dtype=float))
    kept = np.flatnonzero(keep)
    x = design.distinct[:, kept]
    first = np.zeros(len(kept)) if start is None else np.nan_to_num(start[kept])
    rows = DistinctRows(design, y, np.arange(design.n_rows) if units is None else units, weights.shape[1])
    totals, yes = rows.totals, rows.yes
    coef = np.full((len(weights), design.width), np.nan)
    value = np.empty(len(weights))
    iterations = np.empty(len(weights), dtype=np.int64)
    per_chunk = max(1, CHUNK // max(1, len(x)))
    for begin in range(0, len(weights), per_chunk):
        part = slice(begin, begin + per_chunk)
        unit_weights = weights[part].T
        flips = None if flip is None else np.asarray(flip, dtype=float)[part]
        kept_coef, value[part], iterations[part] = _newton(
            x, totals @ unit_weights, yes @ unit_weights, first, tolerance, flips
        )
        coef[part, kept] = kept_coef.T
    return coef, value, iterations


class DistinctRows:
    """A logit's data gathered by distinct design rows, for many fits with weights per unit:
    ``fit`` gives what :func:`fit_logits` would, each fit from its own start (an EM's classes)."""

    def __init__(self, design: DummyDesign, y: np.ndarray, units: np.ndarray, n_units: int | None = None):
        self.x = design.distinct
        shape = (len(design.distinct), int(units.max()) + 1 if n_units is None else n_units)
        # each distinct row's total weight, and total weight of yes, per unit weight: W_d = S w
        self.totals = sparse.csr_matrix((np.ones(design.n_rows), (design.profile, units)), shape=shape)
        self.yes = sparse.csr_matrix((np.asarray(y, dtype=float), (design.profile, units)), shape=shape)

    def fit(self, weights: np.ndarray, start: np.ndarray, tolerance: float) -> tuple[np.ndarray, np.ndarray]:
        """Coefficients (fits x columns) and log-likelihoods of one fit per row of ``weights``
        (fits x units), from ``start`` (fits x columns); every column is kept."""
        unit_weights = np.atleast_2d(weights).T
        coef, value, _ = _newton(self.x, self.totals @ unit_weights, self.yes @ unit_weights, start.T, tolerance)
        return coef.T, value


def _newton(
    x: np.ndarray,
    w: np.ndarray,
    wy: np.ndarray,
    start: np.ndarray,
    tolerance: float,
    flip: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Newton's method (Fisher scoring where answers flip) with step halving on the distinct rows
    ``x``, one fit per column of the rows' total weights ``w`` and weighted answers ``wy`` (and
    of ``flip``), each stopped on its own, from ``start`` (columns, or columns x fits)."""
    fits = w.shape[1]
    pairs = _column_pairs(x) if fits > 1 and len(x) * x.shape[1] * (x.shape[1] + 1) // 2 <= PAIRS else None
    tau = np.zeros(fits) if flip is None else flip
    coef = np.repeat(start[:, None], fits, axis=1) if start.ndim == 1 else start.copy()
    eta = x @ coef
    value = _loglik(eta, w, wy, tau)
    iterations = np.zeros(fits, dtype=np.int64)
    out_coef, out_value = coef.copy(), value.copy()
    active = np.arange(fits)  # the fits still running: the columns of coef, eta, value, w and wy
    limit = MAX_ITERATIONS if not tau.any() else SCORING_ITERATIONS
    for iteration in range(1, limit + 1):
        curvature, score = _scoring(eta, w, wy, tau)
        step = _steps(_hessians(x, curvature, pairs), x.T @ score)
        size = np.ones(len(active))
        trial = coef + step
        trial_eta = x @ trial
        trial_value = _loglik(trial_eta, w, wy, tau)
        halve = (trial_value < value - 1e-12 * np.abs(value)) & (size >= 1e-8)
        while halve.any():
            size[halve] /= 2
            trial[:, halve] = coef[:, halve] + size[halve] * step[:, halve]
            trial_eta[:, halve] = x @ trial[:, halve]
            trial_value[halve] = _loglik(trial_eta[:, halve], w[:, halve], wy[:, halve], tau[halve])
            halve &= (trial_value < value - 1e-12 * np.abs(value)) & (size >= 1e-8)
        moved = np.max(np.abs(size * step), axis=0, initial=0.0)
        # a flat log-likelihood ends Newton's method. Fisher scoring (tau > 0) converges linearly, so
        # its steps say when it is done, unless no step gains any more: the likelihood unchanged
        # in its last digits, or not raised at all (a row fitted at tau's floor, whose linear
        # predictor runs off along a direction the data do not inform), or flat there
        change = trial_value - value
        flat = np.abs(change) < tolerance * np.maximum(1.0, np.abs(trial_value)) * 1e-3
        bounded = np.max(np.abs(trial_eta), axis=0, initial=0.0) > SEPARATION
        stuck = (np.abs(change) <= 8 * np.finfo(float).eps * np.abs(trial_value)) | (change <= 0) | (flat & bounded)
        settled = np.where(tau == 0, flat, stuck)
        coef, eta, value = trial, trial_eta, trial_value
        iterations[active] = iteration
        done = (moved < tolerance) | settled
        if done.any():
            # with flips, a row answered yes (or no) less often than tau is fitted by a probability
            # of tau (1 - tau) and a linear predictor without end: the estimate, not a separation
            if np.max(np.abs(eta[:, done & (tau == 0)]), initial=0.0) > SEPARATION:
                raise _separated()
            out_coef[:, active[done]], out_value[active[done]] = coef[:, done], value[done]
            if done.all():
                return out_coef, out_value, iterations
            keep = ~done
            active, coef, eta, value, w, wy, tau = (
                active[keep],
                coef[:, keep],
                eta[:, keep],
                value[keep],
                w[:, keep],
                wy[:, keep],
                tau[keep],
            )
    if not tau.any():
        raise _separated()
    # fits of flipped answers still running: NaN, for the caller to leave out or refuse
    out_coef[:, active], out_value[active] = np.nan, np.nan
    return out_coef, out_value, iterations


def _loglik(eta: np.ndarray, w: np.ndarray, wy: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """Each column's log-likelihood from the distinct rows' linear predictors and sums (answers
    flipped at the column's rate ``tau``)."""
    plain = np.sum(wy * eta - w * np.logaddexp(0.0, eta), axis=0)
    flipped = tau > 0
    if not flipped.any():
        return plain
    t = tau[flipped]
    p = t + (1 - 2 * t) * expit(eta[:, flipped])
    with np.errstate(divide="ignore"):  # a weightless row of p 0 or 1 adds nothing
        terms = wy[:, flipped] * np.log(p) + (w[:, flipped] - wy[:, flipped]) * np.log1p(-p)
    plain[flipped] = np.sum(np.where(w[:, flipped] > 0, terms, 0.0), axis=0)
    return plain


def _scoring(eta: np.ndarray, w: np.ndarray, wy: np.ndarray, tau: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per distinct row and column, the weight of the information matrix and the score's factor
    on the linear predictor (see the module): ``w p (1 - p)`` and ``wy - w p`` where ``tau`` is 0."""
    p0 = expit(eta)
    slope = (1 - 2 * tau) * p0 * (1 - p0)
    p = tau + (1 - 2 * tau) * p0
    spread = p * (1 - p)
    # 1 where tau is 0; 0 for a row whose probability is numerically 0 or 1 (no information)
    ratio = np.divide(slope, spread, out=np.zeros_like(spread), where=spread > 0)
    return w * slope * ratio, (wy - w * p) * ratio


def _column_pairs(x: np.ndarray) -> np.ndarray:
    """The products of every pair of columns of ``x`` (upper triangle, row-major order)."""
    upper, lower = np.triu_indices(x.shape[1])
    return x[:, upper] * x[:, lower]


def _hessians(x: np.ndarray, v: np.ndarray, pairs: np.ndarray | None = None) -> np.ndarray:
    """``X' diag(v_b) X`` for every column b of ``v``, as (columns, k, k): one product of the
    distinct rows' column ``pairs`` with ``v``; without them (one fit, or too many distinct rows
    to keep their pairs), a Gram matrix per column, whose memory traffic is then the smaller."""
    if pairs is None:
        return np.stack([x.T @ (x * v[:, b : b + 1]) for b in range(v.shape[1])])
    k = x.shape[1]
    upper, lower = np.triu_indices(k)
    flat = pairs.T @ v
    out = np.empty((v.shape[1], k, k))
    out[:, upper, lower] = flat.T
    out[:, lower, upper] = flat.T
    return out


def _steps(hessians: np.ndarray, gradients: np.ndarray) -> np.ndarray:
    """Newton steps (k x fits), one fit at a time, so that a fit's step does not depend on the
    others. A Hessian that is not positive definite (a column no weighted row informs, e.g. in a
    bootstrap resample), or so ill-conditioned that the solve warns of it, gets the least-norm
    step, which leaves that column where it started."""
    out = np.empty_like(gradients)
    for b, (hessian, gradient) in enumerate(zip(hessians, gradients.T, strict=True)):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", linalg.LinAlgWarning)  # ill-conditioned: as singular
                out[:, b] = linalg.solve(hessian, gradient, assume_a="pos")
        except (linalg.LinAlgError, linalg.LinAlgWarning, ValueError):
            out[:, b] = linalg.lstsq(hessian, gradient)[0]
    return out


def _not_converged() -> ConjointError:
    return ConjointError(
        [
            Problem(
                "support model",
                f"the logistic regression of answers flipped at the repeated task's rate does not converge in "
                f"{SCORING_ITERATIONS:,} steps",
                "merge rare options or covariate groups, or collect more responses",
            )
        ]
    )


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

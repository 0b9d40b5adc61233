"""Weighted least squares on dummy-coded designs, with R's aliasing rule and the variance
conventions of cregg and cjoint.

Every regressor in a conjoint model is a 0/1 dummy: an intercept, one block of treatment dummies
per feature, and blocks of interaction dummies. A :class:`DummyDesign` stores, for each block
(:class:`Term`), which of its columns each row switches on, and the few distinct rows of the
design; the fit never holds the dense design matrix. ``X'WX`` and ``X'y`` come from the distinct
rows and per-row sums, cluster score totals from ``numpy.bincount``. Memory grows with rows times
terms (small integers), not rows times columns.

Variance conventions, ``V = A^-1 B A^-1`` with ``A = X'WX`` over the estimable columns and
``s_c = sum_{i in c} w_i e_i x_i`` the score total of cluster c (one of M):

``"survey"``
    R's ``survey::svyglm``, which cregg always uses and cjoint uses with weights:
    ``B = M/(M-1) sum_c (s_c - mean s)(s_c - mean s)'``, M the number of PSUs. Without clusters
    (``svydesign(ids = ~0)``) every row is its own PSU. The scores sum to zero at the solution
    (``X'We = 0``), so the centring changes nothing here.
``"cr1"``
    Stata's CR1, as cjoint's ``cluster_se_glm`` (respondent clusters, no weights) and sandwich's
    ``vcovCL`` (HC1):
    ``B = M/(M-1) (N-1)/(N-K) sum_c s_c s_c'``, K the number of estimable columns.
``"hc2"``
    sandwich's ``vcovHC(type = "HC2")``, as cjoint without clusters and without weights:
    ``B = sum_i (w_i e_i)^2 x_i x_i' / (1 - h_i)`` with leverage ``h_i = w_i x_i' A^-1 x_i``.
``"classical"``
    ``sigma^2 A^-1``, ``sigma^2 = sum_i w_i e_i^2 / (N - K)``, as R's ``vcov(lm)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, overload

import numpy as np
import pandas as pd
from scipy import linalg

from ..errors import Problem
from .errors import ConjointError

VarianceKind = Literal["survey", "cr1", "hc2", "classical"]

# R's lm() uses LINPACK dqrdc2 with tol = 1e-7: a column whose norm, after removing the earlier
# kept columns, falls below tol times its own norm is aliased (its coefficient is NA).
ALIAS_TOLERANCE = 1e-7
# A row's leverage h_i is 1 when the model fits it exactly (no other row shares its pattern of
# dummies); HC2 divides by 1 - h_i. Leverages are computed to about 1e-15.
LEVERAGE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Term:
    """A block of dummy columns. ``cells[i]`` is the column of this block that row i switches on,
    or -1 where row i has none of them on (a baseline level)."""

    name: str
    labels: tuple[str, ...]
    cells: np.ndarray

    @property
    def width(self) -> int:
        return len(self.labels)


class DummyDesign:
    """A design matrix made of dummy blocks, in column order: terms as given, columns of a term as
    its labels.

    Rows that switch on the same columns (the same profile, in the same group) are identical, and
    conjoint data repeat a few thousand distinct profiles over millions of rows. The design is
    therefore stored as its distinct rows (``self.distinct``, a small dense matrix) and each row's
    index among them (``self.profile``): ``X'WX``, ``X'y``, fitted values and leverages are computed
    on the distinct rows; only per-cluster score totals need the rows themselves.
    """

    def __init__(self, terms: Sequence[Term]):
        self.terms = tuple(terms)
        self.n_rows = len(self.terms[0].cells) if self.terms else 0
        widths = [t.width for t in self.terms]
        self.offsets = np.concatenate([[0], np.cumsum(widths)]).astype(int)
        self.names: tuple[str, ...] = tuple(f"{t.name}[{label}]" for t in self.terms for label in t.labels)
        self.profile, first_rows = self._distinct_rows()
        self.distinct = self._dense_rows(first_rows)

    @property
    def width(self) -> int:
        return int(self.offsets[-1])

    def _distinct_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """Each row's index among the distinct rows, and the first row of each distinct row."""
        key = np.zeros(self.n_rows, dtype=np.int64)
        bound = 1
        for term in self.terms:
            if bound * (term.width + 1) >= 2**62:  # keep the combined key inside int64
                key = pd.factorize(key)[0].astype(np.int64)
                bound = int(key.max()) + 1 if self.n_rows else 1
            key = key * (term.width + 1) + (term.cells.astype(np.int64) + 1)
            bound *= term.width + 1
        profile = pd.factorize(key)[0]
        first = np.empty(int(profile.max()) + 1 if self.n_rows else 0, dtype=np.int64)
        first[profile[::-1]] = np.arange(self.n_rows - 1, -1, -1)  # the last write is the first row
        return profile, first

    def _dense_rows(self, rows: np.ndarray) -> np.ndarray:
        x = np.zeros((len(rows), self.width))
        flat = x.reshape(-1)
        base = np.arange(len(rows)) * self.width
        for term, offset in zip(self.terms, self.offsets, strict=False):
            cells = term.cells[rows]
            on = cells >= 0
            flat[base[on] + offset + cells[on]] = 1.0
        return x

    def dense(self, start: int, stop: int) -> np.ndarray:
        """Rows ``start:stop`` of the design matrix."""
        return self.distinct[self.profile[start:stop]]

    def _per_distinct(self, values: np.ndarray | None) -> np.ndarray:
        """Sums of ``values`` (ones if None) over the rows of each distinct row."""
        return np.bincount(self.profile, weights=values, minlength=len(self.distinct)).astype(float)

    def estimable(self, weights: np.ndarray | None, tolerance: float = ALIAS_TOLERANCE) -> np.ndarray:
        """The columns R's ``lm`` keeps (:func:`estimable_columns`), decided on the distinct rows
        each scaled by the square root of its total weight: a matrix whose cross-product is
        ``X' diag(weights) X`` and whose columns have the norms of ``sqrt(W) X``."""
        return estimable_columns(self.distinct * np.sqrt(self._per_distinct(weights))[:, None], tolerance)

    def gram(self, weights: np.ndarray | None) -> np.ndarray:
        """``X' diag(weights) X`` (weights None: all ones)."""
        return self.distinct.T @ (self.distinct * self._per_distinct(weights)[:, None])

    def crossprod(self, values: np.ndarray) -> np.ndarray:
        """``X' values``."""
        return self.distinct.T @ self._per_distinct(values)

    def fitted(self, coef: np.ndarray) -> np.ndarray:
        """``X coef`` (NaN coefficients count as 0)."""
        return (self.distinct @ np.nan_to_num(coef))[self.profile]

    def quadratic(self, matrix: np.ndarray) -> np.ndarray:
        """``x_i' matrix x_i`` for every row i (``matrix`` over all columns)."""
        return np.einsum("ij,jk,ik->i", self.distinct, matrix, self.distinct)[self.profile]

    def cluster_totals(self, values: np.ndarray, clusters: np.ndarray, n_clusters: int) -> np.ndarray:
        """``C' (X * values)``: per cluster (rows) and column, the sum of ``values`` over the
        cluster's rows that switch the column on."""
        out = np.empty((n_clusters, self.width))
        for term, offset in zip(self.terms, self.offsets, strict=False):
            index = clusters * (term.width + 1) + np.where(term.cells >= 0, term.cells, term.width).astype(np.int64)
            counts = np.bincount(index, weights=values, minlength=n_clusters * (term.width + 1))
            out[:, offset : offset + term.width] = counts.reshape(n_clusters, term.width + 1)[:, : term.width]
        return out


@dataclass(frozen=True)
class Coefficients:
    """A model's coefficients on a dummy design and their variance, over all its columns: NaN
    where a column is aliased (what a linear and a logistic fit have in common)."""

    names: tuple[str, ...]
    coef: np.ndarray
    vcov: np.ndarray
    aliased: np.ndarray

    @property
    def std_error(self) -> np.ndarray:
        return np.sqrt(np.diag(self.vcov))


@dataclass(frozen=True)
class Fit(Coefficients):
    """A fitted linear model: coefficients and their variance over all columns, NaN where aliased."""

    n_obs: int
    n_clusters: int
    rss: float  # weighted residual sum of squares

    @property
    def rank(self) -> int:
        return int((~self.aliased).sum())

    @property
    def df_residual(self) -> int:
        return self.n_obs - self.rank


def estimable_columns(matrix: np.ndarray, tolerance: float = ALIAS_TOLERANCE) -> np.ndarray:
    """Which columns of ``matrix`` R's ``lm`` keeps: in column order, drop a column whose residual
    norm after projecting out the kept columns is below ``tolerance`` times its own norm (all-zero
    columns too).

    Gram-Schmidt on the matrix itself, each projection done twice: on the Gram matrix instead, the
    test would compare squared norms at 1e-14, where rounding alone can keep an aliased column."""
    rows, width = matrix.shape
    basis = np.zeros((rows, 0))
    keep = np.zeros(width, dtype=bool)
    for j in range(width):
        column = matrix[:, j].astype(float)
        norm = np.linalg.norm(column)
        if norm == 0:
            continue
        residual = column - basis @ (basis.T @ column)
        residual -= basis @ (basis.T @ residual)
        left = np.linalg.norm(residual)
        if left >= tolerance * norm:
            basis = np.column_stack([basis, residual / left])
            keep[j] = True
    return keep


@overload
def unit_scale(weights: np.ndarray) -> np.ndarray: ...
@overload
def unit_scale(weights: None) -> None: ...
def unit_scale(weights: np.ndarray | None) -> np.ndarray | None:
    """Weights times the power of four that brings the largest into [1/4, 1). The estimates and
    every variance here do not depend on the scale of the weights, and scaling by a power of four
    is exact in floating point (square roots included), so nothing changes but that no sum of
    weights, or of weighted squares, can overflow."""
    if weights is None or not len(weights):
        return weights
    largest = float(np.max(weights))
    if not (np.isfinite(largest) and largest > 0):
        return weights
    exponent = int(np.frexp(largest)[1])
    return np.ldexp(weights, -(exponent + exponent % 2))


def fit(
    design: DummyDesign,
    y: np.ndarray,
    weights: np.ndarray | None = None,
    clusters: np.ndarray | None = None,
    variance: VarianceKind = "survey",
    row_names: Callable[[np.ndarray], str] | None = None,
    source: str | None = None,
) -> Fit:
    """Fit ``y`` on the design by (weighted) least squares and estimate the coefficients' variance.

    ``clusters`` holds integer cluster codes ``0..M-1`` (respondents), or None for none;
    ``weights`` are survey weights (their scale does not matter). Aliased columns get NaN.
    ConjointError where no variance can be estimated: no more rows than estimable coefficients,
    a row of leverage 1 under HC2 (``row_names`` names rows in the message; ``source`` is the
    data file), or estimates and standard errors that come out as no finite number.
    """
    n, k = design.n_rows, design.width
    weights = unit_scale(weights)
    gram = design.gram(weights)
    rhs = design.crossprod(y if weights is None else weights * y)
    keep = design.estimable(weights)
    kept = np.flatnonzero(keep)
    rank = len(kept)
    counted = n if weights is None else int(np.count_nonzero(weights > 0))  # rows without weight inform nothing
    if counted <= rank:
        raise ConjointError(
            [
                Problem(
                    "data",
                    f"{counted} rows{'' if weights is None else ' with weight'} for {rank} coefficients: "
                    "no degrees of freedom are left for the standard errors",
                    "analyse more data, or fewer features or levels (merge rare levels)",
                )
            ],
            source=source,
        )
    chol = linalg.cho_factor(gram[np.ix_(kept, kept)], lower=True)
    coef = np.full(k, np.nan)
    coef[kept] = linalg.cho_solve(chol, rhs[kept])
    a_inv = linalg.cho_solve(chol, np.eye(rank))

    with np.errstate(over="ignore", invalid="ignore"):  # the results are checked below
        resid = y - design.fitted(coef)
        we = resid if weights is None else weights * resid
        rss = float(resid @ we)
        n_clusters = int(clusters.max()) + 1 if clusters is not None else n
        if variance == "classical":
            cov = a_inv * (rss / (n - rank))
        else:
            meat = _meat(design, kept, a_inv, we, weights, clusters, n_clusters, variance, row_names, source)
            cov = a_inv @ meat @ a_inv
    if not (np.isfinite(coef[kept]).all() and np.isfinite(np.diag(cov)).all()):
        raise ConjointError([not_finite(y)], source=source)
    vcov = np.full((k, k), np.nan)
    vcov[np.ix_(kept, kept)] = cov
    return Fit(design.names, coef, vcov, ~keep, n, n_clusters, rss)


def influence(
    design: DummyDesign, model: Fit, y: np.ndarray, weights: np.ndarray | None, clusters: np.ndarray
) -> np.ndarray:
    """Each cluster's linearised influence on the estimable coefficients (clusters x columns,
    0 in aliased columns): ``A^-1 s_c``, whose ``M/(M-1)``-scaled cross-product about its mean is
    the "survey" variance. It gives the covariance of the coefficients with any other estimate
    linearised over the same clusters."""
    weights = unit_scale(weights)
    kept = np.flatnonzero(~model.aliased)
    gram = design.gram(weights)[np.ix_(kept, kept)]
    resid = y - design.fitted(model.coef)
    we = resid if weights is None else weights * resid
    totals = design.cluster_totals(we, clusters, model.n_clusters)[:, kept]
    out = np.zeros((model.n_clusters, design.width))
    out[:, kept] = linalg.solve(gram, totals.T, assume_a="pos").T
    return out


def not_finite(y: np.ndarray) -> Problem:
    """The problem of estimates or variances that came out as no finite number, with its likely
    cause: never printed as results."""
    largest = float(np.max(np.abs(y)))
    if largest > np.sqrt(np.finfo(float).max / 1e6 / len(y)):
        cause = f"the outcome reaches {largest:g}, beyond what its squares can hold"
        fix = "rescale the outcome (e.g. a rating to 0-1, a count to thousands), or correct the extreme values"
    else:
        cause = "rounding in a model that is nearly singular (a level or group with almost no weight)"
        fix = "merge rare levels or groups, or drop rows with extreme weights"
    message = f"the estimates or their standard errors are not finite numbers; the likely cause: {cause}"
    return Problem("data", message, fix)


def _meat(
    design: DummyDesign,
    kept: np.ndarray,
    a_inv: np.ndarray,
    we: np.ndarray,
    weights: np.ndarray | None,
    clusters: np.ndarray | None,
    n_clusters: int,
    variance: VarianceKind,
    row_names: Callable[[np.ndarray], str] | None = None,
    source: str | None = None,
) -> np.ndarray:
    n, rank = design.n_rows, len(kept)
    if variance == "hc2":
        full_inv = np.zeros((design.width, design.width))
        full_inv[np.ix_(kept, kept)] = a_inv
        leverage = design.quadratic(full_inv)
        if weights is not None:
            leverage = leverage * weights
        exact = np.flatnonzero(leverage > 1 - LEVERAGE_TOLERANCE)
        if len(exact):
            name = row_names(exact) if row_names else f"rows {', '.join(map(str, exact[:5]))}"
            one = len(exact) == 1
            raise ConjointError(
                [
                    Problem(
                        "data",
                        f"{name} {'has' if one else 'have'} leverage 1 (the model fits {'it' if one else 'them'} "
                        f"exactly), so {'its' if one else 'their'} HC2 variance, cjoint's without respondent ids "
                        "or weights, is not defined",
                        "give the respondent id column for clustered standard errors, merge rare levels, "
                        "or analyse more data",
                    )
                ],
                source=source,
            )
        return design.gram(we**2 / (1.0 - leverage))[np.ix_(kept, kept)]
    if clusters is None:  # every row its own cluster; the row scores sum to zero at the solution
        meat = design.gram(we**2)[np.ix_(kept, kept)]
        return meat * (n / (n - 1)) * ((n - 1) / (n - rank) if variance == "cr1" else 1.0)
    totals = design.cluster_totals(we, clusters, n_clusters)[:, kept]
    m = n_clusters
    if variance == "survey":
        totals -= totals.mean(axis=0)
        return totals.T @ totals * (m / (m - 1))
    return totals.T @ totals * (m / (m - 1)) * ((n - 1) / (n - rank))

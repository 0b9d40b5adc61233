"""The joint linear bound's per-row arithmetic for the logistic link, compiled.

For every node and row, :class:`winset.engine.linear_bound.LinkLines` lays a line over the
logistic on the row's score interval ``[lo, hi]``: the tangent of the logistic's concave envelope
near the row's score under a reference completion, or the chord from ``lo`` to ``hi`` where that
envelope is the chord. A public's additive bound then needs, per node, the weighted sum of the
lines' values at the row's best assigned score and the rows' weighted slopes.

Why compiled (numba): in numpy this is a dozen passes over (nodes x rows) temporaries with one
or two exponentials per element, and it was three quarters of the exact search's time at real
heterogeneity (cProfile of ``benchmarks/bench_search.py``, spread 1.19). One fused pass per node
does the same arithmetic in the same float64 operations, about 23 ns a row against numpy's 45-57;
tests check it against ``LinkLines``, which stays the reference, as they check :func:`step_lines`
(the same for the step link, where the lines need no exponential and the copies were the cost). It
runs on one core: a call holds only the few dozen nodes of one batch, and sharing those among
threads cost twice the time whenever anything else ran on the machine (measured: 19.5 s of
kernel time with two threads against 4.5 s with one, same search).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True, inline="always")
def _sigma(s: float) -> float:
    if s >= 0:
        return 1.0 / (1.0 + math.exp(-s))
    e = math.exp(s)
    return e / (1.0 + e)


@njit(cache=True, inline="always")
def _scores(
    x: np.ndarray, j: int, columns: np.ndarray, starts: np.ndarray, completion: np.ndarray, i: int, out: np.ndarray
) -> None:
    """Every row's score under node i's completion, into ``out``: its assigned part (row j of ``x``)
    and the rest, added column by column (contiguous rows of ``columns``) in the issues' order."""
    out[:] = x[j]
    for k in range(starts.shape[0]):
        out += columns[starts[k] + completion[i, k]]


@njit(cache=True, nogil=True)
def logistic_lines(
    nodes: np.ndarray,
    x: np.ndarray,
    most: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    columns: np.ndarray,
    starts: np.ndarray,
    completion: np.ndarray,
    weights: np.ndarray,
    tau: np.ndarray,
    grid_start: float,
    grid_step: float,
) -> tuple[np.ndarray, np.ndarray]:
    """For nodes (m, each a row of ``x``, ``most``, ``lo`` and ``hi``) and rows (R): each node's
    constant ``sum_r w_r (a_r + b_r most_r)`` and the weighted slopes ``w_r b_r`` (m, R) of the
    lines touching each row's score ``x + sum over the unassigned issues of columns[starts[k] +
    completion[k], r]`` (``columns``: the unassigned issues' coefficients, columns x rows;
    ``tau``: the tangent points tabulated on the grid)."""
    m, rows = nodes.shape[0], x.shape[1]
    last = tau.shape[0] - 1
    constant = np.zeros(m)
    slopes = np.empty((m, rows))
    score = np.empty(rows)
    for i in range(m):
        j = nodes[i]
        _scores(x, j, columns, starts, completion, i, score)
        total = 0.0
        for r in range(rows):
            low, high = lo[j, r], hi[j, r]
            if low < grid_start:  # too far out to tabulate: the flat line at sigma(hi)
                intercept, slope = _sigma(high), 0.0
            else:
                below = math.floor((min(low, 0.0) - grid_start) / grid_step)
                under = tau[min(below + 1, last)]
                if low < 0.0 and high <= under:  # the chord from lo to hi
                    s_lo = _sigma(low)
                    slope = (_sigma(high) - s_lo) / (high - low) if high > low else 0.0
                    intercept = s_lo - slope * low
                else:  # a tangent, at the row's score kept within [start, max(hi, start)]
                    start = low if low >= 0.0 else tau[below]
                    end = max(high, start)
                    touch = min(max(score[r], start), end)
                    s = _sigma(touch)
                    slope = s * (1.0 - s)
                    intercept = s - slope * touch
            total += weights[r] * (intercept + slope * most[j, r])
            slopes[i, r] = weights[r] * slope
        constant[i] = total
    return constant, slopes


@njit(cache=True, nogil=True)
def step_lines(
    nodes: np.ndarray,
    x: np.ndarray,
    most: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    columns: np.ndarray,
    starts: np.ndarray,
    completion: np.ndarray,
    weights: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`logistic_lines` for the step link (a row says yes where its score is positive):
    the flat line at 1 where ``hi > 0`` and at 0 elsewhere, except where the interval crosses
    zero and the row's score is not positive, where the line rises from (lo, 0) through (0, 1)."""
    m, rows = nodes.shape[0], x.shape[1]
    constant = np.zeros(m)
    slopes = np.empty((m, rows))
    score = np.empty(rows)
    for i in range(m):
        j = nodes[i]
        _scores(x, j, columns, starts, completion, i, score)
        total = 0.0
        for r in range(rows):
            low, high = lo[j, r], hi[j, r]
            intercept, slope = (1.0 if high > 0.0 else 0.0), 0.0
            if low <= 0.0 and high > 0.0 and score[r] <= 0.0:
                slope = 1.0 / max(-low, 1e-300)
            total += weights[r] * (intercept + slope * most[j, r])
            slopes[i, r] = weights[r] * slope
        constant[i] = total
    return constant, slopes

"""The mixed logit's simulated log-likelihood and its gradient, in blocks of respondents on threads.

Respondents are independent given the parameters, so the log-likelihood is a sum over them. It is
computed in blocks of :data:`BLOCK` respondents: a block's (respondent, task, alternative, draw)
arrays stay in the processor's cache, and the blocks run on :data:`THREADS` threads (numpy
releases the interpreter in its loops). The blocks are fixed by the data alone and their sums are
added in block order, so the value does not depend on how many threads there are.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import cache

import numpy as np

from ..defaults import cores

BLOCK = 256  # respondents per block
THREADS: int | None = None  # threads for the blocks; None: one per core


def simulated_loglik(
    x: np.ndarray,
    chosen_x: np.ndarray,
    mask: np.ndarray,
    z: np.ndarray,
    theta: np.ndarray,
    weights: np.ndarray,
    optout: bool,
    scores: bool = False,
) -> tuple[float, np.ndarray]:
    """The weighted simulated log-likelihood and its gradient (with ``scores``, each respondent's
    gradient instead): ``x`` (N, T, J, K) the shown alternatives' dummies, ``chosen_x`` (N, K)
    the chosen ones' summed over tasks, ``mask`` (N, T) the real tasks, ``z`` (N, K, R) the
    standard normal draws, ``theta`` the means then the standard deviations."""
    n = len(x)
    blocks = [slice(start, min(start + BLOCK, n)) for start in range(0, n, BLOCK)]

    def block(rows: slice) -> tuple[float, np.ndarray]:
        value, per_respondent = _block(x[rows], chosen_x[rows], mask[rows], z[rows], theta, optout)
        return float(weights[rows] @ value), per_respondent if scores else weights[rows] @ per_respondent

    threads = min(len(blocks), THREADS or cores())
    parts = list(_pool(threads).map(block, blocks)) if threads > 1 else [block(rows) for rows in blocks]
    value = sum(v for v, _ in parts)
    if scores:
        return value, np.vstack([s for _, s in parts])
    gradient = parts[0][1].copy()
    for _, g in parts[1:]:
        gradient += g
    return value, gradient


@cache
def _pool(threads: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(threads, thread_name_prefix="winset-likelihood")


def _block(
    x: np.ndarray, chosen: np.ndarray, mask: np.ndarray, z: np.ndarray, theta: np.ndarray, optout: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Each respondent's simulated log-likelihood (N,) and its gradient (N, 2K).

    Written to touch each (respondent, task, alternative, draw) array as few times as it can,
    in place: the utilities are ``(x * sd) @ z + x @ mean`` without forming the coefficients
    of every draw, the chosen alternatives' utilities come from their dummies summed over
    tasks (``chosen``), and padded tasks, whose dummies are 0, drop out of the gradient."""
    n, t, j, k = x.shape
    mean, sd = theta[:k], theta[k:]
    x = x.reshape(n, t * j, k)
    utility = np.matmul(x * sd, z)  # (N, T*J, R)
    utility += (x @ mean)[:, :, None]
    utility = utility.reshape(n, t, j, -1)
    # the logit denominator over the shown alternatives and the opt-out (utility 0); the largest
    # utility one alternative at a time, which is quicker than a reduction over a short axis
    top = np.maximum(utility[:, :, 0], 0.0) if optout else utility[:, :, 0].copy()  # (N, T, R)
    for alternative in range(1, j):
        np.maximum(top, utility[:, :, alternative], out=top)
    utility -= top[:, :, None, :]
    probability = np.exp(utility, out=utility)  # for now exp(u - top): the utilities are not needed again
    total = probability.sum(axis=2)
    if optout:
        outside = np.negative(top)
        total += np.exp(outside, out=outside)
    log_norm = np.log(total)
    log_norm += top  # (N, T, R)
    log_l = np.matmul((chosen * sd)[:, None, :], z)[:, 0, :]  # (N, R): the chosen utilities' sum
    log_l += (chosen @ mean)[:, None]
    log_l -= np.matmul(mask[:, None, :], log_norm)[:, 0, :]
    top_r = log_l.max(axis=1, keepdims=True)
    log_mean = (top_r + np.log(np.exp(log_l - top_r).mean(axis=1, keepdims=True)))[:, 0]  # (N,)
    # gradient: sum_r h_ir (chosen_x_i - sum_t sum_j p_itjr x_itj) for the means, times z_ir
    # for the standard deviations, with h the posterior weights of the draws
    h = np.exp(log_l - log_mean[:, None]) / log_l.shape[1]  # (N, R)
    probability /= total[:, :, None, :]
    expected = np.matmul(x.transpose(0, 2, 1), probability.reshape(n, t * j, -1))  # (N, K, R)
    expected *= z
    per_sd = chosen * np.matmul(z, h[:, :, None])[:, :, 0] - np.matmul(expected, h[:, :, None])[:, :, 0]
    shown = np.matmul(probability.reshape(n, t * j, -1), h[:, :, None])  # (N, T*J, 1)
    per_mean = chosen * h.sum(axis=1)[:, None] - np.matmul(x.transpose(0, 2, 1), shown)[:, :, 0]
    return log_mean, np.hstack([per_mean, per_sd])

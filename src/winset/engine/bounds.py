"""Optimistic and pessimistic scores of partial packages, for branch and bound.

Issues are assigned in a search order. For a partial package that fixes the first d issues of the
order, each row's score over all completions lies between

    partial_r + sum over unassigned issues k of min_o B[r, k, o]    and
    partial_r + sum over unassigned issues k of max_o B[r, k, o]

(each row's best and worst remaining options, chosen row by row), plus the analogous ranges of
pairwise terms not yet fully assigned. Because links are monotone and weights non-negative, the
supports computed from these scores bound the support of every completion from above and below.

Arrays here are laid out packages x rows, so that gathering an option's coefficients for many
packages copies contiguous rows, and a matrix product with the table's weights-by-group matrix
gives every group's support at once.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from .scoretable import ScoreTable, apply_link


class TableBounds:
    """Row score bounds of one ScoreTable for partial packages in a given issue order."""

    def __init__(self, table: ScoreTable, order: np.ndarray):
        self.table = table
        self.order = np.asarray(order)
        k = len(table.shape)
        rows = table.n_rows
        self.position = np.empty(k, dtype=np.int64)
        self.position[self.order] = np.arange(k)
        offsets = table.offsets
        self.coefficients = np.ascontiguousarray(table.coefficients.T)  # (columns, rows)
        blocks = [table.coefficients[:, offsets[i] : offsets[i] + n] for i, n in enumerate(table.shape)]
        best = np.vstack([blocks[i].max(axis=1) for i in self.order]) if k else np.zeros((0, rows))
        worst = np.vstack([blocks[i].min(axis=1) for i in self.order]) if k else np.zeros((0, rows))
        # suffix[d]: the sum over issues at positions d.. of the order (row k is 0)
        self.suffix_best = np.vstack([np.cumsum(best[::-1], axis=0)[::-1], np.zeros((1, rows))])
        self.suffix_worst = np.vstack([np.cumsum(worst[::-1], axis=0)[::-1], np.zeros((1, rows))])
        self.columns = np.array([offsets[i] for i in self.order], dtype=np.int64)  # first column per position
        self.pairs = []
        for pair in table.pairs:
            first, second = sorted((self.position[pair.first], self.position[pair.second]))
            values = pair.values if self.position[pair.first] == first else pair.values.transpose(0, 2, 1)
            # (option of the earlier issue, option of the later one, rows)
            values = np.ascontiguousarray(values.transpose(1, 2, 0))
            self.pairs.append((first, second, values, values.max(axis=1), values.min(axis=1)))
            # before the earlier issue is assigned, the pair adds at most its row maximum
            self.suffix_best[: first + 1] += values.max(axis=(0, 1))[None, :]
            self.suffix_worst[: first + 1] += values.min(axis=(0, 1))[None, :]
        self.weights_by_group = table.weights_by_group

    def partial(self, prefix: np.ndarray) -> np.ndarray:
        """Scores of the assigned part of each partial package: (m, rows)."""
        m, d = prefix.shape
        out = np.repeat(self.table.intercepts[None, :], m, axis=0)
        for j in range(d):
            out += self.coefficients[self.columns[j] + prefix[:, j]]
        for first, second, values, _, _ in self.pairs:
            if second < d:
                out += values[prefix[:, first], prefix[:, second]]
        return out

    def bounds(self, prefix: np.ndarray, partial: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Highest and lowest row scores over all completions of each partial package (``partial``:
        the scores of the assigned part, if already computed): two (m, rows) arrays."""
        d = prefix.shape[1]
        partial = self.partial(prefix) if partial is None else partial
        high = partial + self.suffix_best[d][None, :]
        low = partial + self.suffix_worst[d][None, :]
        for first, second, _, most, least in self.pairs:
            if first < d <= second:  # the earlier issue is assigned, the later is not
                high += most[prefix[:, first]]
                low += least[prefix[:, first]]
        return high, low

    def support(self, scores: np.ndarray) -> np.ndarray:
        """Every group's support from row scores (m, rows): (groups, m). Overwrites ``scores``."""
        return (apply_link(self.table.link, scores, overwrite=True) @ self.weights_by_group).T

    def support_bounds(self, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Supports just above and just below those of ``scores`` (groups, m), about three times
        faster than :meth:`support` for the logistic link (see :func:`logistic32`); ``scores``
        is left as it is."""
        approximate = self._approximate_support(scores)
        return approximate + self.slack[:, None], approximate - self.slack[:, None]

    def support_bound(self, scores: np.ndarray, upper: bool = True) -> np.ndarray:
        """One side of :meth:`support_bounds`."""
        return self._approximate_support(scores) + (1 if upper else -1) * self.slack[:, None]

    def _approximate_support(self, scores: np.ndarray) -> np.ndarray:
        if self.table.link != "logistic":
            return (apply_link(self.table.link, scores) @ self.weights_by_group).T
        return (logistic32(scores) @ self._weights32).T.astype(np.float64)

    @cached_property
    def _weights32(self) -> np.ndarray:
        return self.weights_by_group.astype(np.float32)

    @cached_property
    def slack(self) -> np.ndarray:
        """Per group: how far :meth:`_approximate_support` may be from the support (0 where it is
        exact): the float32 logistic's error (``LOGISTIC32_ERROR``), and the float32 sum's, at most
        (rows + 2) units of 2^-24 of the group's weight, both doubled."""
        if self.table.link != "logistic":
            return np.zeros(self.weights_by_group.shape[1])
        rows = (self.weights_by_group != 0).sum(axis=0)
        return 2 * (LOGISTIC32_ERROR + (rows + 2) * 2.0**-24) * np.abs(self.weights_by_group).sum(axis=0)


# How far logistic32 may be from the exact logistic of a float64 score: rounding the score to
# float32 moves it by at most 2^-24 |s|, which moves the logistic by at most 2^-24 |s| min(1/4,
# e^-|s|) < 3e-8; float32 exp errs by a few units in the last place (relative 5e-7), and 1 + e and
# its reciprocal by half a unit each: under 1e-6, taken five times over.
LOGISTIC32_ERROR = 5e-6


def logistic32(scores: np.ndarray) -> np.ndarray:
    """The logistic of float64 scores, computed in float32 (SIMD exp is about four times faster
    than in float64), to within ``LOGISTIC32_ERROR``; a new array."""
    out = scores.astype(np.float32)
    with np.errstate(over="ignore"):  # exp overflows to inf for very negative scores: 1/inf = 0
        np.negative(out, out=out)
        np.exp(out, out=out)
    out += 1.0
    return np.reciprocal(out, out=out)

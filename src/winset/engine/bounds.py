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

import numpy as np

from ..scoretable import ScoreTable


class TableBounds:
    """Row score bounds of one ScoreTable for partial packages in a given issue order."""

    def __init__(self, table: ScoreTable, order: np.ndarray) -> None:
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

    def partial(self, prefix: np.ndarray) -> np.ndarray:
        """Scores of the assigned part of each partial package: (m, rows).

        Where runs of packages share all but their last issue (a node's children), the shared
        part is scored once per run: the same additions in the same order, so the same numbers
        (with pairwise terms, whose order would change, every package is scored whole)."""
        m, d = prefix.shape
        if d >= 2 and not self.pairs:
            change = np.any(prefix[1:, :-1] != prefix[:-1, :-1], axis=1)
            firsts = np.flatnonzero(np.concatenate([[True], change]))
            if 2 * len(firsts) <= m:
                out = np.repeat(self.partial(prefix[firsts, :-1]), np.diff(np.append(firsts, m)), axis=0)
                out += self.coefficients[self.columns[d - 1] + prefix[:, d - 1]]
                return out
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
        return self.table.linked_sums(scores, overwrite=True).T

    def support_bounds(self, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Supports just above and just below those of ``scores`` (groups, m), about three times
        faster than :meth:`support` for the logistic link; ``scores`` is left as it is."""
        return self.table.bounds_from_scores(scores)

    def support_bound(self, scores: np.ndarray, upper: bool = True) -> np.ndarray:
        """One side of :meth:`support_bounds`."""
        high, low = self.table.bounds_from_scores(scores)
        return high if upper else low

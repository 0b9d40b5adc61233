"""The ScoreTable: what every kind of evidence compiles to, and what the deal engine searches.

A ScoreTable has one column per (issue, option), in the scenario's order, and rows that a model
averages over (respondents, population cells, simulated individuals, bootstrap draws). Row r has
an intercept ``a_r``, a weight ``w_r`` and a group ``g_r`` (0 for the point estimate, 1, 2, ... for
bootstrap draws). With a monotone link ``phi``::

    score_r(P)   = a_r + sum over issues k of B[r, (k, P_k)]
    support_g(P) = sum over rows r in group g of w_r * phi(score_r(P))

Links: ``identity`` (negotiator utility, linear probability), ``logistic`` (probability of
support), ``step`` (1 where the score is above zero). Weights are not normalised here: a support
model gives each group's rows weights that sum to one, so support is a population share.

Models with attribute interactions add pairwise terms: a :class:`Pair` of issues (a, b) adds
``values[r, P_a, P_b]`` to every row's score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Literal

import numpy as np

Link = Literal["identity", "logistic", "step"]
LINKS = ("identity", "logistic", "step")
CHUNK_PACKAGES = 2048
CHUNK_CELLS = 4_000_000  # rows x packages scored at a time
DENSE_GROUPS = 8  # up to this many groups, support sums rows with one matrix product


@dataclass(frozen=True)
class Pair:
    """A pairwise term: ``values[r, option of issue first, option of issue second]``."""

    first: int
    second: int
    values: np.ndarray  # (R, n_first, n_second)


@dataclass(frozen=True)
class ScoreTable:
    """Scores of packages for many rows; see the module documentation.

    ``shape`` gives the number of options of each issue; ``coefficients`` has one column per
    (issue, option) in that order (``sum(shape)`` columns).
    """

    shape: tuple[int, ...]
    intercepts: np.ndarray  # (R,)
    coefficients: np.ndarray  # (R, sum(shape))
    weights: np.ndarray  # (R,)
    groups: np.ndarray  # (R,) int, 0 .. n_groups - 1
    link: Link = "logistic"
    pairs: tuple[Pair, ...] = ()

    def __post_init__(self) -> None:
        n = len(self.intercepts)
        if self.coefficients.shape != (n, sum(self.shape)):
            raise ValueError(f"coefficients must be ({n}, {sum(self.shape)}), got {self.coefficients.shape}")
        if self.weights.shape != (n,) or self.groups.shape != (n,):
            raise ValueError("weights and groups need one entry per row")
        if self.link not in LINKS:
            raise ValueError(f"link must be one of {LINKS}")
        if n and (self.groups.min() < 0 or np.any(np.diff(np.unique(self.groups)) != 1) or self.groups.min() != 0):
            raise ValueError("groups must be numbered 0, 1, 2, ... without gaps")
        for pair in self.pairs:
            expected = (n, self.shape[pair.first], self.shape[pair.second])
            if pair.first == pair.second or pair.values.shape != expected:
                raise ValueError(f"a pair of issues ({pair.first}, {pair.second}) needs values of shape {expected}")

    @property
    def n_rows(self) -> int:
        return len(self.intercepts)

    @property
    def n_groups(self) -> int:
        return int(self.groups.max()) + 1 if self.n_rows else 0

    @property
    def offsets(self) -> np.ndarray:
        """Column of the first option of each issue."""
        return np.concatenate([[0], np.cumsum(self.shape)[:-1]]).astype(np.int64)

    def scores(self, codes: np.ndarray) -> np.ndarray:
        """``score_r(P)`` for each row r and package P: an array (rows, packages).

        ``codes`` is (packages, issues), one option index per issue.
        """
        return self.package_scores(codes).T

    def package_scores(self, codes: np.ndarray) -> np.ndarray:
        """Scores laid out packages x rows (each package's row scores contiguous).

        The sum over issues is a product of the packages' one-hot option indicators with the
        coefficients: BLAS does it an order of magnitude faster than gathering the columns."""
        codes = np.atleast_2d(np.asarray(codes))
        indicators = np.zeros((len(codes), self.coefficients.shape[1]))
        indicators[np.arange(len(codes))[:, None], codes + self.offsets] = 1.0
        out = indicators @ self._columns
        out += self.intercepts
        for pair in self.pairs:
            out += pair.values[:, codes[:, pair.first], codes[:, pair.second]].T
        return out

    def support(self, codes: np.ndarray) -> np.ndarray:
        """``support_g(P)`` for each group g and package P: an array (groups, packages)."""
        codes = np.atleast_2d(np.asarray(codes))
        out = np.empty((self.n_groups, len(codes)))
        step = self.chunk_packages
        for start in range(0, len(codes), step):
            chunk = codes[start : start + step]
            out[:, start : start + len(chunk)] = self.linked_sums(self.package_scores(chunk), overwrite=True).T
        return out

    @cached_property
    def chunk_packages(self) -> int:
        """How many packages :meth:`support` and :meth:`support_bounds` score at a time: about
        ``CHUNK_CELLS`` rows x packages, at most ``CHUNK_PACKAGES``."""
        return max(1, min(CHUNK_PACKAGES, CHUNK_CELLS // max(self.n_rows, 1)))

    def support_bounds(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Supports just above and just below ``support(codes)`` (each (groups, packages)), about
        three times faster for the logistic link: see :meth:`bounds_from_scores`."""
        codes = np.atleast_2d(np.asarray(codes))
        high, low = np.empty((self.n_groups, len(codes))), np.empty((self.n_groups, len(codes)))
        step = self.chunk_packages
        for start in range(0, len(codes), step):
            chunk = slice(start, start + step)
            high[:, chunk], low[:, chunk] = self.bounds_from_scores(self.package_scores(codes[chunk]))
        return high, low

    def bounds_from_scores(self, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Supports just above and just below those of row ``scores`` (packages, rows), each
        (groups, packages): the logistic and the sums in float32, widened by
        :attr:`support_slack` (exact for the other links). ``scores`` is left as it is."""
        if self.link != "logistic":
            exact = self.linked_sums(scores).T
            return exact, exact
        approximate = self._group_weighted_sums(logistic32(scores)).T.astype(np.float64)
        slack = self.support_slack[:, None]
        return approximate + slack, approximate - slack

    @cached_property
    def support_slack(self) -> np.ndarray:
        """Per group: how far :meth:`bounds_from_scores` may be from the support: the float32
        logistic's error (``LOGISTIC32_ERROR``) and the float32 sum's (at most rows + 2 units of
        2^-24), both of the group's weight, doubled."""
        rows = np.bincount(self.groups, minlength=self.n_groups)
        weight = np.bincount(self.groups, weights=np.abs(self.weights), minlength=self.n_groups)
        return 2 * (LOGISTIC32_ERROR + (rows + 2) * 2.0**-24) * weight

    def linked_sums(self, scores: np.ndarray, overwrite: bool = False) -> np.ndarray:
        """(m, groups): each group's support from row ``scores`` (m, rows), that is the weighted
        sum of the linked scores; ``overwrite`` lets it reuse ``scores``. Under the step link, where
        each group's rows share one weight, counted (:mod:`winset.step_counts`)."""
        if self.link == "step" and self._step_weights is not None:
            from .step_counts import positive_counts  # compiled at its first use

            if self._group_order is not None:
                scores = scores[:, self._group_order]
            counts = positive_counts(np.ascontiguousarray(scores, dtype=np.float64), self._group_starts)
            return counts * self._step_weights
        linked = apply_link(self.link, scores, overwrite=overwrite)
        return self._group_weighted_sums(linked.copy() if linked is scores and not overwrite else linked)

    @cached_property
    def _step_weights(self) -> np.ndarray | None:
        """Each group's one weight, if every row of every group has its group's weight."""
        if not self.n_rows:
            return None
        first = np.full(self.n_groups, np.nan)
        first[self.groups[::-1]] = self.weights[::-1]  # a row's weight for each group
        return first if np.array_equal(self.weights, first[self.groups]) else None

    def _group_weighted_sums(self, linked: np.ndarray) -> np.ndarray:
        """(m, groups): each group's weighted sum of the rows of ``linked`` (m, rows), in its
        precision (float64 or float32). A dense product for a few groups; for many (bootstrap
        draws), sums over each group's rows. ``linked`` may be overwritten."""
        if self.n_groups <= DENSE_GROUPS:
            weights = self.weights_by_group if linked.dtype == np.float64 else self._weights_by_group32
            return linked @ weights
        linked *= self.weights.astype(linked.dtype)
        if self._group_order is not None:
            linked = linked[:, self._group_order]
        return np.add.reduceat(linked, self._group_starts, axis=1)

    @cached_property
    def _weights_by_group32(self) -> np.ndarray:
        return self.weights_by_group.astype(np.float32)

    @cached_property
    def _columns(self) -> np.ndarray:
        """The coefficients laid out columns x rows (the right operand of the scores' product)."""
        return np.ascontiguousarray(self.coefficients.T)

    @cached_property
    def weights_by_group(self) -> np.ndarray:
        """(rows, groups): a row's weight in its group's column, so that link(scores) @ it sums
        every group's support at once."""
        out = np.zeros((self.n_rows, self.n_groups))
        out[np.arange(self.n_rows), self.groups] = self.weights
        return out

    def group_sums(self, values: np.ndarray) -> np.ndarray:
        """Sum the rows of ``values`` (rows, m) within each group: (groups, m)."""
        if self.n_groups == 1:
            return values.sum(axis=0, keepdims=True)
        if self._group_order is not None:
            values = values[self._group_order]
        return np.add.reduceat(values, self._group_starts, axis=0)

    @cached_property
    def _group_order(self) -> np.ndarray | None:
        """The row order that makes every group contiguous (None: they already are)."""
        if np.all(np.diff(self.groups) >= 0):
            return None
        return np.argsort(self.groups, kind="stable")

    @cached_property
    def _group_starts(self) -> np.ndarray:
        ordered = self.groups if self._group_order is None else self.groups[self._group_order]
        return np.searchsorted(ordered, np.arange(self.n_groups))

    def shifted(self, shift: np.ndarray | float) -> ScoreTable:
        """The table with every row's intercept moved by ``shift`` (one value, or one per group)."""
        shift = np.asarray(shift, dtype=float)
        moved = self.intercepts + (shift[self.groups] if shift.ndim else shift)
        return ScoreTable(self.shape, moved, self.coefficients, self.weights, self.groups, self.link, self.pairs)

    def group(self, g: int) -> ScoreTable:
        """The rows of one group, as a table with that single group (numbered 0)."""
        return self.take(np.flatnonzero(self.groups == g))

    def groups_between(self, first: int, stop: int) -> ScoreTable:
        """The rows of groups ``first`` .. ``stop - 1``, as a table of those groups (numbered from
        0); kept, as a screen asks for the same ones chunk after chunk."""
        if first == 0 and stop >= self.n_groups:
            return self
        key = (first, stop)
        if key not in self._parts:
            rows = np.flatnonzero((self.groups >= first) & (self.groups < stop))
            self._parts[key] = replace(self.take(rows), groups=self.groups[rows] - first)
        return self._parts[key]

    @cached_property
    def _parts(self) -> dict[tuple[int, int], ScoreTable]:
        return {}

    def take(self, rows: np.ndarray, weights: np.ndarray | None = None) -> ScoreTable:
        """The given rows as a table with a single group (numbered 0), with ``weights`` for them
        if given."""
        return ScoreTable(
            self.shape,
            self.intercepts[rows],
            self.coefficients[rows],
            self.weights[rows] if weights is None else np.asarray(weights, dtype=float),
            np.zeros(len(rows), dtype=np.int64),
            self.link,
            tuple(Pair(p.first, p.second, p.values[rows]) for p in self.pairs),
        )

    @staticmethod
    def stack(tables: Sequence[ScoreTable]) -> ScoreTable:
        """Tables with one group each, stacked as groups 0, 1, 2, ... in order."""
        first = tables[0]
        groups = np.concatenate([np.full(t.n_rows, i, dtype=np.int64) for i, t in enumerate(tables)])
        pairs = tuple(
            Pair(p.first, p.second, np.concatenate([t.pairs[j].values for t in tables]))
            for j, p in enumerate(first.pairs)
        )
        return ScoreTable(
            first.shape,
            np.concatenate([t.intercepts for t in tables]),
            np.vstack([t.coefficients for t in tables]),
            np.concatenate([t.weights for t in tables]),
            groups,
            first.link,
            pairs,
        )


def apply_link(link: Link, scores: np.ndarray, overwrite: bool = False) -> np.ndarray:
    """The link applied to scores; with ``overwrite`` the scores array is reused for the result."""
    if link == "logistic":
        out = scores if overwrite else np.empty_like(scores)
        with np.errstate(over="ignore"):  # exp(-x) overflows to inf for very negative x: 1/inf = 0
            np.negative(scores, out=out)
            np.exp(out, out=out)
        out += 1.0
        return np.reciprocal(out, out=out)
    if link == "step":
        return (scores > 0).astype(float)
    return scores


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

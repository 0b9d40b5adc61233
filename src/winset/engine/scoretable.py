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
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.special import expit

Link = Literal["identity", "logistic", "step"]
LINKS = ("identity", "logistic", "step")
CHUNK_PACKAGES = 4096


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
        codes = np.atleast_2d(np.asarray(codes))
        columns = codes + self.offsets  # (m, K) column of each package's option on each issue
        out = np.repeat(self.intercepts[:, None], len(codes), axis=1)
        for k in range(len(self.shape)):
            out += self.coefficients[:, columns[:, k]]
        return out

    def support(self, codes: np.ndarray) -> np.ndarray:
        """``support_g(P)`` for each group g and package P: an array (groups, packages)."""
        codes = np.atleast_2d(np.asarray(codes))
        out = np.empty((self.n_groups, len(codes)))
        for start in range(0, len(codes), CHUNK_PACKAGES):
            chunk = codes[start : start + CHUNK_PACKAGES]
            values = apply_link(self.link, self.scores(chunk)) * self.weights[:, None]
            out[:, start : start + len(chunk)] = _group_sums(values, self.groups, self.n_groups)
        return out

    def shifted(self, shift: np.ndarray | float) -> ScoreTable:
        """The table with every row's intercept moved by ``shift`` (one value, or one per group)."""
        shift = np.asarray(shift, dtype=float)
        moved = self.intercepts + (shift[self.groups] if shift.ndim else shift)
        return ScoreTable(self.shape, moved, self.coefficients, self.weights, self.groups, self.link)

    def group(self, g: int) -> ScoreTable:
        """The rows of one group, as a table with that single group (numbered 0)."""
        rows = self.groups == g
        return ScoreTable(
            self.shape,
            self.intercepts[rows],
            self.coefficients[rows],
            self.weights[rows],
            np.zeros(int(rows.sum()), dtype=np.int64),
            self.link,
        )

    @staticmethod
    def stack(tables: Sequence[ScoreTable]) -> ScoreTable:
        """Tables with one group each, stacked as groups 0, 1, 2, ... in order."""
        first = tables[0]
        groups = np.concatenate([np.full(t.n_rows, i, dtype=np.int64) for i, t in enumerate(tables)])
        return ScoreTable(
            first.shape,
            np.concatenate([t.intercepts for t in tables]),
            np.vstack([t.coefficients for t in tables]),
            np.concatenate([t.weights for t in tables]),
            groups,
            first.link,
        )


def apply_link(link: Link, scores: np.ndarray) -> np.ndarray:
    if link == "logistic":
        return expit(scores)
    if link == "step":
        return (scores > 0).astype(float)
    return scores


def _group_sums(values: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Sum the rows of ``values`` (rows, m) within each group: (n_groups, m)."""
    if n_groups == 1:
        return values.sum(axis=0, keepdims=True)
    order = np.argsort(groups, kind="stable")
    starts = np.searchsorted(groups[order], np.arange(n_groups))
    return np.add.reduceat(values[order], starts, axis=0)

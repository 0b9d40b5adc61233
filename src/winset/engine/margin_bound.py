"""A joint bound for several publics at once: how good can the smallest margin get?

Bounding each public's support on its own lets every public pick its favourite completion, and
publics in a dispute want opposite ones: the minimum of such bounds stays high until most issues
are assigned. This bound couples the publics through their *mean* preferences.

Write each row's option effects as the public's weighted mean plus a deviation,
``B[r, k, o] = mu[k, o] + D[r, k, o]``. For a completion c of a partial package whose rows
already score ``x_r``,

    score_r(c) <= x_r + Delta_r + M(c),   Delta_r = sum over unassigned k of max_o D[r, k, o],

where ``M(c) = sum_k mu[k, c_k]`` is additive. So public i's support is at most
``G_i(M_i(c)) = sum_r w_r phi(min(x_r + Delta_r + M_i(c), U_r))``, increasing in ``M_i``, where
``U_r`` is the row's own best completion (the separate bound, row by row). Over completions,
only the Pareto frontier of ``(M_1(c), M_2(c))`` matters (the same for every node at a depth, so it
is computed once per depth by merging issues with a sort-and-sweep), and along it ``G_1`` rises
while ``G_2`` falls: the best smallest margin sits where they cross, found by bisection. With more
than two publics every pair gives a bound and the smallest holds. The bound is exact when a
public's rows share their option effects (they may differ in intercept), and loosens with the
spread of individual preferences.
"""

from __future__ import annotations

import itertools

import numpy as np

from .bounds import TableBounds
from .scoretable import ScoreTable, apply_link


def pareto_2d(points: np.ndarray) -> np.ndarray:
    """Indices of the points (n, 2) no other point dominates, sorted by the first coordinate
    ascending; of equal points one is kept."""
    order = np.lexsort((-points[:, 1], -points[:, 0]))  # first coordinate descending, ties: second descending
    second = points[order, 1]
    running = np.maximum.accumulate(np.concatenate([[-np.inf], second[:-1]]))
    keep = order[second > running]
    return keep[::-1]


class MarginBound:
    """Upper bounds on ``max over completions of min over publics of (support - threshold)``,
    from the point-estimate rows (group 0) of two or more publics."""

    def __init__(self, tables: list[ScoreTable], thresholds: np.ndarray, order: np.ndarray):
        self.rows = [np.flatnonzero(t.groups == 0) for t in tables]  # the point estimate's rows
        self.tables = [t.group(0) for t in tables]
        self.thresholds = np.asarray(thresholds, dtype=float)
        self.order = np.asarray(order)
        self.partials = [TableBounds(t, self.order) for t in self.tables]
        self.means, self.slack = [], []
        for table, bounds in zip(self.tables, self.partials, strict=True):
            w = table.weights / table.weights.sum()
            mean = w @ table.coefficients  # (columns,)
            deviation = table.coefficients - mean[None, :]
            per_issue = [deviation[:, o : o + n].max(axis=1) for o, n in zip(table.offsets, table.shape, strict=True)]
            ordered = np.vstack([per_issue[i] for i in self.order])  # (positions, rows)
            slack = np.vstack([np.cumsum(ordered[::-1], axis=0)[::-1], np.zeros((1, table.n_rows))])
            for first, _, values, _, _ in bounds.pairs:
                # pairwise terms have mean 0 here: before their earlier issue is assigned, their whole range is slack
                slack[: first + 1] += values.max(axis=(0, 1))[None, :]
            self.means.append([mean[o : o + n] for o, n in zip(table.offsets, table.shape, strict=True)])
            self.slack.append(slack)
        self.pairs = list(itertools.combinations(range(len(self.tables)), 2))
        self.frontiers = {pair: self._frontiers(*pair) for pair in self.pairs}

    def _frontiers(self, i: int, j: int) -> list[np.ndarray]:
        """For each depth d, the Pareto frontier of (M_i, M_j) over completions of the issues at
        positions d.. of the order, sorted by M_i ascending."""
        frontiers = [np.zeros((1, 2))]
        for position in range(len(self.order) - 1, -1, -1):
            issue = self.order[position]
            options = np.column_stack([self.means[i][issue], self.means[j][issue]])
            merged = (frontiers[-1][:, None, :] + options[None, :, :]).reshape(-1, 2)
            frontiers.append(merged[pareto_2d(merged)])
        return frontiers[::-1]

    def bound(self, prefix: np.ndarray, partials: list[np.ndarray] | None = None) -> np.ndarray:
        """The bound for each partial package (rows of ``prefix``, in search order).
        ``partials``: each public's scores of the assigned part (packages x all its rows), if computed."""
        d = prefix.shape[1]
        base, caps = [], []
        for i, (bounds, slack) in enumerate(zip(self.partials, self.slack, strict=True)):
            assigned = bounds.partial(prefix) if partials is None else partials[i][:, self.rows[i]]
            high = assigned + slack[d][None, :]
            cap, _ = bounds.bounds(prefix, assigned)  # each row's own best completion
            for first, second, _, most, _ in bounds.pairs:
                if first < d <= second:
                    high += most[prefix[:, first]]
            base.append(high)  # x_r + Delta_r, packages x rows
            caps.append(cap)
        out = np.full(len(prefix), np.inf)
        for i, j in self.pairs:
            frontier = self.frontiers[(i, j)][d]
            out = np.minimum(out, self._pair_bound(i, j, (base[i], caps[i]), (base[j], caps[j]), frontier))
        return out

    def _margin(self, i: int, base: tuple[np.ndarray, np.ndarray], shift: np.ndarray) -> np.ndarray:
        """Public i's margin bound at mean index ``shift``: each row at x_r + Delta_r + shift, but
        never above its own best completion."""
        table = self.tables[i]
        scores = np.minimum(base[0] + shift[:, None], base[1])
        support = apply_link(table.link, scores, overwrite=True) @ table.weights
        return support - self.thresholds[i]

    def _pair_bound(self, i: int, j: int, base_i, base_j, frontier: np.ndarray) -> np.ndarray:
        m = base_i[0].shape[0]
        low = np.zeros(m, dtype=np.int64)
        high = np.full(m, len(frontier) - 1, dtype=np.int64)
        # smallest frontier index where public i's margin reaches public j's (i rises, j falls)
        while True:
            open_ = low < high
            if not open_.any():
                break
            middle = (low + high) // 2
            rising = self._margin(i, base_i, frontier[middle, 0])
            falling = self._margin(j, base_j, frontier[middle, 1])
            crossed = rising >= falling
            high = np.where(open_ & crossed, middle, high)
            low = np.where(open_ & ~crossed, middle + 1, low)
        before = np.maximum(low - 1, 0)
        at = np.minimum(self._margin(i, base_i, frontier[low, 0]), self._margin(j, base_j, frontier[low, 1]))
        previous = np.minimum(
            self._margin(i, base_i, frontier[before, 0]), self._margin(j, base_j, frontier[before, 1])
        )
        return np.maximum(at, previous)

"""A joint bound for the publics at once, from lines laid over each row's link.

Bounding each public's support row by row lets every row pick its favourite completion, though
all rows share one package: with heterogeneous publics that bound stays loose until nearly every
issue is assigned. This bound keeps the rows together.

Over the completions of a partial package, row r's score stays within ``[lo_r, hi_r]`` (see
:mod:`winset.engine.bounds`). On that interval the link lies below a line
``l_r(s) = a_r + b_r s`` with ``b_r >= 0`` (for the logistic, a tangent of its concave envelope),
and a row's score is at most ``x_r + p_r + sum over unassigned k of B[r, k, c_k]`` (``x_r``: the
assigned part; ``p_r``: the most the unassigned pairwise terms can add). So public i's support is
at most

    L_i(c) = sum_r w_r (a_r + b_r (x_r + p_r)) + sum over unassigned k of beta_i[k, c_k],
    beta_i[k, o] = sum_r w_r b_r B[r, k, o],

which is additive in the completion c. The best smallest margin over two publics is then at most
``min over lambda in [0, 1] of max over c of lambda (L_1 - t_1) + (1 - lambda) (L_2 - t_2)``, and
for a fixed lambda the maximum is taken issue by issue. With more publics every pair gives a bound
and the smallest holds; a single public gives ``max over c of L_1 - t_1``.

The lines touch the link where each row scores under a reference completion: first each public's
favourite on average, then the completion the bound itself picks. Every choice of lines gives a
valid bound; good ones give a tight one.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
from scipy.special import expit

from ..scoretable import ScoreTable
from .bounds import TableBounds
from .rules import WHOLE

if TYPE_CHECKING:
    from .problem import DealProblem

LAMBDAS = np.linspace(0.0, 1.0, 33)  # the weights of the two publics tried in the dual bound
ROUNDS = 3  # lines at the favourites, then twice at the completion the bound picks
ROUNDING = 1e-9  # added to every bound: float64 rounding in the sums
TANGENT_GRID = (-40.0, 0.0, 0.001)  # lo values where the logistic's tangent point is tabulated


@cache
def _tangent_points() -> tuple[np.ndarray, np.ndarray]:
    """For lo on a grid over [-40, 0]: the point tau >= 0 where the line from (lo, sigma(lo)) is
    tangent to the logistic sigma (where its concave envelope over [lo, inf) leaves the chord)."""
    start, stop, step = TANGENT_GRID
    lo = np.arange(start, stop + step / 2, step)
    low, high = np.zeros_like(lo), np.full_like(lo, 60.0)
    for _ in range(100):  # the chord from lo rises above sigma before tau and below it after
        middle = (low + high) / 2
        s = expit(middle)
        above = s * (1 - s) * (middle - lo) > s - expit(lo)
        low, high = np.where(above, middle, low), np.where(above, high, middle)
    return lo, high


def _taus(lo: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The tangent point for each lo, rounded to the grid on either side: the first at or
    beyond the true one (a tangent there lies above the logistic on [lo, inf)), the second at or
    before it (a chord from lo to a point below it lies above the logistic)."""
    _, tau = _tangent_points()
    start, _, step = TANGENT_GRID
    position = (np.clip(lo, start, 0.0) - start) / step
    below = np.floor(position).astype(np.int64)  # tau falls as lo rises
    return tau[below], tau[np.minimum(below + 1, len(tau) - 1)]


class LinkLines:
    """Lines above a link on each row's score interval [lo, hi], for many (node, row) pairs:
    what does not depend on where they touch is worked out once."""

    def __init__(self, link: str, lo: np.ndarray, hi: np.ndarray) -> None:
        self.link = link
        self.lo, self.hi = lo, hi
        if link != "logistic":
            return
        over, under = _taus(lo)
        # tangents touch at or beyond `start`; where hi comes first, the chord from lo to hi
        self.start = np.where(lo >= 0, lo, over)
        self.end = np.maximum(hi, self.start)
        chord = (lo < 0) & (hi <= under)
        far = lo < TANGENT_GRID[0]  # too far out to tabulate: the flat line at sigma(hi)
        s_lo, s_hi = expit(lo), expit(hi)
        sloped = chord & (hi > lo)
        chord_slope = np.where(sloped, (s_hi - s_lo) / np.where(sloped, hi - lo, 1.0), 0.0)
        self.fixed = chord | far
        self.fixed_slope = np.where(far, 0.0, chord_slope)
        self.fixed_intercept = np.where(far, s_hi, s_lo - chord_slope * lo)

    def at(self, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Intercepts and slopes of the lines, touching the link near ``scores``."""
        if self.link == "identity":
            return np.zeros_like(self.lo), np.ones_like(self.lo)
        if self.link == "step":
            lo, hi = self.lo, self.hi
            rising = (lo <= 0) & (hi > 0) & (scores <= 0)  # the line from (lo, 0) through (0, 1)
            slope = np.where(rising, 1.0 / np.maximum(-lo, 1e-300), 0.0)
            return np.where(hi > 0, 1.0, 0.0), slope
        touch = np.maximum(scores, self.start)
        np.minimum(touch, self.end, out=touch)
        s = expit(touch)
        slope = 1.0 - s
        slope *= s
        touch *= slope
        np.subtract(s, touch, out=s)  # the intercept
        np.copyto(s, self.fixed_intercept, where=self.fixed)
        np.copyto(slope, self.fixed_slope, where=self.fixed)
        return s, slope


# one support's part of a bound: its table, the assigned scores, their most (with what unassigned
# pairs may add), the rows' score intervals (each array over all the nodes :meth:`LinearBound.bound`
# was given) and the unassigned issues' coefficients laid out columns x rows
_Part = tuple[ScoreTable, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


class LinearBound:
    """Upper bounds on ``max over completions of min over supports of (support - threshold)``:
    each support is a one-group table (``tables``) made of ``rows`` of the score arrays that
    :meth:`bound` is given (a public's point estimate, or one of its groups)."""

    def __init__(
        self, tables: list[ScoreTable], thresholds: np.ndarray, order: np.ndarray, rows: list[np.ndarray]
    ) -> None:
        # a run of rows as a slice, so that the score arrays are viewed, not copied, at every node
        self.rows = [slice(int(r[0]), int(r[-1]) + 1) if len(r) and np.all(np.diff(r) == 1) else r for r in rows]
        self.tables = tables
        self.thresholds = np.asarray(thresholds, dtype=float)
        self.order = np.asarray(order)
        first = self.tables[0]
        shape = [first.shape[i] for i in self.order]
        self.columns = [first.offsets[i] + np.arange(first.shape[i]) for i in self.order]  # per position
        self.bounds = [TableBounds(t, self.order) for t in self.tables]
        self.additive = []  # per table: (positions + 1, rows), sum over positions d.. of each row's best option
        self.favourite = []  # per table: each position's option best on average
        for table in self.tables:
            best = np.vstack([table.coefficients[:, c].max(axis=1) for c in self.columns])
            self.additive.append(np.vstack([np.cumsum(best[::-1], axis=0)[::-1], np.zeros((1, table.n_rows))]))
            mean = table.weights @ table.coefficients
            self.favourite.append(np.array([int(np.argmax(mean[c])) for c in self.columns]))
        self.starts = [np.concatenate([[0], np.cumsum(shape[d:])[:-1]]).astype(np.int64) for d in range(len(shape))]
        self.pairs = list(itertools.combinations(range(len(self.tables)), 2))

    def bound(
        self,
        prefix: np.ndarray,
        partials: list[np.ndarray],
        highs: list[np.ndarray],
        lows: list[np.ndarray],
        open_: Callable[[np.ndarray], np.ndarray] | None = None,
        nodes: np.ndarray | None = None,
    ) -> np.ndarray:
        """The bound for each partial package (rows of ``prefix``, in search order), given for
        each support the assigned scores and row score bounds over the completions of the table
        its rows come from (packages x all that table's rows).

        ``open_(bound)`` says which nodes the bound so far leaves open; a node it cuts gets no
        further round (another round can only lower its bound, and a lower bound still cuts it).
        In the worked search most nodes are cut by the first round.

        ``nodes`` are the rows of the score arrays that hold the packages of ``prefix`` (by
        default all of them, in order): the arrays are read there, not copied."""
        m, d = prefix.shape
        if d == len(self.order):  # whole packages: the row-by-row bounds are already exact
            return np.full(m, np.inf)
        columns = np.concatenate(self.columns[d:])
        parts = []
        for i, table in enumerate(self.tables):
            rows = self.rows[i]
            x, hi, lo = partials[i][:, rows], highs[i][:, rows], lows[i][:, rows]
            most = x
            if table.pairs:  # what unassigned pairs may add
                most = x + np.maximum(hi - x - self.additive[i][d][None, :], 0.0)
            parts.append((table, x, most, lo, hi, self.bounds[i].coefficients[columns]))
        favourites = [np.broadcast_to(f[d:], (m, len(self.order) - d)) for f in self.favourite]
        best = np.full(m, np.inf)
        active = np.arange(m)  # the nodes still open
        rows_of = np.arange(m) if nodes is None else np.asarray(nodes, dtype=np.int64)  # their rows in the arrays
        lines = [self._lines(part, favourite, rows_of) for part, favourite in zip(parts, favourites, strict=True)]
        for round_ in range(ROUNDS):  # lines at each public's favourite, then at the completion the bound picks
            value, picked = self._combine(lines, d)
            best[active] = np.minimum(best[active], value)
            if round_ + 1 == ROUNDS:
                break
            if open_ is not None:
                still = open_(best + ROUNDING)[active]
                if not still.any():
                    break
                active, picked = active[still], picked[still]
            lines = [self._lines(part, picked, rows_of[active]) for part in parts]
        return best + ROUNDING

    def _lines(self, part: _Part, completion: np.ndarray, rows_of: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """A public's additive upper bound L(c) = constant + sum_k beta[k, c_k] for each node, at
        rows ``rows_of`` of the part's arrays: (constant (m,), beta (m, columns of the unassigned
        issues))."""
        table, x, most, lo, hi, columns = part  # most: x plus the most unassigned pairs may add
        d = len(self.order) - completion.shape[1]
        if table.link == "identity":  # the link is its own line: slope 1, intercept 0
            beta = columns @ table.weights
            return most[rows_of] @ table.weights, np.broadcast_to(beta, (len(rows_of), len(beta)))
        from .line_kernels import logistic_lines, step_lines  # compiled at their first use

        arrays = (rows_of, x, most, lo, hi, columns, self.starts[d], completion, table.weights)
        # all C-contiguous and writeable, so that one compiled version serves every call
        same = [np.require(a, requirements=["C", "W"]) for a in arrays]
        if table.link == "logistic":
            start, _, step = TANGENT_GRID
            kernel: Callable[..., tuple[np.ndarray, np.ndarray]] = logistic_lines
            constant, slope = kernel(*same, _tangent_points()[1], start, step)
        else:
            stepped: Callable[..., tuple[np.ndarray, np.ndarray]] = step_lines
            constant, slope = stepped(*same)
        return constant, slope @ columns.T

    def _combine(self, lines: list[tuple[np.ndarray, np.ndarray]], d: int) -> tuple[np.ndarray, np.ndarray]:
        """The bound on the smallest margin from every public's L, and the completion it picks."""
        starts = self.starts[d]
        if len(lines) == 1:
            constant, beta = lines[0]
            value = constant - self.thresholds[0] + np.maximum.reduceat(beta, starts, axis=1).sum(axis=1)
            return value, self._argmax(beta, starts)
        value, picked = np.full(len(lines[0][0]), np.inf), None
        for i, j in self.pairs:
            (ci, bi), (cj, bj) = lines[i], lines[j]
            lam = LAMBDAS[None, :, None]
            combined = lam * bi[:, None, :] + (1 - lam) * bj[:, None, :]  # (m, lambdas, columns)
            totals = (
                LAMBDAS[None, :] * (ci - self.thresholds[i])[:, None]
                + (1 - LAMBDAS[None, :]) * (cj - self.thresholds[j])[:, None]
                + np.maximum.reduceat(combined, starts, axis=2).sum(axis=2)
            )
            best = totals.argmin(axis=1)
            pair_value = totals[np.arange(len(best)), best]
            pair_pick = self._argmax(combined[np.arange(len(best)), best], starts)
            if picked is None:
                value, picked = pair_value, pair_pick
            else:
                better = pair_value < value
                value = np.where(better, pair_value, value)
                picked = np.where(better[:, None], pair_pick, picked)
        assert picked is not None  # two or more publics make at least one pair
        return value, picked

    @staticmethod
    def _argmax(beta: np.ndarray, starts: np.ndarray) -> np.ndarray:
        """Per node and unassigned issue, the option with the largest beta (m, issues)."""
        ends = np.concatenate([starts[1:], [beta.shape[1]]])
        return np.column_stack([np.argmax(beta[:, a:b], axis=1) for a, b in zip(starts, ends, strict=True)])


MAX_PIECES = 4  # supports bounded jointly (pairs of them are combined: the cost grows with their square)


def linear_pieces(problem: DealProblem, tables: list[ScoreTable]) -> list[tuple[int, np.ndarray, ScoreTable, float]]:
    """The supports whose margins bound the joint margin from above, for the joint bound: of each
    binding public's votes that need every member, each member's source (the whole public's
    point estimate, or one group's), as (public, its rows in the rule table, a one-group table of
    them, threshold); the first :data:`MAX_PIECES`. (Any of them bounds the joint margin: it is
    the smallest vote margin of the binding publics, and such a vote's margin is its smallest
    member's.)"""
    pieces = []
    for i, (public, table) in enumerate(zip(problem.publics, tables, strict=True)):
        if not problem.binding[i]:
            continue
        rule = public.rule
        n = rule.n_groups
        for vote in rule.votes:
            if not vote.every_member_needed:
                continue
            for source, threshold in zip(vote.sources, vote.thresholds, strict=True):
                if source == WHOLE and rule.groups:  # the point estimate's rows, each at its share of the weight
                    rows = np.flatnonzero(table.groups < n)
                    share = np.asarray(rule.shares)[table.groups[rows]]
                    piece = table.take(rows, table.weights[rows] * share)
                else:
                    group = max(source, 0)
                    rows, piece = np.flatnonzero(table.groups == group), table.group(group)
                pieces.append((i, rows, piece, float(threshold)))
    return pieces[:MAX_PIECES]

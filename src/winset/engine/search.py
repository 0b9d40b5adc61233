"""Exact search over packages: enumeration for small spaces, branch and bound for large ones.

Both answer the same questions about a :class:`DealProblem`: the k best packages under an
objective among those that pass a feasibility test, and how many packages pass it.

*Enumeration* evaluates every valid package, in chunks of numpy arrays.

*Branch and bound* assigns issues one at a time in a search order (issues whose options matter
most first), depth first. A node is a partial package; :mod:`winset.engine.bounds` bounds every
row's score over the node's completions, hence every public's support, every negotiator's
utility and every objective (all monotone in them); :mod:`winset.engine.linear_bound` bounds the
smallest support margin of the binding publics jointly, which row-by-row bounds cannot. A node is
cut when its optimistic bound cannot beat the k-th best package found so far or cannot pass the
feasibility test; when counting, a node whose pessimistic bound passes is counted whole (its valid
completions counted by dynamic programming over the constraints). The last few issues are
enumerated together, vectorised, after a cheap float32 screen. The status quo (and, for repairs,
the proposal) seed the incumbent. Constraints prune a node as soon as all their issues are
assigned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import cached_property

import numpy as np

from .bounds import TableBounds
from .completions import Completions
from .enumeration import WORK_ROWS
from .linear_bound import LinearBound, linear_pieces
from .problem import DealProblem, Quantities
from .topk import Feasibility, Found, Objective, TopK

LEAF_PACKAGES = 512  # completions evaluated together at the bottom of the tree

Screen = Callable[[np.ndarray, Quantities], np.ndarray]  # (codes, optimistic quantities) -> keep
Reference = tuple[int, ...] | None  # a package whose distance the objective sees (repairs)


class Search:
    """Search machinery for one problem (see the module documentation)."""

    def __init__(self, problem: DealProblem, order: np.ndarray | None = None, leaf: int | None = None) -> None:
        self.problem = problem
        leaf = LEAF_PACKAGES if leaf is None else leaf
        space = problem.deals  # the status quo is no deal: never a result, never counted
        self.space = space
        self.order = np.asarray(order if order is not None else search_order(problem), dtype=np.int64)
        k = space.n_issues
        self.position = np.empty(k, dtype=np.int64)
        self.position[self.order] = np.arange(k)
        self.shape = np.array([space.shape[i] for i in self.order], dtype=np.int64)
        public_tables = problem.public_tables()
        self.public_bounds = [TableBounds(t, self.order) for t in public_tables]
        self.negotiator_bounds = [TableBounds(n.table, self.order) for n in problem.negotiators]
        self.rows = sum(t.n_rows for t in public_tables) + len(problem.negotiators)
        # constraints in search order: positions of their issues (sorted) and masks
        self.constraints = []
        for c in space.constraints:
            positions = np.array([self.position[i] for i in c.issues])
            sort = np.argsort(positions)
            self.constraints.append((positions[sort], [c.masks[j] for j in sort]))
        remaining = np.concatenate([np.cumprod(self.shape[::-1])[::-1], [1]])  # packages below each depth
        self.leaf_depth = int(np.flatnonzero(remaining <= max(leaf, 1))[0])
        tail = [np.arange(n) for n in self.shape[self.leaf_depth :]]
        grid = np.meshgrid(*tail, indexing="ij") if tail else []
        self.leaf_grid = np.column_stack([g.reshape(-1) for g in grid]) if tail else np.zeros((1, 0), dtype=np.int64)
        self._completions = Completions(self.shape, self.constraints)
        self.linear_bound = None
        self.pieces = linear_pieces(problem, public_tables)  # (public, rows, table, threshold) each
        if problem.confidence is None and self.pieces:
            _, rows, tables, thresholds = zip(*self.pieces, strict=True)
            self.linear_bound = LinearBound(list(tables), np.array(thresholds), self.order, list(rows))

    # ------------------------------------------------------------------ packages
    def to_original(self, search_codes: np.ndarray) -> np.ndarray:
        return search_codes[:, self.position]

    def prefix_valid(self, prefix: np.ndarray) -> np.ndarray:
        """False for partial packages that already break a constraint (all its issues assigned)."""
        d = prefix.shape[1]
        ok = np.ones(len(prefix), dtype=bool)
        for positions, masks in self.constraints:
            if positions[-1] < d:
                hit = np.ones(len(prefix), dtype=bool)
                for p, mask in zip(positions, masks, strict=True):
                    hit &= mask[prefix[:, p]]
                ok &= ~hit
        return ok

    def children(self, prefix: np.ndarray) -> np.ndarray:
        """Every assignment of the next issue to every partial package (invalid ones dropped)."""
        m, d = prefix.shape
        n = int(self.shape[d])
        kids = np.empty((m * n, d + 1), dtype=np.int64)
        kids[:, :d] = np.repeat(prefix, n, axis=0)
        kids[:, d] = np.tile(np.arange(n), m)
        return kids[self.prefix_valid_at(kids, d)]

    def prefix_valid_at(self, prefix: np.ndarray, assigned: int) -> np.ndarray:
        """Like :meth:`prefix_valid`, checking only constraints completed by position ``assigned``."""
        ok = np.ones(len(prefix), dtype=bool)
        for positions, masks in self.constraints:
            if positions[-1] == assigned:
                hit = np.ones(len(prefix), dtype=bool)
                for p, mask in zip(positions, masks, strict=True):
                    hit &= mask[prefix[:, p]]
                ok &= ~hit
        return ok

    def leaves(self, prefix: np.ndarray, screen: Screen | None = None) -> tuple[np.ndarray, Quantities]:
        """All valid completions of partial packages at the leaf depth, in the original issue
        order, and their exact quantities: each table's score is the partial package's score
        plus the completion's (precomputed), with pairwise terms that span the two added.

        ``screen(codes, high)`` may drop completions first, from optimistic bounds ``high`` on
        their quantities (cheap: float32 logistic), so that only the rest are evaluated exactly."""
        codes, scores, utility = self._leaf_parts(prefix)
        if screen is not None and len(codes):
            high = self.problem.quantities(
                [b.support_bound(s, upper=True) for b, s in zip(self.public_bounds, scores, strict=True)], utility
            )
            keep = screen(codes, high)
            codes, scores, utility = codes[keep], [s[keep] for s in scores], utility[:, keep]
        supports = [b.support(s) for b, s in zip(self.public_bounds, scores, strict=True)]
        return codes, self.problem.quantities(supports, utility)

    def _leaf_parts(self, prefix: np.ndarray) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
        """The valid completions (original order), each public's row scores for them
        (completions, rows), and the negotiators' utilities (negotiators, completions)."""
        m, d = prefix.shape
        grid = self.leaf_grid
        n = len(grid)
        full = np.empty((m * n, self.space.n_issues), dtype=np.int64)
        full[:, :d] = np.repeat(prefix, n, axis=0)
        full[:, d:] = np.tile(grid, (m, 1))
        codes = self.to_original(full)
        valid = self.space.is_valid(codes) if self.space.constraints else np.ones(len(codes), dtype=bool)
        everything = bool(valid.all())
        scores = []
        for bounds, tail in zip(self.public_bounds, self._tails[0], strict=True):
            table_scores = self._leaf_scores(bounds, tail, prefix, full)
            scores.append(table_scores if everything else table_scores[valid])
        utilities = [
            self._leaf_scores(bounds, tail, prefix, full)[:, 0]
            for bounds, tail in zip(self.negotiator_bounds, self._tails[1], strict=True)
        ]
        utility = np.vstack(utilities)[:, valid] if utilities else np.zeros((0, int(valid.sum())))
        return codes[valid], scores, utility

    def _leaf_scores(self, bounds: TableBounds, tail: np.ndarray, prefix: np.ndarray, full: np.ndarray) -> np.ndarray:
        """Scores of every completion of every partial package: (packages x completions, rows)."""
        d = prefix.shape[1]
        scores = (bounds.partial(prefix)[:, None, :] + tail[None, :, :]).reshape(-1, bounds.table.n_rows)
        for first, second, values, _, _ in bounds.pairs:
            if first < d <= second:  # one issue in the partial package, the other in the completion
                scores += values[full[:, first], full[:, second]]
        return scores

    @cached_property
    def _tails(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Each table's score of every completion (rows x completions), for the leaf issues,
        pairwise terms within them included."""
        d = self.leaf_depth

        def tail(bounds: TableBounds) -> np.ndarray:  # (completions, rows)
            out = np.zeros((len(self.leaf_grid), bounds.table.n_rows))
            for j in range(self.leaf_grid.shape[1]):
                out += bounds.coefficients[bounds.columns[d + j] + self.leaf_grid[:, j]]
            for first, second, values, _, _ in bounds.pairs:
                if first >= d:
                    out += values[self.leaf_grid[:, first - d], self.leaf_grid[:, second - d]]
            return out

        return [tail(b) for b in self.public_bounds], [tail(b) for b in self.negotiator_bounds]

    def batches(self, prefix: np.ndarray, per_package: int = 1) -> Iterator[np.ndarray]:
        size = max(1, WORK_ROWS // max(self.rows * per_package, 1))
        for start in range(0, len(prefix), size):
            yield prefix[start : start + size]

    # ------------------------------------------------------------------ bounds
    def bound_quantities(
        self,
        prefix: np.ndarray,
        survivors: Callable[[Quantities], np.ndarray] | None = None,
        low: bool = True,
    ) -> tuple[Quantities, Quantities | None]:
        """Optimistic and (unless ``low`` is False) pessimistic quantities over the completions of
        each partial package.

        The joint margin bound (the costly one) is computed only for the packages that
        ``survivors`` keeps on the publics' separate bounds."""
        high_support, low_support, partials, highs, lows = [], [], [], [], []
        for bounds in self.public_bounds:
            partial = bounds.partial(prefix)
            partials.append(partial)
            high_scores, low_scores = bounds.bounds(prefix, partial)
            highs.append(high_scores)
            lows.append(low_scores)
            high_support.append(bounds.support_bound(high_scores, upper=True))
            if low:
                low_support.append(bounds.support_bound(low_scores, upper=False))
        high_utility, low_utility = [], []
        for bounds in self.negotiator_bounds:
            high_scores, low_scores = bounds.bounds(prefix)
            high_utility.append(high_scores[:, 0])
            low_utility.append(low_scores[:, 0])
        shape = (0, len(prefix))
        high_u = np.vstack(high_utility) if high_utility else np.zeros(shape)
        low_u = np.vstack(low_utility) if low_utility else np.zeros(shape)
        high = self.problem.quantities(high_support, high_u)
        if self.linear_bound is not None:
            mask = np.ones(len(prefix), dtype=bool) if survivors is None else survivors(high)
            if mask.any():

                def pick(arrays: list[np.ndarray]) -> list[np.ndarray]:
                    return [arrays[p[0]] for p in self.pieces]

                joint = high.joint_margin.copy()

                def joined(bound: np.ndarray) -> Quantities:
                    tightened = joint.copy()
                    tightened[mask] = np.minimum(tightened[mask], bound)
                    return replace(high, joint_margin=tightened)

                def still_open(bound: np.ndarray) -> np.ndarray:  # of the masked nodes
                    assert survivors is not None
                    return survivors(joined(bound))[mask]

                bound = self.linear_bound.bound(
                    prefix[mask],
                    pick(partials),
                    pick(highs),
                    pick(lows),
                    None if survivors is None else still_open,
                    nodes=np.flatnonzero(mask),
                )
                high = joined(bound)
        return high, self.problem.quantities(low_support, low_u) if low else None

    def distance(self, prefix: np.ndarray, reference: tuple[int, ...] | None) -> np.ndarray:
        """Issues a (partial) package changes from ``reference`` (both in search order)."""
        if reference is None:
            return np.zeros(len(prefix))
        ref = np.asarray(reference)[self.order][: prefix.shape[1]]
        return (prefix != ref).sum(axis=1).astype(float)

    # ------------------------------------------------------------------ maximisation
    def maximize(
        self,
        objective: Objective,
        feasible: Feasibility,
        k: int = 1,
        reference: tuple[int, ...] | None = None,
        seeds: list[tuple[int, ...]] | None = None,
        roots: np.ndarray | None = None,
        budget: int | None = None,
        best: TopK | None = None,
    ) -> list[Found]:
        """The k best feasible packages (original issue order) under ``objective``.

        ``reference`` makes the objective see each package's distance to it (repairs); ``seeds``
        are packages to evaluate first (incumbents); ``roots`` restricts the search to the
        completions of these partial packages (in search order), e.g. one share of a split search.
        ``budget`` stops the search after that many visits to the leaves, with the best packages
        found so far: not exact, but good incumbents for a search split into tasks. ``best``: the
        top k to add to (default a new one), e.g. a ``SharedTopK`` of searches on other threads.
        """
        best = TopK(k, self.space) if best is None else best
        self.seed(best, seeds or [], objective, feasible, reference)
        start = np.zeros((1, 0), dtype=np.int64) if roots is None else np.asarray(roots, dtype=np.int64)
        stack = [(start, np.full(len(start), np.inf))]  # (partial packages, their upper bounds), best last
        visits = 0
        while stack and (budget is None or visits < budget):
            prefix, upper = stack.pop()
            prefix = prefix[upper >= best.floor - 1e-12]  # the incumbent may have improved since
            if not len(prefix):
                continue
            d = prefix.shape[1]
            if d == self.leaf_depth:

                def could_enter(codes: np.ndarray, high: Quantities) -> np.ndarray:
                    distance = self.distance(codes[:, self.order], reference)
                    return feasible(high) & (objective(high, distance) >= best.floor - 1e-12)

                codes, quantities = self.leaves(prefix, could_enter)
                visits += 1
                search_codes = codes[:, self.order]
                self._update(
                    best, codes, quantities, objective(quantities, self.distance(search_codes, reference)), feasible
                )
                continue
            kept, bounds = [], []
            for part in self.batches(self.children(prefix)):
                distance = self.distance(part, reference)

                def promising(q: Quantities, distance: np.ndarray = distance) -> np.ndarray:
                    return feasible(q) & (objective(q, distance) >= best.floor - 1e-12)

                high, _ = self.bound_quantities(part, promising, low=False)
                value = objective(high, distance)
                keep = promising(high)
                kept.append(part[keep])
                bounds.append(value[keep])
            if not kept or not sum(len(b) for b in bounds):
                continue
            kids, values = np.vstack(kept), np.concatenate(bounds)
            order = np.argsort(-values, kind="stable")
            # depth first, best first: the most promising child alone on top of the stack, then
            # ever larger groups, so that a good incumbent is found early and prunes the rest
            leaf = d + 1 == self.leaf_depth
            limit = max(1, WORK_ROWS // max(self.rows * (len(self.leaf_grid) if leaf else 1), 1))
            chunks, start_at, size = [], 0, 1
            while start_at < len(order):
                chunk = order[start_at : start_at + size]
                chunks.append((kids[chunk], values[chunk]))
                start_at += len(chunk)
                size = min(size * 8, limit)
            stack.extend(chunks[::-1])
        return best.results()

    def _update(
        self, best: TopK, codes: np.ndarray, quantities: Quantities, values: np.ndarray, feasible: Feasibility
    ) -> None:
        ok = feasible(quantities)
        best.add(values[ok], codes[ok])

    def seed(
        self,
        best: TopK,
        seeds: list[tuple[int, ...]],
        objective: Objective,
        feasible: Feasibility,
        reference: Reference,
    ) -> None:
        """Evaluate ``seeds`` (packages, original order) into ``best``: incumbents for a search."""
        codes = np.asarray(seeds, dtype=np.int64).reshape(-1, self.space.n_issues)
        codes = codes[self.space.is_valid(codes)]
        if len(codes):
            quantities = self.problem.evaluate(codes)
            self._update(
                best, codes, quantities, objective(quantities, self.distance(codes[:, self.order], reference)), feasible
            )

    # ------------------------------------------------------------------ counting
    def count(self, feasible: Feasibility, roots: np.ndarray | None = None) -> int:
        """Exactly how many valid packages pass ``feasible``."""
        total = 0
        stack = [np.zeros((1, 0), dtype=np.int64) if roots is None else np.asarray(roots, dtype=np.int64)]
        while stack:
            prefix = stack.pop()
            d = prefix.shape[1]
            if d == self.leaf_depth:
                for part in self.batches(prefix, len(self.leaf_grid)):
                    total += self._count_leaves(part, feasible)
                continue
            for part in self.batches(self.children(prefix)):
                high, low = self.bound_quantities(part, feasible)
                assert low is not None  # asked for (low=True)
                possible = feasible(high)
                certain = possible & feasible(low)
                total += sum(self.completions(node) for node in part[certain])
                undecided = part[possible & ~certain]
                if len(undecided):
                    stack.append(undecided)
        return total

    def _count_leaves(self, prefix: np.ndarray, feasible: Feasibility) -> int:
        """Completions that pass: those whose pessimistic bounds pass are counted, those whose
        optimistic bounds fail are not, and only the rest are evaluated exactly."""
        codes, scores, utility = self._leaf_parts(prefix)
        if not len(codes):
            return 0
        sides = [b.support_bounds(s) for b, s in zip(self.public_bounds, scores, strict=True)]
        possible = feasible(self.problem.quantities([high for high, _ in sides], utility))
        certain = possible & feasible(self.problem.quantities([low for _, low in sides], utility))
        undecided = possible & ~certain
        if not undecided.any():
            return int(certain.sum())
        supports = [b.support(s[undecided]) for b, s in zip(self.public_bounds, scores, strict=True)]
        return int(certain.sum()) + int(feasible(self.problem.quantities(supports, utility[:, undecided])).sum())

    def completions(self, prefix: np.ndarray) -> int:
        """Valid completions of a partial package (in search order)."""
        return self._completions.count(prefix)


def search_order(problem: DealProblem) -> np.ndarray:
    """Issues whose options move scores most first (mean row spread, each table normalised)."""
    space = problem.space
    importance = np.zeros(space.n_issues)
    tables = problem.public_tables() + [n.table for n in problem.negotiators]
    for table in tables:
        spread = np.array(
            [
                np.ptp(table.coefficients[:, o : o + n], axis=1).mean()
                for o, n in zip(table.offsets, table.shape, strict=True)
            ]
        )
        if spread.sum() > 0:
            importance += spread / spread.sum()
    return np.argsort(-importance, kind="stable")

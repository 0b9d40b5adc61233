"""Pareto frontiers of the negotiators' utilities: over all valid packages, and over the joint
win-set only (what ratification costs each side).

*Unrestricted*: utilities are additive, so the frontier is built issue by issue: the frontier of
the first k issues plus each option of issue k+1, pruned to its non-dominated points by moocore's
``is_nondominated`` (a dimension sweep, O(n log n), for up to three negotiators; Kung, Luccio and
Preparata's divide and conquer, O(n log^(m-2) n), for m of four or more). Constraints are respected
by keeping one frontier per constraint state (the constraints still matched by every issue so far),
as in :meth:`PackageSpace.count_valid`. Nothing is enumerated.

*Restricted to the joint win-set*: ratification is not additive, so a multi-objective branch and
bound searches packages, cutting any partial package that cannot be ratified or whose best possible
utilities are all matched by a point already on the frontier.

A frontier is a list of utility vectors (negotiators' utilities, in the problem's order), each with
one package that attains it; of packages with equal utilities the one with the lowest index is kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import moocore
import numpy as np

from ..space import PackageSpace
from . import criteria
from .enumeration import in_threads, packages_in_range, screen
from .problem import DealProblem
from .search import Search
from .topk import Feasibility

# with method 'auto', a frontier over the joint win-set of spaces up to this many packages is
# traced by enumeration, of larger ones by branch and bound
FRONTIER_ENUMERATE_LIMIT = 200_000


@dataclass(frozen=True)
class Frontier:
    """Non-dominated utility vectors (points x negotiators) and a package for each (points x issues),
    sorted by the first negotiator's utility, descending."""

    utilities: np.ndarray
    packages: np.ndarray

    def __len__(self) -> int:
        return len(self.utilities)


def non_dominated(points: np.ndarray, tiebreak: np.ndarray | None = None) -> np.ndarray:
    """Indices of the points no other point dominates (at least as good everywhere, better
    somewhere); of equal points the one with the smallest ``tiebreak`` is kept."""
    points = np.asarray(points, dtype=np.float64)
    n = len(points)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if np.isnan(points).any():
        raise ValueError("points to filter for dominance must not be NaN")
    # in tiebreak order: of duplicates moocore keeps the first
    order = np.arange(n) if tiebreak is None else np.argsort(tiebreak, kind="stable")
    if points.shape[1] == 0:  # nothing to compare: every point equals every other
        return order[:1]
    if not np.isfinite(points).all():
        # dominance depends only on each column's order, which ranks keep (moocore takes finite values)
        points = np.column_stack([np.unique(column, return_inverse=True)[1] for column in points.T]).astype(float)
    return np.sort(order[moocore.is_nondominated(points[order], maximise=True, keep_weakly=False)])


def _sorted(frontier_points: np.ndarray, packages: np.ndarray) -> Frontier:
    order = (
        np.lexsort((*frontier_points.T[::-1][1:], -frontier_points[:, 0]))
        if len(frontier_points)
        else np.zeros(0, dtype=np.int64)
    )
    return Frontier(frontier_points[order], packages[order])


def additive_frontier(problem: DealProblem) -> Frontier:
    """The Pareto frontier of the negotiators' utilities over all deals (valid packages other than
    the status quo), by merging issues."""
    space = problem.deals
    per_issue = []  # per issue: (options x negotiators) utility contributions
    for k, offset in enumerate(problem.negotiators[0].table.offsets if problem.negotiators else []):
        n = space.shape[k]
        per_issue.append(
            np.column_stack([neg.table.coefficients[0, offset : offset + n] for neg in problem.negotiators])
        )
    intercept = np.array([neg.table.intercepts[0] for neg in problem.negotiators])
    last = [max(c.issues) for c in space.constraints]
    # state (constraints still fully matched) -> (points, packages so far)
    states: dict[frozenset[int], tuple[np.ndarray, np.ndarray]] = {
        frozenset(range(len(space.constraints))): (intercept[None, :], np.zeros((1, 0), dtype=np.int64))
    }
    for k, contributions in enumerate(per_issue):
        involved = {ci: c.masks[c.issues.index(k)] for ci, c in enumerate(space.constraints) if k in c.issues}
        merged: dict[frozenset[int], list[tuple[np.ndarray, np.ndarray]]] = {}
        for alive, (points, packages) in states.items():
            for option in range(space.shape[k]):
                still = frozenset(ci for ci in alive if ci not in involved or involved[ci][option])
                if any(last[ci] == k for ci in still):
                    continue  # the package would contain a forbidden combination
                still = frozenset(ci for ci in still if last[ci] > k)
                new_packages = np.column_stack([packages, np.full(len(packages), option)])
                merged.setdefault(still, []).append((points + contributions[option], new_packages))
        states = {}
        for state, parts in merged.items():
            points = np.vstack([p for p, _ in parts])
            packages = np.vstack([c for _, c in parts])
            keep = non_dominated(points, _index(space, packages, k + 1))
            states[state] = (points[keep], packages[keep])
    if not states:  # the constraints leave no deal
        return _sorted(np.zeros((0, len(problem.negotiators))), np.zeros((0, space.n_issues), dtype=np.int64))
    points = np.vstack([p for p, _ in states.values()])
    packages = np.vstack([c for _, c in states.values()])
    keep = non_dominated(points, _index(space, packages, space.n_issues))
    return _sorted(points[keep], packages[keep])


def _index(space: PackageSpace, packages: np.ndarray, assigned: int) -> np.ndarray:
    """Package indices of partial packages (the first ``assigned`` issues), for tie-breaking."""
    strides = np.array([int(np.prod(space.shape[k + 1 : assigned])) for k in range(assigned)], dtype=np.float64)
    return packages.astype(np.float64) @ strides if assigned else np.zeros(len(packages))


def restricted_frontier(problem: DealProblem, search: Search | None = None, method: str = "auto") -> Frontier:
    """The Pareto frontier of the negotiators' utilities over the joint win-set (reservations
    included: every point leaves every negotiator at least at its reservation value)."""
    feasible = criteria.joint(problem)
    if method == "enumerate" or (method == "auto" and problem.space.size <= FRONTIER_ENUMERATE_LIMIT):
        parts = in_threads(problem, _winset_in_range, feasible=feasible)
        points = np.vstack([p for p, _ in parts])
        packages = np.vstack([c for _, c in parts])
        keep = non_dominated(points, problem.space.encode(packages) if len(packages) else None)
        return _sorted(points[keep], packages[keep])
    search = search or Search(problem)
    return _frontier_search(search, feasible)


def _winset_in_range(
    problem: DealProblem, index_range: tuple[int, int] | None, *, feasible: Feasibility
) -> tuple[np.ndarray, np.ndarray]:
    """The negotiators' utilities (packages, negotiators) and the codes of the packages in a
    range of indices (all for None) that pass ``feasible``: exact quantities only where the
    screen says a package may pass."""
    point_parts = [np.zeros((0, len(problem.negotiators)))]
    package_parts = [np.zeros((0, problem.space.n_issues), dtype=np.int64)]
    for codes in packages_in_range(problem, index_range):
        possible, _ = screen(problem, codes, feasible)
        if not len(possible):
            continue
        quantities = problem.evaluate(codes[possible])
        ok = feasible(quantities)
        point_parts.append(quantities.utility[:, ok].T)
        package_parts.append(codes[possible][ok])
    return np.vstack(point_parts), np.vstack(package_parts)


def _frontier_search(search: Search, feasible: Feasibility) -> Frontier:
    """Multi-objective branch and bound (see the module documentation)."""
    space = search.space
    points = np.zeros((0, len(search.problem.negotiators)))
    packages = np.zeros((0, space.n_issues), dtype=np.int64)

    def covered(upper: np.ndarray) -> np.ndarray:
        """Partial packages whose best utilities a frontier point already matches everywhere."""
        if not len(points):
            return np.zeros(len(upper), dtype=bool)
        # utilities are exact; np.all/np.any as functions: the methods' stubs type an int axis as maybe a scalar
        return np.any(np.all(points[None, :, :] >= upper[:, None, :], axis=2), axis=1)

    stack = [np.zeros((1, 0), dtype=np.int64)]
    while stack:
        prefix = stack.pop()
        d = prefix.shape[1]
        if d == search.leaf_depth:
            codes, quantities = search.leaves(prefix)
            ok = feasible(quantities)
            if ok.any():
                all_points = np.vstack([points, quantities.utility[:, ok].T])
                all_packages = np.vstack([packages, codes[ok]])
                keep = non_dominated(all_points, space.encode(all_packages))
                points, packages = all_points[keep], all_packages[keep]
            continue
        for part in search.batches(search.children(prefix)):
            high, _ = search.bound_quantities(part, feasible, low=False)
            keep = feasible(high)
            upper = high.utility.T
            keep &= ~covered(upper)
            if keep.any():
                # most promising (highest utility sum) explored first
                order = np.argsort(upper[keep].sum(axis=1), kind="stable")
                stack.append(part[keep][order])
    return _sorted(points, packages)

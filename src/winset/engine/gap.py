"""The ratification gap: where the joint win-set is empty, the smallest common shift of the
binding publics' opinion that makes it non-empty, found by bisection over the shift (or, on
enumerable spaces, by computing each package's needed shift), and the shift search per package
(:func:`needed_shifts`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import csr_array

from ..compare import margin_meets, threshold_floor
from ..scoretable import ScoreTable, apply_link
from . import criteria
from .distributed import Scheduler, best_packages
from .enumeration import enumeration_chunk
from .joint import choose_method, point_only
from .problem import DealProblem, Public, draws_needed
from .verdicts import blocking

GAP_TOLERANCE = 1e-6  # logit scale
SHIFT_LIMIT = 64.0  # the largest opinion shift considered (logit scale): beyond it, no gap is reported
GAP_BATCH = 256  # packages whose exact shifts are computed together, in order of their bounds


@dataclass
class Gap:
    """Where the joint win-set is empty: the smallest shift of every binding public's opinion
    (logit scale, the same for all) that makes it non-empty, the package that becomes ratifiable
    first, and per public the shift that package needs and what it means in support points."""

    shift: float
    package: tuple[int, ...] | None
    table: pd.DataFrame  # per public: needed shift, support before, support after, points

    def summary(self) -> str:
        """A few lines: the shift found (or that none up to the largest considered works), the
        package ratifiable first, and per binding public its support before and after."""
        if self.package is None or not np.isfinite(self.shift):
            return (
                f"Ratification gap: no common opinion shift up to {SHIFT_LIMIT:g} (logit) makes a package ratifiable."
            )
        lines = [
            f"Ratification gap: a common opinion shift of {self.shift:.4f} (logit) makes the joint win-set non-empty.",
            f"First ratifiable package (codes): {self.package}",
        ]
        for row in self.table.to_dict("records"):
            if row["binding"]:
                share = np.isfinite(row["threshold"])
                rule = f"threshold {row['threshold']:.1%}" if share else f"rule {row['rule']}"
                decided = f", decided by {row['blocking']}" if row["blocking"] else ""
                lines.append(
                    f"  {row['public']}: support {row['support']:.1%} -> {row['support_after_shift']:.1%} "
                    f"({row['points']:+.1f} points; {rule}{decided})"
                )
        return "\n".join(lines)


def ratification_gap(problem: DealProblem, method: str = "auto", scheduler: Scheduler = None) -> Gap:
    """The smallest common opinion shift (logit scale) of the binding publics that makes the joint
    win-set non-empty, by bisection on the shift with each step's best package tightening the
    upper end (point-estimate test; with ``confidence``, the probability test)."""
    method = choose_method(problem, method)
    base = point_only(problem) if problem.confidence is None else problem
    binding = base.binding
    if method == "enumerate" and scheduler is None:
        shift, package = _gap_by_enumeration(base)
        if package is None:
            return Gap(np.inf, None, pd.DataFrame())
        return Gap(shift, package, _gap_table(problem, package, shift))

    def best_at(shift: float) -> tuple[tuple[int, ...] | None, bool]:
        shifted = base.shifted(np.where(binding, shift, 0.0))
        if base.confidence is None:
            found = best_packages(
                shifted, criteria.min_margin(shifted), criteria.negotiators(shifted), 1, method, scheduler
            )
            return (found[0].codes, bool(margin_meets(found[0].value))) if found else (None, False)
        found = best_packages(shifted, criteria.min_margin(shifted), criteria.joint(shifted), 1, method, scheduler)
        return (found[0].codes, True) if found else (None, False)

    package, ok = best_at(0.0)
    if ok and package is not None:  # (ok comes only with a package)
        return Gap(0.0, package, _gap_table(problem, package, 0.0))
    high = _needed_shift(base, package) if base.confidence is None and package is not None else np.inf
    if not np.isfinite(high):  # no finite shift from one package: try the largest shift considered
        high = SHIFT_LIMIT
        package, ok = best_at(high)
        if not ok:
            return Gap(np.inf, None, pd.DataFrame())
    low, best_package = 0.0, package
    while high - low > GAP_TOLERANCE:
        middle = (low + high) / 2
        package, ok = best_at(middle)
        if ok and package is not None:
            best_package = package
            high = min(middle, _needed_shift(base, package)) if base.confidence is None else middle
        else:
            low = middle
    # a package that passed at SHIFT_LIMIT, or the one whose own needed shift made ``high`` finite
    assert best_package is not None
    return Gap(high, best_package, _gap_table(problem, best_package, high))


# A public's logistic support rises with a shift of its scores at most a quarter as fast (the
# weights sum to one), so a package short of a threshold by m points needs a shift of at least 4 m.
SLOPE_BOUND = {"logistic": 0.25, "identity": 1.0}


def _gap_by_enumeration(problem: DealProblem) -> tuple[float, tuple[int, ...] | None]:
    """The smallest common shift that lets some package pass, over every valid package every
    negotiator accepts: exact shifts are computed only where the slope bound says a package could
    still need less than the best so far, in order of that bound.

    The bound comes first from every binding public but the one with the largest table; that
    one's bound is added batch by batch, only for the packages the others leave in contention.

    With ``confidence``, a public accepts a package once enough of its draws meet its rule: its
    needed shift is the k-th smallest of the draws' own (k the fewest draws whose share reaches the
    confidence level), and its bound the k-th smallest of the draws' bounds, since an order
    statistic rises with every element."""
    binding = [int(i) for i in np.flatnonzero(problem.binding)]
    largest = max(binding, key=lambda i: problem.publics[i].table.n_rows) if len(binding) > 1 else None
    first = [i for i in binding if i != largest]
    candidates, bounds = [], []
    for chunk in problem.deals.iter_valid(chunk_size=enumeration_chunk(problem)):
        codes = chunk.astype(np.int64)
        ok = (problem.utilities(codes) >= problem.floors[:, None]).all(axis=0)
        if ok.any():
            candidates.append(codes[ok])
            bounds.append(_shift_bounds(problem, codes[ok], first))
    if not candidates:
        return np.inf, None
    codes, lower = np.vstack(candidates), np.concatenate(bounds)
    order = np.lexsort((problem.space.encode(codes), lower))
    best, best_package = np.inf, None
    for start in range(0, len(order), GAP_BATCH):
        batch = order[start : start + GAP_BATCH]
        batch = batch[lower[batch] < best]
        if not len(batch):
            break  # the rest are bounded above the best too
        if largest is not None:
            batch = batch[_shift_bounds(problem, codes[batch], [largest]) < best]
            if not len(batch):
                continue
        shifts = np.maximum(np.max([_rule_shifts_at(problem, i, codes[batch]) for i in binding], axis=0), 0.0)
        j = int(np.argmin(shifts))
        if shifts[j] < best:
            best, best_package = float(shifts[j]), tuple(int(c) for c in codes[batch][j])
    return best, best_package


def _shift_bounds(problem: DealProblem, codes: np.ndarray, members: list[int]) -> np.ndarray:
    """Lower bounds on the common shift that the publics ``members`` (indices) need for each
    package, from their float32 bounds and :data:`SLOPE_BOUND` (0 where a link has none): margins
    bounded from above give needed shifts bounded from below."""
    needed = np.zeros(len(codes))
    if not members:
        return needed
    q, _ = problem.alone(members).bounds(codes)
    for j, i in enumerate(members):
        slope = SLOPE_BOUND.get(problem.publics[i].table.link)
        if slope is None:
            continue
        if problem.confidence is None:
            needed = np.maximum(needed, -q.margin[j] / slope)
        else:
            k = draws_needed(problem.publics[i].n_draws, problem.confidence)
            needed = np.maximum(needed, np.partition(-q.draw_margins[j][1:] / slope, k - 1, axis=0)[k - 1])
    return np.maximum(needed, 0.0)


def _rule_shifts_at(problem: DealProblem, i: int, codes: np.ndarray) -> np.ndarray:
    """The shift public ``i`` needs for each package: its point estimate's, or with ``confidence``
    the k-th smallest of its draws' own."""
    public = problem.publics[i]
    if problem.confidence is None:
        return rule_shifts(public, codes)
    k = draws_needed(public.n_draws, problem.confidence)
    if public.rule.plain:
        per_draw = np.array([rule_shifts(public.draw(d), codes) for d in range(1, public.n_draws + 1)])
    else:
        per_draw = draw_rule_shifts(public, codes)[1:]
    return np.partition(per_draw, k - 1, axis=0)[k - 1]


def needed_shifts(table: ScoreTable, codes: np.ndarray, threshold: float) -> np.ndarray:
    """For each package, the shift of every row's score at which its support meets ``threshold``
    (reaches :func:`~winset.compare.threshold_floor`, to within 1e-10 above it; inf if
    never), vectorised over packages: a package that meets it already needs a shift of 0 or less.

    Bisection; with the logistic link, safeguarded Newton steps inside the bisection bracket,
    which take a few iterations where bisection takes sixty."""
    scores = table.package_scores(codes)  # (m, rows)
    weights = table.weights
    threshold = threshold_floor(threshold)

    def support(shift: np.ndarray) -> np.ndarray:
        return apply_link(table.link, scores + shift[:, None]) @ weights

    low = np.full(len(codes), -SHIFT_LIMIT)
    high = np.full(len(codes), SHIFT_LIMIT)
    reachable = support(high) >= threshold
    newton = table.link == "logistic"
    if newton:  # start where one logistic curve through the support at 0 would cross
        at_zero = np.clip(support(np.zeros(len(codes))), 1e-12, 1 - 1e-12)
        x = np.clip(_logit(threshold) - _logit(at_zero), -SHIFT_LIMIT / 2, SHIFT_LIMIT / 2)
    else:
        x = (low + high) / 2
    for _ in range(100):
        if newton:
            p = apply_link("logistic", scores + x[:, None])
            value, slope = p @ weights, (p * (1 - p)) @ weights
        else:
            value = support(x)
        above = value >= threshold
        high = np.where(above, x, high)
        low = np.where(above, low, x)
        middle = (low + high) / 2
        if newton:
            with np.errstate(divide="ignore", invalid="ignore"):
                step = x - (value - threshold) / slope
            inside = np.isfinite(step) & (step >= low) & (step <= high)
            moved = np.where(inside, step, middle)
            if np.max(np.abs(moved - x)[reachable], initial=0.0) < 1e-12:
                break
            x = moved
        else:
            x = middle
        if np.max((high - low)[reachable], initial=0.0) < 1e-10:  # unreachable ones stay inf
            break
    if newton:  # Newton may close in from below: step just above the root it found
        probe = np.minimum(x + 1e-10, high)
        high = np.where(support(probe) >= threshold, probe, high)
    return np.where(reachable, high, np.inf)


def rule_shifts(public: Public, codes: np.ndarray, table: ScoreTable | None = None) -> np.ndarray:
    """For each package, the shift of every row's score at which ``public``'s rule is met on its
    point estimate (as :func:`needed_shifts`: 0 or less where it is met already, inf if never);
    ``table`` is the public's rule table if not :attr:`Public.rule_table` (e.g. shifted already).

    A share of the whole public is :func:`needed_shifts` itself; any other rule is bisected on its
    margin, which rises with the shift (every group's support does)."""
    table = public.rule_table if table is None else table
    rule = public.rule
    if rule.plain:
        return needed_shifts(table.group(0), codes, rule.threshold)
    n = rule.n_groups
    rows = np.flatnonzero(table.groups < n)  # the point estimate's groups come first
    scores = table.package_scores(codes)[:, rows]
    weights = table.weights_by_group[rows][:, :n]

    def passes(shift: np.ndarray) -> np.ndarray:
        support = apply_link(table.link, scores + shift[:, None], overwrite=True) @ weights
        return margin_meets(rule.margins(support.T[None])[0])

    low = np.full(len(codes), -SHIFT_LIMIT)
    high = np.full(len(codes), SHIFT_LIMIT)
    reachable = passes(high)
    while np.max((high - low)[reachable], initial=0.0) >= 1e-10:
        middle = (low + high) / 2
        ok = passes(middle)
        high, low = np.where(ok, middle, high), np.where(ok, low, middle)
    return np.where(reachable, high, np.inf)


def draw_rule_shifts(public: Public, codes: np.ndarray) -> np.ndarray:
    """:func:`rule_shifts` of every draw (the point estimate first), (draws + 1, m), bisected for
    all draws at once: row d is ``rule_shifts(public.draw(d), codes)`` to within the bisection's
    tolerance (the groups' sums come in another order)."""
    table, rule = public.rule_table, public.rule
    scores = np.ascontiguousarray(table.scores(codes))  # (rows, m)
    draw_of_row = table.groups // rule.n_groups
    # each group's weighted sum of its rows, as a sparse (groups x rows) product
    weights = csr_array((table.weights, (table.groups, np.arange(table.n_rows))), (table.n_groups, table.n_rows))
    draws = public.n_draws + 1

    def passes(shift: np.ndarray) -> np.ndarray:  # shift (draws, m)
        linked = apply_link(table.link, scores + shift[draw_of_row], overwrite=True)
        return margin_meets(rule.margins((weights @ linked).reshape(draws, rule.n_groups, len(codes))))

    low = np.full((draws, len(codes)), -SHIFT_LIMIT)
    high = np.full((draws, len(codes)), SHIFT_LIMIT)
    reachable = passes(high)
    while np.max((high - low)[reachable], initial=0.0) >= 1e-10:
        middle = (low + high) / 2
        ok = passes(middle)
        high, low = np.where(ok, middle, high), np.where(ok, low, middle)
    return np.where(reachable, high, np.inf)


def _logit(p: float | np.ndarray) -> float | np.ndarray:
    return np.log(p) - np.log1p(-p)


def _needed_shift(problem: DealProblem, package: tuple[int, ...]) -> float:
    """The common shift at which every binding public's point support for ``package`` reaches its
    threshold (the largest of their own needed shifts)."""
    needs = [_public_shift(p, package) for p, b in zip(problem.publics, problem.binding, strict=True) if b]
    return max(*needs, 0.0) if needs else 0.0


def _public_shift(public: Public, package: tuple[int, ...]) -> float:
    """The shift of every row's score at which one package meets the public's rule."""
    return float(rule_shifts(public.draw(0), np.array([package]))[0])


def _gap_table(problem: DealProblem, package: tuple[int, ...], shift: float) -> pd.DataFrame:
    rows = []
    codes = np.array([package])
    for public, binding in zip(problem.publics, problem.binding, strict=True):
        table = public.table.group(0)
        before = float(table.support(codes)[0, 0])
        after = float(table.shifted(shift).support(codes)[0, 0]) if binding else before
        needed = _public_shift(public, package) if binding else np.nan
        rows.append(
            {
                "public": public.id,
                "binding": binding,
                "threshold": public.threshold,
                "rule": public.rule.describe(),
                "support": before,
                "needed_shift": max(needed, 0.0) if binding else np.nan,
                "support_after_shift": after,
                "points": (after - before) * 100,
                "blocking": blocking(public.draw(0), codes)[0]
                if binding and needed > 0 and not public.rule.plain
                else None,
            }
        )
    return pd.DataFrame(rows)

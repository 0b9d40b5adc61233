"""The deal analyses: the joint win-set, recommended deals, frontiers, the ratification gap,
assessment and repair of a proposal, and improvement of an agreed package.

Every analysis is exact. Spaces up to ``ENUMERATE_LIMIT`` packages are enumerated; larger ones are
searched by branch and bound (``method`` forces one or the other; both give the same answers).
``scheduler`` (a Dask scheduler address, or a ``dask.distributed.Client``) runs the searches on a
cluster: see :mod:`winset.engine.distributed`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..compare import margin_meets, threshold_floor
from ..defaults import INTERVAL
from ..scoretable import apply_link
from . import criteria
from .distributed import best_packages, count_packages
from .pareto import Frontier, additive_frontier, restricted_frontier
from .problem import DealProblem
from .search import ENUMERATE_LIMIT, enumerate_valid

GAP_TOLERANCE = 1e-6  # logit scale
SHIFT_LIMIT = 64.0  # the largest opinion shift considered (logit scale): beyond it, no gap is reported


def _method(problem: DealProblem, method: str) -> str:
    if method not in ("auto", "enumerate", "search"):
        raise ValueError("method must be 'auto', 'enumerate' or 'search'")
    if method == "auto":
        return "enumerate" if problem.space.size <= ENUMERATE_LIMIT else "search"
    return method


# ---------------------------------------------------------------------------------- description
def describe(problem: DealProblem, packages: np.ndarray) -> pd.DataFrame:
    """One row per package: its text (changes from the status quo), each public's support
    (estimate, 90% interval over the draws, probability the rule is met, margin, accepted), the
    probability that every binding rule is met (with draws), each negotiator's utility and gain,
    and whether it is in the joint win-set.

    The status quo is the reference, not a deal (``status_quo`` is true on its row): what each
    model says of it is shown, but no verdict (margin, probability, accepted: missing), and it is
    never in the joint win-set."""
    packages = np.atleast_2d(np.asarray(packages, dtype=np.int64))
    q = problem.evaluate(packages)
    space = problem.space
    quo = (packages == np.asarray(space.status_quo)).all(axis=1) if len(packages) else np.zeros(0, dtype=bool)

    def verdict(values: np.ndarray) -> pd.Series:
        return pd.Series(values, dtype=object).where(~quo, None)

    out = pd.DataFrame({"package": [space.format(p, changes_only=True) for p in packages]})
    out["status_quo"] = quo
    for i, public in enumerate(problem.publics):
        support = q.support[i]
        out[f"{public.id}_support"] = support[0]
        if support.shape[0] > 1:
            out[f"{public.id}_lower"] = np.quantile(support[1:], INTERVAL[0], axis=0)
            out[f"{public.id}_upper"] = np.quantile(support[1:], INTERVAL[1], axis=0)
            out[f"{public.id}_p_rule"] = np.where(quo, np.nan, q.probability[i])
        out[f"{public.id}_margin"] = np.where(quo, np.nan, q.margin[i])
        out[f"{public.id}_accepts"] = verdict(q.accept[i])
    if problem.publics and all(p.n_draws for p in problem.publics):
        p_all = criteria.all_rules_probability(problem)(q, np.zeros(len(packages)))
        out["p_all_rules"] = np.where(quo, np.nan, p_all)
    for j, negotiator in enumerate(problem.negotiators):
        out[f"{negotiator.id}_utility"] = q.utility[j]
        out[f"{negotiator.id}_gain"] = q.gain[j]
    out["in_winset"] = in_joint_winset(problem, packages, q)
    return out


def in_joint_winset(problem: DealProblem, packages: np.ndarray, q) -> np.ndarray:
    """Which packages (with their exact quantities ``q``) are in the joint win-set: deals (valid,
    not the status quo) that pass the joint test."""
    packages = np.atleast_2d(np.asarray(packages, dtype=np.int64))
    valid = problem.deals.is_valid(packages) if len(packages) else np.zeros(0, dtype=bool)
    return criteria.joint(problem)(q) & valid


# ---------------------------------------------------------------------------------- the win-set
@dataclass
class Gap:
    """Where the joint win-set is empty: the smallest shift of every binding public's opinion
    (logit scale, the same for all) that makes it non-empty, the package that becomes ratifiable
    first, and per public the shift that package needs and what it means in support points."""

    shift: float
    package: tuple[int, ...] | None
    table: pd.DataFrame  # per public: needed shift, support before, support after, points


@dataclass
class Solution:
    winset_size: int
    best: pd.DataFrame  # best packages of the joint win-set under the criterion
    criterion: str
    recommendations: pd.DataFrame  # one row per recommendation
    frontier: pd.DataFrame  # negotiators' utilities on the restricted and unrestricted frontiers
    gap: Gap | None = None
    notes: list[str] = field(default_factory=list)


CRITERIA = {"margin": criteria.min_margin, "nash": criteria.nash, "probability": criteria.all_rules_probability}


def solve(
    problem: DealProblem,
    top: int = 10,
    criterion: str = "margin",
    method: str = "auto",
    scheduler=None,
    progress: Callable[[str], None] | None = None,
) -> Solution:
    """The joint win-set (exact size, best packages), the recommendations, both frontiers, and the
    ratification gap if the win-set is empty. ``progress`` is told the name of each step as it
    starts."""
    if criterion not in CRITERIA:
        raise ValueError(f"criterion must be one of {sorted(CRITERIA)}")
    step = progress or (lambda _: None)
    method = _method(problem, method)
    point = problem if criterion == "probability" or problem.confidence is not None else point_only(problem)
    joint = criteria.joint(point)
    step("counting the joint win-set")
    size = count_packages(point, joint, method, scheduler)
    step("finding its best packages")
    found = best_packages(point, CRITERIA[criterion](point), joint, top, method, scheduler)
    best = (
        describe(problem, np.array([f.codes for f in found]))
        if found
        else describe(problem, np.zeros((0, problem.space.n_issues)))
    )
    best.insert(1, criterion, [f.value for f in found])
    step("recommending deals")
    recommendations = recommend(problem, method, scheduler)
    step("tracing the Pareto frontiers")
    frontier = frontiers(problem, method)
    if not size:
        step("measuring the ratification gap")
    gap = None if size else ratification_gap(problem, method, scheduler)
    return Solution(size, best, criterion, recommendations, frontier, gap)


def point_only(problem: DealProblem) -> DealProblem:
    """The problem on point estimates only (bootstrap draws dropped): enough for margins,
    utilities and the point test, and much cheaper to search."""
    from dataclasses import replace

    publics = tuple(replace(p, table=p.table.group(0)) for p in problem.publics)
    return replace(problem, publics=publics, confidence=None)


def recommend(problem: DealProblem, method: str = "auto", scheduler=None) -> pd.DataFrame:
    """The recommended packages, one row each, described as :func:`describe`:

    * ``max_min_margin``: the best smallest support margin over the binding publics, among
      packages every negotiator accepts;
    * ``nash``: the Nash bargaining solution (largest product of the negotiators' gains) in the
      joint win-set;
    * ``max_probability``: the highest probability that every binding rule is met (with
      bootstrap draws), among packages every negotiator accepts; left out when no package meets
      every rule in any draw.
    """
    method = _method(problem, method)
    point = point_only(problem)
    base = point if problem.confidence is None else problem  # what the joint win-set test needs
    rows = []
    found = best_packages(point, criteria.min_margin(point), criteria.negotiators(point), 1, method, scheduler)
    if found:
        rows.append(("max_min_margin", found[0]))
    found = best_packages(base, criteria.nash(base), criteria.joint(base), 1, method, scheduler)
    if found:
        rows.append(("nash", found[0]))
    if all(p.n_draws for p in problem.publics) and problem.publics:
        found = best_packages(
            problem, criteria.all_rules_probability(problem), criteria.negotiators(problem), 1, method, scheduler
        )
        if found and found[0].value > 0:  # at 0 every package ties: nothing to recommend
            rows.append(("max_probability", found[0]))
    codes = np.array([f.codes for _, f in rows]) if rows else np.zeros((0, problem.space.n_issues), dtype=np.int64)
    table = describe(problem, codes)
    table.insert(0, "recommendation", [name for name, _ in rows])
    table.insert(2, "value", [f.value for _, f in rows])
    return table


def frontiers(problem: DealProblem, method: str = "auto") -> pd.DataFrame:
    """The negotiators' Pareto frontier over all valid packages and over the joint win-set, as
    one table (``frontier`` says which), each point with a package attaining it."""
    if not problem.negotiators:
        return pd.DataFrame()
    method = _method(problem, method)
    tables = []
    for name, frontier in (
        ("unrestricted", additive_frontier(problem)),
        (
            "ratifiable",
            restricted_frontier(point_only(problem) if problem.confidence is None else problem, method=method),
        ),
    ):
        table = _frontier_table(problem, frontier)
        table.insert(0, "frontier", name)
        tables.append(table)
    return pd.concat(tables, ignore_index=True)


def _frontier_table(problem: DealProblem, frontier: Frontier) -> pd.DataFrame:
    table = pd.DataFrame({"package": [problem.space.format(p, changes_only=True) for p in frontier.packages]})
    for j, negotiator in enumerate(problem.negotiators):
        table[f"{negotiator.id}_utility"] = frontier.utilities[:, j]
    return table


# ---------------------------------------------------------------------------------- the gap
def ratification_gap(problem: DealProblem, method: str = "auto", scheduler=None) -> Gap:
    """The smallest common opinion shift (logit scale) of the binding publics that makes the joint
    win-set non-empty, by bisection on the shift with each step's best package tightening the
    upper end (point-estimate test; with ``confidence``, the probability test)."""
    method = _method(problem, method)
    base = point_only(problem) if problem.confidence is None else problem
    binding = base.binding
    if base.confidence is None and method == "enumerate" and scheduler is None:
        shift, package = _gap_by_enumeration(base)
        if package is None:
            return Gap(np.inf, None, pd.DataFrame())
        return Gap(shift, package, _gap_table(problem, package, shift))

    def best_at(shift: float):
        shifted = base.shifted(np.where(binding, shift, 0.0))
        if base.confidence is None:
            found = best_packages(
                shifted, criteria.min_margin(shifted), criteria.negotiators(shifted), 1, method, scheduler
            )
            return (found[0].codes, bool(margin_meets(found[0].value))) if found else (None, False)
        found = best_packages(shifted, criteria.min_margin(shifted), criteria.joint(shifted), 1, method, scheduler)
        return (found[0].codes, True) if found else (None, False)

    package, ok = best_at(0.0)
    if ok:
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
        if ok:
            best_package = package
            high = min(middle, _needed_shift(base, package)) if base.confidence is None else middle
        else:
            low = middle
    return Gap(high, best_package, _gap_table(problem, best_package, high))


# A public's logistic support rises with a shift of its scores at most a quarter as fast (the
# weights sum to one), so a package short of a threshold by m points needs a shift of at least 4 m.
SLOPE_BOUND = {"logistic": 0.25, "identity": 1.0}


def _gap_by_enumeration(problem: DealProblem) -> tuple[float, tuple[int, ...] | None]:
    """The smallest common shift that lets some package pass, over every valid package every
    negotiator accepts: exact shifts are computed only where the slope bound says a package could
    still need less than the best so far, in order of that bound."""
    binding = np.flatnonzero(problem.binding)
    slopes = [SLOPE_BOUND.get(problem.publics[i].table.link) for i in binding]
    candidates, bounds = [], []
    for codes, q in enumerate_valid(problem):
        ok = q.reach.all(axis=0)
        if not ok.any():
            continue
        needed = np.zeros(int(ok.sum()))
        for row, slope in zip(q.margin[binding][:, ok], slopes, strict=True):
            if slope is not None:
                needed = np.maximum(needed, -row / slope)
        candidates.append(codes[ok])
        bounds.append(np.maximum(needed, 0.0))
    if not candidates:
        return np.inf, None
    codes, lower = np.vstack(candidates), np.concatenate(bounds)
    order = np.lexsort((problem.space.encode(codes), lower))
    best, best_package = np.inf, None
    for start in range(0, len(order), 256):
        batch = order[start : start + 256]
        batch = batch[lower[batch] < best]
        if not len(batch):
            break
        shifts = np.max(
            [needed_shifts(problem.publics[i].table, codes[batch], problem.publics[i].threshold) for i in binding],
            axis=0,
        )
        shifts = np.maximum(shifts, 0.0)
        j = int(np.argmin(shifts))
        if shifts[j] < best:
            best, best_package = float(shifts[j]), tuple(int(c) for c in codes[batch][j])
    return best, best_package


def needed_shifts(table, codes: np.ndarray, threshold: float) -> np.ndarray:
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


def _logit(p):
    return np.log(p) - np.log1p(-p)


def _needed_shift(problem: DealProblem, package: tuple[int, ...]) -> float:
    """The common shift at which every binding public's point support for ``package`` reaches its
    threshold (the largest of their own needed shifts)."""
    needs = [
        _public_shift(p.table.group(0), np.array([package]), p.threshold)
        for p, b in zip(problem.publics, problem.binding, strict=True)
        if b
    ]
    return max(max(needs), 0.0) if needs else 0.0


def _public_shift(table, codes: np.ndarray, threshold: float) -> float:
    """The shift of every row's score that brings the support of one package to ``threshold``."""
    return float(needed_shifts(table, codes, threshold)[0])


def _gap_table(problem: DealProblem, package: tuple[int, ...], shift: float) -> pd.DataFrame:
    rows = []
    codes = np.array([package])
    for public, binding in zip(problem.publics, problem.binding, strict=True):
        table = public.table.group(0)
        before = float(table.support(codes)[0, 0])
        after = float(table.shifted(shift).support(codes)[0, 0]) if binding else before
        needed = _public_shift(table, codes, public.threshold) if binding else np.nan
        rows.append(
            {
                "public": public.id,
                "binding": binding,
                "threshold": public.threshold,
                "support": before,
                "needed_shift": max(needed, 0.0) if binding else np.nan,
                "support_after_shift": after,
                "points": (after - before) * 100,
            }
        )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------- a proposal
@dataclass
class Assessment:
    package: tuple[int, ...]
    table: pd.DataFrame  # the proposal, described
    rules: pd.DataFrame  # per public: support, interval, threshold, margin, probability, passes
    repairs: pd.DataFrame  # nearest ratifiable packages
    effects: pd.DataFrame  # per repair and change: the change's effect on each public's support
    improvements: int = 0  # if in the joint win-set: packages in it leaving every negotiator no worse off
    improvement_frontier: pd.DataFrame = field(default_factory=pd.DataFrame)  # their Pareto frontier


def assess(
    problem: DealProblem, package: Sequence[int], repairs: int = 3, method: str = "auto", scheduler=None
) -> Assessment:
    """Support of a proposal in every public (interval, probability the rule is met), which rules
    fail and by how much, and the nearest ratifiable packages (fewest changed issues, then the best
    smallest margin) with the effect of each change on each public's support; for a proposal in
    the joint win-set, what :func:`improve` finds once it is agreed.

    The status quo is no proposal: its rules get no verdict (margin, probability and ``passes``
    missing), and its repairs are the deals nearest to it that every side could ratify."""
    package = tuple(int(c) for c in package)
    codes = np.array([package])
    q = problem.evaluate(codes)
    reference = package == tuple(problem.space.status_quo)
    rules = []
    for i, public in enumerate(problem.publics):
        support = q.support[i]
        draws = support[1:, 0] if support.shape[0] > 1 else support[:, 0]
        rules.append(
            {
                "public": public.id,
                "party": public.party,
                "binding": bool(problem.binding[i]),
                "support": support[0, 0],
                "lower": float(np.quantile(draws, INTERVAL[0])),
                "upper": float(np.quantile(draws, INTERVAL[1])),
                "threshold": public.threshold,
                "margin": np.nan if reference else q.margin[i, 0],
                "p_rule": np.nan if reference else q.probability[i, 0],
                "passes": None if reference else bool(q.accept[i, 0]),
            }
        )
    method = _method(problem, method)
    base = point_only(problem) if problem.confidence is None else problem
    found = best_packages(
        base, criteria.nearest(base), criteria.joint(base), repairs, method, scheduler, reference=package
    )
    repaired = np.array([f.codes for f in found]) if found else np.zeros((0, problem.space.n_issues), dtype=np.int64)
    repair_table = describe(problem, repaired)
    repair_table.insert(1, "changes", [int((r != codes[0]).sum()) for r in repaired])
    table = describe(problem, codes)
    result = Assessment(package, table, pd.DataFrame(rules), repair_table, _effects(problem, package, repaired))
    if table["in_winset"].iloc[0] and problem.negotiators:
        result.improvements, result.improvement_frontier = improve(problem, package, method, scheduler)
    return result


def _effects(problem: DealProblem, package: tuple[int, ...], repairs: np.ndarray) -> pd.DataFrame:
    """For each repair and each issue it changes: the change alone, applied to the proposal, its
    effect on every public's point support (in points), and whether the proposal with only that
    change is a valid package (a constraint may need two changes together)."""
    space = problem.space
    before = problem.evaluate(np.array([package]))
    rows = []
    for number, repair in enumerate(repairs, start=1):
        for k in np.flatnonzero(repair != np.array(package)):
            single = np.array(package)
            single[k] = repair[k]
            after = problem.evaluate(single[None, :])
            row = {
                "repair": number,
                "issue": space.issue_ids[k],
                "from": space.option_ids[k][package[k]],
                "to": space.option_ids[k][repair[k]],
                "valid_alone": bool(space.is_valid(single)),  # the proposal with only this change
            }
            for i, public in enumerate(problem.publics):
                row[f"{public.id}_points"] = (after.support[i][0, 0] - before.support[i][0, 0]) * 100
            rows.append(row)
    return pd.DataFrame(rows)


def improve(
    problem: DealProblem, agreed: Sequence[int], method: str = "auto", scheduler=None
) -> tuple[int, pd.DataFrame]:
    """After agreement on a package: how many ratifiable packages leave every negotiator at least
    as well off, and the Pareto frontier among them."""
    agreed = np.array([agreed], dtype=np.int64)
    utilities = problem.evaluate(agreed).utility[:, 0]
    # utilities are exact sums (winset.compare), so the agreed package is as good as itself
    raised = problem.with_reservations(np.maximum(problem.reservations, utilities))
    method = _method(problem, method)
    base = point_only(raised) if problem.confidence is None else raised
    count = count_packages(base, criteria.joint(base), method, scheduler)
    frontier = restricted_frontier(base, method=method)
    table = _frontier_table(problem, frontier)
    return count, table

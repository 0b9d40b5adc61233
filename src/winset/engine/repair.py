"""A proposal: its assessment (support in every public, which rules fail and by how much), its
repairs (the nearest ratifiable packages) with the effect of each change, and the improvement of
an agreed package (ratifiable packages that leave every negotiator no worse off).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..defaults import INTERVAL
from . import criteria
from .distributed import Scheduler, best_packages, count_packages
from .frontier_table import frontier_table
from .joint import choose_method, describe, point_only
from .pareto import restricted_frontier
from .problem import DealProblem
from .verdicts import blocking, votes_table


@dataclass
class Assessment:
    package: tuple[int, ...]
    table: pd.DataFrame  # the proposal, described
    rules: pd.DataFrame  # per public: support, interval, threshold, margin, probability, passes
    repairs: pd.DataFrame  # nearest ratifiable packages
    effects: pd.DataFrame  # per repair and change: the change's effect on each public's support
    improvements: int = 0  # if in the joint win-set: packages in it leaving every negotiator no worse off
    improvement_frontier: pd.DataFrame = field(default_factory=pd.DataFrame)  # their Pareto frontier
    votes: pd.DataFrame = field(default_factory=pd.DataFrame)  # per vote and member of rules over groups
    other_improvements: int = 0  # of ``improvements``, those other than the proposal itself
    keep: str | None = None  # the options every repair and improvement keeps
    asked: int = 3  # how many repairs were asked for

    def summary(self) -> str:
        """A few lines: the proposal, whether it is in the joint win-set, each public's support
        against its threshold, the nearest repair and the improvements."""
        proposal = self.table.iloc[0]
        verdict = "in the joint win-set" if proposal["in_winset"] else "not in the joint win-set"
        lines = [f"Proposal: {proposal['package']} ({verdict})."]
        for rule in self.rules.to_dict("records"):
            line = f"  {rule['public']}: support {rule['support']:.1%} "
            line += f"(90% interval {rule['lower']:.1%} to {rule['upper']:.1%}), "
            share = not np.isnan(rule["threshold"])
            line += f"threshold {rule['threshold']:.1%}" if share else f"rule {rule['rule']}"
            if rule["passes"] is not None:
                verdict = "passes" if rule["passes"] else "fails"
                line += f", margin {float(rule['margin']) * 100:+.1f} points, {verdict}"
                line += "" if share else f", decided by {rule['decided_by']}"
            lines.append(line + ("" if rule["binding"] else " (not binding)"))
        if len(self.repairs):
            first = self.repairs.iloc[0]
            lines.append(
                f"Nearest repair ({len(self.repairs)} found): {first['package']} "
                f"({first['changes']} change{'' if first['changes'] == 1 else 's'})"
            )
        else:
            lines.append("No ratifiable repair found.")
        if proposal["in_winset"]:
            lines.append(f"Improvements: {self.improvements} ratifiable packages leave every negotiator no worse off.")
        return "\n".join(lines)


def assess(
    problem: DealProblem,
    package: Sequence[int],
    repairs: int = 3,
    method: str = "auto",
    scheduler: Scheduler = None,
    keep: str | None = None,
) -> Assessment:
    """Support of a proposal in every public (interval, probability the rule is met), which rules
    fail and by how much, and the nearest ratifiable packages (fewest changed issues, then the best
    smallest margin) with the effect of each change on each public's support; for a proposal in
    the joint win-set, what :func:`improve` finds once it is agreed.

    The status quo is no proposal: its rules get no verdict (margin, probability and ``passes``
    missing), and its repairs are the deals nearest to it that every side could ratify.

    ``keep`` (``"issue=option,..."``) confines the repairs and improvements to the packages that
    keep those options (:meth:`DealProblem.keeping`); the proposal itself is judged as it is."""
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
                "rule": public.rule.describe(),
                "margin": np.nan if reference else q.margin[i, 0],
                "p_rule": np.nan if reference else q.probability[i, 0],
                "passes": None if reference else bool(q.accept[i, 0]),
                "decided_by": None if reference or public.rule.plain else blocking(public, codes)[0],
            }
        )
    grouped = [votes_table(p, package) for p in problem.publics if not p.rule.plain]
    votes = pd.concat(grouped, ignore_index=True) if grouped else pd.DataFrame()
    method = choose_method(problem, method)
    within = problem if keep is None else problem.keeping(keep)
    base = point_only(within) if within.confidence is None else within
    found = best_packages(
        base, criteria.nearest(base), criteria.joint(base), repairs, method, scheduler, reference=package
    )
    repaired = np.array([f.codes for f in found]) if found else np.zeros((0, problem.space.n_issues), dtype=np.int64)
    repair_table = describe(problem, repaired)
    repair_table.insert(1, "changes", [int((r != codes[0]).sum()) for r in repaired])
    table = describe(problem, codes)
    result = Assessment(
        package,
        table,
        pd.DataFrame(rules),
        repair_table,
        _effects(problem, package, repaired),
        votes=votes,
        keep=keep,
        asked=repairs,
    )
    if table["in_winset"].iloc[0] and problem.negotiators:
        result.improvements, result.improvement_frontier = improve(within, package, method, scheduler)
        counted = bool(within.space.is_valid(codes)[0])  # not where the proposal lacks a kept option
        result.other_improvements = result.improvements - counted
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
    problem: DealProblem, agreed: Sequence[int], method: str = "auto", scheduler: Scheduler = None
) -> tuple[int, pd.DataFrame]:
    """After agreement on a package: how many ratifiable packages leave every negotiator at least
    as well off, and the Pareto frontier among them."""
    utilities = problem.evaluate(np.array([agreed], dtype=np.int64)).utility[:, 0]
    # utilities are exact sums (winset.compare), so the agreed package is as good as itself
    raised = problem.with_reservations(np.maximum(problem.reservations, utilities))
    method = choose_method(problem, method)
    base = point_only(raised) if problem.confidence is None else raised
    count = count_packages(base, criteria.joint(base), method, scheduler)
    frontier = restricted_frontier(base, method=method)
    table = frontier_table(problem, frontier)
    return count, table

"""The solution of a deal problem: the joint win-set (its exact size and best packages), the
recommended deals, both Pareto frontiers, and the ratification gap where the win-set is empty.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import EngineError, Problem, known_list
from . import criteria
from .distributed import Scheduler, best_packages, count_packages
from .frontier_table import frontiers
from .gap import Gap, ratification_gap
from .joint import choose_method, describe, point_only
from .problem import DealProblem
from .recommendations import CRITERIA, recommend
from .verdicts import blocking, votes_table


@dataclass
class Solution:
    winset_size: int
    best: pd.DataFrame  # best packages of the joint win-set under the criterion
    criterion: str
    recommendations: pd.DataFrame  # one row per recommendation
    frontier: pd.DataFrame  # negotiators' utilities on the restricted and unrestricted frontiers
    gap: Gap | None = None
    notes: list[str] = field(default_factory=list)
    winsets: pd.DataFrame = field(default_factory=pd.DataFrame)  # per public: the deals its rule accepts
    votes: pd.DataFrame = field(default_factory=pd.DataFrame)  # rules over groups at the first package shown

    def summary(self) -> str:
        """A few lines: the size of the joint win-set, its best package, the recommendations, the
        frontiers' sizes and, where the win-set is empty, the ratification gap."""
        lines = [f"Joint win-set: {self.winset_size} package{'' if self.winset_size == 1 else 's'}."]
        for entry in self.winsets.to_dict("records"):
            decided = f"; decided by {entry['decided_by']} at the package shown first" if entry["decided_by"] else ""
            lines.append(f"  {entry['public']} ({entry['rule']}) accepts {entry['winset_size']} deals alone{decided}")
        if len(self.best):
            top = self.best.iloc[0]
            lines.append(f"Best by {self.criterion}: {top['package']} ({self.criterion} {top[self.criterion]:.4f})")
        for row in self.recommendations.itertuples(index=False):
            lines.append(f"Recommended ({row.recommendation}): {row.package} (value {row.value:.4f})")
        if "frontier" in self.frontier:
            sizes = self.frontier["frontier"].value_counts()
            lines.append(
                f"Pareto frontier: {int(sizes.get('unrestricted', 0))} points over all deals, "
                f"{int(sizes.get('ratifiable', 0))} over the joint win-set."
            )
        if self.gap is not None:
            lines.append(self.gap.summary())
        return "\n".join(lines)


def solve(
    problem: DealProblem,
    top: int = 10,
    criterion: str = "margin",
    method: str = "auto",
    scheduler: Scheduler = None,
    progress: Callable[[str], None] | None = None,
) -> Solution:
    """The joint win-set (exact size, best packages), the recommendations, both frontiers, and the
    ratification gap if the win-set is empty. ``progress`` is told the name of each step as it
    starts."""
    if criterion not in CRITERIA:
        raise EngineError(
            [Problem("criterion", f"unknown criterion '{criterion}'", f"use one of {known_list(sorted(CRITERIA))}")]
        )
    step = progress or (lambda _: None)
    method = choose_method(problem, method)
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
    step("counting each public's win-set")
    shown = found[0].codes if found else (gap.package if gap is not None else None)
    winsets = public_winsets(problem, point, method, scheduler, shown)
    grouped = [votes_table(p, shown) for p in problem.publics if not p.rule.plain] if shown is not None else []
    votes = pd.concat(grouped, ignore_index=True) if grouped else pd.DataFrame()
    return Solution(size, best, criterion, recommendations, frontier, gap, winsets=winsets, votes=votes)


def public_winsets(
    problem: DealProblem,
    point: DealProblem,
    method: str,
    scheduler: Scheduler,
    shown: tuple[int, ...] | None,
) -> pd.DataFrame:
    """Per public: its rule, how many deals the rule accepts alone (negotiators and the other
    publics aside: its own win-set, tested as ``point`` tests), and for a rule over groups the
    member that decides it at the package ``shown`` (the best of the joint win-set, or the
    gap's)."""
    rows = []
    for i, public in enumerate(problem.publics):
        alone = point.alone([i])  # its count needs neither the others' tables nor the negotiators'
        decided = None
        if shown is not None and not public.rule.plain:
            decided = blocking(public, np.array([shown]))[0]
        rows.append(
            {
                "public": public.id,
                "party": public.party,
                "binding": bool(problem.binding[i]),
                "rule": public.rule.describe(),
                "winset_size": count_packages(alone, criteria.accepted(alone, 0), method, scheduler),
                "decided_by": decided,
            }
        )
    return pd.DataFrame(rows)

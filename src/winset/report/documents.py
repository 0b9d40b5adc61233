"""The deal engine's results as JSON documents: what ``winset solve --json`` and ``winset assess
--json`` print, and what the HTML report embeds."""

from __future__ import annotations

import math
from typing import Any

from ..engine import Assessment, DealProblem, Solution
from ..formats import records
from ..scenario import Scenario

RECOMMENDATIONS = {
    "max_min_margin": ("margin", "the best smallest support margin"),
    "nash": ("nash", "the Nash bargaining solution in the joint win-set"),
    "max_probability": ("probability", "the highest probability that every binding rule is met"),
}


def provenance(scenario: Scenario) -> dict[str, str]:
    """Where each ratifier's data come from, for ratifiers that say."""
    return {r.id: r.data.provenance for _, r in scenario.ratifiers if r.data.provenance}


def solution_document(scenario: Scenario, problem: DealProblem, solution: Solution) -> dict[str, Any]:
    gap = solution.gap
    return {
        "winset_size": solution.winset_size,
        "winsets": records(solution.winsets),
        "votes": records(solution.votes),
        "packages": problem.space.count_valid(),
        "deals": problem.deals.count_valid(),
        "criterion": solution.criterion,
        "best": records(solution.best),
        "recommendations": records(solution.recommendations),
        "frontier": records(solution.frontier),
        "gap": None
        if gap is None
        else {
            "shift": gap.shift if math.isfinite(gap.shift) else None,
            "package": None if gap.package is None else problem.space.format(gap.package, changes_only=True),
            "publics": records(gap.table),
        },
        "provenance": provenance(scenario),
    }


def assessment_document(scenario: Scenario, problem: DealProblem, result: Assessment) -> dict[str, Any]:
    utilities = [c for c in result.table.columns if c.endswith(("_utility", "_gain"))]
    return {
        "package": problem.space.format(result.package, changes_only=True),
        "in_winset": bool(result.table["in_winset"].iloc[0]),
        "status_quo": bool(result.table["status_quo"].iloc[0]),
        "rules": records(result.rules),
        "votes": records(result.votes),
        "negotiators": records(result.table[utilities]),
        "repairs": records(result.repairs),
        "effects": records(result.effects),
        "improvements": {
            "count": result.improvements,
            "others": result.other_improvements,
            "frontier": records(result.improvement_frontier),
        }
        if len(result.improvement_frontier)
        else None,
        "provenance": provenance(scenario),
    }

"""Recommended deals: the best package under each criterion (smallest margin, Nash product,
probability that every rule is met), and the table of criteria by name that :func:`solve` ranks
the joint win-set by.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import criteria
from .distributed import Scheduler, best_packages
from .joint import choose_method, describe, point_only
from .problem import DealProblem

CRITERIA = {"margin": criteria.min_margin, "nash": criteria.nash, "probability": criteria.all_rules_probability}


def recommend(problem: DealProblem, method: str = "auto", scheduler: Scheduler = None) -> pd.DataFrame:
    """The recommended packages, one row each, described as :func:`describe`:

    * ``max_min_margin``: the best smallest support margin over the binding publics, among
      packages every negotiator accepts;
    * ``nash``: the Nash bargaining solution (largest product of the negotiators' gains) in the
      joint win-set;
    * ``max_probability``: the highest probability that every binding rule is met (with
      bootstrap draws), among packages every negotiator accepts; left out when no package meets
      every rule in any draw.
    """
    method = choose_method(problem, method)
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

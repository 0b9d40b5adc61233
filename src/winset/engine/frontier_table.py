"""The negotiators' Pareto frontiers as tables: over all valid packages and over the joint
win-set, each point with a package attaining it (the frontiers themselves: :mod:`.pareto`).
"""

from __future__ import annotations

import pandas as pd

from .joint import choose_method, point_only
from .pareto import Frontier, additive_frontier, restricted_frontier
from .problem import DealProblem


def frontiers(problem: DealProblem, method: str = "auto") -> pd.DataFrame:
    """The negotiators' Pareto frontier over all valid packages and over the joint win-set, as
    one table (``frontier`` says which), each point with a package attaining it."""
    if not problem.negotiators:
        return pd.DataFrame()
    method = choose_method(problem, method)
    tables = []
    for name, frontier in (
        ("unrestricted", additive_frontier(problem)),
        (
            "ratifiable",
            restricted_frontier(point_only(problem) if problem.confidence is None else problem, method=method),
        ),
    ):
        table = frontier_table(problem, frontier)
        table.insert(0, "frontier", name)
        tables.append(table)
    return pd.concat(tables, ignore_index=True)


def frontier_table(problem: DealProblem, frontier: Frontier) -> pd.DataFrame:
    table = pd.DataFrame({"package": [problem.space.format(p, changes_only=True) for p in frontier.packages]})
    for j, negotiator in enumerate(problem.negotiators):
        table[f"{negotiator.id}_utility"] = frontier.utilities[:, j]
    return table

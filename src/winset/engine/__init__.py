"""The deal engine: exact analyses of the joint win-set, on ScoreTables (:mod:`winset.scoretable`).

It knows ScoreTables, never surveys or scenario files."""

from .analyses import (
    Assessment,
    Gap,
    Solution,
    assess,
    describe,
    frontiers,
    improve,
    ratification_gap,
    recommend,
    solve,
)
from .problem import DealProblem, Negotiator, Public

__all__ = [
    "Assessment",
    "DealProblem",
    "Gap",
    "Negotiator",
    "Public",
    "Solution",
    "assess",
    "describe",
    "frontiers",
    "improve",
    "ratification_gap",
    "recommend",
    "solve",
]

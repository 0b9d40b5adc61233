"""The deal engine: the ScoreTable contract between evidence and search, and the exact analyses
of the joint win-set built on it."""

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
from .scoretable import LINKS, Pair, ScoreTable, apply_link

__all__ = [
    "LINKS",
    "Assessment",
    "DealProblem",
    "Gap",
    "Negotiator",
    "Pair",
    "Public",
    "ScoreTable",
    "Solution",
    "apply_link",
    "assess",
    "describe",
    "frontiers",
    "improve",
    "ratification_gap",
    "recommend",
    "solve",
]

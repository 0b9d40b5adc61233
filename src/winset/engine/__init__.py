"""The deal engine: the ScoreTable contract between evidence and search."""

from .scoretable import LINKS, Pair, ScoreTable, apply_link

__all__ = ["LINKS", "Pair", "ScoreTable", "apply_link"]

"""The deal engine: the ScoreTable contract between evidence and search."""

from .scoretable import LINKS, ScoreTable, apply_link

__all__ = ["LINKS", "ScoreTable", "apply_link"]

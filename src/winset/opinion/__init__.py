"""Opinion groups inside a society: Polis's groups of a conversation's voters, their
representative statements and group-informed consensus."""

from .consensus import VARIANTS, consensus
from .groups import OpinionGroups

__all__ = ["VARIANTS", "OpinionGroups", "consensus"]

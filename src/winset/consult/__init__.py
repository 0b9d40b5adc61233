"""Consultations: fielding a scenario's conjoint survey and proposals board to every society, and
reading and writing Polis conversations."""

from .polis import Conversation, PolisError, group_informed_consensus, read_export, write_export

__all__ = ["Conversation", "PolisError", "group_informed_consensus", "read_export", "write_export"]

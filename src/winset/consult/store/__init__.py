"""What a consultation does with its database, one module per concern: accounts and sessions,
consultations and their societies, invitations and joining, the proposals board with its votes and
results, the survey, and Polis conversations in and out. :class:`Store` is all of them at once:
what the site and the command line use.

Every write commits before the function returns, so whatever a caller acknowledges is on disk.
Secrets (invitation tokens, participants' session secrets) are returned once and kept only as
SHA-256 hashes; organisers' passwords as argon2 hashes.
"""

from __future__ import annotations

from ...proportions import WILSON_LEVEL, wilson
from .accounts import MEMBER_CACHE, PASSWORDS, Accounts, Member
from .base import ConsultError, StoreBase, digest
from .board import TITLE_LENGTH, Board
from .consultations import SLUG_LENGTH, Consultations
from .conversations import Conversations
from .invitations import Invitations, Joined
from .survey import Survey


class Store(Accounts, Invitations, Board, Survey, Conversations, Consultations):
    """The consultations of one scenario (the one ``winset serve`` was started on)."""


__all__ = [
    "MEMBER_CACHE",
    "PASSWORDS",
    "SLUG_LENGTH",
    "TITLE_LENGTH",
    "WILSON_LEVEL",
    "Accounts",
    "Board",
    "ConsultError",
    "Consultations",
    "Conversations",
    "Invitations",
    "Joined",
    "Member",
    "Store",
    "StoreBase",
    "Survey",
    "digest",
    "wilson",
]

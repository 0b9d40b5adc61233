"""Invitations and joining: single-use invitation tokens and allowed external ids that make a
participant of a society, and single-use invitations of a party's negotiators.

A token or an external id is claimed with one conditional UPDATE, so two concurrent uses admit
exactly one person; only hashes of tokens and ids are kept.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Update, select, update
from sqlalchemy.orm import Session

from ..models import AllowedId, Invitation, Negotiator, Participant, now
from .base import StoreBase, changed_rows, digest


class Invitations(StoreBase):
    """Inviting participants and negotiators, and their joining."""

    def invite(self, society_id: int, count: int) -> list[str]:
        """``count`` single-use invitation tokens (returned once, stored hashed)."""
        tokens = [secrets.token_urlsafe(24) for _ in range(count)]
        with self.sessions.begin() as session:
            session.add_all(Invitation(society_id=society_id, token_hash=digest(t)) for t in tokens)
        return tokens

    def allow(self, society_id: int, external_ids: list[str]) -> None:
        with self.sessions.begin() as session:
            known = set(session.scalars(select(AllowedId.id_hash).where(AllowedId.society_id == society_id)))
            for xid in dict.fromkeys(external_ids):
                if digest(xid) not in known:
                    session.add(AllowedId(society_id=society_id, id_hash=digest(xid)))

    def join_with_token(self, token: str) -> Joined | None:
        """Join the invitation's society; None if the token is unknown or already used. Two
        concurrent uses of one token: exactly one joins (the claim is one conditional UPDATE)."""
        with self.sessions.begin() as session:
            invitation = session.scalar(select(Invitation).where(Invitation.token_hash == digest(token)))
            if invitation is None or invitation.used_at is not None:
                return None
            return _join(
                session,
                invitation.society_id,
                lambda participant_id: (
                    update(Invitation)
                    .where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
                    .values(used_at=now(), participant_id=participant_id)
                ),
            )

    def join_with_external_id(self, society_id: int, external_id: str) -> Joined | None:
        """Join as the holder of an allowed external id; None if it is not allowed or has joined."""
        with self.sessions.begin() as session:
            allowed = session.scalar(
                select(AllowedId).where(AllowedId.society_id == society_id, AllowedId.id_hash == digest(external_id))
            )
            if allowed is None or allowed.participant_id is not None:
                return None
            return _join(
                session,
                society_id,
                lambda participant_id: (
                    update(AllowedId)
                    .where(AllowedId.id == allowed.id, AllowedId.participant_id.is_(None))
                    .values(participant_id=participant_id)
                ),
            )

    def invite_negotiator(self, consultation_id: int, party: str) -> str:
        """A single-use invitation for one of ``party``'s negotiators (returned once, kept hashed)."""
        self.check_party(party)
        token = secrets.token_urlsafe(24)
        with self.sessions.begin() as session:
            session.add(Negotiator(consultation_id=consultation_id, party=party, token_hash=digest(token)))
        return token

    def join_negotiator(self, token: str) -> str | None:
        """The negotiator's session secret, or None for an unknown or used invitation."""
        secret = secrets.token_urlsafe(32)
        with self.sessions.begin() as session:
            claimed = changed_rows(
                session,
                update(Negotiator)
                .where(Negotiator.token_hash == digest(token), Negotiator.session_hash.is_(None))
                .values(session_hash=digest(secret), joined_at=now()),
            )
            return secret if claimed == 1 else None


@dataclass(frozen=True)
class Joined:
    participant_id: int
    society_id: int
    secret: str  # the participant's session secret: give it to them, it is not stored


def _join(session: Session, society_id: int, claim: Callable[[int], Update]) -> Joined | None:
    """A new participant of the society, if ``claim`` (an UPDATE given the new participant's id)
    changes exactly one row; else None, and nothing is written."""
    secret = secrets.token_urlsafe(32)
    participant = Participant(society_id=society_id, session_hash=digest(secret))
    session.add(participant)
    session.flush()
    if changed_rows(session, claim(participant.id)) != 1:
        session.rollback()
        return None
    return Joined(participant.id, society_id, secret)

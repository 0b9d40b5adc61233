"""Accounts and sessions: organisers (their e-mail and argon2-hashed password, checked at login),
and who holds a participant's or a negotiator's session secret.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import delete, func, select, update

from ...errors import Problem
from ..credentials import email_problems, normal_email, password_problems
from ..models import Attempt, Consultation, Negotiator, Organiser, OrganiserSession, Participant, Society, now
from .base import ConsultError, StoreBase, digest, flush_or_refuse

MEMBER_CACHE = 100_000  # participants remembered by session secret
PASSWORDS = PasswordHasher()
_DUMMY_HASH = PASSWORDS.hash("not a password")  # checked when an e-mail is unknown: the same work either way


class Accounts(StoreBase):
    """Organisers' accounts and the sessions of participants and negotiators."""

    @cached_property
    def _members(self) -> dict[str, Member]:
        """Participants by the hash of their session secret, as far as they have been looked up."""
        return {}

    def add_organiser(self, email: str, password: str) -> int:
        problems = email_problems(email) + password_problems(password)
        if problems:
            raise ConsultError(problems)
        with self.sessions.begin() as session:
            organiser = Organiser(email=normal_email(email), password_hash=PASSWORDS.hash(password))
            session.add(organiser)
            flush_or_refuse(session, Problem("email", "an organiser with this e-mail exists", "log in instead"))
            return organiser.id

    def check_organiser(self, email: str, password: str) -> int | None:
        """The organiser's id if the password is right, else None (as slow either way)."""
        with self.sessions() as session:
            organiser = session.scalar(select(Organiser).where(Organiser.email == normal_email(email)))
        try:
            PASSWORDS.verify(organiser.password_hash if organiser else _DUMMY_HASH, password)
        except VerificationError:
            return None
        return organiser.id if organiser else None

    def open_organiser_session(self, organiser_id: int, seconds: int) -> str:
        """A new login for the organiser, valid ``seconds``: its secret (the database keeps its hash)."""
        secret = secrets.token_urlsafe(32)
        with self.sessions.begin() as session:
            session.add(
                OrganiserSession(
                    organiser_id=organiser_id,
                    secret_hash=digest(secret),
                    expires_at=now() + timedelta(seconds=seconds),
                )
            )
        return secret

    def organiser_of_session(self, secret: str) -> int | None:
        """The organiser a login secret belongs to, while it has neither expired nor ended."""
        with self.sessions() as session:
            found: int | None = session.scalar(
                select(OrganiserSession.organiser_id).where(
                    OrganiserSession.secret_hash == digest(secret),
                    OrganiserSession.ended_at.is_(None),
                    OrganiserSession.expires_at > now(),
                )
            )
        return found

    def end_organiser_session(self, secret: str) -> None:
        """Log out: the secret opens nothing from now on."""
        with self.sessions.begin() as session:
            session.execute(
                update(OrganiserSession)
                .where(OrganiserSession.secret_hash == digest(secret), OrganiserSession.ended_at.is_(None))
                .values(ended_at=now())
            )

    def revoke_organiser_sessions(self, organiser_id: int) -> int:
        """End every open login of an organiser (a stolen cookie, a password changed): how many."""
        with self.sessions.begin() as session:
            result = session.execute(
                update(OrganiserSession)
                .where(OrganiserSession.organiser_id == organiser_id, OrganiserSession.ended_at.is_(None))
                .values(ended_at=now())
            )
            return int(getattr(result, "rowcount", 0) or 0)

    def end_participant_session(self, secret: str) -> None:
        """A participant logs out: their secret is replaced by one nobody holds (so the cookie
        opens nothing from now on; an invitation is needed to come back)."""
        key = digest(secret)
        self._members.pop(key, None)
        with self.sessions.begin() as session:
            session.execute(
                update(Participant)
                .where(Participant.session_hash == key)
                .values(session_hash=digest(secrets.token_urlsafe(32)))
            )

    def end_negotiator_session(self, secret: str) -> None:
        """A negotiator logs out: the session secret is replaced by one nobody holds (the
        invitation stays used: a new one is needed to come back)."""
        with self.sessions.begin() as session:
            session.execute(
                update(Negotiator)
                .where(Negotiator.session_hash == digest(secret))
                .values(session_hash=digest(secrets.token_urlsafe(32)))
            )

    def attempts(self, purpose: str, client: str, seconds: float) -> int:
        """Failed attempts of ``purpose`` from ``client`` in the last ``seconds``."""
        since = now() - timedelta(seconds=seconds)
        with self.sessions() as session:
            count = session.scalar(
                select(func.count(Attempt.id)).where(
                    Attempt.purpose == purpose, Attempt.client_hash == digest(client), Attempt.at >= since
                )
            )
        return int(count or 0)

    def record_attempt(self, purpose: str, client: str, seconds: float) -> int:
        """Record an attempt (committed before it is counted, so that concurrent attempts all
        see each other), and forget every attempt older than ``seconds`` (they no longer count):
        the attempt's id."""
        with self.sessions.begin() as session:
            session.execute(delete(Attempt).where(Attempt.at < now() - timedelta(seconds=seconds)))
            attempt = Attempt(purpose=purpose, client_hash=digest(client))
            session.add(attempt)
            session.flush()
            return attempt.id

    def forget_attempt(self, attempt_id: int) -> None:
        """An attempt that succeeded, or was refused without being tried: it does not count."""
        with self.sessions.begin() as session:
            session.execute(delete(Attempt).where(Attempt.id == attempt_id))

    def known_participant(self, secret: str) -> Member | None:
        """The participant of a session secret as last looked up in this process (never the
        database; a session ended in another process may still be here: the vote writer checks
        the session again before it writes the vote)."""
        return self._members.get(digest(secret))

    def participant(self, secret: str) -> Member | None:
        """Who holds a session secret, from the database (so that a session ended in any process
        opens nothing here): None for an unknown one."""
        key = digest(secret)
        member = self._member(key)
        if member is None:
            self._members.pop(key, None)
        else:
            if len(self._members) >= MEMBER_CACHE:
                self._members.clear()
            self._members[key] = member
        return member

    def _member(self, key: str) -> Member | None:
        """The participant of a session hash and what the pages need of their society, in one query."""
        with self.sessions() as session:
            row = session.execute(
                select(
                    Participant.id,
                    Society.id,
                    Society.consultation_id,
                    Society.ratifier,
                    Society.language,
                    Consultation.survey_tasks,
                )
                .join(Society, Society.id == Participant.society_id)
                .join(Consultation, Consultation.id == Society.consultation_id)
                .where(Participant.session_hash == key)
            ).first()
        if row is None:
            return None
        participant_id, society_id, consultation_id, ratifier, language, tasks = row
        return Member(participant_id, society_id, consultation_id, ratifier, language, tasks > 0)

    def negotiator(self, secret: str) -> tuple[int, int, str] | None:
        """(negotiator id, consultation id, party) of a session secret, or None."""
        with self.sessions() as session:
            row = session.execute(
                select(Negotiator.id, Negotiator.consultation_id, Negotiator.party).where(
                    Negotiator.session_hash == digest(secret)
                )
            ).first()
        if row is None:
            return None
        negotiator_id, consultation_id, party = row
        return negotiator_id, consultation_id, party


@dataclass(frozen=True)
class Member:
    """A participant as the pages need them."""

    id: int
    society_id: int
    consultation_id: int
    ratifier: str
    language: str
    survey: bool  # the consultation has a survey

"""Accounts and sessions: organisers (their e-mail and argon2-hashed password, checked at login),
and who holds a participant's or a negotiator's session secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import select

from ...errors import Problem
from ..credentials import email_problems, normal_email, password_problems
from ..models import Negotiator, Organiser, Participant
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

    def participant(self, secret: str) -> Member | None:
        """Who holds a session secret: None for an unknown one. (Participants never change
        society, so the answer is remembered.)"""
        key = digest(secret)
        if key in self._members:
            return self._members[key]
        member = self._member(key)
        if member is not None:
            if len(self._members) >= MEMBER_CACHE:
                self._members.clear()
            self._members[key] = member
        return member

    def _member(self, key: str) -> Member | None:
        with self.sessions() as session:
            participant = session.scalar(select(Participant).where(Participant.session_hash == key))
            if participant is None:
                return None
            society = participant.society
            return Member(
                participant.id,
                society.id,
                society.consultation_id,
                society.ratifier,
                society.language,
                society.consultation.survey_tasks > 0,
            )

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

"""The consultation database (SQLAlchemy 2): organisers, consultations, the societies they reach,
how participants join, proposals and votes, survey tasks and answers.

Rules the database itself enforces, so that no race can break them: one participant per invitation
and per allowed external id; one current vote per participant and proposal (a changed vote replaces
it, and every vote is also kept in ``vote_events``); one answer per participant, task and profile.
Tokens and external ids are stored only as hashes; nothing here holds a name or an address.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

VOTE_VALUES = (-1, 0, 1)  # disagree, pass, agree (Polis's signs)


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)  # stored as UTC, naive (SQLite has no time zones)


class Base(DeclarativeBase):
    pass


class Organiser(Base):
    __tablename__ = "organisers"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2
    created_at: Mapped[datetime] = mapped_column(default=now)


class Consultation(Base):
    __tablename__ = "consultations"
    # the repeated task is read when it is used (below); SQLAlchemy reads this from the class
    __mapper_args__ = {"eager_defaults": False}  # noqa: RUF012
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(Text)  # the scenario's title: texts and ids from it have no set length
    organiser_id: Mapped[int] = mapped_column(ForeignKey("organisers.id"))
    scenario_toml: Mapped[str] = mapped_column(Text)  # the scenario as it was when the consultation opened
    survey_tasks: Mapped[int] = mapped_column(default=0)  # 0: no survey
    survey_profiles: Mapped[int] = mapped_column(default=2)
    # the task shown again at the end; 0: none. A server default, loaded when used: a consultation
    # without one is written and read as in a database made before revision 0007
    survey_repeat: Mapped[int] = mapped_column(server_default="0", deferred=True)
    board: Mapped[bool] = mapped_column(default=True)  # a proposals board
    created_at: Mapped[datetime] = mapped_column(default=now)
    societies: Mapped[list[Society]] = relationship(back_populates="consultation", order_by="Society.id")
    proposals: Mapped[list[Proposal]] = relationship(back_populates="consultation", order_by="Proposal.id")


class Society(Base):
    """The public of one ratifier, consulted in one language."""

    __tablename__ = "societies"
    __table_args__ = (UniqueConstraint("consultation_id", "ratifier"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"))
    ratifier: Mapped[str] = mapped_column(Text)
    party: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(Text)
    consultation: Mapped[Consultation] = relationship(back_populates="societies")


class Invitation(Base):
    """A single-use invitation: only the token's hash is kept."""

    __tablename__ = "invitations"
    id: Mapped[int] = mapped_column(primary_key=True)
    society_id: Mapped[int] = mapped_column(ForeignKey("societies.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"), unique=True)
    used_at: Mapped[datetime | None]


class AllowedId(Base):
    """An external id allowed to join a society (hashed); it joins as one participant, once."""

    __tablename__ = "allowed_ids"
    __table_args__ = (UniqueConstraint("society_id", "id_hash"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    society_id: Mapped[int] = mapped_column(ForeignKey("societies.id"))
    id_hash: Mapped[str] = mapped_column(String(64))
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"), unique=True)


class Participant(Base):
    __tablename__ = "participants"
    id: Mapped[int] = mapped_column(primary_key=True)
    society_id: Mapped[int] = mapped_column(ForeignKey("societies.id"), index=True)
    session_hash: Mapped[str] = mapped_column(String(64), unique=True)  # the participant's login secret, hashed
    joined_at: Mapped[datetime] = mapped_column(default=now)
    society: Mapped[Society] = relationship()


class Proposal(Base):
    __tablename__ = "proposals"
    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    party: Mapped[str] = mapped_column(Text)  # the party whose negotiators posted it
    package: Mapped[str | None] = mapped_column(Text)  # issue=option text; None: a statement (Polis import)
    # what participants vote on: a typed title (300 characters at most, checked where it is typed)
    # or a statement imported from Polis, whole, however long
    title: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=now)
    consultation: Mapped[Consultation] = relationship(back_populates="proposals")


class Vote(Base):
    """A participant's current vote on a proposal."""

    __tablename__ = "votes"
    __table_args__ = (
        UniqueConstraint("proposal_id", "participant_id"),
        CheckConstraint("value IN (-1, 0, 1)", name="vote_value"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    value: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=now)


class VoteEvent(Base):
    """Every vote cast, in order: the history behind ``votes``."""

    __tablename__ = "vote_events"
    __table_args__ = (
        CheckConstraint("value IN (-1, 0, 1)", name="vote_event_value"),
        Index("ix_vote_events_proposal", "proposal_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    value: Mapped[int]
    cast_at: Mapped[datetime] = mapped_column(default=now)


class Task(Base):
    """A profile shown to a participant: the package (issue=option, every issue) and the order its
    issues are listed in."""

    __tablename__ = "survey_tasks"
    __table_args__ = (UniqueConstraint("participant_id", "task", "profile"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    task: Mapped[int]
    profile: Mapped[int]
    package: Mapped[str] = mapped_column(Text)
    issue_order: Mapped[str] = mapped_column(Text)  # issue ids, comma-separated


class Answer(Base):
    __tablename__ = "survey_answers"
    __table_args__ = (
        UniqueConstraint("participant_id", "task", "profile"),
        CheckConstraint("support IN (0, 1)", name="answer_support"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    task: Mapped[int]
    profile: Mapped[int]
    support: Mapped[int]
    answered_at: Mapped[datetime] = mapped_column(default=now)


class Negotiator(Base):
    """A party's negotiator on a consultation's board: joins once with an invitation (hashed) and
    then posts proposals for that party only."""

    __tablename__ = "negotiators"
    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    party: Mapped[str] = mapped_column(Text)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    session_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    joined_at: Mapped[datetime | None]


class OrganiserSession(Base):
    """An organiser's login, kept on the server (its secret hashed) so that logging out or
    revoking it takes effect at once, whatever the browser still holds."""

    __tablename__ = "organiser_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    organiser_id: Mapped[int] = mapped_column(ForeignKey("organisers.id"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]  # logged out or revoked
    created_at: Mapped[datetime] = mapped_column(default=now)


class Attempt(Base):
    """A failed attempt to join or log in, by purpose and client (the address hashed), kept only
    while it counts: every worker process of the site limits guessing with the same record."""

    __tablename__ = "attempts"
    __table_args__ = (Index("ix_attempts_purpose_client_at", "purpose", "client_hash", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16))
    client_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=now, index=True)

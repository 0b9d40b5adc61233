"""A consultation's board as a Polis conversation, both ways: a Polis export imported (its
statements on the board, its opinion groups mapped to societies, its vote log replayed), and the
board exported as a conversation (proposals as statements, each society as a group).
"""

from __future__ import annotations

import secrets
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import insert as core_insert
from sqlalchemy import select

from ...errors import Problem
from .. import polis
from ..models import Consultation, Participant, Proposal, Vote, VoteEvent, now
from .base import ConsultError, digest, found
from .consultations import Consultations


class Conversations(Consultations):
    """Importing Polis exports into a consultation and exporting its board as a conversation
    (the societies of the consultation are needed for both)."""

    def import_polis(self, consultation_id: int, folder: str | Path, groups: dict[int, str]) -> int:
        """Bring a Polis export into a consultation: its statements join the board (as statements,
        without a package), each participant Polis put in opinion group g joins the society of
        ratifier ``groups[g]`` (participants in no mapped group are left out), and every vote of
        the log is replayed in order. Returns the number of participants imported."""
        conversation = polis.read_export(folder)
        societies = self.societies(consultation_id)
        unknown = sorted({r for r in groups.values() if r not in societies})
        if unknown:
            raise ConsultError(
                [
                    Problem(
                        "groups",
                        f"no society of ratifier {unknown[0]!r} in the consultation",
                        f"use one of {sorted(societies)}",
                    )
                ]
            )
        members = {
            voter: societies[groups[int(group)]]
            for voter, group in conversation.groups.dropna().items()
            if int(group) in groups
        }
        log = conversation.votes.sort_values("timestamp", kind="stable")
        log = log[log["voter-id"].isin(members)]
        with self.sessions.begin() as session:
            statements = {
                row["comment-id"]: Proposal(
                    consultation_id=consultation_id,
                    party="",
                    package=None,
                    title=_statement(row.get("comment-body")),
                )
                for row in conversation.comments.to_dict(orient="records")
            }
            session.add_all(statements.values())
            people = {  # imported people cannot log in: their secrets are thrown away
                voter: Participant(society_id=society, session_hash=digest(secrets.token_urlsafe(32)))
                for voter, society in members.items()
            }
            session.add_all(people.values())
            session.flush()
            current: dict[tuple[int, int], int] = {}
            events = []
            for voter, comment, value in zip(log["voter-id"], log["comment-id"], log["vote"], strict=True):
                key = (statements[comment].id, people[voter].id)
                current[key] = int(value)
                events.append({"proposal_id": key[0], "participant_id": key[1], "value": int(value), "cast_at": now()})
            if events:
                session.execute(core_insert(VoteEvent), events)
                session.execute(
                    core_insert(Vote),
                    [
                        {"proposal_id": p, "participant_id": q, "value": v, "updated_at": now()}
                        for (p, q), v in current.items()
                    ],
                )
        return len(members)

    def conversation(self, consultation_id: int) -> polis.Conversation:
        """The board as a Polis conversation: proposals as statements, each society as a group."""
        with self.sessions() as session:
            consultation = found(session, Consultation, consultation_id)
            society_index = {s.id: i for i, s in enumerate(consultation.societies)}
            proposals = consultation.proposals
            comments = pd.DataFrame(
                {
                    "timestamp": [_millis(p.created_at) for p in proposals],
                    "comment-id": [p.id for p in proposals],
                    "author-id": -1,
                    "moderated": 1,
                    "comment-body": [p.title if p.package is None else f"{p.title}: {p.package}" for p in proposals],
                }
            )
            events = session.execute(
                select(
                    VoteEvent.cast_at, VoteEvent.id, VoteEvent.proposal_id, VoteEvent.participant_id, VoteEvent.value
                )
                .join(Proposal, Proposal.id == VoteEvent.proposal_id)
                .where(Proposal.consultation_id == consultation_id)
                .order_by(VoteEvent.id)
            ).all()
            members = session.execute(
                select(Participant.id, Participant.society_id).where(Participant.society_id.in_(list(society_index)))
            ).all()
        votes = pd.DataFrame(
            {
                "timestamp": _in_commit_order([_millis(e.cast_at) * 1000 for e in events]),
                "comment-id": [e.proposal_id for e in events],
                "voter-id": [e.participant_id for e in events],
                "vote": [e.value for e in events],
            }
        )
        groups = pd.Series({pid: float(society_index[sid]) for pid, sid in members}, dtype=float)
        return polis.Conversation(comments, votes, groups)


def _statement(text: object) -> str:
    """A Polis statement as the board shows it: its whole text, however long (Polis caps what is
    typed into it, but older and other deployments' exports carry longer statements)."""
    return "" if text is None or (isinstance(text, float) and np.isnan(text)) else str(text)


def _in_commit_order(times: list[int]) -> np.ndarray:
    """Timestamps for events listed in the order they were committed (by id: one transaction at
    a time holds a vote's row), strictly increasing in that order and each at least its own time.

    Votes committed together share a time, and a transaction can commit after one that took its
    time later; ordered by these timestamps, each voter's latest vote is the one the votes table
    holds. (t_i = i + max over j <= i of (time_j - j), so t_i - t_(i-1) >= 1 and t_i >= time_i.)"""
    steps = np.arange(len(times), dtype=np.int64)
    return steps + np.maximum.accumulate(np.asarray(times, dtype=np.int64) - steps)


def _millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)

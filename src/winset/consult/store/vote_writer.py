"""Group commit: concurrent votes written in one transaction, each acknowledged after its commit.

A vote's cost is mostly its commit (a durable write: ``synchronous=FULL`` on SQLite, a WAL flush
on PostgreSQL). One writer thread per process takes every vote waiting, checks them together
(each proposal in its participant's consultation), writes them in one transaction and commits
once, then resolves each vote's future: with nothing (committed) or its error. A vote is
acknowledged only when its future resolves, so no acknowledged vote is ever lost; when the whole
transaction fails (a locked database), every vote in it gets that error and none was saved.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from ...errors import Problem
from ..models import Participant, Proposal, Society, Vote, VoteEvent, now
from .base import ConsultError, upsert

BATCH = 1024  # votes at most in one transaction


class SessionEnded(ConsultError):
    """A vote whose participant's session has ended (logged out in any process)."""


@dataclass
class _Pending:
    participant_id: int
    proposal_id: int
    value: int
    session_hash: str | None = None  # the hash of the session it came with, checked again here
    future: Future[None] = field(default_factory=Future)


class VoteWriter:
    """See the module documentation."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        self.waiting: queue.SimpleQueue[_Pending] = queue.SimpleQueue()
        self._started = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(
        self, participant_id: int, proposal_id: int, value: int, session_hash: str | None = None
    ) -> Future[None]:
        """Queue a vote; its future resolves once the vote is committed (or refused). With
        ``session_hash``, the vote counts only while that session is the participant's."""
        pending = _Pending(participant_id, proposal_id, value, session_hash)
        with self._started:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="winset-vote-writer", daemon=True)
                self._thread.start()
        self.waiting.put(pending)
        return pending.future

    def _run(self) -> None:
        while True:
            batch = [self.waiting.get()]
            while len(batch) < BATCH:
                try:
                    batch.append(self.waiting.get_nowait())
                except queue.Empty:
                    break
            self._write(batch)

    def _write(self, batch: list[_Pending]) -> None:
        valid: list[_Pending] = []
        try:
            with self.sessions.begin() as session:
                members = {
                    pid: (home, current)
                    for pid, home, current in session.execute(
                        select(Participant.id, Society.consultation_id, Participant.session_hash)
                        .join(Society, Society.id == Participant.society_id)
                        .where(Participant.id.in_({p.participant_id for p in batch}))
                    ).all()
                }
                boards = dict(
                    session.execute(
                        select(Proposal.id, Proposal.consultation_id).where(
                            Proposal.id.in_({p.proposal_id for p in batch})
                        )
                    ).all()
                )
                for pending in batch:
                    home, current = members.get(pending.participant_id, (None, None))
                    if pending.session_hash is not None and pending.session_hash != current:
                        pending.future.set_exception(
                            SessionEnded(
                                [Problem("session", "this session has ended", "join again with an invitation")]
                            )
                        )
                    elif home is not None and boards.get(pending.proposal_id) == home:
                        valid.append(pending)
                    else:
                        pending.future.set_exception(
                            ConsultError(
                                [Problem("proposal", "no such proposal in your consultation", "vote on its board")]
                            )
                        )
                if valid:
                    cast = now()
                    latest = {(p.proposal_id, p.participant_id): p for p in valid}  # the last vote counts
                    rows = [
                        {"proposal_id": a, "participant_id": b, "value": p.value, "updated_at": cast}
                        for (a, b), p in latest.items()
                    ]
                    upsert(session, Vote, ["proposal_id", "participant_id"], rows)
                    session.execute(
                        insert(VoteEvent),
                        [
                            {
                                "proposal_id": p.proposal_id,
                                "participant_id": p.participant_id,
                                "value": p.value,
                                "cast_at": cast,
                            }
                            for p in valid
                        ],
                    )
        except Exception as error:  # nothing of the batch was saved: each vote in it gets the error
            for pending in batch:
                if not pending.future.done():
                    pending.future.set_exception(error)
            return
        for pending in valid:
            pending.future.set_result(None)

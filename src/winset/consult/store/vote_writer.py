"""Group commit: concurrent votes written in one transaction, each acknowledged after its commit.

A vote's cost is mostly its commit (a durable write: ``synchronous=FULL`` on SQLite, a WAL flush
on PostgreSQL). One writer thread per process takes every vote waiting, checks them together
(each proposal in its participant's consultation), writes them in one transaction and commits
once, then resolves each vote's future: with nothing (committed) or its error. A vote is
acknowledged only when its future resolves, so no acknowledged vote is ever lost; when the whole
transaction fails (a locked database), every vote in it gets that error and none was saved; a
vote that has waited longer than a lock may be waited for (behind a batch that waited for one) is
refused as busy without being tried, so that no vote waits much more than ``database.LOCK_SECONDS``.
Votes cast from an event loop get futures of that loop, resolved together in one call into the
loop per transaction (not one wake-up per vote).
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
import time
from collections import defaultdict
from concurrent.futures import Future
from dataclasses import dataclass, field

from sqlalchemy import Engine, bindparam, select
from sqlalchemy.orm import Session, sessionmaker

from ...errors import Problem
from .. import database
from ..models import Participant, Proposal, Society, Vote, VoteEvent, now
from .base import ConsultError, DatabaseBusy
from .bulk import BulkWrite

BATCH = 1024  # votes at most in one transaction
ENDED = "this session has ended"
ELSEWHERE = "no such proposal in your consultation"


class SessionEnded(ConsultError):
    """A vote whose participant's session has ended (logged out in any process)."""


@dataclass
class _Pending:
    participant_id: int
    proposal_id: int
    value: int
    session_hash: str | None = None  # the hash of the session it came with, checked again here
    loop: asyncio.AbstractEventLoop | None = None  # where its future lives, if it was cast from one
    future: Future[None] | asyncio.Future[None] = field(default_factory=Future)
    queued: float = field(default_factory=time.monotonic)


class VoteWriter:
    """See the module documentation."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.engine: Engine = sessions.kw["bind"]
        self._members = (  # the statements, built once: building one costs more than running it
            select(Participant.id, Society.consultation_id, Participant.session_hash)
            .join(Society, Society.id == Participant.society_id)
            .where(Participant.id.in_(bindparam("ids", expanding=True)))
        )
        self._boards = select(Proposal.id, Proposal.consultation_id).where(
            Proposal.id.in_(bindparam("ids", expanding=True))
        )
        dialect = self.engine.dialect.name
        self._votes = BulkWrite(
            dialect, Vote, ["proposal_id", "participant_id", "value", "updated_at"], ["proposal_id", "participant_id"]
        )
        self._events = BulkWrite(dialect, VoteEvent, ["proposal_id", "participant_id", "value", "cast_at"])
        self.waiting: queue.SimpleQueue[_Pending] = queue.SimpleQueue()
        self._started = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(
        self, participant_id: int, proposal_id: int, value: int, session_hash: str | None = None
    ) -> Future[None]:
        """Queue a vote; its future resolves once the vote is committed (or refused). With
        ``session_hash``, the vote counts only while that session is the participant's."""
        done: Future[None] = Future()
        self._queue(_Pending(participant_id, proposal_id, value, session_hash, future=done))
        return done

    async def cast(self, participant_id: int, proposal_id: int, value: int, session_hash: str | None = None) -> None:
        """:meth:`submit` from an event loop: returns once the vote is committed, or raises its error."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        self._queue(_Pending(participant_id, proposal_id, value, session_hash, loop, done))
        await done

    def _queue(self, pending: _Pending) -> None:
        with self._started:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="winset-vote-writer", daemon=True)
                self._thread.start()
        self.waiting.put(pending)

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
        """Write a batch in one transaction and resolve each vote's future."""
        _settle(self._outcomes(batch))

    def _outcomes(self, batch: list[_Pending]) -> list[tuple[_Pending, BaseException | None]]:
        """Each vote of the batch with its error, or None once the transaction has committed."""
        valid: list[_Pending] = []
        refused: list[tuple[_Pending, BaseException | None]] = []
        try:
            with self.engine.begin() as connection:  # Core, not the ORM: less work per vote
                batch = _fresh(batch, refused)  # once it has a connection, which it may have waited for
                if not batch:
                    return refused
                members = {
                    pid: (home, current)
                    for pid, home, current in connection.execute(
                        self._members, {"ids": sorted({p.participant_id for p in batch})}
                    ).all()
                }
                boards = dict(connection.execute(self._boards, {"ids": sorted({p.proposal_id for p in batch})}).all())
                for pending in batch:
                    home, current = members.get(pending.participant_id, (None, None))
                    if pending.session_hash is not None and pending.session_hash != current:
                        refused.append(
                            (pending, SessionEnded([Problem("session", ENDED, "join again with an invitation")]))
                        )
                    elif home is not None and boards.get(pending.proposal_id) == home:
                        valid.append(pending)
                    else:
                        refused.append((pending, ConsultError([Problem("proposal", ELSEWHERE, "vote on its board")])))
                if valid:
                    cast = now()
                    latest = {(p.proposal_id, p.participant_id): p for p in valid}  # the last vote counts
                    # in key order: writers in several processes lock rows in one order, never deadlock
                    self._votes(connection, [(a, b, p.value, cast) for (a, b), p in sorted(latest.items())])
                    self._events(connection, [(p.proposal_id, p.participant_id, p.value, cast) for p in valid])
        except Exception as error:  # nothing of the batch was saved: each vote in it gets the error
            return refused + [(pending, error) for pending in batch]
        return refused + [(pending, None) for pending in valid]


def _fresh(batch: list[_Pending], refused: list[tuple[_Pending, BaseException | None]]) -> list[_Pending]:
    """The votes of the batch that have not waited out a lock already; the others are refused as
    busy (added to ``refused``)."""
    waited = time.monotonic() - database.LOCK_SECONDS
    refused += [(p, DatabaseBusy("the vote waited too long for the database")) for p in batch if p.queued < waited]
    return [p for p in batch if p.queued >= waited]


def _settle(outcomes: list[tuple[_Pending, BaseException | None]]) -> None:
    """Resolve the futures: a thread's at once, an event loop's in one call into that loop."""
    loops: defaultdict[asyncio.AbstractEventLoop, list[tuple[_Pending, BaseException | None]]] = defaultdict(list)
    for pending, error in outcomes:
        if pending.loop is None:
            _resolve(pending.future, error)
        else:
            loops[pending.loop].append((pending, error))
    for loop, theirs in loops.items():
        with contextlib.suppress(RuntimeError):  # a loop that has closed (a server stopped): nobody waits
            loop.call_soon_threadsafe(_resolve_all, theirs)


def _resolve_all(outcomes: list[tuple[_Pending, BaseException | None]]) -> None:
    for pending, error in outcomes:
        _resolve(pending.future, error)


def _resolve(future: Future[None] | asyncio.Future[None], error: BaseException | None) -> None:
    if future.done():  # an event loop's future whose request went away (cancelled)
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)

"""Group commit: votes cast together are written in one transaction, each acknowledged only once
committed, an invalid one refused alone, the last of two on the same proposal the one that counts."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from winset.consult.database import open_database
from winset.consult.models import Vote, VoteEvent
from winset.consult.store import ConsultError, Store
from winset.consult.store.vote_writer import VoteWriter, _Pending


@pytest.fixture
def board(database_url):
    store = Store.open(open_database(database_url), "kuril")
    owner = store.add_organiser("mediator@example.org", "correct horse battery")
    consultation = store.open_consultation(owner, "kuril")
    society = store.societies(consultation)["russian_public"]
    members = [store.join_with_token(t) for t in store.invite(society, 40)]
    return store, consultation, [store.participant(m.secret).id for m in members]


def test_concurrent_votes_are_all_committed_once_acknowledged(board):
    store, consultation, people = board
    proposals = list(store.proposals(consultation))
    cast = [(p, q, (p + q) % 3 - 1) for p in people for q in proposals]
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda v: store.vote(*v), cast))  # each returns once its vote is committed
    with store.sessions() as session:
        assert session.scalar(select(func.count(VoteEvent.id))) == len(cast)
        current = dict(((v.participant_id, v.proposal_id), v.value) for v in session.scalars(select(Vote)))
    assert current == {(p, q): value for p, q, value in cast}


def test_an_invalid_vote_in_a_batch_is_refused_alone(board):
    store, consultation, people = board
    first = next(iter(store.proposals(consultation)))
    writer = VoteWriter(store.sessions)
    batch = [_Pending(people[0], first, 1), _Pending(people[1], 10**6, 1), _Pending(people[0], first, -1)]
    writer._write(batch)  # one transaction, as the writer thread makes it
    assert batch[0].future.result() is None and batch[2].future.result() is None
    with pytest.raises(ConsultError, match="no such proposal"):
        batch[1].future.result()
    with store.sessions() as session:
        votes = session.scalars(select(Vote).where(Vote.participant_id == people[0])).all()
        events = session.scalar(select(func.count(VoteEvent.id)).where(VoteEvent.participant_id == people[0]))
    assert [v.value for v in votes] == [-1] and events == 2  # the later vote counts; both are in the history


def test_a_failed_transaction_fails_every_vote_in_it_and_saves_none(board, monkeypatch):
    store, consultation, people = board
    first = next(iter(store.proposals(consultation)))
    writer = VoteWriter(store.sessions)
    batch = [_Pending(p, first, 1) for p in people[:5]]

    # the votes' rows are written, then the database refuses the events: the transaction fails
    monkeypatch.setattr(
        writer, "_events", lambda connection, rows: connection.execute(text("INSERT INTO no_such_table"))
    )
    writer._write(batch)
    for pending in batch:
        with pytest.raises(DBAPIError):
            pending.future.result()
    with store.sessions() as session:
        assert session.scalar(select(func.count(VoteEvent.id))) == 0
        assert session.scalar(select(func.count(Vote.id))) == 0


def test_a_lock_held_elsewhere_fails_the_vote_in_about_the_lock_time(database_url, monkeypatch):
    """Another transaction holding the vote's row (PostgreSQL) or the database (SQLite) makes the
    vote fail after LOCK_SECONDS, never wait for ever; nothing of it is saved."""
    import time

    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    from winset.consult import database

    monkeypatch.setattr(database, "LOCK_SECONDS", 0.5)
    store = Store.open(open_database(database_url), "kuril")
    owner = store.add_organiser("mediator@example.org", "correct horse battery")
    consultation = store.open_consultation(owner, "kuril")
    person = store.join_with_token(store.invite(store.societies(consultation)["russian_public"], 1)[0])
    first = next(iter(store.proposals(consultation)))
    store.vote(person.participant_id, first, 1)
    other = create_engine(database_url, isolation_level="AUTOCOMMIT").connect()
    other.exec_driver_sql("BEGIN EXCLUSIVE" if database_url.startswith("sqlite") else "BEGIN")
    other.execute(text("UPDATE votes SET value = value WHERE proposal_id = :p"), {"p": first})  # holds the row
    try:
        started = time.monotonic()
        with pytest.raises(OperationalError):  # not TimeoutError: the writer gave up by itself
            store.submit_vote(person.participant_id, first, -1).result(timeout=5)
        assert time.monotonic() - started < 5
    finally:
        other.exec_driver_sql("ROLLBACK")
        other.close()
    with store.sessions() as session:
        assert session.scalar(select(Vote.value).where(Vote.proposal_id == first)) == 1


def test_a_vote_that_waited_out_a_locked_batch_is_refused_untried(board):
    import time

    from winset.consult.store.base import DatabaseBusy

    store, consultation, people = board
    first = next(iter(store.proposals(consultation)))
    writer = VoteWriter(store.sessions)
    stale = _Pending(people[0], first, 1, queued=time.monotonic() - 3600)
    fresh = _Pending(people[1], first, 1)
    writer._write([stale, fresh])
    with pytest.raises(DatabaseBusy):
        stale.future.result()
    assert fresh.future.result() is None
    with store.sessions() as session:
        assert session.scalars(select(Vote.participant_id)).all() == [people[1]]


def test_the_polis_export_orders_votes_as_committed(tmp_path):
    """Votes committed together share a time; the export still orders them as committed, so each
    participant's latest vote in it is the stored one, whatever the events' ids."""
    from sqlalchemy import insert

    from winset.consult.models import now

    store = Store.open(open_database(f"sqlite:///{tmp_path / 'c.db'}"), "kuril")
    owner = store.add_organiser("mediator@example.org", "correct horse battery")
    consultation = store.open_consultation(owner, "kuril")
    person = store.join_with_token(store.invite(store.societies(consultation)["russian_public"], 1)[0])
    first = next(iter(store.proposals(consultation)))
    with store.sessions.begin() as session:  # the next events get ids 999 and 1000
        session.execute(
            insert(VoteEvent).values(
                id=998, proposal_id=first, participant_id=person.participant_id, value=0, cast_at=now()
            )
        )
    writer = VoteWriter(store.sessions)
    writer._write([_Pending(person.participant_id, first, 1), _Pending(person.participant_id, first, -1)])  # one batch
    latest = store.conversation(consultation).latest()
    assert latest.loc[person.participant_id, first] == -1
    with store.sessions() as session:
        assert session.scalar(select(Vote.value).where(Vote.participant_id == person.participant_id)) == -1


@given(st.lists(st.integers(0, 10**15), max_size=50))
def test_commit_order_timestamps_are_the_smallest_increasing_ones(times):
    from winset.consult.store.conversations import _in_commit_order

    expected, previous = [], None
    for t in times:  # the plain rule, one event at a time
        previous = t if previous is None else max(t, previous + 1)
        expected.append(previous)
    assert _in_commit_order(times).tolist() == expected


def test_a_vote_waits_for_a_connection_no_longer_than_for_a_lock(tmp_path, monkeypatch):
    """Every pooled connection taken (by pages waiting on a lock): the vote fails as busy after
    about LOCK_SECONDS instead of waiting SQLAlchemy's default half minute."""
    import time

    from sqlalchemy.exc import TimeoutError as PoolTimeout

    from winset.consult import database

    monkeypatch.setattr(database, "LOCK_SECONDS", 0.5)
    store = Store.open(open_database(f"sqlite:///{tmp_path / 'c.db'}"), "kuril")
    owner = store.add_organiser("mediator@example.org", "correct horse battery")
    consultation = store.open_consultation(owner, "kuril")
    person = store.join_with_token(store.invite(store.societies(consultation)["russian_public"], 1)[0])
    first = next(iter(store.proposals(consultation)))
    engine = store.sessions.kw["bind"]
    taken = [engine.connect() for _ in range(database.POOL_SIZE)]
    try:
        started = time.monotonic()
        with pytest.raises(PoolTimeout):
            store.submit_vote(person.participant_id, first, 1).result(timeout=5)
        assert time.monotonic() - started < 3
    finally:
        for connection in taken:
            connection.close()
    store.vote(person.participant_id, first, 1)  # and votes again once connections are free

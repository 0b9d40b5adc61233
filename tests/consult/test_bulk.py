"""Many rows in one statement: what the vote writer writes, on SQLite and on PostgreSQL (one
statement for the whole batch there, whatever its size)."""

import pytest
from sqlalchemy import event, select

from winset.consult.database import open_database
from winset.consult.models import Vote, now
from winset.consult.store import Store
from winset.consult.store.bulk import BulkWrite

COLUMNS = ["proposal_id", "participant_id", "value", "updated_at"]
KEYS = ["proposal_id", "participant_id"]


@pytest.fixture
def people(database_url):
    store = Store.open(open_database(database_url), "kuril")
    consultation = store.open_consultation(store.add_organiser("mediator@example.org", "correct horse battery"), "k")
    society = store.societies(consultation)["russian_public"]
    members = [store.participant(store.join_with_token(t).secret).id for t in store.invite(society, 30)]
    return store, list(store.proposals(consultation)), members


def statements(engine):
    """The statements sent to the database, each with whether it was executed once per row (a
    list that fills as they are sent)."""
    sent = []
    event.listen(engine, "before_cursor_execute", lambda *args: sent.append((args[2], args[5])))
    return sent


def stored(store):
    with store.sessions() as session:
        return {(v.proposal_id, v.participant_id): v.value for v in session.scalars(select(Vote))}


def test_rows_are_inserted_then_updated_where_their_keys_match(people):
    store, proposals, members = people
    write = BulkWrite(store.sessions.kw["bind"].dialect.name, Vote, COLUMNS, KEYS)
    first = [(q, p, 1, now()) for q in proposals[:2] for p in members]
    second = [(proposals[0], p, -1, now()) for p in members[:10]]
    with store.sessions.kw["bind"].begin() as connection:
        write(connection, first)
        write(connection, [])  # nothing to write: nothing sent
    with store.sessions.kw["bind"].begin() as connection:
        write(connection, second)
    expected = {(q, p): v for q, p, v, _ in first} | {(q, p): v for q, p, v, _ in second}
    assert stored(store) == expected


def test_a_batch_is_one_statement_on_postgresql_and_one_per_row_on_sqlite(people):
    store, proposals, members = people
    engine = store.sessions.kw["bind"]
    write = BulkWrite(engine.dialect.name, Vote, COLUMNS, KEYS)
    sent = statements(engine)
    with engine.begin() as connection:
        write(connection, [(proposals[0], p, 0, now()) for p in members])
        write(connection, [])
    inserts = [(s, per_row) for s, per_row in sent if s.lstrip().upper().startswith("INSERT")]
    assert len(inserts) == 1
    assert inserts[0][1] is (engine.dialect.name != "postgresql")  # executed once per row on SQLite only
    assert len(stored(store)) == len(members)


def test_of_rows_with_the_same_keys_the_last_is_written_on_every_database(people):
    store, proposals, members = people
    engine = store.sessions.kw["bind"]
    write = BulkWrite(engine.dialect.name, Vote, COLUMNS, KEYS)
    with engine.begin() as connection:
        write(connection, [(proposals[0], members[0], 1, now()), (proposals[0], members[0], -1, now())])
    assert stored(store) == {(proposals[0], members[0]): -1}

"""Polis exports as Polis writes them: every statement imported whole, whatever its length, and
exported back with the same text."""

import pandas as pd
import pytest
from sqlalchemy.orm import sessionmaker

from winset.consult import read_export, write_export
from winset.consult.database import alembic_config, make_engine, migrate, open_database
from winset.consult.store import ConsultError, Store

from ..conftest import SHARED

PASSWORD = "correct horse battery"
GROUPS = {0: "russian_public", 1: "japanese_public"}
POLIS = SHARED / "data" / "polis"
needs_data = pytest.mark.shared("data", "polis")


@pytest.fixture
def consultation(database_url):
    store = Store.open(open_database(database_url), "kuril")
    organiser = store.add_organiser("o@example.org", PASSWORD)
    return store, store.open_consultation(organiser, "imported", board=False)


def export_of(folder, bodies):
    """A Polis export with one statement per body, written as Polis writes it (pandas quotes what
    needs quoting), and one vote on each statement from each of two clustered participants."""
    folder.mkdir()
    pd.DataFrame(
        {
            "timestamp": range(len(bodies)),
            "comment-id": range(len(bodies)),
            "author-id": 0,
            "agrees": 1,
            "disagrees": 1,
            "moderated": 1,
            "comment-body": bodies,
        }
    ).to_csv(folder / "comments.csv", index=False)
    votes = [(2 * i + v, i, v, 1 if v == 0 else -1) for i in range(len(bodies)) for v in (0, 1)]
    log = pd.DataFrame(votes, columns=["timestamp", "comment-id", "voter-id", "vote"])
    log.to_csv(folder / "votes.csv", index=False)
    (folder / "participants-votes.csv").write_text("participant,group-id\n0,0\n1,1\n")
    return folder


def round_trip(store, consultation, folder, out):
    """The comment texts of ``folder`` as written, and as exported again after the import."""
    store.import_polis(consultation, folder, GROUPS)
    write_export(store.conversation(consultation), out)
    return list(read_export(folder).comments["comment-body"]), list(read_export(out).comments["comment-body"])


def test_statements_longer_than_a_title_are_imported_whole(consultation, tmp_path):
    """Polis caps typed comments, but exports from older or other deployments carry longer ones:
    a 311- and a 2,000-character statement are kept in full and exported back unchanged."""
    store, consultation = consultation
    bodies = [("Keep the ferry to the islands running. " * 8).strip(), "z" * 2000, "short"]
    assert len(bodies[0]) == 311
    written, exported = round_trip(store, consultation, export_of(tmp_path / "x", bodies), tmp_path / "out")
    assert exported == written == bodies
    assert list(store.proposals(consultation).values()) == bodies


def test_titles_typed_into_the_site_keep_their_limit(database_url):
    store = Store.open(open_database(database_url), "kuril")
    consultation = store.open_consultation(store.add_organiser("o@example.org", PASSWORD), "typed")
    store.post_proposal(consultation, "russia", "treaty=signed", "t" * 300)
    with pytest.raises(ConsultError, match="keep titles to 300 characters"):
        store.post_proposal(consultation, "russia", "treaty=signed", "t" * 301)


def test_a_database_with_votes_is_migrated_to_long_statements(database_url, tmp_path):
    """A database made before statements could be longer than 300 characters, holding proposals
    that carry votes, is brought to the newest schema with every row kept; then it takes them."""
    engine = make_engine(database_url)
    with engine.connect() as connection:
        migrate(connection, alembic_config(database_url), "0003")
    store = Store.open(sessionmaker(engine, expire_on_commit=False), "kuril")
    consultation = store.open_consultation(store.add_organiser("o@example.org", PASSWORD), "before")
    society = store.societies(consultation)["russian_public"]
    person = store.join_with_token(store.invite(society, 1)[0]).participant_id
    board = store.proposals(consultation)
    store.vote(person, next(iter(board)), 1)
    engine.dispose()
    store = Store.open(open_database(database_url), "kuril")
    assert store.proposals(consultation) == board
    assert store.ballot(person)[0]["vote"] == 1
    store.import_polis(consultation, export_of(tmp_path / "x", ["y" * 311]), GROUPS)
    assert list(store.proposals(consultation).values())[-1] == "y" * 311


def test_every_statement_text_survives_the_round_trip(consultation, tmp_path):
    """Texts a CSV reader could take for something else stay text: words that read as missing
    values, numbers, an empty statement, quotes, commas and line breaks, spaces at either end, and
    any script."""
    store, consultation = consultation
    bodies = ["NA", "N/A", "None", "null", "nan", "", "42", "1.50", 'a "quoted", comma', "two\nlines\r\n", "  spaced  "]
    bodies += ["Отдайте острова?", "北方領土を返せ 🏝", "café, naïve — ½"]
    written, exported = round_trip(store, consultation, export_of(tmp_path / "x", bodies), tmp_path / "out")
    assert written == bodies
    assert exported == bodies
    assert list(store.proposals(consultation).values()) == bodies


@needs_data
@pytest.mark.parametrize("name", ["bg2050-volunteers", "brexit-consensus"])
def test_the_published_conversations_are_imported_and_exported_unchanged(consultation, tmp_path, name):
    store, consultation = consultation
    written, exported = round_trip(store, consultation, POLIS / name, tmp_path / "out")
    assert exported == written and len(written) == {"bg2050-volunteers": 371, "brexit-consensus": 50}[name]


def test_an_export_as_polis_names_its_files_today(consultation, tmp_path):
    """Polis's own export calls the participants' table participant-votes.csv (the open-data
    collection renamed it participants-votes.csv)."""
    store, consultation = consultation
    folder = export_of(tmp_path / "x", ["first", "second"])
    (folder / "participants-votes.csv").rename(folder / "participant-votes.csv")
    assert store.import_polis(consultation, folder, GROUPS) == 2
    assert read_export(folder).latest().notna().all().all()

"""The consultation database: schema from the migrations, joining, one person one vote, history,
results, Polis export and the survey."""

import threading

import numpy as np
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from winset.consult import group_informed_consensus, read_export, write_export
from winset.consult.database import alembic_config, make_engine, migrate, open_database
from winset.consult.models import Base, Vote, VoteEvent
from winset.consult.store import ConsultError, Store, wilson
from winset.consult.tasks import SurveyDesign

PASSWORD = "correct horse battery"


@pytest.fixture
def store(database_url):
    return Store.open(open_database(database_url), "kuril")


@pytest.fixture
def opened(store):
    organiser = store.add_organiser("Mediator@example.org", PASSWORD)
    consultation = store.open_consultation(
        organiser, "kuril-2026", languages={"russian_public": "ru", "japanese_public": "ja"}, survey=SurveyDesign(3, 2)
    )
    return store, consultation


def societies(store, consultation):
    return store.societies(consultation)


def proposals(store, consultation):
    return list(store.proposals(consultation))


def test_migrations_build_the_schema_of_the_models(store):
    with store.sessions() as session:
        differences = compare_metadata(MigrationContext.configure(session.connection()), Base.metadata)
    assert differences == []


@pytest.mark.parametrize("revision", ["0001", "0003"])
def test_a_database_with_votes_is_migrated_with_every_row(database_url, revision):
    """A database made by an earlier version, holding proposals that carry votes, is brought to the
    newest schema with every row kept (SQLite rebuilds the proposals table to change a column)."""
    engine = make_engine(database_url)
    with engine.connect() as connection:
        migrate(connection, alembic_config(database_url), revision)
    with engine.begin() as connection:
        for row in [
            "INSERT INTO organisers VALUES (1, 'o@example.org', 'x', '2024-01-01')",
            "INSERT INTO consultations VALUES (1, 'old', 'Old', 1, '', 0, 2, TRUE, '2024-01-01')",
            "INSERT INTO societies VALUES (1, 1, 'russian_public', 'russia', 'ru')",
            "INSERT INTO participants VALUES (1, 1, 'x', '2024-01-01')",
            "INSERT INTO proposals VALUES (1, 1, 'russia', 'treaty=signed', 'A treaty', '2024-01-01')",
            "INSERT INTO votes VALUES (1, 1, 1, 1, '2024-01-01')",
            "INSERT INTO vote_events VALUES (1, 1, 1, 1, '2024-01-01')",
        ]:
            connection.execute(text(row))
    engine.dispose()
    store = Store(open_database(database_url), None, "")
    assert store.proposals(1) == {1: "A treaty"}
    ballot = store.ballot(1)
    assert ballot == [{"id": 1, "title": "A treaty", "package": "treaty=signed", "vote": 1}]


def test_any_scenario_winset_checks_can_be_consulted(database_url, tmp_path):
    """The database keeps what the scenario says at any length: a title of 359 characters and ids
    of 91 (which winset check accepts) open a consultation, and a negotiator joins for the party."""
    from ..conftest import FIXTURES

    long_title, ratifier, party = ("Two islands " * 30).strip(), "russian_public_" * 6 + "x", "russia_" * 13
    text_of = (FIXTURES / "valid" / "minimal.toml").read_text(encoding="utf-8")
    text_of = text_of.replace('en = "Two islands"', f'en = "{long_title}"').replace('"russian_public"', f'"{ratifier}"')
    text_of = text_of.replace('id = "russia"\nreservation', f'id = "{party}"\nreservation')
    (tmp_path / "scenario.toml").write_text(text_of, encoding="utf-8")
    (tmp_path / "polls.csv").write_text((FIXTURES / "valid" / "polls.csv").read_text(encoding="utf-8"))
    store = Store.open(open_database(database_url), tmp_path)
    consultation = store.open_consultation(store.add_organiser("o@example.org", PASSWORD), "long")
    assert ratifier in store.societies(consultation)
    assert store.consultations(1) == [(consultation, "long", long_title)]
    store.invite_negotiator(consultation, party)


def test_organiser_passwords(store):
    organiser = store.add_organiser("a@example.org", PASSWORD)
    assert store.check_organiser("A@example.org ", PASSWORD) == organiser
    assert store.check_organiser("a@example.org", "wrong password!") is None
    assert store.check_organiser("nobody@example.org", PASSWORD) is None
    with store.sessions() as session:
        stored = session.execute(text("SELECT password_hash FROM organisers")).scalar()
    assert stored.startswith("$argon2") and PASSWORD not in stored
    with pytest.raises(ConsultError, match="exists"):
        store.add_organiser("a@example.org", PASSWORD)
    with pytest.raises(ConsultError, match="shorter than 12"):
        store.add_organiser("b@example.org", "short")
    with pytest.raises(ConsultError, match=r"'b at example\.org' is not an e-mail address"):
        store.add_organiser("b at example.org", PASSWORD)


def test_a_consultation_reaches_every_public_in_its_language(opened):
    store, consultation = opened
    with store.sessions() as session:
        rows = session.execute(text("SELECT ratifier, party, language FROM societies ORDER BY id")).all()
    assert rows == [
        ("russian_public", "russia", "ru"),
        ("island_residents", "russia", "en"),
        ("japanese_public", "japan", "ja"),
    ]
    assert len(proposals(store, consultation)) == len(store.scenario.proposals)
    with pytest.raises(ConsultError, match="exists"):
        store.open_consultation(1, "kuril-2026")
    with pytest.raises(ConsultError) as caught:
        store.open_consultation(1, "other", languages={"martians": "en", "japanese_public": "fr"})
    assert len(caught.value.problems) == 2


def test_a_short_name_longer_than_the_form_allows_is_refused_plainly(opened):
    store, _ = opened
    store.open_consultation(1, "s" * 64)
    with pytest.raises(ConsultError, match="65 characters long") as caught:
        store.open_consultation(1, "s" * 65)
    assert caught.value.problems[0].fix == "keep short names to 64 characters"


def test_invitations_are_single_use_and_stored_hashed(opened):
    store, consultation = opened
    society = societies(store, consultation)["russian_public"]
    tokens = store.invite(society, 3)
    joined = store.join_with_token(tokens[0])
    assert joined.society_id == society
    assert store.join_with_token(tokens[0]) is None
    assert store.join_with_token("guess") is None
    assert store.participant(joined.secret).id == joined.participant_id
    with store.sessions() as session:
        stored = " ".join(session.execute(text("SELECT token_hash FROM invitations")).scalars())
    assert not any(t in stored for t in tokens)


def test_a_negotiator_invitation_is_single_use(opened):
    store, consultation = opened
    token = store.invite_negotiator(consultation, "japan")
    secret = store.join_negotiator(token)
    assert secret is not None
    assert store.join_negotiator(token) is None
    assert store.join_negotiator("guess") is None
    assert store.negotiator(secret)[1:] == (consultation, "japan")
    with pytest.raises(ConsultError, match="no party 'mars' in the scenario"):
        store.invite_negotiator(consultation, "mars")


def test_one_token_used_at_once_admits_one_participant(opened):
    store, consultation = opened
    token = store.invite(societies(store, consultation)["japanese_public"], 1)[0]
    results = []
    threads = [threading.Thread(target=lambda: results.append(store.join_with_token(token))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r is not None for r in results) == 1
    with store.sessions() as session:
        assert session.execute(text("SELECT count(*) FROM participants")).scalar() == 1


def test_allow_list_admits_each_id_once(opened):
    store, consultation = opened
    society = societies(store, consultation)["japanese_public"]
    store.allow(society, ["jp-001", "jp-002", "jp-001"])
    assert store.join_with_external_id(society, "jp-001") is not None
    assert store.join_with_external_id(society, "jp-001") is None
    assert store.join_with_external_id(society, "jp-999") is None
    other = societies(store, consultation)["russian_public"]
    assert store.join_with_external_id(other, "jp-002") is None


def test_a_changed_vote_replaces_the_earlier_one_and_history_is_kept(opened):
    store, consultation = opened
    society = societies(store, consultation)["russian_public"]
    person = store.join_with_token(store.invite(society, 1)[0]).participant_id
    first = proposals(store, consultation)[0]
    store.vote(person, first, 1)
    store.vote(person, first, -1)
    with store.sessions() as session:
        assert session.scalars(select(Vote.value)).all() == [-1]
        assert session.scalars(select(VoteEvent.value).order_by(VoteEvent.id)).all() == [1, -1]
    with pytest.raises(ConsultError, match="not -1, 0 or 1"):
        store.vote(person, first, 2)
    with store.sessions() as session, pytest.raises(IntegrityError):
        session.execute(
            text(
                f"INSERT INTO votes (proposal_id, participant_id, value, updated_at) VALUES ({first}, {person}, 5, '2026-01-01')"
            )
        )


def test_concurrent_duplicate_votes_count_once(opened):
    store, consultation = opened
    society = societies(store, consultation)["japanese_public"]
    person = store.join_with_token(store.invite(society, 1)[0]).participant_id
    first = proposals(store, consultation)[0]
    threads = [threading.Thread(target=store.vote, args=(person, first, 1)) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    table = store.results(consultation)
    row = table[(table["proposal_id"] == first) & (table["society"] == "japanese_public")].iloc[0]
    assert row["agree"] == 1 and row["votes"] == 1


def test_participants_vote_only_in_their_consultation(store):
    organiser = store.add_organiser("o@example.org", PASSWORD)
    one = store.open_consultation(organiser, "one")
    two = store.open_consultation(organiser, "two")
    person = store.join_with_token(store.invite(societies(store, one)["russian_public"], 1)[0]).participant_id
    with pytest.raises(ConsultError, match="no such proposal in your consultation"):
        store.vote(person, proposals(store, two)[0], 1)


def test_results_support_intervals_and_consensus(opened):
    store, consultation = opened
    ids = societies(store, consultation)
    board = proposals(store, consultation)
    rng = np.random.default_rng(0)
    for ratifier, agree_share in (("russian_public", 0.2), ("japanese_public", 0.7)):
        for token in store.invite(ids[ratifier], 40):
            person = store.join_with_token(token).participant_id
            for proposal in board[:3]:
                store.vote(person, proposal, int(rng.choice([1, -1, 0], p=[agree_share, 1 - agree_share - 0.1, 0.1])))
    table = store.results(consultation)
    row = table[(table["proposal_id"] == board[0]) & (table["society"] == "russian_public")].iloc[0]
    assert row["support"] == row["agree"] / row["votes"] and row["votes"] == 40
    assert (row["lower"], row["upper"]) == pytest.approx(wilson(row["agree"], 40))
    assert row["lower"] < row["support"] < row["upper"]
    silent = table[(table["proposal_id"] == board[0]) & (table["society"] == "island_residents")].iloc[0]
    assert silent["votes"] == 0 and np.isnan(silent["support"])
    conversation = store.conversation(consultation)
    matrix = conversation.latest()
    expected = group_informed_consensus(matrix.to_numpy(), conversation.groups.reindex(matrix.index).to_numpy())
    by_proposal = table.drop_duplicates("proposal_id").set_index("proposal_id")["consensus"]
    np.testing.assert_allclose(by_proposal.reindex(matrix.columns), expected)


def test_votes_export_in_polis_format(opened, tmp_path):
    store, consultation = opened
    society = societies(store, consultation)["russian_public"]
    board = proposals(store, consultation)
    people = [store.join_with_token(t).participant_id for t in store.invite(society, 3)]
    store.vote(people[0], board[0], 1)
    store.vote(people[0], board[0], 0)
    store.vote(people[1], board[1], -1)
    write_export(store.conversation(consultation), tmp_path)
    again = read_export(tmp_path)
    latest = again.latest()
    assert latest.loc[people[0], board[0]] == 0 and latest.loc[people[1], board[1]] == -1
    assert len(again.votes) == 3  # the history, not only the latest votes


def test_survey_tasks_answers_and_export(opened):
    store, consultation = opened
    society = societies(store, consultation)["russian_public"]
    person = store.join_with_token(store.invite(society, 1)[0]).participant_id
    shown = store.tasks(person)
    assert [(t.task, t.profile) for t in shown] == [(1, 1), (1, 2), (2, 1), (2, 2), (3, 1), (3, 2)]
    assert [t.package for t in store.tasks(person)] == [t.package for t in shown]  # drawn once
    store.answer(person, 1, 1, True)
    store.answer(person, 1, 1, False)
    store.answer(person, 2, 2, True)
    with pytest.raises(ConsultError, match="was not shown to you"):
        store.answer(person, 9, 1, True)
    frame = store.survey_data(society)
    assert list(frame["support"]) == [0, 1] and list(frame["task"]) == [1, 2]
    space = store.scenario.space
    assert frame.iloc[0][list(space.issue_ids)].tolist() == list(space.ids_of(space.parse(shown[0].package)).values())


def test_a_repeated_task_is_shown_last_with_its_agreements_swapped_and_exported_as_such(store):
    organiser = store.add_organiser("Repeat@example.org", PASSWORD)
    consultation = store.open_consultation(organiser, "repeat", survey=SurveyDesign(3, 2, repeat=2))
    society = societies(store, consultation)["russian_public"]
    person = store.join_with_token(store.invite(society, 1)[0]).participant_id
    shown = {(t.task, t.profile): t.package for t in store.tasks(person)}
    assert sorted(shown) == [(t, p) for t in (1, 2, 3, 4) for p in (1, 2)]
    assert (shown[4, 1], shown[4, 2]) == (shown[2, 2], shown[2, 1])
    for task in (1, 2, 3, 4):
        store.answer(person, task, 1, True)
        store.answer(person, task, 2, False)
    frame = store.survey_data(society)
    assert frame.loc[frame["task"] == 4, "repeats"].tolist() == [2, 2]
    assert frame.loc[frame["task"] < 4, "repeats"].isna().all()


def test_an_id_with_no_row_is_refused_plainly(opened):
    store, _ = opened
    with pytest.raises(ConsultError, match="consultation 999: no such consultation"):
        store.results(999)
    with pytest.raises(ConsultError, match="participant 999: no such participant"):
        store.ballot(999)
    with pytest.raises(ConsultError, match="society 999: no such society"):
        store.survey_data(999)


def test_a_changed_scenario_file_is_refused(opened, tmp_path):
    store, consultation = opened
    other = Store(store.sessions, store.scenario, store.scenario_text + "\n# edited\n")
    with pytest.raises(ConsultError, match="another version of the scenario"):
        other.space_of(consultation)


def test_the_readme_example_runs(tmp_path, monkeypatch):
    from ..conftest import REPO, need_shared

    polis = need_shared("data", "polis", "bg2050-volunteers")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index("Consultations (`pip install") :]
    block = block[block.index("```python\n") + len("```python\n") :]
    block = block[: block.index("```")].replace('"bg2050-volunteers"', repr(str(polis)))
    monkeypatch.chdir(tmp_path)
    exec(compile(block, "README.md", "exec"), {})  # noqa: S102 (the README's own example, run as a reader would)
    assert (tmp_path / "survey_ru.csv").exists() and (tmp_path / "export" / "votes.csv").exists()


def test_a_polis_import_reproduces_polis_consensus(store):
    """bg2050-volunteers imported with its two opinion groups as two societies: the consultation's
    consensus for every statement equals the column Polis published."""
    from ..conftest import need_shared

    folder = need_shared("data", "polis", "bg2050-volunteers")
    organiser = store.add_organiser("o@example.org", PASSWORD)
    consultation = store.open_consultation(organiser, "bg2050", board=False)
    imported = store.import_polis(consultation, folder, {0: "russian_public", 1: "japanese_public"})
    assert imported == 108  # 100 + 8 clustered participants; the 18 in no group are left out
    published = read_export(folder).comments.set_index("comment-body")["group-informed-consensus"]
    table = store.results(consultation).drop_duplicates("proposal_id").set_index("proposal")
    assert len(table) == 371
    np.testing.assert_allclose(table["consensus"].reindex(published.index), published, rtol=0, atol=1e-12)
    with pytest.raises(ConsultError, match="no society of ratifier"):
        store.import_polis(consultation, folder, {0: "martians"})

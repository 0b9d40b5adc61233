"""The consultation site through HTTP: joining, voting, the survey, organisers' pages, exports, and
the protections (CSRF, rate limit, sessions, headers, logs)."""

import io
import logging
import re
import zipfile

import pytest
from fastapi.testclient import TestClient

from winset.consult import read_export
from winset.consult.database import open_database
from winset.consult.store import Store
from winset.consult.tasks import SurveyDesign
from winset.consult.web import create_app
from winset.consult.web.security import GUESSES, HEADERS

PASSWORD = "correct horse battery"


@pytest.fixture
def site(database_url):
    store = Store.open(open_database(database_url), "kuril")
    organiser = store.add_organiser("mediator@example.org", PASSWORD)
    consultation = store.open_consultation(
        organiser, "kuril", languages={"russian_public": "ru", "japanese_public": "ja"}, survey=SurveyDesign(2, 2)
    )
    return store, consultation, create_app(store, secret_key=b"k" * 32)


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def joined(client: TestClient, token: str):
    page = client.get(f"/join/{token}")
    return client.post("/join", data={"token": token, "csrf": csrf_of(page.text)}, follow_redirects=False)


def participant(site, ratifier="russian_public"):
    store, consultation, app = site
    client = TestClient(app)
    token = store.invite(store.societies(consultation)[ratifier], 1)[0]
    assert joined(client, token).status_code == 303
    return client


def organiser(site, email="mediator@example.org"):
    _, _, app = site
    client = TestClient(app)
    page = client.get("/organiser/login")
    answer = client.post(
        "/organiser/login",
        data={"email": email, "password": PASSWORD, "csrf": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/organiser"
    return client


def test_a_participant_joins_and_votes_in_their_language(site):
    store, consultation, _ = site
    client = participant(site, "russian_public")
    board = client.get("/board")
    assert board.status_code == 200 and "Предложения" in board.text
    assert store.scenario.option_text("habomai", "japan", "ru") in board.text
    first = next(iter(store.proposals(consultation)))
    answer = client.post(f"/board/{first}", data={"vote": "agree", "csrf": csrf_of(board.text)}, follow_redirects=False)
    assert answer.status_code == 303
    results = store.results(consultation)
    row = results[(results["proposal_id"] == first) & (results["society"] == "russian_public")].iloc[0]
    assert row["agree"] == 1
    again = client.get("/board?saved=1")
    assert "Ваш голос сохранён." in again.text and 'data-vote="1"' in again.text


def test_the_join_page_follows_the_browsers_language(site):
    client = TestClient(site[2])
    assert "招待コード" in client.get("/", headers={"Accept-Language": "ja-JP,ja;q=0.9,en;q=0.8"}).text
    assert "Код приглашения" in client.get("/join/x", headers={"Accept-Language": "fr-FR, ru;q=0.5"}).text
    assert "Invitation code" in client.get("/", headers={"Accept-Language": "de"}).text


def test_a_japanese_participant_sees_japanese(site):
    store, _, _ = site
    client = participant(site, "japanese_public")
    board = client.get("/board").text
    assert "提案" in board
    assert store.scenario.text(store.scenario.proposals[0], "ja") in board  # the proposal's own label


def test_every_form_needs_its_csrf_token(site):
    store, consultation, app = site
    client = participant(site)
    first = next(iter(store.proposals(consultation)))
    assert client.post(f"/board/{first}", data={"vote": "agree"}).status_code == 403
    assert client.post(f"/board/{first}", data={"vote": "agree", "csrf": "forged"}).status_code == 403
    stranger = TestClient(app)
    token = store.invite(store.societies(consultation)["russian_public"], 1)[0]
    assert stranger.post("/join", data={"token": token}).status_code == 403
    assert store.join_with_token(token) is not None  # the refused form did not use the invitation


def test_a_token_works_once(site):
    store, consultation, app = site
    token = store.invite(store.societies(consultation)["russian_public"], 1)[0]
    assert joined(TestClient(app), token).status_code == 303
    assert joined(TestClient(app), token).status_code == 400


def test_token_guessing_is_rate_limited(site):
    store, consultation, app = site
    client = TestClient(app)
    csrf = csrf_of(client.get("/").text)
    for _ in range(GUESSES):
        assert client.post("/join", data={"token": "guess", "csrf": csrf}).status_code == 400
    token = store.invite(store.societies(consultation)["russian_public"], 1)[0]
    assert client.post("/join", data={"token": token, "csrf": csrf}).status_code == 429


def test_participants_cannot_open_organiser_pages(site):
    _, consultation, _ = site
    client = participant(site)
    for path in (
        "/organiser",
        f"/organiser/consultations/{consultation}",
        f"/organiser/consultations/{consultation}/polis.zip",
    ):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/organiser/login"
    assert client.get(f"/api/consultations/{consultation}/results").status_code == 401


def test_strangers_cannot_vote(site):
    _, _, app = site
    client = TestClient(app)
    assert client.get("/board").status_code == 401
    assert client.post("/api/votes", json={"proposal_id": 1, "value": 1}).status_code == 401


def test_organisers_see_only_their_consultations(site):
    store, consultation, _ = site
    store.add_organiser("other@example.org", PASSWORD)
    client = organiser(site, "other@example.org")
    assert client.get(f"/organiser/consultations/{consultation}").status_code == 404
    assert client.get(f"/api/consultations/{consultation}/results").status_code == 404


def test_wrong_passwords_are_refused_and_limited(site):
    client = TestClient(site[2])
    csrf = csrf_of(client.get("/organiser/login").text)
    for _ in range(GUESSES):
        answer = client.post(
            "/organiser/login", data={"email": "mediator@example.org", "password": "wrong", "csrf": csrf}
        )
        assert answer.status_code == 400
    answer = client.post("/organiser/login", data={"email": "mediator@example.org", "password": PASSWORD, "csrf": csrf})
    assert answer.status_code == 429


def test_organiser_opens_invites_and_sees_support(site):
    store, _, _ = site
    client = organiser(site)
    dashboard = client.get("/organiser")
    opened = client.post(
        "/organiser/consultations",
        data={
            "slug": "second",
            "tasks": "3",
            "profiles": "2",
            "board": "on",
            "language_russian_public": "ru",
            "csrf": csrf_of(dashboard.text),
        },
        follow_redirects=False,
    )
    assert opened.status_code == 303
    consultation = int(opened.headers["location"].rsplit("/", 1)[1])
    page = client.get(f"/organiser/consultations/{consultation}")
    society = store.societies(consultation)["russian_public"]
    links = client.post(
        f"/organiser/consultations/{consultation}/societies/{society}/invitations",
        data={"count": "3", "csrf": csrf_of(page.text)},
    )
    tokens = re.findall(r"/join/([A-Za-z0-9_-]+)", links.text)
    assert len(tokens) == 3
    voter = TestClient(site[2])
    assert joined(voter, tokens[0]).status_code == 303
    first = next(iter(store.proposals(consultation)))
    voter.post(f"/board/{first}", data={"vote": "agree", "csrf": csrf_of(voter.get("/board").text)})
    results = client.get(f"/organiser/consultations/{consultation}").text
    row_of = rf'<tr data-proposal="{first}" data-society="russian_public">(.*?)</tr>'
    row = re.search(row_of, results, re.DOTALL).group(1)
    assert '<td class="num support">100.0%</td>' in row
    api = client.get(f"/api/consultations/{consultation}/results").json()
    assert any(r["proposal_id"] == first and r["society"] == "russian_public" and r["agree"] == 1 for r in api)


def test_exports(site, tmp_path):
    store, consultation, _ = site
    voter = participant(site)
    first = next(iter(store.proposals(consultation)))
    voter.post(f"/board/{first}", data={"vote": "disagree", "csrf": csrf_of(voter.get("/board").text)})
    client = organiser(site)
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/organiser/consultations/{consultation}/polis.zip").content))
    assert sorted(archive.namelist()) == ["README.txt", "comments.csv", "participants-votes.csv", "votes.csv"]
    archive.extractall(tmp_path)
    assert read_export(tmp_path).latest()[first].dropna().tolist() == [-1.0]
    society = store.societies(consultation)["russian_public"]
    csv = client.get(f"/organiser/consultations/{consultation}/societies/{society}/survey.csv")
    assert csv.status_code == 200 and csv.text.startswith("respondent,task,profile,habomai")


def test_the_survey_from_first_question_to_last(site):
    store, consultation, _ = site
    client = participant(site)
    page = client.get("/survey")
    assert "Вопрос 1 из 2" in page.text
    refused = client.post("/survey/1", data={"profile1": "1", "csrf": csrf_of(page.text)})
    assert refused.status_code == 400  # every profile needs an answer
    client.post("/survey/1", data={"profile1": "1", "profile2": "0", "csrf": csrf_of(page.text)})
    page = client.get("/survey")
    assert "Вопрос 2 из 2" in page.text
    client.post("/survey/2", data={"profile1": "0", "profile2": "0", "csrf": csrf_of(page.text)})
    assert "Спасибо" in client.get("/survey").text
    frame = store.survey_data(store.societies(consultation)["russian_public"])
    assert frame["support"].tolist() == [1, 0, 0, 0]


def test_api_votes(site):
    store, consultation, _ = site
    client = participant(site)
    first = next(iter(store.proposals(consultation)))
    assert client.post("/api/votes", json={"proposal_id": first, "value": -1}).json() == {"ok": True}
    assert client.post("/api/votes", json={"proposal_id": first, "value": 3}).status_code == 400
    assert client.post("/api/votes", json={"proposal_id": 999, "value": 1}).status_code == 400


def test_security_headers_everywhere(site):
    client = TestClient(site[2])
    for path in ("/", "/organiser/login", "/api/health", "/board"):
        answer = client.get(path, follow_redirects=False)
        for name, value in HEADERS.items():
            assert answer.headers[name] == value


def test_logs_carry_no_personal_data(site, caplog):
    store, consultation, app = site
    token = store.invite(store.societies(consultation)["russian_public"], 1)[0]
    with caplog.at_level(logging.INFO, logger="winset.consult"):
        client = TestClient(app)
        joined(client, token)
        organiser(site)
    text = caplog.text
    assert "/join/{token}" in text and token not in text
    assert "mediator@example.org" not in text and PASSWORD not in text


def test_a_negotiator_posts_for_their_own_party_only(site):
    store, consultation, app = site
    client = organiser(site)
    page = client.get(f"/organiser/consultations/{consultation}")
    links = client.post(
        f"/organiser/consultations/{consultation}/negotiators", data={"party": "japan", "csrf": csrf_of(page.text)}
    )
    token = re.search(r"/negotiate/([A-Za-z0-9_-]+)", links.text).group(1)
    negotiator = TestClient(app)
    form = negotiator.get(f"/negotiate/{token}")
    answer = negotiator.post("/negotiate", data={"token": token, "csrf": csrf_of(form.text)}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/negotiator"
    again = TestClient(app)  # a second browser with its own CSRF token: only the used invitation can refuse it
    form_again = again.get(f"/negotiate/{token}")
    reused = again.post("/negotiate", data={"token": token, "csrf": csrf_of(form_again.text)}, follow_redirects=False)
    assert reused.status_code == 400 and "This invitation is not valid or has been used." in reused.text
    assert "winset_negotiator" not in reused.headers.get("set-cookie", "")
    assert again.get("/negotiator").status_code == 401
    board = negotiator.get("/negotiator")
    assert "Negotiator for <b>Japan</b>" in board.text
    posted = negotiator.post(
        "/negotiator/proposals",
        data={
            "title": "Two islands and a fund",
            "package": "habomai=japan,shikotan=japan,treaty=signed,economy=special_regime",
            "csrf": csrf_of(board.text),
        },
        follow_redirects=False,
    )
    assert posted.status_code == 303
    with store.sessions() as session:
        from winset.consult.models import Proposal

        mine = session.query(Proposal).filter_by(title="Two islands and a fund").one()
    assert mine.party == "japan" and mine.package == "habomai=japan,shikotan=japan,treaty=signed,economy=special_regime"
    bad = negotiator.post(
        "/negotiator/proposals", data={"title": "x", "package": "habomai=atlantis", "csrf": csrf_of(board.text)}
    )
    assert bad.status_code == 400
    assert negotiator.post("/negotiator/proposals", data={"title": "x", "package": "treaty=signed"}).status_code == 403
    assert participant(site).get("/negotiator").status_code == 401


def test_an_organiser_imports_a_polis_export(site):
    from ..conftest import need_shared

    folder = need_shared("data", "polis", "brexit-consensus")
    store, consultation, _ = site
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        for name in ("comments.csv", "votes.csv", "participants-votes.csv"):
            zipped.write(folder / name, f"brexit-consensus/{name}")
    client = organiser(site)
    page = client.get(f"/organiser/consultations/{consultation}")
    before = len(store.proposals(consultation))
    answer = client.post(
        f"/organiser/consultations/{consultation}/polis",
        data={"groups": "0=russian_public, 1=japanese_public", "csrf": csrf_of(page.text)},
        files={"export": ("brexit.zip", archive.getvalue(), "application/zip")},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    assert len(store.proposals(consultation)) == before + 50
    conversation = read_export(folder)
    expected = conversation.consensus()
    table = store.results(consultation).drop_duplicates("proposal_id").set_index("proposal")
    bodies = conversation.comments.set_index("comment-id")["comment-body"]
    assert table["consensus"].reindex(bodies.reindex(expected.index)).to_numpy() == pytest.approx(expected.to_numpy())
    for groups, message in [("zero=russian_public", "is not group=ratifier"), ("0=martians", "no society of ratifier")]:
        refused = client.post(
            f"/organiser/consultations/{consultation}/polis",
            data={"groups": groups, "csrf": csrf_of(page.text)},
            files={"export": ("brexit.zip", archive.getvalue(), "application/zip")},
        )
        assert refused.status_code == 400 and message in refused.text
    junk = client.post(
        f"/organiser/consultations/{consultation}/polis",
        data={"groups": "0=russian_public", "csrf": csrf_of(page.text)},
        files={"export": ("x.zip", b"not a zip", "application/zip")},
    )
    assert junk.status_code == 400 and "not a zip" in junk.text


def test_a_zip_as_polis_exports_it_today_is_imported(site):
    """Polis's own export names the participants' table participant-votes.csv."""
    store, consultation, _ = site
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("export/comments.csv", "comment-id,author-id,moderated,comment-body\n0,0,1,Keep the ferry\n")
        zipped.writestr("export/votes.csv", "timestamp,comment-id,voter-id,vote\n1700000000,0,0,1\n")
        zipped.writestr("export/participant-votes.csv", "participant,group-id,0\n0,0,1\n")
    client = organiser(site)
    page = client.get(f"/organiser/consultations/{consultation}")
    answer = client.post(
        f"/organiser/consultations/{consultation}/polis",
        data={"groups": "0=russian_public", "csrf": csrf_of(page.text)},
        files={"export": ("polis.zip", archive.getvalue(), "application/zip")},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    assert list(store.proposals(consultation).values())[-1] == "Keep the ferry"


def test_allow_listed_people_join_with_their_id_once(site):
    store, consultation, app = site
    society = store.societies(consultation)["japanese_public"]
    store.allow(society, ["panel-0042"])
    client = TestClient(app)
    page = client.get(f"/societies/{society}/join")
    answer = client.post(
        "/join",
        data={"society": str(society), "token": "panel-0042", "csrf": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert "提案" in client.get("/board").text
    again = TestClient(app)
    page = again.get(f"/societies/{society}/join")
    assert (
        again.post(
            "/join", data={"society": str(society), "token": "panel-0042", "csrf": csrf_of(page.text)}
        ).status_code
        == 400
    )
    other = store.societies(consultation)["russian_public"]
    assert (
        again.post("/join", data={"society": str(other), "token": "panel-0042", "csrf": csrf_of(page.text)}).status_code
        == 400
    )


LOGIN = (303, "/organiser/login")  # an organiser page's answer to a visitor who is not logged in as one
# every POST page route: what the organiser, a participant and a negotiator get for a form without
# its CSRF token (the one whose session the route wants is refused for the token, 403; the others
# for their session, before the token is looked at)
REFUSED_WITHOUT_TOKEN = {
    "/join": ((403, None), (403, None), (403, None)),
    "/board/{proposal_id}": ((401, None), (403, None), (401, None)),
    "/survey/{task}": ((401, None), (403, None), (401, None)),
    "/organiser/login": ((403, None), (403, None), (403, None)),
    "/organiser/logout": ((403, None), (403, None), (403, None)),
    "/organiser/consultations": ((403, None), LOGIN, LOGIN),
    "/organiser/consultations/{consultation_id}/societies/{society_id}/invitations": ((403, None), LOGIN, LOGIN),
    "/organiser/consultations/{consultation_id}/societies/{society_id}/allow": ((403, None), LOGIN, LOGIN),
    "/organiser/consultations/{consultation_id}/proposals": ((403, None), LOGIN, LOGIN),
    "/organiser/consultations/{consultation_id}/polis": ((403, None), LOGIN, LOGIN),
    "/organiser/consultations/{consultation_id}/negotiators": ((403, None), LOGIN, LOGIN),
    "/negotiate": ((403, None), (403, None), (403, None)),
    "/negotiator/proposals": ((401, None), (401, None), (403, None)),
    "/logout": ((403, None), (403, None), (403, None)),
    "/negotiator/logout": ((403, None), (403, None), (403, None)),
}


def test_every_post_route_refuses_a_form_without_its_token(site):
    """CSRF on every form: each POST page route, given everything but the token, answers 403 to the
    visitor whose session it wants, and refuses the others for their session."""
    store, consultation, app = site
    client = organiser(site)  # signed in, so only the missing token can be the reason
    voter = participant(site)
    negotiator = TestClient(app)
    token = store.invite_negotiator(consultation, "russia")
    negotiator.post("/negotiate", data={"token": token, "csrf": csrf_of(negotiator.get(f"/negotiate/{token}").text)})
    assert negotiator.get("/negotiator").status_code == 200
    society = store.societies(consultation)["russian_public"]
    first = next(iter(store.proposals(consultation)))
    routes = [path for path, operations in app.openapi()["paths"].items() if "post" in operations]
    routes = [path for path in routes if not path.startswith("/api/")]
    assert sorted(routes) == sorted(REFUSED_WITHOUT_TOKEN)  # a new POST route belongs in the table
    filled = {
        "{consultation_id}": str(consultation),
        "{society_id}": str(society),
        "{proposal_id}": str(first),
        "{task}": "1",
    }
    form = {"vote": "agree", "count": "1", "party": "japan", "token": "x", "title": "t", "package": "treaty=signed"}
    answers = {}
    for route in routes:
        path = route
        for key, value in filled.items():
            path = path.replace(key, value)
        refusals = [who.post(path, data=form, follow_redirects=False) for who in (client, voter, negotiator)]
        answers[route] = tuple((a.status_code, a.headers.get("location")) for a in refusals)
    assert answers == REFUSED_WITHOUT_TOKEN


def test_the_board_links_the_survey_without_drawing_its_questions(site):
    store, _, _ = site
    client = participant(site)
    assert 'href="/survey"' in client.get("/board").text
    with store.sessions() as session:
        from winset.consult.models import Task

        assert session.query(Task).count() == 0  # drawn when the survey is opened, not before
    client.get("/survey")
    with store.sessions() as session:
        assert session.query(Task).count() == 4

"""The site under attack: bodies over their limit refused before they are read, zip bombs
refused while they inflate, malformed values a 400 in the visitor's language, every error with
the security headers, exports a spreadsheet cannot run, and invitation links that ignore the
Host header."""

import io
import re
import time
import zipfile

import pytest
from fastapi.testclient import TestClient

from winset.consult import read_export
from winset.consult.cells import neutralised
from winset.consult.database import open_database
from winset.consult.store import Store
from winset.consult.tasks import SurveyDesign
from winset.consult.web import create_app, uploads
from winset.consult.web.guard import BODY_LIMIT, UPLOAD_LIMIT
from winset.consult.web.security import HEADERS

from .test_web import PASSWORD, csrf_of, organiser, participant

PUBLIC = "https://consult.example.org/kuril"


@pytest.fixture
def site(tmp_path):
    store = Store.open(open_database(f"sqlite:///{tmp_path / 'consult.db'}"), "kuril")
    owner = store.add_organiser("mediator@example.org", PASSWORD)
    consultation = store.open_consultation(
        owner, "kuril", languages={"russian_public": "ru", "japanese_public": "ja"}, survey=SurveyDesign(2, 2)
    )
    return store, consultation, create_app(store, secret_key=b"k" * 32, public_url=PUBLIC)


def session_of(site) -> str:
    """A participant's session secret."""
    store, consultation, _ = site
    return store.join_with_token(store.invite(store.societies(consultation)["russian_public"], 1)[0]).secret


def posted_raw(site, path, kind, length, receive) -> list[dict]:
    """The messages the site sends for a participant's POST to ``path`` whose body comes from
    ``receive`` (an ASGI receive), run in an event loop of its own (another test may leave one
    running in this thread) for 5 s at most."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"content-type", kind),
            (b"content-length", str(length).encode()),
            (b"cookie", f"winset_participant={session_of(site)}".encode()),
        ],
        "client": ("198.51.100.1", 5000),
        "server": ("testserver", 80),
    }
    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    async def call():
        await asyncio.wait_for(site[2](scope, receive, send), timeout=5)

    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, call()).result()
    return sent


def guarded(answer) -> bool:
    return all(answer.headers.get(name) == value for name, value in HEADERS.items())


# --------------------------------------------------------------------------------- bodies
def test_a_body_over_its_limit_is_refused_before_it_is_read(site):
    client = TestClient(site[2])
    big = b'{"proposal_id": 1, "value": 1, "padding": "' + b"a" * (BODY_LIMIT + 1) + b'"}'
    answer = client.post("/api/votes", content=big, headers={"content-type": "application/json"})
    assert answer.status_code == 413 and guarded(answer)
    form = client.post("/join", data={"token": "x" * (BODY_LIMIT + 10), "csrf": "c"})
    assert form.status_code == 413 and guarded(form)


def test_an_api_body_over_its_limit_is_refused_in_json(site):
    big = b"a" * (BODY_LIMIT + 1)
    answer = TestClient(site[2]).post("/api/votes", content=big, headers={"content-type": "application/json"})
    assert answer.status_code == 413 and "KB at most" in answer.json()["detail"] and guarded(answer)


@pytest.mark.parametrize(
    "fields",
    [{"value": True}, {"value": False}, {"value": "1"}, {"value": 1.0}, {"value": " -1 "}, {"proposal_id": True}],
    ids=["true", "false", "text", "float", "spaced text", "true id"],
)
def test_a_vote_that_is_not_json_integers_is_refused(site, fields):
    store, consultation, _ = site
    voter = participant(site)
    first = next(iter(store.proposals(consultation)))
    answer = voter.post("/api/votes", json={"proposal_id": first, "value": 1} | fields)
    assert answer.status_code == 400 and answer.json()["detail"].startswith("invalid value")
    results = store.results(consultation)
    assert results["votes"].sum() == 0


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b'{"proposal_id": 1, "value": 1', "application/json"),
        (b"\xff\xfe", "application/json"),
        (b"[1, 1]", "application/json"),
        (b'{"proposal_id": 1, "value": 1}', "text/plain"),
        (b'{"proposal_id": 1, "value": 1}', "text/x+json"),
        (b'{"proposal_id": 1, "value": 1}', "+json"),
        (b'{"proposal_id": 1, "value": 1}', None),
        ('{"proposal_id": 1, "value": 1}'.encode("utf-16"), "application/json"),
        (b"", "application/json"),
    ],
    ids=["cut short", "not UTF-8", "a list", "text", "text+json", "+json", "no content type", "UTF-16", "empty"],
)
def test_a_vote_body_that_is_not_a_json_vote_is_a_400(site, body, kind):
    store, consultation, _ = site
    voter = participant(site)
    body = body.replace(b'"proposal_id": 1', b'"proposal_id": %d' % next(iter(store.proposals(consultation))))
    answer = voter.post("/api/votes", content=body, headers={"content-type": kind} if kind else {})
    assert answer.status_code == 400 and answer.json()["detail"].startswith("invalid value") and guarded(answer)
    assert store.results(consultation)["votes"].sum() == 0


@pytest.mark.parametrize(
    ("kind", "start"),
    [
        ("Application/JSON; charset=utf-8", b""),
        ("application/vnd.winset+json", b""),
        ("application/json", b"\xef\xbb\xbf"),
    ],
    ids=["parameters", "a +json type", "a byte order mark"],
)
def test_a_vote_in_json_counts_whatever_its_media_type_parameters(site, kind, start):
    store, consultation, _ = site
    first = next(iter(store.proposals(consultation)))
    answer = participant(site).post(
        "/api/votes", content=start + b'{"proposal_id": %d, "value": 1}' % first, headers={"content-type": kind}
    )
    assert answer.json() == {"ok": True} and store.results(consultation)["votes"].sum() == 1


def test_a_vote_that_is_not_json_says_the_body_is_the_problem(site):
    answer = participant(site).post("/api/votes", content=b"{", headers={"content-type": "application/json"})
    assert answer.status_code == 400 and answer.json() == {"detail": "invalid value: body"}


def test_a_client_that_goes_away_while_sending_its_vote_is_no_error_of_the_site(site, caplog):
    messages = iter(
        [{"type": "http.request", "body": b'{"proposal_id"', "more_body": True}, {"type": "http.disconnect"}]
    )

    async def receive():
        return next(messages)

    with caplog.at_level("INFO", logger="winset.consult"):
        sent = posted_raw(site, "/api/votes", b"application/json", 30, receive)
    assert [m["status"] for m in sent if m["type"] == "http.response.start"] == [400]
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


def test_an_anonymous_vote_is_refused_before_its_body_is_read(site):
    answer = TestClient(site[2]).post("/api/votes", content=b"not json", headers={"content-type": "text/plain"})
    assert answer.status_code == 401 and guarded(answer)


def test_a_body_without_a_length_is_counted_as_it_streams(site):
    client = participant(site)  # the vote route reads the body of a participant only

    def chunks():
        for _ in range(BODY_LIMIT // 1024 + 2):
            yield b"a" * 1024

    answer = client.post("/api/votes", content=chunks(), headers={"content-type": "application/json"})
    assert answer.status_code == 413 and guarded(answer)


@pytest.mark.parametrize("path", ["/join", "/api/votes"])
def test_a_body_that_does_not_arrive_in_time_is_a_408(site, monkeypatch, path):
    """A client that sends the start of a body and then nothing (or a byte now and then) holds
    the route for BODY_SECONDS at most; it then gets 408, with the headers, and the site goes on."""
    import asyncio

    from winset.consult.web import guard

    monkeypatch.setattr(guard, "BODY_SECONDS", 0.3)
    asked = []

    async def trickle():
        asked.append(1)
        if len(asked) > 1:
            await asyncio.sleep(0.1)  # a byte now and then, never the whole body
        return {"type": "http.request", "body": b"token=" if len(asked) == 1 else b"a", "more_body": True}

    started = time.monotonic()
    kind = b"application/json" if path.startswith("/api/") else b"application/x-www-form-urlencoded"
    sent = posted_raw(site, path, kind, 1000, trickle)  # a participant's: the vote route reads only theirs
    assert time.monotonic() - started < 3
    start = next(m for m in sent if m["type"] == "http.response.start")
    headers = {k.decode(): v.decode() for k, v in start["headers"]}
    assert start["status"] == 408 and all(headers.get(k.lower()) == v for k, v in HEADERS.items())


def test_an_upload_over_its_limit_is_refused(site):
    _, consultation, _ = site
    client = organiser(site)
    page = client.get(f"/organiser/consultations/{consultation}")
    answer = client.post(
        f"/organiser/consultations/{consultation}/polis",
        data={"groups": "0=russian_public", "csrf": csrf_of(page.text)},
        files={"export": ("big.zip", b"0" * (UPLOAD_LIMIT + 1), "application/zip")},
    )
    assert answer.status_code == 413 and guarded(answer)


def zipped(**files: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, body in files.items():
            archive.writestr(f"export/{name}", body)
    return buffer.getvalue()


def polis_post(site, body: bytes):
    _, consultation, _ = site
    client = organiser(site)
    page = client.get(f"/organiser/consultations/{consultation}")
    return client.post(
        f"/organiser/consultations/{consultation}/polis",
        data={"groups": "0=russian_public", "csrf": csrf_of(page.text)},
        files={"export": ("export.zip", body, "application/zip")},
    )


def test_a_zip_bomb_is_refused_while_it_inflates(site, monkeypatch):
    bomb = zipped(**{"comments.csv": b"comment-id,comment-body\n" + b"0" * 30_000_000})  # 30 MB in about 30 KB
    assert len(bomb) < 100_000
    answer = polis_post(site, bomb)
    assert answer.status_code == 413 and "times its compressed size" in answer.text and guarded(answer)
    # sizes the archive states may lie: what inflates is counted as it is written
    monkeypatch.setattr(uploads, "MAX_RATIO", 10**9)
    monkeypatch.setattr(uploads, "MAX_INFLATED", 1_000_000)
    assert polis_post(site, bomb).status_code == 413
    monkeypatch.setattr(uploads, "MAX_INFLATED", 10**9)
    monkeypatch.setattr(uploads, "MAX_LINES", 10)
    many = zipped(**{"comments.csv": b"comment-id,comment-body\n" + b"".join(b"%d,x\n" % i for i in range(50))})
    assert polis_post(site, many).status_code == 413
    assert polis_post(site, b"not a zip").status_code == 400


def test_the_archives_stated_sizes_are_not_trusted(site, monkeypatch, tmp_path):
    """A member whose header claims a small size is still stopped at the limit as it inflates."""
    body = b"comment-id,comment-body\n" + b"1,x\n" * 400_000
    monkeypatch.setattr(uploads, "MAX_INFLATED", 500_000)
    monkeypatch.setattr(uploads, "MAX_RATIO", 10**9)
    real = zipfile.ZipFile(io.BytesIO(zipped(**{"comments.csv": body})))
    info = real.infolist()[0]
    info.file_size = 100  # the lie the check before inflating reads
    monkeypatch.setattr(zipfile.ZipFile, "infolist", lambda self: [info])
    with pytest.raises(Exception) as refused:
        uploads.unpack_polis(io.BytesIO(zipped(**{"comments.csv": body})), tmp_path)
    assert getattr(refused.value, "status_code", None) in (400, 413)
    assert not (tmp_path / "comments.csv").exists() or (tmp_path / "comments.csv").stat().st_size <= 500_000


# --------------------------------------------------------------------------------- values
@pytest.mark.parametrize("society", ["²", "1.5", "1e3", "-1", "0", "99999999999", "x"])
def test_a_malformed_society_is_a_400_in_the_visitors_language(site, society):
    client = TestClient(site[2], raise_server_exceptions=False)
    page = client.get("/", headers={"Accept-Language": "ru"})
    answer = client.post(
        "/join",
        data={"token": "abc", "society": society, "csrf": csrf_of(page.text)},
        headers={"Accept-Language": "ru"},
    )
    assert answer.status_code == 400 and guarded(answer)
    assert "Значение в этой форме недопустимо (society)" in answer.text


@pytest.mark.parametrize(
    ("field", "value"),
    [("tasks", "abc"), ("tasks", "1.5"), ("profiles", "²"), ("tasks", "1e3"), ("repeat", "x"), ("repeat", "-1")],
)
def test_a_malformed_count_in_an_organisers_form_is_a_400(site, field, value):
    client = organiser(site)
    page = client.get("/organiser")
    data = {"slug": "second", "tasks": "2", "profiles": "2", "csrf": csrf_of(page.text)} | {field: value}
    answer = client.post("/organiser/consultations", data=data, follow_redirects=False)
    assert answer.status_code == 400 and guarded(answer) and f"({field})" in answer.text


def test_a_repeated_task_that_is_not_there_is_refused_in_the_form(site):
    client = organiser(site)
    page = client.get("/organiser")
    data = {"slug": "third", "tasks": "2", "profiles": "2", "repeat": "3", "csrf": csrf_of(page.text)}
    answer = client.post("/organiser/consultations", data=data, follow_redirects=False)
    assert answer.status_code == 400 and guarded(answer) and "no task 3" in answer.text


def invitations_posted(site, count: str, **options):
    """The answer to an organiser's form asking ``count`` invitations to the Russian public."""
    store, consultation, _ = site
    client = organiser(site)
    page = client.get(f"/organiser/consultations/{consultation}")
    society = store.societies(consultation)["russian_public"]
    return client.post(
        f"/organiser/consultations/{consultation}/societies/{society}/invitations",
        data={"count": count, "csrf": csrf_of(page.text)},
        **options,
    )


@pytest.mark.parametrize("count", ["1.5", "1e3", "²", "abc"])
def test_a_malformed_invitation_count_is_a_400(site, count):
    answer = invitations_posted(site, count)
    assert answer.status_code == 400 and guarded(answer)


def test_an_unexpected_error_is_a_plain_500_with_the_headers(site):
    _, _, app = site

    def broken() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/broken", broken)
    answer = TestClient(app).get("/broken")
    assert answer.status_code == 500 and guarded(answer)
    assert "a bug" not in answer.text and "Traceback" not in answer.text


# --------------------------------------------------------------------------------- exports
def test_exports_are_safe_to_open_in_a_spreadsheet(site, tmp_path):
    store, consultation, _ = site
    client = organiser(site)
    page = client.get(f"/organiser/consultations/{consultation}")
    title = '=HYPERLINK("http://attacker.example","click")'
    client.post(
        f"/organiser/consultations/{consultation}/proposals",
        data={"party": "japan", "package": "habomai=japan,treaty=signed", "title": title, "csrf": csrf_of(page.text)},
    )
    voter = participant(site)
    proposal = max(store.proposals(consultation))
    voter.post(f"/board/{proposal}", data={"vote": "agree", "csrf": csrf_of(voter.get("/board").text)})
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/organiser/consultations/{consultation}/polis.zip").content))
    comments = archive.read("comments.csv").decode()
    assert "'=HYPERLINK" in comments and not re.search(r'(^|,)"?=HYPERLINK', comments, re.M)
    assert "leading apostrophe" in archive.read("README.txt").decode()
    archive.extractall(tmp_path)
    bodies = read_export(tmp_path).comments["comment-body"].tolist()
    assert any(body.startswith(f"{title}: ") for body in bodies)  # read back as it was written


def test_only_text_that_would_run_is_changed():
    import pandas as pd

    texts = ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx", "fine", "-0.5", "'=kept", "a=b", "1-2", ""]
    assert neutralised(pd.DataFrame({"text": texts}))["text"].tolist() == [
        "'=1+1", "'+cmd", "'-2+3", "'@SUM(A1)", "'\tx", "'\rx", "fine", "-0.5", "'=kept", "a=b", "1-2", "",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "text", ["  =1+1", "\u00a0=HYPERLINK(x)", "\u3000@SUM(A1)", "\n+cmd", "＝CMD()", " ＋1", "－2", "＠x"]
)
def test_spaces_and_full_width_signs_before_a_formula_are_neutralised_and_restored(text):
    import pandas as pd

    from winset.consult.cells import restored

    safe = neutralised(pd.DataFrame({"text": [text]}))["text"]
    assert safe.tolist() == ["'" + text]
    assert restored(safe).tolist() == [text]


# --------------------------------------------------------------------------------- links
def test_invitation_links_use_the_public_address_not_the_host_header(site):
    links = invitations_posted(site, "2", headers={"Host": "evil.example"})
    found = re.findall(r"(https?://[^\s\"<]+/join/[A-Za-z0-9_-]+)", links.text)
    assert len(found) == 2 and all(link.startswith(f"{PUBLIC}/join/") for link in found)
    assert "evil.example" not in links.text


def test_texts_with_a_nul_character_are_refused(site):
    _, consultation, _ = site
    client = organiser(site)
    page = client.get(f"/organiser/consultations/{consultation}")
    token = csrf_of(page.text)
    slug = client.post("/organiser/consultations", data={"slug": "a\x00b", "tasks": "2", "csrf": token})
    title = client.post(
        f"/organiser/consultations/{consultation}/proposals",
        data={"party": "japan", "package": "treaty=signed", "title": "a\x00b", "csrf": token},
    )
    assert slug.status_code == title.status_code == 400 and guarded(slug) and guarded(title)


@pytest.mark.parametrize("groups", ["²=russian_public", "1e3=russian_public", " =russian_public"])
def test_a_malformed_polis_group_is_a_400(site, groups):
    _, consultation, _ = site
    client = organiser(site)
    page = client.get(f"/organiser/consultations/{consultation}")
    answer = client.post(
        f"/organiser/consultations/{consultation}/polis",
        data={"groups": groups, "csrf": csrf_of(page.text)},
        files={"export": ("export.zip", zipped(**{"comments.csv": b"comment-id,comment-body\n"}), "application/zip")},
    )
    assert answer.status_code == 400 and guarded(answer) and "is not group=ratifier" in answer.text


def test_a_vote_refused_as_busy_is_a_503_to_send_again(site, monkeypatch):
    from winset.consult.store.base import DatabaseBusy

    store, consultation, _ = site
    voter = participant(site)

    async def busy(*args):
        raise DatabaseBusy("the vote waited too long for the database")

    monkeypatch.setattr(store, "cast_vote", busy)
    answer = voter.post("/api/votes", json={"proposal_id": next(iter(store.proposals(consultation))), "value": 1})
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "5" and "try again" in answer.json()["detail"]


def test_a_locked_database_is_a_503_and_nothing_is_saved(tmp_path, monkeypatch):
    import sqlite3

    from winset.consult import database

    monkeypatch.setattr(database, "LOCK_SECONDS", 0.2)
    path = tmp_path / "locked.db"
    store = Store.open(open_database(f"sqlite:///{path}"), "kuril")
    owner = store.add_organiser("mediator@example.org", PASSWORD)
    consultation = store.open_consultation(owner, "kuril", languages={"russian_public": "ru", "japanese_public": "ja"})
    site = (store, consultation, create_app(store, secret_key=b"k" * 32))
    voter = participant(site)
    board = voter.get("/board")
    first = next(iter(store.proposals(consultation)))
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # another writer holds the database
    try:
        answer = voter.post(f"/board/{first}", data={"vote": "agree", "csrf": csrf_of(board.text)})
        assert answer.status_code == 503 and answer.headers["Retry-After"] == "5" and guarded(answer)
        api = voter.post("/api/votes", json={"proposal_id": first, "value": 1})
        assert api.status_code == 503 and "try again" in api.json()["detail"]
        assert TestClient(site[2]).get("/api/health").status_code == 200
    finally:
        other.execute("ROLLBACK")
        other.close()
    results = store.results(consultation)
    assert results.loc[results["proposal_id"] == first, "agree"].sum() == 0
    again = voter.post(f"/board/{first}", data={"vote": "agree", "csrf": csrf_of(board.text)}, follow_redirects=False)
    assert again.status_code == 303  # once the lock is gone, the same vote goes through


# --------------------------------------------------------------------------------- sessions
def test_an_organisers_logout_ends_the_session_on_the_server(site):
    from winset.consult.web.security import ORGANISER_COOKIE

    store, _, _ = site
    client = organiser(site)
    cookie = client.cookies.get(ORGANISER_COOKIE)
    assert client.get("/organiser").status_code == 200
    page = client.get("/organiser")
    client.post("/organiser/logout", data={"csrf": csrf_of(page.text)})
    stolen = TestClient(site[2], cookies={ORGANISER_COOKIE: cookie})  # the old cookie, kept by someone
    assert stolen.get("/organiser", follow_redirects=False).status_code in (303, 307)
    # revocation: every open login of an organiser ends at once
    again = organiser(site)
    owner = store.check_organiser("mediator@example.org", PASSWORD)
    assert store.revoke_organiser_sessions(owner) == 1
    assert again.get("/organiser", follow_redirects=False).status_code in (303, 307)


def test_a_participant_logs_out_and_the_cookie_opens_nothing(site):
    from winset.consult.web.security import PARTICIPANT_COOKIE

    client = participant(site)
    cookie = client.cookies.get(PARTICIPANT_COOKIE)
    board = client.get("/board")
    assert client.post("/logout", data={"csrf": csrf_of(board.text)}, follow_redirects=False).status_code == 303
    stolen = TestClient(site[2], cookies={PARTICIPANT_COOKIE: cookie})
    assert stolen.get("/board").status_code == 401


def test_a_negotiator_logs_out_and_the_invitation_stays_used(site):
    from winset.consult.web.security import NEGOTIATOR_COOKIE

    store, consultation, app = site
    token = store.invite_negotiator(consultation, "japan")
    client = TestClient(app)
    page = client.get(f"/negotiate/{token}")
    assert client.post("/negotiate", data={"token": token, "csrf": csrf_of(page.text)}).status_code == 200
    cookie = client.cookies.get(NEGOTIATOR_COOKIE)
    page = client.get("/negotiator")
    client.post("/negotiator/logout", data={"csrf": csrf_of(page.text)})
    assert TestClient(app, cookies={NEGOTIATOR_COOKIE: cookie}).get("/negotiator").status_code == 401
    assert store.join_negotiator(token) is None


def test_logging_in_gives_a_new_csrf_cookie(site):
    """A CSRF cookie planted before login (one an attacker chose) is not the one after it."""
    from winset.consult.web.security import CSRF_COOKIE

    client = TestClient(site[2])
    page = client.get("/organiser/login")
    planted = client.cookies.get(CSRF_COOKIE)
    client.post(
        "/organiser/login",
        data={"email": "mediator@example.org", "password": PASSWORD, "csrf": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert client.cookies.get(CSRF_COOKIE) not in (None, planted)


# --------------------------------------------------------------------------------- guessing
def failed_joins(client: TestClient, times: int) -> list[int]:
    page = client.get("/")
    return [
        client.post("/join", data={"token": f"wrong{i}", "csrf": csrf_of(page.text)}).status_code for i in range(times)
    ]


def test_failed_joins_do_not_lock_the_organisers_login_out(site):
    from winset.consult.web.security import GUESSES

    client = TestClient(site[2])
    assert failed_joins(client, GUESSES + 1)[-1] == 429
    organiser(site)  # the same address logs in: another purpose, another count


def test_every_process_and_a_restart_count_the_same_attempts(site):
    """Two sites on one database (two worker processes, or one restarted) share the count."""
    from winset.consult.web.security import GUESSES

    store, _, app = site
    failed_joins(TestClient(app), GUESSES - 1)
    other = create_app(store, secret_key=b"k" * 32)
    assert failed_joins(TestClient(other), 2) == [400, 429]


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        ("2001:db8:1:2::1", "2001:db8:1:2:ffff:1:2:3", True),  # one line, any address in its /64
        ("2001:db8:1:2::1", "2001:db8:1:3::1", False),
        ("2001:db8:3::%z1", "2001:db8:3::%z2", True),  # a zone id names no other client
        ("fe80::1%eth0", "fe80::2", True),
        ("::ffff:198.51.100.7", "198.51.100.7", True),  # IPv4 mapped into IPv6
        ("198.51.100.7", "198.51.100.8", False),
        ("testclient", "testclient", True),
    ],
)
def test_a_client_is_counted_by_its_address_and_an_ipv6_one_by_its_64(one, other, same):
    from winset.consult.web.security import counted_client

    assert (counted_client(one) == counted_client(other)) is same


def test_rotating_ipv6_addresses_within_a_64_do_not_reset_the_count(site):
    from winset.consult.web.security import GUESSES

    _, _, app = site
    statuses = [
        failed_joins(TestClient(app, client=(f"2001:db8:5:6::{i + 1:x}", 50000)), 1)[0] for i in range(GUESSES + 1)
    ]
    assert statuses[-1] == 429
    assert failed_joins(TestClient(app, client=("2001:db8:5:7::1", 50000)), 1) == [400]  # another line


def test_the_clients_of_one_ipv6_48_share_a_larger_count(site, monkeypatch):
    """A /48 holds 65,536 /64s: its clients together may fail NETWORK_GUESSES times, so that one
    allocation does not bring 65,536 counts of its own; another /48 is not affected."""
    from winset.consult.web import security

    monkeypatch.setattr(security, "NETWORK_GUESSES", 15)
    _, _, app = site
    statuses = [failed_joins(TestClient(app, client=(f"2001:db8:7:{i:x}::1", 50000)), 1)[0] for i in range(16)]
    assert statuses[:15] == [400] * 15 and statuses[15] == 429  # each /64 far under its own limit
    assert failed_joins(TestClient(app, client=("2001:db8:8::1", 50000)), 1) == [400]
    assert security.counted_network("198.51.100.7") is None and security.counted_network("::ffff:1.2.3.4") is None


def test_the_database_never_holds_a_clients_address_or_its_plain_hash(site):
    import hashlib

    from sqlalchemy import select

    from winset.consult.models import Attempt

    store, _, app = site
    address = "198.51.100.9"
    failed_joins(TestClient(app, client=(address, 50000)), 2)
    with store.sessions() as session:
        kept = set(session.scalars(select(Attempt.client_hash)))
    plain = hashlib.sha256(address.encode()).hexdigest()
    assert kept and all(address not in k and k != plain for k in kept)


def test_the_record_of_attempts_keeps_only_those_that_count(site):
    from winset.consult.models import Attempt

    store, _, _ = site
    for i in range(5):
        store.record_attempt("join", f"10.0.0.{i}", seconds=0.0)  # each forgets every earlier one
    with store.sessions() as session:
        assert session.query(Attempt).count() == 1


def test_a_forwarded_for_header_from_loopback_is_not_trusted(tmp_path):
    """A client rotating X-Forwarded-For is still one address unless --trusted-proxy says otherwise."""
    import http.client

    from winset.consult.launch import free_port, serve_process
    from winset.consult.web.security import GUESSES

    url = f"sqlite:///{tmp_path / 'c.db'}"
    Store.open(open_database(url), "kuril")
    port = free_port()
    server = serve_process(url, port)
    try:
        statuses = []
        for i in range(GUESSES + 1):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", "/")
            page = connection.getresponse()
            cookie = page.getheader("set-cookie").split(";")[0]
            token = csrf_of(page.read().decode())
            connection.request(
                "POST",
                "/join",
                body=f"token=wrong{i}&csrf={token}",
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": cookie,
                    "X-Forwarded-For": f"203.0.113.{i}",
                },
            )
            answer = connection.getresponse()
            answer.read()
            statuses.append(answer.status)
        assert statuses[-1] == 429 and statuses[:-1] == [400] * GUESSES
    finally:
        server.terminate()
        server.wait(timeout=20)


# --------------------------------------------------------------------------------- found by attack
def multipart(fields: dict[str, bytes], charset: str) -> tuple[bytes, dict[str, str]]:
    boundary = "XyZb"
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n'.encode() + v + b"\r\n"
        for k, v in fields.items()
    )
    return body + f"--{boundary}--\r\n".encode(), {
        "content-type": f"multipart/form-data; boundary={boundary}; charset={charset}"
    }


def test_a_text_that_is_no_unicode_is_a_400(site):
    client = TestClient(site[2])
    page = client.get("/")
    body, headers = multipart({"csrf": csrf_of(page.text).encode(), "token": b"\\ud800"}, "raw_unicode_escape")
    answer = client.post("/join", content=body, headers=headers)
    assert answer.status_code == 400 and guarded(answer)


@pytest.mark.parametrize("society", ["  ", "\t", "\n"])
def test_a_blank_society_is_a_plain_join(site, society):
    client = TestClient(site[2])
    page = client.get("/")
    answer = client.post("/join", data={"token": "abc", "society": society, "csrf": csrf_of(page.text)})
    assert (answer.status_code == 400 and "Invitation" in answer.text) or "invitation" in answer.text.lower()


COMMENTS = b"comment-id,comment-body\n1,hello\n2,world\n"
VOTES = b"timestamp,comment-id,voter-id,vote\n1,1,10,1\n2,2,10,-1\n"
PEOPLE = b"participant,group-id\n10,0\n"


def polis_zip(comments=COMMENTS, votes=VOTES, people=PEOPLE) -> bytes:
    return zipped(**{"comments.csv": comments, "votes.csv": votes, "participants-votes.csv": people})


def encrypted(data: bytes) -> bytes:
    """The same archive with every member flagged as encrypted."""
    data = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        i = 0
        while (i := data.find(signature, i)) >= 0:
            data[i + offset] |= 1
            i += 4
    return bytes(data)


@pytest.mark.parametrize(
    "body",
    [
        encrypted(polis_zip()),
        polis_zip(people=b"participant,group-id\n10,inf\n"),
        polis_zip(comments=b"comment-id,comment-body\n,hello\n2,world\n"),
        polis_zip(votes=b"timestamp,comment-id,voter-id,vote\n1,1,,1\n"),
        polis_zip(comments=b"comment-id,comment-body\n1,he\x00llo\n2,world\n"),
    ],
    ids=["encrypted", "infinite group", "no comment id", "no voter id", "NUL in a statement"],
)
def test_a_broken_polis_export_is_a_400(site, body):
    answer = polis_post(site, body)
    assert answer.status_code == 400 and guarded(answer)
    assert polis_post(site, polis_zip()).status_code == 200  # the same export, whole, imports


def test_an_export_too_wide_is_refused(site, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_COLUMNS", 10)
    wide = b"participant,group-id," + b",".join(b"%d" % i for i in range(20)) + b"\n"
    assert polis_post(site, polis_zip(people=wide)).status_code == 413


def test_only_the_upload_route_takes_an_upload_and_only_for_an_organiser(site):
    _, consultation, app = site
    anonymous = TestClient(app)
    body = b"a" * (BODY_LIMIT * 4)
    for path in ("/board/polis", "/survey/polis", f"/organiser/consultations/{consultation}/polis"):
        answer = anonymous.post(path, content=body, headers={"content-type": "application/x-www-form-urlencoded"})
        assert answer.status_code == 413, path


def test_no_redirect_is_built_from_the_host_header_and_unknown_pages_are_pages(site):
    client = TestClient(site[2])
    answer = client.get("/organiser/", headers={"Host": "evil.example"}, follow_redirects=False)
    assert "evil.example" not in answer.headers.get("location", "") and answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html") and guarded(answer)
    assert client.post("/").status_code == 405 and client.get("/api/nothing").json()["detail"]


def test_attempts_sent_at_once_are_tried_at_most_the_limit(database_url):
    """Recorded first, counted after: of 40 wrong attempts sent together, at most GUESSES are tried."""
    import threading

    from winset.consult.web.security import GUESSES, GuessLimit, Signer

    store = Store.open(open_database(database_url), "kuril")
    limit = GuessLimit(store, "login", Signer(b"k" * 32))
    together = threading.Barrier(40)
    tried = []

    def attempt() -> None:
        together.wait()
        tried.append(limit.attempt("198.51.100.7") is not None)

    threads = [threading.Thread(target=attempt) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(tried) <= GUESSES


def test_a_logout_in_one_process_takes_effect_in_another_at_once(site):
    """Two sites on one database stand for two worker processes: after a participant logs out in
    one, the other refuses the old cookie on every page and in the vote API, though it had it in
    memory."""
    from winset.consult.web.security import PARTICIPANT_COOKIE

    store, consultation, _ = site
    client = participant(site)
    cookie = client.cookies.get(PARTICIPANT_COOKIE)
    other_store = Store.open(open_database(str(store.sessions.kw["bind"].url)), "kuril")
    other = TestClient(create_app(other_store, secret_key=b"k" * 32), cookies={PARTICIPANT_COOKIE: cookie})
    first = next(iter(store.proposals(consultation)))
    assert other.post("/api/votes", json={"proposal_id": first, "value": 1}).status_code == 200  # known there now
    client.post("/logout", data={"csrf": csrf_of(client.get("/board").text)})
    assert other.post("/api/votes", json={"proposal_id": first, "value": -1}).status_code == 401
    assert other.get("/board").status_code == 401
    results = store.results(consultation)
    assert results.loc[results["proposal_id"] == first, "disagree"].sum() == 0

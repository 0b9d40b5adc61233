"""``winset serve`` as a real process on loopback, and ``winset organiser``."""

import subprocess
import sys
import time
import urllib.request

import pytest
from typer.testing import CliRunner

from winset.cli import app
from winset.consult.database import open_database
from winset.consult.launch import free_port, serve_process
from winset.consult.store import Store

runner = CliRunner()


def test_organiser_command_creates_an_account(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    monkeypatch.setenv("WINSET_ORGANISER_PASSWORD", "correct horse battery")
    result = runner.invoke(app, ["organiser", "kuril", "Mediator@Example.org", "--database-url", url])
    assert result.exit_code == 0, result.output
    store = Store.open(open_database(url), "kuril")
    assert store.check_organiser("mediator@example.org", "correct horse battery") is not None
    again = runner.invoke(app, ["organiser", "kuril", "mediator@example.org", "--database-url", url])
    assert again.exit_code == 2 and "exists" in again.stderr
    monkeypatch.setenv("WINSET_ORGANISER_PASSWORD", "short")
    weak = runner.invoke(app, ["organiser", "kuril", "b@example.org", "--database-url", url])
    assert weak.exit_code == 2 and "shorter than 12" in weak.stderr


def test_a_bad_database_url_is_a_user_error(monkeypatch):
    monkeypatch.setenv("WINSET_ORGANISER_PASSWORD", "correct horse battery")
    result = runner.invoke(app, ["organiser", "kuril", "a@example.org", "--database-url", "nosuchdb://x"])
    assert result.exit_code == 2 and "cannot open the database" in result.stderr


def test_serve_answers_on_loopback(tmp_path):
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "winset",
            "serve",
            "kuril",
            "--port",
            str(port),
            "--database-url",
            f"sqlite:///{tmp_path / 'c.db'}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2) as answer:
                    assert answer.status == 200 and answer.read() == b'{"ok":true}'
                    assert answer.headers["X-Frame-Options"] == "DENY"
                break
            except OSError:
                assert server.poll() is None, server.stderr.read()
                assert time.monotonic() < deadline, "the server did not answer within a minute"
                time.sleep(0.3)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
            assert "Join the consultation" in page.read().decode()
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_a_secret_key_keeps_organisers_logged_in_across_restarts(tmp_path, monkeypatch):
    """An organiser's session is kept in the database, and WINSET_SECRET_KEY signs the forms: the
    cookie of one server process works for the next."""
    import http.client
    import re

    url = f"sqlite:///{tmp_path / 'c.db'}"
    Store.open(open_database(url), "kuril").add_organiser("o@example.org", "correct horse battery")
    monkeypatch.setenv("WINSET_SECRET_KEY", "a key for the test")
    port = free_port()
    server = serve_process(url, port)
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/organiser/login")
        page = connection.getresponse()
        csrf_cookie = page.getheader("set-cookie").split(";")[0]
        token = re.search(r'name="csrf" value="([^"]+)"', page.read().decode()).group(1)
        body = f"email=o%40example.org&password=correct+horse+battery&csrf={token}"
        connection.request(
            "POST",
            "/organiser/login",
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": csrf_cookie},
        )
        answer = connection.getresponse()
        answer.read()
        assert answer.status == 303
        session = next(c for c in answer.headers.get_all("set-cookie") if c.startswith("winset_organiser=")).split(";")[
            0
        ]
    finally:
        server.terminate()
        server.wait(timeout=20)
    server = serve_process(url, port)  # a new process, the same key
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/organiser", headers={"Cookie": session})
        answer = connection.getresponse()
        assert answer.status == 200 and "Open a consultation" in answer.read().decode()
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.mark.parametrize("address", ["ftp://consult.example.org", "consult.example.org", "https://x.example/?a=1"])
def test_a_public_url_that_is_no_site_address_is_refused_before_the_database_is_made(tmp_path, address):
    database = tmp_path / "never.db"
    result = CliRunner().invoke(
        app, ["serve", "kuril", "--public-url", address, "--database-url", f"sqlite:///{database}"]
    )
    assert result.exit_code == 2 and "is not the address of a site" in result.output
    assert not database.exists()


@pytest.mark.parametrize(
    ("where", "message"),
    [
        (["--port", "TAKEN"], "is in use"),
        (["--host", "999.1.1.1"], "is not an address winset can listen on"),
        (["--host", "192.0.2.1"], "is not an address of this machine"),  # TEST-NET-1: never this machine's
    ],
)
def test_an_address_the_site_cannot_listen_on_is_a_user_error_before_the_database_is_made(tmp_path, where, message):
    """Not uvicorn's log line and exit 3 (winset's "no deal"): one problem, exit 2, nothing made."""
    import socket

    database = tmp_path / "never.db"
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = str(holder.getsockname()[1])
        args = [taken if a == "TAKEN" else a for a in where]
        result = CliRunner().invoke(app, ["serve", "kuril", *args, "--database-url", f"sqlite:///{database}"])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert not database.exists()


def test_workers_share_one_key_so_a_form_from_one_is_accepted_by_another(tmp_path, monkeypatch):
    """With --workers and no WINSET_SECRET_KEY, the command makes one key for all its workers: a
    login form served by one worker is accepted by another, and the session it opens is known
    to both."""
    import uvicorn
    from fastapi.testclient import TestClient

    from winset.cli.serve import WORKER_SETTINGS, worker_app

    from .test_web import PASSWORD, csrf_of

    url = f"sqlite:///{tmp_path / 'c.db'}"
    monkeypatch.delenv("WINSET_SECRET_KEY", raising=False)
    monkeypatch.setenv(WORKER_SETTINGS, "")  # so that the settings the command sets are undone after the test
    started: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: started.update(app=app, **options))
    result = runner.invoke(app, ["serve", "kuril", "--workers", "2", "--database-url", url])
    assert result.exit_code == 0, result.output
    assert started["app"] == "winset.cli.serve:worker_app" and started["factory"] and started["workers"] == 2
    Store.open(open_database(url), "kuril").add_organiser("o@example.org", PASSWORD)
    one, other = TestClient(worker_app()), TestClient(worker_app())  # two workers' sites, as uvicorn makes them
    page = one.get("/organiser/login")
    other.cookies = one.cookies
    login = other.post(
        "/organiser/login",
        data={"email": "o@example.org", "password": PASSWORD, "csrf": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert login.status_code == 303
    one.cookies = other.cookies
    assert one.get("/organiser").status_code == 200


def test_a_worker_count_out_of_range_is_refused(tmp_path):
    result = runner.invoke(app, ["serve", "kuril", "--workers", "0", "--database-url", f"sqlite:///{tmp_path}/c.db"])
    assert result.exit_code == 2 and "--workers" in result.output


def test_the_servers_own_answers_carry_the_security_headers_once(tmp_path):
    """uvicorn answers a request too malformed to reach the site itself (400): with the headers
    too; and a page of the site has each header exactly once, and no server banner."""
    import socket

    from winset.consult.web.security import HEADERS

    port = free_port()
    server = serve_process(f"sqlite:///{tmp_path / 'c.db'}", port)
    try:
        answers = []
        for request in (b"GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n", b"GET / HTTP/1.1\r\nHost: x\r\n"):
            with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
                raw.sendall(request + b"Connection: close\r\n\r\n")
                answers.append(b"".join(iter(lambda: raw.recv(65536), b"")).decode("latin-1"))
    finally:
        server.terminate()
        server.wait(timeout=20)
    for answer, status in zip(answers, ("400", "200"), strict=True):
        head = answer.split("\r\n\r\n")[0].lower().splitlines()
        assert head[0].split()[1] == status
        names = [line.split(":")[0] for line in head[1:]]
        assert all(names.count(name.lower()) == 1 for name in HEADERS), (status, names)
        assert "server" not in names


def test_more_workers_than_the_database_has_connections_for_are_refused(tmp_path, monkeypatch):
    """Each worker keeps a pool of connections: workers that would take more than the database
    server accepts are refused before any starts."""
    import uvicorn

    from winset.cli.serve import WORKER_SETTINGS
    from winset.consult import database

    monkeypatch.setenv(WORKER_SETTINGS, "")
    started: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: started.update(options))
    monkeypatch.setattr(database, "connection_room", lambda sessions: 3 * database.POOL_SIZE - 1)
    url = f"sqlite:///{tmp_path / 'c.db'}"
    result = runner.invoke(app, ["serve", "kuril", "--workers", "3", "--database-url", url])
    assert result.exit_code == 2 and not started
    assert "use --workers 2 at most" in result.output and "max_connections" in result.output
    fitting = runner.invoke(app, ["serve", "kuril", "--workers", "2", "--database-url", url])
    assert fitting.exit_code == 0 and started["workers"] == 2


def test_the_room_for_connections_is_postgresqls_and_sqlite_has_no_limit(database_url):
    from sqlalchemy import text

    from winset.consult.database import connection_room

    sessions = open_database(database_url)
    room = connection_room(sessions)
    if database_url.startswith("sqlite"):
        assert room is None
        return
    with sessions() as session:
        most = int(session.execute(text("SHOW max_connections")).scalar())
    assert 0 < room < most  # others' connections (this test's own excepted) and the reserved ones are not room


def test_the_room_for_connections_heeds_the_users_own_limit(database_url):
    """A PostgreSQL user allowed 12 connections has room for 12, however many the server has."""
    import uuid

    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from winset.consult.database import connection_room

    if database_url.startswith("sqlite"):
        pytest.skip("SQLite has no users")
    name = f"winset_limited_{uuid.uuid4().hex[:8]}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE ROLE {name} LOGIN PASSWORD 'limited' CONNECTION LIMIT 12")
    try:
        limited = make_url(database_url).set(username=name, password="limited").render_as_string(hide_password=False)
        sessions = open_database(limited, upgrade=False)  # may not create tables: only its connections are asked
        assert connection_room(sessions) == 12
        sessions.kw["bind"].dispose()
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP ROLE {name}")
        admin.dispose()


@pytest.fixture
def threaded_site(tmp_path, monkeypatch):
    """A site served by uvicorn in a thread with winset's protocol, its limits made small: its port."""
    import threading

    import uvicorn

    from winset.consult.web import create_app, protocol

    monkeypatch.setattr(protocol, "HEAD_SECONDS", 0.5)
    monkeypatch.setattr(protocol, "HEAD_BYTES", 2048)
    site = create_app(Store.open(open_database(f"sqlite:///{tmp_path / 'c.db'}"), "kuril"))
    port = free_port()
    config = uvicorn.Config(site, port=port, log_level="warning", http=protocol.TimedHttpToolsProtocol)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    yield port
    server.should_exit = True
    thread.join(timeout=10)


def closed_within(raw, seconds: float) -> bool:
    """Whether the server closes the connection within ``seconds`` (what it sent first is read)."""
    raw.settimeout(seconds)
    try:
        while chunk := raw.recv(65536):
            del chunk
        return True
    except TimeoutError:
        return False


def test_a_client_that_never_finishes_its_headers_is_disconnected(threaded_site):
    """Slowloris: a connection whose request head does not arrive within HEAD_SECONDS (from the
    connection's start, or from the request's first byte on a kept-alive one) is closed, while a
    client that sends its request whole is answered."""
    import socket

    with socket.create_connection(("127.0.0.1", threaded_site)) as silent:
        assert closed_within(silent, 3)  # opened, nothing sent
    with socket.create_connection(("127.0.0.1", threaded_site)) as slow:
        slow.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # a head that never ends
        assert closed_within(slow, 3)
    with socket.create_connection(("127.0.0.1", threaded_site)) as kept:
        kept.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
        kept.settimeout(3)
        assert kept.recv(65536).startswith(b"HTTP/1.1 200")
        kept.sendall(b"GET /api/health HTTP/1.1\r\n")  # the next request's head, unfinished
        assert closed_within(kept, 3)


@pytest.mark.parametrize("pieces", [1, 6])
def test_a_head_too_long_is_a_400_before_it_ends(threaded_site, pieces):
    """A head past the limit is answered while it is still coming in, whether it arrives in one
    piece or in several. The client sends 3 KB of header lines and never ends the head; it sends
    nothing more once over the limit, so the server has read everything when it closes and the
    answer is not lost to a reset."""
    import itertools
    import socket

    lines = b"GET /api/health HTTP/1.1\r\nHost: x\r\n" + b"a: b\r\n" * 512
    with socket.create_connection(("127.0.0.1", threaded_site)) as long_head:
        long_head.settimeout(3)
        cuts = [0, *range(1900 - (pieces - 1) * 300, 1900, 300), len(lines)]  # under 2 KB until the last
        for start, end in itertools.pairwise(cuts):
            time.sleep(0.05)  # each piece read on its own
            long_head.sendall(lines[start:end])
        answer = b""
        while chunk := long_head.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 400") and b"longer than 2 KB" in answer


def test_a_connection_answered_before_its_body_is_in_is_closed(threaded_site):
    """A client that declares a long body and trickles it is answered (here by the health check,
    which reads no body) and then disconnected, not kept waiting for the rest."""
    import socket

    with socket.create_connection(("127.0.0.1", threaded_site)) as trickling:
        trickling.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\nContent-Length: 60000\r\n\r\n0123456789")
        trickling.settimeout(3)
        assert trickling.recv(65536).startswith(b"HTTP/1.1 200")
        assert closed_within(trickling, 3)

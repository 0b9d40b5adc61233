"""``winset serve`` and ``winset organiser``: the consultation site from the command line."""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import os
import secrets
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import Problem, WinsetError
from ..extras import install_hint
from .common import stderr, stdout, user_errors
from .options import ScenarioArg

if TYPE_CHECKING:
    from collections.abc import Callable

    from fastapi import FastAPI
    from sqlalchemy.orm import Session, sessionmaker

    from ..consult.design_file import DesignFile
    from ..consult.store import Store

DEFAULT_DATABASE = "sqlite:///winset-consult.db"
PASSWORD_VARIABLE = "WINSET_ORGANISER_PASSWORD"
DatabaseOpt = Annotated[
    str,
    typer.Option(
        "--database-url",
        help="SQLAlchemy URL of the database: sqlite:///FILE (default) or postgresql+psycopg://USER@HOST/DB.",
    ),
]


def _web(
    where: str = "winset serve",
) -> tuple[ModuleType, Callable[..., sessionmaker[Session]], type[Store], Callable[..., FastAPI]]:
    """The web extra's modules, or one clear message (for the command ``where``) if it is not
    installed."""
    try:
        import uvicorn

        from ..consult.database import open_database
        from ..consult.store import Store
        from ..consult.web import create_app
    except ImportError as error:
        raise WinsetError(
            [Problem(where, f"the web extra is not installed ({error.name} is missing)", install_hint("web"))]
        ) from None
    return uvicorn, open_database, Store, create_app


def _open(scenario: Path, database_url: str, where: str = "winset serve") -> Store:
    """The store of the scenario on the database (a URL that cannot be used is a user error)."""
    _, open_database, store_class, _ = _web(where)
    return store_class.open(open_database(database_url), scenario)


def _public_url(text: str) -> str:
    """The public base URL, checked: http or https, a host, no query or fragment."""
    from urllib.parse import urlsplit

    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise WinsetError(
            [
                Problem(
                    "--public-url",
                    f"'{text}' is not the address of a site",
                    "give it as https://consult.example.org (a path after the host is kept)",
                )
            ]
        )
    return text.strip().rstrip("/")


@user_errors
def serve_command(
    scenario: ScenarioArg,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
    database_url: DatabaseOpt = DEFAULT_DATABASE,
    secure_cookies: Annotated[
        bool, typer.Option("--secure-cookies", help="Send cookies over HTTPS only (behind a TLS proxy).")
    ] = False,
    trusted_proxy: Annotated[
        str | None,
        typer.Option(
            "--trusted-proxy",
            help="Addresses of the reverse proxies (comma-separated) whose X-Forwarded-For names the client. "
            "Default: none, so no request can choose the address the guessing limit counts.",
        ),
    ] = None,
    public_url: Annotated[
        str | None,
        typer.Option(
            "--public-url",
            help="The site's address as participants reach it (https://consult.example.org): invitation links "
            "start with it. Default: http://HOST:PORT.",
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            max=64,
            help="Server processes sharing the port (uvicorn's workers): one per core with PostgreSQL; "
            "SQLite has one writer at a time, so one process is usually as fast.",
        ),
    ] = 1,
    survey_design: Annotated[
        Path | None,
        typer.Option(
            "--survey-design",
            help="A survey design file (winset design --field writes RATIFIER-survey.toml): new consultations' "
            "forms start from its tasks, profiles and repeated task.",
        ),
    ] = None,
) -> None:
    """Run the consultation site for a scenario: surveys and proposal votes in every society.

    Organisers log in at /organiser (create one with `winset organiser`); participants join at /
    with an invitation code. Set WINSET_SECRET_KEY to keep open forms valid across restarts (it
    signs their CSRF tokens; sessions are kept in the database). Behind a reverse proxy, name it
    with --trusted-proxy so that the guessing limit counts the client's address.
    """
    uvicorn, _, _, _ = _web()
    from ..consult.web.protocol import TimedHttpToolsProtocol
    from ..consult.web.security import HEADERS

    base = _public_url(public_url) if public_url is not None else f"http://{host}:{port}"
    from ..consult.design_file import read_design_file

    design = None if survey_design is None else read_design_file(survey_design)  # refused before the site opens
    _check_address(host, port)
    store = _open(scenario, database_url)  # checked and migrated here, once, before any worker starts
    if workers > 1:
        _check_room(store, workers)
    key = os.environ.get("WINSET_SECRET_KEY")
    settings = {
        "scenario": str(store.scenario.source),
        "database_url": database_url,
        # every worker signs forms with the same key, so a form opened on one is accepted by another
        "secret_key": hashlib.sha256(key.encode()).hexdigest() if key else secrets.token_hex(32),
        "secure_cookies": secure_cookies,
        "public_url": base,
        "survey_design": None if survey_design is None else str(survey_design.resolve()),
    }
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    stderr().print(
        f"winset consultation site for '{store.scenario.scenario.id}' on http://{host}:{port}"
        + (f" ({workers} worker processes)" if workers > 1 else ""),
        soft_wrap=True,
    )
    proxies = ",".join(p.strip() for p in (trusted_proxy or "").split(",") if p.strip())
    options = {
        "host": host,
        "port": port,
        "access_log": False,
        "log_level": "warning",
        "proxy_headers": bool(proxies),  # uvicorn would otherwise trust X-Forwarded-For from 127.0.0.1
        "forwarded_allow_ips": proxies or None,
        "headers": list(HEADERS.items()),  # on every response, uvicorn's own 400s included
        "server_header": False,
        "http": TimedHttpToolsProtocol,  # a request's head must arrive in time (slow clients)
    }
    try:
        if workers == 1:
            uvicorn.run(_site(store, settings, design), **options)
        else:  # each worker process builds its own site from the settings (worker_app)
            store.sessions.kw["bind"].dispose()  # this process serves nothing: its connections go back
            os.environ[WORKER_SETTINGS] = json.dumps(settings)
            uvicorn.run("winset.cli.serve:worker_app", factory=True, workers=workers, **options)
    except SystemExit as stopped:  # uvicorn exits 3 when it cannot start; winset's 3 means "no deal"
        if stopped.code in (None, 0):
            raise
        raise WinsetError(
            [Problem("winset serve", "the server could not start (its message is above)", "correct what it names")]
        ) from None


def _check_address(host: str, port: int) -> None:
    """Refuse, before anything is opened, an address the site could not listen on: a host that is
    not this machine's, a port another program holds or that needs privileges. (uvicorn would log
    the error and exit 3, which winset's commands use for "no deal".)"""
    import errno
    import socket

    fix_host = "give an address of this machine: 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)"
    try:
        family, kind, protocol, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (socket.gaierror, UnicodeError) as error:
        raise WinsetError(
            [Problem("--host", f"'{host}' is not an address winset can listen on ({error})", fix_host)]
        ) from None
    with socket.socket(family, kind, protocol) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                problem = Problem(
                    "--port", f"port {port} on {host} is in use", "stop what uses it, or choose another --port"
                )
            elif error.errno == errno.EACCES:
                problem = Problem("--port", f"port {port} needs privileges on this machine", "choose a port above 1023")
            elif error.errno == errno.EADDRNOTAVAIL:
                problem = Problem("--host", f"'{host}' is not an address of this machine", fix_host)
            else:
                problem = Problem("--host", f"cannot listen on {host}:{port} ({error.strerror})", fix_host)
            raise WinsetError([problem]) from None


def _check_room(store: Store, workers: int) -> None:
    """Refuse more workers than the database server has connections for (each keeps a pool):
    past its limit, logins and pages would fail with "too many clients", and so would everyone
    else's connections to that server."""
    from ..consult.database import POOL_SIZE, connection_room

    room = connection_room(store.sessions)
    if room is None or workers * POOL_SIZE <= room:
        return
    raise WinsetError(
        [
            Problem(
                "--workers",
                f"{workers} workers keep up to {workers * POOL_SIZE} connections ({POOL_SIZE} each), but the "
                f"database server accepts {room} more",
                f"use --workers {max(room // POOL_SIZE, 1)} at most, or raise max_connections in the server's "
                "postgresql.conf",
            )
        ]
    )


WORKER_SETTINGS = "WINSET_SERVE_WORKER"  # how ``winset serve --workers N`` hands its settings to each worker
GC_THRESHOLD = 20_000  # new objects before the collector's youngest pass (Python's default: 700)


def worker_app() -> FastAPI:
    """The site of one worker process of ``winset serve --workers N`` (uvicorn calls it in each)."""
    _, open_database, store_class, _ = _web()
    settings = json.loads(os.environ[WORKER_SETTINGS])
    store = store_class.open(open_database(settings["database_url"], upgrade=False), settings["scenario"])
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    from ..consult.design_file import read_design_file

    design = read_design_file(settings["survey_design"]) if settings["survey_design"] else None  # each process its own
    return _site(store, settings, design)


def _site(store: Store, settings: dict, design: DesignFile | None = None) -> FastAPI:
    """The site, with the collector told to leave what it is built of alone.

    A long-lived server holds the scenario, its numbers and the site: hundreds of thousands of
    objects that never become garbage. The collector's full passes over them stalled every
    request for tens of milliseconds (measured: the slowest 1% of votes took 2.5 times as long).
    Frozen, they are never walked again, and a pass waits for more new objects before it starts."""
    *_, create_app = _web()
    key, secure, public_url = bytes.fromhex(settings["secret_key"]), settings["secure_cookies"], settings["public_url"]
    app = create_app(store, key, secure, public_url, server_headers=True, survey_design=design)
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, 50, 100)
    return app


@user_errors
def organiser_command(
    scenario: ScenarioArg,
    email: Annotated[str, typer.Argument(help="The organiser's e-mail address (their login).", show_default=False)],
    database_url: DatabaseOpt = DEFAULT_DATABASE,
) -> None:
    """Create an organiser account. The password is read from WINSET_ORGANISER_PASSWORD, or asked
    at an interactive terminal."""
    from ..consult.credentials import email_problems, normal_email, password_problems

    _web("winset organiser")  # before a password is asked for that could not be used
    # every check before the database is opened (and made): a refused account writes nothing
    if problems := email_problems(email):
        raise WinsetError(problems)
    password, source = _organiser_password()
    if problems := password_problems(password, source):
        raise WinsetError(problems)
    store = _open(scenario, database_url, "winset organiser")
    store.add_organiser(email, password)
    stdout().print(f"Organiser {normal_email(email)} created.", soft_wrap=True)


def _organiser_password() -> tuple[str, str]:
    """The new organiser's password and where it came from: WINSET_ORGANISER_PASSWORD, or typed
    twice at an interactive terminal. Without either, one problem saying so."""
    from ..consult.credentials import PASSWORD_LENGTH

    if PASSWORD_VARIABLE in os.environ:
        password = os.environ[PASSWORD_VARIABLE]
        if not password:
            raise WinsetError(
                [
                    Problem(
                        PASSWORD_VARIABLE,
                        "is empty",
                        f"set it to the password ({PASSWORD_LENGTH} characters or more), or unset it to type the "
                        "password at an interactive terminal",
                    )
                ]
            )
        return password, PASSWORD_VARIABLE
    if sys.stdin is None or not sys.stdin.isatty():
        raise WinsetError(
            [
                Problem(
                    "password",
                    f"no password: {PASSWORD_VARIABLE} is not set and standard input is not an interactive terminal",
                    f"set {PASSWORD_VARIABLE} to the password ({PASSWORD_LENGTH} characters or more), or run the "
                    "command in an interactive terminal to type it",
                )
            ]
        )
    typed = typer.prompt(f"Password ({PASSWORD_LENGTH} characters or more)", hide_input=True, confirmation_prompt=True)
    return typed, "password"

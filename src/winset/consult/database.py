"""Opening the consultation database: SQLite by default, PostgreSQL (or any SQLAlchemy URL) by URL,
brought to the newest schema by Alembic's migrations before use.

A URL that cannot be used (not a URL, no driver for it, no database answering there) is a
:class:`DatabaseError`, a user error; a password in the URL is never shown.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import sessionmaker

from ..errors import Problem, WinsetError

MIGRATIONS = files(__package__) / "migrations"
URL_FORMS = "sqlite:///FILE or postgresql+psycopg://USER:PASSWORD@HOST:PORT/DATABASE"


class DatabaseError(WinsetError):
    """A database URL that cannot be used: not a URL, no driver for it, or no database there."""


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def open_database(url: str, upgrade: bool = True) -> sessionmaker:
    """An engine on ``url``, migrated to the newest schema (unless ``upgrade`` is false: a database
    another process has just migrated); returns a session factory."""
    engine = make_engine(url)
    where = engine.url.render_as_string(hide_password=True)
    try:
        with engine.connect() as connection:
            if upgrade:
                migrate(connection, alembic_config(url))
    except DBAPIError as error:  # no server answering, a file that cannot be made, a refused login
        engine.dispose()
        lines = str(error.orig).strip().splitlines() or [type(error.orig).__name__]
        reason = lines[0].replace(str(engine.url.password), "***") if engine.url.password else lines[0]
        fix = (
            "check that the file's folder exists and that you may write there"
            if engine.dialect.name == "sqlite"
            else "check that the server runs at that host and port, and the user name, password and database name"
        )
        raise _cannot_open(where, reason, fix) from None
    except CommandError as error:  # a schema revision this winset does not know: made by a newer one
        engine.dispose()
        raise _cannot_open(where, str(error), "open it with the winset that made it, or a newer one") from None
    return sessionmaker(engine, expire_on_commit=False)


def migrate(connection: Connection, config: Config, revision: str = "head") -> None:
    """Bring the database to ``revision``.

    SQLite changes a column by rebuilding its table, and dropping the old table of proposals that
    votes point at would break their foreign keys: as SQLite's own procedure for such changes
    says, foreign keys are switched off for the migration and every one is checked before it
    commits."""
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        _foreign_keys(connection, "OFF")
    try:
        with connection.begin():
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").first() if sqlite else None
            if broken:
                raise RuntimeError(f"the migration to {revision} broke a foreign key of table {broken[0]}")
    finally:
        if sqlite:
            _foreign_keys(connection, "ON")


def _foreign_keys(connection: Connection, state: str) -> None:
    """Switch SQLite's foreign keys on or off (it can only be done outside a transaction)."""
    connection.exec_driver_sql(f"PRAGMA foreign_keys = {state}")
    connection.commit()


POOL_SIZE = 10  # connections each server process keeps open at most (its blocking work waits for one,
# LOCK_SECONDS at most: a request waiting for a connection is as busy as one waiting for a lock)
LOCK_SECONDS = 10.0  # how long a statement waits for a lock another writer holds (then: busy, 503)


def make_engine(url: str) -> Engine:
    """An engine on ``url`` (not connected yet); a URL that is not one, or whose driver is unknown
    or not installed, is a :class:`DatabaseError` that never repeats the URL's password."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise _cannot_open("database URL", "this is not a database URL", f"write {URL_FORMS}") from None
    where = parsed.render_as_string(hide_password=True)
    try:
        return _engine(url)
    except NoSuchModuleError:
        raise _cannot_open(where, f"no database driver for '{parsed.drivername}'", f"use {URL_FORMS}") from None
    except ImportError as error:
        raise _cannot_open(
            where,
            f"its driver {error.name} is not installed",
            f"install {error.name}, or use {URL_FORMS} (their drivers come with winset[web])",
        ) from None


def _cannot_open(where: str, reason: str, fix: str) -> DatabaseError:
    return DatabaseError([Problem(where, f"cannot open the database: {reason}", fix)])


def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": LOCK_SECONDS},
            pool_size=POOL_SIZE,
            max_overflow=0,
            pool_timeout=LOCK_SECONDS,
        )

        @event.listens_for(engine, "connect")
        def _pragmas(connection: Any, _record: Any) -> None:  # durable, concurrent, and foreign keys enforced
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    # a lock another transaction holds (a forgotten session in psql, a long migration) is waited
    # for LOCK_SECONDS at most, as SQLite's busy timeout does, never for ever
    options = {"options": f"-c lock_timeout={int(LOCK_SECONDS * 1000)}"} if url.startswith("postgresql") else {}
    return create_engine(url, pool_size=POOL_SIZE, max_overflow=0, pool_timeout=LOCK_SECONDS, connect_args=options)


ROOM = """
SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int
         - (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'),
       (SELECT rolconnlimit FROM pg_roles WHERE rolname = current_user)
         - (SELECT count(*) FROM pg_stat_activity WHERE usename = current_user),
       (SELECT datconnlimit FROM pg_database WHERE datname = current_database())
         - (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()),
       (SELECT rolconnlimit FROM pg_roles WHERE rolname = current_user) >= 0,
       (SELECT datconnlimit FROM pg_database WHERE datname = current_database()) >= 0
"""


def connection_room(sessions: sessionmaker) -> int | None:
    """How many more connections the database server accepts from this user on this database
    (its ``max_connections`` less those reserved for superusers, and the user's and the
    database's own connection limits where they are set, less those open now, this one
    excepted); None for SQLite, which has no such limit."""
    engine = sessions.kw["bind"]
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as connection:
        server, user, database, user_limited, database_limited = connection.exec_driver_sql(ROOM).one()
    rooms = [server] + [user] * bool(user_limited) + [database] * bool(database_limited)
    return int(min(rooms)) + 1

"""What every part of the consultation store stands on: the database's session factory and the
scenario the store serves, the error a refused request raises, and how secrets are hashed.

Every write commits before the function returns, so whatever a caller acknowledges is on disk.
Secrets (invitation tokens, participants' and negotiators' session secrets) are returned once and
kept only as SHA-256 hashes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Self, TypeVar, cast

from sqlalchemy import Connection, CursorResult, Update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ...errors import Problem, WinsetError
from ...scenario import Scenario, load_scenario
from ...space import PackageSpace
from ..models import Base, Consultation

Model = TypeVar("Model", bound=Base)


class ConsultError(WinsetError):
    """A request the consultation cannot carry out (shown to the user as it is)."""


class DatabaseBusy(Exception):
    """The database's locks are held by others for longer than a request may wait: nothing was
    saved, and the same request can be sent again (the site answers 503 with Retry-After)."""


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class StoreBase:
    """The consultations of one scenario: the database and the scenario the parts of the store share."""

    def __init__(self, sessions: sessionmaker[Session], scenario: Scenario, scenario_text: str) -> None:
        self.sessions = sessions
        self.scenario = scenario
        self.scenario_text = scenario_text

    @classmethod
    def open(cls, sessions: sessionmaker[Session], scenario_path: str | Path) -> Self:
        """A store for the scenario at ``scenario_path`` (a file, a folder, or a bundled name)."""
        scenario = load_scenario(scenario_path)
        assert scenario.source is not None  # a loaded scenario knows the file it was read from
        return cls(sessions, scenario, scenario.source.read_text(encoding="utf-8"))

    def space_of(self, consultation_id: int) -> PackageSpace:
        """The package space of a consultation: the store's scenario, if the consultation was
        opened on this very scenario file."""
        with self.sessions() as session:
            text = found(session, Consultation, consultation_id).scenario_toml
        if text != self.scenario_text:
            raise ConsultError(
                [
                    Problem(
                        f"consultation {consultation_id}",
                        "was opened on another version of the scenario file",
                        "serve the scenario file the consultation was opened on",
                    )
                ]
            )
        return self.scenario.space

    def check_party(self, party: str) -> None:
        """Refuse a party the scenario does not have."""
        if party not in {p.id for p in self.scenario.parties}:
            raise ConsultError([Problem("party", f"no party {party!r} in the scenario", "use a party id")])


def found(session: Session, model: type[Model], key: int) -> Model:
    """The row of ``model`` with the id ``key``; refused if there is none."""
    row = session.get(model, key)
    if row is None:
        name = model.__name__.lower()
        raise ConsultError([Problem(f"{name} {key}", f"no such {name}", f"use the id of a {name} in the database")])
    return row


def changed_rows(session: Session, statement: Update) -> int:
    """How many rows an UPDATE changed (it executes to a CursorResult, which counts them, though
    Session.execute is typed as returning a Result)."""
    return cast(CursorResult[Any], session.execute(statement)).rowcount


def length_problems(location: str, text: str, limit: int, texts: str) -> list[Problem]:
    """The problem of a ``text`` longer than ``limit`` characters, if it is (``texts`` names such
    texts in the fix)."""
    if len(text) <= limit:
        return []
    return [Problem(location, f"{len(text)} characters long", f"keep {texts} to {limit} characters")]


def flush_or_refuse(session: Session, problem: Problem) -> None:
    """Write the session's new rows, refusing with ``problem`` one that a unique constraint says
    exists already."""
    try:
        session.flush()
    except IntegrityError:
        raise ConsultError([problem]) from None


def upsert(
    session: Session | Connection, model: type[Base], keys: list[str], values: dict[str, Any] | list[dict[str, Any]]
) -> None:
    """Insert a row of ``model`` (or several, whose ``keys`` differ), or, where a row has the same
    ``keys`` columns, give it the other values (ON CONFLICT DO UPDATE, as SQLite and PostgreSQL
    know it; several rows are one statement executed for each, compiled once)."""
    dialect = session.dialect if isinstance(session, Connection) else session.get_bind().dialect
    rows = values if isinstance(values, list) else [values]
    session.execute(upsert_statement(dialect.name, model, keys, list(rows[0])), rows)


def upsert_statement(dialect: str, model: type[Base], keys: list[str], columns: list[str]) -> Any:
    """The statement of :func:`upsert` for the ``columns`` given, on the named dialect (built once
    by a caller that runs it often: building it costs more than running it)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(model)
    changed = {column: statement.excluded[column] for column in columns if column not in keys}
    return statement.on_conflict_do_update(index_elements=keys, set_=changed)

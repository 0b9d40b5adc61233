"""What every part of the consultation store stands on: the database's session factory and the
scenario the store serves, the error a refused request raises, and how secrets are hashed.

Every write commits before the function returns, so whatever a caller acknowledges is on disk.
Secrets (invitation tokens, participants' and negotiators' session secrets) are returned once and
kept only as SHA-256 hashes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Self

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from ...errors import Problem, WinsetError
from ...scenario import Scenario, load_scenario
from ..models import Consultation


class ConsultError(WinsetError):
    """A request the consultation cannot carry out (shown to the user as it is)."""


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class StoreBase:
    """The consultations of one scenario: the database and the scenario the parts of the store share."""

    def __init__(self, sessions: sessionmaker, scenario: Scenario, scenario_text: str):
        self.sessions = sessions
        self.scenario = scenario
        self.scenario_text = scenario_text

    @classmethod
    def open(cls, sessions: sessionmaker, scenario_path: str | Path) -> Self:
        """A store for the scenario at ``scenario_path`` (a file, a folder, or a bundled name)."""
        path = _scenario_file(scenario_path)
        return cls(sessions, load_scenario(path), path.read_text(encoding="utf-8"))

    def space_of(self, consultation_id: int):
        """The package space of a consultation: the store's scenario, if the consultation was
        opened on this very scenario file."""
        with self.sessions() as session:
            text = session.get(Consultation, consultation_id).scenario_toml
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


def upsert_insert(session: Session):
    """The dialect's INSERT, which knows ON CONFLICT DO UPDATE (SQLite and PostgreSQL)."""
    return postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert


def _scenario_file(path: str | Path) -> Path:
    from ...scenarios import BUNDLED, bundled_path

    path = Path(path)
    if not path.exists() and str(path) in BUNDLED:
        return bundled_path(str(path))
    return path / "scenario.toml" if path.is_dir() else path

"""Opening the consultation database: SQLite by default, PostgreSQL (or any SQLAlchemy URL) by URL,
brought to the newest schema by Alembic's migrations before use."""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import sessionmaker

MIGRATIONS = files(__package__) / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def open_database(url: str) -> sessionmaker:
    """An engine on ``url``, migrated to the newest schema; returns a session factory."""
    engine = make_engine(url)
    with engine.connect() as connection:
        migrate(connection, alembic_config(url))
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


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(connection, _record):  # durable, concurrent, and foreign keys enforced
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)

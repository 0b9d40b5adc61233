"""The consultation tests run on SQLite and, where ``WINSET_TEST_POSTGRES_URL`` names a PostgreSQL
server (``.ci/run`` starts one on loopback), on PostgreSQL too: each test gets a fresh database."""

import os
import uuid

import pytest

POSTGRES = os.environ.get("WINSET_TEST_POSTGRES_URL")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'consult.db'}"
        return
    if not POSTGRES:
        pytest.skip("set WINSET_TEST_POSTGRES_URL to a PostgreSQL server to run this test on it too")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"winset_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()

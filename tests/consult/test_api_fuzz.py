"""Schemathesis against the site's OpenAPI schema: no generated request, signed in or not, makes
the server fail (5xx)."""

import tempfile

import pytest
from hypothesis import HealthCheck, settings

from winset.consult.database import open_database
from winset.consult.store import Store
from winset.consult.web import create_app
from winset.consult.web.security import ORGANISER_COOKIE, PARTICIPANT_COOKIE

schemathesis = pytest.importorskip("schemathesis")

KEY = b"s" * 32
FOLDER = tempfile.TemporaryDirectory(prefix="winset-fuzz-")  # lives as long as the module


def _site():
    store = Store.open(open_database(f"sqlite:///{FOLDER.name}/consult.db"), "kuril")
    organiser = store.add_organiser("mediator@example.org", "correct horse battery")
    consultation = store.open_consultation(organiser, "fuzz")
    joined = store.join_with_token(store.invite(store.societies(consultation)["russian_public"], 1)[0])
    cookies = (
        f"{PARTICIPANT_COOKIE}={joined.secret}; {ORGANISER_COOKIE}={store.open_organiser_session(organiser, 3600)}"
    )
    return create_app(store, secret_key=KEY), cookies


APP, COOKIES = _site()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_makes_the_server_fail(case):
    for headers in ({}, {"Cookie": COOKIES}):
        response = case.call(headers=headers)
        assert response.status_code < 500, (case.method, case.formatted_path, response.status_code)

"""Schemathesis against the site's OpenAPI schema: no generated request, signed in or not, makes
the server fail (5xx).

The schema describes every form body (FastAPI reads each form into a typed model), and the forms
are fuzzed past their CSRF check: each generated form carries the token that matches the CSRF
cookie sent with it, so the generated values reach the routes. Each request is sent three ways:
anonymous without a CSRF cookie, anonymous with one, and signed in as a participant, an organiser
and a negotiator at once (logging out is left out there: it would end the sessions the next
requests use, and it has tests of its own).
"""

import tempfile

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import delete

from winset.consult.database import open_database
from winset.consult.models import Attempt
from winset.consult.store import Store
from winset.consult.web import create_app
from winset.consult.web.security import (
    CSRF_COOKIE,
    NEGOTIATOR_COOKIE,
    ORGANISER_COOKIE,
    PARTICIPANT_COOKIE,
    Signer,
)

schemathesis = pytest.importorskip("schemathesis")

KEY = b"s" * 32
CSRF = "fuzz-csrf-cookie"
TOKEN = Signer(KEY).csrf_token(CSRF)
FOLDER = tempfile.TemporaryDirectory(prefix="winset-fuzz-")  # lives as long as the module


def _site():
    store = Store.open(open_database(f"sqlite:///{FOLDER.name}/consult.db"), "kuril")
    organiser = store.add_organiser("mediator@example.org", "correct horse battery")
    consultation = store.open_consultation(organiser, "fuzz")
    joined = store.join_with_token(store.invite(store.societies(consultation)["russian_public"], 1)[0])
    negotiator = store.join_negotiator(store.invite_negotiator(consultation, "japan"))
    sessions = {
        PARTICIPANT_COOKIE: joined.secret,
        ORGANISER_COOKIE: store.open_organiser_session(organiser, 3600),
        NEGOTIATOR_COOKIE: negotiator,
    }
    return store, create_app(store, secret_key=KEY), sessions


STORE, APP, SESSIONS = _site()
ANONYMOUS = f"{CSRF_COOKIE}={CSRF}"
SIGNED_IN = "; ".join([ANONYMOUS, *(f"{name}={value}" for name, value in SESSIONS.items())])
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_makes_the_server_fail(case):
    with STORE.sessions.begin() as session:  # every attempt forgotten: no case is refused for the ones before
        session.execute(delete(Attempt))
    if case.media_type in FORMS and isinstance(case.body, dict):
        case.body["csrf"] = TOKEN
    ways = [{}, {"Cookie": ANONYMOUS}]
    if not case.path.endswith("/logout"):
        ways.append({"Cookie": SIGNED_IN})
    for headers in ways:
        response = case.call(headers=headers)
        assert response.status_code < 500, (case.method, case.formatted_path, case.body, response.status_code)

"""The consultation site: server-rendered pages (plain HTML forms, no script needed) for
participants, organisers and negotiators, and a small JSON API, put together from one router per
audience.

Participants join a society with an invitation code (or an allowed external id), then vote on the
proposals board and answer the conjoint survey, in their society's language. Organisers log in,
open consultations of the scenario the server runs, invite participants, post proposals, watch
each society's support and export the data (the survey in ``winset fit``'s format, the votes in
Polis's).
"""

from __future__ import annotations

import logging
import secrets

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from ...errors import WinsetError
from ..design_file import DesignFile
from ..store import Store
from ..store.base import DatabaseBusy
from . import api, health, negotiators, organisers, participants
from .dependencies import site_of as get_site
from .guard import Guard
from .participants import preferred
from .security import HEADERS, Signer
from .site import Site, redirect
from .text import words

RETRY_AFTER = 5  # seconds a visitor is asked to wait when the database is busy
ROUTERS = (health.router, api.router, participants.router, organisers.router, negotiators.router)  # most asked first


def create_app(
    store: Store,
    secret_key: bytes | None = None,
    secure_cookies: bool = False,
    public_url: str = "http://127.0.0.1:8000",
    server_headers: bool = False,
    survey_design: DesignFile | None = None,
) -> FastAPI:
    """The site for ``store``; ``secret_key`` signs CSRF tokens (random when not given: forms
    opened before a restart must be opened again; sessions are kept in the database);
    invitation links start with ``public_url``, never with the Host header a request brings.
    With ``server_headers``, the server adds :data:`~.security.HEADERS` to every response (as
    ``winset serve`` has uvicorn do), so the site does not. A ``survey_design`` (a file of
    ``winset design --field``) fills in the form that opens a consultation."""
    # no redirect to the path with a trailing slash: Starlette would build it from the Host header
    app = FastAPI(title="winset consultation", docs_url=None, redoc_url=None, redirect_slashes=False)
    app.add_middleware(Guard, headers={} if server_headers else HEADERS)
    app.state.site = Site(
        store, Signer(secret_key or secrets.token_bytes(32)), secure_cookies, public_url.rstrip("/"), survey_design
    )
    app.exception_handler(StarletteHTTPException)(_http_error)  # FastAPI's and Starlette's own (404, 405, ...)
    app.exception_handler(RequestValidationError)(_bad_value)
    app.exception_handler(WinsetError)(_user_error)
    app.exception_handler(OperationalError)(_unavailable)
    app.exception_handler(PoolTimeout)(_unavailable)
    app.exception_handler(DatabaseBusy)(_unavailable)
    for router in ROUTERS:
        app.include_router(router)
    return app


async def _http_error(request: Request, error: StarletteHTTPException) -> Response:
    """A refusal: JSON under /api/, the login page for an organiser's page without a session,
    else a page that says why."""
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": error.detail}, status_code=error.status_code)
    if error.status_code == 401 and request.url.path.startswith("/organiser"):
        return redirect("/organiser/login")
    return get_site(request).render(request, "message.html", status=error.status_code, message=error.detail)


async def _bad_value(request: Request, error: RequestValidationError) -> Response:
    """A form or body with a value that cannot be what its field holds (a count that is not a
    whole number, an id out of range): 400, with the fields named, in the visitor's language."""
    fields = ", ".join(dict.fromkeys(str(e["loc"][-1]) for e in error.errors() if e.get("loc"))) or "?"
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": f"invalid value: {fields}"}, status_code=400)
    site = get_site(request)
    language = preferred(request, site.store.scenario)
    return site.render(
        request, "message.html", language, status=400, message=words(language)["bad_value"].format(fields=fields)
    )


async def _unavailable(request: Request, error: Exception) -> Response:
    """The database is locked or cannot be reached: 503 with Retry-After, and nothing recorded
    (the request's transaction is rolled back), so the visitor can send it again."""
    logging.getLogger("winset.consult").warning("database unavailable: %s", type(error).__name__)
    headers = {"Retry-After": str(RETRY_AFTER)}
    text = "The consultation is busy. Please try again in a few seconds: nothing was saved."
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": text}, status_code=503, headers=headers)
    page = get_site(request).render(request, "message.html", status=503, message=text)
    page.headers.update(headers)
    return page


async def _user_error(request: Request, error: WinsetError) -> Response:
    """A request the consultation refused (a :class:`~winset.errors.WinsetError`): say why."""
    text = "; ".join(f"{p.location}: {p.message} ({p.fix})" for p in error.problems)
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": text}, status_code=400)
    return get_site(request).render(request, "message.html", status=400, message=text)

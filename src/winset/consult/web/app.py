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

import secrets

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, Response

from ...errors import WinsetError
from ..store import Store
from . import api, health, negotiators, organisers, participants
from .dependencies import get_site
from .security import Guard, Signer
from .site import Site, redirect

ROUTERS = (participants.router, organisers.router, negotiators.router, health.router, api.router)


def create_app(store: Store, secret_key: bytes | None = None, secure_cookies: bool = False) -> FastAPI:
    """The site for ``store``; ``secret_key`` signs organiser sessions and CSRF tokens (random
    when not given: organisers log in again after a restart; participants keep their sessions)."""
    app = FastAPI(title="winset consultation", docs_url=None, redoc_url=None)
    app.add_middleware(Guard)
    app.state.site = Site(store, Signer(secret_key or secrets.token_bytes(32)), secure_cookies)
    app.exception_handler(HTTPException)(_http_error)
    app.exception_handler(WinsetError)(_user_error)
    for router in ROUTERS:
        app.include_router(router)
    return app


async def _http_error(request: Request, error: HTTPException) -> Response:
    """A refusal: JSON under /api/, the login page for an organiser's page without a session,
    else a page that says why."""
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": error.detail}, status_code=error.status_code)
    if error.status_code == 401 and request.url.path.startswith("/organiser"):
        return redirect("/organiser/login")
    return get_site(request).render(request, "message.html", status=error.status_code, message=error.detail)


async def _user_error(request: Request, error: WinsetError) -> Response:
    """A request the consultation refused (a :class:`~winset.errors.WinsetError`): say why."""
    text = "; ".join(f"{p.location}: {p.message} ({p.fix})" for p in error.problems)
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": text}, status_code=400)
    return get_site(request).render(request, "message.html", status=400, message=text)

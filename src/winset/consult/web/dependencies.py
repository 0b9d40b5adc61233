"""What routes depend on: the site and its store, who the visitor is (a participant, an organiser,
a negotiator), the consultation an organiser owns, the CSRF check of a form, the client's address.

A route lists the dependencies that identify the visitor before :data:`CsrfChecked`, so that a
visitor without the session a route wants is refused for that (401) before their form is looked at.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import Depends, HTTPException, Path, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from ..store import Member, Store
from .security import CSRF_COOKIE, NEGOTIATOR_COOKIE, ORGANISER_COOKIE, PARTICIPANT_COOKIE
from .site import Site

MAX_ID = 2**31 - 1  # ids the databases store (a larger number in a URL names nothing)
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
NegotiatorSession = tuple[int, int, str]  # negotiator id, consultation id, party
T = TypeVar("T")


def site_of(request: Request) -> Site:
    """The site the request came to."""
    found: Site = request.app.state.site
    return found


async def get_site(request: Request) -> Site:
    """The site, as a dependency (async: no thread is taken for it)."""
    return site_of(request)


SiteDep = Annotated[Site, Depends(get_site)]


async def get_store(site: SiteDep) -> Store:
    """The store of the site's consultations."""
    return site.store


StoreDep = Annotated[Store, Depends(get_store)]


async def csrf_checked(request: Request, site: SiteDep) -> None:
    """Refuse a form unless its CSRF token matches the visitor's cookie."""
    token = (await request.form()).get("csrf")
    if not (isinstance(token, str) and site.signer.csrf_ok(request.cookies.get(CSRF_COOKIE), token)):
        raise HTTPException(403, "the form has expired or did not come from this site: reload the page")


CsrfChecked = Annotated[None, Depends(csrf_checked)]


def _holder(request: Request, cookie: str, holder_of: Callable[[str], T | None], refusal: str) -> T:
    """Who holds the session the request's ``cookie`` carries (``holder_of`` its value); a request
    without one is refused (401) with ``refusal``."""
    value = request.cookies.get(cookie)
    found = holder_of(value) if value else None
    if found is None:
        raise HTTPException(401, refusal)
    return found


NOT_JOINED = "join the consultation with your invitation code first"


async def member(request: Request, store: StoreDep) -> Member:
    """The participant whose session cookie the request carries, looked up in the database (so a
    session ended in any worker process opens nothing)."""
    secret = request.cookies.get(PARTICIPANT_COOKIE)
    found = await run_in_threadpool(store.participant, secret) if secret else None
    if found is None:
        raise HTTPException(401, NOT_JOINED)
    return found


Who = Annotated[Member, Depends(member)]


async def voter(request: Request) -> Member:
    """The participant casting a vote through the API: from memory once known (no thread, no
    query), since the vote writer checks the session again before it writes the vote."""
    store = site_of(request).store
    secret = request.cookies.get(PARTICIPANT_COOKIE)
    known = store.known_participant(secret) if secret else None
    if known is None and secret:
        known = await run_in_threadpool(store.participant, secret)
    if known is None:
        raise HTTPException(401, NOT_JOINED)
    return known


Model = TypeVar("Model", bound=BaseModel)
UTF8_BOM = b"\xef\xbb\xbf"


async def json_body(request: Request, model: type[Model]) -> Model:
    """The request's JSON body as ``model``, parsed and validated in one step (a route on the hot
    path reads its body this way rather than through FastAPI's body parameters, which cost it
    more than the rest of its work). A body that is not JSON in UTF-8 (RFC 8259; a leading byte
    order mark is ignored), or not ``model``, is refused as FastAPI refuses one
    (:class:`RequestValidationError`), and so is a request whose content type is not JSON
    (``application/json`` or ``application/...+json``); a body that did not arrive whole (the
    client went away) is a 400, not an error of the site."""
    kind = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if kind != "application/json" and not (kind.startswith("application/") and kind.endswith("+json")):
        raise RequestValidationError([{"type": "content_type", "loc": ("body",), "msg": "not JSON"}])
    try:
        body = await request.body()
    except ClientDisconnect:
        raise HTTPException(400, "the request did not arrive whole: send it again") from None
    try:
        return model.model_validate_json(body.removeprefix(UTF8_BOM))
    except ValidationError as error:  # a syntax error names no field: it is the body's
        raise RequestValidationError([e if e["loc"] else {**e, "loc": ("body",)} for e in error.errors()]) from None


def organiser(request: Request, site: SiteDep) -> int:
    """The id of the organiser whose session (open, on the server) the request's cookie carries."""
    return _holder(request, ORGANISER_COOKIE, site.store.organiser_of_session, "log in as an organiser")


OrganiserId = Annotated[int, Depends(organiser)]


def owned(consultation_id: Id, organiser_id: OrganiserId, store: StoreDep) -> int:
    """The consultation of the path, if the organiser owns it (else it is not found)."""
    if not store.owns(organiser_id, consultation_id):
        raise HTTPException(404, "no such consultation")
    return consultation_id


Owned = Annotated[int, Depends(owned)]


def negotiator(request: Request, store: StoreDep) -> NegotiatorSession:
    """The negotiator whose session cookie the request carries."""
    return _holder(request, NEGOTIATOR_COOKIE, store.negotiator, "open your negotiator's invitation link first")


NegotiatorOf = Annotated[NegotiatorSession, Depends(negotiator)]


def client_address(request: Request) -> str:
    """The client's address, as the guess limit counts failures by it."""
    return request.client.host if request.client else "unknown"


ClientAddress = Annotated[str, Depends(client_address)]

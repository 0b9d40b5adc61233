"""The site's outermost layer, around every route: a limit on each request's body before anything
reads it (and on the time it may take to arrive), the security headers on every response
(refusals and errors included), a plain page for an error no route expected, and one log line per
request without personal data.

``winset serve`` has uvicorn write the headers instead (on every response, its own answers to
requests too malformed to reach the site included), and this layer leaves them out.

It is plain ASGI rather than Starlette's ``BaseHTTPMiddleware``: it sees the body as it arrives
(a ``Content-Length`` over the limit is refused before a byte is read; a body sent without one is
counted as it streams and refused the moment it passes the limit) and it adds headers to every
response, including those an exception handler or this layer itself writes.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from typing import Any

from fastapi import HTTPException
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .security import HEADERS, ORGANISER_COOKIE

BODY_LIMIT = 64 * 1024  # bytes: a form or a JSON body
UPLOAD_LIMIT = 16 * 1024 * 1024  # bytes: a Polis export (a zip), the one upload the site takes
BODY_SECONDS = 30.0  # the time a body may take to arrive, from the request's start
UPLOAD_SECONDS = 300.0  # the same for an upload (16 MB over a slow line)
UPLOAD_ROUTE = re.compile(r"/organiser/consultations/[0-9]+/polis")  # the one route that takes an upload

log = logging.getLogger("winset.consult")


class BodyTooSlow(HTTPException):
    """A request body that did not arrive in time (408): a client sending it a byte at a time
    would otherwise hold its connection, and the route waiting for the body, for ever."""

    def __init__(self, seconds: float) -> None:
        super().__init__(408, f"the request did not arrive within {seconds:g} seconds: send it again")


class BodyTooLarge(HTTPException):
    """A request body over its route's limit (413): raised while the body is read, so that the
    route's own reading of it stops there."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request is larger than this page accepts ({limit // 1024:,} KB at most)")


async def body_limit(scope: Scope) -> int:
    """The largest body a request may bring: an upload's only on the upload route, and only for a
    visitor whose organiser session is open (checked before a byte of the body is read)."""
    upload = scope["method"] == "POST" and UPLOAD_ROUTE.fullmatch(scope["path"]) is not None
    return UPLOAD_LIMIT if upload and await run_in_threadpool(_organiser, scope) else BODY_LIMIT


def _organiser(scope: Scope) -> bool:
    """Whether the request carries an open organiser session."""
    cookie = Request(scope).cookies.get(ORGANISER_COOKIE)
    site = getattr(getattr(scope.get("app"), "state", None), "site", None)
    return bool(cookie and site is not None and site.store.organiser_of_session(cookie) is not None)


class Guard:
    """See the module documentation."""

    def __init__(self, app: ASGIApp, headers: dict[str, str] = HEADERS) -> None:
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]  # added where absent

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        limit = await body_limit(scope)
        status: list[int] = []

        async def send_guarded(message: Message) -> None:
            if message["type"] == "http.response.start":
                if self.headers:
                    present = {name.lower() for name, _ in message.get("headers", [])}
                    extra = [(k, v) for k, v in self.headers if k not in present]
                    message = {**message, "headers": [*message.get("headers", []), *extra]}
                status.append(message["status"])
            await send(message)

        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(scope, send_guarded, 413, BodyTooLarge(limit).detail)
        else:
            received = 0
            seconds = UPLOAD_SECONDS if limit > BODY_LIMIT else BODY_SECONDS
            deadline: float | None = asyncio.get_running_loop().time() + seconds  # None once the body is in

            async def receive_limited() -> Message:
                nonlocal received, deadline
                if deadline is None:  # the body is in: what comes now is the client going away
                    return await receive()
                try:
                    async with asyncio.timeout_at(deadline):
                        message = await receive()
                except TimeoutError:
                    raise BodyTooSlow(seconds) from None
                if message["type"] == "http.request":
                    received += len(message.get("body", b""))
                    if received > limit:
                        raise BodyTooLarge(limit)
                if not message.get("more_body", False):
                    deadline = None
                return message

            try:
                await self.app(scope, receive_limited, send_guarded)
            except Exception:  # a bug: logged here, and the visitor gets a plain page
                log.exception("error in %s %s", scope["method"], _route(scope))
                if not status:
                    text = "Something went wrong on the server. Please try again later."
                    await _refuse(scope, send_guarded, 500, text)
        log.info(
            "%s %s %d %.1f ms",
            scope["method"],
            _route(scope),
            status[0] if status else 0,
            (time.perf_counter() - started) * 1000,
        )


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _route(scope: Scope) -> str:
    """The route template (``/join/{token}``, never the token), once a route has matched."""
    route: Any = scope.get("route")
    return str(getattr(route, "path", "(no route)"))


async def _refuse(scope: Scope, send: Send, status: int, text: str) -> None:
    """Answer with ``text``: as the API's JSON ``{"detail": ...}`` under /api/, else as plain text."""
    if scope["path"].startswith("/api/"):
        body, kind = json.dumps({"detail": text}).encode(), b"application/json"
    else:
        body, kind = text.encode(), b"text/plain; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})

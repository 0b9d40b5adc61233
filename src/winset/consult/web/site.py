"""The site as its routes share it: the store, the key that signs sessions and CSRF tokens, the
limit on guessing, the page templates, and how a page or a redirect is answered.

One :class:`Site` is made by :func:`~winset.consult.web.app.create_app` and kept on the
application; routes reach it through the dependencies of :mod:`.dependencies`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from ..design_file import DesignFile
from ..store import Store
from .labels import Labels
from .security import CSRF_COOKIE, GuessLimit, Signer, new_csrf_cookie
from .text import words


def _pages() -> Environment:
    return Environment(loader=PackageLoader(__package__, "templates"), autoescape=select_autoescape(default=True))


@dataclass
class Site:
    store: Store
    signer: Signer
    secure_cookies: bool = False  # cookies over HTTPS only
    public_url: str = "http://127.0.0.1:8000"  # the site's address for participants: invitation links start with it
    survey_design: DesignFile | None = None  # what a new consultation's survey form starts from
    joins: GuessLimit = field(init=False)  # participants' invitation codes and external ids
    logins: GuessLimit = field(init=False)  # organisers' passwords
    negotiator_joins: GuessLimit = field(init=False)  # negotiators' invitations
    pages: Environment = field(default_factory=_pages)
    labels: Labels = field(init=False)

    def __post_init__(self) -> None:
        self.labels = Labels(self.store.scenario)
        self.joins = GuessLimit(self.store, "join", self.signer)
        self.logins = GuessLimit(self.store, "login", self.signer)
        self.negotiator_joins = GuessLimit(self.store, "negotiate", self.signer)

    def render(
        self, request: Request, name: str, language: str = "en", status: int = 200, **context: object
    ) -> HTMLResponse:
        """The page of template ``name`` in ``language``, with the visitor's CSRF token (and a
        CSRF cookie for a visitor who has none yet)."""
        cookie = request.cookies.get(CSRF_COOKIE) or new_csrf_cookie()
        body = self.pages.get_template(name).render(
            csrf=self.signer.csrf_token(cookie),
            w=words(language),
            lang=language,
            scenario=self.store.scenario,
            **context,
        )
        response = HTMLResponse(body, status_code=status)
        if CSRF_COOKIE not in request.cookies:
            response.set_cookie(CSRF_COOKIE, cookie, httponly=True, samesite="strict", secure=self.secure_cookies)
        return response

    def fresh_csrf(self, response: Response) -> None:
        """A new CSRF cookie for a visitor who has just logged in or joined: a token planted before
        (a cookie an attacker chose) is worth nothing after it."""
        response.set_cookie(
            CSRF_COOKIE, new_csrf_cookie(), httponly=True, samesite="strict", secure=self.secure_cookies
        )

    def logged_out(self, request: Request, cookie: str, end: Callable[[str], None], to: str) -> Response:
        """End the session the request's ``cookie`` carries (``end`` on its value, on the server)
        and forget the cookie, then go to ``to``."""
        value = request.cookies.get(cookie)
        if value:
            end(value)
        response = redirect(to)
        response.delete_cookie(cookie)
        return response

    def session_cookie(
        self, response: Response, name: str, value: str, samesite: Literal["lax", "strict"], max_age: int
    ) -> None:
        """Give a visitor their session: a cookie scripts cannot read, over HTTPS only if the site
        is served so."""
        response.set_cookie(name, value, httponly=True, samesite=samesite, secure=self.secure_cookies, max_age=max_age)


def redirect(url: str) -> RedirectResponse:
    """See other: where a form that did its work sends the browser."""
    return RedirectResponse(url, status_code=303)

"""What keeps the consultation site safe: signed organiser sessions, CSRF tokens, a limit on
guessing invitation tokens, security headers, and request logs without personal data.

- Sessions are random secrets in cookies that the database knows only hashed: an organiser's
  login (with its expiry, ended at logout or revocation), a participant's, a negotiator's; logging
  out ends one on the server at once.
- CSRF: every visitor gets a random ``csrf`` cookie; every form carries the HMAC of it (with the
  site's secret key), and every POST must bring a form field that matches its cookie (an attacker's
  page can send neither); logging in or joining gives a new cookie.
- Guessing: each client may fail ``GUESSES`` times per ``GUESS_WINDOW`` seconds at each of
  joining, an organiser's login and a negotiator's join (counted in the database). A client is
  its address, an IPv6 one by its /64 network (one subscriber's line, in which it may choose any
  address), and all the clients of one IPv6 /48 may fail ``NETWORK_GUESSES`` times together; the
  database keeps only the address's HMAC with the site's key, for as long as the window lasts.
- Headers, body limits and logs are :mod:`.guard`'s.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..store.accounts import Accounts

ORGANISER_COOKIE = "winset_organiser"
PARTICIPANT_COOKIE = "winset_participant"
NEGOTIATOR_COOKIE = "winset_negotiator"
CSRF_COOKIE = "winset_csrf"
SESSION_SECONDS = 8 * 3600
GUESSES = 10
NETWORK_GUESSES = 10 * GUESSES  # failures of all the clients in one IPv6 /48 together
GUESS_WINDOW = 60.0
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class Signer:
    def __init__(self, key: bytes) -> None:
        self.key = key

    def sign(self, text: str) -> str:
        return hmac.new(self.key, text.encode(), hashlib.sha256).hexdigest()

    def csrf_token(self, cookie: str) -> str:
        return self.sign(f"csrf:{cookie}")

    def csrf_ok(self, cookie: str | None, token: str | None) -> bool:
        if not cookie or not token:
            return False
        return hmac.compare_digest(self.csrf_token(cookie), token)


def new_csrf_cookie() -> str:
    return secrets.token_urlsafe(24)


def counted_network(address: str) -> str | None:
    """The /48 an IPv6 address is in (a site's allocation, often free for the asking: 65,536 /64s),
    whose clients together get ``NETWORK_GUESSES``; None for any other address."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if not isinstance(ip, ipaddress.IPv6Address) or ipaddress.IPv6Address(ip.packed).ipv4_mapped is not None:
        return None
    return str(ipaddress.IPv6Network((ipaddress.IPv6Address(ip.packed), 48), strict=False))


def counted_client(address: str) -> str:
    """The client a guess limit counts for an address: an IPv6 address's /64 network, an IPv4
    address mapped into IPv6 as the IPv4 one, anything else (an IPv4 address, a name) as it is."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        ip = ipaddress.IPv6Address(ip.packed)  # without a zone id (fe80::1%eth0), which the client may choose
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


Attempt = list[int]  # the records of one attempt: the client's, and its /48's for an IPv6 one


class GuessLimit:
    """Failed attempts of one purpose (joining, an organiser's login, a negotiator's join) per
    client in a sliding window, recorded in the database so that every worker process counts the
    same attempts and a restart forgets none (when the site's key is kept: ``WINSET_SECRET_KEY``);
    each purpose has its own count, so failed joins from an address never lock its organiser's
    login out."""

    def __init__(
        self, store: Accounts, purpose: str, signer: Signer, limit: int = GUESSES, window: float = GUESS_WINDOW
    ) -> None:
        self.store, self.purpose, self.signer, self.limit, self.window = store, purpose, signer, limit, window

    def attempt(self, address: str) -> Attempt | None:
        """Begin an attempt from ``address``: recorded first, then counted with every other (so
        that of any number sent at once, at most ``limit`` are tried); None when its client has
        used its attempts. An attempt that succeeds is then :meth:`forgotten <forget>`; one that
        fails stays counted."""
        counts = [(self.purpose, counted_client(address), self.limit)]
        if (network := counted_network(address)) is not None:
            counts.append((f"{self.purpose}/48", network, NETWORK_GUESSES))
        attempt: Attempt = []
        for purpose, client, limit in counts:
            key = self.signer.sign(f"client:{client}")  # the database never sees the address
            attempt.append(self.store.record_attempt(purpose, key, self.window))
            if self.store.attempts(purpose, key, self.window) > limit:
                self.forget(attempt)  # refused, not tried: the record stays small
                return None
        return attempt

    def forget(self, attempt: Attempt) -> None:
        for recorded in attempt:
            self.store.forget_attempt(recorded)

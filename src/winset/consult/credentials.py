"""What an organiser's login must be: an e-mail address and a password of 12 characters or more.

Checked where an account is made, before anything is written, so that every caller (the store, the
command line) refuses the same things in the same words.
"""

from __future__ import annotations

import re

from ..errors import Problem

PASSWORD_LENGTH = 12
EMAIL_LENGTH = 320  # the longest address the database keeps (and the standards allow)
EMAIL = re.compile(r"[^@\s]+@[^@\s]+")  # one @ between two parts, no spaces: the rest is the mail server's


def normal_email(email: str) -> str:
    """The address as logins compare it: without surrounding spaces, in lower case."""
    return email.strip().lower()


def email_problems(email: str) -> list[Problem]:
    address = normal_email(email)
    if EMAIL.fullmatch(address) and len(address) <= EMAIL_LENGTH:
        return []
    shown = address if len(address) <= 60 else address[:57] + "..."
    fix = "give the organiser's e-mail address, e.g. mediator@example.org"
    return [Problem("email", f"'{shown}' is not an e-mail address", fix)]


def password_problems(password: str, source: str = "password") -> list[Problem]:
    """What is wrong with a password (``source`` names where it came from, for the message)."""
    if len(password) >= PASSWORD_LENGTH:
        return []
    return [Problem(source, f"shorter than {PASSWORD_LENGTH} characters", "choose a longer password")]

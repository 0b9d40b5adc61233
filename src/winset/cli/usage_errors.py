"""Mistakes on the command line itself (an unknown option, a value out of range, a missing
argument) said as every other user error is: the place, what is wrong and the fix, exit 2, and
with ``--json`` a JSON document on standard output, never a box drawn on standard error."""

from __future__ import annotations

from typing import Any

import typer

from ..errors import Problem, WinsetError
from .common import print_json, print_problems, stderr


def is_usage_error(error: BaseException) -> bool:
    """Whether ``error`` is click's complaint about the command line (typer vendors click, so the
    class is matched by name). Asking for help with no arguments is not a mistake."""
    names = [kind.__name__ for kind in type(error).__mro__]
    return "UsageError" in names and "NoArgsIsHelpError" not in names


def usage_problem(error: Any, command: str) -> Problem:
    """The mistake as a problem located at the option or argument it concerns."""
    param = getattr(error, "param", None)
    message = str(getattr(error, "message", "") or "") or error.format_message()
    if param is not None:
        opts = [o for o in getattr(param, "opts", []) if o.startswith("-")]
        where = " / ".join(opts) if opts else (param.metavar or param.name or "").upper()
    else:
        where = getattr(error, "option_name", None) or command
    message = message.removeprefix("Value error, ").removeprefix("value error, ")  # pydantic's, for a ValueError
    message = (
        message.replace(". Did you mean", " (did you mean").replace("?", "?)")
        if ". Did you mean" in message
        else message
    )
    return Problem(where, (message[:1].lower() + message[1:]).rstrip("."), f"see '{command} --help'")


def report(error: Any, command: str, args: list[str]) -> None:
    """Say the mistake and exit 2."""
    failure = WinsetError([usage_problem(error, command)])
    if "--json" in args:
        print_json({"ok": False, "problems": [p.__dict__ for p in failure.problems], "source": None})
    else:
        print_problems(stderr(), failure)
    raise typer.Exit(2)

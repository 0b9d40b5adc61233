"""User-facing errors: every problem carries where it is and how to fix it.

Library code raises these; the command line prints them and exits with code 2. Anything else that
escapes is a bug in winset, not a problem with the user's input.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One problem in the user's input.

    ``location`` says where (``issues[2].options[1].id``, or ``line 3, column 5`` for TOML syntax;
    list indices count from 0), ``message`` what is wrong, ``fix`` what to do about it.
    """

    location: str
    message: str
    fix: str

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        return f"{where}{self.message}\n    fix: {self.fix}"


class WinsetError(Exception):
    """Base of every error caused by the user's input (exit code 2 on the command line)."""

    exit_code = 2

    def __init__(self, problems: Sequence[Problem], source: str | Path | None = None):
        self.problems = list(problems)
        self.source = str(source) if source is not None else None
        super().__init__(self._render())

    @property
    def headline(self) -> str:
        n = len(self.problems)
        what = f"{n} problem" + ("" if n == 1 else "s")
        return f"{self.source}: {what}" if self.source else what

    def _render(self) -> str:
        return "\n".join([self.headline, *(f"  {p}" for p in self.problems)])


class ScenarioError(WinsetError):
    """A scenario file (or dictionary) that cannot be used; lists every problem found."""


class PackageError(WinsetError, ValueError):
    """A package given as text (or codes) that does not fit the package space."""


class EngineError(WinsetError, ValueError):
    """An analysis of a deal problem asked for what cannot be done: an unknown method or criterion,
    a confidence level out of range, a problem the engine cannot represent exactly."""


class NegotiationError(WinsetError, ValueError):
    """A simulated negotiation (talks, delegates, experiments, Monte Carlo runs) given options it
    cannot use, or a scenario it cannot be run on."""


class ModelError(WinsetError, ValueError):
    """A support model or simulated population given parameters or values it cannot use."""


class OpinionError(WinsetError, ValueError):
    """Opinion groups asked of votes that cannot make them, or with options they cannot use."""


class NotFittedError(WinsetError, AttributeError):
    """A model used before it was fitted."""

    def __init__(self, model: object, use: str):
        name = type(model).__name__
        super().__init__([Problem(name, f"the {name} is not fitted yet, so it cannot {use}", f"call {name}.fit first")])


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """Return `` (did you mean 'x'?)`` for the closest known name, or an empty string."""
    known = [k for k in known if isinstance(k, str)]
    close = difflib.get_close_matches(str(word), known, n=1, cutoff=0.6)
    if not close:
        lowered = {k.lower(): k for k in known}
        if str(word).lower() in lowered:
            close = [lowered[str(word).lower()]]
    return f" (did you mean '{close[0]}'?)" if close else ""


def known_list(known: Iterable[str], limit: int = 12) -> str:
    """Quote known names for a fix text, shortened to ``limit`` names."""
    names = [f"'{k}'" for k in known]
    if len(names) > limit:
        names = [*names[:limit], f"... ({len(names) - limit} more)"]
    return ", ".join(names) if names else "(none)"

"""Writing the report without ever losing a user's file.

A report replaces an existing file only if that file is itself a winset report (its
``<meta name="generator">`` says so) or the user asks with ``force``; it is written to a temporary
file beside the target first and moved into place, so a failed write leaves the old file whole.
"""

from __future__ import annotations

from pathlib import Path

from ..atomic import write_atomic
from ..errors import Problem, WinsetError
from .html import GENERATOR

MARKER = f'<meta name="generator" content="{GENERATOR} '.encode()
HEAD_BYTES = 4096


class OutputError(WinsetError):
    """The report cannot be written where the user asked."""


def default_path(scenario_id: str) -> Path:
    """Where a report goes unless told: ``<scenario id>-report.html`` in the working folder."""
    return Path(f"{scenario_id}-report.html")


def is_report(path: Path) -> bool:
    with path.open("rb") as handle:
        return MARKER in handle.read(HEAD_BYTES)


def check_writable(path: Path, force: bool) -> None:
    """Refuse, before any work is done, to write where the report cannot or must not go."""
    if path.suffix.lower() not in (".html", ".htm"):
        raise OutputError([Problem(str(path), "a report is an HTML file", "use a file name ending in .html")])
    if not path.parent.is_dir():
        raise OutputError(
            [Problem(str(path), "the folder does not exist", "create the folder first, or choose another --out")]
        )
    if path.is_dir():
        raise OutputError([Problem(str(path), "is a folder", "name the report file, e.g. report.html")])
    if path.exists() and not force and not is_report(path):
        raise OutputError(
            [
                Problem(
                    str(path),
                    "a file that is not a winset report is already there",
                    "choose another --out, or pass --force to replace it",
                )
            ]
        )


def write_report(text: str, path: Path, force: bool = False) -> Path:
    """Write the page to ``path`` (see the module's rules); returns the absolute path."""
    check_writable(path, force)
    write_atomic(path, text.encode("utf-8"))
    return path.resolve()

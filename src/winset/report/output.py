"""Writing the report without ever losing a user's file.

A report replaces an existing file only if that file is itself a winset report (its
``<meta name="generator">`` says so) or the user asks with ``force``; it is written to a temporary
file beside the target first and moved into place, so a failed write leaves the old file whole.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

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


def _mode(path: Path) -> int:
    """The replaced file's permissions, or a new file's (0o666 less the umask)."""
    if path.exists():
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_report(text: str, path: Path, force: bool = False) -> Path:
    """Write the page to ``path`` (see the module's rules); returns the absolute path."""
    check_writable(path, force)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, _mode(path))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path.resolve()

"""Writing the report without ever losing a user's file (the policy of :mod:`winset.outputs`).

A report replaces an existing file only if that file is itself a winset report (its
``<meta name="generator">`` says so) or the user asks with ``force``, and never a file the
command reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..outputs import Output, OutputError, has_mark
from .html import GENERATOR

__all__ = ["OutputError", "check_writable", "default_path", "report_output", "write_report"]

MARKER = f'<meta name="generator" content="{GENERATOR} '.encode()


def default_path(scenario_id: str) -> Path:
    """Where a report goes unless told: ``<scenario id>-report.html`` in the working folder."""
    return Path(f"{scenario_id}-report.html")


def report_output(path: Path, force: bool = False, inputs: Sequence[Path] = ()) -> Output:
    """The report as an output: an HTML file, replacing only a winset report unless forced."""
    return Output(Path(path), "report", "--out", (".html", ".htm"), has_mark(MARKER), tuple(inputs), force)


def check_writable(path: Path, force: bool, inputs: Sequence[Path] = ()) -> None:
    """Refuse, before any work is done, to write where the report cannot or must not go."""
    report_output(path, force, inputs).check()


def write_report(text: str, path: Path, force: bool = False, inputs: Sequence[Path] = ()) -> Path:
    """Write the page to ``path`` atomically (see the module's rules); returns the absolute path."""
    return report_output(path, force, inputs).write(lambda temporary: temporary.write_text(text, encoding="utf-8"))

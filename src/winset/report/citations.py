"""Sources as a reader of the report can follow them. A scenario cites its fact sheets by file
(``[README.md "1956-10-19"]``, the passage of ``data/README.md`` holding that phrase) and its polls
by line (``[polls.csv:41]``), which mean nothing to someone holding only the report. A fact sheet
is shown as its title (its first heading) and the quoted phrase, a poll as its pollster and
fieldwork dates, in parentheses; a file or line winset cannot find is left as written."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from ..errors import ScenarioError
from ..scenario import Scenario
from ..scenario.polls import Polls, read_polls

CITATION = re.compile(r'\[?(?P<file>(?:[\w.-]+/)*[\w.-]+\.md)(?:\s+"(?P<phrase>[^"]*)")?\]?')
POLL = re.compile(r"\[(?P<file>(?:[\w.-]+/)*[\w.-]+\.csv):(?P<line>\d+)\]")


def readable(scenario: Scenario, text: str) -> str:
    """``text`` with each citation of a Markdown fact sheet of the scenario given by its title."""

    def title_of(found: re.Match[str]) -> str:
        title = _title(scenario, found["file"])
        if title is None:
            return found[0]
        return f'({title}: "{found["phrase"]}")' if found["phrase"] else f"({title})"

    def poll_of(found: re.Match[str]) -> str:
        row = _poll(scenario, found["file"], int(found["line"]))
        named = [row.get(column) for column in ("pollster", "fieldwork")] if row else []
        return f"({', '.join(v for v in named if v)})" if any(named) else found[0]

    return POLL.sub(poll_of, CITATION.sub(title_of, text))


def _found(scenario: Scenario, name: str) -> list[Path]:
    """Where a cited file may be: beside the scenario, or in its data folder (where a scenario's
    comments say ``README.md`` for ``data/README.md``)."""
    return [scenario.data_path(name), scenario.data_path(str(Path("data") / name))]


def _poll(scenario: Scenario, name: str, line: int) -> dict[str, str | None] | None:
    """The row on line ``line`` of the polls file ``name``, if there is one."""
    for path in _found(scenario, name):
        polls = _polls(path)
        if polls is not None:
            return polls.row(line)
    return None


@functools.lru_cache(maxsize=16)
def _polls(path: Path) -> Polls | None:
    """A polls file, read once however often it is cited; None where it cannot be read."""
    try:
        return read_polls(path) if path.is_file() else None
    except ScenarioError:
        return None


def _title(scenario: Scenario, name: str) -> str | None:
    """The first heading of the fact sheet ``name``."""
    for path in _found(scenario, name):
        heading = _heading(path)
        if heading:
            return heading
    return None


@functools.lru_cache(maxsize=64)
def _heading(path: Path) -> str | None:
    """The first heading of a Markdown file, read once however often it is cited."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    return next((line.lstrip("#").strip() for line in lines if line.startswith("# ")), None)

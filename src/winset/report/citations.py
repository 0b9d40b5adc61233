"""Sources as a reader of the report can follow them: a scenario cites its fact sheets by file
(``[README.md "1956-10-19"]``, the passage of ``data/README.md`` holding that phrase), which means
nothing to someone holding only the report. Such a citation is shown as the fact sheet's title
(its first heading) and the quoted phrase, in parentheses; a file winset cannot find is left as
written."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from ..scenario import Scenario

CITATION = re.compile(r'\[?(?P<file>(?:[\w.-]+/)*[\w.-]+\.md)(?:\s+"(?P<phrase>[^"]*)")?\]?')


def readable(scenario: Scenario, text: str) -> str:
    """``text`` with each citation of a Markdown fact sheet of the scenario given by its title."""

    def title_of(found: re.Match[str]) -> str:
        title = _title(scenario, found["file"])
        if title is None:
            return found[0]
        return f'({title}: "{found["phrase"]}")' if found["phrase"] else f"({title})"

    return CITATION.sub(title_of, text)


def _title(scenario: Scenario, name: str) -> str | None:
    """The first heading of the fact sheet ``name``: beside the scenario, or in its data folder
    (where a scenario's comments say ``README.md`` for ``data/README.md``)."""
    for path in (scenario.data_path(name), scenario.data_path(str(Path("data") / name))):
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

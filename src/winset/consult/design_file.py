"""The survey design file that ``winset design --field`` writes (``RATIFIER-survey.toml``), read
back for the consultation site: ``winset serve --survey-design FILE`` opens every new
consultation's form with its tasks, profiles and repeated task.

The file is a few top-level keys::

    tasks = 6            # tasks per respondent, 1..50
    profiles = 2         # profiles per task, 1..5
    shuffle_issues = true  # the site always shuffles: false is refused
    repeat = 1           # optional: the task asked again at the end, profiles swapped (0: none)
    respondents = 2170   # optional: the size the design was made for (for the record)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import files
from ..errors import Problem, WinsetError, known_list
from .tasks import SurveyDesign

KEYS = ("tasks", "profiles", "shuffle_issues", "repeat", "respondents")


@dataclass(frozen=True)
class DesignFile:
    """A survey design as read from its file."""

    design: SurveyDesign
    respondents: int | None  # the size the design was made for, if the file says
    source: str  # the file's name


def read_design_file(path: str | Path) -> DesignFile:
    """The survey design of a design file; every problem with it at once, located by key."""
    document = files.read_toml(path)
    problems = [
        Problem(key, "not a key of a survey design", f"use {known_list(list(KEYS))}")
        for key in document
        if key not in KEYS
    ]
    tasks = _count(document, "tasks", problems, required=True)
    profiles = _count(document, "profiles", problems, required=True)
    repeat = _count(document, "repeat", problems, least=0)
    respondents = _count(document, "respondents", problems)
    if document.get("shuffle_issues", True) is not True:
        problems.append(
            Problem(
                "shuffle_issues",
                f"must be true, got {document['shuffle_issues']!r}: the site lists the issues in a new order for "
                "each participant, so that no issue gains from always being read first",
                "write shuffle_issues = true, or leave it out",
            )
        )
    if problems:
        raise WinsetError(problems, source=path)
    assert tasks is not None and profiles is not None  # required above
    try:
        design = SurveyDesign(tasks, profiles, repeat=repeat or 0)
    except WinsetError as error:
        raise WinsetError(error.problems, source=path) from None
    return DesignFile(design, respondents, Path(path).name)


def _count(
    document: dict[str, Any], key: str, problems: list[Problem], required: bool = False, least: int = 1
) -> int | None:
    """A whole number of at least ``least`` under ``key`` (None where it is absent and may be)."""
    if key not in document:
        if required:
            problems.append(Problem(key, "missing", f"add {key} = a whole number (winset design --field writes it)"))
        return None
    value = document[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        problems.append(
            Problem(key, f"must be a whole number of at least {least}, got {value!r}", f"write e.g. {key} = 2")
        )
        return None
    return value

"""What every cross-reference check shares: the document being checked and the problems found so
far, the issues and status quo that other parts refer to, labels and their languages, unique ids,
and the polls files read (each once).

Checks read the raw document, so every lookup here skips whatever is not the table or list it
should be: the structural validation reports that.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TypeGuard

from ... import files
from ...errors import Problem, ScenarioError, did_you_mean, known_list
from .. import polls
from ..problems import context, format_location

Loc = tuple[str | int, ...]  # where in the document: ("parties", 0, "ratifiers", 1, "id")


def table_list(node: Any, key: str) -> list[tuple[int, Mapping[str, Any]]]:
    """(index, table) pairs of a list of tables, skipping anything that is not a table."""
    value = node.get(key) if isinstance(node, Mapping) else None
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, Mapping)]


def table_at(node: Any, key: str) -> Mapping[str, Any]:
    """The table under ``key``, or an empty one if there is none."""
    value = node.get(key) if isinstance(node, Mapping) else None
    return value if isinstance(value, Mapping) else {}


def item_id(item: Mapping[str, Any]) -> str | None:
    """An item's id, if it is a text."""
    value = item.get("id")
    return value if isinstance(value, str) else None


def ids(items: Iterable[tuple[int, Mapping[str, Any]]]) -> list[str]:
    """The ids of the tables (from :func:`table_list`) that have one, in order."""
    return [name for _, item in items if (name := item_id(item))]


def is_number(value: Any) -> TypeGuard[float]:
    """A TOML integer or float (a boolean is not a number)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class Checks:
    """The document being checked and every problem found in it, in the order found."""

    def __init__(self, document: Mapping[str, Any], base_dir: Path):
        self.doc = document
        self.base_dir = base_dir
        self.problems: list[Problem] = []
        self.options: dict[str, list[str]] = {}  # issue id -> option ids, for issues that parse
        self.status: dict[str, str] | None = None  # the status quo, when it is complete and valid
        langs = table_at(document, "scenario").get("languages", ["en"])
        self.langs = [x for x in langs if isinstance(x, str)] if isinstance(langs, list) else []
        self.polls_read: dict[Path, polls.Polls | None] = {}  # None: reported, not to be read

    def add(self, loc: Loc, message: str, fix: str) -> None:
        self.problems.append(Problem(format_location(loc), context(self.doc, loc) + message, fix))

    def label(self, loc: Loc, label: Any) -> None:
        """A label table must give every declared language and no other."""
        if not isinstance(label, Mapping) or not self.langs:
            return
        for lang in label:
            if lang not in self.langs:
                self.add(
                    (*loc, lang),
                    f"label in language '{lang}', which scenario.languages does not declare"
                    + did_you_mean(lang, self.langs),
                    f"use one of {known_list(self.langs)}, or add '{lang}' to scenario.languages",
                )
        missing = [lang for lang in self.langs if lang not in label]
        if missing:
            additions = ", ".join(f'{lang} = "..."' for lang in missing)
            self.add(
                loc,
                f"label has no text in {known_list(missing)}",
                f"add {additions} (scenario.languages asks for every label in each)",
            )

    def unique_ids(self, prefix: Loc, items: list[tuple[int, Mapping[str, Any]]], what: str) -> None:
        self.duplicates([((*prefix, i, "id"), name) for i, item in items if (name := item_id(item))], what)

    def duplicates(self, entries: list[tuple[Loc, str]], what: str) -> None:
        first: dict[str, Loc] = {}
        for loc, value in entries:
            if value in first:
                self.add(
                    loc,
                    f"duplicate {what} id '{value}' (first at {format_location(first[value])})",
                    f"give every {what} its own id",
                )
            else:
                first[value] = loc

    def issue_ref(self, loc: Loc, issue: str) -> bool:
        if issue in self.options:
            return True
        self.add(
            loc,
            f"unknown issue '{issue}'{did_you_mean(issue, self.options)}",
            f"use one of the issues defined in [[issues]]: {known_list(self.options)}",
        )
        return False

    def option_ref(self, loc: Loc, issue: str, option: Any) -> bool:
        if not isinstance(option, str) or option in self.options[issue]:
            return isinstance(option, str)
        self.add(
            loc,
            f"issue '{issue}' has no option '{option}'{did_you_mean(option, self.options[issue])}",
            f"use one of its options: {known_list(self.options[issue])}",
        )
        return False

    def read_polls(self, loc: Loc, path: Path, relative: str) -> polls.Polls | None:
        """A polls file (read once), or None with a problem if it cannot be read."""
        if path not in self.polls_read:
            try:
                self.polls_read[path] = polls.read_polls(path)
            except ScenarioError as error:
                for problem in error.problems:
                    self.add(loc, files.cited(relative, path, problem), problem.fix)
                self.polls_read[path] = None
        return self.polls_read[path]


def languages(check: Checks) -> None:
    """The scenario's languages, each once, and its title in each."""
    check.duplicates([(("scenario", "languages", i), x) for i, x in enumerate(check.langs)], "language")
    check.label(("scenario", "title"), table_at(check.doc, "scenario").get("title"))

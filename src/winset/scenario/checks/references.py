"""The data files a scenario names: each ratifier's survey and polls file must be a readable
regular file within its size limit, and ``polls_where`` must name columns of the polls file and
select at least one of its rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ... import files
from ...errors import ScenarioError, did_you_mean, known_list
from .common import Checks, Loc


def data_files(check: Checks, loc: Loc, data: Mapping[str, Any], present: bool, prior: bool = False) -> None:
    """A ratifier's data table names a survey or polls file (or the ratifier has a ``prior``), and
    each file it names can be read."""
    if not present:
        return  # the structural check reports the missing table
    if not isinstance(data.get("survey"), str) and not isinstance(data.get("polls"), str) and not prior:
        check.add(
            loc,
            "no data source: a support model learns from a survey, from polls, or from a prior",
            'add survey = "file.csv" (respondent-level conjoint data), polls = "polls.csv" (published toplines), '
            "or a [prior] (an elicitation or a published table)",
        )
    if "polls_where" in data and "polls" not in data:
        check.add(
            (*loc, "polls_where"),
            "polls_where is given but there is no polls file",
            'add polls = "polls.csv", or remove polls_where',
        )
    for key in ("survey", "polls"):
        relative = data.get(key)
        if not isinstance(relative, str) or not relative:
            continue
        path = check.base_dir / relative
        try:
            found = files.kind(path, ScenarioError)
        except ScenarioError as error:
            for p in error.problems:
                check.add((*loc, key), p.message, p.fix)
            continue
        if found == "folder":
            check.add((*loc, key), f"'{files.shown(relative)}' is a folder, not a file", "name the data file itself")
        elif found == "missing":
            check.add(
                (*loc, key),
                f"data file '{files.shown(relative)}' does not exist (looked for {files.shown(path)})",
                "check the spelling; paths are relative to the folder of the scenario file",
            )
        elif not readable(check, (*loc, key), path, relative, files.TABLE_BYTES if key == "polls" else None):
            continue
        elif key == "polls" and isinstance(data.get("polls_where"), Mapping):
            poll_selection(check, (*loc, "polls_where"), path, relative, data["polls_where"])


def readable(check: Checks, loc: Loc, path: Path, relative: str, limit: int | None) -> bool:
    """Whether a data file is a regular file within its size limit; else a problem."""
    try:
        files.check_file(path, limit, ScenarioError)
    except ScenarioError as error:
        for problem in error.problems:
            check.add(loc, files.cited(relative, path, problem), problem.fix)
        check.polls_read[path] = None  # reported: not to be read
        return False
    return True


def poll_selection(check: Checks, loc: Loc, path: Path, relative: str, where: Mapping[str, Any]) -> None:
    """polls_where must name columns of the polls file and select at least one row."""
    found = check.read_polls((*loc[:-1], "polls"), path, relative)  # the file's problems at data.polls
    if found is None:
        return
    columns, rows = found.columns, found.rows
    unknown = [column for column in where if column not in columns]
    for column in unknown:
        check.add(
            (*loc, column),
            f"'{relative}' has no column '{column}'{did_you_mean(column, columns)}",
            f"use one of its columns: {known_list(columns)}",
        )
    if unknown or not where:
        return
    if not any(all(row[c] == str(v) for c, v in where.items()) for row in rows):
        seen = {c: sorted({row[c] or "" for row in rows}) for c in where}  # None: a short row's missing cell
        check.add(
            loc,
            f"no row of '{relative}' has " + " and ".join(f"{c}={v}" for c, v in where.items()),
            "values in the file: " + "; ".join(f"{c}: {known_list(vals)}" for c, vals in seen.items()),
        )

"""Conjoint data in the wide layouts surveys export, as the long table winset reads (one row per
profile shown: respondent, task, profile, a column per attribute, the answer).

Two layouts:

- **Qualtrics with the Conjoint Survey Design Tool** (:func:`from_qualtrics`): one row per
  respondent; ``F-t-a`` holds the name of the attribute shown in position ``a`` of task ``t`` (the
  tool randomises their order), ``F-t-p-a`` its level in profile ``p``; the choice of each task is a
  survey question whose answer is the chosen profile's number (``1``, ``2``, ...). Qualtrics puts
  one or two rows of question texts and import ids under the header: they are dropped.
- **Wide columns by pattern** (:func:`from_wide`), as cregg's ``cj_tidy`` reads them: a column per
  attribute, task and profile named by a pattern such as ``{feature}_{task}_{profile}``, and a
  column per task with the chosen profile's number (``choice_{task}``) or one per task and profile
  with a 0/1 or rating answer (``{outcome}_{task}_{profile}``).

Both give the columns ``respondent``, ``task``, ``profile``, the attributes (by name), the answer
column (``chosen``: 1 for the chosen profile, else 0; or, with an outcome pattern, the answer under
the pattern's leading text: ``rating`` for ``rating_{task}_{profile}``), and any respondent
columns asked for, in respondent, task, profile order. :func:`mark_repeat` marks a last task that
asks an earlier one again (its profiles swapped) in a column ``repeats``, as winset's measurement
error estimators read it.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import Problem
from .data import ConjointError

QUALTRICS_NAME = re.compile(r"^F-(\d+)-(\d+)$")
QUALTRICS_LEVEL = re.compile(r"^F-(\d+)-(\d+)-(\d+)$")


def from_qualtrics(
    frame: pd.DataFrame, responses: Sequence[str], respondent: str | None = None, keep: Sequence[str] = ()
) -> pd.DataFrame:
    """The long table of a Qualtrics export (see the module text). ``responses`` are the choice
    questions of tasks 1, 2, ... in order; ``respondent`` the id column (default: ``ResponseId``
    if there is one, else the row number); ``keep`` respondent columns to carry along."""
    frame = without_qualtrics_headers(frame)
    names = {tuple(map(int, m.groups())): c for c in frame.columns if (m := QUALTRICS_NAME.match(str(c)))}
    levels = {tuple(map(int, m.groups())): c for c in frame.columns if (m := QUALTRICS_LEVEL.match(str(c)))}
    problems = _missing(frame, [*responses, *keep, *([respondent] if respondent else [])])
    if not levels:
        problems.append(
            Problem(
                "header", "no F-t-p-a columns (the Conjoint Survey Design Tool's levels)", "export the embedded data"
            )
        )
    if problems:
        raise ConjointError(problems)
    tasks = sorted({t for t, _, _ in levels})
    profiles = sorted({p for _, p, _ in levels})
    if len(responses) != len(tasks):
        raise ConjointError(
            [
                Problem(
                    "responses",
                    f"{len(responses)} choice questions for the {len(tasks)} tasks of the export",
                    "name one choice question per task, in task order",
                )
            ]
        )
    ids = _ids(frame, respondent if respondent else ("ResponseId" if "ResponseId" in frame.columns else None))
    rows, problems = [], _repeated_ids(ids)
    choices = {question: _choices(frame, question, len(profiles), problems) for question in responses}
    attributes: set[str] | None = None
    for i, row in enumerate(frame.itertuples(index=False)):
        record = dict(zip(frame.columns, row, strict=True))
        for t, question in zip(tasks, responses, strict=True):
            chosen = choices[question][i]
            if chosen == 0:
                continue  # a task not answered (or refused above): no choice to learn from
            positions = sorted(a for tt, a in names if tt == t)
            shown = {str(record[names[t, a]]) for a in positions}
            if attributes is None:
                attributes = shown
            elif shown != attributes:
                problems.append(
                    Problem(
                        f"row {i + 1}, task {t}",
                        f"shows the attributes {sorted(shown)}, not those of the first task {sorted(attributes)}",
                        "export the same attributes in every task (their order may differ)",
                    )
                )
                continue
            for p in profiles:
                out = {"respondent": ids[i], "task": t, "profile": p}
                for a in positions:
                    column = levels.get((t, p, a))
                    level = record.get(column) if column else None
                    if column is None or level is None or str(level).strip() == "":
                        problems.append(
                            Problem(
                                f"row {i + 1}, column 'F-{t}-{p}-{a}'",
                                "has no level",
                                "export every profile's levels (the Conjoint Survey Design Tool's embedded data)",
                            )
                        )
                    out[str(record[names[t, a]])] = level
                out["chosen"] = int(chosen == p)
                out.update({c: record[c] for c in keep})
                rows.append(out)
    if problems:
        raise ConjointError(problems[:20])
    return pd.DataFrame(rows)


def from_wide(
    frame: pd.DataFrame,
    features: Sequence[str],
    tasks: int,
    profiles: int,
    pattern: str = "{feature}_{task}_{profile}",
    choice: str | None = "choice_{task}",
    outcome: str | None = None,
    respondent: str | None = None,
    keep: Sequence[str] = (),
) -> pd.DataFrame:
    """The long table of wide data whose columns ``pattern`` names (see the module text): the
    answer from ``choice`` (a column per task, the chosen profile's number) or from ``outcome`` (a
    pattern with ``{task}`` and ``{profile}``: a column per profile, its answer)."""
    if (choice is None) == (outcome is None):
        raise ConjointError([Problem("answer", "give either choice or outcome", "name how the answer is stored")])
    problems = _pattern_problems("--pattern", pattern, ("feature", "task", "profile"))
    if choice is not None:
        problems += _pattern_problems("--choice", choice, ("task",))
    if outcome is not None:
        problems += _pattern_problems("--outcome", outcome, ("task", "profile"))
    twice = sorted({f for f in features if list(features).count(f) > 1})
    if twice:
        problems.append(Problem("--features", f"names {twice} more than once", "name each attribute once"))
    if problems:
        raise ConjointError(problems)
    needed = [
        pattern.format(feature=f, task=t, profile=p)
        for f in features
        for t in range(1, tasks + 1)
        for p in range(1, profiles + 1)
    ]
    if choice is not None:
        needed += [choice.format(task=t) for t in range(1, tasks + 1)]
    else:
        assert outcome is not None
        needed += [outcome.format(task=t, profile=p) for t in range(1, tasks + 1) for p in range(1, profiles + 1)]
    problems = _missing(frame, [*needed, *keep, *([respondent] if respondent else [])])
    if problems:
        raise ConjointError(problems[:20])
    ids = _ids(frame, respondent)
    answer = answer_name(outcome) if outcome is not None else "chosen"
    problems = _repeated_ids(ids)
    order = np.arange(len(frame))
    pieces = []
    for t in range(1, tasks + 1):
        chosen = _choices(frame, choice.format(task=t), profiles, problems) if choice is not None else None
        for p in range(1, profiles + 1):
            piece = pd.DataFrame({"row": order, "respondent": ids, "task": t, "profile": p})
            for f in features:
                piece[f] = frame[pattern.format(feature=f, task=t, profile=p)].to_numpy()
            if chosen is not None:
                piece["chosen"] = (chosen == p).astype(int)
            else:
                assert outcome is not None
                piece[answer] = frame[outcome.format(task=t, profile=p)].to_numpy()
            for c in keep:
                piece[c] = frame[c].to_numpy()
            pieces.append(piece if chosen is None else piece[chosen > 0])  # unanswered tasks leave no rows
    if problems:
        raise ConjointError(problems[:20])
    table = pd.concat(pieces, ignore_index=True).sort_values(["row", "task", "profile"], kind="stable")
    return table.drop(columns="row").reset_index(drop=True)


def answer_name(outcome: str) -> str:
    """The long table's answer column for an ``outcome`` pattern: its text before the first
    placeholder, without trailing separators (``rating_{task}_{profile}`` -> ``rating``), else
    ``outcome``."""
    first = next(iter(string.Formatter().parse(outcome)), ("", None, None, None))[0]
    return first.rstrip("_-. ") or "outcome"


def _pattern_problems(option: str, pattern: str, fields: Sequence[str]) -> list[Problem]:
    """What is wrong with a column-name pattern: a placeholder it must have, one it may not."""
    try:
        used = {name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None}
    except ValueError as error:
        return [Problem(option, f"{pattern!r} is not a pattern ({error})", "write e.g. {feature}_{task}_{profile}")]
    allowed = ", ".join("{" + f + "}" for f in fields)
    problems = []
    unknown = sorted(used - set(fields))
    if unknown:
        problems.append(Problem(option, f"{pattern!r} has the placeholder {unknown}", f"use only {allowed}"))
    lacking = [f for f in fields if f not in used]
    if lacking:
        problems.append(Problem(option, f"{pattern!r} lacks {lacking}", f"name each column with {allowed}"))
    return problems


def _repeated_ids(ids: list[object]) -> list[Problem]:
    seen: dict[object, int] = {}
    for i, value in enumerate(ids):
        if value in seen:
            return [
                Problem(
                    f"row {i + 1}",
                    f"respondent id {value!r} is on row {seen[value] + 1} too: a wide export has one row per respondent",
                    "name a column that identifies respondents (--id)",
                )
            ]
        seen[value] = i
    return []


def without_qualtrics_headers(frame: pd.DataFrame) -> pd.DataFrame:
    """The export without the rows of question texts and import ids Qualtrics writes under the
    header (a level cell that repeats its column's name, or a JSON import id)."""
    first = next((c for c in frame.columns if QUALTRICS_LEVEL.match(str(c))), None)
    if first is None:
        return frame
    text = frame[first].astype(str)
    extra = text.eq(first) | text.str.startswith('{"ImportId"') | text.str.contains(r"^F-\d+-\d+-\d+$", regex=True)
    return frame.loc[~extra].reset_index(drop=True)


def _missing(frame: pd.DataFrame, columns: Sequence[str]) -> list[Problem]:
    absent = [c for c in dict.fromkeys(columns) if c not in frame.columns]
    return [
        Problem(f"column '{c}'", "is not in the file", "check the column names (they are case sensitive)")
        for c in absent[:20]
    ]


def _ids(frame: pd.DataFrame, column: str | None) -> list[object]:
    return list(frame[column]) if column else list(range(1, len(frame) + 1))


def _choices(frame: pd.DataFrame, column: str, profiles: int, problems: list[Problem]) -> np.ndarray:
    """Each row's chosen profile (1..profiles), 0 where the task was not answered (an empty
    cell) or the answer is not a profile number (a problem, by row, for each such answer)."""
    text = frame[column].astype("string").str.strip().fillna("")
    number = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
    valid = np.isin(number, np.arange(1, profiles + 1))
    for i in np.flatnonzero(~valid & (text != "").to_numpy())[:20]:
        problems.append(
            Problem(
                f"row {i + 1}, column '{column}'",
                f"the answer {text.iloc[i]!r} is not a profile number from 1 to {profiles}",
                "export the choices as numbers",
            )
        )
    return np.where(valid, number, 0).astype(np.int64)


def mark_repeat(long: pd.DataFrame, repeat: int) -> pd.DataFrame:
    """The long table with a column ``repeats``: ``repeat`` on the rows of the last task (which
    asks task ``repeat`` again, its profiles swapped), empty elsewhere."""
    last = int(long["task"].max()) if len(long) else 0
    if not 1 <= repeat < last:
        raise ConjointError(
            [
                Problem(
                    "--repeat",
                    f"the last task ({last}) cannot repeat task {repeat}: the tasks it may repeat are 1 to {last - 1}",
                    "give the task the last one asks again",
                )
            ]
        )
    return long.assign(repeats=np.where(long["task"] == last, float(repeat), np.nan))

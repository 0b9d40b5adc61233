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
column (``chosen``: 1 for the chosen profile, else 0; or the rating), and any respondent columns
asked for, in respondent, task, profile order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

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
    frame = _without_qualtrics_headers(frame)
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
    rows, problems = [], []
    for i, row in enumerate(frame.itertuples(index=False)):
        record = dict(zip(frame.columns, row, strict=True))
        for t, question in zip(tasks, responses, strict=True):
            chosen = _choice(record[question], len(profiles), f"row {i + 1}, column '{question}'", problems)
            if chosen is None:
                continue  # a task not answered: no choice to learn from
            positions = sorted(a for tt, a in names if tt == t)
            for p in profiles:
                out = {"respondent": ids[i], "task": t, "profile": p}
                for a in positions:
                    attribute = str(record[names[t, a]])
                    out[attribute] = record.get(levels.get((t, p, a), ""))
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
    rows, problems = [], []
    for i, row in enumerate(frame.itertuples(index=False)):
        record = dict(zip(frame.columns, row, strict=True))
        for t in range(1, tasks + 1):
            chosen = None
            if choice is not None:
                column = choice.format(task=t)
                chosen = _choice(record[column], profiles, f"row {i + 1}, column '{column}'", problems)
                if chosen is None:
                    continue  # a task not answered
            for p in range(1, profiles + 1):
                out = {"respondent": ids[i], "task": t, "profile": p}
                out.update({f: record[pattern.format(feature=f, task=t, profile=p)] for f in features})
                if choice is not None:
                    out["chosen"] = int(chosen == p)
                else:
                    assert outcome is not None
                    out[outcome.split("_{")[0] or "outcome"] = record[outcome.format(task=t, profile=p)]
                out.update({c: record[c] for c in keep})
                rows.append(out)
    if problems:
        raise ConjointError(problems[:20])
    return pd.DataFrame(rows)


def _without_qualtrics_headers(frame: pd.DataFrame) -> pd.DataFrame:
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


def _choice(value: object, profiles: int, where: str, problems: list[Problem]) -> int | None:
    """The chosen profile's number (1..profiles); None, with a problem, for anything else (an
    empty answer is a task not answered: no choice)."""
    if value is None or (isinstance(value, float) and value != value) or str(value).strip() == "":
        return None
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        number = float("nan")
    if number.is_integer() and 1 <= number <= profiles:
        return int(number)
    problems.append(
        Problem(
            where, f"the answer {text!r} is not a profile number from 1 to {profiles}", "export the choices as numbers"
        )
    )
    return None

"""A consultation's conjoint survey: what each respondent is shown, and the data it yields.

Each respondent gets ``tasks`` tasks of ``profiles`` distinct packages, each drawn uniformly from the
packages the scenario's constraints allow, with the issues listed in an order drawn once per
respondent (so that no issue gains from always being read first), and answers for every profile
whether they would support it against the status quo. With ``repeat = t``, one more task at the end
shows task t again with its profiles in reverse order (projoint's repeated task: the agreement
between the two answers measures how reliably people answer). The answers leave as the long-format
conjoint data that ``winset fit`` reads (binary model, outcome ``support``), with a column
``repeats`` naming the task the last one repeats, for ``winset amce --repeated repeats``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import Problem, WinsetError
from ..space import PackageSpace, distinct_tasks

OUTCOME = "support"


@dataclass(frozen=True)
class SurveyDesign:
    tasks: int = 5  # tasks per respondent
    profiles: int = 2  # profiles per task
    shuffle_issues: bool = True  # issue order drawn per respondent
    repeat: int = 0  # the task shown again at the end, profiles swapped; 0: none

    def __post_init__(self) -> None:
        problems = []
        if not 1 <= self.tasks <= 50:
            problems.append(Problem("tasks", f"must be between 1 and 50, got {self.tasks}", "use e.g. 5"))
        if not 1 <= self.profiles <= 5:
            problems.append(Problem("profiles", f"must be between 1 and 5, got {self.profiles}", "use e.g. 2"))
        if not 0 <= self.repeat <= self.tasks:
            problems.append(
                Problem("repeat", f"no task {self.repeat} among 1..{self.tasks} to repeat", "use 0 for none, or 1")
            )
        if problems:
            raise WinsetError(problems)


@dataclass(frozen=True)
class Assignment:
    """What one respondent is shown: the issue order and the packages of every task."""

    order: tuple[int, ...]  # issue indices, in the order they are listed
    packages: np.ndarray  # (tasks, profiles, issues) option codes


def assign(space: PackageSpace, design: SurveyDesign, rng: np.random.Generator) -> Assignment:
    """One respondent's tasks: valid packages drawn uniformly, distinct within each task (when the
    space allows as many), and an issue order."""
    packages = distinct_tasks(space, design.tasks, design.profiles, rng)
    if design.repeat:
        packages = np.concatenate([packages, packages[design.repeat - 1][None, ::-1]])
    order = tuple(int(i) for i in (rng.permutation(space.n_issues) if design.shuffle_issues else range(space.n_issues)))
    return Assignment(order, packages)


def long_format(
    space: PackageSpace,
    answers: Iterable[tuple[str, int, int, tuple[int, ...], int]],
    repeated: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """Survey answers as ``winset fit`` reads them: one row per profile shown, with columns
    ``respondent, task, profile``, one column per issue (option ids) and ``support`` (1 or 0);
    with ``repeated = (task, original)``, a column ``repeats`` holding ``original`` on that task's
    rows (empty on the others).

    ``answers`` holds (respondent, task, profile, package codes, support) tuples."""
    rows = list(answers)
    codes = np.array([row[3] for row in rows], dtype=np.int64).reshape(len(rows), space.n_issues)
    frame = pd.DataFrame(
        {
            "respondent": [row[0] for row in rows],
            "task": [int(row[1]) for row in rows],
            "profile": [int(row[2]) for row in rows],
        }
    )
    for k, issue in enumerate(space.issue_ids):
        frame[issue] = np.asarray(space.option_ids[k], dtype=object)[codes[:, k]] if len(rows) else []
    frame[OUTCOME] = [int(row[4]) for row in rows]
    if repeated is not None:
        task, original = repeated
        frame["repeats"] = pd.array([original if t == task else pd.NA for t in frame["task"]], dtype="Int64")
    return frame

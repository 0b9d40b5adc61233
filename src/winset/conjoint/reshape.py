"""From wide survey exports to long conjoint data (cregg's ``cj_tidy``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import Problem, did_you_mean, known_list
from .errors import ConjointError

RESERVED = ("task", "profile")


def wide_to_long(
    frame: pd.DataFrame,
    profile_variables: Mapping[str, Sequence[Sequence[str]]],
    task_variables: Mapping[str, Sequence[str]] | None = None,
    *,
    id: str,
) -> pd.DataFrame:
    """Reshape one row per respondent into one row per profile shown.

    ``profile_variables`` maps each long column (a feature, or a per-profile outcome such as a
    rating) to one list of wide columns per profile, each listing that profile's column in every
    task: ``{"price": [["price_1a", "price_2a"], ["price_1b", "price_2b"]]}`` for two tasks of two
    profiles. ``task_variables`` maps a long column to the wide columns of each task (a choice, a
    response time). Other columns (respondent characteristics) are repeated on every row.

    The result has the respondent ``id``, ``task`` (1, 2, ...) and ``profile`` (1, 2, ...), then the
    profile and task variables. A forced choice recorded per task as the chosen profile's number
    becomes an outcome with ``long["chosen"] = (long["choice"] == long["profile"]).astype(int)``.
    """
    task_variables = dict(task_variables or {})
    columns = [str(c) for c in frame.columns]
    problems: list[Problem] = []
    shapes = set()
    for name, per_profile in profile_variables.items():
        shapes.add((len(per_profile), tuple(len(tasks) for tasks in per_profile)))
        for tasks in per_profile:
            problems += _missing_columns(tasks, columns, f"profile variable '{name}'")
    for name, tasks in task_variables.items():
        problems += _missing_columns(tasks, columns, f"task variable '{name}'")
    problems += _missing_columns([id], columns, "id")
    for name in RESERVED:
        if name in columns:
            problems.append(
                Problem(
                    f"column '{name}'",
                    f"'{name}' is a column of the wide data",
                    f"rename it: the long data use '{name}'",
                )
            )
    if len(shapes) > 1:
        problems.append(
            Problem(
                "profile_variables", "the variables list different numbers of profiles or tasks", "give each the same"
            )
        )
    if not profile_variables:
        problems.append(
            Problem("profile_variables", "no profile variables given", "name the wide columns of each feature")
        )
    if problems:
        raise ConjointError(problems)
    ((n_profiles, task_counts),) = shapes
    n_tasks = task_counts[0]
    if len(set(task_counts)) > 1 or any(len(t) != n_tasks for t in task_variables.values()):
        raise ConjointError(
            [Problem("task_variables", "the variables list different numbers of tasks", "give each the same")]
        )

    n = len(frame)
    used = {c for per_profile in profile_variables.values() for tasks in per_profile for c in tasks}
    used |= {c for tasks in task_variables.values() for c in tasks}
    keep = [c for c in columns if c not in used]
    # row order: respondent, then task, then profile
    repeat = n_tasks * n_profiles
    out = {c: np.repeat(frame[c].to_numpy(), repeat) for c in keep}
    out["task"] = np.tile(np.repeat(np.arange(1, n_tasks + 1), n_profiles), n)
    out["profile"] = np.tile(np.arange(1, n_profiles + 1), n * n_tasks)
    for name, per_profile in profile_variables.items():
        # values[respondent, task, profile]
        values = np.stack([frame[list(tasks)].to_numpy() for tasks in per_profile], axis=2)
        out[name] = values.reshape(-1)
    for name, tasks in task_variables.items():
        out[name] = np.repeat(frame[list(tasks)].to_numpy(), n_profiles, axis=1).reshape(-1)
    ordered = [id, "task", "profile"] + [c for c in keep if c != id] + list(profile_variables) + list(task_variables)
    return pd.DataFrame(out)[ordered]


def _missing_columns(names: Sequence[str], columns: list[str], role: str) -> list[Problem]:
    return [
        Problem(
            f"{role}",
            f"the wide data have no column '{name}'{did_you_mean(name, columns)}",
            f"use columns of the data: {known_list(columns)}",
        )
        for name in names
        if name not in columns
    ]

"""The randomised design to field: a randomisation table, its balance, and a Qualtrics script.

The table assigns every planned respondent ``tasks`` tasks of ``profiles`` valid packages, drawn
uniformly among the packages the scenario's constraints allow and distinct within a task (as the
consultation site draws them), and an order in which the issues are listed; with ``repeat=t`` a
last task shows task t again with its profiles in reverse order (projoint's repeated task, from
which ``winset amce --repeated`` estimates measurement error). Its rows are long format:
respondent, task, profile, one column per issue (option ids), ``repeats`` (the task repeated, on
the repeated task's rows) and ``issue_order``.

Balance: the design is not uniform over options where constraints forbid combinations, so each
option's share is checked against its share among the valid packages (exact counts), by a
chi-square test per issue.

The Qualtrics script (JavaScript for a question's ``addOnload``) holds the table's respondent
designs, picks one at random for each respondent and sets the embedded data fields of the
Conjoint Survey Design Tool's layout, ``F-t-a`` (the issue shown in position a of task t) and
``F-t-p-a`` (its option in profile p), which ``winset import`` reads back from the export, with
the issue and option labels to show in ``L-t-a`` and ``L-t-p-a``.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from scipy.stats import chisquare

from ..errors import ModelError, Problem
from ..space import PackageSpace, distinct_tasks

MAX_CELLS = 5_000_000  # respondents x tasks x profiles a randomisation table may hold
SCRIPT_DESIGNS = 1_000  # respondent designs a Qualtrics script carries at most (about 1 MB)


def randomise(
    space: PackageSpace,
    respondents: int,
    tasks: int,
    profiles: int,
    seed: int = 0,
    repeat: int | None = None,
) -> pd.DataFrame:
    """The randomisation table (see the module documentation)."""
    problems = []
    if respondents < 1 or respondents * (tasks + (repeat is not None)) * profiles > MAX_CELLS:
        problems.append(
            Problem("respondents", f"{respondents:,} respondents is not a table to write", "plan fewer respondents")
        )
    if repeat is not None and not 1 <= repeat <= tasks:
        problems.append(Problem("--repeat", f"no task {repeat} among 1..{tasks}", "name a task to repeat"))
    if problems:
        raise ModelError(problems)
    rng = np.random.default_rng(seed)
    codes = distinct_tasks(space, respondents * tasks, profiles, rng).reshape(respondents, tasks, profiles, -1)
    if repeat is not None:
        again = codes[:, repeat - 1, ::-1][:, None]
        codes = np.concatenate([codes, again], axis=1)
    shown = codes.shape[1]
    issue_ids = np.asarray(space.issue_ids, dtype=object)
    permutations = np.argsort(rng.random((respondents, space.n_issues)), axis=1)  # one order per respondent
    orders = [" ".join(order) for order in issue_ids[permutations]]
    flat = codes.reshape(-1, space.n_issues)
    frame = {
        "respondent": np.repeat(np.arange(1, respondents + 1), shown * profiles),
        "task": np.tile(np.repeat(np.arange(1, shown + 1), profiles), respondents),
        "profile": np.tile(np.arange(1, profiles + 1), respondents * shown),
    }
    for k, issue in enumerate(space.issue_ids):
        frame[issue] = np.asarray(space.option_ids[k], dtype=object)[flat[:, k]]
    out = pd.DataFrame(frame)
    out["repeats"] = pd.array([repeat if t == shown and repeat is not None else pd.NA for t in out["task"]], "Int64")
    out["issue_order"] = np.repeat(orders, shown * profiles)
    return out


def design_shares(space: PackageSpace) -> dict[str, dict[str, float]]:
    """Each option's share among the valid packages: what a uniform draw shows it with."""
    total = space.count_valid()
    return {
        issue: {option: space.keeping(f"{issue}={option}").count_valid() / total for option in options}
        for issue, options in zip(space.issue_ids, space.option_ids, strict=True)
    }


def balance(table: pd.DataFrame, space: PackageSpace) -> pd.DataFrame:
    """Per issue and option: the share of profiles showing it, its share under the design, and the
    issue's chi-square test of the counts against the design (the repeated task left out)."""
    shown = table[table["repeats"].isna()] if "repeats" in table.columns else table
    expected = design_shares(space)
    rows = []
    for issue, options in zip(space.issue_ids, space.option_ids, strict=True):
        counts = shown[issue].value_counts().reindex(list(options), fill_value=0).to_numpy()
        shares = np.array([expected[issue][o] for o in options])
        live = shares > 0
        statistic, p = chisquare(counts[live], shares[live] / shares[live].sum() * counts[live].sum())
        for option, count, share in zip(options, counts, shares, strict=True):
            rows.append(
                {
                    "issue": issue,
                    "option": option,
                    "profiles": int(count),
                    "share": count / max(len(shown), 1),
                    "design_share": float(share),
                    "chi2": float(statistic),
                    "df": int(live.sum() - 1),
                    "p": float(p),
                }
            )
    return pd.DataFrame(rows)


def qualtrics_script(
    table: pd.DataFrame,
    space: PackageSpace,
    issue_labels: dict[str, str],
    option_labels: dict[str, dict[str, str]],
) -> str:
    """JavaScript for a Qualtrics question's ``addOnload``: one of the table's respondent designs
    (at most ``SCRIPT_DESIGNS`` of them, the first), chosen at random, as embedded data."""
    issues = list(space.issue_ids)
    index = [{option: j for j, option in enumerate(options)} for options in space.option_ids]
    designs = []
    for _, rows in list(table.groupby("respondent", sort=True))[:SCRIPT_DESIGNS]:
        order = [issues.index(i) for i in str(rows["issue_order"].iloc[0]).split()]
        tasks = [
            [[index[k][str(row[issues[k]])] for k in order] for row in task.to_dict("records")]
            for _, task in rows.groupby("task", sort=True)
        ]
        designs.append({"order": order, "tasks": tasks})
    data = {
        "issues": issues,
        "options": [list(options) for options in space.option_ids],
        "issue_labels": [issue_labels.get(i, i) for i in issues],
        "option_labels": [
            [option_labels.get(i, {}).get(o, o) for o in options]
            for i, options in zip(issues, space.option_ids, strict=True)
        ],
        "designs": designs,
    }
    return (
        "// winset: a randomised conjoint design for Qualtrics (the Conjoint Survey Design Tool's fields)\n"
        "// Paste into the first conjoint question's JavaScript. It sets F-t-a (issue in position a of\n"
        "// task t), F-t-p-a (its option in profile p) and the labels to show, L-t-a and L-t-p-a.\n"
        "Qualtrics.SurveyEngine.addOnload(function () {\n"
        f"  var winset = {json.dumps(data, ensure_ascii=False, separators=(',', ':'))};\n"
        "  var design = winset.designs[Math.floor(Math.random() * winset.designs.length)];\n"
        "  for (var t = 0; t < design.tasks.length; t++) {\n"
        "    for (var a = 0; a < design.order.length; a++) {\n"
        "      var k = design.order[a];\n"
        '      var name = "F-" + (t + 1) + "-" + (a + 1);\n'
        "      Qualtrics.SurveyEngine.setEmbeddedData(name, winset.issues[k]);\n"
        '      Qualtrics.SurveyEngine.setEmbeddedData("L" + name.slice(1), winset.issue_labels[k]);\n'
        "      for (var p = 0; p < design.tasks[t].length; p++) {\n"
        "        var j = design.tasks[t][p][a];\n"
        '        var level = "F-" + (t + 1) + "-" + (p + 1) + "-" + (a + 1);\n'
        "        Qualtrics.SurveyEngine.setEmbeddedData(level, winset.options[k][j]);\n"
        '        Qualtrics.SurveyEngine.setEmbeddedData("L" + level.slice(1), winset.option_labels[k][j]);\n'
        "      }\n"
        "    }\n"
        "  }\n"
        "});\n"
    )


def site_design(tasks: int, profiles: int, respondents: int | None, repeat: int | None) -> str:
    """The survey design as TOML, for the consultation site's organisers and for the record."""
    lines = [
        "# winset survey design",
        f"tasks = {tasks}",
        f"profiles = {profiles}",
        "shuffle_issues = true",
    ]
    if repeat is not None:
        lines.append(f"repeat = {repeat}")
    if respondents is not None:
        lines.append(f"respondents = {respondents}")
    return "\n".join(lines) + "\n"

"""A scenario skeleton for a new case: the issues and options given, and everything else a
placeholder that runs.

:func:`read_issues` reads a CSV of ``issue,option`` rows (the first option of each issue is its
status quo); :func:`skeleton` writes the scenario file and its polls file: two parties with made-up
utilities, one public known from a poll topline, one from an elicited prior, one proposal, and the
other kinds of evidence (a conjoint survey, a published table) as commented examples. Every
made-up value is marked PLACEHOLDER, so the file passes ``winset check`` and ``winset solve`` runs
on it, and no number in it is mistaken for a fact.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from .. import files
from ..errors import Problem, ScenarioError
from .values import ID_PATTERN

MARK = "PLACEHOLDER"
Issues = list[tuple[str, list[str]]]


def issue_problems(issues: Issues, where: str = "issues") -> list[Problem]:
    """What stops ``issues`` from making a scenario: ids that are not ids, repeats, issues
    without options, no issue at all."""
    problems = []
    if not issues:
        problems.append(Problem(where, "no issue given", "give at least one issue with its options"))
    seen: set[str] = set()
    for issue, options in issues:
        for name in (issue, *options):
            if not re.fullmatch(ID_PATTERN, name):
                problems.append(
                    Problem(
                        where,
                        f"'{name}' is not an id",
                        "use ASCII letters, digits, _ and - (not starting with _ or -); labels can be in any script",
                    )
                )
        if issue in seen:
            problems.append(Problem(where, f"issue '{issue}' is given twice", "give each issue once"))
        seen.add(issue)
        if len(options) < 2:
            problems.append(
                Problem(
                    where, f"issue '{issue}' has {len(options)} option", "give the status quo and at least one other"
                )
            )
        twice = sorted({o for o in options if options.count(o) > 1})
        if twice:
            problems.append(Problem(where, f"issue '{issue}' repeats option {twice}", "give each option once"))
    return problems


def read_issues(path: str | Path) -> Issues:
    """Issues and options from a CSV file with the header ``issue,option``, one row per option,
    the status quo's option first; ScenarioError (by line) for anything else."""
    text = files.read_text(path, files.TABLE_BYTES, ScenarioError)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows or [c.strip() for c in rows[0][:2]] != ["issue", "option"]:
        raise ScenarioError(
            [Problem("line 1", "the header is not issue,option", "start the file with the line: issue,option")],
            source=path,
        )
    issues: dict[str, list[str]] = {}
    problems = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < 2 or not row[0].strip() or not row[1].strip():
            problems.append(Problem(f"line {number}", "needs an issue and an option", "write issue,option"))
            continue
        issues.setdefault(row[0].strip(), []).append(row[1].strip())
    listed = list(issues.items())
    problems += issue_problems(listed, "issues")
    if problems:
        raise ScenarioError(problems, source=path)
    return listed


def skeleton(issues: Issues, case: str) -> tuple[str, str]:
    """The text of ``scenario.toml`` and ``polls.csv`` for ``issues`` (each option list starts
    with the status quo's); ``case`` becomes the scenario's id."""
    problems = issue_problems(issues)
    if problems:
        raise ScenarioError(problems)
    case_id = re.sub(r"[^A-Za-z0-9_-]", "_", case).strip("_-") or "my_case"
    first, options = issues[0]
    source = f"{MARK}: the polls' source"
    change = f"{first}={options[1]}"
    proposal = ",".join(f"{issue}={opts[1]}" for issue, opts in issues[:2])
    lines = [
        f"# A scenario skeleton written by winset init. Every value marked {MARK} is made up so that",
        "# the file runs: replace each with what you know (and say where it comes from), then run",
        "# winset check. The README's 'Scenario files' section explains every key.",
        "",
        "[scenario]",
        f'id = "{case_id}"',
        f'title = "{MARK}: the negotiation\'s title"',
        "",
    ]
    for issue, opts in issues:
        lines += ["[[issues]]", f'id = "{issue}"']
        for option in opts:
            lines += ["  [[issues.options]]", f'  id = "{option}"']
        lines.append("")
    lines += ["# What happens with no deal: the first option of each issue as given (check it)", "[status_quo]"]
    lines += [f'{issue} = "{opts[0]}"' for issue, opts in issues] + [""]
    lines += _party("side_a", "the first side", issues, rising=True)
    lines += [
        *_ratifier("public_a", "the first side"),
        "  # Known from poll toplines: each calibration target cites a line of polls.csv and the package",
        "  # the poll asked about.",
        f'  data = {{ polls = "polls.csv", polls_where = {{ public = "public_a" }}, provenance = "{source}" }}',
        f'  calibration = [{{ line = 2, package = "{change}" }}]  # {MARK}',
        "  # With a conjoint survey of this public (respondent-level data, one row per profile shown):",
        '  #   data = { survey = "survey.csv", model = "binary", polls = "polls.csv", polls_where = { public = "public_a" } }',
        "  # With a published table of AMCEs (feature,level,estimate,std_error) as the prior:",
        '  #   prior = { kind = "table", table = "effects.csv", source = "Author (year), table N" }',
        "",
    ]
    lines += _party("side_b", "the second side", issues, rising=False)
    lines += [
        *_ratifier("public_b", "the second side"),
        f'  data = {{ provenance = "{MARK}: whose judgement this is" }}',
        "  # Known from judgement alone: support for the status quo package and the effect of options on",
        "  # it, each [central, low, high] with low to high a 90% range, in support points (0.05 = 5 points).",
        "  [parties.ratifiers.prior]",
        '  kind = "elicitation"',
        f"  status_quo = [0.5, 0.3, 0.7]  # {MARK}",
        f'  source = "{MARK}: who judged, and when"',
        "  [parties.ratifiers.prior.options]",
        f"  {first} = {{ {options[1]} = [0.05, -0.05, 0.15] }}  # {MARK}",
        "",
        "[[proposals]]",
        'id = "example"',
        f'label = "{MARK}: a proposal on the table"',
        f'package = "{proposal}"  # {MARK}',
        "",
    ]
    polls = (
        "public,pollster,fieldwork,question,share,n\n"
        f"public_a,{MARK} pollster,2026-01,{MARK}: the question asked about {change},0.45,1000\n"
    )
    return "\n".join(lines), polls


def _ratifier(ratifier: str, side: str) -> list[str]:
    return [
        "  [[parties.ratifiers]]",
        f'  id = "{ratifier}"',
        f'  label = "{MARK}: {side}\'s public"',
        f"  rule = {{ threshold = 0.5 }}  # {MARK}: the share of the public a deal needs",
    ]


def _party(party: str, label: str, issues: Issues, rising: bool) -> list[str]:
    """A party with equal weights and made-up scores: the status quo's option 0, the others
    rising (or falling) from there."""
    lines = [
        "[[parties]]",
        f'id = "{party}"',
        f'label = "{MARK}: {label}"',
        'reservation = "status_quo"',
        f"  # {MARK}: how much this side's negotiator values each issue, and each option (0 to 1)",
        "  [parties.utility.weights]",
    ]
    lines += [f"  {issue} = {1 / len(issues):.4g}" for issue, _ in issues]
    lines.append("  [parties.utility.scores]")
    for issue, opts in issues:
        others = len(opts) - 1
        scores = [0.0] + [
            round((j if rising else others - j + 1) / others, 4) if others else 1.0 for j in range(1, others + 1)
        ]
        cells = ", ".join(f"{option} = {score:g}" for option, score in zip(opts, scores, strict=True))
        lines.append(f"  {issue} = {{ {cells} }}")
    return lines

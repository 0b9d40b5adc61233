"""Whether every public has evidence a support model can learn from, checked before any fitting.

A public with a survey (respondent-level conjoint data) gets a survey model, which learns how
support varies across packages from the respondents, and its polls calibrate it; the survey must
have every column the model reads (an issue, the answer, the respondent, task and profile ids, a
covariate). A public without one gets the Bayesian additive model, which learns from its poll
toplines (calibration targets) and its prior (an elicitation or a published table): it needs at
least one of them, since stated defaults alone say nothing of the public. Every ratifier without
usable evidence is refused here, at once, with where it is and what to add: by ``winset check``,
and by every command that fits, before the first model is fitted. Only the survey's header (and
first row) is read.
"""

from __future__ import annotations

from ..errors import Problem, ScenarioError
from ..files import read_columns
from .model import Scenario
from .problems import format_location


def evidence_problems(scenario: Scenario) -> list[Problem]:
    """Every ratifier without usable evidence, in file order (empty: all have it)."""
    problems = []
    issues = [issue.id for issue in scenario.issues]
    for i, party in enumerate(scenario.parties):
        for j, ratifier in enumerate(party.ratifiers):
            loc = ("parties", i, "ratifiers", j, "data")
            spec = ratifier.data
            if spec.survey is None:
                informed = ratifier.prior is not None and ratifier.prior.kind != "default"
                if not (ratifier.calibration or informed):
                    problems.append(
                        Problem(
                            format_location(loc),
                            f"ratifier '{ratifier.id}' has no evidence: no survey, no polls and no elicited or "
                            "published prior, so nothing says what this public supports",
                            "add calibration targets that cite poll toplines in a polls file, a [prior] with "
                            'kind = "elicitation" or "table", or survey = "file.csv" (respondent-level conjoint '
                            "data; winset serve can field the survey)",
                        )
                    )
                continue
            try:
                columns = read_columns(scenario.data_path(spec.survey), ScenarioError)
            except ScenarioError as error:
                problems += [
                    Problem(format_location((*loc, "survey")), f"{p.location}: {p.message}", p.fix)
                    for p in error.problems
                ]
                continue
            # (column, what it holds, the key of the data table that names it)
            wanted: list[tuple[str, str, str | None]] = [(issue, f"issue '{issue}'", None) for issue in issues]
            wanted += [
                (spec.outcome_column, "the answer", "outcome"),
                (spec.respondent, "the respondent id", "respondent"),
                (spec.task, "the task number", "task"),
                (spec.profile, "the profile number", "profile"),
            ]
            wanted += [(covariate, f"covariate '{covariate}'", None) for covariate in spec.covariates]
            if ratifier.groups is not None and ratifier.groups.covariate not in spec.covariates:
                wanted.append((ratifier.groups.covariate, "the groups' covariate", None))
            first: dict[str, str] = {}
            for column, role, _ in wanted:
                if column in first and first[column] != role:
                    problems.append(
                        Problem(
                            format_location((*loc, "survey")),
                            f"the survey column '{column}' of ratifier '{ratifier.id}' is named for "
                            f"{first[column]} and for {role}",
                            "give each its own column (data.outcome, respondent, task and profile name them)",
                        )
                    )
                first.setdefault(column, role)
            for column, role, key in wanted:
                if column in columns:
                    continue
                fix = (
                    f'add the column, or name the survey\'s own with {key} = "..."'
                    if key
                    else "add the column to the survey"
                )
                problems.append(
                    Problem(
                        format_location((*loc, "survey")),
                        f"the survey of ratifier '{ratifier.id}' ({spec.survey}) has no column '{column}' for {role}",
                        fix,
                    )
                )
    return problems


def require_evidence(scenario: Scenario) -> None:
    """Raise ScenarioError listing every ratifier without usable evidence."""
    problems = evidence_problems(scenario)
    if problems:
        raise ScenarioError(problems, source=scenario.source)

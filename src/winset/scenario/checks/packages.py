"""The package space of a scenario document: issues and options, the status quo, constraints and
proposals, and the packages written as text elsewhere; then, on the built space, options no
package can have and packages that break a constraint.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...errors import PackageError, Problem
from ...space import STATUS_QUO_WORD, parse_package
from ..problems import format_location
from .common import Checks, Loc, ids, item_id, table_at, table_list


def issues(check: Checks) -> None:
    """Issues and their options have unique ids and labels in every language; records each issue's options."""
    issues = table_list(check.doc, "issues")
    check.unique_ids(("issues",), issues, "issue")
    for i, issue in issues:
        check.label(("issues", i, "label"), issue.get("label"))
        options = table_list(issue, "options")
        check.unique_ids(("issues", i, "options"), options, "option")
        for j, option in options:
            check.label(("issues", i, "options", j, "label"), option.get("label"))
        issue_id = item_id(issue)
        if issue_id and issue_id not in check.options:
            check.options[issue_id] = list(dict.fromkeys(ids(options)))


def status_quo(check: Checks) -> None:
    """The status quo names an existing option of every issue, and no other; records it when it does."""
    sq = check.doc.get("status_quo")
    if not isinstance(sq, Mapping):
        return  # missing or not a table: the structural check says so
    ok = True
    for issue, option in sq.items():
        if check.issue_ref(("status_quo", issue), issue):
            ok &= check.option_ref(("status_quo", issue), issue, option)
        else:
            ok = False
    for issue in check.options:
        if issue not in sq:
            ok = False
            first = check.options[issue][0] if check.options[issue] else "..."
            check.add(
                ("status_quo",),
                f"the status quo gives no option for issue '{issue}'",
                f'add {issue} = "{first}" (or whichever option holds when there is no deal)',
            )
    check.status = dict(sq) if ok else None


def constraints(check: Checks) -> None:
    """Constraints name existing issues and options, and none forbids the status quo itself."""
    constraints = table_list(check.doc, "constraints")
    check.unique_ids(("constraints",), constraints, "constraint")
    for i, constraint in constraints:
        check.label(("constraints", i, "reason"), constraint.get("reason"))
        forbid = table_at(constraint, "forbid")
        complete = bool(forbid)
        for issue, options in forbid.items():
            loc = ("constraints", i, "forbid", issue)
            if not check.issue_ref(loc, issue):
                complete = False
                continue
            listed = [options] if isinstance(options, str) else options if isinstance(options, list) else []
            for j, option in enumerate(listed):
                complete &= check.option_ref(loc if isinstance(options, str) else (*loc, j), issue, option)
        if complete and check.status and all(check.status[k] in _as_list(v) for k, v in forbid.items()):
            combo = ", ".join(f"{k}={check.status[k]}" for k in forbid)
            check.add(
                ("constraints", i, "forbid"),
                f"the constraint forbids the status quo itself ({combo})",
                "the no-deal outcome must stay possible: narrow the constraint, or change the status quo",
            )


def proposals(check: Checks) -> None:
    """Proposals have unique ids and labels, and packages that name existing issues and options."""
    proposals = table_list(check.doc, "proposals")
    check.unique_ids(("proposals",), proposals, "proposal")
    for i, proposal in proposals:
        if proposal.get("id") == STATUS_QUO_WORD:
            check.add(("proposals", i, "id"), f"'{STATUS_QUO_WORD}' names the status quo, not a proposal", "rename it")
        check.label(("proposals", i, "label"), proposal.get("label"))
        text = proposal.get("package")
        if isinstance(text, str):
            package_text(check, ("proposals", i, "package"), text)


def package_text(check: Checks, loc: Loc, text: str, also: str = "") -> None:
    """A package written as text (``issue=option,...``) must name existing issues and options;
    ``also`` is added to the fix of each problem. Checked only once the status quo is known."""
    if check.status is None:
        return
    try:
        parse_package(text, check.options, check.status)
    except PackageError as error:
        for p in error.problems:
            check.add(loc, f"{p.location}: {p.message}", p.fix + also)


def _as_list(value: Any) -> list[Any]:
    return [value] if isinstance(value, str) else list(value)


def package_problems(scenario: Any) -> list[Problem]:
    """Checks that need the built package space: proposals that break a constraint.

    ``scenario`` is a :class:`~winset.scenario.model.Scenario` (not imported: the model runs these
    checks, so importing it here, even for types alone, would make the two modules a cycle).

    Runs only on a scenario that passed every other check.
    """
    space = scenario.space
    reasons = {c.id: scenario.text(c.reason) for c in scenario.constraints}
    packages: list[tuple[Loc, str, str]] = [
        (("proposals", i, "package"), f"proposal '{p.id}'", p.package) for i, p in enumerate(scenario.proposals)
    ]
    for i, party in enumerate(scenario.parties):
        for j, ratifier in enumerate(party.ratifiers):
            for k, target in enumerate(ratifier.calibration):
                loc: Loc = ("parties", i, "ratifiers", j, "calibration", k, "package")
                packages.append(
                    (
                        loc,
                        f"calibration target {k} of ratifier '{ratifier.id}'",
                        scenario.resolve_package(target.package, format_location(loc)),
                    )
                )
    problems = []
    for k, j, blamed in space.dead_options():
        issue, option = scenario.issues[k], scenario.issues[k].options[j]
        names = " and ".join(f"'{c.id}' ({reasons[c.id]})" for c in blamed)
        problems.append(
            Problem(
                format_location(("issues", k, "options", j)),
                f"no allowed package can have {issue.id} = {option.id}: "
                + (f"constraint {names} forbids it" if len(blamed) == 1 else f"constraints {names} together forbid it"),
                "narrow or drop the constraint, or remove the option: no survey can show it and no deal can use it",
            )
        )
    for loc, what, text in packages:
        for constraint in space.broken_constraints(space.parse(text, check_constraints=False)):
            problems.append(
                Problem(
                    format_location(loc),
                    f"in {what}: the package breaks constraint '{constraint.id}' ({reasons[constraint.id]})",
                    "change the package so that it respects the constraint, or drop the constraint",
                )
            )
    return problems

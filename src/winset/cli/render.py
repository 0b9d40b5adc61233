"""The deal engine's results as terminal tables (``winset solve`` and ``winset assess``).

Packages are long (``issue=option`` for every changed issue), so tables of packages print the
packages as a numbered key above a table of numbers that fits 80 columns.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..engine import Assessment, DealProblem, Gap, Solution
from ..formats import counted
from ..report.documents import RECOMMENDATIONS, provenance
from ..scenario import Scenario
from ..space import STATUS_QUO_WORD
from .text_tables import add_column as _add_column
from .text_tables import header as _header
from .text_tables import new_table as _new_table
from .text_tables import number as _number
from .text_tables import package_text as _package_text
from .text_tables import plain_table as _plain_table
from .text_tables import section as _section

FRONTIER_ROWS = 10  # frontier points printed per frontier (the JSON output has them all)


# ------------------------------------------------------------------------------------------ text
def solution_report(
    scenario: Scenario, problem: DealProblem, solution: Solution, preface: Sequence[RenderableType] = ()
) -> Group:
    """What ``winset solve`` prints; ``preface`` goes between the header and the joint win-set."""
    total = problem.deals.count_valid()
    test = (
        "on the estimate"
        if problem.confidence is None
        else f"as 'probability >= {problem.confidence:g}' over the draws"
    )
    binding = [p.id for p, b in zip(problem.publics, problem.binding, strict=True) if b]
    parts: list[RenderableType] = [
        Text(scenario.text(scenario.scenario.title), style="bold"),
        Text(f"Rules tested {test}; binding publics: {', '.join(binding) or 'none'}"),
        *_provenance_lines(scenario),
        *preface,
        Text.assemble(
            "\nJoint win-set: ",
            (f"{solution.winset_size:,}", "bold"),
            f" of {total:,} possible deals ({solution.winset_size / max(total, 1):.1%})",
        ),
    ]
    if len(solution.winsets) and not all(p.rule.plain for p in problem.publics):
        parts.append(_winsets(solution.winsets, total))
    if len(solution.votes):
        where = (
            "the best package of the joint win-set"
            if solution.winset_size
            else "the first package to pass as opinion moves"
        )
        parts.append(Text(f"\nThe rules over groups at {where} (the first shown below):", style="bold"))
        parts += _votes(solution.votes, problem)
    if len(solution.best):
        best = solution.best.copy()
        best.insert(0, "key", [str(i) for i in range(1, len(best) + 1)])
        parts += package_tables(f"Best packages of the joint win-set, by {solution.criterion}", best, problem)
    if len(solution.recommendations):
        parts += _recommendations(solution.recommendations, problem)
    if solution.gap is not None:
        parts += _gap(problem, solution.gap)
    if len(solution.frontier):
        parts += _frontiers(solution.frontier, problem)
    return Group(*parts)


def assessment_report(scenario: Scenario, problem: DealProblem, result: Assessment) -> Group:
    in_winset = bool(result.table["in_winset"].iloc[0])
    reference = bool(result.table["status_quo"].iloc[0])
    verdict = (
        "the status quo: no agreement, the reference every support is measured against (no verdict)"
        if reference
        else "passes every binding rule"
        if in_winset
        else "is not in the joint win-set"
    )
    names = [
        f"{name} ({scenario.text(scenario.proposal(name))})"
        for name, codes in scenario.named_packages().items()
        if tuple(codes) == tuple(result.package) and name != STATUS_QUO_WORD
    ]
    parts: list[RenderableType] = [
        Text.assemble(
            ("Proposal: ", "bold"),
            (f"{' = '.join(names)}: ", "bold") if names else "",
            _package_text(problem.space.format(result.package, changes_only=True)),
            f" — {verdict}",
        ),
        *_provenance_lines(scenario),
    ]
    rules = result.rules.drop(columns=["party"])
    rules["interval"] = [f"{lo:.2f}-{hi:.2f}" for lo, hi in zip(rules.pop("lower"), rules.pop("upper"), strict=True)]
    rules["points"] = [f"{m * 100:+.1f}" for m in rules["margin"]]  # the margin, as the vote tables give it
    columns = ["public", "binding", "support", "interval", "threshold", "points", "p_rule", "passes"]
    if reference:
        columns = [c for c in columns if c not in ("points", "p_rule", "passes")]
    points = "" if reference else "; points: the margin over the rule"
    title = f"Support in each public (interval: 90% over the draws{points})"
    plain = all(p.rule.plain for p in problem.publics)
    if not plain:  # rules over groups: vote by vote below
        columns.remove("threshold")
    elif rules["threshold"].nunique() == 1:
        columns.remove("threshold")
        title = (
            f"Support in each public (rule: {problem.publics[0].rule.describe()}; interval: 90% over the draws{points})"
        )
    if rules["binding"].all():
        columns.remove("binding")
    parts.append(_plain_table(title, rules[columns], ["public"]))
    if len(result.votes):
        parts += _votes(result.votes, problem)
    negotiators = pd.DataFrame(
        {
            "negotiator": [n.id for n in problem.negotiators],
            "utility": [result.table[f"{n.id}_utility"].iloc[0] for n in problem.negotiators],
            "reservation": [n.reservation for n in problem.negotiators],
            "gain": [result.table[f"{n.id}_gain"].iloc[0] for n in problem.negotiators],
        }
    )
    if len(negotiators):
        parts.append(_plain_table("Negotiators (gain over the reservation value)", negotiators, ["negotiator"]))
    if in_winset:
        parts += _improvements(result, problem)
    elif len(result.repairs):
        repairs = result.repairs.copy()
        repairs.insert(0, "key", [str(i) for i in range(1, len(repairs) + 1)])
        title = "Nearest packages in the joint win-set (fewest changes, then best margin)"
        if reference:
            title = "The deals nearest to the status quo in the joint win-set (fewest changes, then best margin)"
        parts += package_tables(title, repairs, problem)
        effects = result.effects.rename(columns=lambda c: c.removesuffix("_points"))
        parts.append(
            _plain_table(
                "What each change does alone to each public's support (points)",
                effects,
                ["repair", "issue", "from", "to"],
            )
        )
    elif result.keep is not None and result.asked:
        parts.append(Text(f"\nNo package of the joint win-set keeps {result.keep.strip()}.", style="red"))
    elif result.asked:
        parts.append(
            Text("\nNo package is in the joint win-set: `winset solve` reports the ratification gap.", style="red")
        )
    return Group(*parts)


# ------------------------------------------------------------------------------------------ parts
def _improvements(result: Assessment, problem: DealProblem) -> list[RenderableType]:
    if not problem.negotiators:
        return []
    others = result.other_improvements
    kept = "" if result.keep is None else f" that keep{'s' if others <= 1 else ''} {result.keep.strip()}"
    if others == 0:
        return [
            Text(f"\nOnce agreed: no other package of the joint win-set{kept} leaves every negotiator as well off.")
        ]
    lead = Text.assemble(
        ("\nOnce agreed: ", "bold"),
        f"{others:,} other package{'s' if others != 1 else ''} of the joint win-set{kept} leave every negotiator at "
        "least as well off; the efficient ones:",
    )
    names = [n.id for n in problem.negotiators]
    table = _new_table()
    for name in names:
        _add_column(table, f"{_header(name)} utility", justify="right")
    table.add_column("package")
    for row in result.improvement_frontier.to_dict(orient="records"):
        table.add_row(*[f"{row[f'{n}_utility']:.3f}" for n in names], _package_text(row["package"]))
    return [lead, table]


def _provenance_lines(scenario: Scenario) -> list[Text]:
    return [Text(f"Data of {rid}: {p}", style="bold yellow") for rid, p in provenance(scenario).items()]


def package_tables(
    title: str, frame: pd.DataFrame, problem: DealProblem, notes: Mapping[str, str] | None = None
) -> list[RenderableType]:
    """Packages keyed by ``frame['key']``: the key with each package's text (and its note, if
    any), then a table of each public's support (green where its rule is met; the interval over
    the bootstrap draws below) and each negotiator's gain."""
    key = Table.grid(padding=(0, 2))
    key.add_column(justify="right", style="bold")
    key.add_column()
    for label, package in zip(frame["key"], frame["package"], strict=True):
        text = Text(_package_text(package))
        if notes and label in notes:
            text.append(f"\n{notes[label]}", style="dim")
        key.add_row(label, text)
    numbers = _new_table()
    numbers.add_column(
        "", style="bold", justify="right", no_wrap=True, min_width=max(map(len, frame["key"]), default=1)
    )
    values = [c for c in ("changes", "value", "margin", "nash", "probability") if c in frame.columns]
    if "p_all_rules" in frame.columns and "probability" not in values:
        values.append("p_all_rules")
    for column in values:
        _add_column(numbers, _header(column), justify="right")
    for public, binding in zip(problem.publics, problem.binding, strict=True):
        _add_column(numbers, _header(public.id) + ("" if binding else "*"), justify="right")
    for negotiator in problem.negotiators:
        _add_column(numbers, f"{_header(negotiator.id)} gain", justify="right")
    for row in frame.to_dict(orient="records"):
        cells: list[RenderableType] = [row["key"], *[_number(row[c]) for c in values]]
        for public in problem.publics:
            # the status quo is the reference: what the model says of it, no verdict
            verdict = "" if row.get("status_quo") else " yes" if row[f"{public.id}_accepts"] else " no"
            style = {"": "", " yes": "green", " no": "red"}[verdict]  # the verdict in text too, for a log or a pipe
            text = Text(f"{row[f'{public.id}_support']:.3f}{verdict}", style=style)
            if f"{public.id}_lower" in row:
                text.append(f"\n{row[f'{public.id}_lower']:.2f}-{row[f'{public.id}_upper']:.2f}", style="dim")
            cells.append(text)
        cells += [_number(row[f"{n.id}_gain"]) for n in problem.negotiators]
        numbers.add_row(*cells)
    numbers.caption = _support_caption(problem)
    if "status_quo" in frame.columns and frame["status_quo"].any():
        numbers.caption += " The status quo is the reference every support is measured against: no verdict."
    numbers.caption_justify = "left"
    return [_section(title), key, numbers]


def _support_caption(problem: DealProblem) -> str:
    thresholds = {p.threshold for p in problem.publics}
    if not all(p.rule.plain for p in problem.publics):
        rule = "; ".join(f"{p.id}: {p.rule.describe()}" for p in problem.publics)
    elif len(thresholds) == 1:
        rule = problem.publics[0].rule.describe()  # as the rules are written everywhere else
    else:
        rule = ", ".join(f"{p.id}: {p.rule.describe()}" for p in problem.publics)
    text = f"Support in each public, yes (in green) where its rule ({rule}) is met and no (in red) where it is not"
    if problem.publics and all(p.n_draws for p in problem.publics):
        text += "; below it, the 90% interval over the draws"
    if not all(problem.binding):
        text += ". * not binding: its rule does not decide the joint win-set"
    return text + "."


def _winsets(frame: pd.DataFrame, total: int) -> Group:
    """Each public's own win-set: the deals its rule accepts alone."""
    table = pd.DataFrame(
        {
            "public": frame["public"],
            "binding": ["yes" if b else "no" for b in frame["binding"]],
            "rule": frame["rule"],
            "deals": [f"{n:,}" for n in frame["winset_size"]],
            "share": [f"{n / max(total, 1):.1%}" for n in frame["winset_size"]],
        }
    )
    return _plain_table("Each public's own win-set: the deals its rule accepts alone", table, ["public"])


def _votes(votes: pd.DataFrame, problem: DealProblem) -> list[RenderableType]:
    """The rules over groups, vote by vote: each member's support, its margin in points (how far
    its opinion must move, where negative), its verdict, and who decides."""
    parts: list[RenderableType] = []
    for (public, name), vote in votes.groupby(["public", "vote"], sort=False):
        first = vote.iloc[0]
        verdict = "passes" if first["vote_passes"] else "fails"
        title = f"{public}, {name}: {first['yes_votes']:.4g} yes votes, {first['needed_text']} needed: {verdict}"
        table = pd.DataFrame(
            {
                "member (follows)": [
                    m if m == f else f"{m} ({f})" for m, f in zip(vote["member"], vote["source"], strict=True)
                ],
                "says": ["yes" if y else "no" for y in vote["yes"]],
                "decides": [
                    "rule" if b else ("vote" if p else "")
                    for b, p in zip(vote["blocking"], vote["pivotal"], strict=True)
                ],
                "support": vote["support"],
                "interval": [
                    "" if pd.isna(lo) else f"{lo:.2f}-{hi:.2f}"
                    for lo, hi in zip(vote["lower"], vote["upper"], strict=True)
                ],
                "needs": vote["threshold"],
                "points": [f"{m * 100:+.1f}" for m in vote["margin"]],
                "votes": [f"{w:g}" for w in vote["weight"]],
            }
        )
        if vote["threshold"].nunique() == 1:  # one threshold for all: said once, in the title
            table = table.drop(columns=["needs"])
            title += f" (each member needs {first['threshold']:.1%})"
        parts.append(_plain_table(title, table, ["member (follows)"]))
    return parts


def _recommendations(frame: pd.DataFrame, problem: DealProblem) -> list[RenderableType]:
    frame = frame.drop(columns=["value"]).copy()
    frame.insert(0, "key", [RECOMMENDATIONS[name][0] for name in frame["recommendation"]])
    return package_tables("Recommended packages", frame, problem, notes=dict(RECOMMENDATIONS.values()))


def _gap(problem: DealProblem, gap: Gap) -> list[RenderableType]:
    if gap.package is None or not math.isfinite(gap.shift):
        return [Text("Ratification gap: no package leaves every negotiator at its reservation value.", style="red")]
    lead = Text.assemble(
        ("\nRatification gap: ", "bold red"),
        "no package passes every binding rule. Every binding public's opinion would have to move by ",
        (f"{gap.shift:.3f}", "bold"),
        " on the logit scale before one does: ",
        (_package_text(problem.space.format(gap.package, changes_only=True)), "bold"),
    )
    # each public's rule is in the win-set table above, and what blocks it is said below the
    # table: in it the numbers, which then fit 80 columns
    table = gap.table.drop(columns=["threshold", "rule", "blocking"], errors="ignore")
    table = table.rename(columns={"support_after_shift": "after shift", "needed_shift": "shift needed"})
    blocked = [
        Text.assemble("Blocking in ", (row["public"], "bold"), " before the shift: ", row["blocking"])
        for row in gap.table.to_dict("records")
        if isinstance(row.get("blocking"), str)
    ]
    note = Text(
        "The shift is the same for every binding public (the largest any needs): a public that needs "
        "less, or none, moves by it too, and its points say how far.",
        style="dim",
    )
    return [
        lead,
        _plain_table("That package in each public (support; points moved by the shift)", table, ["public"]),
        *blocked,
        note,
    ]


def _frontiers(frame: pd.DataFrame, problem: DealProblem) -> list[RenderableType]:
    """Both frontiers, up to FRONTIER_ROWS points each (evenly spread, both ends kept), and what
    ratification costs each negotiator at best."""
    names = [n.id for n in problem.negotiators]
    parts: list[RenderableType] = [_section("The negotiators' Pareto frontier")]
    costs = []
    for which, label in (("unrestricted", "over all deals"), ("ratifiable", "over the joint win-set")):
        points = frame[frame["frontier"] == which]
        if not len(points):
            parts.append(Text(f"{label.capitalize()}: none (no package is in the joint win-set).", style="red"))
            continue
        shown = points.iloc[
            np.unique(np.linspace(0, len(points) - 1, min(FRONTIER_ROWS, len(points))).round().astype(int))
        ]
        count = counted(len(points), "point") + (f", {len(shown)} shown" if len(shown) < len(points) else "")
        parts.append(Text(f"{label.capitalize()} ({count})"))
        table = _new_table()
        for name in names:
            _add_column(table, f"{_header(name)} utility", justify="right")
        table.add_column("package")
        for row in shown.to_dict(orient="records"):
            table.add_row(*[f"{row[f'{n}_utility']:.3f}" for n in names], _package_text(row["package"]))
        parts.append(table)
        costs.append(points[[f"{n}_utility" for n in names]].max().to_numpy())
    if len(costs) == 2:
        text = "; ".join(
            f"{name} {all_:.3f} -> {ratifiable:.3f}" for name, all_, ratifiable in zip(names, *costs, strict=True)
        )
        parts.append(Text(f"Best utility of each negotiator, over all deals -> over the joint win-set: {text}"))
    return parts

"""``winset solve`` and ``winset assess``: the deal engine on a scenario, from the command line."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import typer
from rich.console import Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ..cli_common import JsonOpt, print_json, stdout, user_errors
from ..errors import Problem, WinsetError
from ..scenario import Scenario, load_scenario
from ..support.commands import fit_all
from ..support.fit import DRAWS
from .analyses import assess, solve
from .problem import DealProblem

ScenarioArg = Annotated[
    Path, typer.Argument(help="Scenario file (TOML), or a folder holding scenario.toml.", show_default=False)
]
DrawsOpt = Annotated[int, typer.Option("--draws", min=0, help="Bootstrap draws per ratifier's support model.")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Seed of the bootstrap.")]
ConfidenceOpt = Annotated[
    float | None,
    typer.Option(
        "--confidence",
        help="Test each rule as 'probability it is met >= q' over the bootstrap draws, not on the estimate.",
    ),
]
OptionalOpt = Annotated[
    bool, typer.Option("--include-optional", help="Let ratifiers marked required = false bind too.")
]
MethodOpt = Annotated[str, typer.Option("--method", help="auto, enumerate or search (branch and bound).")]
SchedulerOpt = Annotated[str | None, typer.Option("--scheduler", help="Dask scheduler address to run the searches on.")]


def problem_for(
    scenario: Scenario, draws: int, seed: int, confidence: float | None, include_optional: bool, quiet: bool
) -> DealProblem:
    """Fit every ratifier's support model and assemble the deal problem."""
    if confidence is not None and not 0 < confidence < 1:
        raise WinsetError([Problem("--confidence", f"must be between 0 and 1, got {confidence}", "use e.g. 0.9")])
    if confidence is not None and draws < 1:
        raise WinsetError([Problem("--confidence", "a probability test needs bootstrap draws", "use --draws 200")])
    fits = fit_all(scenario, draws, seed, show_progress=not quiet)
    return DealProblem.from_scenario(
        scenario, {rid: fit.table for rid, fit in fits.items()}, confidence, include_optional
    )


@user_errors
def solve_command(
    scenario: ScenarioArg,
    top: Annotated[int, typer.Option("--top", min=1, help="How many of the best ratifiable packages to list.")] = 10,
    criterion: Annotated[
        str, typer.Option("--criterion", help="margin, nash or probability: what 'best' means.")
    ] = "margin",
    draws: DrawsOpt = DRAWS,
    seed: SeedOpt = 0,
    confidence: ConfidenceOpt = None,
    include_optional: OptionalOpt = False,
    method: MethodOpt = "auto",
    scheduler: SchedulerOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Which packages could every side ratify? The joint win-set, the best deals, the frontiers.

    Fits every ratifier's support model, then finds exactly: how many packages every binding
    public accepts and every negotiator prefers to its reservation value (the joint win-set), its
    best packages, the recommended deals (best smallest margin, Nash bargaining solution, highest
    probability that every rule is met), the negotiators' Pareto frontier with and without
    ratification, and, where no package passes, the ratification gap.
    """
    loaded = load_scenario(scenario)
    if criterion not in ("margin", "nash", "probability"):
        raise WinsetError(
            [Problem("--criterion", f"unknown criterion '{criterion}'", "use margin, nash or probability")]
        )
    problem = problem_for(loaded, draws, seed, confidence, include_optional, as_json)
    solution = solve(problem, top, criterion, method, scheduler)
    if as_json:
        print_json(
            {
                "winset_size": solution.winset_size,
                "packages": problem.space.count_valid(),
                "criterion": criterion,
                "best": _records(solution.best),
                "recommendations": _records(solution.recommendations),
                "frontier": _records(solution.frontier),
                "gap": None
                if solution.gap is None
                else {
                    "shift": solution.gap.shift,
                    "package": None
                    if solution.gap.package is None
                    else problem.space.format(solution.gap.package, changes_only=True),
                    "publics": _records(solution.gap.table),
                },
                "provenance": _provenance(loaded),
            }
        )
        return
    console = stdout()
    total = problem.space.count_valid()
    test = "on the estimate" if confidence is None else f"with probability >= {confidence:g} over the bootstrap draws"
    parts: list = [
        Text(f"{loaded.text(loaded.scenario.title)}", style="bold"),
        Text(
            f"Rules tested {test}; binding: {', '.join(p.id for p, b in zip(problem.publics, problem.binding, strict=True) if b)}"
        ),
    ]
    parts += [Text(f"Data: {p}", style="bold yellow") for p in _provenance(loaded).values()]
    parts.append(
        Text.assemble(
            "Joint win-set: ",
            (f"{solution.winset_size:,}", "bold"),
            f" of {total:,} packages ({solution.winset_size / total:.1%})",
        )
    )
    if len(solution.best):
        parts.append(_table(f"Best ratifiable packages (by {criterion})", solution.best, problem))
    if len(solution.recommendations):
        parts.append(_table("Recommendations", solution.recommendations, problem))
    if solution.gap is not None:
        parts.append(_gap(problem, solution.gap))
    if len(solution.frontier):
        parts.append(_frontier(solution.frontier, problem))
    console.print(Group(*parts))


@user_errors
def assess_command(
    scenario: ScenarioArg,
    package: Annotated[
        str,
        typer.Option(
            "--package", help='The proposal: "issue=option,..." (others keep the status quo), or a proposal id.'
        ),
    ],
    repairs: Annotated[int, typer.Option("--repairs", min=0, help="How many nearest ratifiable packages to show.")] = 3,
    draws: DrawsOpt = DRAWS,
    seed: SeedOpt = 0,
    confidence: ConfidenceOpt = None,
    include_optional: OptionalOpt = False,
    method: MethodOpt = "auto",
    scheduler: SchedulerOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Would a proposal pass at home? Support in every public, the rules it fails and by how much,
    and the nearest packages that would pass, with what each change does to each public."""
    loaded = load_scenario(scenario)
    codes = loaded.space.parse(loaded.resolve_package(package))
    problem = problem_for(loaded, draws, seed, confidence, include_optional, as_json)
    result = assess(problem, codes, repairs, method, scheduler)
    if as_json:
        print_json(
            {
                "package": loaded.space.format(codes, changes_only=True),
                "rules": _records(result.rules),
                "negotiators": _records(
                    result.table[[c for c in result.table.columns if c.endswith(("_utility", "_gain"))]]
                ),
                "in_winset": bool(result.table["in_winset"].iloc[0]),
                "repairs": _records(result.repairs),
                "effects": _records(result.effects),
                "provenance": _provenance(loaded),
            }
        )
        return
    console = stdout()
    verdict = "passes every binding rule" if bool(result.table["in_winset"].iloc[0]) else "is not in the joint win-set"
    parts: list = [
        Text.assemble(("Proposal: ", "bold"), loaded.space.format(codes, changes_only=True), f" — {verdict}")
    ]
    parts += [Text(f"Data: {p}", style="bold yellow") for p in _provenance(loaded).values()]
    rules = result.rules.copy()
    parts.append(
        _plain_table(
            "Ratification (support with 90% interval over the bootstrap draws)",
            rules,
            ["public", "party", "binding", "passes"],
        )
    )
    negotiators = pd.DataFrame(
        [
            {
                "negotiator": n.id,
                "utility": result.table[f"{n.id}_utility"].iloc[0],
                "gain": result.table[f"{n.id}_gain"].iloc[0],
            }
            for n in problem.negotiators
        ]
    )
    parts.append(_plain_table("Negotiators (gain over the reservation value)", negotiators, ["negotiator"]))
    if len(result.repairs):
        parts.append(
            _table("Nearest ratifiable packages (fewest changes, then best smallest margin)", result.repairs, problem)
        )
        parts.append(
            _plain_table(
                "What each change does on its own (support points)", result.effects, ["repair", "issue", "from", "to"]
            )
        )
    elif repairs:
        parts.append(
            Text("No package is in the joint win-set: see winset solve for the ratification gap.", style="red")
        )
    console.print(Group(*parts))


# ------------------------------------------------------------------------------------------ output
def _provenance(scenario: Scenario) -> dict[str, str]:
    return {r.id: r.data.provenance for _, r in scenario.ratifiers if r.data.provenance}


def _records(frame: pd.DataFrame) -> list[dict]:
    return frame.astype(object).where(frame.notna(), None).to_dict(orient="records")


def _number(value) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (int, np.integer)):
        return f"{value:,}"
    return f"{value:.3f}"


def _table(title: str, frame: pd.DataFrame, problem: DealProblem) -> Table:
    """Packages: text, then per public 'support (lower-upper)' and per negotiator gain."""
    table = Table(title=title, title_justify="left")
    lead = [
        c
        for c in frame.columns
        if c in ("recommendation", "package", "changes", "margin", "nash", "probability", "value")
    ]
    for column in lead:
        table.add_column(
            column, overflow="fold", justify="right" if column not in ("recommendation", "package") else "left"
        )
    for public in problem.publics:
        table.add_column(f"{public.id} (>= {public.threshold:g})", justify="right", no_wrap=True)
    for negotiator in problem.negotiators:
        table.add_column(f"{negotiator.id} gain", justify="right", no_wrap=True)
    for row in frame.to_dict(orient="records"):
        cells = [escape(str(row[c])) if c in ("recommendation", "package") else _number(row[c]) for c in lead]
        for public in problem.publics:
            text = f"{row[f'{public.id}_support']:.3f}"
            if f"{public.id}_lower" in row:
                text += f" ({row[f'{public.id}_lower']:.2f}-{row[f'{public.id}_upper']:.2f})"
            cells.append(Text(text, style="green" if row[f"{public.id}_accepts"] else "red"))
        cells += [_number(row[f"{n.id}_gain"]) for n in problem.negotiators]
        table.add_row(*cells)
    return table


def _plain_table(title: str, frame: pd.DataFrame, text: list[str]) -> Table:
    table = Table(title=title, title_justify="left")
    for column in frame.columns:
        table.add_column(column, overflow="fold", justify="left" if column in text else "right")
    for row in frame.to_dict(orient="records"):
        table.add_row(
            *[
                escape(str(row[c])) if c in text and not isinstance(row[c], (bool, np.bool_)) else _number(row[c])
                for c in frame.columns
            ]
        )
    return table


def _gap(problem: DealProblem, gap) -> Group:
    if gap.package is None or not np.isfinite(gap.shift):
        return Group(
            Text("Ratification gap: no package leaves every negotiator at its reservation value.", style="red")
        )
    lead = Text.assemble(
        ("Ratification gap: ", "bold red"),
        f"no package passes every binding rule. Every binding public's opinion would have to move by {gap.shift:.3f} "
        f"on the logit scale before one does: {problem.space.format(gap.package, changes_only=True)}",
    )
    return Group(lead, _plain_table("What that package needs, per public", gap.table, ["public", "binding"]))


def _frontier(frame: pd.DataFrame, problem: DealProblem) -> Table:
    names = [n.id for n in problem.negotiators]
    table = Table(
        title="Negotiators' Pareto frontier: over all packages, and over the ratifiable ones", title_justify="left"
    )
    table.add_column("frontier")
    for name in names:
        table.add_column(f"{name} utility", justify="right")
    table.add_column("package", overflow="fold")
    for row in frame.to_dict(orient="records"):
        table.add_row(row["frontier"], *[f"{row[f'{n}_utility']:.3f}" for n in names], escape(row["package"]))
    return table

"""``winset solve`` and ``winset assess``: the deal engine on a scenario, from the command line."""

from __future__ import annotations

from typing import Annotated

import typer

from ..cli_common import EXIT_NO_DEAL, JsonOpt, ScenarioArg, print_json, stdout, steps, user_errors
from ..errors import Problem, WinsetError
from ..scenario import Scenario, load_scenario
from ..support.commands import DrawsOpt, SeedOpt, fit_all
from ..support.fit import DRAWS
from . import report
from .analyses import assess, solve
from .problem import DealProblem

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
METHODS = ("auto", "enumerate", "search")
MethodOpt = Annotated[
    str, typer.Option("--method", help="auto, enumerate (every package) or search (branch and bound): same answers.")
]
SchedulerOpt = Annotated[str | None, typer.Option("--scheduler", help="Dask scheduler address to run the searches on.")]


CRITERIA = ("margin", "nash", "probability")
CriterionOpt = Annotated[str, typer.Option("--criterion", help="margin, nash or probability: what 'best' means.")]
TopOpt = Annotated[int, typer.Option("--top", min=1, help="How many of the best ratifiable packages to list.")]
ExitCodeOpt = Annotated[
    bool,
    typer.Option(
        "--exit-code",
        help=f"Exit with {EXIT_NO_DEAL} when no package passes (solve) or the proposal fails (assess).",
    ),
]


def check_options(
    method: str = "auto", criterion: str = "margin", confidence: float | None = None, draws: int = DRAWS
) -> None:
    """Refuse option values the engine cannot use, before any fitting."""
    problems = []
    if method not in METHODS:
        problems.append(Problem("--method", f"unknown method '{method}'", f"use one of {', '.join(METHODS)}"))
    if criterion not in CRITERIA:
        problems.append(Problem("--criterion", f"unknown criterion '{criterion}'", f"use one of {', '.join(CRITERIA)}"))
    if confidence is not None and not 0 < confidence < 1:
        problems.append(Problem("--confidence", f"must be between 0 and 1, got {confidence}", "use e.g. 0.9"))
    elif confidence is not None and draws < 1:
        problems.append(Problem("--confidence", "a probability test needs bootstrap draws", "use --draws 200"))
    if problems:
        raise WinsetError(problems)


def problem_for(
    scenario: Scenario, draws: int, seed: int, confidence: float | None, include_optional: bool, quiet: bool
) -> DealProblem:
    """Fit every ratifier's support model and assemble the deal problem."""
    fits = fit_all(scenario, draws, seed, show_progress=not quiet)
    return DealProblem.from_scenario(
        scenario, {rid: fit.table for rid, fit in fits.items()}, confidence, include_optional
    )


@user_errors
def solve_command(
    scenario: ScenarioArg,
    top: TopOpt = 10,
    criterion: CriterionOpt = "margin",
    draws: DrawsOpt = DRAWS,
    seed: SeedOpt = 0,
    confidence: ConfidenceOpt = None,
    include_optional: OptionalOpt = False,
    method: MethodOpt = "auto",
    scheduler: SchedulerOpt = None,
    exit_code: ExitCodeOpt = False,
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
    check_options(method, criterion, confidence, draws)
    problem = problem_for(loaded, draws, seed, confidence, include_optional, as_json)
    with steps(not as_json) as step:
        solution = solve(problem, top, criterion, method, scheduler, progress=step)
    if as_json:
        print_json(report.solution_document(loaded, problem, solution))
    else:
        stdout().print(report.solution_report(loaded, problem, solution))
    if exit_code and solution.winset_size == 0:
        raise typer.Exit(EXIT_NO_DEAL)


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
    exit_code: ExitCodeOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Would a proposal pass at home? Support in every public, the rules it fails and by how much,
    and the nearest packages that would pass, with what each change does to each public."""
    loaded = load_scenario(scenario)
    check_options(method, confidence=confidence, draws=draws)
    codes = loaded.space.parse(loaded.resolve_package(package))
    problem = problem_for(loaded, draws, seed, confidence, include_optional, as_json)
    with steps(not as_json) as step:
        step("assessing the proposal and searching for repairs")
        result = assess(problem, codes, repairs, method, scheduler)
    if as_json:
        print_json(report.assessment_document(loaded, problem, result))
    else:
        stdout().print(report.assessment_report(loaded, problem, result))
    # the status quo gets no verdict, so no exit code that reads as one
    if exit_code and not result.table["in_winset"].iloc[0] and not result.table["status_quo"].iloc[0]:
        raise typer.Exit(EXIT_NO_DEAL)

"""``winset solve`` and ``winset assess``: the deal engine on a scenario, from the command line.

The analyses are imported when a command runs, not when ``winset`` starts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from .common import print_json, stdout, steps, user_errors
from .options import (
    DRAWS,
    EXIT_NO_DEAL,
    ConfidenceOpt,
    CriterionOpt,
    DrawsOpt,
    EngineOptions,
    ExitCodeOpt,
    JsonOpt,
    KeepOpt,
    MethodOpt,
    OptionalOpt,
    ScenarioArg,
    SchedulerOpt,
    SeedOpt,
    SolveOptions,
    TopOpt,
)

if TYPE_CHECKING:
    from ..engine import DealProblem
    from ..scenario import Scenario
    from ..support import RatifierFit


def fitted_problem(
    scenario: Scenario, options: EngineOptions, quiet: bool
) -> tuple[DealProblem, dict[str, RatifierFit]]:
    """Fit every ratifier's support model: the deal problem they compile to, and the fits."""
    from ..compile import deal_problem
    from .fit import fit_all

    fits = fit_all(scenario, options.draws, options.seed, show_progress=not quiet)
    return deal_problem(scenario, fits, options.confidence, options.include_optional), fits


def evidence(
    scenario: Scenario, fits: dict[str, RatifierFit], packages: list[tuple[int, ...]]
) -> tuple[dict[str, str], list[str]]:
    """What each public's model rests on, and the warnings for packages whose verdict rests
    mostly on a prior (each once)."""
    from ..support.additive_fit import evidence_notes, prior_only

    warnings: list[str] = prior_only(fits)
    for codes in packages:
        label = scenario.space.format(codes, changes_only=True)
        warnings += [f"{label}: {note}" for note in evidence_notes(scenario, fits, codes)]
    return {rid: fit.evidence for rid, fit in fits.items()}, list(dict.fromkeys(warnings))


def print_evidence(kinds: dict[str, str], warnings: list[str]) -> None:
    from rich.text import Text

    lines = [f"Evidence: {rid}: {text}" for rid, text in kinds.items()]
    stdout().print(Text("\n".join(lines)))
    for warning in warnings:
        stdout().print(Text(f"Warning: {warning}", style="bold yellow"))


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
    keep: KeepOpt = None,
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
    from ..engine import solve
    from ..report import documents
    from ..scenario import load_scenario
    from . import render

    loaded = load_scenario(scenario)
    options = SolveOptions(draws, seed, confidence, include_optional, method, scheduler, top, criterion)
    options.check()
    if keep is not None:
        loaded.space.keeping(keep)  # a wrong issue or option is said before any fitting
    problem, fits = fitted_problem(loaded, options, as_json)
    if keep is not None:
        problem = problem.keeping(keep)
    with steps(not as_json) as step:
        solution = solve(problem, top, criterion, method, scheduler, progress=step)
    recommended = [loaded.space.parse(p) for p in solution.recommendations.get("package", [])]
    kinds, warnings = evidence(loaded, fits, recommended)
    if as_json:
        print_json(
            {
                "ok": True,
                **documents.solution_document(loaded, problem, solution),
                "keep": keep,
                "evidence": kinds,
                "warnings": warnings,
            }
        )
    else:
        if keep is not None:
            stdout().print(f"Only the packages that keep {keep.strip()}.")
        stdout().print(render.solution_report(loaded, problem, solution))
        print_evidence(kinds, warnings)
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
    keep: KeepOpt = None,
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
    from ..engine import assess
    from ..report import documents
    from ..scenario import load_scenario
    from . import render

    loaded = load_scenario(scenario)
    options = EngineOptions(draws, seed, confidence, include_optional, method, scheduler)
    options.check()
    codes = loaded.space.parse(loaded.resolve_package(package))
    if keep is not None:
        loaded.space.keeping(keep)  # a wrong issue or option is said before any fitting
    problem, fits = fitted_problem(loaded, options, as_json)
    with steps(not as_json) as step:
        step("assessing the proposal and searching for repairs")
        result = assess(problem, codes, repairs, method, scheduler, keep)
    kinds, warnings = evidence(loaded, fits, [codes])
    if as_json:
        print_json(
            {
                "ok": True,
                **documents.assessment_document(loaded, problem, result),
                "keep": keep,
                "evidence": kinds,
                "warnings": warnings,
            }
        )
    else:
        if keep is not None:
            stdout().print(f"Only repairs that keep {keep.strip()}.")
        stdout().print(render.assessment_report(loaded, problem, result))
        print_evidence(kinds, warnings)
    # the status quo gets no verdict, so no exit code that reads as one
    if exit_code and not result.table["in_winset"].iloc[0] and not result.table["status_quo"].iloc[0]:
        raise typer.Exit(EXIT_NO_DEAL)

"""``winset report`` and ``winset demo``: the whole analysis of a scenario, and its HTML report.

The analyses are imported when a command runs, not when ``winset`` starts.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.text import Text

from .common import check_language, print_json, stdout, steps, user_errors
from .options import (
    DRAWS,
    ConfidenceOpt,
    CriterionOpt,
    DrawsOpt,
    JsonOpt,
    MethodOpt,
    OptionalOpt,
    ScenarioArg,
    SchedulerOpt,
    SeedOpt,
    SolveOptions,
    TopOpt,
)

if TYPE_CHECKING:
    from rich.console import Group

    from ..report.analysis import Analysis
    from ..scenario import Scenario

OutOpt = Annotated[
    Path | None,
    typer.Option(
        "--out",
        help="Where to write the report (default: ID-report.html here, ID being the scenario's id).",
        show_default=False,
    ),
]
DemoOutOpt = Annotated[
    Path | None,
    typer.Option("--out", help="Where to write the report (default: kuril-report.html here).", show_default=False),
]
LanguageOpt = Annotated[
    str | None, typer.Option("--lang", help="Label language the report opens in (en, ru, ja, ...).")
]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace a file at --out even if it is not a winset report.")]
TalksOpt = Annotated[
    int,
    typer.Option(
        "--talks",
        min=0,
        help="Add simulated talks: this many negotiations, and as many per condition of each experiment "
        "(needs the negotiation extra). 0: none.",
    ),
]


def run(
    scenario: Scenario,
    out: Path | None,
    language: str | None,
    force: bool,
    quiet: bool,
    options: SolveOptions,
    talks: int = 0,
) -> tuple[Analysis, Path]:
    """Check every option, fit, analyse and write the report; returns the analysis and the path."""
    from ..report import html
    from ..report.analysis import analyse
    from ..report.output import check_writable, default_path, write_report
    from . import fit
    from .simulate import require_negmas

    options.check()
    check_language(scenario, language)
    if talks:
        require_negmas("--talks")
    path = out if out is not None else default_path(scenario.scenario.id)
    check_writable(path, force, scenario.files())  # before minutes of work, not after
    fits = fit.fit_all(scenario, options.draws, options.seed, show_progress=not quiet)
    with steps(not quiet) as step:
        analysis = analyse(
            scenario,
            fits,
            seed=options.seed,
            confidence=options.confidence,
            include_optional=options.include_optional,
            top=options.top,
            criterion=options.criterion,
            method=options.method,
            scheduler=options.scheduler,
            progress=step,
            talks=talks,
        )
        step("writing the report")
        written = write_report(html.render(analysis, language), path, force, scenario.files())
    return analysis, written


def document(analysis: Analysis, path: Path) -> dict[str, Any]:
    """The JSON output: the report's path, the engine's results and the proposals' support."""
    from ..formats import records
    from ..report import documents

    return {
        "ok": True,
        "report": str(path),
        **documents.solution_document(analysis.scenario, analysis.problem, analysis.solution),
        "proposals": records(analysis.proposals),
    }


@user_errors
def report_command(
    scenario: ScenarioArg,
    out: OutOpt = None,
    language: LanguageOpt = None,
    force: ForceOpt = False,
    top: TopOpt = 10,
    criterion: CriterionOpt = "margin",
    draws: DrawsOpt = DRAWS,
    seed: SeedOpt = 0,
    confidence: ConfidenceOpt = None,
    include_optional: OptionalOpt = False,
    method: MethodOpt = "auto",
    scheduler: SchedulerOpt = None,
    talks: TalksOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """Write the HTML report of a scenario: one self-contained page to hand to a minister.

    Fits every ratifier's support model and runs the deal engine, then writes one HTML file (no
    network needed to view it) with each public's support for the proposals, the ratification
    map, the best deals, the ratification gap, the negotiators' frontiers, each public's AMCEs and
    where the data come from; with --talks, simulated talks and the two-level-game experiments. An
    existing file is replaced only if it is a winset report.
    """
    from ..scenario import load_scenario

    loaded = load_scenario(scenario)
    options = SolveOptions(draws, seed, confidence, include_optional, method, scheduler, top, criterion)
    analysis, path = run(loaded, out, language, force, as_json, options, talks)
    if as_json:
        print_json(document(analysis, path))
    else:
        stdout().print(Text.assemble("Report written to ", (str(path), "bold")), soft_wrap=True)


@user_errors
def demo_command(
    out: DemoOutOpt = None,
    language: LanguageOpt = None,
    force: ForceOpt = False,
    draws: DrawsOpt = DRAWS,
    seed: SeedOpt = 0,
    talks: TalksOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """The worked example end to end: the Kuril Islands / Northern Territories.

    Fits the Russian and Japanese publics' support models to the bundled survey data and polls,
    prints each public's support for the status quo and the historic proposals, the joint win-set
    or the ratification gap and the negotiators' frontier, and writes the HTML report.
    """
    from ..scenario import load_scenario

    loaded = load_scenario("kuril")
    analysis, path = run(loaded, out, language, force, as_json, SolveOptions(draws, seed), talks)
    if as_json:
        print_json(document(analysis, path))
        return
    console = stdout()
    console.print(results(analysis))
    console.print(Text.assemble("\nReport written to ", (str(path), "bold")), soft_wrap=True)


def results(analysis: Analysis) -> Group:
    """What ``winset demo`` prints: the proposals' support, then what ``winset solve`` prints."""
    from ..space import STATUS_QUO_WORD as STATUS_QUO
    from . import render

    scenario, problem = analysis.scenario, analysis.problem
    proposals = analysis.proposals.copy()
    proposals.insert(0, "key", [str(n) for n in range(len(proposals))])
    notes = {
        str(n): ("status quo (no agreement)" if name == STATUS_QUO else scenario.text(scenario.proposal(name)))
        for n, name in enumerate(proposals["name"])
    }
    proposals["package"] = [
        "status_quo" if name == STATUS_QUO else text
        for name, text in zip(proposals["name"], proposals["package"], strict=True)
    ]
    table = render.package_tables("Support for the status quo and the proposals", proposals, problem, notes)
    return render.solution_report(scenario, problem, analysis.solution, preface=table)

"""The ``winset`` command line.

Exit codes: 0 success; 2 bad input (a scenario with problems, an unknown option, a missing file),
with every problem printed; 1 an internal error, which is a bug in winset; 3 (``solve`` and
``assess`` with ``--exit-code``) no package passes, or the proposal fails.
"""

from __future__ import annotations

import warnings
from typing import Annotated, Any

import typer

from . import __version__
from .cli_common import JsonOpt, ScenarioArg, check_language, print_json, show_warning, stdout, user_errors
from .conjoint import commands as conjoint_commands
from .console import summary
from .consult import commands as consult_commands
from .engine import commands as engine_commands
from .negotiate import commands as negotiate_commands
from .report import commands as report_commands
from .scenario import Scenario, load_scenario
from .scenario.evidence import require_evidence
from .support import commands as support_commands

app = typer.Typer(
    name="winset",
    help="Find the settlements that every side of a negotiation could ratify at home.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

LanguageOpt = Annotated[
    str | None,
    typer.Option("--lang", help="Language of labels (en, ru, ja, ...); default: the scenario's first language."),
]


def _scenario_json(scenario: Scenario) -> dict[str, Any]:
    space = scenario.space
    return {
        "ok": True,
        "scenario": scenario.scenario.id,
        "issues": {issue.id: [o.id for o in issue.options] for issue in scenario.issues},
        "status_quo": scenario.status_quo,
        "packages": space.size,
        "valid_packages": space.count_valid(),
        "constraints": [c.id for c in scenario.constraints],
        "parties": {p.id: [r.id for r in p.ratifiers] for p in scenario.parties},
        "proposals": {p.id: space.format(space.parse(p.package), changes_only=True) for p in scenario.proposals},
    }


def _show(scenario: Scenario, language: str | None, as_json: bool) -> None:
    check_language(scenario, language)
    if as_json:
        print_json(_scenario_json(scenario))
    else:
        stdout().print(summary(scenario, language))


@app.command()
@user_errors
def check(scenario: ScenarioArg, language: LanguageOpt = None, as_json: JsonOpt = False) -> None:
    """Validate a scenario file and summarise it.

    Prints the issues and options, the size of the package space, the constraints, the parties and
    their ratifiers, and the proposals. A file with problems gets every problem listed, each with its
    place and a fix, and exit code 2, as does a ratifier without survey evidence to learn from.
    """
    loaded = load_scenario(scenario)
    require_evidence(loaded)
    _show(loaded, language, as_json)


app.command("demo")(report_commands.demo_command)
app.command("fit")(support_commands.fit_command)
app.command("solve")(engine_commands.solve_command)
app.command("assess")(engine_commands.assess_command)
app.command("report")(report_commands.report_command)
app.command("simulate")(negotiate_commands.simulate_command)
app.command("serve")(consult_commands.serve_command)
app.command("organiser")(consult_commands.organiser_command)
app.command("amce")(conjoint_commands.amce_command)
app.command("mm")(conjoint_commands.mm_command)


def _version(value: bool) -> None:
    if value:
        print(f"winset {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Find the settlements that every side of a negotiation could ratify at home."""
    warnings.showwarning = show_warning


def main() -> None:
    """Console-script entry point."""
    app()

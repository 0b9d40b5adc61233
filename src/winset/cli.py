"""The ``winset`` command line.

Exit codes: 0 success; 2 bad input (a scenario with problems, an unknown option, a missing file),
with every problem printed; 1 an internal error, which is a bug in winset.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from . import __version__
from .console import print_problems, summary
from .errors import WinsetError
from .scenario import Scenario, load_scenario
from .scenarios import bundled_path

app = typer.Typer(
    name="winset",
    help="Find the settlements that every side of a negotiation could ratify at home.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

ScenarioArg = Annotated[
    Path,
    typer.Argument(help="Scenario file (TOML), or a folder holding scenario.toml.", show_default=False),
]
LanguageOpt = Annotated[
    str | None,
    typer.Option("--lang", help="Language of labels (en, ru, ja, ...); default: the scenario's first language."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print a JSON document instead of tables.")]


def _stdout() -> Console:
    return Console(highlight=False)


def _stderr() -> Console:
    return Console(stderr=True, highlight=False)


def user_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Print user errors as plain problems with exit code 2, and anything else as a one-line
    internal error with exit code 1 (set WINSET_DEBUG=1 for the traceback)."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        as_json = kwargs.get("as_json", False)
        try:
            return command(*args, **kwargs)
        except WinsetError as error:
            if as_json:
                _print_json({"ok": False, "problems": [p.__dict__ for p in error.problems], "source": error.source})
            else:
                print_problems(_stderr(), error)
            raise typer.Exit(error.exit_code) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as error:  # a bug: say so plainly, keep the traceback for those who ask
            if os.environ.get("WINSET_DEBUG"):
                raise
            _stderr().print(
                f"[bold red]internal error:[/] {type(error).__name__}: {error}\n"
                "This is a bug in winset. Run again with WINSET_DEBUG=1 to see the traceback, and report it.",
                soft_wrap=True,
            )
            raise typer.Exit(1) from None

    return run


def _print_json(document: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")


def _check_language(scenario: Scenario, language: str | None) -> None:
    if language is not None and language not in scenario.languages:
        from .errors import Problem, known_list

        raise WinsetError(
            [
                Problem(
                    "--lang",
                    f"the scenario has no labels in '{language}'",
                    f"use one of {known_list(scenario.languages)}",
                )
            ]
        )


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
    _check_language(scenario, language)
    if as_json:
        _print_json(_scenario_json(scenario))
    else:
        _stdout().print(summary(scenario, language))


@app.command()
@user_errors
def check(scenario: ScenarioArg, language: LanguageOpt = None, as_json: JsonOpt = False) -> None:
    """Validate a scenario file and summarise it.

    Prints the issues and options, the size of the package space, the constraints, the parties and
    their ratifiers, and the proposals. A file with problems gets every problem listed, each with its
    place and a fix, and exit code 2.
    """
    _show(load_scenario(scenario), language, as_json)


@app.command()
@user_errors
def demo(language: LanguageOpt = None, as_json: JsonOpt = False) -> None:
    """Run winset on the bundled example: the Kuril Islands / Northern Territories.

    Loads and validates the bundled scenario and prints its summary, with each negotiator's
    utility for the historic proposals.
    """
    path = bundled_path("kuril")
    if not as_json:
        _stdout().print(f"Bundled scenario: {path}\n", soft_wrap=True)
    _show(load_scenario(path), language, as_json)


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


def main() -> None:
    """Console-script entry point."""
    app()

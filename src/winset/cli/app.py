"""The ``winset`` command line.

Exit codes: 0 success; 2 bad input (a scenario with problems, an unknown option, a missing file),
with every problem printed; 1 an internal error, which is a bug in winset, or output cut short
because its reader stopped reading (``| head``); 3 (``solve`` and
``assess`` with ``--exit-code``) no package passes, or the proposal fails.
"""

from __future__ import annotations

import warnings
from typing import Annotated

import typer

from .. import __version__
from . import check, conjoint, design, fit, groups, importing, init, report, serve, simulate, solve
from .common import show_warning
from .help_style import Command, Group

app = typer.Typer(
    name="winset",
    help="Find the settlements that every side of a negotiation could ratify at home.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    cls=Group,
)

COMMANDS = {
    "init": init.init_command,
    "check": check.check_command,
    "demo": report.demo_command,
    "fit": fit.fit_command,
    "solve": solve.solve_command,
    "assess": solve.assess_command,
    "report": report.report_command,
    "simulate": simulate.simulate_command,
    "serve": serve.serve_command,
    "organiser": serve.organiser_command,
    "amce": conjoint.amce_command,
    "mm": conjoint.mm_command,
    "import": importing.import_command,
    "design": design.design_command,
    "groups": groups.groups_command,
}
for name, command in COMMANDS.items():
    app.command(name, cls=Command)(command)


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

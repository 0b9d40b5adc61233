"""The ``winset`` command line.

Exit codes: 0 success; 2 bad input (a scenario with problems, an unknown option, a missing file),
with every problem printed; 1 an internal error, which is a bug in winset; 3 (``solve`` and
``assess`` with ``--exit-code``) no package passes, or the proposal fails.
"""

from __future__ import annotations

import warnings
from typing import Annotated

import typer

from .. import __version__
from . import check, conjoint, fit, importing, init, report, serve, simulate, solve
from .common import show_warning

app = typer.Typer(
    name="winset",
    help="Find the settlements that every side of a negotiation could ratify at home.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

app.command("init")(init.init_command)
app.command("check")(check.check_command)
app.command("demo")(report.demo_command)
app.command("fit")(fit.fit_command)
app.command("solve")(solve.solve_command)
app.command("assess")(solve.assess_command)
app.command("report")(report.report_command)
app.command("simulate")(simulate.simulate_command)
app.command("serve")(serve.serve_command)
app.command("organiser")(serve.organiser_command)
app.command("amce")(conjoint.amce_command)
app.command("mm")(conjoint.mm_command)
app.command("import")(importing.import_command)


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

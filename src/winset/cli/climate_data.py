"""Rebuild the climate example's survey from the published file (see :mod:`winset.examples.climate`)::

    python -m winset.cli.climate_data SOURCE [--out FOLDER]

where SOURCE is ``bs2013_us.csv`` (Bechtel and Scheve 2013, the US public); writes
``survey_us.csv.gz`` (reproducible byte for byte).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import user_errors
from .help_style import Command

Source = Annotated[Path, typer.Argument(help="The published bs2013_us.csv.", show_default=False)]
Out = Annotated[Path, typer.Option("--out", help="The folder the survey is written in (default: this one).")]
app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


@app.command(cls=Command, help="Rebuild the climate example's survey of the US public from the published file.")
@user_errors
def main(source: Source, out: Out = Path(".")) -> None:
    from ..examples.climate import prepare

    print(f"written {prepare(source, out)}")


if __name__ == "__main__":
    app()

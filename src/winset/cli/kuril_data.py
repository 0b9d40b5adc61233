"""Regenerate the worked example's simulated surveys (see :mod:`winset.examples.kuril`)::

    python -m winset.cli.kuril_data [--out FOLDER]

writes ``survey_ru.csv.gz``, ``survey_jp.csv.gz`` and ``survey_islands.csv.gz`` (reproducible byte
for byte) and prints how close each truth model came to its polls.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import user_errors
from .help_style import Command

Out = Annotated[Path, typer.Option("--out", help="The folder the three surveys are written in (default: this one).")]
app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


@app.command(
    cls=Command, help="Generate the worked example's survey data: simulated respondents calibrated to real polls."
)
@user_errors
def main(out: Out = Path(".")) -> None:
    from ..examples.kuril import ASSUMED_TARGETS, generate

    for name, targets in generate(out).items():
        print(name)
        for target, (goal, achieved) in targets.items():
            source = "assumed" if target in ASSUMED_TARGETS.get(name, set()) else "a poll"
            print(f"  {target:22} target {goal:.3f} {'(' + source + ')':9}  truth {achieved:.3f}")


if __name__ == "__main__":
    app()

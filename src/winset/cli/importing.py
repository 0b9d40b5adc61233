"""``winset import FILE``: conjoint data exported wide (Qualtrics with the Conjoint Survey Design
Tool, or columns by pattern as cregg's ``cj_tidy`` reads them) as the long table ``winset fit``
and ``winset amce`` read."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from ..errors import Problem, WinsetError
from .common import stdout, user_errors


def _names(text: str | None) -> list[str]:
    return [name.strip() for name in (text or "").split(",") if name.strip()]


@user_errors
def import_command(
    data: Annotated[Path, typer.Argument(help="The wide export (CSV).", show_default=False)],
    out: Annotated[Path, typer.Option("--out", help="The long table to write (CSV).", show_default=False)],
    layout: Annotated[
        Literal["qualtrics", "wide"],
        typer.Option("--format", help="qualtrics (F-t-p-a columns) or wide (by --pattern)."),
    ] = "qualtrics",
    responses: Annotated[
        str | None, typer.Option("--responses", help="qualtrics: the choice questions of tasks 1, 2, ... in order.")
    ] = None,
    respondent: Annotated[
        str | None, typer.Option("--id", help="The respondent id column (default: row number).")
    ] = None,
    keep: Annotated[
        str | None, typer.Option("--keep", help="Respondent columns to carry along, comma-separated.")
    ] = None,
    features: Annotated[str | None, typer.Option("--features", help="wide: the attributes, comma-separated.")] = None,
    tasks: Annotated[int, typer.Option("--tasks", min=1, help="wide: tasks per respondent.")] = 1,
    profiles: Annotated[int, typer.Option("--profiles", min=1, help="wide: profiles per task.")] = 2,
    pattern: Annotated[
        str, typer.Option("--pattern", help="wide: the attribute columns' names.")
    ] = "{feature}_{task}_{profile}",
    choice: Annotated[
        str | None, typer.Option("--choice", help="wide: the choice columns' names (chosen profile's number).")
    ] = "choice_{task}",
    outcome: Annotated[
        str | None,
        typer.Option("--outcome", help="wide: instead, an answer per profile, e.g. 'rating_{task}_{profile}'."),
    ] = None,
    repeat: Annotated[
        int | None,
        typer.Option(
            "--repeat",
            min=1,
            help="The last task asks task T again, profiles swapped (winset design --field --repeat T): a column "
            "'repeats' marks it, for winset amce --repeated repeats and a scenario's data.repeated.",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace --out if a file is there.")] = False,
) -> None:
    """Read conjoint data exported wide into the long table (a row per profile shown)."""
    from ..conjoint.reading import read_table
    from ..conjoint.wide import from_qualtrics, from_wide, mark_repeat, without_qualtrics_headers
    from ..outputs import Output, is_table

    Output(out, "table", "--out", (".csv",), lambda _: True, [data], force).check()  # where it may go
    frame = read_table(data)
    if layout == "qualtrics":
        if not responses:
            raise WinsetError(
                [
                    Problem(
                        "--responses",
                        "no choice questions named",
                        "give --responses Q1,Q2,... (one per task, in order)",
                    )
                ]
            )
        long = from_qualtrics(frame, _names(responses), respondent, _names(keep))
    else:
        if not features:
            raise WinsetError([Problem("--features", "no attributes named", "give --features a,b,c")])
        long = from_wide(
            frame,
            _names(features),
            tasks,
            profiles,
            pattern,
            None if outcome else choice,
            outcome,
            respondent,
            _names(keep),
        )
    if repeat is not None:
        long = mark_repeat(long, repeat)
    # an earlier long table with the same columns is this command's own output; anything else is not
    target = Output(out, "table", "--out", (".csv",), is_table([str(c) for c in long.columns]), [data], force)
    written = target.write(lambda path: long.to_csv(path, index=False))
    answered = long.groupby(["respondent", "task"]).ngroups if len(long) else 0
    if layout == "qualtrics":
        asked = len(without_qualtrics_headers(frame)) * len(_names(responses))
    else:
        asked = len(frame) * tasks
    left_out = f"; {asked - answered:,} tasks without an answer left out" if asked > answered else ""
    stdout().print(
        f"{len(long):,} profile rows of {long['respondent'].nunique():,} respondents written to {written}{left_out}",
        soft_wrap=True,
    )

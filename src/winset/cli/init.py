"""``winset init DIR``: a scenario skeleton for a new case, from ``--issues FILE`` or prompts."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from ..errors import Problem, WinsetError
from .common import stdout, user_errors

FILES = ("scenario.toml", "polls.csv")
LARGE_SPACE = 10**9  # packages beyond which the skeleton's analyses may run long


@user_errors
def init_command(
    folder: Annotated[
        Path, typer.Argument(help="The folder to write the scenario in (made if missing).", show_default=False)
    ],
    issues: Annotated[
        Path | None,
        typer.Option(
            "--issues",
            help="A CSV of issue,option rows (the status quo's option first for each issue); without it, "
            "the issues are asked for at a terminal.",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace scenario.toml and polls.csv if they are there.")
    ] = False,
) -> None:
    """Write a scenario skeleton: your issues and options, and placeholders for the rest (two
    parties, a public known from a poll, one from an elicited prior, a proposal), marked
    PLACEHOLDER, that pass winset check and run."""
    from ..outputs import Output
    from ..scenario.skeleton import read_issues, skeleton

    # Output's rules (never an input, a folder or through a missing folder); an existing file, even a
    # skeleton of winset's own that may have been edited since, is replaced only with --force
    targets = [
        Output(folder / name, "file", "FOLDER", (Path(name).suffix,), lambda _: True, [issues] if issues else [], True)
        for name in FILES
    ]
    if not str(folder).strip():
        raise WinsetError([Problem("FOLDER", "is empty", "name the folder to write the scenario in")])
    if folder.exists() and not folder.is_dir():
        raise WinsetError([Problem(str(folder), "is not a folder", "name a folder (it is made if it is missing)")])
    if not folder.parent.is_dir():
        what = "is not a folder" if folder.parent.exists() else "does not exist"
        raise WinsetError(
            [Problem(str(folder), f"its parent {folder.parent} {what}", "name a folder inside an existing one")]
        )
    folder_made = not folder.exists()
    if not folder_made:
        problems = [p for target in targets for p in _problems(target)]
        if not force:
            problems += [
                Problem(
                    str(target.path),
                    "is already there (it may hold your edits)",
                    "choose another FOLDER, or pass --force to replace it",
                )
                for target in targets
                if target.path.exists() or target.path.is_symlink()
            ]
        if problems:
            raise WinsetError(problems)
    listed = read_issues(issues) if issues is not None else _asked()
    scenario_text, polls_text = skeleton(listed, folder.resolve().name)
    folder.mkdir(exist_ok=True)
    for target, text in zip(targets, (scenario_text, polls_text), strict=True):
        target.write(_writer(text))
    packages = math.prod(len(options) for _, options in listed)
    large = (
        f" The space holds {packages:,} packages: exact analyses of a space this large can take a long time."
        if packages > LARGE_SPACE
        else ""
    )
    stdout().print(
        f"Wrote {folder / FILES[0]} and {folder / FILES[1]}: replace every PLACEHOLDER, then run "
        f"winset check {folder / FILES[0]}.{large}",
        soft_wrap=True,
    )


def _writer(text: str) -> Callable[[Path], object]:
    return lambda path: path.write_text(text, encoding="utf-8")


def _problems(target: object) -> list[Problem]:
    from ..outputs import Output, output_problems

    assert isinstance(target, Output)
    return output_problems(target)


def _asked(ask: Callable[..., str] = typer.prompt, terminal: bool | None = None) -> list[tuple[str, list[str]]]:
    """Issues typed at a terminal (``ask`` prompts); without one, a problem that says how to give them."""
    if terminal is None:
        terminal = sys.stdin is not None and sys.stdin.isatty()
    if not terminal:
        raise WinsetError(
            [
                Problem(
                    "--issues",
                    "no issues: none given with --issues, and standard input is not a terminal to ask at",
                    "give --issues issues.csv (a header issue,option, then one row per option, the status quo's "
                    "first), or run winset init in a terminal",
                )
            ]
        )
    listed: list[tuple[str, list[str]]] = []
    while True:
        issue = ask("Issue id (empty to finish)", default="", show_default=False).strip()
        if not issue:
            return listed
        options = ask(f"Options of '{issue}', comma-separated, the status quo's first")
        listed.append((issue, [o.strip() for o in options.split(",") if o.strip()]))

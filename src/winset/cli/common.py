"""What every ``winset`` command shares: consoles, JSON output, and turning errors into exit codes.

Exit codes: 0 success; 2 bad input (every problem printed, with its place and a fix); 1 an
internal error, which is a bug in winset (``WINSET_DEBUG=1`` shows the traceback); 3 (only with
``--exit-code``) the analysis ran and found no deal that passes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import math
import os
import sys
import warnings
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TextIO

import typer
from rich.console import Console
from rich.text import Text

from ..errors import Problem, WinsetError, known_list
from .heartbeat import Heartbeat, LoggedProgress
from .terminal import SafeConsole, json_text, printable

if TYPE_CHECKING:
    from rich.progress import Progress


def print_problems(console: Console, error: WinsetError) -> None:
    """Print every problem of a user error: location, what is wrong, and the fix (control
    characters in them, which may come from the user's files, escaped)."""
    console.print(Text.assemble(("error: ", "bold red"), printable(error.headline)), soft_wrap=True)
    for problem in error.problems:
        if problem.location:
            console.print(Text("  " + printable(problem.location), style="bold"), soft_wrap=True)
        console.print(Text("      " + printable(problem.message)), soft_wrap=True)
        console.print(Text.assemble("      ", ("fix: ", "green"), printable(problem.fix)), soft_wrap=True)


def stdout() -> SafeConsole:
    return SafeConsole(highlight=False)


def stderr() -> SafeConsole:
    return SafeConsole(stderr=True, highlight=False)


@contextlib.contextmanager
def steps(show: bool) -> Iterator[Callable[[str], None]]:
    """A spinner on the terminal (standard error) naming the step under way; the function it
    yields names the next step. Where standard error is not a terminal, plain lines instead: each
    step, and every few seconds how long it has run (:mod:`.heartbeat`). Silent when ``show`` is
    false (a command printing JSON)."""
    console = stderr()
    if not show:
        yield lambda _: None
        return
    if not console.is_terminal:
        with Heartbeat(console) as beat:
            yield beat.step
        return
    with console.status("starting") as status:
        yield lambda text: status.update(f"{text}...")


def progress_bars(show: bool) -> Progress:
    """Progress bars on the terminal (standard error), gone when done; where standard error is
    not a terminal, a line of counts every few seconds instead (:mod:`.heartbeat`); silent when
    ``show`` is false."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = stderr()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    if show and not console.is_terminal:
        return LoggedProgress(*columns, console=console)
    return Progress(*columns, console=console, transient=True, disable=not show)


def check_language(scenario: Any, language: str | None) -> None:
    """Refuse a ``--lang`` the scenario has no labels in."""
    if language is not None and language not in scenario.languages:
        raise WinsetError(
            [
                Problem(
                    "--lang",
                    f"the scenario has no labels in '{language}'",
                    f"use one of {known_list(scenario.languages)}",
                )
            ]
        )


def show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """Python's warnings, as the command line prints them: on standard error, with any control
    character of user text in them (a label a font has no glyph for) escaped."""
    text = warnings.formatwarning(message, category, filename, lineno, line)
    (file or sys.stderr).write(printable(text))


def print_json(document: Any) -> None:
    """Print a document as JSON (RFC 8259): a number that is not finite (an estimate that does
    not exist, a shift that no opinion reaches) is written as null, never as NaN or Infinity;
    control characters in text are escaped (:func:`winset.terminal.json_text`)."""
    text = json.dumps(jsonable(document), ensure_ascii=False, indent=2, allow_nan=False)
    sys.stdout.write(json_text(text) + "\n")


def jsonable(value: Any) -> Any:
    """``value`` with only JSON's types: numpy numbers and arrays as numbers and lists, floats
    that are not finite as None, paths and other objects as text."""
    import numpy as np

    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if value is None or isinstance(value, str):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonable(dataclasses.asdict(value))
    return str(value)


@contextlib.contextmanager
def _reader_may_be_gone() -> Iterator[None]:
    """Let the reader of standard output or error have stopped reading: what is left unsaid is
    dropped, and nothing more is written to a closed pipe when Python exits."""
    try:
        yield
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError, AttributeError):
                os.dup2(devnull, stream.fileno())


def user_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Print user errors as plain problems with exit code 2, and anything else as a one-line
    internal error with exit code 1 (set WINSET_DEBUG=1 for the traceback)."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        as_json = kwargs.get("as_json", False)
        try:
            return command(*args, **kwargs)
        except WinsetError as error:
            with _reader_may_be_gone():  # `winset check bad.toml 2>&1 | head -2` still exits 2
                if as_json:
                    print_json({"ok": False, "problems": [p.__dict__ for p in error.problems], "source": error.source})
                else:
                    print_problems(stderr(), error)
            raise typer.Exit(error.exit_code) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt, BrokenPipeError):
            raise  # a reader that stopped reading (`| head`) is the command line's to handle, quietly
        except OSError as error:  # the system refused a file of the user's: a full disk, a permission
            from ..files import shown

            where = shown(error.filename) if error.filename else ""
            reason = error.strerror or str(error)
            problem = Problem(where, f"the system refused: {reason}", "check the path, its permissions and free space")
            failure = WinsetError([problem])
            if as_json:
                print_json({"ok": False, "problems": [problem.__dict__], "source": None})
            else:
                print_problems(stderr(), failure)
            raise typer.Exit(2) from None
        except Exception as error:  # a bug: say so plainly, keep the traceback for those who ask
            if os.environ.get("WINSET_DEBUG"):
                raise
            if as_json:  # a reader of --json still gets JSON
                with _reader_may_be_gone():
                    print_json({"ok": False, "internal_error": f"{type(error).__name__}: {error}", "problems": []})
            stderr().print(
                f"[bold red]internal error:[/] {type(error).__name__}: {error}\n"
                "This is a bug in winset. Run again with WINSET_DEBUG=1 to see the traceback, and report it.",
                soft_wrap=True,
            )
            raise typer.Exit(1) from None

    return run

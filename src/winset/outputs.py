"""Writing a command's outputs without ever losing a file of the user's.

One policy for every file winset writes (tables, figures, reports), checked before any work is
done (:meth:`Output.check`) so that minutes of fitting never end in a refusal:

* never a file the command reads: the same path once resolved, or the same file (device and
  inode: a hard link, or a symbolic link to an input);
* never a file that is not one of winset's own outputs, unless the user passes ``--force``: an
  existing file is replaced only if it carries winset's mark (:data:`MARK` in a report's
  generator tag, a figure's metadata; for a CSV table, the header of the table being written);
* never a folder, never in a folder that does not exist, and only with the suffix of its kind;
* always atomically (:meth:`Output.write`): written to a temporary file beside the target, given
  the replaced file's permissions, and moved into place, so a failed write leaves the old file
  whole and a reader never sees half a file.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .atomic import replace_atomic
from .errors import Problem, WinsetError
from .files import kind as file_kind
from .files import shown

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MARK = "winset"  # the generator winset writes into every output it can mark
PEEK_BYTES = 65_536  # how much of an existing file's head (and tail) is read for the mark


class OutputError(WinsetError):
    """An output cannot or must not be written where the user asked."""


@dataclass(frozen=True)
class Output:
    """Where a command will write one output, and how to recognise a file it may replace.

    ``kind`` names the output in messages ("report", "table", "figure"), ``option`` the option
    that chose the path; ``suffixes`` are the allowed file name endings (lower case); ``ours(path)``
    says whether an existing file is one of winset's outputs of this kind; ``inputs`` are the files
    the command reads."""

    path: Path
    kind: str
    option: str
    suffixes: tuple[str, ...]
    ours: Callable[[Path], bool]
    inputs: Sequence[Path] = field(default=())
    force: bool = False

    def check(self) -> None:
        """Refuse, with the reason and the fix, before any work is done (see the module text)."""
        problems = output_problems(self)
        if problems:
            raise OutputError(problems)

    def write(self, write: Callable[[Path], object]) -> Path:
        """Check again, then ``write(temporary path)`` and move the file into place
        (:func:`winset.atomic.replace_atomic`); returns the absolute path written."""
        self.check()
        replace_atomic(self.path, write)
        return self.path.resolve()


def output_problems(output: Output) -> list[Problem]:
    """Every reason not to write ``output`` where it is asked for (empty: it may be written)."""
    try:
        return _problems(output)
    except WinsetError as error:  # a path the system cannot look up (a name too long, no permission)
        return error.problems


def _problems(output: Output) -> list[Problem]:
    path, where, kind, option = output.path, shown(output.path), output.kind, output.option
    *first, last = output.suffixes
    allowed = f"{', '.join(first)} or {last}" if first else last
    if path.suffix.lower() not in output.suffixes:
        return [Problem(where, f"a {kind} is a {allowed} file", f"give {option} a file name ending in {allowed}")]
    if file_kind(path) == "folder":
        return [Problem(where, "is a folder", f"give {option} a file name, e.g. {kind}{output.suffixes[0]}")]
    if file_kind(path.parent) != "folder":
        return [Problem(where, "the folder does not exist", f"create the folder first, or choose another {option}")]
    for source in output.inputs:
        if same_file(path, Path(source)):
            return [
                Problem(
                    where,
                    f"this is {source}, a file the command reads",
                    f"write the {kind} to another file: winset never writes to its inputs",
                )
            ]
    if (file_kind(path) != "missing" or path.is_symlink()) and not output.force:
        if file_kind(path) != "file":
            return [Problem(where, "is not a regular file", f"choose another {option}")]
        if not output.ours(path):
            return [
                Problem(
                    where,
                    f"a file that is not a winset {kind} is already there",
                    f"choose another {option}, or pass --force to replace it",
                )
            ]
    return []


def same_file(path: Path, other: Path) -> bool:
    """Whether two paths name the same file: equal once resolved, or the same device and inode."""
    try:
        if path.resolve() == Path(other).resolve():
            return True
        return path.exists() and Path(other).exists() and os.path.samefile(path, other)
    except OSError:
        return False


# ------------------------------------------------------------------------------------------ marks
def peek(path: Path) -> bytes:
    """The head and the tail of a file (where formats keep their metadata)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(PEEK_BYTES)
            size = handle.seek(0, os.SEEK_END)
            if size <= PEEK_BYTES:
                return head
            handle.seek(max(PEEK_BYTES, size - PEEK_BYTES))
            return head + handle.read()
    except OSError:
        return b""


def has_mark(*markers: bytes) -> Callable[[Path], bool]:
    """A test for files that contain one of ``markers`` near their start or end."""

    def ours(path: Path) -> bool:
        content = peek(path)
        return any(marker in content for marker in markers)

    return ours


FIGURE_SUFFIXES = (".png", ".svg", ".pdf")


def figure_metadata(suffix: str) -> dict[str, str]:
    """Matplotlib ``savefig`` metadata that marks a figure as winset's, for its format."""
    key = "Software" if suffix.lower() == ".png" else "Creator"
    return {key: MARK}


# where matplotlib writes the mark: PNG a tEXt chunk "Software", SVG the creator's RDF title, PDF
# the document information's /Creator
is_figure = has_mark(
    b"tEXtSoftware\x00" + MARK.encode(),
    f"<cc:Agent>\n      <dc:title>{MARK}</dc:title>".encode(),
    f"/Creator ({MARK})".encode(),
)


def save_figure(figure: Figure, output: Output, **options: Any) -> Path:
    """Save a matplotlib figure to ``output`` (format by suffix), marked as winset's, atomically."""
    suffix = output.path.suffix.lower()
    metadata = figure_metadata(suffix)

    def write(temporary: Path) -> None:
        figure.savefig(temporary, format=suffix.lstrip("."), metadata=metadata, **options)

    return output.write(write)


def is_table(columns: Sequence[str], leading: int = 0) -> Callable[[Path], bool]:
    """A test for CSV files whose header is that of a table winset writes: ``columns``, after up
    to ``leading`` other columns (a grouping column's name)."""

    def ours(path: Path) -> bool:
        with path.open("rb") as handle:
            first = handle.readline(PEEK_BYTES).rstrip(b"\r\n").decode("utf-8", errors="replace").split(",")
        return first[len(first) - len(columns) :] == list(columns) and len(first) - len(columns) in range(leading + 1)

    return ours

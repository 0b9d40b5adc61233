"""Writing the bundled examples' survey files: gzip-compressed CSV, reproducible byte for byte (no
timestamp), each replacing its own earlier file whole, never written through a link or over
anything that is not a file."""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from ..atomic import write_atomic
from ..errors import Problem, WinsetError

LEAVE_ALONE = "move it away, or choose another --out"  # the fix for a survey name taken by something else


def check_out(out: Path, names: Iterable[str]) -> None:
    """Refuse, before any work, a folder that is not there and survey names taken by anything but
    a file (the surveys' own earlier files, which are reproducible, are replaced)."""
    if not out.exists():
        raise WinsetError([Problem(str(out), "the folder does not exist", "create it first, or choose another --out")])
    if not out.is_dir():
        raise WinsetError([Problem(str(out), "is not a folder", "name the folder the surveys go in")])
    problems = []
    for name in names:
        path = out / name
        if path.is_symlink():
            problems.append(Problem(str(path), "is a symbolic link: the survey is not written through it", LEAVE_ALONE))
        elif path.exists() and not path.is_file():
            problems.append(Problem(str(path), "is not a file (a folder, or a device)", LEAVE_ALONE))
    if problems:
        raise WinsetError(problems)


def write_survey(frame: pd.DataFrame, path: Path) -> None:
    """``frame`` as gzip-compressed CSV at ``path``, replacing the file whole."""
    text = frame.to_csv(index=False, lineterminator="\n")
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, filename="") as handle:  # no timestamp: reproducible
        handle.write(text.encode("utf-8"))
    try:
        write_atomic(path, buffer.getvalue())
    except OSError as error:
        raise WinsetError(
            [Problem(str(path), f"cannot be written ({error.strerror})", "choose a folder you may write in")]
        ) from None

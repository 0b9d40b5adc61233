"""Opening the user's files: what is at a path, regular files only, opened without blocking and
read within a size limit (the survey data limit can be raised), and the problem of each file that
cannot be used, named as a message shows it.

Every function raises its problems as the caller's WinsetError subclass (``error``).
"""

from __future__ import annotations

import codecs
import contextlib
import io
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from ..errors import Problem, WinsetError

MB = 1_000_000
TABLE_BYTES = 50 * MB
DATA_BYTES = 2_000 * MB
DATA_LIMIT_VARIABLE = "WINSET_MAX_DATA_BYTES"

Error = type[WinsetError]


def data_limit(error: Error = WinsetError) -> int:
    """The survey data limit in bytes: ``WINSET_MAX_DATA_BYTES`` if set, else 2 GB."""
    value = os.environ.get(DATA_LIMIT_VARIABLE)
    if value is None or not value.strip():
        return DATA_BYTES
    try:
        limit = int(value.strip().replace("_", ""))
    except ValueError:
        limit = 0
    if limit <= 0:
        raise error(
            [
                Problem(
                    DATA_LIMIT_VARIABLE,
                    f"must be a positive whole number of bytes, got {value!r}",
                    f"set it to e.g. 8000000000 for 8 GB, or unset it for the default ({_size(DATA_BYTES)})",
                )
            ]
        )
    return limit


def kind(path: str | Path, error: Error = WinsetError) -> str:
    """What is at ``path``: ``"missing"``, ``"folder"``, ``"file"`` (a regular file) or
    ``"other"`` (a pipe, a socket, a device). A path the system cannot even look up (a name too
    long, a folder it may not enter) is a problem, not "missing"."""
    try:
        info = Path(path).stat()
    except (FileNotFoundError, NotADirectoryError):
        return "missing"
    except OSError as failure:
        raise error([_unusable(Path(path), failure)]) from None
    except ValueError:  # a NUL character: no system call can take the name
        raise error([_nul(path)]) from None
    if stat.S_ISDIR(info.st_mode):
        return "folder"
    return "file" if stat.S_ISREG(info.st_mode) else "other"


def shown(path: str | Path, limit: int = 160) -> str:
    """A path as a message shows it: whole, or its start and end around "..." if very long."""
    text = str(path)
    return text if len(text) <= limit else f"{text[: limit // 2]}...{text[-limit // 3 :]}"


def check_file(path: str | Path, limit: int | None, error: Error = WinsetError) -> os.stat_result:
    """Refuse, without opening it, a path that is missing, not a regular file, or larger than
    ``limit`` bytes (None: the survey data limit)."""
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise error([Problem(shown(path), "no such file", "check the path")]) from None
    except OSError as failure:
        raise error([unreadable(path, failure)]) from None
    except ValueError:
        raise error([_nul(path)]) from None
    _check_regular(path, info, error)
    _check_size(path, info.st_size, limit, error)
    return info


@contextlib.contextmanager
def open_file(path: str | Path, limit: int | None, error: Error = WinsetError) -> Iterator[BinaryIO]:
    """The file opened for binary reading; reading more than ``limit`` bytes (None: the survey
    data limit) is an error."""
    with opened(Path(path), limit, error) as raw:
        yield bounded(raw, resolve_limit(limit, error), lambda: too_large(Path(path), limit, error))


def read_bytes(path: str | Path, limit: int | None, error: Error = WinsetError) -> bytes:
    """The file's bytes, at most ``limit`` of them (None: the survey data limit)."""
    with open_file(path, limit, error) as handle:
        try:
            return handle.read()
        except OSError as failure:
            raise error([unreadable(Path(path), failure)]) from None


def read_text(path: str | Path, limit: int | None, error: Error = WinsetError) -> str:
    """The file as UTF-8 text (a byte-order mark is dropped); a byte that is not UTF-8 is a
    problem at its line and column."""
    data = read_bytes(path, limit, error).removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as failure:
        raise not_utf8(path, data[: failure.start], error) from None


@contextlib.contextmanager
def opened(path: Path, limit: int | None, error: Error) -> Iterator[io.FileIO]:
    """The checked file, opened without blocking and checked again once open."""
    check_file(path, limit, error)
    try:  # no blocking: a pipe swapped in since the check opens at once, and is refused below
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as failure:
        raise error([unreadable(path, failure)]) from None
    with os.fdopen(descriptor, "rb", buffering=0) as raw:
        info = os.fstat(descriptor)
        _check_regular(path, info, error)
        _check_size(path, info.st_size, limit, error)
        yield raw


def cited(name: str, path: str | Path, problem: Problem) -> str:
    """A file's problem as part of another's: ``'name': message``, or ``'name' line 3, column 5:
    message`` for a problem at a place in the file (the file is ``path``)."""
    place = "" if problem.location == str(path) else f" {problem.location}"
    return f"'{name}'{place}: {problem.message}"


class Readable(Protocol):
    """What a bounded stream reads from: an open file, or the data of a compressed one."""

    def read(self, size: int = -1, /) -> bytes: ...


class _Bounded(io.RawIOBase):
    """A stream that raises once more than ``limit`` bytes have come out of ``inner``."""

    def __init__(self, inner: Readable, limit: int, exceeded: Callable[[], WinsetError]):
        self.inner, self.limit, self.exceeded, self.count = inner, limit, exceeded, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:  # a writable buffer (memoryview, bytearray)
        data = self.inner.read(min(len(buffer), self.limit + 1 - self.count))
        self.count += len(data)
        if self.count > self.limit:
            raise self.exceeded()
        buffer[: len(data)] = data
        return len(data)


def bounded(inner: Readable, limit: int, exceeded: Callable[[], WinsetError]) -> BinaryIO:
    """``inner`` read through a buffer, raising ``exceeded()`` past ``limit`` bytes."""
    return io.BufferedReader(_Bounded(inner, limit, exceeded), buffer_size=1 << 20)


def resolve_limit(limit: int | None, error: Error) -> int:
    return data_limit(error) if limit is None else limit


def _check_regular(path: Path, info: os.stat_result, error: Error) -> None:
    mode = info.st_mode
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise error([Problem(str(path), "the path is a folder, not a file", "name the file itself")])
    if stat.S_ISFIFO(mode):
        kind = "a named pipe (FIFO)"
    elif stat.S_ISSOCK(mode):
        kind = "a socket"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "a device"
    else:
        kind = "something else"
    raise error(
        [
            Problem(
                str(path),
                f"the path is {kind}, not a regular file",
                "write it to a regular file and name that file (winset reads files, not pipes, sockets or devices)",
            )
        ]
    )


def _check_size(path: Path, size: int, limit: int | None, error: Error) -> None:
    if size > resolve_limit(limit, error):
        raise too_large(path, limit, error, size)


def too_large(path: Path, limit: int | None, error: Error, size: int | None = None, what: str = "") -> WinsetError:
    """The problem of a file beyond ``limit`` (None: the survey data limit, which can be raised)."""
    shown = f" ({size:,} bytes)" if size is not None else ""
    subject = f"the file {what} is" if what else "the file is"
    if limit is None:
        fix = (
            f"use a smaller file, or set {DATA_LIMIT_VARIABLE} to a larger number of bytes"
            " if this machine has the memory"
        )
    else:
        fix = "check that this is the right file: no file of this kind comes near this size"
    return error([Problem(str(path), f"{subject} larger than {_size(resolve_limit(limit, error))}{shown}", fix)])


def unreadable(path: Path, failure: Exception) -> Problem:
    """The problem of a file that cannot be read: the system's reason (an OSError's strerror)."""
    reason = getattr(failure, "strerror", None) or str(failure) or type(failure).__name__
    return Problem(
        shown(path), f"cannot read the file: {reason[0].lower()}{reason[1:]}", "check the file and its permissions"
    )


def _nul(path: str | Path) -> Problem:
    return Problem(shown(path).replace("\0", "\\0"), "the path holds a NUL character", "write the path without it")


def _unusable(path: Path, failure: OSError) -> Problem:
    reason = failure.strerror or str(failure) or type(failure).__name__
    return Problem(
        shown(path), f"cannot use the path: {reason[0].lower()}{reason[1:]}", "check the path and its permissions"
    )


UTF8_FIX = "save the file as UTF-8 (in a spreadsheet: CSV UTF-8)"


def not_utf8(path: str | Path, before: bytes, error: Error, line: int = 1, column: int = 1) -> WinsetError:
    """The problem of a byte that is not UTF-8, after ``before`` (good UTF-8 from ``line``, ``column``)."""
    line, column = advance(line, column, before.decode("utf-8", errors="replace"))
    return error([Problem(f"line {line}, column {column}", "the file is not UTF-8 text", UTF8_FIX)], source=path)


def advance(line: int, column: int, text: str) -> tuple[int, int]:
    """Line and column (from 1, in characters) after ``text``, starting at ``line``, ``column``."""
    breaks = text.count("\n")
    if breaks:
        return line + breaks, len(text) - text.rfind("\n")
    return line, column + len(text)


def _size(limit: int) -> str:
    if limit >= 1000 * MB and limit % (1000 * MB) == 0:
        return f"{limit // (1000 * MB)} GB"
    if limit >= MB and limit % MB == 0:
        return f"{limit // MB} MB"
    return f"{limit:,} bytes"

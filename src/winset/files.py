"""Reading the user's files: regular files only, of bounded size, every failure one located problem.

winset reads files that users name on the command line or in a scenario: scenario and design
files (TOML), polls files and probability tables (CSV), and survey data (CSV, compressed CSV,
Parquet). All of them are read here, so that the same rules hold for every one:

* **Regular files only.** Opening a named pipe (FIFO) blocks until something writes into it; a
  device such as ``/dev/zero`` never ends; a socket cannot be opened at all. The path is checked
  before it is opened, and the opened file once more (the path can change in between); the file
  is opened without blocking, so that a pipe swapped in at the last moment is refused too.
* **A size limit per kind of file,** checked on the file's size and enforced while reading, since
  a file can grow between the two (and files such as those in ``/proc`` report no size at all):
  reading stops at the first byte past the limit.

  ==============================================  ==================================
  scenario files, design files (TOML)             10 MB
  polls files, design probability tables (CSV)   50 MB
  survey data (CSV, .csv.gz/.bz2/.xz, Parquet)    2 GB on disk, and 2 GB decompressed
  ==============================================  ==================================

  (1 MB = 1,000,000 bytes.) No scenario comes near 10 MB, nor any table of poll toplines near
  50 MB; the survey limit keeps one file from taking all the memory of an ordinary machine. The
  environment variable ``WINSET_MAX_DATA_BYTES`` (a whole number of bytes) replaces the survey
  limit, on disk and decompressed, for larger machines and larger surveys.
* **Decompression is bounded too.** A compressed file of a few kilobytes can inflate to terabytes
  (a "compression bomb"), so decompressed data count against the limit as they come; a Parquet
  file is checked against its own metadata (rows times columns times 8 bytes, or its uncompressed
  size if larger) before any column is decoded. Compressed CSV is read by its suffix: ``.gz``,
  ``.bz2`` or ``.xz``; other archives (``.zip``, ``.zst``, ``.tar``) are refused.
* **TOML nesting.** :mod:`tomllib` parses each nested array or inline table by recursion, so a few
  thousand ``[`` exhaust Python's stack (RecursionError). No scenario or design nests more than
  about 8 levels; arrays and inline tables nested more than 64 deep are refused before parsing,
  located by line and column, and so, after parsing, is any deeper nesting of tables (dotted keys,
  table headers), located by its key path.
* **Text is UTF-8,** and a byte that is not is located by line and column. An empty file, a CSV
  with a header but no rows, truncated or corrupt compressed data and a corrupt Parquet file are
  each one problem naming the file.

Every problem is raised as the caller's :class:`~winset.errors.WinsetError` subclass (``error``),
so a scenario's are ScenarioErrors and a survey's ConjointErrors.
"""

from __future__ import annotations

import bz2
import codecs
import contextlib
import csv
import gzip
import io
import lzma
import os
import re
import stat
import tomllib
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import pandas as pd

from .errors import Problem, WinsetError

MB = 1_000_000
TOML_BYTES = 10 * MB
TABLE_BYTES = 50 * MB
DATA_BYTES = 2_000 * MB
DATA_LIMIT_VARIABLE = "WINSET_MAX_DATA_BYTES"
MAX_NESTING = 64

Error = type[WinsetError]

_COMPRESSED: dict[str, Callable[[BinaryIO], BinaryIO]] = {
    ".gz": lambda raw: gzip.GzipFile(fileobj=raw, mode="rb"),
    ".bz2": lambda raw: bz2.BZ2File(raw, "rb"),
    ".xz": lambda raw: lzma.LZMAFile(raw, "rb"),
}
_ARCHIVES = (".zip", ".zst", ".zstd", ".tar", ".tgz")
_PARQUET = (".parquet", ".pq")
# what truncated or corrupt compressed data raise while they are read
_CORRUPT = (EOFError, gzip.BadGzipFile, zlib.error, lzma.LZMAError, OSError)


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


# ---------------------------------------------------------------------------------- opening
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
        raise error([_unreadable(path, failure)]) from None
    except ValueError:
        raise error([_nul(path)]) from None
    _check_regular(path, info, error)
    _check_size(path, info.st_size, limit, error)
    return info


@contextlib.contextmanager
def open_file(path: str | Path, limit: int | None, error: Error = WinsetError) -> Iterator[BinaryIO]:
    """The file opened for binary reading; reading more than ``limit`` bytes (None: the survey
    data limit) is an error."""
    with _opened(Path(path), limit, error) as raw:
        yield _bounded(raw, _limit(limit, error), lambda: _too_large(Path(path), limit, error))


def read_bytes(path: str | Path, limit: int | None, error: Error = WinsetError) -> bytes:
    """The file's bytes, at most ``limit`` of them (None: the survey data limit)."""
    with open_file(path, limit, error) as handle:
        try:
            return handle.read()
        except OSError as failure:
            raise error([_unreadable(Path(path), failure)]) from None


def read_text(path: str | Path, limit: int | None, error: Error = WinsetError) -> str:
    """The file as UTF-8 text (a byte-order mark is dropped); a byte that is not UTF-8 is a
    problem at its line and column."""
    data = read_bytes(path, limit, error).removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as failure:
        raise _not_utf8(path, data[: failure.start], error) from None


@contextlib.contextmanager
def _opened(path: Path, limit: int | None, error: Error) -> Iterator[io.FileIO]:
    """The checked file, opened without blocking and checked again once open."""
    check_file(path, limit, error)
    try:  # no blocking: a pipe swapped in since the check opens at once, and is refused below
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as failure:
        raise error([_unreadable(path, failure)]) from None
    with os.fdopen(descriptor, "rb", buffering=0) as raw:
        info = os.fstat(descriptor)
        _check_regular(path, info, error)
        _check_size(path, info.st_size, limit, error)
        yield raw


# ---------------------------------------------------------------------------------- TOML
def read_toml(path: str | Path, error: Error = WinsetError) -> dict[str, Any]:
    """A TOML file (at most 10 MB, nested at most 64 deep) as a dictionary."""
    return parse_toml(read_text(path, TOML_BYTES, error), source=path, error=error)


def parse_toml(text: str, source: str | Path | None = None, error: Error = WinsetError) -> dict[str, Any]:
    """Parse TOML text; syntax errors and deep nesting are problems located by line and column
    (or, for nested tables, by key path)."""
    deep = _bracket_depth_problem(text)
    if deep is not None:
        raise error([deep], source=source)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as failure:
        raise error([_syntax_problem(str(failure), text)], source=source) from None
    deep = _table_depth_problem(document)
    if deep is not None:
        raise error([deep], source=source)
    return document


def _syntax_problem(message: str, text: str) -> Problem:
    match = re.search(r"\(at line (\d+), column (\d+)\)$", message) or re.search(r"\(at end of document\)$", message)
    if not match:
        return Problem("", f"TOML syntax error: {message}", "correct the TOML syntax (see https://toml.io)")
    if match.groups():
        line, column = int(match.group(1)), int(match.group(2))
    else:  # the end of the document: the last line, after its last character
        line, column = _advance(1, 1, text)
    lines = text.splitlines()
    shown = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    reason = message[: match.start()].strip()
    return Problem(
        f"line {line}, column {column}",
        f"TOML syntax error: {reason[0].lower()}{reason[1:]}" + (f" in `{shown}`" if shown else ""),
        'correct the TOML syntax here: text in "quotes", key = value, [table] headers closed (see https://toml.io)',
    )


# the characters that matter for nesting, and where each kind of string or comment ends
_SIGNIFICANT = re.compile(r"""[\[\]{}#"']""")
_STRING_ENDS = {
    '"""': re.compile(r'(?:[^"\\]|\\.|"(?!""))*"""(?:"{1,2}(?!"))?', re.DOTALL),
    "'''": re.compile(r"(?:[^']|'(?!''))*'''(?:'{1,2}(?!'))?", re.DOTALL),
    '"': re.compile(r'(?:[^"\\\n]|\\.)*"'),
    "'": re.compile(r"[^'\n]*'"),
}


def _bracket_depth_problem(text: str) -> Problem | None:
    """Where arrays and inline tables first nest deeper than MAX_NESTING, skipping strings and
    comments; None if they never do (or a string is unterminated: the parser says so)."""
    depth, position = 0, 0
    while (found := _SIGNIFICANT.search(text, position)) is not None:
        char, start = found.group(), found.start()
        if char in "[{":
            depth += 1
            if depth > MAX_NESTING:
                line = text.count("\n", 0, start) + 1
                column = start - (text.rfind("\n", 0, start) + 1) + 1
                return Problem(
                    f"line {line}, column {column}",
                    f"arrays and inline tables nest more than {MAX_NESTING} levels deep",
                    "a scenario or design needs a few levels: close the brackets, or remove the nested value",
                )
            position = start + 1
        elif char in "]}":
            depth = max(depth - 1, 0)
            position = start + 1
        elif char == "#":
            end = text.find("\n", start)
            position = len(text) if end < 0 else end + 1
        else:
            opening = char * 3 if text.startswith(char * 3, start) else char
            end = _STRING_ENDS[opening].match(text, start + len(opening))
            if end is None:
                return None
            position = end.end()
    return None


def _table_depth_problem(document: dict[str, Any]) -> Problem | None:
    """Where the parsed tables and lists first nest deeper than MAX_NESTING (by key path)."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(document, ())]
    while stack:
        node, path = stack.pop()
        if len(path) > MAX_NESTING:
            shown = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path[:8]).lstrip(".")
            return Problem(
                f"{shown}...",
                f"tables and lists nest more than {MAX_NESTING} levels deep",
                "a scenario or design needs a few levels: shorten the dotted keys or table headers",
            )
        if isinstance(node, dict):
            stack.extend((value, (*path, key)) for key, value in node.items())
        elif isinstance(node, list):
            stack.extend((value, (*path, i)) for i, value in enumerate(node))
    return None


# ---------------------------------------------------------------------------------- tables
def read_data(path: str | Path, error: Error = WinsetError, **options: Any) -> pd.DataFrame:
    """Survey data: a Parquet file (``.parquet``, ``.pq``) or else a CSV file, within the survey
    data limit; ``options`` go to :func:`pandas.read_csv`."""
    if Path(path).suffix.lower() in _PARQUET:
        return read_parquet(path, error)
    return read_csv(path, None, error, **options)


def read_csv(path: str | Path, limit: int | None, error: Error = WinsetError, **options: Any) -> pd.DataFrame:
    """A CSV file with at least one row: UTF-8, decompressed by its suffix (``.gz``, ``.bz2``,
    ``.xz``), at most ``limit`` bytes on disk and decompressed (None: the survey data limit);
    ``options`` go to :func:`pandas.read_csv`."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in _ARCHIVES:
        raise error(
            [
                Problem(
                    str(path),
                    f"winset does not read '{suffix}' archives",
                    "extract the CSV file, or compress it with gzip (.csv.gz), bzip2 (.csv.bz2) or xz (.csv.xz)",
                )
            ]
        )
    try:
        with _csv_stream(path, limit, error) as handle:
            frame = pd.read_csv(handle, compression=None, encoding="utf-8", **options)
    except UnicodeDecodeError:
        raise _locate_not_utf8(path, limit, error) from None
    except pd.errors.EmptyDataError:
        raise error([Problem(str(path), "the file is empty", "give a CSV file with a header line and rows")]) from None
    except pd.errors.ParserError as failure:
        text = str(failure).removeprefix("Error tokenizing data. C error: ")
        line = re.search(r"\bline (\d+)", text)
        raise error(
            [
                Problem(
                    f"line {line.group(1)}" if line else str(path),
                    f"cannot read the file as CSV: {text}",
                    "check the quoting and that every line has as many comma-separated fields as the header",
                )
            ],
            source=path if line else None,
        ) from None
    except _CORRUPT as failure:
        if suffix not in _COMPRESSED:
            raise error([_unreadable(path, failure)]) from None
        raise error(
            [
                Problem(
                    str(path),
                    f"the compressed data are truncated or corrupt ({type(failure).__name__}: {failure})",
                    "copy or download the file again, or give the uncompressed CSV",
                )
            ]
        ) from None
    if frame.empty and len(frame.columns):
        raise error([_no_rows(path)])
    _refuse_repeated_columns(path, frame, limit, error)
    return frame


def _refuse_repeated_columns(path: Path, frame: pd.DataFrame, limit: int | None, error: Error) -> None:
    """pandas renames a repeated column ``x`` to ``x.1``, so one of two columns would be read
    without a word; where a name looks renamed, the header line itself decides."""
    names = [str(c) for c in frame.columns]
    if not any(re.fullmatch(r"(.+)\.\d+", n) and re.fullmatch(r"(.+)\.\d+", n).group(1) in names for n in names):
        return
    with _csv_stream(path, limit, error) as handle:
        header = next(csv.reader(io.TextIOWrapper(handle, encoding="utf-8", newline="")), [])
    twice = sorted({c for c in header if header.count(c) > 1})
    if twice:
        raise error(
            [
                Problem(
                    "line 1",
                    f"the header names column {', '.join(repr(c) for c in twice)} more than once",
                    "give every column its own name: winset could not tell which one you mean",
                )
            ],
            source=path,
        )


def read_columns(path: str | Path, error: Error = WinsetError) -> list[str]:
    """The column names of survey data (Parquet or CSV), reading no more than the header and one
    row (the file must have one) and the same checks as :func:`read_data`."""
    if Path(path).suffix.lower() in _PARQUET:
        return [str(c) for c in read_parquet(path, error).columns]
    return [str(c) for c in read_csv(path, None, error, nrows=1).columns]


def read_parquet(path: str | Path, error: Error = WinsetError) -> pd.DataFrame:
    """A Parquet file with at least one row, within the survey data limit on disk and, by its
    metadata, once decoded."""
    path = Path(path)
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise error(
            [Problem(str(path), "reading Parquet needs pyarrow", "pip install 'winset[parquet]', or use a CSV file")]
        ) from None
    limit = _limit(None, error)
    with _opened(path, None, error) as handle:  # read by offsets from the footer: bounded below
        try:
            metadata = pyarrow.parquet.ParquetFile(handle).metadata
            uncompressed = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
            decoded = max(uncompressed, 8 * metadata.num_rows * metadata.num_columns)
            if decoded > limit:
                raise _too_large(path, None, error, decoded, "once decoded")
            handle.seek(0)
            frame = pd.read_parquet(handle)
        except (pyarrow.ArrowException, OSError, ValueError) as failure:
            raise error(
                [
                    Problem(
                        str(path),
                        f"not a readable Parquet file ({failure})",
                        "write the file again (e.g. DataFrame.to_parquet), or give a CSV file",
                    )
                ]
            ) from None
    if frame.empty:
        raise error([_no_rows(path)])
    return frame


@contextlib.contextmanager
def _csv_stream(path: Path, limit: int | None, error: Error) -> Iterator[BinaryIO]:
    """The file's bytes, decompressed by its suffix; at most ``limit`` bytes on disk and out."""
    with open_file(path, limit, error) as handle:
        opener = _COMPRESSED.get(path.suffix.lower())
        if opener is None:
            yield handle
            return
        with opener(handle) as inflated:
            exceeded = lambda: _too_large(path, limit, error, what="once decompressed")
            yield _bounded(inflated, _limit(limit, error), exceeded)


def _locate_not_utf8(path: Path, limit: int | None, error: Error) -> WinsetError:
    """The problem at the first byte that is not UTF-8, read again from the start."""
    line, column, carry = 1, 1, b""
    with _csv_stream(path, limit, error) as handle:
        while chunk := handle.read(1 << 16):
            data, carry = carry + chunk, b""
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as failure:
                if failure.reason != "unexpected end of data":
                    return _not_utf8(path, data[: failure.start], error, line, column)
                text, carry = data[: failure.start].decode("utf-8"), data[failure.start :]  # cut mid-character
            line, column = _advance(line, column, text)
    if carry:
        return _not_utf8(path, b"", error, line, column)
    return error([Problem(str(path), "the file is not UTF-8 text", _UTF8_FIX)])


def cited(name: str, path: str | Path, problem: Problem) -> str:
    """A file's problem as part of another's: ``'name': message``, or ``'name' line 3, column 5:
    message`` for a problem at a place in the file (the file is ``path``)."""
    place = "" if problem.location == str(path) else f" {problem.location}"
    return f"'{name}'{place}: {problem.message}"


# ---------------------------------------------------------------------------------- pieces
class _Bounded(io.RawIOBase):
    """A stream that raises once more than ``limit`` bytes have come out of ``inner``."""

    def __init__(self, inner: BinaryIO, limit: int, exceeded: Callable[[], WinsetError]):
        self.inner, self.limit, self.exceeded, self.count = inner, limit, exceeded, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.inner.read(min(len(buffer), self.limit + 1 - self.count))
        self.count += len(data)
        if self.count > self.limit:
            raise self.exceeded()
        buffer[: len(data)] = data
        return len(data)


def _bounded(inner: BinaryIO, limit: int, exceeded: Callable[[], WinsetError]) -> BinaryIO:
    return io.BufferedReader(_Bounded(inner, limit, exceeded), buffer_size=1 << 20)


def _limit(limit: int | None, error: Error) -> int:
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
    if size > _limit(limit, error):
        raise _too_large(path, limit, error, size)


def _too_large(path: Path, limit: int | None, error: Error, size: int | None = None, what: str = "") -> WinsetError:
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
    return error([Problem(str(path), f"{subject} larger than {_size(_limit(limit, error))}{shown}", fix)])


def _no_rows(path: Path) -> Problem:
    return Problem(str(path), "the file has a header but no rows", "add the data rows below the header line")


def _unreadable(path: Path, failure: OSError) -> Problem:
    reason = failure.strerror or str(failure) or type(failure).__name__
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


_UTF8_FIX = "save the file as UTF-8 (in a spreadsheet: CSV UTF-8)"


def _not_utf8(path: str | Path, before: bytes, error: Error, line: int = 1, column: int = 1) -> WinsetError:
    """The problem of a byte that is not UTF-8, after ``before`` (good UTF-8 from ``line``, ``column``)."""
    line, column = _advance(line, column, before.decode("utf-8", errors="replace"))
    return error([Problem(f"line {line}, column {column}", "the file is not UTF-8 text", _UTF8_FIX)], source=path)


def _advance(line: int, column: int, text: str) -> tuple[int, int]:
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

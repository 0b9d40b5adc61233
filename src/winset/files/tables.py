"""Reading tables: survey data (CSV, compressed CSV or Parquet) and other CSV files, with at
least one row, UTF-8, every column named once, decompressed and decoded within the size limit.
"""

from __future__ import annotations

import bz2
import contextlib
import csv
import gzip
import io
import lzma
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import pandas as pd

from ..errors import Problem, WinsetError
from ..extras import install_hint
from .opening import (
    UTF8_FIX,
    Error,
    advance,
    bounded,
    not_utf8,
    open_file,
    opened,
    resolve_limit,
    too_large,
    unreadable,
)

_COMPRESSED = (".gz", ".bz2", ".xz")
_ARCHIVES = (".zip", ".zst", ".zstd", ".tar", ".tgz")
_PARQUET = (".parquet", ".pq")
# what truncated or corrupt compressed data raise while they are read
_CORRUPT = (EOFError, gzip.BadGzipFile, zlib.error, lzma.LZMAError, OSError)


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
            raise error([unreadable(path, failure)]) from None
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
    if not any((renamed := re.fullmatch(r"(.+)\.\d+", n)) and renamed.group(1) in names for n in names):
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
            [Problem(str(path), "reading Parquet needs pyarrow", f"{install_hint('parquet')}, or use a CSV file")]
        ) from None
    limit = resolve_limit(None, error)
    with opened(path, None, error) as handle:  # read by offsets from the footer: bounded below
        try:
            metadata = pyarrow.parquet.ParquetFile(handle).metadata
            uncompressed = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
            decoded = max(uncompressed, 8 * metadata.num_rows * metadata.num_columns)
            if decoded > limit:
                raise too_large(path, None, error, decoded, "once decoded")
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
        suffix = path.suffix.lower()
        if suffix not in _COMPRESSED:
            yield handle
            return
        with _decompressed(handle, suffix) as inflated:

            def exceeded() -> WinsetError:
                return too_large(path, limit, error, what="once decompressed")

            yield bounded(inflated, resolve_limit(limit, error), exceeded)


@contextlib.contextmanager
def _decompressed(raw: BinaryIO, suffix: str) -> Iterator[io.BufferedIOBase]:
    """The data of a compressed file (suffix ``.gz``, ``.bz2`` or ``.xz``), as they are read."""
    if suffix == ".gz":
        with gzip.GzipFile(fileobj=raw, mode="rb") as inflated:
            yield inflated
    elif suffix == ".bz2":
        with bz2.BZ2File(raw, "rb") as inflated:
            yield inflated
    else:
        with lzma.LZMAFile(raw, "rb") as inflated:
            yield inflated


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
                    return not_utf8(path, data[: failure.start], error, line, column)
                text, carry = data[: failure.start].decode("utf-8"), data[failure.start :]  # cut mid-character
            line, column = advance(line, column, text)
    if carry:
        return not_utf8(path, b"", error, line, column)
    return error([Problem(str(path), "the file is not UTF-8 text", UTF8_FIX)])


def _no_rows(path: Path) -> Problem:
    return Problem(str(path), "the file has a header but no rows", "add the data rows below the header line")

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

from .opening import (
    DATA_BYTES,
    DATA_LIMIT_VARIABLE,
    MB,
    TABLE_BYTES,
    Error,
    check_file,
    cited,
    data_limit,
    kind,
    open_file,
    read_bytes,
    read_text,
    shown,
)
from .tables import read_columns, read_csv, read_data, read_parquet
from .toml import MAX_NESTING, TOML_BYTES, parse_toml, read_toml

__all__ = [
    "DATA_BYTES",
    "DATA_LIMIT_VARIABLE",
    "MAX_NESTING",
    "MB",
    "TABLE_BYTES",
    "TOML_BYTES",
    "Error",
    "check_file",
    "cited",
    "data_limit",
    "kind",
    "open_file",
    "parse_toml",
    "read_bytes",
    "read_columns",
    "read_csv",
    "read_data",
    "read_parquet",
    "read_text",
    "read_toml",
    "shown",
]

"""Reading a conjoint data file into a data frame: CSV (also compressed) or Parquet, within the
size limits and with the checks of :mod:`winset.files`, every failure a ConjointError."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from .. import files
from .errors import ConjointError


def read_table(path: str | Path, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Read a CSV (also ``.csv.gz``, ``.csv.bz2``, ``.csv.xz``) or Parquet file (by its suffix)
    into a data frame, with clear errors (see :mod:`winset.files` for what is refused, and the
    size limits).

    In a CSV only empty cells count as missing; text such as "None" or "NA" is kept as a level."""
    # only empty cells are missing: "None" or "NA" can be real levels (job experience: None)
    return files.read_data(path, ConjointError, low_memory=False, keep_default_na=False, na_values=[""])

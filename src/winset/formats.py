"""How numbers and tables are written for people and for JSON: one rule each, wherever they appear
(the terminal, the report, ``--json``)."""

from __future__ import annotations

import math
from collections.abc import Hashable
from typing import Any

import pandas as pd


def records(frame: pd.DataFrame) -> list[dict[Hashable, Any]]:
    """A table as JSON-ready records (missing values as null), keyed by column label."""
    return frame.astype(object).where(frame.notna(), None).to_dict(orient="records")


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` with its noun, singular for one ("1 constraint", "6 constraints", "1,000 points")."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"


def fixed(value: float | None, digits: int = 3) -> str:
    """A number to ``digits`` places ("" for a missing one); no minus sign on a value that rounds
    to zero (no "-0.000")."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{value:.{digits}f}"
    return text.lstrip("-") if float(text) == 0 else text


def share(value: float | None) -> str:
    """A share as a percentage to one decimal (45.3%); "–" for a missing one."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{100 * value:.1f}%"

"""Spreadsheet-safe text cells for the site's exports (CSV formula injection).

A spreadsheet opening a CSV runs a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return as a formula: a participant or negotiator who titles a proposal
``=HYPERLINK(...)`` would have it run on the organiser's machine. Some spreadsheets skip spaces
before the sign, and read the full-width signs a Japanese or Chinese keyboard types (``＝``,
``＋``, ``－``, ``＠``) as the ASCII ones, so those count too. As OWASP recommends, every text cell
of an export that begins so gets a leading apostrophe (``'=HYPERLINK(...)``, ``' ＝CMD()``),
which spreadsheets show as text; a number (``-0.5``) is left as it is. Reading an export back removes
exactly that apostrophe again (:func:`restored`), so the site's own exports round-trip; a text
that itself began with an apostrophe and one of those characters loses its apostrophe.
"""

from __future__ import annotations

import pandas as pd

FORMULA_START = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")  # with the full-width = + - @
SKIPPED = " \u00a0\u3000\n"  # spaces (plain, no-break, ideographic) and new lines before a sign


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell that a spreadsheet would run as a formula made text."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(_safe)
    return out


def restored(values: pd.Series) -> pd.Series:
    """Text cells as they were before :func:`neutralised`."""
    return values.map(_unsafe)


def _runs(text: str) -> bool:
    """Whether a spreadsheet could read the text as a formula."""
    start = text.lstrip(SKIPPED)[:1]
    return start != "" and start in FORMULA_START


def _safe(value: object) -> object:
    if isinstance(value, str) and _runs(value) and not _is_number(value):
        return "'" + value
    return value


def _unsafe(value: object) -> object:
    if isinstance(value, str) and value.startswith("'") and _runs(value[1:]):
        return value[1:]
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() == text  # " 1" or "1\t" is text that starts oddly, not a number

"""Polls files: the published toplines that calibration targets cite by line.

A polls file is a UTF-8 CSV file of at most 50 MB (see :mod:`winset.files`) with a header line;
line N (N >= 2) is the row a target cites with ``line = N``. winset reads these columns:

``share`` (required)
    the published share, a fraction from 0 to 1 (0.17 for 17%): of those for the package, or,
    with ``side = "against"``, of those against it.
``n`` (required unless every target citing the line gives ``n``)
    the poll's sample size, a positive whole number (``1600``, also ``1600.0`` or ``1.6e3``).
``pollster``, ``fieldwork``, ``question``, ``option`` (optional)
    make the target's label where the scenario gives none.

Any other column (``country``, ``population``, ...) can select a public's rows with
``polls_where``. As the support models are logistic, the support a poll implies (the share, or
``1 - share - dont_know`` against) must be strictly between 0 and 1: a support of exactly 0 or 1
would need an infinite shift. :func:`topline_problems` says what is wrong with a cited line;
``winset check`` reports it, and :func:`topline` (used by the fit) refuses the same lines.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

from .. import files
from ..errors import Problem, ScenarioError, known_list

REQUIRED = ("share", "n")
LABELS = ("pollster", "fieldwork", "question", "option")


@dataclass(frozen=True)
class Polls:
    """A polls file's columns and rows (text, as written), each row by the line of the file it
    starts on: blank lines and quoted fields that run over several lines do not shift the
    numbers, so ``line = N`` is the row an editor shows on line N."""

    columns: list[str]
    lines: dict[int, dict[str, str | None]]

    @property
    def rows(self) -> list[dict[str, str | None]]:
        return list(self.lines.values())

    def row(self, line: int) -> dict[str, str | None] | None:
        return self.lines.get(line)

    def span(self) -> str:
        """The lines rows start on, for messages: "2 to 40", or a list where some are blank."""
        numbers = list(self.lines)
        if numbers == list(range(numbers[0], numbers[-1] + 1)):
            return f"{numbers[0]} to {numbers[-1]}"
        return ", ".join(map(str, numbers[:20])) + (" ..." if len(numbers) > 20 else "")


def read_polls(path: str | Path) -> Polls:
    """Read a polls file; ScenarioError (located in the file) if it cannot be read, names a
    column twice or has no rows."""
    header, lines = read_rows(path, "a row per topline")
    return Polls(header, lines)


def read_rows(path: str | Path, rows_fix: str) -> tuple[list[str], dict[int, dict[str, str | None]]]:
    """A CSV file's header and its rows, each by the line of the file it starts on (blank lines
    and quoted fields over several lines do not shift the numbers); ScenarioError (located in the
    file) if it cannot be read, names a column twice or has no rows (``rows_fix`` says what to add)."""
    text = files.read_text(path, files.TABLE_BYTES, ScenarioError)
    if not text.strip():
        raise ScenarioError([Problem(str(path), "the file is empty", f"give the header line and {rows_fix}")])
    reader = csv.reader(io.StringIO(text, newline=""))
    header, lines, end = None, {}, 0
    try:
        for record in reader:
            start, end = end + 1, reader.line_num
            if not record:  # a blank line
                continue
            if header is None:
                header = [str(c) for c in record]
                continue
            lines[start] = dict(zip(header, record + [None] * (len(header) - len(record)), strict=False))
    except csv.Error as error:
        raise ScenarioError(
            [Problem(f"line {reader.line_num}", f"cannot read the file as CSV: {error}", "correct the CSV syntax")],
            source=path,
        ) from None
    twice = sorted({c for c in header or [] if (header or []).count(c) > 1})
    if twice:
        raise ScenarioError(
            [
                Problem(
                    "line 1",
                    f"the header names column {known_list(twice)} more than once",
                    "give every column its own name: winset could not tell which one you mean",
                )
            ],
            source=path,
        )
    if not lines:
        raise ScenarioError([Problem(str(path), "the file has a header but no rows", f"add {rows_fix}")])
    return header or [], lines


def missing_columns(polls: Polls, name: str, need_n: bool) -> tuple[str, str] | None:
    """(message, fix) if the file lacks ``share`` (or ``n``, where a target needs it), else None."""
    missing = [c for c in REQUIRED if c not in polls.columns and (c == "share" or need_n)]
    if not missing:
        return None
    lacks = " and ".join(f"'{c}'" for c in missing)
    return (
        (
            f"'{name}' has no column{'s' if len(missing) > 1 else ''} {lacks}; a polls file needs the columns "
            f"'share' and 'n', and may have {known_list(LABELS)} (for labels) and any columns polls_where selects by; "
            f"this one has {known_list(polls.columns, limit=20)}"
        ),
        "name the columns in the header line: share (the published fraction, 0.17 for 17%), n (the sample size)",
    )


def share(text: str | None) -> float | None:
    """A share as written, if it is a finite number from 0 to 1."""
    value = _number(text)
    return value if value is not None and 0 <= value <= 1 else None


MAX_SAMPLE = 1_000_000_000  # no poll asks more people than this


def sample_size(text: str | None) -> int | None:
    """A sample size as written, if it is a positive whole number (up to MAX_SAMPLE)."""
    value = _number(text)
    return int(value) if value is not None and 1 <= value <= MAX_SAMPLE and value.is_integer() else None


def implied_support(value: float, side: str, dont_know: float) -> float:
    return value if side == "for" else 1.0 - value - dont_know


def topline_problems(
    row: dict[str, str | None], line: int, side: str | None, dont_know: float, needs_n: bool
) -> list[tuple[bool, str, str]]:
    """What is wrong with the cited ``line`` as a target with this side (None: unknown, check
    the share alone), don't-know share, and the file's sample size if ``needs_n``:
    ``(about the line, message, fix)`` triples, where the first says whether the problem belongs
    to the target's ``line`` or to the target itself."""
    out = []
    raw = row.get("share")
    value = share(raw)
    if value is None:
        out.append(
            (
                True,
                f"line {line} gives share = {raw or ''!r}, which is not a number between 0 and 1",
                "cite a line whose share is a fraction (0.17 for 17%), or correct the polls file",
            )
        )
    elif side == "for" and value in (0.0, 1.0):
        out.append(
            (
                True,
                f"line {line} gives share = {value:g}, so the poll implies a support of exactly {value:g}",
                "the logistic model never reaches exactly 0 or 1: cite another poll, or drop this target",
            )
        )
    elif side == "against" and not 0 < implied_support(value, side, dont_know) < 1:
        shown = round(implied_support(value, side, dont_know), 9) + 0.0  # no -0 from rounding
        out.append(
            (
                False,
                (
                    f'with side = "against", line {line} implies a support of 1 - {value:g} - {dont_know:g} = '
                    f"{shown:g}, which is not between 0 and 1"
                ),
                "correct dont_know (the share that answered neither way), or cite another poll",
            )
        )
    if needs_n and sample_size(row.get("n")) is None:
        out.append(
            (
                False,
                (
                    f"line {line} gives n = {row.get('n') or ''!r}, which is not a sample size (a positive whole "
                    f"number up to {MAX_SAMPLE:,})"
                ),
                (
                    "correct n in the polls file, or add n = <sample size> to the target (an assumption if the poll "
                    "does not say)"
                ),
            )
        )
    return out


def topline(polls: Polls, line: int, side: str, dont_know: float, n: int | None, where: str) -> tuple[float, int]:
    """The share and sample size (``n``, else the file's) of the cited ``line``; ScenarioError
    (at ``where``) if they cannot serve as a target."""
    row = polls.row(line)
    if row is None:
        raise ScenarioError(
            [Problem(where, f"the polls file has no row on line {line}", f"cite a line with a row: {polls.span()}")]
        )
    problems = topline_problems(row, line, side, dont_know, n is None)
    if problems:
        raise ScenarioError([Problem(where, message, fix) for _, message, fix in problems])
    # share() and sample_size() give None only for what topline_problems refuses above
    return share(row["share"]), n if n is not None else sample_size(row["n"])  # type: ignore[return-value]


def _number(text: str | None) -> float | None:
    try:
        value = float(text)  # type: ignore[arg-type]  # None (a short row's cell) raises TypeError, caught
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None

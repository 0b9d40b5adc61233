"""The building blocks of winset's tables on a terminal: borderless tables, headers from column
names, numbers as the tables print them, and a titled table whose long sentences wrap so that on a
narrow terminal or in a pipe its other columns keep their place."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from rich import box
from rich.console import Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ..formats import fixed

HEADERS = {"p_all_rules": "P(all rules)", "probability": "P(all rules)", "p_rule": "P(rule met)"}


def package_text(package: str) -> str:
    """A package with a space after each comma, so that it wraps between issues."""
    return escape(package.replace(",", ", "))


def header(name: str) -> str:
    return HEADERS.get(name, name.replace("_", " "))


def number(value: float | None) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return f"{value:,}"
    return fixed(value)


def new_table() -> Table:
    """A borderless table with a rule under the header; columns two spaces apart."""
    return Table(box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0), pad_edge=False, show_edge=False)


LONG_TEXT = 24  # characters: a text column with a longer value wraps


def add_column(table: Table, heading: str, **options: Any) -> None:
    """A column that may shrink, but never below its header's longest word."""
    table.add_column(heading, min_width=max(len(word) for word in heading.split()) if heading else None, **options)


def section(title: str) -> Text:
    return Text(f"\n{title}", style="bold")


def plain_table(title: str, frame: pd.DataFrame, text: list[str]) -> Group:
    """A titled table: the ``text`` columns left-aligned and never wrapped, numbers right-aligned,
    and a column of long sentences (a rule) wrapped, so that on a narrow terminal or in a pipe the
    other columns keep their place."""
    table = new_table()
    for column in frame.columns:
        if column in text:
            table.add_column(header(column), no_wrap=True)
        elif frame[column].map(lambda v: isinstance(v, str) and len(v) > LONG_TEXT).any():
            table.add_column(header(column), overflow="fold", ratio=1)
        else:
            strings = frame[column].map(lambda v: isinstance(v, str)).all()
            add_column(table, header(column), justify="right", no_wrap=bool(strings))
    for row in frame.to_dict(orient="records"):
        table.add_row(
            *[escape(str(row[c])) if c in text or isinstance(row[c], str) else number(row[c]) for c in frame.columns]
        )
    return Group(section(title), table)

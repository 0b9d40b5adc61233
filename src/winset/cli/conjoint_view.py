"""What ``winset amce`` and ``winset mm`` do with their options: read the data into a
ConjointData, check the outputs asked for, and print or write the table and the figure."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from rich.markup import escape
from rich.table import Table

from ..conjoint.data import ConjointData, ConjointError, read_table
from ..conjoint.plot import plot
from ..conjoint.randomisation import Design
from ..conjoint.tidy import LABELS, TABLE_COLUMNS
from ..errors import Problem
from ..formats import fixed, records
from ..outputs import FIGURE_SUFFIXES, Output, OutputError, is_figure, is_table, output_problems, same_file, save_figure
from .common import print_json, stdout


def load(
    data: Path,
    outcome: str,
    features: str,
    id: str | None,
    baseline: list[str] | None,
    levels: list[str] | None,
    weights: str | None,
    design: Path | None,
) -> ConjointData:
    frame = read_table(data)
    return ConjointData(
        frame,
        outcome,
        [f.strip() for f in features.split(",") if f.strip()],
        id=id,
        weights=weights,
        levels=_level_orders(levels),
        baselines=_assignments(baseline, "--baseline", "A=level"),
        design=Design.from_file(design) if design else None,
        source=data,
    )


def _assignments(items: list[str] | None, option: str, example: str) -> dict[str, str]:
    """``NAME=VALUE`` items as ``{name: value}`` (both stripped); ``example`` shows the form in errors."""
    out = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise ConjointError([Problem(option, f"expected {example}, got '{item}'", f'write {option} "{example}"')])
        out[name.strip()] = value.strip()
    return out


def _level_orders(items: list[str] | None) -> dict[str, list[str]]:
    """``--levels`` items (``A=l1|l2|l3``) as ``{feature: [level, ...]}``."""
    return {
        name: [v.strip() for v in value.split("|")]
        for name, value in _assignments(items, "--levels", "A=l1|l2|l3").items()
    }


def pairs_of(items: list[str] | None) -> list[tuple[str, str]] | None:
    if not items:
        return None
    pairs = []
    for item in items:
        parts = [p.strip() for p in item.split("*")]
        if len(parts) != 2 or not all(parts):
            raise ConjointError(
                [
                    Problem(
                        "--restrict", f"expected two features as A*B, got '{item}'", 'write --restrict "Education*Job"'
                    )
                ]
            )
        pairs.append((parts[0], parts[1]))
    return pairs


def require_by(by: str | None) -> str:
    if by is None:
        raise ConjointError([Problem("--diffs", "differences need groups", "add --by COLUMN")])
    return by


def outputs_asked(
    inputs: list[Path | None], out: Path | None, plot_path: Path | None, force: bool
) -> dict[str, Output]:
    """The table and figure outputs asked for, checked before any work (see winset.outputs)."""
    sources = tuple(p for p in inputs if p is not None)
    outputs = {}
    if out is not None:
        outputs["table"] = Output(out, "table", "--out", (".csv",), is_table(TABLE_COLUMNS, leading=1), sources, force)
    if plot_path is not None:
        outputs["figure"] = Output(plot_path, "figure", "--plot", FIGURE_SUFFIXES, is_figure, sources, force)
    if out is not None and plot_path is not None and same_file(out, plot_path):
        raise ConjointError([Problem(str(out), "--out and --plot name the same file", "give each its own file")])
    problems = [problem for output in outputs.values() for problem in output_problems(output)]
    if problems:
        raise OutputError(problems)
    return outputs


def finish(
    table: pd.DataFrame, outputs: dict[str, Output], reference: float | None, xlabel: str, as_json: bool
) -> None:
    written = {}
    if "figure" in outputs:
        figure = plot(table, reference=reference, xlabel=xlabel)
        written["figure"] = save_figure(figure, outputs["figure"], dpi=150)
    if "table" in outputs:
        written["table"] = outputs["table"].write(lambda temporary: table.to_csv(temporary, index=False))
    if as_json:
        print_json({"ok": True, "estimates": records(table)})
        return
    console = stdout()
    console.print(_rich_table(table))
    for what in written:
        console.print(f"{what} written to {escape(str(outputs[what].path))}", soft_wrap=True)


def _rich_table(table: pd.DataFrame) -> Table:
    rich = Table()
    numeric = ["estimate", "std_error", "lower", "upper", "p"]
    # the outcome and the statistic are the same on every row: the CSV and the JSON carry them
    text = [c for c in table.columns if c not in [*numeric, "z", *LABELS]]
    for column in text:
        rich.add_column(column, overflow="fold")
    for column in numeric:
        rich.add_column(column, justify="right", no_wrap=True)
    for values in table.to_dict(orient="records"):
        cells = [escape(str(values[c])) for c in text]
        cells += [_number(values[c], "p" if c == "p" else "f") for c in numeric]
        rich.add_row(*cells)
    return rich


def _number(value: float | None, kind: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if kind == "p":
        return "<0.001" if value < 0.001 else f"{value:.3f}"
    return fixed(value, 4)  # no "-0.0000"

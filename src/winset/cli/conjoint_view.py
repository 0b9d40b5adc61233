"""What ``winset amce`` and ``winset mm`` do with their options: read the data into a
ConjointData, check the outputs asked for, and print or write the table and the figure."""

from __future__ import annotations

import math
from dataclasses import asdict
from pathlib import Path
from typing import Literal, cast

import pandas as pd
from rich.markup import escape
from rich.table import Table

from ..conjoint.amce import Convention, _check_convention
from ..conjoint.data import ConjointData, ConjointError, read_table
from ..conjoint.diagnostics import Diagnostics, diagnose
from ..conjoint.plot import plot
from ..conjoint.randomisation import Design
from ..conjoint.reliability import Reliability, corrected
from ..conjoint.reliability import reliability as estimate_reliability
from ..conjoint.tidy import CONTRAST_COLUMNS, TABLE_COLUMNS
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
        if name.strip() in out and option != "--compare":
            raise ConjointError(
                [Problem(option, f"'{name.strip()}' is given twice", f"give {option} once for each name")]
            )
        out[name.strip()] = value.strip()
    return out


def _level_orders(items: list[str] | None) -> dict[str, list[str]]:
    """``--levels`` items (``A=l1|l2|l3``) as ``{feature: [level, ...]}``."""
    return {
        name: [v.strip() for v in value.split("|")]
        for name, value in _assignments(items, "--levels", "A=l1|l2|l3").items()
    }


def pairs_of(items: list[str] | None, option: str = "--restrict") -> list[tuple[str, str]] | None:
    """``A*B`` items as pairs of features."""
    if not items:
        return None
    pairs = []
    for item in items:
        parts = [p.strip() for p in item.split("*")]
        if len(parts) != 2 or not all(parts):
            raise ConjointError(
                [Problem(option, f"expected two features as A*B, got '{item}'", f'write {option} "Education*Job"')]
            )
        pairs.append((parts[0], parts[1]))
    return pairs


def comparisons_of(items: list[str] | None) -> list[tuple[tuple[str, str], tuple[str, str]]]:
    """``--compare`` items (``A=level|B=level``) as pairs of (feature, level)."""
    comparisons = []
    for item in items or []:
        sides = item.split("|")
        parsed = [_assignments([side], "--compare", "A=level|B=level") for side in sides]
        if len(sides) != 2:
            raise ConjointError(
                [
                    Problem(
                        "--compare",
                        f"expected two levels as A=level|B=level, got '{item}'",
                        'write --compare "Gender=Male|Gender=Female"',
                    )
                ]
            )
        first, second = (next(iter(side.items())) for side in parsed)
        comparisons.append((first, second))
    return comparisons


def corrected_table(
    cj: ConjointData, statistic: Literal["amce", "mm"], task: str | None, repeated: str, alpha: float
) -> tuple[Reliability, pd.DataFrame]:
    """The reliability of the repeated tasks, and the estimates beside their corrections."""
    found = estimate_reliability(cj, task=task, repeated=repeated)
    return found, corrected(cj, statistic=statistic, task=task, repeated=repeated, alpha=alpha)


def convention_of(text: str) -> Convention:
    """The user's ``--convention``, refused with the conventions there are unless it is one."""
    _check_convention(text)
    return cast(Convention, text)


def one_estimate(asked: dict[str, object]) -> str | None:
    """The one option among ``asked`` that was given (None for none); two at once are refused."""
    given = [option for option, value in asked.items() if value]
    if len(given) > 1:
        raise ConjointError(
            [Problem(" and ".join(given), "each asks for a different table", "give one of them per run")]
        )
    return given[0] if given else None


def check_diagnostics_asked(
    diagnose: bool,
    task: str | None,
    profile: str | None,
    covariates: list[str] | None,
    positions: list[str] | None,
    figure: Path | None = None,
) -> None:
    chosen = (
        ("--task", task),
        ("--profile", profile),
        ("--covariate", covariates),
        ("--position", positions),
        ("--plot-diagnostics", figure),
    )
    given = [o for o, v in chosen if v]
    if given and not diagnose:
        raise ConjointError(
            [Problem(", ".join(given), "these choose what the diagnostics test", "add --diagnose, or drop them")]
        )


def run_diagnostics(
    cj: ConjointData,
    task: str | None,
    profile: str | None,
    covariates: list[str] | None,
    positions: list[str] | None,
    convention: Convention,
    alpha: float,
) -> Diagnostics:
    return diagnose(
        cj,
        task=task,
        profile=profile,
        covariates=covariates or (),
        positions=_assignments(positions, "--position", "A=COL"),
        convention=convention,
        alpha=alpha,
    )


def require_by(by: str | None) -> str:
    if by is None:
        raise ConjointError([Problem("--diffs", "differences need groups", "add --by COLUMN")])
    return by


def outputs_asked(
    inputs: list[Path | None],
    out: Path | None,
    plot_path: Path | None,
    force: bool,
    kind: str | None = None,
    diagnostics_path: Path | None = None,
) -> dict[str, Output]:
    """The table and figure outputs asked for, checked before any work (see winset.outputs);
    ``kind`` is the option that chose the table (``--compare``: tests between levels, which have
    no figure; ``--repeated``: estimates beside their corrections, with the error rate);
    ``diagnostics_path`` the diagnostics' figure."""
    contrasts = kind == "--compare"
    if contrasts and plot_path is not None:
        raise ConjointError(
            [Problem("--plot", "--compare prints a table of tests, which has no figure", "drop --plot")]
        )
    sources = tuple(p for p in inputs if p is not None)
    outputs = {}
    if out is not None:
        if contrasts:
            ours = is_table(CONTRAST_COLUMNS)
        elif kind == "--repeated":
            ours = is_table([*TABLE_COLUMNS, "tau"])
        else:
            ours = is_table(TABLE_COLUMNS, leading=1)
        outputs["table"] = Output(out, "table", "--out", (".csv",), ours, sources, force)
    if plot_path is not None:
        outputs["figure"] = Output(plot_path, "figure", "--plot", FIGURE_SUFFIXES, is_figure, sources, force)
    if diagnostics_path is not None:
        outputs["diagnostics"] = Output(
            diagnostics_path, "figure", "--plot-diagnostics", FIGURE_SUFFIXES, is_figure, sources, force
        )
    named = {"--out": out, "--plot": plot_path, "--plot-diagnostics": diagnostics_path}
    given = [(option, path) for option, path in named.items() if path is not None]
    for i, (first, one) in enumerate(given):
        for second, other in given[i + 1 :]:
            if same_file(one, other):
                raise ConjointError(
                    [Problem(str(one), f"{first} and {second} name the same file", "give each its own file")]
                )
    problems = [problem for output in outputs.values() for problem in output_problems(output)]
    if problems:
        raise OutputError(problems)
    return outputs


def finish(
    table: pd.DataFrame,
    outputs: dict[str, Output],
    reference: float | None,
    xlabel: str,
    as_json: bool,
    diagnostics: Diagnostics | None = None,
    reliability: Reliability | None = None,
    alpha: float = 0.05,
) -> None:
    written = {}
    if "figure" in outputs:
        figure = plot(table, reference=reference, xlabel=xlabel)
        written["figure"] = save_figure(figure, outputs["figure"], dpi=150)
    if "diagnostics" in outputs and diagnostics is not None:
        from ..conjoint.diagnostics_plot import diagnostics_figure

        written["diagnostics figure"] = save_figure(
            diagnostics_figure(diagnostics, alpha=alpha), outputs["diagnostics"], dpi=150
        )
    if "table" in outputs:
        written["table"] = outputs["table"].write(lambda temporary: table.to_csv(temporary, index=False))
    if as_json:
        document: dict[str, object] = {"ok": True, "estimates": records(table)}
        if diagnostics is not None:
            document["diagnostics"] = diagnostics_document(diagnostics)
        if reliability is not None:
            document["reliability"] = asdict(reliability)
        print_json(document)
        return
    console = stdout()
    if reliability is not None:
        console.print(escape(reliability.summary()), soft_wrap=True)
    console.print(_rich_table(table))
    if diagnostics is not None:
        console.print(_tests_table(diagnostics))
        for note in diagnostics.notes:
            console.print(f"note: {escape(note)}", soft_wrap=True)
    for what in written:
        output = outputs["diagnostics" if what == "diagnostics figure" else what]
        console.print(f"{what} written to {escape(str(output.path))}", soft_wrap=True)


def _rich_table(table: pd.DataFrame) -> Table:
    rich = Table()
    numeric = ["estimate", "std_error", "lower", "upper", "p"]
    # the outcome, and mostly the statistic, are the same on every row, as is a correction's error
    # rate (printed above the table): the CSV and the JSON carry them
    hidden = [*numeric, "z", "tau", "outcome"]
    if "statistic" in table.columns and table["statistic"].nunique() == 1:
        hidden.append("statistic")
    text = [c for c in table.columns if c not in hidden]
    for column in text:
        rich.add_column(column, overflow="fold", min_width=len(column))
    for column in numeric:
        rich.add_column(column, justify="right", no_wrap=True)
    for values in table.to_dict(orient="records"):
        cells = [escape(str(values[c])) for c in text]
        cells += [_number(values[c], "p" if c == "p" else "f") for c in numeric]
        rich.add_row(*cells)
    return rich


def diagnostics_document(diagnostics: Diagnostics) -> dict[str, object]:
    """The diagnostics as JSON: every test, the tables behind them, and the notes."""
    tables = ("balance", "carryover", "profile_order", "attribute_order")
    return {
        "tests": records(diagnostics.tests()),
        **{name: records(getattr(diagnostics, name)) for name in tables},
        "notes": diagnostics.notes,
    }


def _tests_table(diagnostics: Diagnostics) -> Table:
    rich = Table(title="Diagnostics")
    for column in ("diagnostic", "subject", "statistic"):
        rich.add_column(column, overflow="fold")
    for column in ("value", "df", "p"):
        rich.add_column(column, justify="right", no_wrap=True)
    for row in diagnostics.tests().to_dict(orient="records"):
        rich.add_row(
            str(row["diagnostic"]),
            escape(str(row["subject"])),
            str(row["statistic"]),
            fixed(float(row["value"]), 3),
            f"{float(row['df']):g}",
            _number(float(row["p"]), "p"),
        )
    return rich


def _number(value: float | None, kind: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if kind == "p":
        return "<0.001" if value < 0.001 else f"{value:.3f}"
    return fixed(value, 4)  # no "-0.0000"

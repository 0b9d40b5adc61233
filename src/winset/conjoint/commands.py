"""``winset amce`` and ``winset mm``: conjoint estimates from a data file, as tables and figures."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.markup import escape
from rich.table import Table

from ..cli_common import JsonOpt, print_json, stdout, user_errors
from ..errors import Problem
from ..outputs import FIGURE_SUFFIXES, Output, OutputError, is_figure, is_table, output_problems, same_file, save_figure
from .amce import amce
from .data import ConjointData, ConjointError, read_table
from .diffs import amce_diffs, mm_diffs
from .mm import mm
from .plot import plot
from .randomisation import Design
from .tidy import COLUMNS

DataArg = Annotated[Path, typer.Argument(help="Long-format conjoint data: a CSV or Parquet file, one row per profile.")]
OutcomeOpt = Annotated[str, typer.Option("--outcome", help="Column of the outcome (1 chosen / 0 not, or a rating).")]
FeaturesOpt = Annotated[str, typer.Option("--features", help='Feature columns, comma-separated: "A,B,C".')]
IdOpt = Annotated[str | None, typer.Option("--id", help="Column of respondent ids (clusters for standard errors).")]
BaselineOpt = Annotated[
    list[str] | None, typer.Option("--baseline", help='Baseline level of a feature: "A=level" (repeatable).')
]
LevelsOpt = Annotated[
    list[str] | None,
    typer.Option("--levels", help='Level order of a feature, baseline first: "A=l1|l2|l3" (repeatable).'),
]
WeightsOpt = Annotated[str | None, typer.Option("--weights", help="Column of survey weights.")]
ByOpt = Annotated[str | None, typer.Option("--by", help="Column to split by: estimates per group.")]
DiffsOpt = Annotated[bool, typer.Option("--diffs", help="With --by: differences between each group and the first.")]
ConventionOpt = Annotated[
    str, typer.Option("--convention", help="Whose numbers: cregg or cjoint (standard errors, restricted designs).")
]
DesignOpt = Annotated[
    Path | None, typer.Option("--design", help="Design file (TOML): levels and restricted feature pairs.")
]
RestrictOpt = Annotated[
    list[str] | None, typer.Option("--restrict", help='A restricted pair of features without a design file: "A*B".')
]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Write the table to this CSV file.")]
PlotOpt = Annotated[Path | None, typer.Option("--plot", help="Draw the figure to this .png, .svg or .pdf file.")]
ForceOpt = Annotated[
    bool, typer.Option("--force", help="Replace files at --out and --plot even if winset did not write them.")
]
AlphaOpt = Annotated[float, typer.Option("--alpha", help="1 - confidence level of the intervals.")]


@user_errors
def amce_command(
    data: DataArg,
    outcome: OutcomeOpt,
    features: FeaturesOpt,
    id: IdOpt = None,
    baseline: BaselineOpt = None,
    levels: LevelsOpt = None,
    weights: WeightsOpt = None,
    by: ByOpt = None,
    diffs: DiffsOpt = False,
    convention: ConventionOpt = "cregg",
    design: DesignOpt = None,
    restrict: RestrictOpt = None,
    out: OutOpt = None,
    plot_path: PlotOpt = None,
    force: ForceOpt = False,
    alpha: AlphaOpt = 0.05,
    as_json: JsonOpt = False,
) -> None:
    """Average marginal component effects (AMCEs), with the numbers of cregg or cjoint.

    Prints the table of feature, level, estimate, standard error, confidence interval and p;
    --out writes it as CSV and --plot draws the dot-and-whisker figure (neither ever replaces the
    data, the design, or a file winset did not write, unless --force).
    """
    outputs = _outputs([data, design], out, plot_path, force)
    cj = _load(data, outcome, features, id, baseline, levels, weights, design)
    pairs = _pairs(restrict)
    if diffs:
        by = _require_by(by)
        table = amce_diffs(cj, by=by, convention=convention, alpha=alpha)  # type: ignore[arg-type]
    else:
        table = amce(cj, restricted=pairs, convention=convention, by=by, alpha=alpha)  # type: ignore[arg-type]
    _finish(table, outputs, 0.0, "AMCE" if not diffs else "Difference in AMCE", as_json)


@user_errors
def mm_command(
    data: DataArg,
    outcome: OutcomeOpt,
    features: FeaturesOpt,
    id: IdOpt = None,
    baseline: BaselineOpt = None,
    levels: LevelsOpt = None,
    weights: WeightsOpt = None,
    by: ByOpt = None,
    diffs: DiffsOpt = False,
    design: DesignOpt = None,
    h0: Annotated[float, typer.Option("--h0", help="Null value for z and p (0.5 for a forced choice of two).")] = 0.0,
    out: OutOpt = None,
    plot_path: PlotOpt = None,
    force: ForceOpt = False,
    alpha: AlphaOpt = 0.05,
    as_json: JsonOpt = False,
) -> None:
    """Marginal means: the mean outcome among profiles that show each level (cregg's mm).

    Prints the table; --out writes it as CSV and --plot draws the figure (neither ever replaces
    the data, the design, or a file winset did not write, unless --force).
    """
    outputs = _outputs([data, design], out, plot_path, force)
    cj = _load(data, outcome, features, id, baseline, levels, weights, design)
    if diffs:
        table = mm_diffs(cj, by=_require_by(by), alpha=alpha)
        reference = 0.0
    else:
        table = mm(cj, by=by, h0=h0, alpha=alpha)
        reference = h0 if h0 else None
    _finish(table, outputs, reference, "Marginal mean" if not diffs else "Difference in marginal mean", as_json)


def _load(data, outcome, features, id, baseline, levels, weights, design) -> ConjointData:
    frame = read_table(data)
    return ConjointData(
        frame,
        outcome,
        [f.strip() for f in features.split(",") if f.strip()],
        id=id,
        weights=weights,
        levels=_assignments(levels, "--levels", split="|"),
        baselines=_assignments(baseline, "--baseline"),
        design=Design.from_file(design) if design else None,
        source=data,
    )


def _assignments(items: list[str] | None, option: str, split: str | None = None) -> dict:
    out = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            example = "A=l1|l2|l3" if split else "A=level"
            raise ConjointError([Problem(option, f"expected {example}, got '{item}'", f'write {option} "{example}"')])
        out[name.strip()] = [v.strip() for v in value.split(split)] if split else value.strip()
    return out


def _pairs(items: list[str] | None) -> list[tuple[str, str]] | None:
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


def _require_by(by: str | None) -> str:
    if by is None:
        raise ConjointError([Problem("--diffs", "differences need groups", "add --by COLUMN")])
    return by


def _outputs(inputs: list[Path | None], out: Path | None, plot_path: Path | None, force: bool) -> dict[str, Output]:
    """The table and figure outputs asked for, checked before any work (see winset.outputs)."""
    sources = tuple(p for p in inputs if p is not None)
    outputs = {}
    if out is not None:
        outputs["table"] = Output(out, "table", "--out", (".csv",), is_table(COLUMNS, leading=1), sources, force)
    if plot_path is not None:
        outputs["figure"] = Output(plot_path, "figure", "--plot", FIGURE_SUFFIXES, is_figure, sources, force)
    if out is not None and plot_path is not None and same_file(out, plot_path):
        raise ConjointError([Problem(str(out), "--out and --plot name the same file", "give each its own file")])
    problems = [problem for output in outputs.values() for problem in output_problems(output)]
    if problems:
        raise OutputError(problems)
    return outputs


def _finish(
    table: pd.DataFrame, outputs: dict[str, Output], reference: float | None, xlabel: str, as_json: bool
) -> None:
    written = {}
    if "figure" in outputs:
        figure = plot(table, reference=reference, xlabel=xlabel)
        written["figure"] = save_figure(figure, outputs["figure"], dpi=150)
    if "table" in outputs:
        written["table"] = outputs["table"].write(lambda temporary: table.to_csv(temporary, index=False))
    if as_json:
        print_json(table.astype(object).where(table.notna(), None).to_dict(orient="records"))
        return
    console = stdout()
    console.print(_rich_table(table))
    for what in written:
        console.print(f"{what} written to {escape(str(outputs[what].path))}", soft_wrap=True)


def _rich_table(table: pd.DataFrame) -> Table:
    rich = Table()
    numeric = ["estimate", "std_error", "lower", "upper", "p"]
    text = [c for c in table.columns if c not in numeric + ["z"]]
    for column in text:
        rich.add_column(column, overflow="fold")
    for column in numeric:
        rich.add_column(column, justify="right", no_wrap=True)
    for values in table.to_dict(orient="records"):
        cells = [escape(str(values[c])) for c in text]
        cells += [_number(values[c], "p" if c == "p" else "f") for c in numeric]
        rich.add_row(*cells)
    return rich


def _number(value: float, kind: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if kind == "p":
        return "<0.001" if value < 0.001 else f"{value:.3f}"
    return f"{value:.4f}"

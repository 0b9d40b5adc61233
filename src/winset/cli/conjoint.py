"""``winset amce`` and ``winset mm``: conjoint estimates from a data file, as tables and figures."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from ..errors import WinsetError
from .common import user_errors
from .options import JsonOpt

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


@contextlib.contextmanager
def options_named() -> Iterator[None]:
    """The estimators name their parameters (``alpha``): on the command line, say the option."""
    try:
        yield
    except WinsetError as error:
        named = [replace(p, location=f"--{p.location}") if p.location in OPTIONS else p for p in error.problems]
        raise type(error)(named, source=error.source) from None


OPTIONS = ("alpha", "convention", "h0")


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
    from ..conjoint.amce import amce
    from ..conjoint.diffs import amce_diffs
    from .conjoint_view import finish, load, outputs_asked, pairs_of, require_by

    outputs = outputs_asked([data, design], out, plot_path, force)
    cj = load(data, outcome, features, id, baseline, levels, weights, design)
    pairs = pairs_of(restrict)
    # ``convention`` is the user's text, not yet one of the Convention literals: amce and amce_diffs
    # check it and refuse an unknown one with the conventions they know (a user error, exit 2)
    with options_named():
        if diffs:
            by = require_by(by)
            table = amce_diffs(cj, by=by, convention=convention, alpha=alpha)  # type: ignore[arg-type]
        else:
            table = amce(cj, restricted=pairs, convention=convention, by=by, alpha=alpha)  # type: ignore[arg-type]
    finish(table, outputs, 0.0, "AMCE" if not diffs else "Difference in AMCE", as_json)


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
    from ..conjoint.diffs import mm_diffs
    from ..conjoint.mm import mm
    from .conjoint_view import finish, load, outputs_asked, require_by

    outputs = outputs_asked([data, design], out, plot_path, force)
    cj = load(data, outcome, features, id, baseline, levels, weights, design)
    with options_named():
        if diffs:
            table = mm_diffs(cj, by=require_by(by), alpha=alpha)
            reference: float | None = 0.0
        else:
            table = mm(cj, by=by, h0=h0, alpha=alpha)
            reference = h0 if h0 else None
    finish(table, outputs, reference, "Marginal mean" if not diffs else "Difference in marginal mean", as_json)

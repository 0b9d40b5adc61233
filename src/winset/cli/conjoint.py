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
CompareOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--compare", help='Test that two levels differ: "A=level|B=level" (repeatable); prints one row per test.'
    ),
]
ReferenceOpt = Annotated[
    str | None, typer.Option("--reference", help="AMCEs under each level of this feature as its baseline.")
]
InteractionOpt = Annotated[
    str | None, typer.Option("--interaction", help='Interaction effects (ACIEs) of two features: "A*B".')
]
DiagnosticsPlotOpt = Annotated[
    Path | None,
    typer.Option(
        "--plot-diagnostics",
        help="With --diagnose: draw the diagnostics (balance, carryover, profile and attribute order) to this"
        " .png, .svg or .pdf file.",
    ),
]
DiagnoseOpt = Annotated[
    bool,
    typer.Option(
        "--diagnose",
        help="Also run the diagnostics: balance, and with --task, --profile, --covariate, --position,"
        " carryover, profile order, covariate balance, attribute order.",
    ),
]
TaskOpt = Annotated[
    str | None, typer.Option("--task", help="With --diagnose or --repeated: column of the task number.")
]
RepeatedOpt = Annotated[
    str | None,
    typer.Option(
        "--repeated",
        help="Column that marks a repeated task (profiles swapped) with the task it repeats: estimates"
        " corrected for measurement error beside the uncorrected ones (needs --id and --task).",
    ),
]
ProfileOpt = Annotated[
    str | None, typer.Option("--profile", help="With --diagnose: column of the profile's position in the task.")
]
CovariateOpt = Annotated[
    list[str] | None,
    typer.Option("--covariate", help="With --diagnose: a numeric respondent characteristic to test (repeatable)."),
]
PositionOpt = Annotated[
    list[str] | None,
    typer.Option("--position", help='With --diagnose: "A=COL", the column of feature A\'s on-screen position.'),
]


@contextlib.contextmanager
def options_named() -> Iterator[None]:
    """The estimators name their parameters (``alpha``): on the command line, say the option."""
    try:
        yield
    except WinsetError as error:
        named = [replace(p, location=OPTIONS[p.location]) if p.location in OPTIONS else p for p in error.problems]
        raise type(error)(named, source=error.source) from None


OPTIONS = {
    "alpha": "--alpha",
    "convention": "--convention",
    "h0": "--h0",
    "pair": "--interaction",
    "comparisons": "--compare",
    "variable": "--reference",
    "id": "--id",
    "task": "--task",
}


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
    reference: ReferenceOpt = None,
    interaction: InteractionOpt = None,
    compare: CompareOpt = None,
    repeated: RepeatedOpt = None,
    convention: ConventionOpt = "cregg",
    design: DesignOpt = None,
    restrict: RestrictOpt = None,
    diagnose: DiagnoseOpt = False,
    task: TaskOpt = None,
    profile: ProfileOpt = None,
    covariate: CovariateOpt = None,
    position: PositionOpt = None,
    out: OutOpt = None,
    plot_path: PlotOpt = None,
    plot_diagnostics: DiagnosticsPlotOpt = None,
    force: ForceOpt = False,
    alpha: AlphaOpt = 0.05,
    as_json: JsonOpt = False,
) -> None:
    """Average marginal component effects (AMCEs), with the numbers of cregg or cjoint.

    Prints the table of feature, level, estimate, standard error, confidence interval and p;
    --diffs, --reference, --interaction or --compare print another estimate instead; --diagnose
    adds the diagnostics (--plot-diagnostics draws them). --out writes the table as CSV and --plot
    draws the dot-and-whisker figure (none ever replaces the data, the design, or a file winset did not write, unless
    --force).
    """
    from ..conjoint.amce import amce
    from ..conjoint.diffs import amce_diffs
    from ..conjoint.interactions import acie, compare_levels
    from ..conjoint.reference import amce_by_reference
    from .conjoint_view import (
        check_diagnostics_asked,
        comparisons_of,
        convention_of,
        corrected_table,
        finish,
        load,
        one_estimate,
        outputs_asked,
        pairs_of,
        require_by,
        run_diagnostics,
    )

    kind = one_estimate(
        {
            "--diffs": diffs,
            "--reference": reference,
            "--interaction": interaction,
            "--compare": compare,
            "--repeated": repeated,
            "--by": by and not diffs,
        }
    )
    check_diagnostics_asked(diagnose, None if repeated else task, profile, covariate, position, plot_diagnostics)
    outputs = outputs_asked([data, design], out, plot_path, force, kind, plot_diagnostics)
    cj = load(data, outcome, features, id, baseline, levels, weights, design)
    pairs = pairs_of(restrict)
    with options_named():
        chosen = convention_of(convention)
        if kind == "--diffs":
            table = amce_diffs(cj, by=require_by(by), convention=chosen, alpha=alpha)
        elif kind == "--reference":
            table = amce_by_reference(cj, variable=str(reference), restricted=pairs, convention=chosen, alpha=alpha)
        elif kind == "--interaction":
            (pair,) = pairs_of([str(interaction)], option="--interaction") or []
            table = acie(cj, pair=pair, restricted=pairs, convention=chosen, alpha=alpha)
        elif kind == "--compare":
            comparisons = comparisons_of(compare)
            table = compare_levels(cj, comparisons=comparisons, restricted=pairs, convention=chosen, alpha=alpha)
        elif kind == "--repeated":
            found, table = corrected_table(cj, "amce", task, str(repeated), alpha)
        else:
            table = amce(cj, restricted=pairs, convention=chosen, by=by, alpha=alpha)
        diagnostics = run_diagnostics(cj, task, profile, covariate, position, chosen, alpha) if diagnose else None
    labels = {"--diffs": "Difference in AMCE", "--interaction": "ACIE", "--compare": "Difference"}
    xlabel = labels.get(kind or "", "AMCE")
    finish(table, outputs, 0.0, xlabel, as_json, diagnostics, found if kind == "--repeated" else None, alpha)


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
    compare: CompareOpt = None,
    repeated: RepeatedOpt = None,
    task: TaskOpt = None,
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
    from ..conjoint.interactions import compare_levels
    from ..conjoint.mm import mm
    from .conjoint_view import comparisons_of, corrected_table, finish, load, one_estimate, outputs_asked, require_by

    kind = one_estimate({"--diffs": diffs, "--compare": compare, "--repeated": repeated, "--by": by and not diffs})
    outputs = outputs_asked([data, design], out, plot_path, force, kind)
    cj = load(data, outcome, features, id, baseline, levels, weights, design)
    with options_named():
        if kind == "--compare":
            table = compare_levels(cj, comparisons=comparisons_of(compare), statistic="mm", alpha=alpha)
            reference: float | None = 0.0
        elif diffs:
            table = mm_diffs(cj, by=require_by(by), alpha=alpha)
            reference = 0.0
        elif kind == "--repeated":
            found, table = corrected_table(cj, "mm", task, str(repeated), alpha)
            reference = 0.5
        else:
            table = mm(cj, by=by, h0=h0, alpha=alpha)
            reference = h0 if h0 else None
    xlabel = "Marginal mean" if kind in (None, "--by", "--repeated") else "Difference in marginal mean"
    finish(table, outputs, reference, xlabel, as_json, reliability=found if kind == "--repeated" else None)

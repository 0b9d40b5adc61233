"""``winset design``: how many respondents each public's survey needs, before it is fielded.

The simulation is imported when the command runs; what it prints is :mod:`winset.cli.design_view`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import Problem, WinsetError, did_you_mean
from .common import print_json, progress_bars, stdout, user_errors
from .options import JsonOpt, ScenarioArg

if TYPE_CHECKING:
    from rich.progress import TaskID

    from ..scenario import Party, Ratifier, Scenario
    from ..support.results import RatifierFit

RatifierOpt = Annotated[
    list[str] | None,
    typer.Option("--ratifier", metavar="ID", help="Design for this ratifier only (repeatable); default: all."),
]
TasksOpt = Annotated[
    int | None, typer.Option("--tasks", help="Tasks per respondent; default: as in the current survey, else 8.")
]
ProfilesOpt = Annotated[
    int | None, typer.Option("--profiles", help="Profiles per task; default: as in the current survey, else 2.")
]
ConfidenceOpt = Annotated[
    float, typer.Option("--confidence", help="Probability that every pass/fail call is right (q).")
]
MarginOpt = Annotated[
    float,
    typer.Option(
        "--margin",
        help="The packages near the threshold to call are at least this far from it (a share, e.g. 0.03); proposals nearer are reported as too close.",
    ),
]
NearOpt = Annotated[int, typer.Option("--near", help="Near-threshold packages to call on each side.")]
RepsOpt = Annotated[int, typer.Option("--reps", help="Simulated surveys per size (20 to 10,000).")]
PilotOpt = Annotated[
    int | None,
    typer.Option("--pilot", help="Respondents of the first simulated surveys; default: the current survey's."),
]
MaxOpt = Annotated[int, typer.Option("--max-respondents", help="Give up beyond this many respondents.")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Write the power curves as CSV to this file.")]
PlotOpt = Annotated[Path | None, typer.Option("--plot", help="Draw the power curves to this .png, .svg or .pdf.")]
FieldOpt = Annotated[
    Path | None,
    typer.Option(
        "--field",
        help="Write each public's randomised design to this folder: randomisation table, balance, Qualtrics script, survey design.",
    ),
]
RepeatOpt = Annotated[
    int | None,
    typer.Option("--repeat", help="Add a last task repeating task T, profiles swapped (measurement error)."),
]
SeedOpt = Annotated[
    int, typer.Option("--seed", min=0, help="Seed of the simulated surveys and of the randomised design.")
]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace an existing file that winset did not write.")]


@user_errors
def design_command(
    scenario: ScenarioArg,
    ratifier: RatifierOpt = None,
    tasks: TasksOpt = None,
    profiles: ProfilesOpt = None,
    confidence: ConfidenceOpt = 0.9,
    margin: MarginOpt = 0.03,
    near: NearOpt = 2,
    reps: RepsOpt = 100,
    pilot: PilotOpt = None,
    max_respondents: MaxOpt = 100_000,
    out: OutOpt = None,
    plot_path: PlotOpt = None,
    field: FieldOpt = None,
    repeat: RepeatOpt = None,
    force: ForceOpt = False,
    seed: SeedOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """How many respondents each public's survey needs for winset's pass/fail calls.

    For each public, its current fitted support is taken as the truth; surveys of it are
    simulated, fitted by the real fitting code and decided by the public's rule, for the named
    proposals and the packages nearest the threshold (at least --margin from it). Prints the
    respondents needed so that every call is right with probability at least --confidence, the
    check of that size by a fresh simulation, and the smallest AMCE each issue's design can
    detect. --out writes the power curves as CSV, --plot draws them; --field writes the
    randomised design of that size for each public (with --repeat, a repeated task), to field in
    Qualtrics or to organise on the consultation site. No file winset did not write is replaced
    without --force.
    """
    from .design_view import check_outputs, detectable_table, document, field_outputs, targets_table, write_field

    check_numbers(confidence, margin, near, reps, pilot, max_respondents)
    from ..design import DesignResult, Study, public_power

    Study(8 if tasks is None else tasks, 2 if profiles is None else profiles)  # refused before any fit
    from ..scenario import load_scenario

    loaded = load_scenario(scenario)
    chosen = chosen_ratifiers(loaded, ratifier or [])
    outputs = check_outputs(out, plot_path, loaded.files(), force)
    ids = [r.id for _, r in chosen]
    fielded = field_outputs(field, ids, loaded.space.issue_ids, loaded.files(), force) if field is not None else {}
    if repeat is not None and not 1 <= repeat <= (50 if tasks is None else tasks):  # before any fit where known
        raise WinsetError([Problem("--repeat", f"no task {repeat} to repeat", "name one of the tasks, e.g. 1")])
    from ..support.fit import fit_ratifier

    publics = []
    with progress_bars(not as_json) as progress:
        for party, r in chosen:
            bar = progress.add_task(f"{r.id}: fitting", total=1)
            fit = fit_ratifier(loaded, party, r, draws=0, seed=seed)
            study = Study(*survey_shape(fit, tasks, profiles))
            if repeat is not None and not 1 <= repeat <= study.tasks:
                raise WinsetError(
                    [Problem("--repeat", f"no task {repeat} among 1..{study.tasks}", "name a task to repeat, e.g. 1")]
                )

            def advance(rid: str, done: int, total: int, bar: TaskID = bar) -> None:
                progress.update(bar, completed=done, total=total, description=f"{rid}: simulating")

            power = public_power(
                loaded,
                fit,
                study,
                confidence=confidence,
                reps=reps,
                margin=margin,
                near=near,
                pilot=pilot,
                max_respondents=max_respondents,
                seed=seed,
                progress=advance,
            )
            progress.update(bar, completed=1, total=1, description=f"{r.id}: done")
            publics.append(power)
    result = DesignResult(loaded.space, publics)
    written = []
    if "table" in outputs:
        written.append(outputs["table"].write(lambda path: result.curves().to_csv(path, index=False)))
    if "figure" in outputs:
        from ..design.plot import power_figure
        from ..outputs import save_figure

        written.append(save_figure(power_figure(result), outputs["figure"], dpi=150))
    balances = {}
    if fielded:
        for power in publics:
            path_list, balances[power.ratifier] = write_field(loaded, power, fielded, repeat, seed)
            written += path_list
    if as_json:
        print_json(document(result, written, balances))
        return
    console = stdout()
    console.print(result.summary())
    for power in publics:
        console.print(targets_table(result, power))
    console.print(detectable_table(result))
    for rid, table in balances.items():
        worst = table.drop_duplicates("issue").sort_values("p").iloc[0]
        console.print(
            f"{rid}: design balance, the lowest chi-square p over issues is {worst['p']:.3f} ({worst['issue']})"
        )
    for path in written:
        console.print(f"wrote {path}")


def check_numbers(
    confidence: float, margin: float, near: int, reps: int, pilot: int | None, max_respondents: int
) -> None:
    """Refuse numbers no design can use, before any fitting."""
    problems = []
    if not 0.5 < confidence < 1:
        problems.append(Problem("--confidence", f"must be between 0.5 and 1, got {confidence}", "use e.g. 0.9"))
    if not 0 < margin < 0.5:
        problems.append(Problem("--margin", f"must be between 0 and 0.5, got {margin}", "use e.g. 0.03"))
    if not 0 <= near <= 20:
        problems.append(Problem("--near", f"must be between 0 and 20, got {near}", "use e.g. 2"))
    if not 20 <= reps <= 10_000:
        problems.append(Problem("--reps", f"must be between 20 and 10,000, got {reps}", "use e.g. 100"))
    if pilot is not None and not 20 <= pilot <= 1_000_000:
        problems.append(Problem("--pilot", f"must be between 20 and 1,000,000, got {pilot}", "use e.g. 1000"))
    if not 100 <= max_respondents <= 10_000_000:
        problems.append(
            Problem(
                "--max-respondents", f"must be between 100 and 10,000,000, got {max_respondents}", "use e.g. 100000"
            )
        )
    if problems:
        raise WinsetError(problems)


def chosen_ratifiers(scenario: Scenario, ids: list[str]) -> list[tuple[Party, Ratifier]]:
    """The (party, ratifier) pairs asked for, every one by default; unknown ids refused."""
    known = [r.id for _, r in scenario.ratifiers]
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise WinsetError(
            [
                Problem("--ratifier", f"no ratifier '{i}'{did_you_mean(i, known)}", f"use one of {', '.join(known)}")
                for i in unknown
            ]
        )
    return [(p, r) for p, r in scenario.ratifiers if not ids or r.id in ids]


def survey_shape(fit: RatifierFit, tasks: int | None, profiles: int | None) -> tuple[int, int]:
    """Tasks per respondent and profiles per task: as asked, else as in the current survey
    (its most common numbers), else 8 and 2."""
    import pandas as pd

    data = fit.data
    if data is None or data.task is None or data.clusters is None:
        return 8 if tasks is None else tasks, 2 if profiles is None else profiles
    per_task = pd.Series(1, index=[data.clusters, data.frame[data.task].to_numpy()]).groupby(level=[0, 1]).size()
    per_respondent = per_task.groupby(level=0).size()
    usual_tasks, usual_profiles = int(per_respondent.mode().iloc[0]), int(per_task.mode().iloc[0])
    return usual_tasks if tasks is None else tasks, usual_profiles if profiles is None else profiles

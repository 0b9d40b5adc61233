"""``winset simulate``: Monte Carlo talks on a scenario, and the two-level-game experiments.

The simulation is imported when the command runs, not when ``winset`` starts; what it prints and
writes is :mod:`winset.cli.simulate_view`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import Problem, WinsetError, did_you_mean
from ..extras import install_hint
from ..negotiate.choices import EXPERIMENTS, MODES, STRATEGIES
from .common import print_json, progress_bars, user_errors
from .options import DRAWS, DrawsOpt, EngineOptions, JsonOpt, ScenarioArg, SeedOpt

if TYPE_CHECKING:
    from ..outputs import Output
    from ..scenario import Scenario


def check_options(
    scenario: Scenario,
    strategies: list[str],
    mode: str | None,
    experiments: list[str],
    figures: Path | None,
    force: bool = False,
) -> None:
    """Refuse what cannot run, before any fitting."""
    problems = []
    for s in strategies:
        if s not in STRATEGIES:
            problems.append(
                Problem(
                    "--strategy",
                    f"unknown strategy '{s}'{did_you_mean(s, STRATEGIES)}",
                    f"use one of {', '.join(STRATEGIES)}",
                )
            )
    if mode is not None and mode not in MODES:
        problems.append(
            Problem("--mode", f"unknown mode '{mode}'{did_you_mean(mode, MODES)}", f"use one of {', '.join(MODES)}")
        )
    for e in experiments:
        if e not in EXPERIMENTS:
            problems.append(
                Problem(
                    "--experiment",
                    f"unknown experiment '{e}'{did_you_mean(e, EXPERIMENTS)}",
                    f"use one of {', '.join(EXPERIMENTS)}",
                )
            )
    if "linkage" in experiments and scenario.talks.linkage is None:
        problems.append(
            Problem(
                "--experiment", "the linkage experiment needs an issue to link", "add [talks.linkage] to the scenario"
            )
        )
    if "ban" in experiments and scenario.talks.ban is None:
        problems.append(
            Problem("--experiment", "the ban experiment needs the issues it bans", "add [talks.ban] to the scenario")
        )
    if len(scenario.parties) < 2:
        problems.append(Problem("parties", "talks need at least two parties", "add the other side to the scenario"))
    if figures is not None:
        outputs = figure_outputs(Path(figures), experiments, scenario.files(), force)
        problems += _figure_folder_problems(Path(figures), outputs)
    if problems:
        raise WinsetError(problems)


def figure_outputs(folder: Path, experiments: list[str], inputs: Sequence[Path], force: bool) -> dict[str, Output]:
    """The figures ``--figures`` writes (talks-outcomes.png and one per experiment), each an
    output under the policy of :mod:`winset.outputs`."""
    from ..outputs import Output, is_figure

    return {
        name: Output(folder / f"talks-{name}.png", "figure", "--figures", (".png",), is_figure, tuple(inputs), force)
        for name in ["outcomes", *experiments]
    }


def _figure_folder_problems(folder: Path, outputs: dict[str, Output]) -> list[Problem]:
    from ..files import kind, shown
    from ..outputs import output_problems

    try:
        found, parent = kind(folder), kind(folder.parent)
    except WinsetError as error:  # a path the system cannot look up
        return error.problems
    if found not in ("missing", "folder"):
        return [Problem("--figures", f"{shown(folder)} is a file, not a folder", "give a folder for the figures")]
    if parent != "folder":
        return [Problem("--figures", f"the folder {shown(folder.parent)} does not exist", "create it first")]
    if found == "missing":
        return []  # made when the figures are written
    return [problem for output in outputs.values() for problem in output_problems(output)]


@user_errors
def simulate_command(
    scenario: ScenarioArg,
    runs: Annotated[int, typer.Option("--runs", min=1, help="How many negotiations to simulate.")] = 200,
    strategy: Annotated[
        list[str] | None,
        typer.Option(
            "--strategy",
            help="boulware, linear, conceder or tit-for-tat; repeat to mix (each run draws one per side). "
            "Default: all four.",
        ),
    ] = None,
    mode: Annotated[
        str | None, typer.Option("--mode", help="strict or soft ratification-awareness (default: the scenario's).")
    ] = None,
    rounds: Annotated[
        int | None, typer.Option("--rounds", min=1, help="Rounds of talks (default: the scenario's).")
    ] = None,
    shift: Annotated[
        float,
        typer.Option(
            "--shift",
            help="What if opinion were warmer (or, negative, colder): move every binding public by this "
            "much (logit) before the talks (not the experiments, which set their own). winset solve prints "
            "the gap that opens the joint win-set.",
        ),
    ] = 0.0,
    experiment: Annotated[
        list[str] | None, typer.Option("--experiment", help="Also run schelling, linkage or ban (repeatable).")
    ] = None,
    figures: Annotated[
        Path | None, typer.Option("--figures", help="Folder to write the figures to (talks-*.png).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace files at the figures' paths even if winset did not write them.")
    ] = False,
    draws: DrawsOpt = DRAWS,
    seed: SeedOpt = 0,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Dask scheduler address to run on.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """How would talks go? Many simulated negotiations under ratification at home.

    Each run is a negotiation on NegMAS's alternating-offers protocol: negotiators concede over
    the rounds, offer only what they believe both publics would ratify (strict) or discount by the
    chance of ratification (soft), read opinion with error, and opinion moves with the scenario's
    events, random drift and the audience costs of conceding. A signed deal then goes to a vote on
    one bootstrap draw of each support model. Prints the agreement rate, the share of signed deals
    that fail at home, rounds to agreement and the packages signed, per pair of strategies; runs
    the experiments asked for; writes figures with --figures. Same seed, same results, in process
    or on a Dask cluster.
    """
    from ..scenario import load_scenario

    loaded = load_scenario(scenario)
    require_negmas()
    from ..negotiate.experiments import run, sweeps
    from ..negotiate.montecarlo import simulate
    from ..negotiate.talks import Settings
    from .simulate_view import document, print_simulation, write_figures
    from .solve import evidence, fitted_problem, print_evidence

    if not math.isfinite(shift):
        raise WinsetError([Problem("--shift", f"must be a finite number, got {shift}", "use e.g. --shift 0.5")])
    strategies = list(strategy or STRATEGIES)
    experiments = list(dict.fromkeys(experiment or []))
    check_options(loaded, strategies, mode, experiments, figures, force)
    settings = Settings.from_scenario(loaded, rounds=rounds, mode=mode, draws=draws > 0)
    problem, fits = fitted_problem(loaded, EngineOptions(draws, seed), as_json)  # the experiments start here
    talks = problem.shifted([shift if binding else 0.0 for binding in problem.binding]) if shift else problem
    with progress_bars(not as_json) as progress:
        total = runs * (1 + sum(sweeps(e, problem) for e in experiments))
        task = progress.add_task("talks", total=total)

        def advance(done: int) -> None:
            progress.advance(task, done)

        simulation = simulate(talks, settings, runs, seed, strategies, scheduler, advance)
        common = {"strategies": strategies, "scheduler": scheduler, "progress": advance}
        results = {name: run(name, loaded, problem, settings, runs, seed, **common) for name in experiments}
    written = []
    if figures is not None:
        outputs = figure_outputs(Path(figures), experiments, loaded.files(), force)
        written = write_figures(Path(figures), outputs, simulation, results)
    kinds, warnings = evidence(loaded, fits, [])
    if as_json:
        print_json({**document(loaded, simulation, results, written, shift), "evidence": kinds, "warnings": warnings})
    else:
        print_simulation(simulation, results, written, shift)
        print_evidence(kinds, warnings)


def require_negmas(where: str = "winset simulate") -> None:
    """Refuse, with the command to fix it, when NegMAS (the negotiation extra) is missing."""
    try:
        import negmas  # noqa: F401
    except ImportError:
        raise WinsetError([Problem(where, "simulated talks need NegMAS", install_hint("negotiation"))]) from None

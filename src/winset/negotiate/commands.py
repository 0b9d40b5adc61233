"""``winset simulate``: Monte Carlo talks on a scenario, and the two-level-game experiments."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import typer
from rich.table import Table

from ..cli_common import JsonOpt, ScenarioArg, print_json, progress_bars, stdout, user_errors
from ..engine.report import fixed, records, share
from ..errors import Problem, WinsetError
from ..files import kind, shown
from ..outputs import Output, is_figure, output_problems, save_figure
from ..scenario import Scenario, load_scenario
from ..support.commands import DrawsOpt, SeedOpt
from ..support.fit import DRAWS
from .choices import EXPERIMENTS, MODES, STRATEGIES


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
            problems.append(Problem("--strategy", f"unknown strategy '{s}'", f"use one of {', '.join(STRATEGIES)}"))
    if mode is not None and mode not in MODES:
        problems.append(Problem("--mode", f"unknown mode '{mode}'", f"use one of {', '.join(MODES)}"))
    for e in experiments:
        if e not in EXPERIMENTS:
            problems.append(
                Problem("--experiment", f"unknown experiment '{e}'", f"use one of {', '.join(EXPERIMENTS)}")
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


def figure_outputs(folder: Path, experiments: list[str], inputs, force: bool) -> dict[str, Output]:
    """The figures ``--figures`` writes (talks-outcomes.png and one per experiment), each an
    output under the policy of :mod:`winset.outputs`."""
    return {
        name: Output(folder / f"talks-{name}.png", "figure", "--figures", (".png",), is_figure, tuple(inputs), force)
        for name in ["outcomes", *experiments]
    }


def _figure_folder_problems(folder: Path, outputs: dict[str, Output]) -> list[Problem]:
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
    loaded = load_scenario(scenario)
    require_negmas()
    from ..engine.commands import problem_for
    from .experiments import run, sweeps
    from .montecarlo import simulate
    from .talks import Settings

    if not math.isfinite(shift):
        raise WinsetError([Problem("--shift", f"must be a finite number, got {shift}", "use e.g. --shift 0.5")])
    strategies = list(strategy or STRATEGIES)
    experiments = list(dict.fromkeys(experiment or []))
    check_options(loaded, strategies, mode, experiments, figures, force)
    settings = Settings.from_scenario(loaded, rounds=rounds, mode=mode, draws=draws > 0)
    problem = problem_for(loaded, draws, seed, None, False, as_json)  # the experiments start here
    talks = problem.shifted(np.where(problem.binding, shift, 0.0)) if shift else problem
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
        written = _write_figures(Path(figures), outputs, simulation, results)
    if as_json:
        print_json(_document(loaded, simulation, results, written, shift))
    else:
        _print(simulation, results, written, shift)


def require_negmas(where: str = "winset simulate") -> None:
    """Refuse, with the command to fix it, when NegMAS (the negotiation extra) is missing."""
    try:
        import negmas  # noqa: F401
    except ImportError:
        raise WinsetError(
            [Problem(where, "simulated talks need NegMAS", "pip install 'winset[negotiation]'")]
        ) from None


def _write_figures(folder: Path, outputs: dict[str, Output], simulation, results) -> list[str]:
    import matplotlib.pyplot as plt

    from . import figures

    folder.mkdir(exist_ok=True)
    made = {"outcomes": figures.outcome_figure(simulation)}
    titles = {"linkage": "Synergistic linkage", "ban": "Ban on ceding territory"}
    for name, table in results.items():
        made[name] = (
            figures.schelling_figure(table) if name == "schelling" else figures.comparison_figure(table, titles[name])
        )
    paths = []
    for name, figure in made.items():
        save_figure(figure, outputs[name], dpi=120)
        plt.close(figure)
        paths.append(str(outputs[name].path))
    return paths


def _document(scenario: Scenario, simulation, results, written, shift: float) -> dict:
    s = simulation.settings
    return {
        "ok": True,
        "scenario": scenario.scenario.id,
        "seed": simulation.seed,
        "shift": shift,
        "settings": {
            "rounds": s.rounds,
            "mode": s.mode,
            "drift": s.opinion.drift,
            "own_noise": s.opinion.own_noise,
            "other_noise": s.opinion.other_noise,
            "audience_cost": s.opinion.audience_cost,
            "events": [e.__dict__ for e in s.opinion.events],
            "strategies": list(simulation.strategies),
        },
        "summary": records(pd.DataFrame([simulation.summary()]))[0],
        "by_strategy": records(simulation.by_strategy()),
        "packages": records(simulation.packages()),
        "runs": records(simulation.runs),
        "experiments": {name: records(table) for name, table in results.items()},
        "figures": written,
    }


def _print(simulation, results, written, shift: float) -> None:
    out = stdout()
    s = simulation.summary()
    settings = simulation.settings
    moved = f", opinion moved by {shift:+g} (logit)" if shift else ""
    out.print(
        f"[bold]{s['runs']} simulated talks[/] ({settings.rounds} rounds, {settings.mode} ratification, "
        f"seed {simulation.seed}{moved})"
    )
    out.print(
        f"Signed: {share(s['agreement_rate'])}   ratified at home: {share(s['ratified_rate'])}   "
        f"signed deals that failed at home: {share(s['failed_share'])}   "
        f"rounds to signing (median): {fixed(s['median_rounds'], 0) or '–'}"
    )
    table = Table(title="By strategy")
    strategy_columns = [f"strategy_{n}" for n in simulation.negotiators]
    for name in [*simulation.negotiators, "runs", "signed", "ratified", "failed at home", "rounds"]:
        table.add_column(name, justify="left" if name in simulation.negotiators else "right")
    for row in simulation.by_strategy().to_dict("records"):
        table.add_row(
            *[row[c] for c in strategy_columns],
            str(row["runs"]),
            share(row["agreement_rate"]),
            share(row["ratified_rate"]),
            share(row["failed_share"]),
            fixed(row["mean_rounds"], 1) or "–",
        )
    out.print(table)
    packages = simulation.packages()
    if not packages.empty:
        top = Table(title="Packages signed most often (changes from the status quo)")
        top.add_column("package", overflow="fold")
        for name in ("signed", "share", "ratified"):
            top.add_column(name, justify="right")
        for row in packages.to_dict("records"):
            top.add_row(row["package"], str(row["signed"]), share(row["share"]), str(row["ratified"]))
        out.print(top)
    for name, frame in results.items():
        out.print(_experiment_table(name, frame, simulation.negotiators))
    for path in written:
        out.print(f"Figure written: {path}")


def _experiment_table(name: str, frame, negotiators) -> Table:
    keys = ["margin", "narrowed", "narrowing"] if name == "schelling" else ["opinion", "condition"]
    table = Table(title={"schelling": "Schelling conjecture", "linkage": "Synergistic linkage", "ban": "Ban"}[name])
    utilities = [f"deal_utility_{n}" for n in negotiators]
    for column in [
        *keys,
        "winset",
        "signed",
        "ratified",
        "failed at home",
        *[f"{n} utility in deals" for n in negotiators],
    ]:
        table.add_column(column, justify="left" if column in keys else "right")
    for row in frame.to_dict("records"):
        table.add_row(
            *[f"{row[k]:g}" if isinstance(row[k], float) else str(row[k]) for k in keys],
            f"{row['winset']:,}",
            share(row["agreement_rate"]),
            share(row["ratified_rate"]),
            share(row["failed_share"]),
            *[fixed(row[u]) or "–" for u in utilities],
        )
    return table

"""``winset fit``: every ratifier's support model, its data, its calibration and its support.

The models are imported when the command runs, not when ``winset`` starts; what it prints is
:mod:`winset.cli.fit_view`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from .common import print_json, progress_bars, stderr, stdout, user_errors
from .options import DRAWS, DrawsOpt, JsonOpt, ScenarioArg, SeedOpt

if TYPE_CHECKING:
    from ..scenario import Scenario
    from ..support.fit import RatifierFit


@user_errors
def fit_command(scenario: ScenarioArg, draws: DrawsOpt = DRAWS, seed: SeedOpt = 0, as_json: JsonOpt = False) -> None:
    """Fit every ratifier's support model and show what it learned.

    For each ratifier: where its data come from, the model's coefficients (bootstrap standard
    errors; for a public without a survey, posterior and prior), the AMCEs of its survey (or its
    options' posterior effects), how its support compares with the published polls (before and
    after calibration, or under the prior and fitted), and its support (90% interval, probability
    that its rule is met) for the status quo and every proposal of the scenario; where its survey
    repeats a task (data.repeated), the answers' reliability and the support corrected for their
    error beside the support the survey measured.
    """
    from ..scenario import load_scenario
    from .fit_view import fit_json, report

    loaded = load_scenario(scenario)
    fits = fit_all(loaded, draws, seed, show_progress=not as_json)
    packages = loaded.named_packages()
    if as_json:
        print_json({"ok": True, "ratifiers": {rid: fit_json(loaded, fit, packages) for rid, fit in fits.items()}})
        return
    console = stdout()
    for fit in fits.values():
        console.print(report(loaded, fit, packages))


def fit_all(scenario: Scenario, draws: int, seed: int, show_progress: bool) -> dict[str, RatifierFit]:
    """Fit every ratifier, with a progress bar per ratifier on the terminal."""
    from ..support.fit import fit_scenario

    with progress_bars(show_progress) as progress:
        # counted in fits: the estimate, then each draw
        tasks = {
            r.id: progress.add_task(f"{r.id}: fitting", total=draws + 1, start=False) for _, r in scenario.ratifiers
        }

        def advance(ratifier: str, done: int, total: int) -> None:
            progress.start_task(tasks[ratifier])
            progress.update(
                tasks[ratifier],
                completed=done + 1 if done else 0,
                description=f"{ratifier}: {'bootstrap' if done else 'fitting'}",
            )

        fits = fit_scenario(scenario, draws, seed, advance)
        for rid, task in tasks.items():
            progress.update(task, completed=draws + 1, description=f"{rid}: fitted")
    print_warnings(fits)
    return fits


def print_warnings(fits: dict[str, RatifierFit]) -> None:
    """Say on standard error (never in JSON on standard output) where a fit stopped short."""
    console = stderr()
    for rid, fit in fits.items():
        for warning in fit.warnings:
            console.print(Text.assemble(("warning: ", "bold yellow"), f"{rid}: {warning}"), soft_wrap=True)

"""Experiments from two-level-game theory, run as Monte Carlo sweeps of the talks.

* :func:`schelling`: the Schelling conjecture. Narrow one side's domestic win-set (move its
  publics against every deal) and see whether its negotiator gets a better deal, and what it
  costs in agreements.
* :func:`linkage`: synergistic linkage. Add an issue that one side's public values (for the worked
  example, wider economic or military cooperation) and compare the joint win-set and the outcomes
  of the talks with and without it.
* :func:`ban`: a rule that forbids changing some issues (for the worked example, the 2020
  constitutional ban on ceding territory), compared on every outcome.

Each compares conditions at levels of opinion: as the support models estimate it, and opened:
every binding public moved by the ratification gap the engine computes plus a margin (``MARGINS``:
0.25, room for a few deals; 2, room for many), so that some deal can pass and the conditions differ
in more than "no deal either way".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..engine.distributed import Scheduler
from ..engine.gap import ratification_gap
from ..engine.joint import point_only
from ..engine.problem import DealProblem
from ..errors import NegotiationError, Problem, WinsetError, did_you_mean, known_list
from ..scoretable import ScoreTable
from .choices import EXPERIMENTS
from .montecarlo import simulate
from .stage import Stage
from .talks import Settings

if TYPE_CHECKING:
    from ..scenario import Scenario
    from ..scenario.talks_model import Linkage

OPENING_MARGIN = 0.25  # logit points beyond the gap, for the "opened" opinion
NARROWING = (0.0, 0.25, 0.5, 0.75, 1.0)
MARGINS = (OPENING_MARGIN, 2.0)  # opinion opened for little room for a deal, and for much


def opened(problem: DealProblem, margin: float = OPENING_MARGIN) -> tuple[DealProblem, float]:
    """The problem with every binding public moved by the ratification gap (0 where a deal already
    passes) plus ``margin``, and the shift applied."""
    gap = ratification_gap(point_only(problem)).shift
    if not np.isfinite(gap):
        raise WinsetError(
            [
                Problem(
                    "--experiment",
                    "no shift of opinion opens the joint win-set: no package leaves every negotiator at "
                    "its reservation value or better",
                    "check the parties' reservation values and scores",
                )
            ]
        )
    shift = max(gap, 0.0) + margin
    return problem.shifted(np.array(problem.shifts) + np.where(problem.binding, shift, 0.0)), float(shift)


def linked(problem: DealProblem, linkage: Linkage) -> DealProblem:
    """The problem with a linked issue added (a scenario's ``talks.linkage``): each option adds its
    ``utility`` to a party and its ``support`` to every row of a public's model (logit), relative to
    the issue's first option, which is the status quo."""
    options = linkage.options
    space = problem.space.extended([(linkage.id, [o.id for o in options])])

    def effects(values: Sequence[float]) -> np.ndarray:
        array = np.asarray(values, dtype=float)
        return array - array[0]

    def extend(table: ScoreTable, effect: np.ndarray) -> ScoreTable:
        block = np.tile(effect, (table.n_rows, 1))
        coefficients = np.hstack([table.coefficients, block])
        return ScoreTable(
            space.shape, table.intercepts, coefficients, table.weights, table.groups, table.link, table.pairs
        )

    negotiators = tuple(
        replace(n, table=extend(n.table, effects([o.utility.get(n.id, 0.0) for o in options])))
        for n in problem.negotiators
    )
    publics = tuple(
        replace(p, table=extend(p.table, effects([o.support.get(p.id, 0.0) for o in options]))) for p in problem.publics
    )
    return replace(problem, space=space, negotiators=negotiators, publics=publics)


def banned(problem: DealProblem, issues: Sequence[str]) -> DealProblem:
    """The problem where none of ``issues`` may leave the status quo."""
    space = problem.space
    constraints = []
    for issue in issues:
        k = space.issue_ids.index(issue)
        changes = [o for c, o in enumerate(space.option_ids[k]) if c != space.status_quo[k]]
        if changes:
            constraints.append((f"ban_{issue}", {issue: changes}))
    return replace(problem, space=space.extended(constraints=constraints))


def outcomes(
    stage: Stage,
    settings: Settings,
    runs: int,
    seed: int,
    strategies: Sequence[str],
    scheduler: Scheduler,
    progress: Callable[[int], None] | None,
) -> dict[str, Any]:
    """One condition: the joint win-set's size and the summary of a sweep, with mean utilities."""
    sweep = simulate(stage, settings, runs, seed, strategies, scheduler, progress)
    frame = sweep.runs
    row = {"winset": int(stage.joint_winset().sum())} | sweep.numbers()
    ratified = frame[frame["ratified"]]
    for n in stage.negotiator_ids:
        row[f"utility_{n}"] = float(frame[f"utility_{n}"].mean())
        row[f"deal_utility_{n}"] = float(ratified[f"utility_{n}"].mean()) if len(ratified) else float("nan")
    return row


def schelling(
    problem: DealProblem,
    settings: Settings,
    runs: int,
    seed: int = 0,
    strategies: Sequence[str] = ("boulware",),
    narrowing: Sequence[float] = NARROWING,
    scheduler: Scheduler = None,
    progress: Callable[[int], None] | None = None,
    margins: Sequence[float] = MARGINS,
) -> pd.DataFrame:
    """The Schelling conjecture: for each opening of opinion (the gap plus each of ``margins``:
    room for a few deals, and for many) and each negotiator in turn, move that negotiator's publics
    against every deal by each of ``narrowing`` (logit) and sweep the talks. One row per (margin,
    narrowed negotiator, narrowing)."""
    rows = []
    stage = Stage.build(problem)
    for margin in margins:
        base, opening = opened(problem, margin)
        start = stage.moved(np.array(base.shifts) - np.array(problem.shifts))
        common = None
        for negotiator in base.negotiators:
            side = np.array([p.party == negotiator.id for p in base.publics])
            for d in narrowing:
                if d == 0 and common is not None:
                    row = dict(common)
                else:
                    row = outcomes(
                        start.moved(-np.where(side, d, 0.0)), settings, runs, seed, strategies, scheduler, progress
                    )
                    if d == 0:
                        common = row
                rows.append(
                    {"margin": float(margin), "opening": opening, "narrowed": negotiator.id, "narrowing": float(d)}
                    | row
                )
    return pd.DataFrame(rows)


def compare(
    conditions: dict[str, DealProblem],
    settings: Settings,
    runs: int,
    seed: int = 0,
    strategies: Sequence[str] = ("boulware",),
    scheduler: Scheduler = None,
    progress: Callable[[int], None] | None = None,
    margins: Sequence[float] = MARGINS,
) -> pd.DataFrame:
    """Each condition at the estimated opinion and at the opinions opened by the first condition's
    gap plus each of ``margins`` (the same shifts for every condition)."""
    first = next(iter(conditions.values()))
    levels = [("estimated", 0.0)] + [(f"gap + {m:g}", opened(first, m)[1]) for m in margins]
    rows = []
    stages = {name: Stage.build(problem) for name, problem in conditions.items()}
    for opinion, shift in levels:
        for name, problem in conditions.items():
            moved = stages[name].moved(np.where(problem.binding, shift, 0.0))
            row = outcomes(moved, settings, runs, seed, strategies, scheduler, progress)
            rows.append({"opinion": opinion, "shift": shift, "condition": name} | row)
    return pd.DataFrame(rows)


def linkage(
    problem: DealProblem, issue: Linkage, settings: Settings, runs: int, seed: int = 0, **kwargs: Any
) -> pd.DataFrame:
    """Synergistic linkage: the talks without and with the linked issue ``issue``."""
    return compare({"without": problem, f"with {issue.id}": linked(problem, issue)}, settings, runs, seed, **kwargs)


def ban(
    problem: DealProblem, issues: Sequence[str], settings: Settings, runs: int, seed: int = 0, **kwargs: Any
) -> pd.DataFrame:
    """The talks without and with a ban on changing ``issues``."""
    return compare({"no ban": problem, "ban": banned(problem, issues)}, settings, runs, seed, **kwargs)


def available(scenario: Scenario) -> list[str]:
    """The experiments a scenario has what it takes for (linkage and ban need ``[talks]`` entries)."""
    return [
        name
        for name in EXPERIMENTS
        if (name != "linkage" or scenario.talks.linkage is not None)
        and (name != "ban" or scenario.talks.ban is not None)
    ]


def sweeps(name: str, problem: DealProblem, narrowing: Sequence[float] = NARROWING) -> int:
    """How many sweeps an experiment runs (for progress bars)."""
    if name == "schelling":
        return len(MARGINS) * (1 + len(problem.negotiators) * sum(1 for d in narrowing if d != 0))
    return 2 * (1 + len(MARGINS))


def run(
    name: str, scenario: Scenario, problem: DealProblem, settings: Settings, runs: int, seed: int = 0, **kwargs: Any
) -> pd.DataFrame:
    """Experiment ``name`` on a scenario's problem; ``kwargs``: strategies, scheduler, progress."""
    if name == "schelling":
        return schelling(problem, settings, runs, seed, **kwargs)
    talks = scenario.talks
    if name == "linkage":
        if talks.linkage is None:
            raise NegotiationError(
                [
                    Problem(
                        "experiment",
                        "the linkage experiment needs an issue to link",
                        "add [talks.linkage] to the scenario",
                    )
                ]
            )
        return linkage(problem, talks.linkage, settings, runs, seed, **kwargs)
    if name == "ban":
        if talks.ban is None:
            raise NegotiationError(
                [
                    Problem(
                        "experiment", "the ban experiment needs the issues it bans", "add [talks.ban] to the scenario"
                    )
                ]
            )
        return ban(problem, talks.ban.issues, settings, runs, seed, **kwargs)
    raise NegotiationError(
        [
            Problem(
                "experiment",
                f"unknown experiment '{name}'{did_you_mean(name, EXPERIMENTS)}",
                f"use one of {known_list(EXPERIMENTS)}",
            )
        ]
    )

"""The options the commands share: each as one typed annotation, and the options of each analysis
as one dataclass that checks its values before any work is done.

Light on purpose: every command's signature is built from this module when ``winset`` starts, so it
imports nothing heavy (the analyses are imported by the commands that run them).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from ..defaults import DRAWS
from ..errors import Problem, WinsetError, did_you_mean
from ..scenarios import BUNDLED

EXIT_NO_DEAL = 3  # with --exit-code: no package passes (solve), the proposal fails (assess)
METHODS = ("auto", "enumerate", "search")
CRITERIA = ("margin", "nash", "probability")

ScenarioArg = Annotated[
    Path,
    typer.Argument(
        help=f"Scenario file (TOML), a folder holding scenario.toml, or a bundled scenario's name ({', '.join(BUNDLED)}).",
        show_default=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print a JSON document instead of tables.")]
DrawsOpt = Annotated[
    int,
    typer.Option(
        "--draws",
        min=0,
        help="Draws per ratifier: respondent-cluster bootstrap draws (a survey model) or posterior draws (a public without a survey).",
    ),
]
SeedOpt = Annotated[
    int, typer.Option("--seed", min=0, help="Seed of the bootstrap or posterior draws and of the simulated draws.")
]
ConfidenceOpt = Annotated[
    float | None,
    typer.Option(
        "--confidence",
        help="Test each rule as 'probability it is met >= q' over the draws, not on the estimate.",
    ),
]
OptionalOpt = Annotated[
    bool, typer.Option("--include-optional", help="Let ratifiers marked required = false bind too.")
]
MethodOpt = Annotated[
    str, typer.Option("--method", help="auto, enumerate (every package) or search (branch and bound): same answers.")
]
SchedulerOpt = Annotated[str | None, typer.Option("--scheduler", help="Dask scheduler address to run the searches on.")]
CriterionOpt = Annotated[str, typer.Option("--criterion", help="margin, nash or probability: what 'best' means.")]
KeepOpt = Annotated[
    str | None,
    typer.Option(
        "--keep",
        help="Only packages with these options, 'issue=option,...': what a side insists on.",
    ),
]
TopOpt = Annotated[int, typer.Option("--top", min=1, help="How many of the best ratifiable packages to list.")]
ExitCodeOpt = Annotated[
    bool,
    typer.Option(
        "--exit-code",
        help=f"Exit with {EXIT_NO_DEAL} when no package passes (solve) or the proposal fails (assess).",
    ),
]
LanguageOpt = Annotated[
    str | None,
    typer.Option("--lang", help="Language of labels (en, ru, ja, ...); default: the scenario's first language."),
]


@dataclass(frozen=True)
class FitOptions:
    """How every ratifier's support model is fitted: bootstrap draws and the seed."""

    draws: int = DRAWS
    seed: int = 0

    def problems(self) -> list[Problem]:
        return []

    def check(self) -> None:
        """Refuse option values the analysis cannot use, before any fitting."""
        problems = self.problems()
        if problems:
            raise WinsetError(problems)


@dataclass(frozen=True)
class EngineOptions(FitOptions):
    """How the deal engine tests the rules and searches (``assess``)."""

    confidence: float | None = None
    include_optional: bool = False
    method: str = "auto"
    scheduler: str | None = None

    def problems(self) -> list[Problem]:
        problems = super().problems()
        if self.method not in METHODS:
            problems.append(
                Problem(
                    "--method",
                    f"unknown method '{self.method}'{did_you_mean(self.method, METHODS)}",
                    f"use one of {', '.join(METHODS)}",
                )
            )
        if self.confidence is not None and not 0 < self.confidence < 1:
            problems.append(Problem("--confidence", f"must be between 0 and 1, got {self.confidence}", "use e.g. 0.9"))
        elif self.confidence is not None and self.draws < 1:
            problems.append(
                Problem("--confidence", "a probability test needs draws (bootstrap or posterior)", "use --draws 200")
            )
        return problems


@dataclass(frozen=True)
class SolveOptions(EngineOptions):
    """What ``solve`` (and the report) lists: how many of the best packages, best by what."""

    top: int = 10
    criterion: str = "margin"

    def problems(self) -> list[Problem]:
        problems = super().problems()
        if self.criterion not in CRITERIA:
            problems.insert(
                1 if self.method not in METHODS else 0,
                Problem(
                    "--criterion",
                    f"unknown criterion '{self.criterion}'{did_you_mean(self.criterion, CRITERIA)}",
                    f"use one of {', '.join(CRITERIA)}",
                ),
            )
        return problems

"""The whole analysis of a scenario, as the report and ``winset demo`` show it.

From every ratifier's fitted support model: the deal problem, the engine's solution (joint win-set,
best packages, recommendations, frontiers, ratification gap), the status quo and every proposal of
the scenario described in every public, each public's AMCEs, and the ratification map: point support
in two publics for many packages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..compile import deal_problem
from ..engine import Solution, describe, solve
from ..engine.joint import in_joint_winset, point_only
from ..engine.problem import DealProblem
from ..scenario import Scenario
from ..space import PackageSpace
from ..support.fit import RatifierFit, amce_table
from .explorer_answers import answers

if TYPE_CHECKING:
    from dask.distributed import Client

    from ..negotiate.montecarlo import Simulation

MAP_PACKAGES = 50_000  # up to this many valid packages the map shows them all; beyond, a sample
MAP_SEED = 0


@dataclass
class RatificationMap:
    """Point support of many packages in two publics (``x`` and ``y``): every valid package, or a
    uniform sample of them (``sampled``), plus the status quo, the proposals and the best packages."""

    x: str
    y: str
    packages: np.ndarray  # (m, issues) option codes
    support: np.ndarray  # (2, m): support in x, in y (point estimates); a rule's margin where ``margins``
    in_winset: np.ndarray  # (m,) in the joint win-set on the point test
    sampled: bool
    total: int  # deals in the space (valid packages other than the status quo)
    margins: tuple[bool, bool] = (False, False)  # per axis: the rule's margin (a rule over groups), not support


@dataclass
class TalksSection:
    """Simulated talks for the report: the sweep and the experiments the scenario allows."""

    simulation: Simulation
    experiments: dict[str, pd.DataFrame]


@dataclass
class Analysis:
    scenario: Scenario
    fits: dict[str, RatifierFit]
    problem: DealProblem
    solution: Solution
    proposals: pd.DataFrame  # ``describe`` of the status quo and every proposal; column ``name``
    proposal_codes: dict[str, tuple[int, ...]]
    amces: dict[str, pd.DataFrame]  # per ratifier: AMCEs of its survey
    ratification_map: RatificationMap | None
    draws: int
    seed: int
    talks: TalksSection | None = None
    what_passes: dict[str, Any] | None = None  # the deal explorer's answers where the page cannot search


def analyse(
    scenario: Scenario,
    fits: dict[str, RatifierFit],
    *,
    seed: int = 0,
    confidence: float | None = None,
    include_optional: bool = False,
    top: int = 10,
    criterion: str = "margin",
    method: str = "auto",
    scheduler: str | Client | None = None,
    progress: Callable[[str], None] | None = None,
    talks: int = 0,
) -> Analysis:
    """Everything the report shows, from fitted support models (``fit_scenario``); with ``talks``
    > 0, that many simulated negotiations and as many for each condition of every experiment the
    scenario allows (needs NegMAS)."""
    step = progress or (lambda _: None)
    problem = deal_problem(scenario, fits, confidence, include_optional)
    solution = solve(problem, top, criterion, method, scheduler, progress=step)
    step("describing the proposals")
    space = scenario.space
    named = scenario.named_packages()
    proposals = describe(problem, np.array(list(named.values())))
    proposals.insert(0, "name", list(named))
    step("drawing the ratification map")
    extra = [np.array(list(named.values()))]
    if len(solution.best):
        extra.append(np.array([space.parse(p) for p in solution.best["package"]]))
    draws = min(fit.table.n_groups - 1 for fit in fits.values()) if fits else 0
    passes = answers(problem, solution.winset_size, named, step)
    section = None
    if talks > 0:
        step(f"simulating {talks} talks and the experiments")
        section = simulate_talks(scenario, problem, talks, seed, draws > 0, scheduler)
    return Analysis(
        scenario,
        fits,
        problem,
        solution,
        proposals,
        named,
        {rid: amce_table(fit) for rid, fit in fits.items()},
        ratification_map(problem, np.vstack(extra)),
        draws,
        seed,
        section,
        passes,
    )


def simulate_talks(
    scenario: Scenario,
    problem: DealProblem,
    runs: int,
    seed: int,
    draws: bool,
    scheduler: str | Client | None = None,
) -> TalksSection:
    """The report's simulated talks: the scenario's settings, every strategy, every experiment."""
    from ..negotiate import experiments
    from ..negotiate.choices import STRATEGIES
    from ..negotiate.montecarlo import simulate
    from ..negotiate.talks import Settings

    settings = Settings.from_scenario(scenario, draws=draws)
    strategies = STRATEGIES
    simulation = simulate(problem, settings, runs, seed, strategies, scheduler)
    results = {
        name: experiments.run(name, scenario, problem, settings, runs, seed, strategies=strategies, scheduler=scheduler)
        for name in experiments.available(scenario)
    }
    return TalksSection(simulation, results)


def map_publics(problem: DealProblem) -> tuple[int, int] | None:
    """The two publics the map sets against each other: the first binding public of each of the
    first two parties that have one (else the first two publics); None with fewer than two."""
    publics = problem.publics
    if len(publics) < 2:
        return None
    chosen: dict[str, int] = {}
    for i, (public, binding) in enumerate(zip(publics, problem.binding, strict=True)):
        if binding and public.party not in chosen:
            chosen[public.party] = i
    if len(chosen) >= 2:
        first, second = list(chosen.values())[:2]
        return first, second
    return 0, 1


def ratification_map(problem: DealProblem, extra: np.ndarray, limit: int = MAP_PACKAGES) -> RatificationMap | None:
    """Point support in the two map publics for every deal (up to ``limit``; a uniform sample of
    that many beyond), and for the packages ``extra`` (the status quo among them). A public whose
    rule counts groups or has several votes is placed by its rule's margin instead: no single
    support decides it."""
    pair = map_publics(problem)
    if pair is None:
        return None
    space = problem.deals
    total = space.count_valid()
    if total <= limit:
        packages = np.vstack(list(space.iter_valid()))
    else:
        packages = sample_valid(space, limit, np.random.default_rng(MAP_SEED))
    packages = np.unique(np.vstack([packages, extra.astype(packages.dtype)]), axis=0)
    point = point_only(problem)
    q = point.evaluate(packages)
    margins = tuple(not problem.publics[i].rule.plain for i in pair)
    support = np.vstack([q.margin[i] if margin else q.support[i][0] for i, margin in zip(pair, margins, strict=True)])
    return RatificationMap(
        problem.publics[pair[0]].id,
        problem.publics[pair[1]].id,
        packages,
        support,
        in_joint_winset(point, packages, q),
        total > limit,
        total,
        (margins[0], margins[1]),
    )


def sample_valid(space: PackageSpace, size: int, rng: np.random.Generator, rounds: int = 100) -> np.ndarray:
    """Up to ``size`` distinct valid packages drawn uniformly (rejection sampling: draws that
    break a constraint are dropped; fewer come back if constraints forbid nearly everything)."""
    found = np.zeros((0, space.n_issues), dtype=np.int64)
    for _ in range(rounds):
        draws = np.column_stack([rng.integers(0, n, 2 * size) for n in space.shape])
        found = np.unique(np.vstack([found, draws[space.is_valid(draws)]]), axis=0)
        if len(found) >= size:
            return found[rng.permutation(len(found))[:size]]
    return found

"""Many negotiations: strategies, event timings, misreadings of opinion, drift and bootstrap draws
of the support models all vary from run to run.

Run k draws everything from its own random stream, ``SeedSequence(seed, spawn_key=(k,))``, so a
run gives the same talk whether it runs alone, in a batch in this process or on a Dask worker:
a sweep on a cluster equals the sweep in process, run for run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..engine.distributed import Scheduler, broadcast, connected
from ..engine.problem import DealProblem
from ..errors import NegotiationError, Problem, known_list
from .choices import STRATEGIES
from .stage import Stage
from .talks import Settings, Talk, run_talks

BATCH = 25  # runs per task on a cluster
TOP_PACKAGES = 10


@dataclass(frozen=True)
class Simulation:
    """A Monte Carlo sweep: one row per run (``runs``) and what it was run with."""

    runs: pd.DataFrame
    settings: Settings
    strategies: tuple[str, ...]
    seed: int
    negotiators: tuple[str, ...]
    publics: tuple[str, ...]

    def numbers(self) -> dict:
        """Agreement rate, ratification, failures at home and rounds, overall."""
        return summarise(self.runs)

    def summary(self) -> str:
        """A few lines: runs, agreements, ratification, failures at home, rounds to signing."""
        s = self.numbers()
        lines = [
            f"Monte Carlo: {s['runs']} runs (seed {self.seed}; strategies {', '.join(self.strategies)}).",
            f"Signed: {s['signed']} ({s['agreement_rate']:.1%}); ratified: {s['ratified_rate']:.1%} of runs.",
        ]
        if s["signed"]:
            lines.append(
                f"Failed at home: {s['failed_share']:.1%} of signed deals; rounds to signing: "
                f"mean {s['mean_rounds']:.1f}, median {s['median_rounds']:.1f}."
            )
        return "\n".join(lines)

    def by_strategy(self) -> pd.DataFrame:
        """The summary for each combination of strategies."""
        columns = [f"strategy_{n}" for n in self.negotiators]
        rows = [dict(zip(columns, key, strict=True)) | summarise(part) for key, part in self.runs.groupby(columns)]
        return pd.DataFrame(rows)

    def packages(self, top: int = TOP_PACKAGES) -> pd.DataFrame:
        """The signed packages, most frequent first: how often each was signed and ratified."""
        signed = self.runs[self.runs["signed"]]
        if signed.empty:
            return pd.DataFrame(columns=["package", "signed", "share", "ratified"])
        table = (
            signed.groupby("package", sort=False)
            .agg(signed=("signed", "size"), ratified=("ratified", "sum"))
            .reset_index()
            .sort_values(["signed", "package"], ascending=[False, True], kind="stable")
        )
        table["share"] = table["signed"] / len(signed)
        return table[["package", "signed", "share", "ratified"]].head(top).reset_index(drop=True)


def summarise(runs: pd.DataFrame) -> dict:
    """Summary numbers of a set of runs (see :meth:`Simulation.summary`)."""
    n = len(runs)
    signed = runs[runs["signed"]]
    failed = signed[~signed["ratified"]]
    return {
        "runs": n,
        "signed": len(signed),
        "agreement_rate": len(signed) / n if n else float("nan"),
        "ratified_rate": float(runs["ratified"].mean()) if n else float("nan"),
        "failed_share": len(failed) / len(signed) if len(signed) else float("nan"),
        "mean_rounds": float(signed["round"].mean()) if len(signed) else float("nan"),
        "median_rounds": float(signed["round"].median()) if len(signed) else float("nan"),
    }


def simulate(
    problem: DealProblem | Stage,
    settings: Settings,
    runs: int,
    seed: int = 0,
    strategies: Sequence[str] = ("boulware",),
    scheduler: Scheduler = None,
    progress: Callable[[int], None] | None = None,
) -> Simulation:
    """Run the talks ``runs`` times; each negotiator's strategy is drawn per run from ``strategies``.

    ``scheduler``: None (in process), a Dask scheduler address or a ``dask.distributed.Client``.
    ``progress`` is called with the number of runs just finished."""
    strategies = tuple(strategies)
    if runs < 1:
        raise NegotiationError([Problem("runs", f"runs must be at least 1, got {runs}", "give 1 or more runs")])
    if not strategies or any(s not in STRATEGIES for s in strategies):
        raise NegotiationError(
            [
                Problem(
                    "strategies",
                    f"strategies must come from {', '.join(STRATEGIES)}, got {', '.join(strategies) or 'none'}",
                    f"give one or more of {known_list(STRATEGIES)}",
                )
            ]
        )
    stage = problem if isinstance(problem, Stage) else Stage.build(problem)
    if scheduler is None:
        talks = []
        for k in range(runs):
            talks += _batch(stage, settings, strategies, seed, [k])
            if progress:
                progress(1)
    else:
        talks = _on_cluster(stage, settings, strategies, seed, runs, scheduler, progress)
    return Simulation(
        _frame(stage, talks),
        settings,
        strategies,
        seed,
        tuple(stage.negotiator_ids),
        tuple(stage.public_ids),
    )


def run_rng(seed: int, k: int) -> np.random.Generator:
    """The random stream of run k of a sweep with ``seed``."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(k,)))


def _batch(
    stage: Stage, settings: Settings, strategies: tuple[str, ...], seed: int, indices: Sequence[int]
) -> list[Talk]:
    talks = []
    for k in indices:
        rng = run_rng(seed, k)
        chosen = tuple(strategies[i] for i in rng.integers(0, len(strategies), len(stage.negotiator_ids)))
        talks.append(run_talks(stage, settings, chosen, rng))
    return talks


def _on_cluster(
    stage: Stage,
    settings: Settings,
    strategies: tuple[str, ...],
    seed: int,
    runs: int,
    scheduler: Scheduler,
    progress: Callable[[int], None] | None,
) -> list[Talk]:
    from dask.distributed import as_completed

    batches = [list(range(start, min(start + BATCH, runs))) for start in range(0, runs, BATCH)]
    with connected(scheduler) as client:
        shared = broadcast(client, stage)
        futures = client.map(
            _batch,
            [shared] * len(batches),
            [settings] * len(batches),
            [strategies] * len(batches),
            [seed] * len(batches),
            batches,
            pure=False,
        )
        done: dict[int, list[Talk]] = {}
        where = {f.key: i for i, f in enumerate(futures)}
        for future in as_completed(futures):
            done[where[future.key]] = future.result()
            if progress:
                progress(len(done[where[future.key]]))
    return [talk for i in range(len(batches)) for talk in done[i]]


Cell = int | float | str | None  # a value in a run's row (bool is an int)


def _frame(stage: Stage, talks: list[Talk]) -> pd.DataFrame:
    space = stage.problem.space
    rows = []
    for k, talk in enumerate(talks):
        row: dict[str, Cell] = {"run": k}
        row |= {f"strategy_{n}": s for n, s in zip(stage.negotiator_ids, talk.strategies, strict=True)}
        package = "" if talk.package is None else space.format(space.decode(talk.package), changes_only=True)
        row |= {
            "draw": talk.draw,
            "signed": talk.signed,
            "round": talk.round,
            "package": package,
            "ratified": talk.ratified,
            "rejected_by": ",".join(talk.rejected_by),
        }
        row |= {f"utility_{n}": u for n, u in zip(stage.negotiator_ids, talk.utilities, strict=True)}
        row |= {f"shift_{p}": s for p, s in zip(stage.public_ids, talk.shifts, strict=True)}
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame["round"] = frame["round"].astype("Int64")
    return frame

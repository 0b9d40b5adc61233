"""How many respondents a public's survey needs before winset's pass/fail call is right.

For a public, the truth is its current fitted support (:class:`Truth`). The packages the study must
call are the scenario's named proposals and the packages nearest the threshold on either side
(``near`` that pass and ``near`` that fail, each at least ``margin`` from it: a package exactly
at the threshold cannot be called by any sample). A survey of n respondents is simulated from the
truth, fitted by the real fitting code (the ratifier's model, raking and groups; no bootstrap and
no poll calibration, since the polls do not grow with the survey), and the ratifier's rule is
decided on the fit exactly as ``winset assess`` decides it: the call is right when the estimated
rule margin has the true margin's sign.

The number needed comes from the estimator's spread. At a pilot size n0, ``reps`` surveys give
each package's estimated margin; its standard deviation s scales as c / sqrt(n) (c = s sqrt(n0)),
so the call is right with probability about ``Phi(|m| sqrt(n) / c)`` for a true margin m, and
probability q needs ``n = (z_q c / |m|)^2``. c is taken at its one-sided 95% upper confidence
bound from the ``reps`` surveys, so the answer errs towards more respondents. The answer is then
checked by a fresh simulation at that size, counting right calls; where a package falls short of q
the size is recomputed from all surveys so far and checked again.

Respondents are drawn from the population as it is (a representative sample): raking can only
widen intervals, by about the design effect of the weights (Kish's, reported for the current
survey where it has weights).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri
from scipy.stats import chi2
from threadpoolctl import threadpool_limits

from ..compare import meets
from ..compile import public
from ..defaults import cores
from ..engine.problem import Public
from ..errors import ModelError, Problem, WinsetError
from ..proportions import wilson
from ..scenario import Party, Ratifier, Scenario
from ..space import random_packages
from ..support.fit import fit_ratifier, survey_data
from ..support.results import RatifierFit
from .truth import Truth

CONFIDENCE = 0.9  # the probability of a right call the design must reach
MARGIN = 0.03  # the smallest distance from the threshold a near-threshold package has
NEAR = 2  # near-threshold packages on each side
REPS = 100  # simulated surveys per size
CANDIDATES = 200_000  # packages searched for those nearest the threshold (all, if the space has fewer)
MAX_RESPONDENTS = 100_000
MIN_RESPONDENTS = 100  # the smallest survey the design proposes (fewer rarely fit at all)
SPREAD_LEVEL = 0.95  # one-sided confidence of the upper bound on the spread
ROUNDS = 3  # checks at most (the first and two after recomputing the size)
GROWTH = 1.25  # after a failed check, the next size is at least this many times larger
CHECK_COLUMNS = ["respondents", "target", "right", "reps", "right_rate", "lower", "upper"]

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Study:
    """The survey design asked about: tasks per respondent and profiles per task."""

    tasks: int = 8
    profiles: int = 2

    def __post_init__(self) -> None:
        problems = []
        if not 1 <= self.tasks <= 50:
            problems.append(Problem("--tasks", f"must be between 1 and 50, got {self.tasks}", "use e.g. 8"))
        if not 1 <= self.profiles <= 5:
            problems.append(Problem("--profiles", f"must be between 1 and 5, got {self.profiles}", "use e.g. 2"))
        if problems:
            raise ModelError(problems)


@dataclass
class PublicPower:
    """One public's answer: its targets, the respondents needed, the checks, the pilot."""

    ratifier: str
    party: str
    study: Study
    confidence: float
    rule: str
    targets: pd.DataFrame  # one row per package to call (see `targets`)
    respondents: int | None  # needed; None: more than the cap
    checks: pd.DataFrame  # respondents, target, right, reps, right_rate, lower, upper
    pilot: int
    reps: int
    design_effect: float | None
    notes: list[str] = field(default_factory=list)

    @property
    def met(self) -> bool:
        """Whether the last check reached the promised rate for every package it must call."""
        if self.respondents is None or self.checks.empty:
            return False
        last = self.checks[self.checks["respondents"] == self.respondents]
        if last.empty:
            return False
        callable_ = set(self.targets.loc[~self.targets["too_close"], "target"])
        return bool((last.loc[last["target"].isin(callable_), "right_rate"] >= self.confidence).all())

    def curve(self, sizes: Sequence[int]) -> pd.DataFrame:
        """P(right call) by respondents for every package, by the normal approximation."""
        rows = []
        for name, margin, spread in zip(
            self.targets["target"], self.targets["true_margin"], self.targets["spread"], strict=True
        ):
            for n in sizes:
                p = float(ndtr(abs(margin) * math.sqrt(n) / spread)) if spread > 0 else float("nan")
                rows.append({"ratifier": self.ratifier, "target": name, "respondents": int(n), "p_right": p})
        return pd.DataFrame(rows, columns=["ratifier", "target", "respondents", "p_right"])


def targets(
    truth_public: Callable[[np.ndarray], np.ndarray],
    scenario: Scenario,
    codes: np.ndarray,
    near: int = NEAR,
    margin: float = MARGIN,
    rng: np.random.Generator | None = None,
) -> pd.DataFrame:
    """The packages to call: every named proposal, then the ``near`` passing and ``near``
    failing packages closest to the threshold with a true margin of at least ``margin``, among
    ``codes`` (the valid packages, or a uniform sample of them). Columns: target, kind, package
    (codes), true_margin, too_close (a proposal nearer the threshold than ``margin``)."""
    named = {name: c for name, c in scenario.named_packages().items() if name != "status_quo"}
    rows: list[dict[str, Any]] = []
    if named:
        margins = truth_public(np.array(list(named.values())))
        for (name, c), m in zip(named.items(), margins, strict=True):
            rows.append({"target": name, "kind": "proposal", "package": tuple(c), "true_margin": float(m)})
    margins = truth_public(codes)
    chosen: set[tuple[int, ...]] = {tuple(r["package"]) for r in rows}
    for side, sign in (("passes", 1), ("fails", -1)):
        far_enough = np.flatnonzero(sign * margins >= margin)
        order = far_enough[np.argsort(sign * margins[far_enough], kind="stable")]
        picked = 0
        for i in order:
            package = tuple(int(x) for x in codes[i])
            if picked == near:
                break
            if package in chosen:
                continue
            chosen.add(package)
            label = scenario.space.format(package)
            rows.append(
                {
                    "target": label,
                    "kind": f"near threshold ({side})",
                    "package": package,
                    "true_margin": float(margins[i]),
                }
            )
            picked += 1
    frame = pd.DataFrame(rows, columns=["target", "kind", "package", "true_margin"])
    frame["too_close"] = (frame["kind"] == "proposal") & (frame["true_margin"].abs() < margin)
    return frame


def candidate_packages(scenario: Scenario, rng: np.random.Generator, limit: int = CANDIDATES) -> np.ndarray:
    """Every valid package, or a uniform sample of ``limit`` of them in a larger space."""
    space = scenario.space
    if space.count_valid() <= limit:
        return np.concatenate(list(space.iter_valid()))
    return np.unique(random_packages(space, limit, int(rng.integers(2**32))), axis=0)


def refit_ratifier(ratifier: Ratifier, truth: Truth) -> Ratifier:
    """The ratifier as its simulated surveys are fitted: no poll calibration, no repeated task, and only the
    covariates the truth's members carry (respondents drawn from the population need no raking
    on the others)."""
    kept = [c for c in ratifier.data.covariates if c in truth.covariates]
    interactions = [pair for pair in ratifier.data.interactions if pair[1] in kept]
    data = ratifier.data.model_copy(update={"covariates": kept, "interactions": interactions, "repeated": None})
    population = {name: shares for name, shares in ratifier.population.items() if name in kept}
    return ratifier.model_copy(update={"calibration": [], "data": data, "population": population})


def simulated_margins(
    scenario: Scenario,
    party: Party,
    ratifier: Ratifier,
    truth: Truth,
    study: Study,
    respondents: int,
    codes: np.ndarray,
    reps: int,
    seed: np.random.SeedSequence,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> np.ndarray:
    """The rule margins of ``codes`` estimated from ``reps`` simulated surveys of ``respondents``
    (reps x packages), each fitted and decided as the real survey would be; NaN for a survey
    the model cannot be fitted to."""
    refit = refit_ratifier(ratifier, truth)
    seeds = seed.spawn(reps)

    def one(child: np.random.SeedSequence) -> np.ndarray:
        rng = np.random.default_rng(child)
        frame = truth.simulate(refit, respondents, study.tasks, study.profiles, rng)
        try:
            data = survey_data(scenario, refit, frame)
            fit = fit_ratifier(scenario, party, refit, draws=0, seed=int(rng.integers(2**31)), data=data)
        except WinsetError:  # a survey the model cannot be fitted to (separation) calls nothing
            return np.full(len(codes), np.nan)
        return public(scenario, party, ratifier, fit).margins(codes)[0]

    out = np.empty((reps, len(codes)))
    workers = min(reps, workers or cores())
    with threadpool_limits(1, user_api="blas"), ThreadPoolExecutor(workers) as pool:
        for i, margins in enumerate(pool.map(one, seeds)):
            out[i] = margins
            if progress is not None:
                progress(i + 1)
    return out


def public_power(
    scenario: Scenario,
    fit: RatifierFit,
    study: Study,
    confidence: float = CONFIDENCE,
    reps: int = REPS,
    margin: float = MARGIN,
    near: int = NEAR,
    pilot: int | None = None,
    max_respondents: int = MAX_RESPONDENTS,
    seed: int = 0,
    workers: int | None = None,
    progress: Progress | None = None,
) -> PublicPower:
    """The respondents a public's survey needs (see the module documentation)."""
    party, ratifier = fit.party, fit.ratifier
    truth = Truth.of(scenario.space, fit)
    truth_public = public(scenario, party, ratifier, fit).draw(0)
    sequence = np.random.SeedSequence([seed, 7])
    rng = np.random.default_rng(sequence.spawn(1)[0])
    frame = targets(lambda c: truth_public.margins(c)[0], scenario, candidate_packages(scenario, rng), near, margin)
    codes = np.array(list(frame["package"]), dtype=np.int64).reshape(len(frame), scenario.space.n_issues)
    notes: list[str] = []
    n0 = pilot or (fit.respondents.n if fit.respondents is not None else 1000)
    truth_margin = frame["true_margin"].to_numpy()
    callable_ = ~frame["too_close"].to_numpy()
    frame["spread"], frame["bias"], frame["respondents_needed"] = np.nan, np.nan, np.nan
    checks: pd.DataFrame = pd.DataFrame(columns=CHECK_COLUMNS)
    needed: int | None = None
    if not callable_.any():
        notes.append(
            "no package to call: every proposal is nearer the threshold than the margin, and no other"
            " package is at least the margin from it"
        )
        return _result(fit, study, confidence, truth_public, frame, None, checks, n0, reps, notes)
    done = 0

    def step(count: int) -> None:
        if progress is not None:
            progress(ratifier.id, done + count, reps * (ROUNDS + 1))

    def simulate(n: int) -> np.ndarray:
        return simulated_margins(
            scenario, party, ratifier, truth, study, n, codes, reps, sequence.spawn(1)[0], workers, step
        )

    samples: dict[int, np.ndarray] = {n0: simulate(n0)}
    done += reps
    floor = MIN_RESPONDENTS  # above every size whose check failed
    for _ in range(ROUNDS):
        spread = _spread(samples)
        frame["spread"] = spread
        fitted = np.isfinite(samples[n0][:, 0])
        frame["bias"] = samples[n0][fitted].mean(axis=0) - truth_margin if fitted.any() else np.nan
        frame["respondents_needed"] = [
            np.nan if close else _needed(m, c, confidence)
            for m, c, close in zip(truth_margin, spread, frame["too_close"], strict=True)
        ]
        if not np.isfinite(spread[callable_]).all():
            notes.append(
                "too few of the simulated surveys could be fitted to measure the estimates' spread:"
                " simulate larger surveys (--pilot) or more tasks"
            )
            needed = None
            break
        needed = max(floor, int(np.max(frame.loc[callable_, "respondents_needed"])))
        if needed > max_respondents:
            notes.append(f"more than {max_respondents:,} respondents would be needed")
            needed = None
            break
        if needed not in samples:
            samples[needed] = simulate(needed)
            done += reps
        right = _right(samples[needed], truth_margin)
        rows = pd.DataFrame(
            {
                "respondents": needed,
                "target": frame["target"],
                "right": right.sum(axis=0),
                "reps": reps,
                "right_rate": right.mean(axis=0),
            }
        )
        bounds = [wilson(int(k), reps) for k in rows["right"]]
        rows["lower"], rows["upper"] = [b[0] for b in bounds], [b[1] for b in bounds]
        checks = rows if checks.empty else pd.concat([checks[checks["respondents"] != needed], rows], ignore_index=True)
        if (right[:, callable_].mean(axis=0) >= confidence).all():
            break
        # a failed check: the next size is larger, whatever the spread says
        floor = int(math.ceil(needed * GROWTH / 10) * 10)
    for n, margins in samples.items():
        failed = int(np.isnan(margins[:, 0]).sum())
        if failed:
            notes.append(f"{failed} of {reps} simulated surveys of {n:,} respondents could not be fitted")
    too_close = frame.loc[frame["too_close"], "target"].tolist()
    if too_close:
        notes.append(f"{', '.join(too_close)}: nearer the threshold than {margin:.0%}; not in the design's size")
    return _result(fit, study, confidence, truth_public, frame, needed, checks, n0, reps, notes)


def _result(
    fit: RatifierFit,
    study: Study,
    confidence: float,
    truth_public: Public,
    frame: pd.DataFrame,
    needed: int | None,
    checks: pd.DataFrame,
    pilot: int,
    reps: int,
    notes: list[str],
) -> PublicPower:
    weights = fit.respondents.weights if fit.respondents is not None else None
    effect = float(len(weights) * np.sum(weights**2) / np.sum(weights) ** 2) if weights is not None else None
    return PublicPower(
        fit.ratifier.id,
        fit.party.id,
        study,
        confidence,
        truth_public.rule.describe(),
        frame,
        needed,
        checks,
        pilot,
        reps,
        effect,
        notes,
    )


def _right(margins: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Whether each estimated margin calls the package as its true margin does (reps x packages;
    a survey that could not be fitted calls nothing right)."""
    return (meets(margins, 0.0) == meets(truth, 0.0)[None, :]) & ~np.isnan(margins)


def _spread(samples: dict[int, np.ndarray]) -> np.ndarray:
    """Each package's c (the estimated margin's standard deviation times sqrt(n)), pooled over
    the sizes simulated and the surveys that could be fitted, at its one-sided upper confidence
    bound (NaN with fewer than two fitted surveys)."""
    fitted = {n: m[np.isfinite(m[:, 0])] for n, m in samples.items()}
    dof = sum(len(m) - 1 for m in fitted.values() if len(m) > 1)
    width = next(iter(samples.values())).shape[1]
    if dof < 1:
        return np.full(width, np.nan)
    variance = sum(n * m.var(axis=0, ddof=1) * (len(m) - 1) for n, m in fitted.items() if len(m) > 1) / dof
    return np.sqrt(variance * dof / chi2.ppf(1 - SPREAD_LEVEL, dof))


def _needed(margin: float, spread: float, confidence: float) -> float:
    """Respondents for P(right) = confidence at a true ``margin`` with spread c, rounded up to 10
    and at least the design's floor (NaN where no size can be said: no spread, or no margin)."""
    if not np.isfinite(spread) or margin == 0:
        return float("nan")
    n = (ndtri(confidence) * spread / abs(margin)) ** 2
    return float(max(MIN_RESPONDENTS, math.ceil(n / 10) * 10)) if np.isfinite(n) else float("nan")

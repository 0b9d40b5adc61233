"""The choice-versus-status-quo model: a mixed logit of choices between packages and the status quo.

In each task a respondent sees two (or more) packages and, where the survey offers it, the option
to keep the status quo (an opt-out). Respondent i's utility of a shown package P is
``b0_i + sum_k b_ik[P_k]`` (option effects relative to the status-quo option), of the opt-out 0,
and the choice is a multinomial logit given the respondent's coefficients. The coefficients are
normally distributed over respondents, ``b_i = mu + s * z_i`` with independent standard normal
``z_i`` (preference heterogeneity), and constant across a respondent's tasks (a panel).

A public's support for P is the share that would choose P over the status quo:
``E_i[logistic(b0_i + sum_k b_ik[P_k])]``. Without an opt-out the constant b0 is not identified and
is 0 (support then compares P with a package equal to the status quo).

Estimation is by simulated maximum likelihood with scrambled Halton draws (vectorised over
respondents with batched matrix products, in blocks on threads: :mod:`.simulated_likelihood`;
analytic gradient; BFGS). No library fits this here: xlogit has had no release since 2023, and
biogeme and larch bring their own modelling languages and dependencies for what is a few array expressions.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize
from scipy.special import expit, ndtri

from ..conjoint.data import ConjointData, ConjointError, Feature
from ..errors import ModelError, NotFittedError, Problem
from ..scoretable import ScoreTable
from .population import Respondents
from .simulated_likelihood import simulated_loglik

MAX_ITERATIONS = 2000  # BFGS iterations of the simulated maximum likelihood
# BFGS may stop short of its gradient tolerance ("precision loss") at an optimum it cannot polish
# further; an estimate whose largest gradient is this small per unit of respondent weight is used,
# with a warning. Anything else that did not converge is an error.
USABLE_GRADIENT = 1e-4
POPULATION_DRAWS = 1000  # simulated members of the public in the estimate's ScoreTable
DRAW_POPULATION = 100  # and in each bootstrap draw's (their noise is small beside the draws' spread)


@dataclass(frozen=True)
class ChoiceTasks:
    """Choice data as arrays: ``x[i, t, j]`` the dummies of alternative j in task t of respondent i
    (padded tasks have ``mask`` 0), ``chosen[i, t]`` the chosen alternative (``n_alternatives`` for
    the opt-out)."""

    x: np.ndarray  # (N, T, J, K)
    chosen: np.ndarray  # (N, T) int
    mask: np.ndarray  # (N, T) 1 for real tasks
    names: tuple[str, ...]
    row_order: np.ndarray  # data rows in task order: task 0's alternatives, then task 1's, ...
    task_respondent: np.ndarray  # per task, its respondent
    task_slot: np.ndarray  # per task, its position among the respondent's tasks
    chosen_x: np.ndarray  # (N, K) the dummies of the chosen alternatives summed over real tasks (opt-out: 0)


@dataclass(frozen=True)
class MixedLogitFit:
    mean: np.ndarray  # mu (K)
    sd: np.ndarray  # s (K), sign free
    loglik: float
    scores: np.ndarray  # per-respondent gradient at the estimate (N, 2K)
    iterations: int

    @property
    def theta(self) -> np.ndarray:
        return np.concatenate([self.mean, self.sd])


class MixedLogitModel:
    """Mixed logit of choices among shown packages and, with ``optout``, the status quo.

    Parameters
    ----------
    optout:
        the tasks offered "keep the current situation"; a profile row with no chosen profile in
        its task means the respondent chose it.
    draws:
        Halton draws per respondent for the simulated likelihood.
    seed:
        seed of the scrambled Halton sequence.
    """

    def __init__(self, optout: bool = True, draws: int = 100, seed: int = 1) -> None:
        if not isinstance(optout, bool | np.bool_):
            raise ModelError([Problem("optout", f"optout must be true or false, got {optout!r}", "give True or False")])
        if isinstance(draws, bool) or not isinstance(draws, int | np.integer) or draws < 1:
            raise ModelError(
                [Problem("draws", f"draws must be a whole number of at least 1, got {draws!r}", "give e.g. 100 draws")]
            )
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
            raise ModelError([Problem("seed", f"seed must be a whole number >= 0, got {seed!r}", "give e.g. 1")])
        self.optout = optout
        self.draws = draws
        self.seed = seed

    def _check_fitted(self, use: str) -> None:
        if not hasattr(self, "fit_"):
            raise NotFittedError(self, use)

    # ------------------------------------------------------------------ data
    def tasks(self, data: ConjointData) -> ChoiceTasks:
        """Arrange long conjoint data (a 0/1 ``chosen`` outcome per profile row) as choice tasks."""
        if data.task is None or data.clusters is None:
            raise ConjointError(
                [Problem("data", "a choice model needs the respondent id and task columns", "name them")]
            )
        y = data.require_binary(data.y, "a choice", "mark the chosen profile with 1")
        names, columns = _dummy_columns(data.features, with_constant=self.optout)
        task_codes = _task_index(data)
        n_tasks = int(task_codes.max()) + 1
        picks = np.bincount(task_codes, weights=y, minlength=n_tasks)
        wrong = np.flatnonzero(picks > 1 if self.optout else picks != 1)
        if len(wrong):
            rows = np.flatnonzero(np.isin(task_codes, wrong))
            expected = "at most one" if self.optout else "exactly one"
            raise ConjointError(
                [
                    Problem(
                        f"column '{data.outcome}'",
                        f"each task needs {expected} chosen profile, but not in {data.row_names(rows)}",
                        "mark one chosen profile per task" + ("" if self.optout else ", or fit with an opt-out"),
                    )
                ],
                source=data.source,
            )
        sizes = np.bincount(task_codes, minlength=n_tasks)
        if len(set(sizes)) != 1:
            raise ConjointError(
                [Problem("data", "tasks show different numbers of profiles", "show the same number in every task")]
            )
        j = int(sizes[0])
        order = np.lexsort((np.arange(data.n_rows), task_codes))
        respondent_of_task = data.clusters[order][::j]
        per_respondent = np.bincount(respondent_of_task, minlength=data.n_clusters)
        t_max = int(per_respondent.max())
        slot = np.arange(n_tasks) - np.concatenate([[0], np.cumsum(per_respondent)])[respondent_of_task]
        x = np.zeros((data.n_clusters, t_max, j, len(names)))
        x[respondent_of_task, slot] = columns[order].reshape(n_tasks, j, len(names))
        within = y[order].reshape(n_tasks, j)
        chosen = np.where(within.sum(axis=1) > 0, within.argmax(axis=1), j)
        chosen_grid = np.zeros((data.n_clusters, t_max), dtype=np.int64)
        chosen_grid[respondent_of_task, slot] = chosen
        mask = np.zeros((data.n_clusters, t_max))
        mask[respondent_of_task, slot] = 1.0
        picked = np.take_along_axis(x, np.minimum(chosen_grid, j - 1)[:, :, None, None], axis=2)[:, :, 0, :]
        chosen_x = (picked * (mask * (chosen_grid < j))[:, :, None]).sum(axis=1)
        return ChoiceTasks(x, chosen_grid, mask, names, order, respondent_of_task, slot, chosen_x)

    # ------------------------------------------------------------------ likelihood
    def _normal_draws(self, n: int, k: int) -> np.ndarray:
        """Standard normal draws per respondent from a scrambled Halton sequence: (N, K, R)."""
        from scipy.stats import qmc  # half a second of imports, for the fits that need it

        halton = qmc.Halton(d=k, scramble=True, seed=self.seed)
        draws = ndtri(np.clip(halton.random(n * self.draws), 1e-12, 1 - 1e-12)).reshape(n, self.draws, k)
        return np.ascontiguousarray(draws.transpose(0, 2, 1))

    def _loglik(self, theta: np.ndarray, weights: np.ndarray, scores: bool = False) -> tuple[float, np.ndarray]:
        """Simulated log-likelihood and its gradient (or, with ``scores``, each respondent's)."""
        data = self.tasks_
        return simulated_loglik(data.x, data.chosen_x, data.mask, self._z, theta, weights, self.optout, scores)

    # ------------------------------------------------------------------ fitting
    def fit(self, data: ConjointData, respondents: Respondents) -> MixedLogitModel:
        """Fit by simulated maximum likelihood, weighting respondents by ``respondents.weights``."""
        self.features_ = list(data.features)
        self.tasks_ = self.tasks(data)
        data.check_sample(data.y, role="choice")
        self._respondents = respondents
        k = len(self.tasks_.names)
        self._z = self._normal_draws(data.n_clusters, k)
        weights = respondents.weights * respondents.n
        start = np.concatenate([self._fixed_start(weights), np.full(k, 0.1)])
        self.fit_ = self._maximise(start, weights)
        return self

    def _fixed_start(self, weights: np.ndarray) -> np.ndarray:
        """Means from the conditional logit (no heterogeneity: one draw of zeros), a good start
        for the mixed one."""
        k = len(self.tasks_.names)
        saved, self._z = self._z, np.zeros((self._z.shape[0], k, 1))

        def objective(mean: np.ndarray) -> tuple[float, np.ndarray]:
            value, gradient = self._loglik(np.concatenate([mean, np.zeros(k)]), weights)
            return -value, -gradient[:k]

        try:
            # only a start: whether the maximisation converges is checked on the mixed logit itself
            return optimize.minimize(objective, np.zeros(k), jac=True, method="BFGS").x
        finally:
            self._z = saved

    def _maximise(self, start: np.ndarray, weights: np.ndarray) -> MixedLogitFit:
        def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
            value, gradient = self._loglik(theta, weights)
            return -value, -gradient

        result = optimize.minimize(
            objective, start, jac=True, method="BFGS", options={"gtol": 1e-5, "maxiter": MAX_ITERATIONS}
        )
        k = len(self.tasks_.names)
        value, scores = self._loglik(result.x, weights, scores=True)
        if not np.isfinite(value):
            raise ConjointError(
                [Problem("choice model", "the simulated likelihood is not finite", "check the choice data")]
            )
        self.warnings_ = []
        if not result.success:
            gradient = float(np.max(np.abs(weights @ scores))) / max(float(weights.sum()), 1e-300)
            stopped = f"{result.message.rstrip('.')} after {int(result.nit)} iterations"
            if not (np.isfinite(gradient) and gradient <= USABLE_GRADIENT):
                raise ConjointError(
                    [
                        Problem(
                            "choice model",
                            f"the mixed logit did not converge: {stopped}, with a gradient of {gradient:.2g} "
                            "per respondent",
                            "the data may not identify every option: merge options that are rarely shown or "
                            "chosen, check that the chosen profiles are marked 1, or collect more tasks",
                        )
                    ]
                )
            self.warnings_.append(
                f"the mixed logit stopped short of its tolerance ({stopped}); its gradient, {gradient:.2g} per "
                "respondent, is small, so the estimate is used"
            )
        return MixedLogitFit(result.x[:k], result.x[k:], value, scores, int(result.nit))

    def refit(self, weights: np.ndarray) -> MixedLogitFit:
        """The estimate for other respondent weights (a bootstrap resample), by one Newton step
        from the full-sample estimate with the resample's outer-product (BHHH) curvature: a
        linearised bootstrap that costs no new likelihood evaluations."""
        self._check_fitted("refit")
        w = weights * len(weights)
        scores = self.fit_.scores
        gradient = w @ scores
        curvature = (scores * w[:, None]).T @ scores
        step = np.linalg.lstsq(curvature, gradient, rcond=None)[0]
        theta = self.fit_.theta + step
        k = len(self.tasks_.names)
        return MixedLogitFit(theta[:k], theta[k:], np.nan, scores, 0)

    def predict_support(
        self, issues: Sequence[tuple[str, Sequence[str]]], codes: np.ndarray, fit: MixedLogitFit | None = None
    ) -> np.ndarray:
        """Share choosing each package over the status quo, by the model itself: the logit of the
        package's dummies against the opt-out, averaged over the same population draws as
        :meth:`score_table`. ``codes`` index each issue's options in ``issues`` (as
        :meth:`score_table`)."""
        self._check_fitted("predict support")
        n = POPULATION_DRAWS if fit is None else DRAW_POPULATION
        fit = self.fit_ if fit is None else fit
        codes = np.atleast_2d(codes)
        names = [options for _, options in issues]
        position = {name: k for k, (name, _) in enumerate(issues)}
        features = [
            Feature(
                f.name,
                f.levels,
                np.array([f.levels.index(names[position[f.name]][c]) for c in codes[:, position[f.name]]]),
            )
            for f in self.features_
        ]
        _, x = _dummy_columns(features, with_constant=self.optout)  # (packages, K)
        beta = fit.mean[None, :] + fit.sd[None, :] * self._population_draws(n)  # (R, K)
        return expit(x @ beta.T).mean(axis=1)

    def choice_probabilities(self, data: ConjointData) -> np.ndarray:
        """For each profile row of ``data`` (same features and levels), the probability that it
        is chosen in its task, averaged over the population (not over each respondent's own
        draws): the model's prediction for a new respondent."""
        self._check_fitted("give choice probabilities")
        tasks = self.tasks(data)
        n, t, j, _ = tasks.x.shape
        beta = (self.fit_.mean[None, :] + self.fit_.sd[None, :] * self._population_draws()).T  # (K, R)
        utility = tasks.x @ beta  # (N, T, J, R)
        if self.optout:
            utility = np.concatenate([utility, np.zeros((n, t, 1, utility.shape[-1]))], axis=2)
        utility -= utility.max(axis=2, keepdims=True)
        p = np.exp(utility)
        p /= p.sum(axis=2, keepdims=True)
        mean = p[:, :, :j, :].mean(axis=-1)  # (N, T, J)
        out = np.empty(data.n_rows)
        out[tasks.row_order] = mean[tasks.task_respondent, tasks.task_slot].reshape(-1)
        return out

    def _population_draws(self, n: int = POPULATION_DRAWS) -> np.ndarray:
        """Standard normal draws that stand for the population (n, K), fixed by the seed."""
        return _population_normals(len(self.tasks_.names), n, self.seed + 7919)

    # ------------------------------------------------------------------ compilation
    def score_table(
        self,
        issues: Sequence[tuple[str, Sequence[str]]],
        weights: np.ndarray | None = None,
        fit: MixedLogitFit | None = None,
    ) -> ScoreTable:
        """One ScoreTable group: rows are simulated members of the public (Halton draws of the
        coefficients), each weighted equally; ``POPULATION_DRAWS`` of them for the estimate, and
        ``DRAW_POPULATION`` for a bootstrap draw (``fit`` given)."""
        self._check_fitted("compile a ScoreTable")
        n = POPULATION_DRAWS if fit is None else DRAW_POPULATION
        fit = self.fit_ if fit is None else fit
        names = self.tasks_.names
        beta = fit.mean[None, :] + fit.sd[None, :] * self._population_draws(n)  # (R, K)
        index = {name: i for i, name in enumerate(names)}
        features = {f.name: f for f in self.features_}
        shape = tuple(len(options) for _, options in issues)
        coefficients = np.zeros((n, sum(shape)))
        column = 0
        for name, options in issues:
            for option in options:
                if option != features[name].baseline:
                    coefficients[:, column] = beta[:, index[f"{name}[{option}]"]]
                column += 1
        intercepts = beta[:, index["(constant)"]] if self.optout else np.zeros(n)
        return ScoreTable(
            shape,
            intercepts,
            coefficients,
            np.full(n, 1.0 / n),
            np.zeros(n, dtype=np.int64),
        )


@functools.lru_cache(maxsize=8)
def _population_normals(k: int, n: int, seed: int) -> np.ndarray:
    """n standard normal points in k dimensions from a scrambled Halton sequence (read-only):
    the same for the estimate and for every bootstrap draw, so made once."""
    from scipy.stats import qmc

    halton = qmc.Halton(d=k, scramble=True, seed=seed)
    out = ndtri(np.clip(halton.random(n), 1e-12, 1 - 1e-12))
    out.setflags(write=False)
    return out


def _dummy_columns(features: list[Feature], with_constant: bool) -> tuple[tuple[str, ...], np.ndarray]:
    """Treatment dummies of every feature (baseline: its first level), and a constant."""
    names, blocks = [], []
    if with_constant:
        names.append("(constant)")
        blocks.append(np.ones((len(features[0].codes), 1)))
    for f in features:
        names += [f"{f.name}[{level}]" for level in f.levels[1:]]
        blocks.append((f.codes[:, None] == np.arange(1, len(f.levels))[None, :]).astype(float))
    return tuple(names), np.hstack(blocks)


def _task_index(data: ConjointData) -> np.ndarray:
    """A code per (respondent, task)."""
    assert data.clusters is not None  # tasks() has refused data without respondent ids
    task_values = data.frame[data.task].to_numpy()
    key = np.column_stack([data.clusters, np.unique(task_values, return_inverse=True)[1].reshape(-1)])
    return np.unique(key, axis=0, return_inverse=True)[1].reshape(-1)

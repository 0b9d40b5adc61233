"""The additive support model, for publics known from polls, published tables or judgement alone.

Most publics in a negotiation have no respondent-level survey: there are a few poll toplines on
whole packages, perhaps a table of AMCEs from a paper, and the analyst's own judgement. This
model learns from exactly that::

    logit support(P) = a + sum over issues k of b[k, P_k],     b[k, status quo option] = 0

so ``a`` is the logit of support for the status quo package itself and ``b[k, o]`` how far option
``o`` of issue ``k`` moves it. It is Bayesian:

- the **prior** is an independent normal on ``a`` and on every ``b[k, o]`` (:class:`AdditivePrior`):
  stated weakly informative defaults, an elicitation (a central value and a 90% range per
  option, in support points or on the logit scale) or a published AMCE or marginal-means table
  converted to the logit scale at an anchoring support level (:func:`points_to_logit`);
- the **likelihood** is binomial, one term per poll topline on a whole package: ``n_j`` people
  asked, a share ``y_j`` of them for it (the support the poll implies, don't-knows handled as
  calibration handles them);
- the **posterior** is summarised by its mode and drawn by importance resampling from a Student t
  around it with the Laplace covariance (the inverse of the log-posterior's curvature at the
  mode), weighted by the exact posterior, so small polls and shares near 0 or 1, where the normal
  approximation is rough, are drawn right too. The log-posterior
  is strictly concave (a logistic likelihood plus a normal prior), so Newton's method (its steps
  halved where they would overshoot) finds the one mode exactly; with many polls the posterior is
  close to normal, and with none it is the prior itself.

Options no poll varies keep their prior: their intervals stay as wide as the prior says, never a
confident number from nothing. ``information_`` says, per parameter, how much of its precision the
polls gave (0: the prior alone; near 1: the polls).

Why written here: a normal-prior logistic regression with a Laplace posterior is a few lines of
linear algebra with an exact Newton solve; a probabilistic-programming library (PyMC, Stan) would
bring a compiler and minutes of sampling for what is a low-dimensional, log-concave posterior. The
tests check the mode against statsmodels' GLM (flat prior) and a general-purpose optimiser, and the
draws against a brute-force grid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import linalg
from scipy.special import expit, logit

from ..defaults import Z90
from ..errors import ModelError, NotFittedError, Problem
from ..scoretable import ScoreTable

MAX_ITERATIONS = 100
MAX_N = 1e9  # people asked in one poll
# posterior draws: candidates per draw (at least MIN_CANDIDATES) from a t with PROPOSAL_DF degrees
# of freedom, resampled by their importance weights
CANDIDATES_PER_DRAW, MIN_CANDIDATES, PROPOSAL_DF = 20, 4000, 4
HALVINGS = 60  # of a Newton step that would lower the log-posterior
TOLERANCE = 1e-10  # Newton's method stops when no parameter moves more than this (logit scale)

# Weakly informative defaults, stated: support for the status quo package is somewhere between
# 8% and 92% (90% prior range), and one option moves the logit by less than 1.64 (about 40 points
# around 50%) with 90% prior probability.
# Beyond these a prior says a logit is known exactly (its sd under 0.001), knows nothing (over 100),
# or sits where support is 0 or 1 to nine decimals (a logit beyond 20): none is a belief about a public.
MIN_SD, MAX_SD, MAX_LOGIT = 1e-3, 100.0, 20.0
SD_FIX = "give priors on the logit scale with sds from 0.001 to 100 and means within +-20"
DEFAULT_LEVEL_SD = 1.5
DEFAULT_EFFECT_SD = 1.0


@dataclass(frozen=True)
class Poll:
    """One topline on a whole package: ``codes`` (an option index per issue), the support the
    poll implies (a fraction from 0 to 1: the prior keeps even 0 or 1 finite) and how many people
    were asked (an effective sample size: divide by the design effect of a weighted poll)."""

    codes: tuple[int, ...]
    support: float
    n: float
    label: str = ""


@dataclass(frozen=True)
class AdditivePrior:
    """Independent normal priors on the level ``a`` and on every option effect ``b[k, o]``.

    ``effect_mean`` and ``effect_sd`` have one entry per (issue, option), in the space's order
    (``sum(shape)`` entries, as a ScoreTable's columns); the status quo's own options are fixed at
    0, whatever is written there.
    """

    shape: tuple[int, ...]
    status_quo: tuple[int, ...]
    level_mean: float
    level_sd: float
    effect_mean: np.ndarray
    effect_sd: np.ndarray
    source: str = "stated weakly informative defaults"

    def __post_init__(self) -> None:
        problems = []
        if len(self.status_quo) != len(self.shape) or any(
            not 0 <= c < n for c, n in zip(self.status_quo, self.shape, strict=False)
        ):
            problems.append(
                Problem(
                    "status_quo",
                    f"is not a package of a space of shape {self.shape}",
                    "give one option index per issue",
                )
            )
        width = sum(self.shape)
        for name in ("effect_mean", "effect_sd"):
            value = np.asarray(getattr(self, name), dtype=float)
            if value.shape != (width,):
                problems.append(
                    Problem(
                        name, f"needs {width} entries (one per option), got shape {value.shape}", "give one per option"
                    )
                )
            elif not np.all(np.isfinite(value)):
                problems.append(Problem(name, "has a value that is not a finite number", "give finite numbers"))
            object.__setattr__(self, name, value)
        if not problems and np.any(self.effect_sd[self.free] <= 0):
            problems.append(
                Problem(
                    "effect_sd",
                    "has a standard deviation that is not positive",
                    "give every option a positive prior sd",
                )
            )
        if not (np.isfinite(self.level_mean) and np.isfinite(self.level_sd) and self.level_sd > 0):
            problems.append(
                Problem("level", "needs a finite mean and a positive standard deviation", "e.g. mean 0, sd 1.5")
            )
        if problems:
            raise ModelError(problems)

    @property
    def free(self) -> np.ndarray:
        """Whether each (issue, option) column is a parameter (every option but the status quo's)."""
        sq = np.zeros(sum(self.shape), dtype=bool)
        sq[np.cumsum((0, *self.shape[:-1])) + np.array(self.status_quo)] = True
        return ~sq

    @property
    def mean(self) -> np.ndarray:
        """The parameters' prior means: the level, then every free option's effect."""
        return np.concatenate([[self.level_mean], self.effect_mean[self.free]])

    @property
    def sd(self) -> np.ndarray:
        return np.concatenate([[self.level_sd], self.effect_sd[self.free]])

    @classmethod
    def default(cls, shape: Sequence[int], status_quo: Sequence[int], level: float = 0.5) -> AdditivePrior:
        """The stated weakly informative defaults, centred on ``level`` support for the status quo."""
        width = sum(shape)
        return cls(
            tuple(shape),
            tuple(status_quo),
            float(logit(level)),
            DEFAULT_LEVEL_SD,
            np.zeros(width),
            np.full(width, DEFAULT_EFFECT_SD),
        )


def points_to_logit(base: float, central: float, low: float, high: float) -> tuple[float, float]:
    """An effect elicited or published in support points (fractions: 0.05 for 5 points) against
    ``base`` support, as a normal on the logit scale: (mean, sd). The mean is
    ``logit(base + central) - logit(base)``; the sd makes the logit images of ``low`` and ``high``
    a central 90% range (their distance over 2 x 1.645)."""
    if not 0 < base < 1:
        raise ModelError(
            [
                Problem(
                    "base support",
                    f"must be strictly between 0 and 1, got {base:g}",
                    "give the support the effect is measured against",
                )
            ]
        )
    if not low <= central <= high or low == high:
        raise ModelError(
            [
                Problem(
                    "range",
                    f"needs low <= central <= high and low < high, got {low:g}, {central:g}, {high:g}",
                    "give the plausible range around the central value",
                )
            ]
        )
    if not (base + low > 0 and base + high < 1):
        raise ModelError(
            [
                Problem(
                    "range",
                    f"takes support outside 0 to 1: {base:g} {low:+g} to {base:g} {high:+g}",
                    "give points as fractions (0.05 for 5 points), within what support can be",
                )
            ]
        )
    shift = float(logit(base))
    return float(logit(base + central)) - shift, (float(logit(base + high)) - float(logit(base + low))) / (2 * Z90)


class AdditiveSupportModel:
    """Bayesian additive support model for a public without respondent-level data.

    Parameters
    ----------
    prior:
        the :class:`AdditivePrior` (its shape and status quo are the space's).
    """

    def __init__(self, prior: AdditivePrior) -> None:
        if not isinstance(prior, AdditivePrior):
            raise ModelError(
                [
                    Problem(
                        "prior",
                        f"must be an AdditivePrior, got {type(prior).__name__}",
                        "build one with AdditivePrior(...)",
                    )
                ]
            )
        self.prior = prior

    # ------------------------------------------------------------------ fitting
    def fit(self, polls: Sequence[Poll]) -> AdditiveSupportModel:
        """The posterior mode and its Laplace covariance, given ``polls`` (none: the prior)."""
        self.polls_ = list(polls)
        self._check_polls(self.polls_)
        x = self.design([p.codes for p in self.polls_])
        y = np.array([p.support for p in self.polls_], dtype=float)
        n = np.array([p.n for p in self.polls_], dtype=float)
        mean, precision = self.prior.mean, 1.0 / self.prior.sd**2

        self._data = (x, y, n)

        def log_posterior(theta: np.ndarray) -> float:
            return float(self._log_posterior(theta[None, :])[0])

        theta = mean.copy()
        value = log_posterior(theta)
        for iteration in range(1, MAX_ITERATIONS + 1):  # noqa: B007 (kept: how many it took)
            p = expit(x @ theta)
            gradient = x.T @ (n * (y - p)) - precision * (theta - mean)
            curvature = (x.T * (n * p * (1 - p))) @ x + np.diag(precision)
            step = linalg.solve(curvature, gradient, assume_a="pos")
            # Newton's step, halved until the log-posterior does not fall: far from the mode (a
            # sharp prior against large polls) the full step can overshoot
            for _ in range(HALVINGS):
                candidate = log_posterior(theta + step)
                if candidate >= value - 1e-12 * abs(value):
                    break
                step = step / 2
            theta, value = theta + step, candidate
            if np.max(np.abs(step)) < TOLERANCE:
                break
        else:
            raise ModelError(
                [
                    Problem(
                        "additive model",
                        f"Newton's method did not converge in {MAX_ITERATIONS} steps",
                        "check the polls' shares",
                    )
                ]
            )
        p = expit(x @ theta)
        curvature = (x.T * (n * p * (1 - p))) @ x + np.diag(precision)
        self.mode_ = theta
        self.covariance_ = linalg.inv(curvature)
        self.covariance_ = (self.covariance_ + self.covariance_.T) / 2
        self.iterations_ = iteration
        # the share of each parameter's posterior precision the polls gave: 1 - prior var / ...
        self.information_ = 1.0 - np.diag(self.covariance_) / self.prior.sd**2
        return self

    def _check_polls(self, polls: list[Poll]) -> None:
        problems = []
        for j, poll in enumerate(polls):
            where = f"poll {j + 1}" + (f" ({poll.label})" if poll.label else "")
            codes = np.asarray(poll.codes)
            if (
                codes.shape != (len(self.prior.shape),)
                or np.any(codes < 0)
                or np.any(codes >= np.array(self.prior.shape))
            ):
                problems.append(
                    Problem(
                        where, f"is not about a package of this space: {poll.codes}", "give one option index per issue"
                    )
                )
            if not (np.isfinite(poll.support) and 0 <= poll.support <= 1):
                problems.append(
                    Problem(
                        where,
                        f"implies a support of {poll.support!r}, not a share from 0 to 1",
                        "correct the share",
                    )
                )
            try:
                size = float(poll.n)
            except (TypeError, ValueError, OverflowError):
                size = float("nan")
            if not (np.isfinite(size) and 0 < size <= MAX_N):
                problems.append(Problem(where, f"has a sample size of {poll.n!r}", "give the number of people asked"))
        if problems:
            raise ModelError(problems)

    def design(self, codes: Sequence[Sequence[int]] | np.ndarray) -> np.ndarray:
        """The packages' rows of the linear predictor: 1 for the level, then each free option's
        dummy."""
        codes = np.asarray(codes, dtype=np.int64).reshape(-1, len(self.prior.shape))
        offsets = np.cumsum((0, *self.prior.shape[:-1]))
        dummies = np.zeros((len(codes), sum(self.prior.shape)))
        dummies[np.arange(len(codes))[:, None], offsets + codes] = 1.0
        return np.hstack([np.ones((len(codes), 1)), dummies[:, self.prior.free]])

    # ------------------------------------------------------------------ results
    def _log_posterior(self, theta: np.ndarray) -> np.ndarray:
        """The log-posterior (up to a constant) of each row of ``theta``."""
        x, y, n = self._data
        eta = theta @ x.T  # (rows, polls)
        likelihood = (y * -np.logaddexp(0.0, -eta) + (1 - y) * -np.logaddexp(0.0, eta)) @ n
        return likelihood - 0.5 * ((theta - self.prior.mean) ** 2 / self.prior.sd**2).sum(axis=1)

    def draws(self, n: int, seed: int | None = 0) -> np.ndarray:
        """``n`` parameter vectors from the posterior: (n, parameters). Sampling importance
        resampling: candidates from a Student t (``PROPOSAL_DF`` degrees of freedom) centred on
        the mode with the Laplace covariance, weighted by the exact posterior over that density
        and resampled, so the draws are the posterior's even where the normal approximation is
        rough (small polls, shares near 0 or 1). ``ess_`` is the candidates' effective number."""
        self._check_fitted("draw from its posterior")
        rng = np.random.default_rng(seed)
        root = linalg.cholesky(self.covariance_, lower=True)
        k = len(self.mode_)
        m = max(CANDIDATES_PER_DRAW * n, MIN_CANDIDATES)
        standard = rng.standard_normal((m, k)) / np.sqrt(rng.chisquare(PROPOSAL_DF, m) / PROPOSAL_DF)[:, None]
        candidates = self.mode_ + standard @ root.T
        log_proposal = -(PROPOSAL_DF + k) / 2 * np.log1p((standard**2).sum(axis=1) / PROPOSAL_DF)
        log_weight = self._log_posterior(candidates) - log_proposal
        weight = np.exp(log_weight - log_weight.max())
        weight /= weight.sum()
        self.ess_ = float(1.0 / (weight**2).sum())
        return candidates[rng.choice(m, size=n, replace=True, p=weight)]

    def information(self, codes: Sequence[Sequence[int]] | np.ndarray) -> np.ndarray:
        """For each package, the share of the precision of its logit support that the polls gave:
        ``1 - posterior variance / prior variance`` (0: what the model says of it is the prior's)."""
        self._check_fitted("say what its polls tell")
        x = self.design(codes)
        posterior = np.einsum("ij,jk,ik->i", x, self.covariance_, x)
        prior = (x**2) @ self.prior.sd**2
        return 1.0 - posterior / prior

    def support(self, codes: Sequence[Sequence[int]] | np.ndarray) -> np.ndarray:
        """The posterior mode's support for packages."""
        self._check_fitted("give support")
        return expit(self.design(codes) @ self.mode_)

    def score_table(self, draws: int, seed: int | None = 0) -> ScoreTable:
        """The model as a ScoreTable: one row per group, group 0 the posterior mode, groups 1..
        ``draws`` draws from the posterior (as a survey model's bootstrap draws)."""
        self._check_fitted("make a ScoreTable")
        theta = np.vstack([self.mode_, self.draws(draws, seed)]) if draws else self.mode_[None, :]
        coefficients = np.zeros((len(theta), sum(self.prior.shape)))
        coefficients[:, self.prior.free] = theta[:, 1:]
        return ScoreTable(
            self.prior.shape,
            theta[:, 0].copy(),
            coefficients,
            np.ones(len(theta)),
            np.arange(len(theta), dtype=np.int64),
        )

    def _check_fitted(self, use: str) -> None:
        if not hasattr(self, "mode_"):
            raise NotFittedError(self, use)

"""Simulated respondents from a known truth: for power analysis, for tests, and for the worked
example's data.

A :class:`TruthModel` says how a member of the public values a package P against the status quo::

    u_i(P) = alpha + sum_c shift_c[x_ic] + e_i
             + sum_k ( effect_k[P_k] + sum_c interaction_kc[P_k, x_ic] + sd_k[P_k] * z_ik[P_k] )

with covariates x_i (categorical), a random intercept e_i ~ N(0, intercept_sd^2) and independent
random option effects z ~ N(0, 1) (preference heterogeneity). Asked whether they would support P,
respondents say yes with probability ``logistic(u_i(P))``; choosing between two packages and the
status quo (an opt-out), they choose by a multinomial logit with utilities ``u_i(A), u_i(B), 0``.
Both answers therefore measure the same thing: the population's support for P is
``E[logistic(u_i(P))]``, computed exactly by :meth:`TruthModel.support` (Gauss-Hermite quadrature
over the normal terms, averaged over covariate cells with population shares).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import expit

from ..errors import ModelError, Problem, did_you_mean, known_list
from ..space import PackageSpace, Sampler, uniform

QUADRATURE_NODES = 48


@dataclass(frozen=True)
class Covariate:
    """A respondent characteristic: its levels, their shares in the population, and in the sample
    (a survey's sample rarely matches the population; raking corrects it)."""

    levels: tuple[str, ...]
    population: tuple[float, ...]
    sample: tuple[float, ...] | None = None

    def sample_shares(self) -> np.ndarray:
        return np.asarray(self.sample if self.sample is not None else self.population, dtype=float)


@dataclass(frozen=True)
class TruthModel:
    """The true preferences of a public over a package space (see the module documentation).

    ``effects[issue][option]`` and ``sd[issue][option]`` are on the logit scale relative to the
    status-quo option (which must not appear, or be 0); ``shifts[covariate][level]`` moves the
    intercept; ``interactions[(issue, covariate)][(option, level)]`` moves an option's effect.
    """

    space: PackageSpace
    alpha: float
    effects: Mapping[str, Mapping[str, float]]
    sd: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    intercept_sd: float = 0.0
    covariates: Mapping[str, Covariate] = field(default_factory=dict)
    shifts: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    interactions: Mapping[tuple[str, str], Mapping[tuple[str, str], float]] = field(default_factory=dict)

    # ------------------------------------------------------------------ arrays
    def _table(self, values: Mapping[str, Mapping[str, float]]) -> np.ndarray:
        """A per-(issue, option) array in the space's column order (status quo options 0)."""
        out = np.zeros(sum(self.space.shape))
        column = 0
        for k, (issue, options) in enumerate(zip(self.space.issue_ids, self.space.option_ids, strict=True)):
            for j, option in enumerate(options):
                if j != self.space.status_quo[k]:
                    out[column] = values.get(issue, {}).get(option, 0.0)
                column += 1
        return out

    @property
    def offsets(self) -> np.ndarray:
        return np.concatenate([[0], np.cumsum(self.space.shape)[:-1]]).astype(np.int64)

    def _cells(self) -> tuple[list[dict[str, str]], np.ndarray]:
        """Every combination of covariate levels, with its population share (independent margins)."""
        names = list(self.covariates)
        cells, shares = [], []
        for combination in itertools.product(*(range(len(self.covariates[n].levels)) for n in names)):
            cells.append({n: self.covariates[n].levels[i] for n, i in zip(names, combination, strict=True)})
            shares.append(np.prod([self.covariates[n].population[i] for n, i in zip(names, combination, strict=True)]))
        return cells, np.asarray(shares)

    def mean_utility(self, codes: np.ndarray, people: Mapping[str, np.ndarray | str]) -> np.ndarray:
        """Systematic utility of each package (rows of ``codes``) for the person on the same row,
        given by covariate levels (an array of level names per row, or one level for all)."""
        codes = np.atleast_2d(codes)
        m = len(codes)
        out = self.alpha + self._table(self.effects)[codes + self.offsets].sum(axis=1)
        for name, shifts in self.shifts.items():
            levels = self.covariates[name].levels
            index = _level_index(people[name], levels, m)
            out = out + np.array([shifts.get(level, 0.0) for level in levels])[index]
        for (issue, covariate), values in self.interactions.items():
            k = self.space.issue_ids.index(issue)
            levels = self.covariates[covariate].levels
            table = np.array([[values.get((o, lv), 0.0) for lv in levels] for o in self.space.option_ids[k]])
            out = out + table[codes[:, k], _level_index(people[covariate], levels, m)]
        return out

    def utility_sd(self, codes: np.ndarray) -> np.ndarray:
        """Standard deviation of the random part of u_i(P), per package."""
        codes = np.atleast_2d(codes)
        sd = self._table(self.sd)
        return np.sqrt(self.intercept_sd**2 + (sd[codes + self.offsets] ** 2).sum(axis=1))

    def support(self, codes: np.ndarray) -> np.ndarray:
        """True population support of each package: E[logistic(u_i(P))], exactly."""
        nodes, weights = np.polynomial.hermite_e.hermegauss(QUADRATURE_NODES)
        weights = weights / weights.sum()
        cells, shares = self._cells()
        sd = self.utility_sd(codes)
        total = np.zeros(len(np.atleast_2d(codes)))
        for cell, share in zip(cells, shares, strict=True):
            mean = self.mean_utility(codes, cell)
            total += share * (expit(mean[:, None] + sd[:, None] * nodes[None, :]) @ weights)
        return total

    # ------------------------------------------------------------------ simulation
    def simulate(
        self,
        n_respondents: int,
        n_tasks: int = 8,
        optout: bool = True,
        seed: int | None = None,
        respondent_prefix: str = "",
        profiles: Sampler | None = None,
        response_error: float = 0.0,
        repeat: int | None = None,
    ) -> pd.DataFrame:
        """A conjoint survey: each respondent sees ``n_tasks`` pairs of distinct valid packages
        (drawn by ``profiles``, default uniformly), says for each whether they would support it
        (``support``, 1/0), and chooses one of the two or, with ``optout``, neither (``chosen``,
        1 on the chosen profile's row).

        Long format: respondent, task, profile (1, 2), one column per issue (option ids), support,
        chosen, then the covariates.

        Measurement error (projoint's model): with ``response_error`` tau, every answer is the
        respondent's own flipped with probability tau (support yes for no; in a forced choice,
        ``optout=False``, the other profile); with an error rate or a repeat, the error-free
        answers are kept as ``support_true`` and ``chosen_true``. ``repeat=t`` asks task t again, profiles swapped,
        as task ``n_tasks + 1`` (same error-free answer, its own errors), whose rows name the
        task they repeat in a column ``repeats`` (empty elsewhere)."""
        if not 0 <= response_error < 0.5:
            raise ModelError([Problem("response_error", f"must be in [0, 0.5), got {response_error}", "use e.g. 0.1")])
        if response_error and optout:
            raise ModelError(
                [
                    Problem(
                        "response_error",
                        "the error model flips a forced choice between two profiles",
                        "simulate with optout=False",
                    )
                ]
            )
        if repeat is not None and not 1 <= repeat <= n_tasks:
            raise ModelError([Problem("repeat", f"no task {repeat} among 1..{n_tasks}", "name a task to repeat")])
        rng = np.random.default_rng(seed)
        n_profiles = n_respondents * n_tasks * 2
        people = {
            name: rng.choice(np.asarray(c.levels), size=n_respondents, p=c.sample_shares() / c.sample_shares().sum())
            for name, c in self.covariates.items()
        }
        codes = _random_pairs(self.space, n_respondents * n_tasks, rng, profiles or uniform(self.space))
        respondent = np.repeat(np.arange(n_respondents), n_tasks * 2)
        person_rows = {name: values[respondent] for name, values in people.items()}
        mean = self.mean_utility(codes, person_rows)
        # random intercept and random option effects, constant within a respondent
        sd = self._table(self.sd)
        z = rng.standard_normal((n_respondents, len(sd)))
        random_part = rng.standard_normal(n_respondents)[respondent] * self.intercept_sd
        random_part += ((z * sd)[respondent][np.arange(n_profiles)[:, None], codes + self.offsets]).sum(axis=1)
        utility = mean + random_part
        support = (rng.random(n_profiles) < expit(utility)).astype(int)
        # choice among the two profiles (and the status quo, utility 0) with Gumbel errors
        pair = utility.reshape(-1, 2)
        options = np.column_stack([pair, np.zeros(len(pair))]) if optout else pair
        choice = np.argmax(options + rng.gumbel(size=options.shape), axis=1)
        chosen = np.zeros((len(pair), 2), dtype=int)
        shown = choice < 2
        chosen[np.flatnonzero(shown), choice[shown]] = 1
        frame = {
            "respondent": [f"{respondent_prefix}{r + 1}" for r in respondent],
            "task": np.tile(np.repeat(np.arange(1, n_tasks + 1), 2), n_respondents),
            "profile": np.tile([1, 2], n_respondents * n_tasks),
        }
        for k, issue in enumerate(self.space.issue_ids):
            frame[issue] = np.asarray(self.space.option_ids[k])[codes[:, k]]
        frame["support"] = support
        frame["chosen"] = chosen.reshape(-1)
        for name, values in person_rows.items():
            frame[name] = values
        out = pd.DataFrame(frame)
        if repeat is not None:
            out["repeats"] = np.nan
            again = out[out["task"] == repeat].assign(task=n_tasks + 1, repeats=float(repeat))
            again["profile"] = 3 - again["profile"]  # the same two profiles, swapped
            whose = np.r_[respondent, respondent[out["task"].to_numpy() == repeat]]
            out = pd.concat([out, again], ignore_index=True)
            order = np.lexsort((out["profile"].to_numpy(), out["task"].to_numpy(), whose))
            out = out.iloc[order].reset_index(drop=True)
        if response_error or repeat is not None:
            out["support_true"] = out["support"]
            out["chosen_true"] = out["chosen"]
            flips = rng.random(len(out)) < response_error
            out["support"] = np.where(flips, 1 - out["support"], out["support"])
            flip_task = np.repeat(rng.random(len(out) // 2) < response_error, 2)  # a choice flips as a whole
            out["chosen"] = np.where(flip_task, 1 - out["chosen"], out["chosen"])
        return out


def _random_pairs(space: PackageSpace, n_pairs: int, rng: np.random.Generator, sampler: Sampler) -> np.ndarray:
    """``n_pairs`` pairs of distinct packages from ``sampler``, as (2 n_pairs, issues) codes."""
    out = sampler(rng, 2 * n_pairs)
    same = np.flatnonzero((out[0::2] == out[1::2]).all(axis=1))
    for i in same:  # redraw the second profile of identical pairs
        while (out[2 * i] == out[2 * i + 1]).all():
            out[2 * i + 1] = sampler(rng, 1)[0]
    return out


def _level_index(values: np.ndarray | str, levels: Sequence[str], n: int) -> np.ndarray:
    """Index of each value among ``levels`` (one value, or one per row), as an array of ``n``."""
    index = pd.Index(list(levels)).get_indexer(pd.Index(np.broadcast_to(np.asarray(values, dtype=object), (n,))))
    if (index < 0).any():
        unknown = sorted(str(v) for v in set(np.atleast_1d(values)) - set(levels))
        raise ModelError(
            [
                Problem(
                    "covariate",
                    f"unknown covariate level {known_list(unknown)}{did_you_mean(unknown[0], levels)}",
                    f"use one of {known_list(levels)}",
                )
            ]
        )
    return index

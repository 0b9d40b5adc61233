"""Valid packages drawn uniformly at random, by rejection: draw every issue's option uniformly and
keep the packages no constraint forbids, so that every valid package is equally likely."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .packages import PackageSpace

Sampler = Callable[[np.random.Generator, int], np.ndarray]  # (rng, n) -> (n, issues) package codes


def uniform(space: PackageSpace) -> Sampler:
    """Draw valid packages uniformly (every valid package equally likely)."""

    def draw(rng: np.random.Generator, n: int) -> np.ndarray:
        out = np.empty((0, space.n_issues), dtype=np.int64)
        while len(out) < n:
            candidates = rng.integers(0, space.n_options, size=(max(2 * (n - len(out)), 64), space.n_issues))
            out = np.vstack([out, candidates[space.is_valid(candidates)]])
        return out[:n]

    return draw


def random_packages(space: PackageSpace, n: int, seed: int | None = None) -> np.ndarray:
    """``n`` valid packages drawn uniformly (codes)."""
    return uniform(space)(np.random.default_rng(seed), n)


def distinct_tasks(
    space: PackageSpace, tasks: int, profiles: int, rng: np.random.Generator, draw: Sampler | None = None
) -> np.ndarray:
    """Conjoint tasks of valid packages, (tasks, profiles, issues) codes, drawn by ``draw``
    (default uniformly), distinct within each task when the space holds as many: a task's
    repeated profiles are drawn again until its profiles differ."""
    draw = draw or uniform(space)
    packages = draw(rng, tasks * profiles).reshape(tasks, profiles, space.n_issues)
    if space.count_valid() < profiles:  # as many distinct as there are, task by task
        for task in packages:
            while len(np.unique(task, axis=0)) < space.count_valid():
                _, first = np.unique(task, axis=0, return_index=True)
                repeated = np.setdiff1d(np.arange(len(task)), first)
                task[repeated] = draw(rng, len(repeated))
        return packages
    while True:  # every profile equal to an earlier one of its task is drawn again
        same = (packages[:, :, None, :] == packages[:, None, :, :]).all(axis=-1)
        repeated = np.tril(same, k=-1).any(axis=2)
        if not repeated.any():
            return packages
        packages[repeated] = draw(rng, int(repeated.sum()))

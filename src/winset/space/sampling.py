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

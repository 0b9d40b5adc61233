"""The power of a conjoint experiment to detect an AMCE, by the analytical approximation of
Schuessler and Freitag (2020) that the R package cjpowR implements.

The AMCE of a level against the baseline is treated as a difference of two proportions, in a
forced choice whose baseline profiles are chosen with probability ``delta0 = 0.5 - amce * p``
(``p`` the probability the level is shown against the baseline, 0.5 by default) and whose
level's profiles with ``delta0 + amce``; with ``n`` effective observations (respondents x tasks
x profiles) spread over ``levels`` levels, each level has ``n / levels`` of them::

    se = sqrt( (delta0 + amce)(1 - delta0 - amce) / 0.5 + delta0 (1 - delta0) / 0.5 ) / sqrt(2 n / levels)
    power = Phi(amce / se - z) + Phi(-amce / se - z),      z = Phi^-1(1 - alpha / 2)

Written here because the formula is a few lines and cjpowR is R; the tests check it against the
numbers cjpowR's documentation prints, and against simulated experiments analysed by winset's own
AMCE estimator.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq
from scipy.special import ndtr, ndtri

from ..errors import Problem
from .errors import ConjointError


def _check(alpha: float, levels: int, treat_prob: float, n: float | None = None, amce: float | None = None) -> None:
    problems = []
    if n is not None and not (np.isfinite(n) and n > 0):
        problems.append(Problem("n", f"must be a positive number, got {n}", "give respondents x tasks x profiles"))
    if amce is not None:
        top = 0.5 / max(treat_prob, 1 - treat_prob) if 0 < treat_prob < 1 else 1.0
        if not (np.isfinite(amce) and 0 < abs(amce) <= top):
            problems.append(
                Problem("amce", f"must be non-zero and at most {top:g} in size, got {amce}", "give e.g. 0.05")
            )
    if not 0 < alpha < 1:
        problems.append(Problem("alpha", f"must be in (0, 1), got {alpha}", "use e.g. 0.05"))
    if int(levels) != levels or levels < 2:
        problems.append(Problem("levels", f"a feature has at least 2 levels, got {levels}", "count its levels"))
    if not 0 < treat_prob < 1:
        problems.append(Problem("treat_prob", f"must be in (0, 1), got {treat_prob}", "use e.g. 0.5"))
    if problems:
        raise ConjointError(problems)


def _variance(amce: float, treat_prob: float) -> float:
    """The two proportions' variance term of cjpowR's formula (see the module)."""
    delta0 = 0.5 - amce * treat_prob
    return ((delta0 + amce) * (1 - delta0 - amce) + delta0 * (1 - delta0)) / 0.5


def amce_std_error(amce: float, n: float, levels: int = 2, treat_prob: float = 0.5) -> float:
    """The approximate standard error of an AMCE from ``n`` effective observations."""
    return float(np.sqrt(_variance(amce, treat_prob)) / np.sqrt(2 * n / levels))


def amce_power(amce: float, n: float, levels: int = 2, alpha: float = 0.05, treat_prob: float = 0.5) -> float:
    """The probability that a two-sided test at ``alpha`` rejects "no effect" for an AMCE of
    ``amce`` with ``n`` effective observations (respondents x tasks x profiles)."""
    _check(alpha, levels, treat_prob, n, amce)
    z = amce / amce_std_error(amce, n, levels, treat_prob)
    critical = ndtri(1 - alpha / 2)
    return float(ndtr(z - critical) + ndtr(-z - critical))


def amce_sample_size(
    amce: float, power: float = 0.8, levels: int = 2, alpha: float = 0.05, treat_prob: float = 0.5
) -> float:
    """The effective sample size (respondents x tasks x profiles) at which the test reaches
    ``power`` for an AMCE of ``amce`` (cjpowR's closed form)."""
    _check(alpha, levels, treat_prob, amce=amce)
    if not alpha < power < 1:
        raise ConjointError([Problem("power", f"must be between alpha and 1, got {power}", "use e.g. 0.8")])
    z = ndtri(1 - alpha / 2) + ndtri(power)
    return float((levels / 2) / amce**2 * z**2 * _variance(amce, treat_prob))


def minimum_detectable_amce(
    n: float, power: float = 0.8, levels: int = 2, alpha: float = 0.05, treat_prob: float = 0.5
) -> float:
    """The smallest positive AMCE detected with probability ``power`` from ``n`` effective
    observations (solving :func:`amce_power` for the AMCE, which at the largest AMCE the
    proportions allow has no variance left, and so power 1)."""
    _check(alpha, levels, treat_prob, n)
    if not alpha < power < 1:
        raise ConjointError(
            [
                Problem(
                    "power",
                    f"must be between alpha and 1, got {power}",
                    "use e.g. 0.8 (alpha is the power at no effect)",
                )
            ]
        )
    top = 0.5 / max(treat_prob, 1 - treat_prob) - 1e-9  # the largest AMCE the proportions allow
    return float(brentq(lambda a: amce_power(a, n, levels, alpha, treat_prob) - power, 1e-9, top, xtol=1e-10))

"""What the engine optimises and what it requires: objectives and feasibility tests.

Every objective and test is a function of :class:`~winset.engine.problem.Quantities` that is
monotone (non-decreasing) in every support and utility, so evaluating it on optimistic bounds
bounds it over all completions of a partial package.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..compare import margin_meets
from .problem import DealProblem, Quantities


def min_margin(problem: DealProblem) -> Callable[[Quantities, np.ndarray], np.ndarray]:
    """The smallest support margin (support minus threshold, point estimate) over binding publics."""

    def value(q: Quantities, distance: np.ndarray) -> np.ndarray:
        return q.joint_margin

    return value


def nash(problem: DealProblem) -> Callable[[Quantities, np.ndarray], np.ndarray]:
    """The product of the negotiators' gains over their reservation values (0 if any is negative)."""

    def value(q: Quantities, distance: np.ndarray) -> np.ndarray:
        return np.prod(np.maximum(q.gain, 0.0), axis=0)

    return value


def all_rules_probability(problem: DealProblem) -> Callable[[Quantities, np.ndarray], np.ndarray]:
    """The probability that every binding public's rule is met: the product of each public's
    share of bootstrap draws meeting its rule (the publics are independent samples)."""
    binding = problem.binding

    def value(q: Quantities, distance: np.ndarray) -> np.ndarray:
        return np.prod(q.probability[binding], axis=0)

    return value


def utility(index: int) -> Callable[[Quantities, np.ndarray], np.ndarray]:
    """One negotiator's utility."""

    def value(q: Quantities, distance: np.ndarray) -> np.ndarray:
        return q.utility[index]

    return value


def nearest(problem: DealProblem) -> Callable[[Quantities, np.ndarray], np.ndarray]:
    """Fewest changed issues first, then the best smallest margin (for repairs): the value is
    ``-changes + arctan(margin) / pi``, whose margin term lies in (-1/2, 1/2) for any link, so
    one more change always ranks lower whatever the margins."""
    margin = min_margin(problem)

    def value(q: Quantities, distance: np.ndarray) -> np.ndarray:
        return np.arctan(margin(q, distance)) / np.pi - distance

    return value


def joint(problem: DealProblem) -> Callable[[Quantities], np.ndarray]:
    """In the joint win-set: every binding public accepts, every negotiator reaches its
    reservation value (the search runs over deals only, so the status quo never passes)."""
    binding = problem.binding
    point = problem.confidence is None

    def test(q: Quantities) -> np.ndarray:
        ok = q.accept[binding].all(axis=0) & q.reach.all(axis=0)
        return ok & margin_meets(q.joint_margin) if point else ok

    return test


def accepted(problem: DealProblem, index: int) -> Callable[[Quantities], np.ndarray]:
    """Public ``index``'s rule passes (negotiators and the other publics aside): its own win-set."""

    def test(q: Quantities) -> np.ndarray:
        return q.accept[index]

    return test


def negotiators(problem: DealProblem) -> Callable[[Quantities], np.ndarray]:
    """Every negotiator at least at its reservation value (publics aside)."""

    def test(q: Quantities) -> np.ndarray:
        return np.all(q.reach, axis=0)  # the method's stub types an int axis as maybe a scalar

    return test


def anything(problem: DealProblem) -> Callable[[Quantities], np.ndarray]:
    def test(q: Quantities) -> np.ndarray:
        return np.ones(q.gain.shape[1] if q.gain.size else q.margin.shape[1], dtype=bool)

    return test

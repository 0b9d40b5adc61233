"""The joint win-set: which deals every negotiator accepts and every binding public ratifies, and
the description of packages against it.

Also the choice between enumeration and branch and bound that every analysis makes
(:func:`choose_method`), and the problem on point estimates only (:func:`point_only`), which most
analyses search.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from ..defaults import INTERVAL
from ..errors import EngineError, Problem
from . import criteria
from .enumeration import SEARCH_ENUMERATE_LIMIT
from .problem import DealProblem, Quantities

METHODS = ("auto", "enumerate", "search")


def choose_method(problem: DealProblem, method: str) -> str:
    """``'enumerate'`` or ``'search'``: ``method`` itself, or for ``'auto'`` enumeration of spaces
    up to :data:`~winset.engine.enumeration.SEARCH_ENUMERATE_LIMIT` packages."""
    if method not in METHODS:
        raise EngineError([Problem("method", f"unknown method '{method}'", "use 'auto', 'enumerate' or 'search'")])
    if method == "auto":
        return "enumerate" if problem.space.size <= SEARCH_ENUMERATE_LIMIT else "search"
    return method


def point_only(problem: DealProblem) -> DealProblem:
    """The problem on point estimates only (bootstrap draws dropped): enough for margins,
    utilities and the point test, and much cheaper to search."""
    publics = tuple(p.draw(0) for p in problem.publics)
    return replace(problem, publics=publics, confidence=None)


# ---------------------------------------------------------------------------------- description
def describe(problem: DealProblem, packages: np.ndarray) -> pd.DataFrame:
    """One row per package: its text (changes from the status quo), each public's support
    (estimate, 90% interval over the draws, probability the rule is met, margin, accepted), the
    probability that every binding rule is met (with draws), each negotiator's utility and gain,
    and whether it is in the joint win-set.

    The status quo is the reference, not a deal (``status_quo`` is true on its row): what each
    model says of it is shown, but no verdict (margin, probability, accepted: missing), and it is
    never in the joint win-set."""
    packages = np.atleast_2d(np.asarray(packages, dtype=np.int64))
    q = problem.evaluate(packages)
    space = problem.space
    quo = (packages == np.asarray(space.status_quo)).all(axis=1) if len(packages) else np.zeros(0, dtype=bool)

    def verdict(values: np.ndarray) -> pd.Series:
        return pd.Series(values, dtype=object).where(~quo, None)

    out = pd.DataFrame({"package": [space.format(p, changes_only=True) for p in packages]})
    out["status_quo"] = quo
    for i, public in enumerate(problem.publics):
        support = q.support[i]
        out[f"{public.id}_support"] = support[0]
        if support.shape[0] > 1:
            out[f"{public.id}_lower"] = np.quantile(support[1:], INTERVAL[0], axis=0)
            out[f"{public.id}_upper"] = np.quantile(support[1:], INTERVAL[1], axis=0)
            out[f"{public.id}_p_rule"] = np.where(quo, np.nan, q.probability[i])
        out[f"{public.id}_margin"] = np.where(quo, np.nan, q.margin[i])
        out[f"{public.id}_accepts"] = verdict(q.accept[i])
    if problem.publics and all(p.n_draws for p in problem.publics):
        p_all = criteria.all_rules_probability(problem)(q, np.zeros(len(packages)))
        out["p_all_rules"] = np.where(quo, np.nan, p_all)
    for j, negotiator in enumerate(problem.negotiators):
        out[f"{negotiator.id}_utility"] = q.utility[j]
        out[f"{negotiator.id}_gain"] = q.gain[j]
    out["in_winset"] = in_joint_winset(problem, packages, q)
    return out


def in_joint_winset(problem: DealProblem, packages: np.ndarray, q: Quantities) -> np.ndarray:
    """Which packages (with their exact quantities ``q``) are in the joint win-set: deals (valid,
    not the status quo) that pass the joint test."""
    packages = np.atleast_2d(np.asarray(packages, dtype=np.int64))
    valid = problem.deals.is_valid(packages) if len(packages) else np.zeros(0, dtype=bool)
    return criteria.joint(problem)(q) & valid

"""The compile step: a scenario and its fitted support models become the deal engine's problem.

The engine knows ScoreTables, never scenario files. This is the one place where a scenario's
parties become negotiators (additive utilities, as one-row identity-link tables on the engine's
utility grid, with their reservation values) and its ratifiers become publics (their fitted
support tables and the share their rules need).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .engine import DealProblem, Negotiator, Public, Rule
from .scenario import Scenario
from .scoretable import ScoreTable


def negotiator(scenario: Scenario, party_id: str) -> Negotiator:
    """A party's negotiator: ``u(P) = sum_k w_k * s_k(P_k)`` (0 for issues without a weight), and
    its reservation value: a number from the scenario, or the status quo's utility."""
    party = scenario.party(party_id)
    weights, scores = party.utility.weights, party.utility.scores
    row = np.concatenate(
        [
            np.array([weights.get(issue.id, 0.0) * scores.get(issue.id, {}).get(o.id, 0.0) for o in issue.options])
            for issue in scenario.issues
        ]
    )[None, :]
    space = scenario.space
    table = ScoreTable(space.shape, np.zeros(1), row, np.ones(1), np.zeros(1, dtype=np.int64), "identity")
    utility = Negotiator(party.id, table, 0.0)
    if party.reservation == "status_quo":  # on the grid, so the status quo reaches it exactly
        return utility.with_reservation(float(utility(space.status_quo)))
    return utility.with_reservation(float(party.reservation))


def deal_problem(
    scenario: Scenario,
    tables: Mapping[str, ScoreTable],
    confidence: float | None = None,
    include_optional: bool = False,
) -> DealProblem:
    """The problem of a scenario, with each ratifier's support table (by ratifier id)."""
    negotiators = tuple(negotiator(scenario, party.id) for party in scenario.parties)
    publics = tuple(
        Public(ratifier.id, party.id, tables[ratifier.id], Rule.share(ratifier.rule.threshold), ratifier.required)
        for party, ratifier in scenario.ratifiers
    )
    return DealProblem(scenario.space, negotiators, publics, confidence, include_optional)

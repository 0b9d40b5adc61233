"""A negotiator's additive utility over packages, as arrays over the package space.

Each option's weighted score is put on the negotiator's utility grid
(:func:`winset.compare.on_grid`), so that every utility is an exact sum and the status quo
is worth exactly the reservation value it defines, however the sum is computed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .compare import on_grid, reservation_floor, utility_grid, utility_scale
from .scenario import Scenario


@dataclass(frozen=True)
class NegotiatorUtility:
    """Utility of a party's negotiator: ``u(P) = sum_k w_k * s_k(P_k)``.

    ``per_issue[k][j]`` is the weighted score of option ``j`` of issue ``k`` (0 for issues without a
    weight), in the units the scenario's scores are given in, rounded to ``grid`` (a power of two,
    2^-40 of the utility scale). ``reservation`` is the utility the negotiator can get without
    agreement: a number from the scenario, or the status quo's utility.
    """

    party: str
    per_issue: tuple[np.ndarray, ...]
    reservation: float
    grid: float

    @classmethod
    def from_scenario(cls, scenario: Scenario, party_id: str) -> NegotiatorUtility:
        party = scenario.party(party_id)
        weights, scores = party.utility.weights, party.utility.scores
        raw = [
            np.array([weights.get(issue.id, 0.0) * scores.get(issue.id, {}).get(o.id, 0.0) for o in issue.options])
            for issue in scenario.issues
        ]
        grid = utility_grid(raw)
        per_issue = tuple(on_grid(values, grid) for values in raw)
        utility = cls(party.id, per_issue, 0.0, grid)
        reservation = party.reservation
        if reservation == "status_quo":
            reservation = utility(scenario.space.status_quo)
        return cls(party.id, per_issue, float(reservation), grid)

    def __call__(self, codes):
        """Utility of one package (codes) or of each row of a (packages x issues) code array."""
        codes = np.asarray(codes)
        if codes.ndim == 1:
            return float(sum(table[c] for table, c in zip(self.per_issue, codes, strict=True)))
        total = np.zeros(codes.shape[0])
        for k, table in enumerate(self.per_issue):
            total += table[codes[:, k]]
        return total

    @property
    def floor(self) -> float:
        """The lowest utility that reaches the reservation value (as the engine decides it)."""
        return reservation_floor(self.reservation, utility_scale(self.per_issue))

    @property
    def best(self) -> float:
        """The highest utility any package (constraints aside) gives this negotiator."""
        return float(sum(table.max() for table in self.per_issue))

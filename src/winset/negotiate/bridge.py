"""A scenario as a NegMAS negotiation: its outcome space, and one utility function per party.

The outcome space has one categorical issue per scenario issue (values: the option ids). A package
that breaks one of the scenario's constraints is worth ``BROKEN`` below every party's reservation
value (finite, so that every NegMAS negotiator, tit-for-tat included, can reason about it; no
rational negotiator offers or accepts it). Each party's utility is its negotiator's additive utility
from the scenario; its reserved value is the lowest utility that reaches the reservation value
(:func:`winset.compare.reservation_floor`). With ``ratification``:

* ``strict``: a package that any of the party's binding publics is estimated to reject (on the
  engine's test) is worth less than the reservation value, so a rational negotiator neither offers
  nor accepts it;
* ``soft``: the utility is discounted by the probability that the party ratifies it, the share of
  bootstrap draws in which every binding public of the party accepts it: p u(P) + (1 - p) u(status
  quo) (if ratification fails, the status quo stays), computed as u(status quo) + p (u(P) - u(status
  quo)) so that a package worth the status quo is worth it exactly.

The status quo itself needs no ratification: it is worth its utility in every mode. Utilities are
exact sums (:mod:`winset.compare`) and the reserved value is the engine's floor, so NegMAS's
own test ``utility >= reserved value`` is the engine's, on every package.

Needs the ``negotiation`` extra.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from negmas import make_issue, make_os
from negmas.outcomes import DiscreteCartesianOutcomeSpace
from negmas.preferences import UtilityFunction

from ..compare import margin_meets
from ..engine.joint import point_only
from ..engine.problem import DealProblem

Mode = Literal["strict", "soft"]
REJECTED = 1.0  # how far below the reservation value a package the party cannot ratify is put
BROKEN = 2.0  # how far below it a package that breaks a constraint is put
PRECOMPUTE = 2_000_000  # spaces up to this size are valued all at once, on first use
SOFT_PRECOMPUTE = 20_000  # the same with bootstrap draws (soft mode)
CHUNK = 4_096


def outcome_space(problem: DealProblem) -> DiscreteCartesianOutcomeSpace:
    """The NegMAS outcome space of a deal problem: issues named by id, option ids as values."""
    space = problem.space
    return make_os(
        [
            make_issue(list(options), name=issue)
            for issue, options in zip(space.issue_ids, space.option_ids, strict=True)
        ]
    )


class PartyUtility(UtilityFunction):
    """A party's utility over packages (outcomes: tuples of option ids), as the engine computes it."""

    def __init__(self, problem: DealProblem, party: str, ratification: Mode | None = None, **kwargs: Any) -> None:
        space = problem.space
        index = [n.id for n in problem.negotiators].index(party)
        self.problem, self.party, self.ratification = problem, party, ratification
        self._table = problem.negotiators[index].table
        self._codes = [{option: c for c, option in enumerate(options)} for options in space.option_ids]
        strides = [int(x) for x in space.encode(np.eye(space.n_issues, dtype=np.int64))] if space.size < 2**63 else None
        # option id -> its part of the package index, issue by issue (a package's index is their sum)
        self._index_parts = (
            [
                {option: c * stride for option, c in codes.items()}
                for codes, stride in zip(self._codes, strides, strict=True)
            ]
            if strides is not None
            else None
        )
        self._publics = [
            i
            for i, (p, binding) in enumerate(zip(problem.publics, problem.binding, strict=True))
            if binding and p.party == party
        ]
        self._status_quo = float(self._table.support(np.array([space.status_quo]))[0, 0])
        self._cache: dict[tuple[str, ...], float] = {}
        self._table_of_values: np.ndarray | None = None  # by package index, once computed
        # strict mode tests the rules as the engine does: on the estimates, or over the draws
        self._tested = problem if problem.confidence is not None else point_only(problem)
        super().__init__(
            outcome_space=outcome_space(problem),
            reserved_value=problem.negotiators[index].floor,  # the engine's test: utility >= floor
            name=party,
            **kwargs,
        )

    def codes(self, outcome: Sequence[str]) -> tuple[int, ...]:
        return tuple(lookup[value] for lookup, value in zip(self._codes, outcome, strict=True))

    def valid(self, outcome: Sequence[str]) -> bool:
        return bool(self.problem.space.is_valid(self.codes(outcome)))

    def eval(self, offer: Sequence[str]) -> float:
        key = tuple(offer)
        table = self._whole_space()
        # a whole-space table exists only for spaces small enough to have index parts
        if table is not None and self._index_parts is not None:
            return float(table[sum(part[value] for part, value in zip(self._index_parts, key, strict=True))])
        if key not in self._cache:
            self._cache[key] = float(self.values(np.array([self.codes(key)]))[0])
        return self._cache[key]

    def _whole_space(self) -> np.ndarray | None:
        """Every package's value by index, computed on first use where the space is small enough."""
        if self._table_of_values is None and self.problem.space.size <= self._precompute_limit():
            everything = self.problem.space.decode(np.arange(self.problem.space.size, dtype=np.int64))
            self._table_of_values = self.values(everything)
        return self._table_of_values

    def extreme_outcomes(
        self,
        outcome_space: DiscreteCartesianOutcomeSpace | None = None,
        issues: Sequence[Any] | None = None,
        outcomes: Sequence[tuple[str, ...]] | None = None,
        max_cardinality: int = 100_000,
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The worst and best packages: read off the whole-space values where they are computed
        (NegMAS would otherwise evaluate every outcome one by one)."""
        table = self._whole_space() if outcome_space is None and issues is None and outcomes is None else None
        if table is None:
            return super().extreme_outcomes(outcome_space, issues, outcomes, max_cardinality)
        return self._outcome(int(np.argmin(table))), self._outcome(int(np.argmax(table)))

    def _outcome(self, index: int) -> tuple[str, ...]:
        space = self.problem.space
        return tuple(space.option_ids[k][c] for k, c in enumerate(space.decode(index)))

    def _precompute_limit(self) -> int:
        # every package at once where that is cheap: draws make the soft mode dearer per package
        return SOFT_PRECOMPUTE if self.ratification == "soft" else PRECOMPUTE

    def values(self, codes: np.ndarray) -> np.ndarray:
        """The party's values of packages (rows of option codes), vectorised."""
        codes = np.atleast_2d(codes)
        out = np.empty(len(codes))
        for start in range(0, len(codes), CHUNK):
            out[start : start + CHUNK] = self._chunk(codes[start : start + CHUNK])
        return out

    def _chunk(self, codes: np.ndarray) -> np.ndarray:
        base = self._table.support(codes)[0]
        if self.ratification is not None and self._publics:
            quo = (codes == np.asarray(self.problem.space.status_quo)).all(axis=1)  # nothing to ratify
            if self.ratification == "strict":
                accepted = self._tested.evaluate(codes).accept[self._publics].all(axis=0) | quo
                base = np.where(accepted, base, self.reserved_value - REJECTED)
            else:
                margins = self.problem.evaluate(codes).draw_margins
                passes = [
                    margin_meets(margins[i][1:] if margins[i].shape[0] > 1 else margins[i]) for i in self._publics
                ]
                ratified = np.where(quo, 1.0, np.logical_and.reduce(passes).mean(axis=0))
                base = self._status_quo + ratified * (base - self._status_quo)
        return np.where(self.problem.space.is_valid(codes), base, self.reserved_value - BROKEN)


def party_utilities(problem: DealProblem, ratification: Mode | None = None) -> dict[str, PartyUtility]:
    """One NegMAS utility function per negotiator of the problem."""
    return {n.id: PartyUtility(problem, n.id, ratification) for n in problem.negotiators}

"""The compile step: a scenario and its fitted support models become the deal engine's problem.

The engine knows ScoreTables, never scenario files. This is the one place where a scenario's
parties become negotiators (additive utilities, as one-row identity-link tables on the engine's
utility grid, with their reservation values) and its ratifiers become publics (their fitted
support tables, their groups, and their rules as the engine's votes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .engine import WHOLE, DealProblem, Negotiator, Public, Rule, Vote
from .engine.rules import seats_needed
from .errors import EngineError, Problem, did_you_mean, known_list
from .scenario import Party, Ratifier, Scenario, counts_groups, describe, steps_of
from .scenario.rules_model import ChamberRule, DoubleMajorityRule, ShareRule
from .scoretable import ScoreTable
from .support.groups import GroupSplit
from .support.results import RatifierFit


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
    tables: Mapping[str, ScoreTable | RatifierFit],
    confidence: float | None = None,
    include_optional: bool = False,
) -> DealProblem:
    """The problem of a scenario, with each ratifier's fitted support model (or its support table
    alone, for a rule that counts no groups), by ratifier id."""
    negotiators = tuple(negotiator(scenario, party.id) for party in scenario.parties)
    publics = tuple(public(scenario, party, ratifier, tables[ratifier.id]) for party, ratifier in scenario.ratifiers)
    return DealProblem(scenario.space, negotiators, publics, confidence, include_optional)


def public(scenario: Scenario, party: Party, ratifier: Ratifier, fitted: ScoreTable | RatifierFit) -> Public:
    """A ratifier as the engine's public: its support table, its groups and its rule."""
    table, groups = (fitted.table, fitted.groups) if isinstance(fitted, RatifierFit) else (fitted, None)
    cells = groups.cells if groups is not None else None
    where = f"{scenario.location(ratifier.id)}.rule"
    try:
        rule = ratification_rule(ratifier, groups, where)
    except EngineError as error:  # a rule the groups the data hold cannot decide: say where it is
        raise EngineError(error.problems, source=scenario.source) from None
    return Public(ratifier.id, party.id, table, rule, ratifier.required, cells)


def ratification_rule(ratifier: Ratifier, groups: GroupSplit | None = None, where: str | None = None) -> Rule:
    """A ratifier's rule as the engine's votes (:mod:`winset.engine.rules`), over its fitted
    ``groups`` (needed by every rule kind but a share of the whole public); ``where`` names the
    rule in problems."""
    try:
        return _votes(ratifier, groups, where or f"ratifier '{ratifier.id}' rule")
    except EngineError as error:
        located = where or f"ratifier '{ratifier.id}' rule"
        raise EngineError(
            [
                p if p.location.startswith(located) else Problem(located, f"{p.location}: {p.message}", p.fix)
                for p in error.problems
            ]
        ) from None


@dataclass(frozen=True)
class _Named:
    """Groups known by name only (their shares are the fit's): enough to word a rule."""

    names: tuple[str, ...]

    @property
    def shares(self) -> tuple[float, ...]:
        return (1.0 / len(self.names),) * len(self.names)


def rule_text(ratifier: Ratifier) -> str:
    """The ratifier's rule in the words of the engine's results (``solve``, ``assess``), before
    any fit: with the group names the scenario lists. Where it lists none (the groups are the
    survey's values, and it states no shares) or the rule cannot be built, the scenario's own
    wording."""
    groups = ratifier.groups
    names = tuple(groups.values) or tuple(groups.shares) if groups is not None else ()
    if counts_groups(ratifier.rule) and not names:
        return describe(ratifier.rule)
    try:
        return _votes(ratifier, _Named(names) if names else None, "rule").describe()  # type: ignore[arg-type]
    except EngineError:
        return describe(ratifier.rule)


def _votes(ratifier: Ratifier, groups: GroupSplit | None, where: str) -> Rule:
    names = list(groups.names) if groups is not None else []
    if counts_groups(ratifier.rule) and groups is None:
        raise EngineError(
            [Problem(where, "the rule counts groups, but the support model has none", "give the ratifier [groups]")]
        )

    def index(name: str) -> int:
        if name not in names:
            raise EngineError(
                [Problem(where, f"'{name}' is not a group{did_you_mean(name, names)}", f"use {known_list(names)}")]
            )
        return names.index(name)

    def vote(
        name: str,
        members: list[str],
        sources: list[int],
        thresholds: list[float],
        weights: list[float] | None = None,
        needed: float | None = None,
        defect: Sequence[float] = (),
    ) -> Vote:
        weights = weights or [1.0] * len(members)
        return Vote(
            name,
            tuple(members),
            tuple(sources),
            tuple(thresholds),
            tuple(weights),
            needed or float(len(members)),
            tuple(defect),
        )

    votes = []
    for step in steps_of(ratifier.rule):
        if isinstance(step, ShareRule):
            votes.append(vote(step.name or "whole public", ["whole public"], [WHOLE], [step.threshold]))
            continue
        if isinstance(step, ChamberRule):
            seats = [float(b.seats) for b in step.blocs]
            votes.append(
                vote(
                    step.name,
                    [b.id for b in step.blocs],
                    [index(b.group) for b in step.blocs],
                    [b.threshold for b in step.blocs],
                    seats,
                    seats_needed(step.threshold, step.seats if step.seats is not None else sum(seats)),
                    [b.defect for b in step.blocs],
                )
            )
            continue
        members = step.groups or names
        if isinstance(step, DoubleMajorityRule):
            votes.append(vote(step.name or "whole public", ["whole public"], [WHOLE], [step.threshold]))
            group = step.group_threshold if step.group_threshold is not None else step.threshold
            label = f"{step.groups_needed} of {len(members)} groups"
            votes.append(
                vote(
                    label,
                    members,
                    [index(m) for m in members],
                    [group] * len(members),
                    needed=float(step.groups_needed),
                )
            )
        else:
            votes.append(
                vote(step.name or "every group", members, [index(m) for m in members], [step.threshold] * len(members))
            )
    return Rule(tuple(votes), tuple(names), groups.shares if groups is not None else ())

"""One negotiation, round by round, on NegMAS's alternating-offers mechanism, with opinion moving.

Each round is one step of a NegMAS ``SAOMechanism``: every negotiator offers or answers once.
Before a round, opinion moves (events, drift, audience costs from the last round's concessions)
and every negotiator rereads it through its own fixed misreading. When the negotiators sign a
package, every binding public votes on it as its opinion then stands, on one bootstrap draw of
its support model (the model's own uncertainty): a deal that fails there is an involuntary
defection, and the status quo stays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from negmas import SAOMechanism

from ..errors import NegotiationError, Problem, did_you_mean, known_list
from .choices import MODES, STRATEGIES
from .delegate import Delegate
from .opinion import Event, Opinion, concession
from .stage import Stage

if TYPE_CHECKING:
    from ..scenario import Scenario


@dataclass(frozen=True)
class Settings:
    """How the talks run: ``rounds`` meetings at most, the ratification ``mode`` the negotiators
    work in, how opinion moves, and whether publics vote on a bootstrap draw (``draws``) or on
    the point estimate."""

    rounds: int = 40
    mode: str = "strict"
    opinion: Opinion = field(default_factory=Opinion)
    draws: bool = True

    def __post_init__(self) -> None:
        if self.rounds < 1:
            raise NegotiationError(
                [Problem("rounds", f"rounds must be at least 1, got {self.rounds}", "give 1 or more rounds")]
            )
        if self.mode not in MODES:
            raise NegotiationError(
                [
                    Problem(
                        "mode",
                        f"unknown mode '{self.mode}'{did_you_mean(self.mode, MODES)}",
                        f"use one of {known_list(MODES)}",
                    )
                ]
            )

    @classmethod
    def from_scenario(cls, scenario: Scenario, **overrides: Any) -> Settings:
        """The settings a scenario's ``[talks]`` gives, with any field overridden (None: keep)."""
        talks = scenario.talks
        events = tuple(
            Event(scenario.text(e), e.ratifier, talks.event_round(e), e.shift, e.timing_sd) for e in talks.events
        )
        opinion = Opinion(talks.drift, talks.own_noise, talks.other_noise, talks.audience_cost, events)
        settings = cls(rounds=talks.rounds, mode=talks.mode, opinion=opinion)
        return replace(settings, **{k: v for k, v in overrides.items() if v is not None})


@dataclass(frozen=True)
class Talk:
    """What one negotiation came to."""

    strategies: tuple[str, ...]
    draw: int  # bootstrap draw the publics voted on (0: point estimate)
    signed: bool
    round: int | None  # round of signing (1-based)
    package: int | None  # package index of the signed deal
    ratified: bool
    rejected_by: tuple[str, ...]  # binding publics that voted the signed deal down
    utilities: tuple[float, ...]  # each negotiator's utility of the outcome (status quo if none)
    shifts: tuple[float, ...]  # each public's opinion shift when the talks ended


def run_talks(stage: Stage, settings: Settings, strategies: tuple[str, ...], rng: np.random.Generator) -> Talk:
    """Negotiate once; everything random comes from ``rng`` (same generator state, same talk)."""
    problem = stage.problem
    if len(strategies) != len(problem.negotiators):
        raise NegotiationError(
            [
                Problem(
                    "strategies",
                    f"{len(strategies)} strategies for {len(problem.negotiators)} negotiators",
                    f"give one strategy per negotiator ({len(problem.negotiators)})",
                )
            ]
        )
    for strategy in strategies:
        if strategy not in STRATEGIES:
            raise NegotiationError(
                [
                    Problem(
                        "strategies",
                        f"unknown strategy '{strategy}'{did_you_mean(strategy, STRATEGIES)}",
                        f"use one of {known_list(STRATEGIES)}",
                    )
                ]
            )
    opinion = settings.opinion
    publics = stage.public_ids
    n_draws = min((p.n_draws for p in problem.publics), default=0)
    draw = int(rng.integers(1, n_draws + 1)) if settings.draws and n_draws > 0 else 0
    path = opinion.scripted(publics, settings.rounds, rng)
    misread = opinion.misreadings(stage.sides, rng)
    noise = np.where(stage.sides, opinion.own_noise, opinion.other_noise)
    delegates = [Delegate(stage, j, strategy, settings.mode, noise[j]) for j, strategy in enumerate(strategies)]
    mechanism = SAOMechanism(outcome_space=stage.outcome_space, n_steps=settings.rounds)
    for j in rng.permutation(len(delegates)):  # who opens is drawn too
        mechanism.add(delegates[j])
    backlash = np.zeros(len(publics))
    shifts = path[0]
    for t in range(settings.rounds):
        shifts = path[t + 1] + backlash
        for j, delegate in enumerate(delegates):
            delegate.believe(shifts + misread[j])
        state = mechanism.step()
        if state.agreement is not None:
            return _signed(stage, strategies, draw, t + 1, state.agreement, shifts)
        if state.ended:
            break
        for j, delegate in enumerate(delegates):
            if delegate.offered_now and len(delegate.offers) > 1:
                given = concession(stage.parts[j], delegate.offers[-2], delegate.offers[-1])
                backlash[stage.sides[j]] -= opinion.audience_cost * given
    quo = stage.utility[:, stage.status_quo]
    return Talk(
        tuple(strategies), draw, False, None, None, False, (), tuple(map(float, quo)), tuple(map(float, shifts))
    )


def _signed(
    stage: Stage, strategies: Sequence[str], draw: int, round_: int, agreement: tuple[str, ...], shifts: np.ndarray
) -> Talk:
    position = stage.position(agreement)
    assert position is not None  # the delegates offer valid packages only, so they agree on one
    binding = stage.problem.binding
    verdicts = stage.ratifies(position, shifts, draw)
    rejected = tuple(p for p, b, ok in zip(stage.public_ids, binding, verdicts, strict=True) if b and not ok)
    ratified = not rejected
    utilities = stage.utility[:, position if ratified else stage.status_quo]
    return Talk(
        tuple(strategies),
        draw,
        True,
        round_,
        int(stage.index[position]),
        ratified,
        rejected,
        tuple(map(float, utilities)),
        tuple(map(float, shifts)),
    )

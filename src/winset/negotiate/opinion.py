"""Public opinion during talks: how each public's support moves, and how well negotiators read it.

Opinion is a shift on the logit scale added to every row of a public's support model (the same
shift the engine's ratification gap measures). Over the rounds of a negotiation it moves by:

* scripted **events** (a summit communique, a protest, a constitutional amendment): at a round,
  optionally jittered (``timing_sd`` rounds), a public's shift jumps by ``shift`` and stays;
* random **drift**: a random walk with standard deviation ``drift`` per round;
* **audience costs**: when a negotiator concedes, its own publics turn against a deal by
  ``audience_cost`` times the concession on the negotiator's utility scale, issue by issue, so
  conceding on a heavily weighted (salient) issue costs most.

Negotiators read opinion with error: each has a fixed misreading of every public for the whole
talks, drawn with standard deviation ``own_noise`` for its own publics and ``other_noise`` for the
other side's. A deal they believe will pass can therefore fail at home.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import NegotiationError, Problem


def first_round(when: float) -> int:
    """The first round whose opinion an event at ``when`` (a round, perhaps between two: a date
    counted in rounds) has changed."""
    return max(math.ceil(when - 1e-9), 0)


@dataclass(frozen=True)
class Event:
    """A scripted change of one public's opinion: from round ``round`` on, its shift moves by
    ``shift`` (logit scale); ``timing_sd`` (rounds) makes the timing uncertain across runs."""

    label: str
    public: str
    round: float
    shift: float
    timing_sd: float = 0.0


@dataclass(frozen=True)
class Opinion:
    """How opinion moves during talks and how well the negotiators know it (see module docs)."""

    drift: float = 0.03
    own_noise: float = 0.1
    other_noise: float = 0.3
    audience_cost: float = 0.5
    events: tuple[Event, ...] = field(default=())

    def __post_init__(self) -> None:
        for name in ("drift", "own_noise", "other_noise", "audience_cost"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise NegotiationError(
                    [Problem(name, f"{name} must be a finite number >= 0, got {value}", f"give {name} as 0 or more")]
                )

    def scripted(self, publics: list[str], rounds: int, rng: np.random.Generator) -> np.ndarray:
        """Shifts from events and drift, (rounds + 1, publics): row t is the opinion in round t
        (row 0 before the first round)."""
        path = np.zeros((rounds + 1, len(publics)))
        for event in self.events:
            when = event.round + (rng.normal(0.0, event.timing_sd) if event.timing_sd > 0 else 0.0)
            start = min(first_round(when), rounds + 1)
            path[start:, publics.index(event.public)] += event.shift
        if self.drift > 0:
            path[1:] += rng.normal(0.0, self.drift, (rounds, len(publics))).cumsum(axis=0)
        return path

    def misreadings(self, own: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Each negotiator's fixed error in reading each public, (negotiators, publics); ``own[j, i]``
        says whether public i belongs to negotiator j's side."""
        scale = np.where(own, self.own_noise, self.other_noise)
        return rng.normal(0.0, 1.0, own.shape) * scale


def concession(contributions: np.ndarray, before: int, after: int) -> float:
    """How much a negotiator gave up moving its offer from ``before`` to ``after``: the sum over
    issues of its utility lost on each (gains on other issues do not offset it)."""
    return float(np.maximum(contributions[before] - contributions[after], 0.0).sum())

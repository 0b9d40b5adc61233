"""A negotiator at the table who answers to a public at home: a NegMAS SAO negotiator.

It concedes over time as NegMAS's aspiration curves prescribe (``boulware``, ``linear``,
``conceder``) or matches the other side's concessions (``tit-for-tat``, which also gives up a
little over time, ``KINDNESS`` of its range by the deadline, so two of them do not deadlock), over the packages it
believes both sides could ratify:

* ``strict``: only packages it believes every binding public on both sides accepts, worth at
  least its reservation value;
* ``soft``: every package, valued p u + (1 - p) u(status quo), where p is the probability it
  gives, from its reading of opinion and how uncertain that reading is, that both sides ratify.

Among the packages at or above its current aspiration it offers the one the other side values
most (the negotiators' utilities are common knowledge, publics are read with error; with more
than one other side, the sum of their values), so patient,
well-informed negotiators end on the Pareto frontier. It accepts an offer worth at least its
current aspiration. With nothing it believes could pass, it holds to the status quo and accepts
nothing. Its values are vectors over every valid package, so a change of belief costs one pass
over them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from negmas import PolyAspiration, ResponseType, SAONegotiator
from negmas.sao import SAOState
from scipy.special import ndtr

from .choices import MODES, STRATEGIES
from .stage import Stage

EPS = 1e-12
KINDNESS = 0.25  # share of its range a tit-for-tat negotiator gives up by the deadline unprompted


class Delegate(SAONegotiator):
    """Negotiator ``party`` (index into the stage's negotiators) with a strategy and a mode."""

    def __init__(self, stage: Stage, party: int, strategy: str, mode: str, noise: np.ndarray, **kwargs: Any) -> None:
        if strategy not in STRATEGIES:
            raise ValueError(f"unknown strategy '{strategy}'; use one of {', '.join(STRATEGIES)}")
        if mode not in MODES:
            raise ValueError(f"unknown mode '{mode}'; use one of {', '.join(MODES)}")
        super().__init__(name=stage.negotiator_ids[party], **kwargs)
        self.stage, self.party, self.strategy, self.mode = stage, party, strategy, mode
        self.others = [j for j in range(len(stage.negotiator_ids)) if j != party]
        self.others_utility = stage.utility[self.others].sum(axis=0)  # what it offers by, in strict mode
        self.noise = noise  # (publics,) how uncertain its reading of each public is (soft mode)
        self.curve = None if strategy == "tit-for-tat" else PolyAspiration(1.0, strategy)
        self.reservation = stage.problem.negotiators[party].reservation
        self.floor = stage.problem.negotiators[party].floor  # the lowest utility that reaches it
        self.offers: list[int] = []  # positions of its own offers (holding offers excluded)
        self.received: list[int] = []  # positions of the other side's offers
        self.offered_now = False
        # set by believe(): its value of each package, the others' value, what it would offer
        self.value: np.ndarray | None = None
        self.theirs: np.ndarray | None = None
        self.candidates: np.ndarray | None = None
        self.top = -np.inf

    # ------------------------------------------------------------------ beliefs
    def believe(self, shifts: np.ndarray) -> None:
        """Set what it believes each public's opinion shift is; revalue every package."""
        stage = self.stage
        binding = stage.problem.binding
        mine = stage.utility[self.party]
        if self.mode == "strict":
            passes = np.all(stage.needed[binding] <= shifts[binding, None], axis=0)
            value = mine
            candidates = passes & (mine >= self.floor)
            theirs = self.others_utility
        else:
            z = (shifts[binding, None] - stage.needed[binding]) / np.maximum(self.noise[binding, None], EPS)
            p = np.prod(ndtr(z), axis=0)
            quo = stage.utility[:, stage.status_quo]
            # quo + p (u - quo): a package worth the status quo is worth it exactly, whatever p
            value = quo[self.party] + p * (mine - quo[self.party])
            candidates = value >= self.floor
            theirs = (quo[self.others, None] + p * (stage.utility[self.others] - quo[self.others, None])).sum(axis=0)
        candidates[stage.status_quo] = False  # agreeing on no change is no agreement
        self.value, self.candidates, self.theirs = value, candidates, theirs
        self.top = float(value[candidates].max()) if candidates.any() else -np.inf

    def _beliefs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Its value of each package, the others' value and its candidates (set by :meth:`believe`)."""
        if self.value is None or self.theirs is None or self.candidates is None:
            raise RuntimeError(f"delegate {self.name} negotiates before it believes anything (call believe first)")
        return self.value, self.theirs, self.candidates

    # ------------------------------------------------------------------ strategy
    def aspiration(self, state: SAOState) -> float:
        """The value it asks for now: between its best believed-ratifiable value and its reservation."""
        if self.curve is not None:
            steps = self.nmi.n_steps or 1
            t = min(1.0, state.step / max(1, steps - 1))
            return self.reservation + (self.top - self.reservation) * self.curve.utility_at(t)
        # tit-for-tat: give up as much as the other side has (measured on its own scale), plus a
        # little over time so that two of them do not wait for each other forever
        steps = self.nmi.n_steps or 1
        t = min(1.0, state.step / max(1, steps - 1))
        mirrored = 0.0
        if len(self.received) >= 2:
            value, _, _ = self._beliefs()
            seen = value[np.array(self.received)]
            mirrored = max(0.0, float(seen.max() - seen[0]))
        return max(self.reservation, self.top - mirrored - KINDNESS * t * (self.top - self.reservation))

    def propose(self, state: SAOState, dest: str | None = None) -> tuple[str, ...]:
        self.offered_now = False
        if not np.isfinite(self.top):
            return self.stage.outcome(self.stage.status_quo)  # nothing could pass: hold
        value, their_value, candidates = self._beliefs()
        wanted = self.aspiration(state)
        band = candidates & (value >= min(wanted, self.top) - EPS)
        positions = np.flatnonzero(band)
        theirs = their_value[positions]
        best = positions[theirs >= theirs.max() - EPS]
        choice = int(best[np.argmax(value[best])])  # ties: best for itself, then lowest index
        self.offers.append(choice)
        self.offered_now = True
        return self.stage.outcome(choice)

    def respond(self, state: SAOState, source: str | None = None) -> ResponseType:
        position = self.stage.position(state.current_offer)
        if position is None:
            return ResponseType.REJECT_OFFER
        if position != self.stage.status_quo:
            self.received.append(position)
        value, _, candidates = self._beliefs()
        if candidates[position] and value[position] >= self.aspiration(state) - EPS:
            return ResponseType.ACCEPT_OFFER
        return ResponseType.REJECT_OFFER

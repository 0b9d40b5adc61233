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

import numpy as np
from negmas import PolyAspiration, ResponseType, SAONegotiator
from scipy.special import ndtr

from .choices import MODES, STRATEGIES
from .stage import Stage

EPS = 1e-12
KINDNESS = 0.25  # share of its range a tit-for-tat negotiator gives up by the deadline unprompted


class Delegate(SAONegotiator):
    """Negotiator ``party`` (index into the stage's negotiators) with a strategy and a mode."""

    def __init__(self, stage: Stage, party: int, strategy: str, mode: str, noise: np.ndarray, **kwargs):
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
        self.value = self.theirs = self.candidates = None
        self.top = -np.inf

    # ------------------------------------------------------------------ beliefs
    def believe(self, shifts: np.ndarray) -> None:
        """Set what it believes each public's opinion shift is; revalue every package."""
        stage = self.stage
        binding = stage.problem.binding
        mine = stage.utility[self.party]
        if self.mode == "strict":
            passes = np.all(stage.needed[binding] <= shifts[binding, None], axis=0)
            self.value = mine
            self.candidates = passes & (mine >= self.floor)
            self.theirs = self.others_utility
        else:
            z = (shifts[binding, None] - stage.needed[binding]) / np.maximum(self.noise[binding, None], EPS)
            p = np.prod(ndtr(z), axis=0)
            quo = stage.utility[:, stage.status_quo]
            # quo + p (u - quo): a package worth the status quo is worth it exactly, whatever p
            self.value = quo[self.party] + p * (mine - quo[self.party])
            self.candidates = self.value >= self.floor
            self.theirs = (quo[self.others, None] + p * (stage.utility[self.others] - quo[self.others, None])).sum(
                axis=0
            )
        self.candidates[stage.status_quo] = False  # agreeing on no change is no agreement
        self.top = float(self.value[self.candidates].max()) if self.candidates.any() else -np.inf

    # ------------------------------------------------------------------ strategy
    def aspiration(self, state) -> float:
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
            seen = self.value[np.array(self.received)]
            mirrored = max(0.0, float(seen.max() - seen[0]))
        return max(self.reservation, self.top - mirrored - KINDNESS * t * (self.top - self.reservation))

    def propose(self, state, dest: str | None = None):
        self.offered_now = False
        if not np.isfinite(self.top):
            return self.stage.outcome(self.stage.status_quo)  # nothing could pass: hold
        wanted = self.aspiration(state)
        band = self.candidates & (self.value >= min(wanted, self.top) - EPS)
        positions = np.flatnonzero(band)
        theirs = self.theirs[positions]
        best = positions[theirs >= theirs.max() - EPS]
        choice = int(best[np.argmax(self.value[best])])  # ties: best for itself, then lowest index
        self.offers.append(choice)
        self.offered_now = True
        return self.stage.outcome(choice)

    def respond(self, state, source: str | None = None) -> ResponseType:
        position = self.stage.position(state.current_offer)
        if position is None:
            return ResponseType.REJECT_OFFER
        if position != self.stage.status_quo:
            self.received.append(position)
        if self.candidates[position] and self.value[position] >= self.aspiration(state) - EPS:
            return ResponseType.ACCEPT_OFFER
        return ResponseType.REJECT_OFFER

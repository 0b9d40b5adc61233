"""Ratification rules: how the support of a public, or of its groups, decides whether a package
passes.

A public may be split into groups (regions, communities, parties' voters), each with its
population share; group g's support is the weighted share of its own rows backing the package,
and the whole public's support is ``sum_g share_g * support_g``. A rule is one or more *votes*,
all of which must pass (a sequence of steps: both chambers, then a referendum). A vote has
members, each following one source (the whole public or one group) with its own threshold; a
member votes yes when its source's support reaches that threshold (:func:`winset.compare.meets`).
A member has a weight (its seats; 1 for a group) and may have a share of defectors, who vote
against its line: a yes-voting member casts ``weight * (1 - defect)`` yes votes, a no-voting one
``weight * defect``. The vote passes when the yes votes reach ``needed``. Every rule kind is such a
vote or a list of them:

- a share of the whole public at least t: one member (the whole public), needed 1;
- concurrent consent: every listed group at least t, needed = all of them;
- a double majority: the whole public at least t, and a second vote of the groups, needed k;
- a legislature: blocs with seats, needed = the chamber's threshold times its seats;
- several steps in sequence: the votes of every step.

*The margin* of a vote is the smallest uniform change of support, in every member's source, that
would flip its verdict: sort the members by their own margin (support minus threshold), count
their yes votes from the most supportive down, and the margin is that of the member whose votes
carry the vote (the *pivotal* member). It is at least 0 (to within the tolerance) exactly when the
vote passes, and it never falls when any support rises: rules are monotone, so bounds on supports
bound margins and branch and bound stays exact. A rule's margin is the smallest of its votes'.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

import numpy as np

from ..compare import meets
from ..errors import EngineError, Problem

WHOLE = -1  # a member's source: the whole public rather than one of its groups
VOTE_TOLERANCE = 1e-9  # of the vote's total weight: yes votes this close below `needed` carry it
COALITION_MEMBERS = 12  # votes of up to this many members find their winning coalitions
COALITION_TERMS = 64  # and take their margin from them when these hold this many members in all


@dataclass(frozen=True)
class Vote:
    """One vote: ``members`` (names), each following ``sources`` (a group index, or WHOLE) at its
    ``thresholds``, with ``weights`` (seats) and ``defect`` shares; passes when the yes votes reach
    ``needed``."""

    name: str
    members: tuple[str, ...]
    sources: tuple[int, ...]
    thresholds: tuple[float, ...]
    weights: tuple[float, ...]
    needed: float
    defect: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        n = len(self.members)
        problems = []
        values = (*self.thresholds, *self.weights, *self.defect, self.needed)
        numeric = all(isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool) for x in values)
        whole = all(isinstance(x, (int, np.integer)) and not isinstance(x, bool) for x in self.sources)
        defect = tuple(float(d) for d in self.defect) if self.defect and numeric else (0.0,) * n
        object.__setattr__(self, "defect", defect)
        if not (numeric and whole and np.all(np.isfinite(np.asarray(values, dtype=float)))):
            problems.append("its thresholds, weights, defect shares and needed votes must be finite numbers")
        elif not n or not (len(self.sources) == len(self.thresholds) == len(self.weights) == len(defect) == n):
            problems.append("needs at least one member, and one source, threshold, weight and defect share each")
        elif not all(w > 0 for w in self.weights) or not all(0 <= d < 0.5 for d in defect):
            problems.append("every weight must be positive and every defect share in [0, 0.5)")
        elif self.needed <= self.base + self.tolerance:
            problems.append("its defectors alone would carry it, whatever the public thinks")
        elif self.needed > self.base + sum(self.contributions) + self.tolerance:
            problems.append("it cannot pass even when every member votes yes")
        if problems:
            raise EngineError(
                [Problem(f"vote '{self.name}'", problems[0], "state members and a threshold it can reach")]
            )

    @property
    def base(self) -> float:
        """The yes votes cast when every member votes no (its defectors)."""
        return float(sum(w * d for w, d in zip(self.weights, self.defect, strict=True)))

    @property
    def contributions(self) -> tuple[float, ...]:
        """The yes votes a member adds by voting yes."""
        return tuple(w * (1 - 2 * d) for w, d in zip(self.weights, self.defect, strict=True))

    @property
    def tolerance(self) -> float:
        return VOTE_TOLERANCE * float(sum(self.weights))

    @cached_property
    def every_member_needed(self) -> bool:
        """Whether the vote fails when any one member votes no: then its margin is the smallest
        of its members' (and a bound on each member is a bound on the vote)."""
        wins = self._wins
        if wins is not None:
            everyone = len(wins) - 1
            return not any(wins[everyone & ~(1 << i)] for i in range(len(self.members)))
        total = self.base + sum(self.contributions)
        return all(total - c < self.needed - self.tolerance for c in self.contributions)

    def margins(self, member_margins: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The vote's margin and its pivotal member from the members' margins (members, ...):
        two arrays of the trailing shape."""
        if self.every_member_needed:
            return member_margins.min(axis=0), member_margins.argmin(axis=0)
        order = np.argsort(-member_margins, axis=0, kind="stable")  # most supportive first
        wins = self._wins
        if wins is not None:  # the members so far as a bit mask, decided exactly
            carried = wins[np.bitwise_or.accumulate(np.left_shift(1, order), axis=0)]
        else:
            contributions = np.asarray(self.contributions)[order]
            carried = self.base + np.cumsum(contributions, axis=0) >= self.needed - self.tolerance
        first = np.argmax(carried, axis=0)[None]  # the first member whose yes votes carry it
        pivot = np.take_along_axis(order, first, axis=0)[0]
        margin = np.take_along_axis(member_margins, pivot[None], axis=0)[0]
        return margin, pivot

    def margin(self, member_margins: list[np.ndarray]) -> np.ndarray:
        """The vote's margin alone, as :meth:`margins` gives it, from each member's margins.

        The margin is the largest over the minimal winning coalitions of the smallest margin in
        the coalition: the members at or above the pivot's margin are winning, and a winning
        coalition's weakest member is at or below it. Where a vote has a few such coalitions
        (:data:`COALITION_TERMS`), that is a few elementwise minima and maxima instead of
        sorting the members of every package."""
        coalitions = self._coalitions
        if coalitions is None:
            return self.margins(np.stack(member_margins))[0]
        out: np.ndarray | None = None
        for coalition in coalitions:
            weakest = np.minimum.reduce([member_margins[i] for i in coalition])
            out = weakest if out is None else np.maximum(out, weakest)
        assert out is not None  # every vote can pass (checked), so some coalition wins
        return out  # a new array: the reduction stacks its members

    @cached_property
    def _wins(self) -> np.ndarray | None:
        """Whether each subset of the members (a bit mask), voting yes, carries the vote, its
        yes votes summed exactly (so that no order of adding them decides a vote at its edge);
        None for a vote of more than :data:`COALITION_MEMBERS`."""
        n = len(self.members)
        if n > COALITION_MEMBERS:
            return None
        need = self.needed - self.tolerance
        return np.array(
            [
                self.base + math.fsum(c for i, c in enumerate(self.contributions) if subset >> i & 1) >= need
                for subset in range(2**n)
            ]
        )

    @property
    def winning_subsets(self) -> list[bool] | None:
        """:attr:`_wins` as a list, for the report's explorer to count votes as the engine does."""
        return None if self._wins is None else [bool(w) for w in self._wins]

    @cached_property
    def _coalitions(self) -> list[tuple[int, ...]] | None:
        """The minimal winning coalitions (members' indices); None for a vote of many members or
        with many such coalitions."""
        wins = self._wins
        if wins is None:
            return None
        n = len(self.members)
        minimal = [
            tuple(i for i in range(n) if subset >> i & 1)
            for subset in range(2**n)
            if wins[subset] and not any(wins[subset & ~(1 << i)] for i in range(n) if subset >> i & 1)
        ]
        return minimal if sum(len(c) for c in minimal) <= COALITION_TERMS else None

    @property
    def needed_text(self) -> str:
        """The votes needed, as a reader counts them: whole seats where every member casts whole
        votes (two thirds of 100 is 67), else the number itself."""
        whole = all(float(w).is_integer() for w in self.weights) and not any(self.defect)
        return f"{int(np.ceil(self.needed - self.tolerance))}" if whole else f"{self.needed:.4g}"

    def yes_votes(self, supports: np.ndarray) -> float:
        """The yes votes for members' sources' ``supports`` (one package, members)."""
        yes = meets(supports, np.asarray(self.thresholds))
        return float(self.base + np.asarray(self.contributions) @ yes)


@dataclass(frozen=True)
class Rule:
    """A public's rule: ``votes`` that must all pass, over the public's ``groups`` (names) with
    population ``shares`` (summing to one; no groups: the public as a whole)."""

    votes: tuple[Vote, ...]
    groups: tuple[str, ...] = ()
    shares: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        problems = []
        if not self.votes:
            problems.append(Problem("rule", "a rule needs at least one vote", "give a threshold"))
        if len(self.shares) != len(self.groups):
            problems.append(Problem("rule", "every group needs a population share", "give one share per group"))
        elif self.groups and not (
            np.all(np.isfinite(self.shares)) and min(self.shares) > 0 and abs(sum(self.shares) - 1) <= 1e-6
        ):
            problems.append(Problem("rule", "group shares must be positive and sum to 1", "correct the shares"))
        for vote in self.votes:
            if any(not WHOLE <= s < len(self.groups) for s in vote.sources):
                problems.append(Problem(f"vote '{vote.name}'", "a member follows an unknown group", "name a group"))
        if problems:
            raise EngineError(problems)

    @staticmethod
    def share(threshold: float, name: str = "whole public") -> Rule:
        """The share of the whole public at least ``threshold``."""
        return Rule((Vote(name, (name,), (WHOLE,), (float(threshold),), (1.0,), 1.0),))

    @property
    def n_groups(self) -> int:
        """Groups the public's support is computed for (1: the public as a whole)."""
        return max(len(self.groups), 1)

    @property
    def threshold(self) -> float:
        """The threshold on the whole public's support where the rule is that share alone, else nan."""
        first = self.votes[0]
        if len(self.votes) == 1 and first.sources == (WHOLE,):
            return first.thresholds[0]
        return float("nan")

    @property
    def is_share(self) -> bool:
        return not np.isnan(self.threshold)

    @property
    def plain(self) -> bool:
        """Whether the rule is a share of a public without groups (nothing to say vote by vote)."""
        return self.is_share and not self.groups

    def whole(self, support: np.ndarray) -> np.ndarray:
        """The whole public's support from the groups' (draws, groups, m): (draws, m)."""
        if not self.groups:
            return support[:, 0]
        return np.tensordot(np.asarray(self.shares), support, axes=([0], [1]))

    def sources(self, support: np.ndarray) -> np.ndarray:
        """(1 + groups, ...) : the whole public's support, then each group's, from the groups'
        supports (draws, groups, m)."""
        whole = self.whole(support)
        return np.concatenate([whole[None], np.moveaxis(support, 1, 0)]) if self.groups else whole[None]

    def margins(self, support: np.ndarray) -> np.ndarray:
        """The rule's margin per draw and package from the groups' supports (draws, groups, m):
        :meth:`explain`'s first array, without its pivots."""
        uses_whole = any(WHOLE in vote.sources for vote in self.votes)
        whole = self.whole(support) if uses_whole else np.empty(0)  # only what a vote reads
        out: np.ndarray | None = None
        for vote in self.votes:
            members = [
                np.subtract(whole if source == WHOLE else support[:, source], threshold)
                for source, threshold in zip(vote.sources, vote.thresholds, strict=True)
            ]
            margin = vote.margin(members)
            out = margin if out is None else np.minimum(out, margin)
        assert out is not None  # a rule has at least one vote
        return out

    def explain(self, support: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The rule's margin (draws, m), the vote that binds (its smallest margin) and that vote's
        pivotal member (both (draws, m) indices), from the groups' supports (draws, groups, m)."""
        sources = self.sources(support)
        margins, pivots = [], []
        for vote in self.votes:
            rows = np.asarray(vote.sources) + 1  # WHOLE is row 0
            shape = (-1,) + (1,) * (sources.ndim - 1)
            member_margins = sources[rows] - np.asarray(vote.thresholds).reshape(shape)
            margin, pivot = vote.margins(member_margins)
            margins.append(margin)
            pivots.append(pivot)
        stacked = np.stack(margins)
        binding = stacked.argmin(axis=0)
        margin = np.take_along_axis(stacked, binding[None], axis=0)[0]
        pivot = np.take_along_axis(np.stack(pivots), binding[None], axis=0)[0]
        return margin, binding, pivot

    def describe(self) -> str:
        """The rule in a few words: ``support >= 50.0%`` for a share of the whole public, else
        each vote's needed votes of its total (``US Senate: 67 of 100 votes``)."""
        if self.is_share:
            return f"support >= {self.threshold:.1%}"
        parts = []
        for vote in self.votes:
            if vote.sources == (WHOLE,):
                parts.append(f"{vote.name} >= {vote.thresholds[0]:.1%}")
                continue
            parts.append(f"{vote.name}: {vote.needed_text} of {sum(vote.weights):.4g} votes")
        return "; ".join(parts)

    def source_name(self, source: int) -> str:
        return "whole public" if source == WHOLE else self.groups[source]


def seats_needed(threshold: float | str | Fraction, seats: float) -> float:
    """The yes votes a chamber of ``seats`` needs at ``threshold`` (a share, or a fraction
    written ``"2/3"``): exact for fractions, so two thirds of 100 senators is 66 2/3 (67 senators)."""
    return float(Fraction(str(threshold)) * Fraction(str(seats)))

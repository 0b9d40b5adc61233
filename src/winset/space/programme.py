"""Counting the valid packages, and finding the options no valid package holds, by dynamic
programming over the issues: the work grows with the number of the programme's states, not with
the size of the package space (which can exceed 10^30)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence, Sized

import numpy as np

from ..errors import PackageError, Problem
from .constraint import SpaceConstraint

STATE_LIMIT = 1_000_000  # states of the programme beyond which a space is refused, not counted

Part = tuple[int, frozenset[int]]  # an issue (its position in the programme's order) and its forbidden options
Remainder = tuple[Part, ...]  # what is left of a constraint: its parts on later issues, in order
State = frozenset[Remainder]


class Programme:
    """Dynamic programming over the issues, in order, for questions about the valid packages.

    Before each issue, the state is what the issues so far leave of the constraints they have
    matched: for each such constraint, the part that names later issues (its *remainder*: those
    issues and their forbidden options). A package breaks a constraint when it matches the last
    part of a remainder. Two constraints with the same remainder act alike from then on, so the
    state is the set of distinct remainders: ten constraints that all end with the same issue and
    option leave one remainder, not 2^10 subsets of constraints. Options of an issue that act
    alike on the remainders are taken together.
    """

    def __init__(self, shape: Sequence[int], constraints: Sequence[SpaceConstraint]) -> None:
        self.order = narrow_order(len(shape), [c.issues for c in constraints])
        position = {issue: k for k, issue in enumerate(self.order)}
        # the programme runs over the issues in ``order``: constraints renumbered to match
        constraints = [SpaceConstraint(c.id, tuple(position[i] for i in c.issues), c.masks) for c in constraints]
        self.shape = tuple(shape[i] for i in self.order)
        self.start: State = frozenset(
            tuple(sorted((k, frozenset(np.flatnonzero(m).tolist())) for k, m in zip(c.issues, c.masks, strict=True)))
            for c in constraints
        )
        # per issue: the first parts of remainders that name it, and which of them each option matches
        firsts: list[set[Part]] = [set() for _ in self.shape]
        for remainder in self._all_remainders(constraints):
            firsts[remainder[0][0]].add(remainder[0])
        self.classes = [
            [frozenset(part for part in firsts[k] if option in part[1]) for option in range(n)]
            for k, n in enumerate(self.shape)
        ]

    @staticmethod
    def _all_remainders(constraints: Sequence[SpaceConstraint]) -> set[Remainder]:
        out: set[Remainder] = set()
        for c in constraints:
            parts = sorted((k, frozenset(np.flatnonzero(m).tolist())) for k, m in zip(c.issues, c.masks, strict=True))
            out.update(tuple(parts[i:]) for i in range(len(parts)))
        return out

    def step(self, state: State, k: int, matched: frozenset[Part]) -> State | None:
        """The state after issue ``k`` takes an option that matches the parts ``matched``; None if
        that completes a constraint."""
        after: set[Remainder] = set()
        for remainder in state:
            if remainder[0][0] != k:
                after.add(remainder)  # names only later issues
            elif remainder[0] in matched:
                if len(remainder) == 1:
                    return None  # matched on every issue it names: forbidden
                after.add(remainder[1:])
        return frozenset(after)

    def _bounded(self, states: Sized) -> None:
        if len(states) > STATE_LIMIT:
            raise PackageError(
                [
                    Problem(
                        "constraints",
                        f"the constraints overlap too much to reason about every package exactly (more than "
                        f"{STATE_LIMIT:,} ways to have matched part of them)",
                        "merge constraints that forbid the same thing, or split the scenario into smaller ones",
                    )
                ]
            )

    def count(self) -> int:
        states: dict[State, int] = {self.start: 1}
        for k in range(len(self.shape)):
            multiplicity: dict[frozenset[Part], int] = defaultdict(int)
            for matched in self.classes[k]:
                multiplicity[matched] += 1
            after: dict[State, int] = defaultdict(int)
            for state, count in states.items():
                for matched, times in multiplicity.items():
                    t = self.step(state, k, matched)
                    if t is not None:
                        after[t] += count * times
            self._bounded(after)
            states = after
        return sum(states.values())

    def alive(self) -> list[np.ndarray]:
        """For each issue, which of its options some valid package contains: a pass forward finds
        the states reachable before each issue, a pass backward those from which some completion
        breaks no constraint, and an option is alive where it leads from the one to the other."""
        forward = [{self.start}]
        for k in range(len(self.shape)):
            kinds = set(self.classes[k])
            forward.append({t for s in forward[k] for g in kinds if (t := self.step(s, k, g)) is not None})
            self._bounded(forward[-1])
        good, alive = forward[-1], []
        for k in reversed(range(len(self.shape))):
            kinds = set(self.classes[k])
            ok = {g: any(self.step(s, k, g) in good for s in forward[k]) for g in kinds}
            alive.append(np.array([ok[g] for g in self.classes[k]], dtype=bool))
            good = {s for s in forward[k] if any(self.step(s, k, g) in good for g in kinds)}
        alive = alive[::-1]
        out: list[np.ndarray] = [np.zeros(0, dtype=bool)] * len(self.order)
        for k, issue in enumerate(self.order):
            out[issue] = alive[k]
        return out


def narrow_order(n_issues: int, constraint_issues: Sequence[Sequence[int]]) -> list[int]:
    """An order of the issues that keeps few constraints half-assigned at any point (each next
    issue is the one leaving the fewest constraints started but not finished; ties: the first),
    since the programme's states grow with them."""
    remaining = set(range(n_issues))
    placed: set[int] = set()
    order: list[int] = []
    issues = [set(c) for c in constraint_issues]
    while remaining:

        def half_open(candidate: int) -> int:
            now = placed | {candidate}
            return sum(1 for c in issues if c & now and not c <= now)

        best = min(sorted(remaining), key=half_open)
        order.append(best)
        placed.add(best)
        remaining.remove(best)
    return order

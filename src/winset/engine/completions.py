"""Valid completions of a partial package, counted without enumerating them: a dynamic programme
over the unassigned issues whose state is the set of constraints still matched so far.

Branch and bound counts a node whose every completion passes as a whole, by this count.
"""

from __future__ import annotations

import numpy as np

Constraint = tuple[np.ndarray, list[np.ndarray]]  # positions of its issues (search order, sorted), masks


class Completions:
    """Counts of valid completions for one search order: ``shape`` the options of each issue in
    that order, ``constraints`` each constraint's issue positions and option masks. Counts are
    cached by depth and the constraints still alive."""

    def __init__(self, shape: np.ndarray, constraints: list[Constraint]) -> None:
        self.shape = shape
        self.constraints = constraints
        self._cache: dict[tuple[int, frozenset[int]], int] = {}

    def count(self, prefix: np.ndarray) -> int:
        """Valid completions of a partial package: a dynamic programme over the unassigned issues,
        whose state is the set of constraints still matched so far."""
        d = len(prefix)
        alive = []
        for index, (positions, masks) in enumerate(self.constraints):
            if positions[-1] < d:
                continue  # decided, and the prefix is valid
            if all(mask[prefix[p]] for p, mask in zip(positions, masks, strict=True) if p < d):
                alive.append(index)
        key = (d, frozenset(alive))
        if key not in self._cache:
            self._cache[key] = self._count_from(d, frozenset(alive))
        return self._cache[key]

    def _count_from(self, depth: int, alive: frozenset[int]) -> int:
        states = {alive: 1}
        for position in range(depth, len(self.shape)):
            involved = {
                i: masks[list(positions).index(position)]
                for i, (positions, masks) in enumerate(self.constraints)
                if position in positions
            }
            new: dict[frozenset[int], int] = {}
            for state, count in states.items():
                for option in range(self.shape[position]):
                    still = frozenset(i for i in state if i not in involved or involved[i][option])
                    if any(self.constraints[i][0][-1] == position for i in still):
                        continue  # every issue of the constraint matched: forbidden
                    still = frozenset(i for i in still if self.constraints[i][0][-1] > position)
                    new[still] = new.get(still, 0) + count
            states = new
        return sum(states.values())

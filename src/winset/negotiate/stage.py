"""What every run of the talks shares: the valid packages and, for each, what the engine knows.

Preparing a stage evaluates every valid package once: each negotiator's utility (and its parts,
issue by issue, for audience costs) and, for each public, the opinion shift at which its
point-estimate support reaches the threshold (from the opinion the problem already carries). A negotiator who believes a public's opinion has
moved by s then believes the public accepts exactly the packages whose needed shift is at most s,
so beliefs update in one comparison per package, whatever the support model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from ..compare import margin_meets
from ..engine.gap import rule_shifts
from ..engine.problem import DealProblem
from ..errors import NegotiationError, Problem

if TYPE_CHECKING:
    from negmas.outcomes import DiscreteCartesianOutcomeSpace

CHUNK = 4_096


@dataclass(frozen=True)
class Stage:
    """The valid packages of a problem with their utilities and needed opinion shifts."""

    problem: DealProblem
    codes: np.ndarray  # (n, issues) option codes of the valid packages, in package-index order
    index: np.ndarray  # (n,) their package indices, ascending
    utility: np.ndarray  # (negotiators, n)
    parts: np.ndarray  # (negotiators, n, issues): each issue's share of the utility
    needed: np.ndarray  # (publics, n): shift at which the point support reaches the threshold
    status_quo: int  # position of the status quo among the valid packages

    @classmethod
    def build(cls, problem: DealProblem) -> Stage:
        space = problem.space
        codes = np.vstack(list(space.iter_valid())).astype(np.int64)
        index = space.encode(codes)
        utility = problem.utilities(codes)
        parts = np.stack([n.table.coefficients[0][n.table.offsets[None, :] + codes] for n in problem.negotiators])
        needed = np.zeros((len(problem.publics), len(codes)))
        for i, (public, table) in enumerate(zip(problem.publics, problem.public_tables(), strict=True)):
            for start in range(0, len(codes), CHUNK):
                needed[i, start : start + CHUNK] = rule_shifts(public, codes[start : start + CHUNK], table)
        quo_index = space.encode(np.array([space.status_quo]))[0]
        status_quo = int(np.searchsorted(index, quo_index))
        if status_quo >= len(index) or index[status_quo] != quo_index:
            raise NegotiationError(
                [
                    Problem(
                        "status_quo",
                        "the status quo breaks a constraint of the scenario, so talks have nowhere to start",
                        "change the constraint or the status quo so that the status quo is a valid package",
                    )
                ]
            )
        return cls(problem, codes, index, utility, parts, needed, status_quo)

    def moved(self, shifts: np.ndarray) -> Stage:
        """The stage with every public's opinion moved by ``shifts`` more (logit): a shift moves
        every row's score, so each package needs that much less (no package is re-evaluated)."""
        shifts = np.asarray(shifts, dtype=float)
        problem = self.problem.shifted(np.asarray(self.problem.shifts) + shifts)
        return replace(self, problem=problem, needed=self.needed - shifts[:, None])

    @property
    def size(self) -> int:
        return len(self.index)

    @cached_property
    def negotiator_ids(self) -> list[str]:
        return [n.id for n in self.problem.negotiators]

    @cached_property
    def outcome_space(self) -> DiscreteCartesianOutcomeSpace:
        """The NegMAS outcome space (see :mod:`winset.negotiate.bridge`)."""
        from .bridge import outcome_space

        return outcome_space(self.problem)

    @cached_property
    def public_ids(self) -> list[str]:
        return [p.id for p in self.problem.publics]

    @cached_property
    def sides(self) -> np.ndarray:
        """(negotiators, publics): whether each public belongs to each negotiator's side."""
        ids = self.negotiator_ids
        return np.array([[p.party == n for p in self.problem.publics] for n in ids], dtype=bool).reshape(
            len(ids), len(self.problem.publics)
        )

    @cached_property
    def _lookup(self) -> list[dict[str, int]]:
        return [{option: c for c, option in enumerate(options)} for options in self.problem.space.option_ids]

    def position(self, outcome: Sequence[str] | None) -> int | None:
        """The position of a NegMAS outcome (tuple of option ids) among the valid packages, or None."""
        if outcome is None:  # no offer on the table
            return None
        try:
            codes = np.array([[lookup[value] for lookup, value in zip(self._lookup, outcome, strict=True)]])
        except (KeyError, TypeError, ValueError):
            return None
        found = self.problem.space.encode(codes)[0]
        at = int(np.searchsorted(self.index, found))
        return at if at < len(self.index) and self.index[at] == found else None

    def outcome(self, position: int) -> tuple[str, ...]:
        """The NegMAS outcome (tuple of option ids) of a valid package."""
        option_ids = self.problem.space.option_ids
        return tuple(option_ids[k][c] for k, c in enumerate(self.codes[position]))

    def joint_winset(self) -> np.ndarray:
        """Which valid packages are in the joint win-set (point estimates, as the engine tests; the
        status quo is no deal)."""
        binding = self.problem.binding
        passes = np.all(self.needed[binding] <= 0.0, axis=0)
        inside = passes & np.all(self.utility >= self.problem.floors[:, None], axis=0)
        inside[self.status_quo] = False
        return inside

    def ratifies(self, position: int, shifts: np.ndarray, draw: int) -> np.ndarray:
        """Whether each public accepts a package when its opinion has moved by ``shifts``, on its
        bootstrap draw ``draw`` (0: the point estimate)."""
        codes = self.codes[position][None, :]
        verdicts = []
        for public, own, shift in zip(self.problem.publics, self.problem.shifts, shifts, strict=True):
            margin = public.draw(min(draw, public.n_draws)).margins(codes, own + float(shift))
            verdicts.append(bool(margin_meets(margin[0, 0])))
        return np.array(verdicts, dtype=bool)

"""A deal problem: the package space, the negotiators and the publics whose consent they need.

Everything the engine knows comes as ScoreTables: a negotiator is a one-row table with the identity
link (its additive utility) and a reservation value; a public (ratifier) is a support table whose
group 0 is the point estimate and groups 1.. are bootstrap draws, with the threshold its rule asks
for. The engine knows nothing of surveys.

A public accepts a package when its rule is met: on the point estimate (support >= threshold), or,
with ``confidence = q``, when the share of bootstrap draws in which support >= threshold is at
least q (both as :func:`winset.compare.meets` decides). The *joint win-set* is the set of
deals (valid packages other than the status quo, which is no agreement) that every binding public
accepts and that leave every negotiator at least at its reservation value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from ..compare import margin_meets, meets, on_grid, reservation_floor, utility_grid, utility_scale
from ..errors import EngineError, Problem
from ..scoretable import ScoreTable
from ..space import PackageSpace


@dataclass(frozen=True)
class Negotiator:
    """A negotiator: additive utility (identity-link table, one row) and reservation value.

    The table's values are put on ``grid`` (default: :func:`~winset.compare.utility_grid`
    of the table), so that every utility is an exact sum. A package reaches the reservation value
    when its utility is at least ``floor`` (:func:`~winset.compare.reservation_floor`):
    the status quo, worth the reservation value it defines, always does."""

    id: str
    table: ScoreTable
    reservation: float
    grid: float | None = None
    scale: float = field(init=False, default=0.0)  # the largest absolute utility the values add up to
    floor: float = field(init=False, default=0.0)  # the lowest utility that reaches the reservation

    def __post_init__(self) -> None:
        table = self.table
        blocks = [table.coefficients[0, o : o + n] for o, n in zip(table.offsets, table.shape, strict=True)]
        grid = self.grid if self.grid is not None else utility_grid([*blocks, table.intercepts])
        coefficients = on_grid(table.coefficients, grid)
        intercepts = on_grid(table.intercepts, grid)
        if not (np.array_equal(coefficients, table.coefficients) and np.array_equal(intercepts, table.intercepts)):
            table = replace(table, coefficients=coefficients, intercepts=intercepts)
        scale = utility_scale([*blocks, table.intercepts])
        if scale >= 2.0**52 * grid:  # a sum of values on the grid is exact below 2^53 steps
            raise EngineError(
                [
                    Problem(
                        f"negotiator '{self.id}'",
                        "its utilities are too large for their grid to keep sums exact",
                        "give the utilities on a smaller scale (or with fewer decimal places)",
                    )
                ]
            )
        object.__setattr__(self, "table", table)
        object.__setattr__(self, "grid", grid)
        object.__setattr__(self, "scale", scale)
        object.__setattr__(self, "floor", reservation_floor(self.reservation, scale))

    def __call__(self, codes: Sequence[int] | np.ndarray) -> float | np.ndarray:
        """Utility of one package (codes), or of each row of a (packages x issues) code array."""
        values = self.table.support(np.atleast_2d(np.asarray(codes)))[0]
        return float(values[0]) if np.ndim(codes) == 1 else values

    def with_reservation(self, reservation: float) -> Negotiator:
        """The same utility with another reservation value (its floor recomputed)."""
        return replace(self, reservation=float(reservation))

    @property
    def best(self) -> float:
        """The highest utility any package (constraints aside) gives this negotiator."""
        table = self.table
        blocks = [table.coefficients[0, o : o + n] for o, n in zip(table.offsets, table.shape, strict=True)]
        return float(table.intercepts[0] + sum(block.max() for block in blocks))


@dataclass(frozen=True)
class Public:
    """A ratifier: its support table, its party, the share its rule needs, whether it binds."""

    id: str
    party: str
    table: ScoreTable
    threshold: float
    required: bool = True

    @property
    def n_draws(self) -> int:
        return self.table.n_groups - 1


@dataclass(frozen=True)
class Quantities:
    """What the engine decides on, for m packages (exact) or m partial packages (bounds).

    ``support[i]`` is public i's support per group (groups, m); ``utility`` the negotiators'
    utilities (negotiators, m). Derived: ``margin`` (point support minus threshold),
    ``probability`` (share of draws meeting the rule), ``accept``, ``gain`` (utility minus
    reservation), ``reach`` (utility at least the negotiator's floor) and ``joint_margin``, the
    smallest margin over binding publics (for bounds, a search may replace it with a tighter joint
    bound)."""

    support: list[np.ndarray]
    utility: np.ndarray
    margin: np.ndarray  # (publics, m)
    probability: np.ndarray  # (publics, m)
    accept: np.ndarray  # (publics, m) bool
    gain: np.ndarray  # (negotiators, m)
    joint_margin: np.ndarray  # (m,) smallest margin over binding publics (a bound may be tighter)
    reach: np.ndarray  # (negotiators, m) bool: the utility reaches the reservation value


@dataclass(frozen=True)
class DealProblem:
    """The space, negotiators and publics; ``confidence`` chooses the ratification test.

    ``space`` holds every allowed package, the status quo included; ``deals`` the same without the
    status quo, which is the disagreement point, not a deal: every search, count and frontier of
    the engine runs over ``deals``. ``binding`` lists the publics whose rules restrict the joint
    win-set: the required ones, or all of them with ``include_optional``."""

    space: PackageSpace
    negotiators: tuple[Negotiator, ...]
    publics: tuple[Public, ...]
    confidence: float | None = None
    include_optional: bool = False
    shifts: tuple[float, ...] = field(default=())  # opinion shift per public (logit), for the gap

    def __post_init__(self) -> None:
        if not self.shifts:
            object.__setattr__(self, "shifts", tuple(0.0 for _ in self.publics))
        if self.confidence is not None:
            if not 0 < self.confidence < 1:
                raise EngineError(
                    [
                        Problem(
                            "confidence",
                            f"confidence must be between 0 and 1, got {self.confidence}",
                            "give a level such as 0.9, or none for the point-estimate test",
                        )
                    ]
                )
            for public in self.publics:
                if public.n_draws < 1:
                    raise EngineError(
                        [
                            Problem(
                                f"public '{public.id}'",
                                f"public '{public.id}' has no bootstrap draws to test a probability on",
                                "fit its support model with bootstrap draws, or analyse without a confidence level",
                            )
                        ]
                    )

    @cached_property
    def deals(self) -> PackageSpace:
        """The packages that are deals: the allowed packages other than the status quo."""
        return self.space.without_status_quo()

    @property
    def binding(self) -> np.ndarray:
        return np.array([p.required or self.include_optional for p in self.publics], dtype=bool)

    @property
    def thresholds(self) -> np.ndarray:
        return np.array([p.threshold for p in self.publics])

    @property
    def floors(self) -> np.ndarray:
        """Each negotiator's lowest utility that reaches its reservation value."""
        return np.array([n.floor for n in self.negotiators])

    @property
    def reservations(self) -> np.ndarray:
        return np.array([n.reservation for n in self.negotiators])

    def public_tables(self) -> list[ScoreTable]:
        """Support tables with each public's opinion shift applied."""
        return [p.table.shifted(s) if s else p.table for p, s in zip(self.publics, self.shifts, strict=True)]

    def shifted(self, shifts: Sequence[float] | np.ndarray) -> DealProblem:
        """The problem with every public's opinion moved by ``shifts`` (logit scale)."""
        return replace(self, shifts=tuple(float(s) for s in shifts))

    def with_reservations(self, reservations: Sequence[float]) -> DealProblem:
        return replace(
            self,
            negotiators=tuple(n.with_reservation(r) for n, r in zip(self.negotiators, reservations, strict=True)),
        )

    # ------------------------------------------------------------------ evaluation
    def evaluate(self, codes: np.ndarray) -> Quantities:
        """Exact quantities of packages (rows of option codes)."""
        codes = np.atleast_2d(codes)
        support = [table.support(codes) for table in self.public_tables()]
        utility = self.utilities(codes)
        return self.quantities(support, utility)

    def utilities(self, codes: np.ndarray) -> np.ndarray:
        """The negotiators' utilities of packages, (negotiators, m); exact in every case."""
        if not self.negotiators:
            return np.zeros((0, len(codes)))
        return np.vstack([n.table.support(codes)[0] for n in self.negotiators])

    def bounds(self, codes: np.ndarray) -> tuple[Quantities, Quantities]:
        """Quantities just above and just below the exact ones (float32 supports, widened by each
        table's slack; utilities exact): a cheap screen before :meth:`evaluate`."""
        codes = np.atleast_2d(codes)
        sides = [table.support_bounds(codes) for table in self.public_tables()]
        utility = self.utilities(codes)
        return self.quantities([h for h, _ in sides], utility), self.quantities([lo for _, lo in sides], utility)

    def quantities(self, support: list[np.ndarray], utility: np.ndarray) -> Quantities:
        """Margins, probabilities, acceptance and gains from supports and utilities (exact values
        or bounds: every derived quantity is monotone in them)."""
        m = utility.shape[1] if utility.size else (support[0].shape[1] if support else 0)
        thresholds = self.thresholds
        margin = np.array([s[0] - t for s, t in zip(support, thresholds, strict=True)]).reshape(len(support), m)
        probability = np.array(
            [
                meets(s[1:], t).mean(axis=0) if s.shape[0] > 1 else meets(s[0], t).astype(float)
                for s, t in zip(support, thresholds, strict=True)
            ]
        ).reshape(len(support), m)
        accept = probability >= self.confidence if self.confidence is not None else margin_meets(margin)
        gain = utility - self.reservations[:, None]
        binding = self.binding
        joint_margin = margin[binding].min(axis=0) if binding.any() else np.zeros(m)
        reach = utility >= self.floors[:, None]
        return Quantities(support, utility, margin, probability, accept, gain, joint_margin, reach)

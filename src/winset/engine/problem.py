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

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from ..compare import margin_meets, on_grid, reservation_floor, utility_grid, utility_scale
from ..errors import EngineError, Problem
from ..scoretable import ScoreTable
from ..space import PackageSpace
from .rules import Rule


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
    """A ratifier: its support table, its party, its rule (:mod:`winset.engine.rules`), whether
    it binds.

    ``table`` gives the whole public's support (group 0 the point estimate, 1.. the draws). For a
    rule over the public's groups, ``cells`` names each row's group (an index into
    ``rule.groups``), and in every draw the rows of group g weigh its population share."""

    id: str
    party: str
    table: ScoreTable
    rule: Rule
    required: bool = True
    cells: np.ndarray | None = None

    def __post_init__(self) -> None:
        rule, table = self.rule, self.table
        if not rule.groups:
            return
        where = f"public '{self.id}'"
        given = None if self.cells is None else np.asarray(self.cells)
        if given is None or given.shape != (table.n_rows,) or not np.issubdtype(given.dtype, np.integer):
            raise EngineError(
                [
                    Problem(
                        where, "its rule counts groups, but its rows have no group", "give each row's group (integers)"
                    )
                ]
            )
        cells = given.astype(np.int64)
        if cells.min() < 0 or cells.max() >= len(rule.groups):
            raise EngineError([Problem(where, "a row's group is not one of the rule's", "number groups from 0")])
        object.__setattr__(self, "cells", cells)
        weight = np.zeros((table.n_groups, len(rule.groups)))
        np.add.at(weight, (table.groups, cells), table.weights)
        empty = [rule.groups[g] for g in np.flatnonzero((weight <= 0).any(axis=0))]
        if empty:
            raise EngineError(
                [Problem(where, f"group '{empty[0]}' has no one in it", "give every group rows with positive weight")]
            )
        if not np.allclose(weight, np.asarray(rule.shares)[None], atol=1e-6):
            raise EngineError(
                [
                    Problem(
                        where,
                        "in each draw, its rows must weigh one in total and each group its population share",
                        "post-stratify the rows: weights within a group summing to the group's share",
                    )
                ]
            )

    @property
    def threshold(self) -> float:
        """The share of the whole public the rule needs, where the rule is that share alone (else nan)."""
        return self.rule.threshold

    @property
    def n_draws(self) -> int:
        return self.table.n_groups - 1

    @cached_property
    def rule_table(self) -> ScoreTable:
        """The support table the rule is decided on: one group per draw and public group (group
        ``draw * groups + g``), each group's rows weighing one in total; without groups, ``table``."""
        table, n = self.table, self.rule.n_groups
        if not self.rule.groups:
            return table
        assert self.cells is not None  # checked when the public was made
        groups = table.groups * n + self.cells
        totals = np.bincount(groups, weights=table.weights, minlength=table.n_groups * n)
        return ScoreTable(
            table.shape,
            table.intercepts,
            table.coefficients,
            table.weights / totals[groups],
            groups,
            table.link,
            table.pairs,
        )

    def draw(self, d: int) -> Public:
        """The public with only draw ``d`` (as its point estimate)."""
        rows = self.table.groups == d
        cells = None if self.cells is None else self.cells[rows]
        return replace(self, table=self.table.group(d), cells=cells)

    def margins(self, codes: np.ndarray, shift: float = 0.0) -> np.ndarray:
        """The rule's margin of packages per draw, (draws, m), with every row's score moved by
        ``shift`` (an opinion shift, logit scale for the logistic link)."""
        table = self.rule_table.shifted(shift) if shift else self.rule_table
        return self.rule.margins(self.supports(table.support(np.atleast_2d(codes))))

    def supports(self, support: np.ndarray) -> np.ndarray:
        """The rule table's group supports (draws x groups, m) as (draws, groups, m)."""
        return support.reshape(support.shape[0] // self.rule.n_groups, self.rule.n_groups, support.shape[-1])


@dataclass(frozen=True)
class Quantities:
    """What the engine decides on, for m packages (exact) or m partial packages (bounds).

    ``support[i]`` is public i's (whole) support per draw (draws, m); ``utility`` the negotiators'
    utilities (negotiators, m). Derived: ``draw_margins[i]``, public i's rule margin per draw
    (:mod:`winset.engine.rules`; for a share, support minus threshold), ``margin`` (the point
    estimate's), ``probability`` (share of draws meeting the rule), ``accept``, ``gain`` (utility minus
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
    draw_margins: list[np.ndarray]  # per public: its rule's margin per draw (draws, m)


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
        """The tables each public's rule is decided on (:attr:`Public.rule_table`), with its opinion
        shift applied."""
        return [p.rule_table.shifted(s) if s else p.rule_table for p, s in zip(self.publics, self.shifts, strict=True)]

    def shifted(self, shifts: Sequence[float] | np.ndarray) -> DealProblem:
        """The problem with every public's opinion moved by ``shifts`` (logit scale)."""
        return replace(self, shifts=tuple(float(s) for s in shifts))

    def alone(self, publics: Sequence[int]) -> DealProblem:
        """The problem with only the publics of indices ``publics`` (their shifts kept) and no
        negotiator: what their own tests need, without the others' tables."""
        return replace(
            self,
            negotiators=(),
            publics=tuple(self.publics[i] for i in publics),
            shifts=tuple(self.shifts[i] for i in publics),
        )

    def keeping(self, text: str) -> DealProblem:
        """The problem over the packages that keep the options ``issue=option,...`` names
        (:meth:`PackageSpace.keeping`)."""
        return replace(self, space=self.space.keeping(text))

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

    def quantities(self, support: list[np.ndarray], utility: np.ndarray, unbounded: Sequence[bool] = ()) -> Quantities:
        """Margins, probabilities, acceptance and gains from the supports of the publics' rule
        tables (:meth:`public_tables`) and utilities (exact values or bounds: every derived
        quantity is monotone in them). ``Quantities.support`` is the whole public's.

        A public marked in ``unbounded`` is taken to pass by any margin: its whole support and
        its margins are the largest float, its rule not evaluated (a bound before its own)."""
        m = utility.shape[1] if utility.size else (support[0].shape[1] if support else 0)
        whole, margins = [], []
        for i, (public, s) in enumerate(zip(self.publics, support, strict=True)):
            rule = public.rule
            if i < len(unbounded) and unbounded[i]:
                largest = np.full((s.shape[0] // rule.n_groups, s.shape[-1]), np.finfo(np.float64).max)
                whole.append(largest)
                margins.append(largest)
                continue
            if rule.plain:  # the common case, without reshaping
                whole.append(s)
                margins.append(s - rule.threshold)
                continue
            groups = public.supports(s)
            whole.append(rule.whole(groups))
            margins.append(rule.margins(groups))
        margin = np.array([g[0] for g in margins]).reshape(len(support), m)
        probability = np.array(
            [margin_meets(g[1:]).mean(axis=0) if g.shape[0] > 1 else margin_meets(g[0]).astype(float) for g in margins]
        ).reshape(len(support), m)
        accept = probability >= self.confidence if self.confidence is not None else margin_meets(margin)
        gain = utility - self.reservations[:, None]
        binding = self.binding
        joint_margin = margin[binding].min(axis=0) if binding.any() else np.zeros(m)
        reach = utility >= self.floors[:, None]
        return Quantities(whole, utility, margin, probability, accept, gain, joint_margin, reach, margins)


def draws_needed(draws: int, confidence: float | None) -> int:
    """The fewest of ``draws`` whose share reaches ``confidence``, as the engine tests it (the
    share of draws meeting the rule, at least the confidence); 1 for the point test."""
    if confidence is None:
        return 1
    k = max(1, math.ceil(confidence * draws))
    while k > 1 and (k - 1) / draws >= confidence:
        k -= 1
    while k / draws < confidence:
        k += 1
    return k

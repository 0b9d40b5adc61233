"""How every analysis decides the two comparisons a ratification turns on.

*A support meets a threshold* when its margin ``support - threshold`` is at least
``-SUPPORT_TOLERANCE``. A support is a weighted sum of many rows' link values, and winset computes it in several ways (a matrix product
over a chunk of packages, the same for one package, float32 bounds widened by their error, a
search leaf's partial sums): sums of the same terms in another order can differ in the last bits,
and a package that meets its threshold exactly (a vote count of exactly two thirds, a linear
probability of exactly one half) would pass or fail by chance. The tolerance, 1e-9 of a share, is
far above those rounding errors (about rows x 2^-53, under 1e-10 for a million rows) and far below
anything evidence can tell apart. :func:`meets` and :func:`margin_meets` (the same test on a
margin already computed) are the only places the comparison is made.

*A utility reaches a reservation value* when ``utility >= reservation_floor(reservation, scale)``,
that is ``reservation - UTILITY_TOLERANCE * scale``, where ``scale`` is the largest utility the
negotiator's scores can add up to in absolute value. A negotiator's utility is a sum of one
weighted score per issue; :func:`on_grid` rounds every such value to a multiple of a power of two
(:func:`utility_grid`: 2^-40 of the scale, a relative change below 1e-12), so that every sum of
them is exact in floating point, in any order and by any route (a matrix product, a plain sum, a
search's partial sums, NegMAS's lookups): two packages that differ only on issues the negotiator
weights 0 have the same utility to the last bit, and the status quo is worth exactly the
reservation value it defines. The tolerance (1e-9 of the scale) then decides the ties that are
ties in decimals only: scores of 0.1 and 0.2 reach a reservation of 0.3.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import numpy.typing as npt

SUPPORT_TOLERANCE = 1e-9  # a share: supports this close below a threshold meet it
UTILITY_TOLERANCE = 1e-9  # of the utility scale: utilities this close below a reservation reach it
GRID_BITS = 40  # utilities are multiples of 2^-GRID_BITS of the negotiator's utility scale


def meets(support: npt.ArrayLike, threshold: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """Whether supports meet a threshold (elementwise; see the module documentation)."""
    return margin_meets(np.asarray(support) - np.asarray(threshold))


def margin_meets(margin: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """Whether margins (support minus threshold) meet the rule: at least ``-SUPPORT_TOLERANCE``."""
    return np.asarray(margin) >= -SUPPORT_TOLERANCE


def threshold_floor(threshold: float) -> float:
    """The lowest support that :func:`meets` the threshold, as a target for shifts of opinion."""
    return float(threshold) - SUPPORT_TOLERANCE


def reservation_floor(reservation: float, scale: float) -> float:
    """The lowest utility that reaches ``reservation`` for a negotiator of utility ``scale``."""
    return float(reservation) - UTILITY_TOLERANCE * float(scale)


def utility_scale(values: Iterable[npt.ArrayLike]) -> float:
    """The largest absolute utility that per-issue ``values`` (one array per issue) can add up to."""
    return float(sum(np.max(np.abs(np.asarray(v, dtype=float))) for v in values if np.size(v)))


def utility_grid(values: Iterable[npt.ArrayLike]) -> float:
    """The grid step for a negotiator's per-option utility values: a power of two, 2^-40 of the
    largest utility they can add up to in absolute value (1 when every value is 0)."""
    scale = utility_scale(values)
    if not math.isfinite(scale):
        raise ValueError("utility values must be finite")
    exponent = math.frexp(scale)[1] if scale > 0 else 1
    return math.ldexp(1.0, exponent - GRID_BITS)


def on_grid(values: np.ndarray, grid: float) -> np.ndarray:
    """``values`` rounded to the nearest multiples of ``grid`` (a power of two): exact to add."""
    return np.round(np.asarray(values, dtype=float) / grid) * grid

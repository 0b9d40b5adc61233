"""Confidence intervals of a share: the Wilson score interval, which keeps its coverage near 0 and
1 and with few trials, where the normal (Wald) interval does not."""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri  # the normal quantile, without scipy.stats's second of imports

WILSON_LEVEL = 0.90  # confidence level of the Wilson score interval of a share


def wilson(successes: int, trials: int, level: float = WILSON_LEVEL) -> tuple[float, float]:
    """Wilson score interval of a share (NaN, NaN with no trials)."""
    if trials == 0:
        return float("nan"), float("nan")
    z = ndtri(0.5 + level / 2)
    share = successes / trials
    centre = (share + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * np.sqrt(share * (1 - share) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))

"""Calibration to published polls: move a model's level so that it reproduces the toplines.

Survey microdata and published polls rarely agree exactly (other wording, other fieldwork, a
sample that is not the population). Calibration keeps the model's option effects and shifts every
member of the public's score by the same amount ``delta`` on the logit scale, chosen so that the
model's support for the polled packages matches the polls, each weighted by its sampling error::

    minimise  sum_j ((support_j(delta) - share_j) / se_j)^2,   se_j = sqrt(share_j (1 - share_j) / n_j)

Each bootstrap draw is calibrated to polls redrawn within their sampling error, so the poll's own
uncertainty enters the intervals. The report says how far the microdata and the polls disagreed
before calibration (z = (model - poll) / se) and how close they are after.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit

from ..errors import Problem, WinsetError
from ..scoretable import ScoreTable

ITERATIONS = 100
STEP_TOLERANCE = 1e-12  # logit scale: a group has converged when its Gauss-Newton step is this small


@dataclass(frozen=True)
class Target:
    """A published topline that a public's support for a package should reproduce.

    ``share`` is the figure as published; ``side`` says whether it is the share for the package
    (``"for"``) or against it (``"against"``, in which case the support it implies is
    ``1 - share - dont_know``). ``n`` is the poll's sample size.
    """

    label: str
    codes: tuple[int, ...]
    share: float
    n: int
    side: str = "for"
    dont_know: float = 0.0
    source: str = ""

    @property
    def support(self) -> float:
        """The support share the poll implies."""
        return self.share if self.side == "for" else 1.0 - self.share - self.dont_know

    @property
    def std_error(self) -> float:
        p = min(max(self.support, 0.01), 0.99)
        return float(np.sqrt(p * (1 - p) / self.n))

    def as_published(self, support: np.ndarray | float) -> np.ndarray | float:
        """A modelled support share expressed as the poll reported it (for or against)."""
        return support if self.side == "for" else 1.0 - np.asarray(support) - self.dont_know


def poll_columns(targets: Sequence[Target]) -> dict[str, list]:
    """The columns every table of polls starts with: each target's label, source, side and share."""
    return {
        "target": [t.label for t in targets],
        "source": [t.source for t in targets],
        "side": [t.side for t in targets],
        "poll": [t.share for t in targets],
    }


def calibrate(
    table: ScoreTable, targets: Sequence[Target], seed: int | None = 0
) -> tuple[ScoreTable, np.ndarray, pd.DataFrame]:
    """The table with each group's intercepts shifted to match ``targets``; the shifts; a report.

    Group 0 (the point estimate) matches the published figures; bootstrap groups match figures
    redrawn from each poll's sampling distribution (normal, seeded). The point estimate must
    converge (else a WinsetError); bootstrap draws that do not are named in the report's
    ``attrs["warnings"]``."""
    if not targets:
        return table, np.zeros(table.n_groups), pd.DataFrame()
    codes = np.array([t.codes for t in targets])
    goal = np.array([t.support for t in targets])
    se = np.array([t.std_error for t in targets])
    rng = np.random.default_rng(seed)
    goals = np.vstack(
        [goal, np.clip(goal + se * rng.standard_normal((table.n_groups - 1, len(targets))), 0.001, 0.999)]
    )
    scores = table.scores(codes)  # (rows, targets)
    shifts = np.zeros(table.n_groups)
    step = np.full(table.n_groups, np.inf)
    for _ in range(ITERATIONS):
        p = expit(scores + shifts[table.groups][:, None])
        support = table.group_sums(table.weights[:, None] * p)
        slope = table.group_sums(table.weights[:, None] * p * (1 - p))
        residual = (support - goals) / se**2
        step = (residual * slope).sum(axis=1) / np.maximum((slope**2 / se**2).sum(axis=1), 1e-300)
        shifts -= step
        if np.max(np.abs(step)) < STEP_TOLERANCE:
            break
    # a group whose support no longer responds to the shift (every member certain) takes zero
    # steps without reaching its polls: that is not convergence either
    responds = (slope**2 / se**2).sum(axis=1) > 0
    unconverged = ~(np.abs(step) < STEP_TOLERANCE) | ~np.isfinite(shifts) | ~responds
    if unconverged[0]:
        raise WinsetError(
            [
                Problem(
                    "calibration",
                    f"matching the polls did not converge in {ITERATIONS} steps (the shift stopped at "
                    f"{shifts[0]:.3g} on the logit scale)",
                    "check the calibration targets: a share near 0 or 1, or polls that contradict each "
                    "other, cannot be matched by one shift of opinion",
                )
            ]
        )
    before = table.group(0).support(codes)[0]
    calibrated = table.shifted(shifts)
    after = calibrated.group(0).support(codes)[0]
    report = pd.DataFrame(
        {
            **poll_columns(targets),
            "microdata": [float(t.as_published(b)) for t, b in zip(targets, before, strict=True)],
            "calibrated": [float(t.as_published(a)) for t, a in zip(targets, after, strict=True)],
            "z_before": (before - goal) / se,
            "z_after": (after - goal) / se,
        }
    )
    report.attrs["shift"] = float(shifts[0])
    failed = int(unconverged.sum())
    report.attrs["warnings"] = (
        [
            (
                f"calibration to the polls did not converge in {failed} of {table.n_groups - 1} bootstrap "
                "draws (their shifts are where it stopped; the intervals may be too wide or too narrow)"
            )
        ]
        if failed
        else []
    )
    return calibrated, shifts, report

"""Measurement error in a public's survey answers, and the support it hides.

Where a ratifier's survey repeats one task with its profiles swapped (scenario key
``data.repeated``), the repeated answers estimate the chance ``tau`` that an answer is flipped
(projoint's model: :mod:`winset.conjoint.reliability`). Under that model the share of a public that
answers yes to a package, or chooses it against the status quo, is ``tau + (1 - 2 tau)`` times the
share that truly would, so the support a survey measures, ``s``, is corrected as

    (s - tau) / (1 - 2 tau),   clipped to [0, 1].

For a binary survey that is done in the model: the logistic regression is refitted to the answers
with their flips in the likelihood, ``P(yes) = tau + (1 - 2 tau) expit(x b)`` (a misclassified
binary choice, Hausman, Abrevaya and Scott-Morton 1998), which is the exact law of the answers
under the model, where the formula above applied to a plain logit's support is only close (the
plain logit is then a model of flipped answers, whose law is no logit); its support is the
corrected one. A choice survey's mixed logit gets the formula.

The repeated rows estimate ``tau`` only; the model is fitted without them. ``tau`` is estimated
with the respondent weights the support is estimated with: the raked weights for the estimate,
each bootstrap draw's resampled and raked weights for that draw. So the corrected support's
intervals carry ``tau``'s uncertainty and its covariance with the support, without a delta
method. The correction is of the survey's own support, before calibration to polls: a poll
measures the level directly, and moving a calibrated level by the survey's error would undo the
calibration.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..conjoint.reliability import Reliability
from ..scoretable import ScoreTable


@dataclass(frozen=True)
class ResponseError:
    """A public's answer error: the IRR per draw of its support model, and that model before
    calibration (the support the correction applies to)."""

    reliability: Reliability  # projoint's figures over the repeated tasks (respondents unweighted)
    irr: np.ndarray  # per draw of the table (0 the estimate, then the bootstrap's), respondents weighted
    table: ScoreTable  # the survey's support model, per draw, before calibration
    corrected: ScoreTable | None = None  # the model fitted with the flips in its likelihood, per draw
    unconverged: np.ndarray | None = None  # per draw: that fit did not converge (left out, as a draw without tau)

    @property
    def tau(self) -> np.ndarray:
        """The chance an answer is flipped, per draw (NaN where the IRR is at most one half, and
        no error rate follows)."""
        return flip_rate(self.irr)

    @property
    def failed_draws(self) -> int:
        """Bootstrap draws whose repeated tasks agree no more than chance, left out of the intervals."""
        return int(np.isnan(self.tau[1:]).sum())

    @property
    def missing(self) -> np.ndarray:
        """Per draw, whether it has no corrected support: no error rate, or a corrected fit that
        did not converge."""
        return np.isnan(self.tau) | (self.unconverged if self.unconverged is not None else False)

    def support(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The survey's support of packages (draws x packages) and the same corrected for the
        answer error (NaN in a draw without an error rate)."""
        measured = self.table.support(np.atleast_2d(codes))
        tau = self.tau[:, None]
        if self.corrected is not None:
            return measured, np.where(self.missing[:, None], np.nan, self.corrected.support(np.atleast_2d(codes)))
        return measured, np.clip((measured - tau) / (1 - 2 * tau), 0.0, 1.0)


def flip_rate(irr: np.ndarray) -> np.ndarray:
    """tau = (1 - sqrt(2 IRR - 1)) / 2, NaN where the IRR is at most one half (or unknown)."""
    with np.errstate(invalid="ignore"):
        return np.where(irr > 0.5, (1 - np.sqrt(np.maximum(2 * irr - 1, 0.0))) / 2, np.nan)


def agreement(agree: np.ndarray, answers: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Under each row of respondent ``weights`` (draws x respondents), the weighted count of
    repeated answers that agree and of those compared (2 x draws; ``agree`` and ``answers`` per
    respondent, 0 for one without a repeated task): the IRR is their ratio, and the counts of
    groups weighted by their population shares add up to the whole public's."""
    return np.stack([weights @ agree, weights @ answers])

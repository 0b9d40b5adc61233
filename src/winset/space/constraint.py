"""A constraint of the package space: a forbidden combination of options, compiled to masks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SpaceConstraint:
    """A forbidden combination, compiled: for each issue it names, a boolean mask over its options."""

    id: str
    issues: tuple[int, ...]
    masks: tuple[np.ndarray, ...]

    def matches(self, codes: np.ndarray) -> np.ndarray:
        """True for each row of ``codes`` (packages x issues) that contains the forbidden combination."""
        hit = np.ones(codes.shape[0], dtype=bool)
        for issue, mask in zip(self.issues, self.masks, strict=True):
            hit &= mask[codes[:, issue]]
        return hit

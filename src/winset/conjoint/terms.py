"""Dummy coding of conjoint features into the blocks of a regression design (R's treatment
contrasts): an intercept, one column per non-baseline level of a feature, and interaction columns
for pairs of features, the first feature's levels varying fastest (as R's ``model.matrix``)."""

from __future__ import annotations

import numpy as np

from .data import Feature
from .ols import Term

INTERCEPT = "(Intercept)"


def _cells(values: np.ndarray, width: int) -> np.ndarray:
    return values.astype(np.int16 if width < 2**15 else np.int32)


def intercept(n_rows: int) -> Term:
    return Term(INTERCEPT, ("",), np.zeros(n_rows, dtype=np.int16))


def main(feature: Feature) -> Term:
    """Treatment dummies of one feature: a column per level after the baseline."""
    return Term(feature.name, feature.levels[1:], _cells(feature.codes.astype(np.int32) - 1, len(feature.levels) - 1))


def interaction(first: Feature, second: Feature) -> Term:
    """Products of the two features' treatment dummies; the first feature's levels vary fastest."""
    width = len(first.levels) - 1
    on = (first.codes > 0) & (second.codes > 0)
    cells = np.where(on, (first.codes.astype(np.int32) - 1) + width * (second.codes.astype(np.int32) - 1), -1)
    labels = tuple(f"{a}:{b}" for b in second.levels[1:] for a in first.levels[1:])
    return Term(f"{first.name}:{second.name}", labels, _cells(cells, len(labels)))


def interaction_label(first: Feature, second: Feature, first_level: str, second_level: str) -> str:
    return f"{first.name}:{second.name}[{first_level}:{second_level}]"


def main_label(feature: Feature, level: str) -> str:
    return f"{feature.name}[{level}]"

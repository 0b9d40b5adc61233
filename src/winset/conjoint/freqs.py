"""How often each level was shown: cregg's ``cj_freqs`` and ``cj_props``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import Problem, did_you_mean, known_list
from .data import ConjointData, ConjointError, as_conjoint


def freqs(
    data: pd.DataFrame | ConjointData,
    features: Sequence[str] | None = None,
    *,
    weights: str | None = None,
    levels: Mapping[str, Sequence[str]] | None = None,
    outcome: str | None = None,
) -> pd.DataFrame:
    """Display frequency of every level of every feature (the sum of weights with ``weights``).

    Returns ``feature, level, count``. ``outcome`` may be omitted: frequencies do not use it.
    """
    cj = _display_data(data, features, weights, levels, outcome)
    w = np.ones(cj.n_rows) if cj.weights is None else cj.weights
    rows = []
    for feature in cj.features:
        counts = np.bincount(feature.codes, weights=w, minlength=len(feature.levels))
        rows += [(feature.name, level, count) for level, count in zip(feature.levels, counts, strict=True)]
    return pd.DataFrame(rows, columns=["feature", "level", "count"])


def props(
    data: pd.DataFrame | ConjointData,
    features: Sequence[str] | None = None,
    *,
    weights: str | None = None,
    levels: Mapping[str, Sequence[str]] | None = None,
    given: str | None = None,
    outcome: str | None = None,
) -> pd.DataFrame:
    """Display proportions of every combination of the levels of ``features`` (one column each,
    then ``proportion``). Combinations never shown have proportion 0, which is how restrictions
    show up. With ``given``, proportions within each level of that feature (R's ``margin``)."""
    cj = _display_data(data, features, weights, levels, outcome)
    names = cj.feature_names
    if given is not None and given not in names:
        raise ConjointError(
            [
                Problem(
                    "given",
                    f"'{given}' is not one of the features{did_you_mean(given, names)}",
                    f"use one of {known_list(names)}",
                )
            ]
        )
    shape = tuple(len(f.levels) for f in cj.features)
    index = np.ravel_multi_index(tuple(f.codes for f in cj.features), shape)
    w = np.ones(cj.n_rows) if cj.weights is None else cj.weights
    table = np.bincount(index, weights=w, minlength=int(np.prod(shape))).reshape(shape)
    if given is None:
        table = table / table.sum()
    else:
        axis = names.index(given)
        with np.errstate(invalid="ignore"):
            table = table / table.sum(axis=tuple(i for i in range(len(shape)) if i != axis), keepdims=True)
    grid = pd.MultiIndex.from_product([f.levels for f in cj.features], names=names).to_frame(index=False)
    grid["proportion"] = table.reshape(-1)
    return grid


def _display_data(
    data: pd.DataFrame | ConjointData,
    features: Sequence[str] | None,
    weights: str | None,
    levels: Mapping[str, Sequence[str]] | None,
    outcome: str | None,
) -> ConjointData:
    if isinstance(data, ConjointData):
        return data
    if outcome is None:  # frequencies need no outcome: use a constant one
        if isinstance(data, pd.DataFrame):
            data = data.assign(__shown__=1.0)
        outcome = "__shown__"
    return as_conjoint(data, outcome=outcome, features=features, weights=weights, levels=levels)

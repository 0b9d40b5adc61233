"""AMCEs under every choice of one feature's baseline: cregg's ``amce_by_reference``.

An AMCE is a difference from an arbitrary reference level, so how an effect reads can depend on
that choice. ``amce_by_reference`` estimates the AMCEs once with each level of ``variable`` as the
baseline and stacks the tables, with a first column ``reference`` (cregg's ``REFERENCE``). In a
fully randomised design only ``variable``'s own AMCEs change; in a restricted design the AMCEs of
the feature restricted with it may change too, and, since a restricted level's AMCE averages over
the cells shown with it, the AMCE of a against b need not be minus that of b against a (as in
cregg).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from .amce import Convention, _amce, _check_convention, restricted_pairs
from .data import ConjointData, as_conjoint
from .interactions import feature_named
from .randomisation import Design
from .tidy import check_alpha, labelled


def amce_by_reference(
    data: pd.DataFrame | ConjointData,
    outcome: str | None = None,
    features: Sequence[str] | None = None,
    *,
    variable: str,
    id: str | None = None,
    weights: str | None = None,
    levels: Mapping[str, Sequence[str]] | None = None,
    baselines: Mapping[str, str] | None = None,
    design: Design | None = None,
    restricted: Sequence[tuple[str, str]] | None = None,
    convention: Convention = "cregg",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """AMCEs of every feature with each level of ``variable`` in turn as its baseline.

    Returns ``reference, outcome, statistic, feature, level, estimate, std_error, z, p, lower,
    upper``, one block per level of ``variable`` (in its level order); other parameters as
    :func:`~winset.conjoint.amce.amce`.
    """
    check_alpha(alpha)
    _check_convention(convention)
    cj = as_conjoint(data, outcome, features, id=id, weights=weights, levels=levels, baselines=baselines, design=design)
    pairs = restricted_pairs(cj, restricted)
    feature_named(cj, variable, "variable")
    tables = []
    for level in cj.feature(variable).levels:
        table = _amce(cj.rebased(variable, level), pairs, convention, alpha)
        table.insert(0, "reference", level)
        tables.append(table)
    return labelled(pd.concat(tables, ignore_index=True), cj.outcome, "amce")

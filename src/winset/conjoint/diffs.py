"""Differences between subgroups: in AMCEs (``amce_diffs``) and in marginal means (``mm_diffs``),
as cregg computes them.

``amce_diffs`` fits one model with every feature interacted with the grouping variable; the
difference in a level's AMCE between a group and the first group is the interaction coefficient.
cregg fits it with ``svyglm`` on ``svydesign(ids = id, weights = weights)``: the "survey"
variance with respondent clusters, weighted or not (every row its own cluster without an id).
cregg before 0.3.2 fitted ``glm`` (``svyglm`` on ``ids = ~0`` with weights) and then clustered
by the id with sandwich's ``vcovCL`` (HC0, factor M/(M-1)), which gives the same numbers. Under
``convention="cjoint"`` the variance is chosen as for cjoint's AMCEs.

``mm_diffs`` subtracts the first group's marginal means from each other group's, with standard
errors ``sqrt(se_1^2 + se_g^2)`` (the groups are treated as independent samples, as cregg does).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import Problem
from . import terms
from .amce import Convention, _check_convention, fit_terms, restricted_pairs
from .data import ConjointData, ConjointError, Feature, as_conjoint
from .mm import marginal_means
from .randomisation import Design
from .tidy import check_alpha, labelled, tidy

__all__ = ["amce_diffs", "mm_diffs"]


def amce_diffs(
    data: pd.DataFrame | ConjointData,
    outcome: str | None = None,
    features: Sequence[str] | None = None,
    *,
    by: str,
    id: str | None = None,
    weights: str | None = None,
    levels: Mapping[str, Sequence[str]] | None = None,
    baselines: Mapping[str, str] | None = None,
    design: Design | None = None,
    convention: Convention = "cregg",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Differences in AMCEs between each group of ``by`` and its first group.

    Returns ``<by>, outcome, statistic, feature, level, estimate, std_error, z, p, lower, upper``
    where the ``by`` column says which difference, e.g. ``"Male - Female"``, and ``statistic`` is
    ``"amce_difference"``. Restricted designs are not supported
    (as in cregg): estimate within the restricted cells instead.
    """
    check_alpha(alpha)
    _check_convention(convention)
    cj = as_conjoint(data, outcome, features, id=id, weights=weights, levels=levels, baselines=baselines, design=design)
    group = _group_feature(cj, by)
    cj.check_sample()
    if restricted_pairs(cj, None):
        raise ConjointError(
            [
                Problem(
                    "design",
                    "AMCE differences are not defined here for restricted designs",
                    "estimate AMCEs by group instead",
                )
            ]
        )
    model_terms = [terms.intercept(cj.n_rows)] + [terms.main(f) for f in cj.features] + [terms.main(group)]
    model_terms += [terms.interaction(f, group) for f in cj.features]
    model = fit_terms(cj, model_terms, convention)
    rows = []
    for feature in cj.features:
        for level in feature.levels[1:]:
            for group_level in group.levels[1:]:
                column = model.names.index(terms.interaction_label(feature, group, level, group_level))
                rows.append(
                    (
                        feature.name,
                        level,
                        f"{group_level} - {group.baseline}",
                        model.coef[column],
                        np.sqrt(model.vcov[column, column]),
                    )
                )
    names, level_names, contrasts, estimates, errors = zip(*rows, strict=True)
    out = tidy(names, level_names, estimates, errors, alpha)
    out.insert(0, by, list(contrasts))
    return labelled(out, cj.outcome, "amce_difference")


def mm_diffs(
    data: pd.DataFrame | ConjointData,
    outcome: str | None = None,
    features: Sequence[str] | None = None,
    *,
    by: str,
    id: str | None = None,
    weights: str | None = None,
    levels: Mapping[str, Sequence[str]] | None = None,
    baselines: Mapping[str, str] | None = None,
    design: Design | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Differences in marginal means between each group of ``by`` and its first group.

    Returns ``<by>, outcome, statistic, feature, level, estimate, std_error, z, p, lower, upper``;
    the ``by`` column names the difference, e.g. ``"Male - Female"``; ``statistic`` is
    ``"mm_difference"``.
    """
    check_alpha(alpha)
    cj = as_conjoint(data, outcome, features, id=id, weights=weights, levels=levels, baselines=baselines, design=design)
    means = cj.per_group(by, lambda subset: marginal_means(subset, 0.0, alpha))
    groups = list(dict.fromkeys(means[by]))
    first = means[means[by] == groups[0]]
    out = []
    for name in groups[1:]:
        result = means[means[by] == name]
        estimate = result["estimate"].to_numpy() - first["estimate"].to_numpy()
        error = np.sqrt(result["std_error"].to_numpy() ** 2 + first["std_error"].to_numpy() ** 2)
        table = tidy(result["feature"], result["level"], estimate, error, alpha)
        table.insert(0, by, f"{name} - {groups[0]}")
        out.append(table)
    return labelled(pd.concat(out, ignore_index=True), cj.outcome, "mm_difference")


def _group_feature(cj: ConjointData, by: str) -> Feature:
    codes, levels = cj.group_codes(by)
    return Feature(by, tuple(levels), codes.astype(np.int32))

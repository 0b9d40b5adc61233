"""Marginal means (MMs), as cregg's ``mm``: the mean outcome over all profiles that show a level.

cregg stacks the features into one long table and, for each feature, fits
``survey::svyglm(OUTCOME ~ 0 + LEVEL)`` on ``svydesign(ids = id, weights = weights)`` over that
feature's rows, so each level's mean is a domain estimate of the whole design: its variance is
``M/(M-1) sum_c z_c^2`` over all M clusters, with
``z_c = sum_{i in c, level} w_i (y_i - mean) / sum_{level} w_i``. Without respondent ids every row
is its own cluster, so M is the number of rows. (cregg 0.3.2 to 0.3.5 called ``svyby`` on the
whole stacked table, where M without ids was the number of rows times the number of features.)
The same formulas are computed here with ``numpy.bincount``, without stacking.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import Problem
from .data import ConjointData, ConjointError, Feature, as_conjoint, as_text
from .ols import not_finite, unit_scale
from .randomisation import Design
from .tidy import check_alpha, check_h0, labelled, tidy


def mm(
    data: pd.DataFrame | ConjointData,
    outcome: str | None = None,
    features: Sequence[str] | None = None,
    *,
    id: str | None = None,
    weights: str | None = None,
    levels: Mapping[str, Sequence[str]] | None = None,
    baselines: Mapping[str, str] | None = None,
    design: Design | None = None,
    by: str | None = None,
    h0: float = 0.0,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Marginal mean of the outcome for every level of every feature.

    ``h0`` is the null value for z and p (0.5 is natural for a forced choice between two profiles).
    With ``by``, marginal means per group, with a first column named ``by``. Columns as
    :func:`~winset.conjoint.amce.amce`'s, ``statistic`` ``"mm"``; other parameters as its.
    """
    check_alpha(alpha)
    check_h0(h0)
    cj = as_conjoint(data, outcome, features, id=id, weights=weights, levels=levels, baselines=baselines, design=design)
    if by is None:
        table = marginal_means(cj, h0, alpha)
    else:
        table = cj.per_group(by, lambda subset: marginal_means(subset, h0, alpha))
    return labelled(table, cj.outcome, "mm")


def marginal_means(cj: ConjointData, h0: float = 0.0, alpha: float = 0.05) -> pd.DataFrame:
    """Marginal means of validated data (see :func:`mm`)."""
    cj.check_sample()
    names, level_names, estimates, errors = [], [], [], []
    for feature in cj.features:
        mean, totals, n_clusters = domain_totals(cj, feature)
        # clusters without rows contribute zero totals; the totals sum to zero, so centring over
        # all M clusters changes nothing
        variance = n_clusters / (n_clusters - 1) * (totals**2).sum(axis=0)
        names += [feature.name] * len(feature.levels)
        level_names += list(feature.levels)
        estimates += list(mean)
        errors += list(np.sqrt(variance))
    if not (np.isfinite(estimates).all() and np.isfinite(errors).all()):
        raise ConjointError([not_finite(cj.y)], source=cj.source)
    return tidy(names, level_names, estimates, errors, alpha, h0=h0)


def domain_totals(cj: ConjointData, feature: Feature) -> tuple[np.ndarray, np.ndarray, int]:
    """Each level's marginal mean, each cluster's total of the mean's linearised deviations
    (clusters x levels: ``z_c`` of the module's opening comment), and the number of clusters M.
    Two means' covariance is ``M/(M-1)`` times the sum over clusters of their totals' product.
    The data's sample must have been checked (``cj.check_sample()``)."""
    w = np.ones(cj.n_rows) if cj.weights is None else unit_scale(cj.weights)
    if cj.clusters is None:
        clusters, n_clusters = np.arange(cj.n_rows), cj.n_rows  # each row is a cluster
    else:
        clusters, n_clusters = cj.clusters, cj.n_clusters
    n_levels = len(feature.levels)
    total_w = np.bincount(feature.codes, weights=w, minlength=n_levels)
    _check_levels(cj, feature, w, clusters, n_clusters)
    mean = np.bincount(feature.codes, weights=w * cj.y, minlength=n_levels) / total_w
    z = w * (cj.y - mean[feature.codes]) / total_w[feature.codes]
    totals = np.bincount(
        clusters * n_levels + feature.codes, weights=z, minlength=int(clusters.max() + 1) * n_levels
    ).reshape(-1, n_levels)
    return mean, totals, n_clusters


def _check_levels(cj: ConjointData, feature: Feature, w: np.ndarray, clusters: np.ndarray, n_clusters: int) -> None:
    """Every level needs rows with weight, in two clusters at least: the domain variance of a
    level that one respondent (or one row) alone was shown is zero whatever the data."""
    carried = w > 0
    key = np.unique(feature.codes[carried].astype(np.int64) * n_clusters + clusters[carried])
    shown_to = np.bincount(key // n_clusters, minlength=len(feature.levels))
    for code in np.flatnonzero(shown_to < 2):
        level = feature.levels[int(code)]
        if shown_to[code] == 0:
            problem = Problem(
                f"column '{cj.weight_column}'",
                f"every row with {feature.name} = '{level}' has weight 0, so its marginal mean is not defined",
                "give these rows weights, or drop the level",
            )
        else:
            rows = np.flatnonzero((feature.codes == code) & carried)
            who = (
                f"one row only ({cj.row_names(rows)})"
                if cj.clusters is None
                else f"one respondent only ('{as_text(cj.frame[cj.id].iloc[int(rows[0])])}')"
            )
            problem = Problem(
                f"column '{feature.name}'",
                f"{feature.name} = '{level}' is shown to {who}, so its marginal mean has no standard error",
                "merge the level with another, or analyse more data",
            )
        raise ConjointError([problem], source=cj.source)

"""A test of preference heterogeneity: cregg's ``cj_anova``.

The reduced model regresses the outcome on the features; the full model adds the grouping
variable and its interaction with every feature. The F test of the nested models (as R's
``anova(reduced, full, test = "F")``) asks whether any effect differs between the groups. It rests
on the residual sums of squares, so respondent clustering does not enter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
from scipy.special import fdtrc  # the F distribution's upper tail, without importing scipy.stats

from . import terms
from .data import ConjointData, as_conjoint
from .diffs import _group_feature
from .ols import DummyDesign, fit


def cj_anova(
    data: pd.DataFrame | ConjointData,
    outcome: str | None = None,
    features: Sequence[str] | None = None,
    *,
    by: str,
    weights: str | None = None,
    levels: Mapping[str, Sequence[str]] | None = None,
    baselines: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """F test of the features-only model against the model with all feature x ``by`` interactions.

    Returns two rows (``reduced``, ``full``) with ``df_residual, rss, df, sum_of_squares, f, p``
    (the last four on the ``full`` row), as R's anova table. With weights, sums of squares are
    weighted (weighted least squares).
    """
    cj = as_conjoint(data, outcome=outcome, features=features, weights=weights, levels=levels, baselines=baselines)
    group = _group_feature(cj, by)
    cj.check_sample()
    reduced_terms = [terms.intercept(cj.n_rows)] + [terms.main(f) for f in cj.features]
    full_terms = reduced_terms + [terms.main(group)] + [terms.interaction(f, group) for f in cj.features]
    reduced = fit(DummyDesign(reduced_terms), cj.y, cj.weights, None, "classical", source=cj.source)
    full = fit(DummyDesign(full_terms), cj.y, cj.weights, None, "classical", source=cj.source)
    df = reduced.df_residual - full.df_residual
    sum_of_squares = reduced.rss - full.rss
    f = (sum_of_squares / df) / (full.rss / full.df_residual)
    return pd.DataFrame(
        {
            "model": ["reduced", "full"],
            "df_residual": [reduced.df_residual, full.df_residual],
            "rss": [reduced.rss, full.rss],
            "df": [float("nan"), df],
            "sum_of_squares": [float("nan"), sum_of_squares],
            "f": [float("nan"), f],
            "p": [float("nan"), fdtrc(df, full.df_residual, f)],
        }
    )

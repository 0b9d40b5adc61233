"""Average marginal component effects (AMCEs), as cregg's ``amce``/``cj`` and cjoint's ``amce``.

The AMCE of a level is its coefficient in an OLS regression of the outcome on the features'
treatment dummies. In a restricted design each restricted pair enters with its interaction, and a
level's AMCE averages its effect over the levels of the other feature:

* ``convention="cregg"``: main coefficient plus the mean of the estimable interaction coefficients
  over all estimable cells (weight 1 for the main coefficient, 1/n for each interaction, n counting
  the main one), as cregg does;
* ``convention="cjoint"``: main coefficient plus the interaction coefficients weighted by the
  design's randomisation probabilities of the other feature's levels, restricted to levels that
  are also shown with the baseline, as cjoint does.

Standard errors, as each package computes them (see :mod:`winset.conjoint.ols`):

* cregg: ``survey::svyglm`` on ``svydesign(ids = id, weights = weights)``, the design-based
  ("survey") variance with factor M/(M-1), respondents as clusters, or every row its own cluster
  without an id; with or without weights;
* cjoint with weights: ``survey::svyglm`` too, on ``svydesign(ids = ~respondent)`` with an id
  (``cluster = TRUE``) and ``svydesign(ids = ~0)`` without, so the same "survey" variance;
  weights that are all equal count as none, as cjoint drops them;
* cjoint without weights: its CR1 (``cluster_se_glm``, M/(M-1) (N-1)/(N-K)) with respondent
  clusters, sandwich's HC2 without.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import Problem, did_you_mean, known_list
from . import terms
from .data import ConjointData, ConjointError, Feature, as_conjoint
from .ols import DummyDesign, Fit, Term, VarianceKind, fit
from .randomisation import Design
from .tidy import check_alpha, labelled, tidy

Convention = Literal["cregg", "cjoint"]
CONVENTIONS = ("cregg", "cjoint")


def amce(
    data: pd.DataFrame | ConjointData,
    outcome: str | None = None,
    features: Sequence[str] | None = None,
    *,
    id: str | None = None,
    weights: str | None = None,
    levels: Mapping[str, Sequence[str]] | None = None,
    baselines: Mapping[str, str] | None = None,
    design: Design | None = None,
    restricted: Sequence[tuple[str, str]] | None = None,
    convention: Convention = "cregg",
    by: str | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """AMCEs of every level of every feature (baselines included, with estimate 0).

    Parameters
    ----------
    data:
        long-format conjoint data (a DataFrame with the roles below, or a ConjointData).
    outcome, features, id, weights, levels, baselines, design:
        see :class:`~winset.conjoint.data.ConjointData`.
    restricted:
        pairs of features whose combinations are restricted (cregg's ``A * B`` in the formula);
        default: the restricted pairs of ``design`` among ``features``.
    convention:
        ``"cregg"`` or ``"cjoint"``: the standard errors and constrained averaging of that package.
    by:
        a column to split the data by; estimates per group, with a column named ``by``.
    alpha:
        1 - confidence level of the intervals (two-sided, normal).

    Returns
    -------
    DataFrame with ``outcome, statistic, feature, level, estimate, std_error, z, p, lower, upper``
    (after a column named ``by`` with ``by``); ``statistic`` is ``"amce"``.
    """
    check_alpha(alpha)
    _check_convention(convention)
    cj = as_conjoint(data, outcome, features, id=id, weights=weights, levels=levels, baselines=baselines, design=design)
    pairs = restricted_pairs(cj, restricted)
    if by is None:
        table = _amce(cj, pairs, convention, alpha)
    else:
        table = cj.per_group(by, lambda subset: _amce(subset, pairs, convention, alpha))
    return labelled(table, cj.outcome, "amce")


def restricted_pairs(cj: ConjointData, restricted: Sequence[tuple[str, str]] | None) -> list[tuple[str, str]]:
    """The restricted pairs to model: as given, or the design's pairs among the features; each
    feature may appear in one pair only (two-way restrictions, as cregg and cjoint)."""
    names = cj.feature_names
    if restricted is None:
        restricted = [p for p in (cj.design.pairs if cj.design else []) if p[0] in names and p[1] in names]
    pairs = [tuple(p) for p in restricted]
    problems = []
    seen: set[str] = set()
    for pair in pairs:
        if len(pair) != 2 or pair[0] == pair[1]:
            problems.append(
                Problem(
                    f"restriction {pair}",
                    "a restriction names two different features",
                    "give pairs like ('Education', 'Job')",
                )
            )
            continue
        for name in pair:
            if name not in names:
                problems.append(
                    Problem(
                        f"restriction {pair}",
                        f"'{name}' is not one of the features{did_you_mean(name, names)}",
                        f"use features among {known_list(names)}",
                    )
                )
            elif name in seen:
                problems.append(
                    Problem(
                        f"restriction {pair}",
                        f"'{name}' is in two restrictions",
                        "each feature may be restricted with one other only",
                    )
                )
            seen.add(name)
    if problems:
        raise ConjointError(problems)
    return pairs  # type: ignore[return-value]  # pairs of other lengths are refused above


def variance_kind(convention: Convention, cj: ConjointData) -> VarianceKind:
    """The variance each package uses for a model on these data, fitted with ``cj.clusters``
    (None: every row its own cluster).

    Both packages fit weighted models with ``survey::svyglm`` and report its design-based variance;
    cjoint's own CR1 and HC2 apply only without weights (or with weights all equal, which cjoint
    drops)."""
    if convention == "cregg" or cjoint_weighted(cj):
        return "survey"
    return "cr1" if cj.clusters is not None else "hc2"


def cjoint_weighted(cj: ConjointData) -> bool:
    """Whether cjoint fits these data with weights: a weights column with more than one value."""
    return cj.weights is not None and bool((cj.weights != cj.weights[0]).any())


def fit_terms(cj: ConjointData, model_terms: Sequence[Term], convention: Convention) -> Fit:
    """The least-squares fit of the data's outcome on ``model_terms``, with the package's variance
    and problems located at the data's rows."""
    return fit(
        DummyDesign(model_terms),
        cj.y,
        cj.weights,
        cj.clusters,
        variance_kind(convention, cj),
        row_names=cj.row_names,
        source=cj.source,
    )


def _check_convention(convention: str) -> None:
    if convention not in CONVENTIONS:
        raise ConjointError(
            [
                Problem(
                    "convention",
                    f"unknown convention '{convention}'{did_you_mean(convention, CONVENTIONS)}",
                    "use 'cregg' or 'cjoint'",
                )
            ]
        )


def _amce(cj: ConjointData, pairs: list[tuple[str, str]], convention: Convention, alpha: float) -> pd.DataFrame:
    model, combinations = amce_combinations(cj, pairs, convention)
    rows = [
        (feature, level, *combine(model, weights)) if level != baseline else (feature, level, 0.0, np.nan)
        for (feature, level), (baseline, weights) in combinations.items()
    ]
    features, levels, estimates, errors = zip(*rows, strict=True)
    return tidy(features, levels, estimates, errors, alpha)


def amce_terms(cj: ConjointData, pairs: list[tuple[str, str]]) -> list[Term]:
    """The AMCE model's terms: an intercept, every feature, and each restricted pair's interaction."""
    by_name = {f.name: f for f in cj.features}
    model_terms = [terms.intercept(cj.n_rows)] + [terms.main(f) for f in cj.features]
    return model_terms + [terms.interaction(by_name[a], by_name[b]) for a, b in pairs]


def amce_combinations(
    cj: ConjointData, pairs: list[tuple[str, str]], convention: Convention
) -> tuple[Fit, dict[tuple[str, str], tuple[str, dict[int, float]]]]:
    """The AMCE model's fit, and for each (feature, level) its feature's baseline and the weights
    on the fit's coefficients whose sum is the level's AMCE (none for a baseline; none either
    for a level whose AMCE cannot be estimated)."""
    cj.check_sample()
    by_name = {f.name: f for f in cj.features}
    model = fit_terms(cj, amce_terms(cj, pairs), convention)
    # each restricted feature's partner, and whether it comes first in their interaction term
    partner = {a: (b, True) for a, b in pairs} | {b: (a, False) for a, b in pairs}
    probabilities = _design_for(cj, pairs) if convention == "cjoint" and pairs else None
    combinations: dict[tuple[str, str], tuple[str, dict[int, float]]] = {}
    for feature in cj.features:
        combinations[feature.name, feature.baseline] = (feature.baseline, {})
        for level in feature.levels[1:]:
            if feature.name in partner:
                other, first = partner[feature.name]
                weights = _constrained_weights(model, feature, by_name[other], first, level, convention, probabilities)
            else:
                weights = {model.names.index(terms.main_label(feature, level)): 1.0}
            combinations[feature.name, level] = (feature.baseline, weights)
    return model, combinations


def _design_for(cj: ConjointData, pairs: list[tuple[str, str]]) -> Design:
    """The design with the probabilities of every restricted pair: the user's design where it has
    the pair, else the combinations observed in the data, equally likely."""
    restrictions = []
    missing = []
    for a, b in pairs:
        found = cj.design.restriction(a, b) if cj.design else None
        if found is None:
            missing.append((a, b))
        else:
            restrictions.append(found)
    if missing:
        frame = pd.DataFrame({f.name: np.asarray(f.levels)[f.codes] for f in cj.features})
        restrictions += list(Design.observed(frame, missing).restrictions)
    return Design({}, tuple(restrictions))


def _constrained_weights(
    model: Fit, feature: Feature, other: Feature, first: bool, level: str, convention: Convention, design: Design | None
) -> dict[int, float]:
    """Weights on the coefficients whose combination is the constrained AMCE of ``level``
    (``first``: the feature comes first in the interaction term with ``other``)."""
    main = model.names.index(terms.main_label(feature, level))
    interactions = {}
    for other_level in other.levels[1:]:
        if first:
            label = terms.interaction_label(feature, other, level, other_level)
        else:
            label = terms.interaction_label(other, feature, other_level, level)
        column = model.names.index(label)
        if not model.aliased[column]:
            interactions[other_level] = column
    if convention == "cregg":
        columns = ([] if model.aliased[main] else [main]) + list(interactions.values())
        if not columns:
            return {}
        share = 1.0 / len(columns)
        return {c: (1.0 if i == 0 else share) for i, c in enumerate(columns)}
    if model.aliased[main]:
        return {}
    # cjoint's averaging comes with the probabilities of every restricted pair (see _design_for)
    restriction = design.restriction(feature.name, other.name) if design is not None else None
    assert restriction is not None
    table = restriction.table_for(feature.name, feature.levels, other.levels)
    shown_with_baseline = table[0] > 0
    joint = table[feature.levels.index(level)] * shown_with_baseline
    total = joint.sum()
    weights = {main: 1.0}
    if total > 0:
        for other_level, column in interactions.items():
            weights[column] = joint[other.levels.index(other_level)] / total
    return weights


def combine(model: Fit, weights: dict[int, float]) -> tuple[float, float]:
    """Estimate and standard error of a weighted sum of coefficients (NaN for no weights)."""
    if not weights:
        return np.nan, np.nan
    index = np.array(list(weights))
    w = np.array(list(weights.values()))
    estimate = float(w @ model.coef[index])
    variance = float(w @ model.vcov[np.ix_(index, index)] @ w)
    return estimate, float(np.sqrt(variance))

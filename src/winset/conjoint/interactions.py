"""Interactions between two features, and tests that two levels differ.

``acie``: the average component interaction effect (Hainmueller, Hopkins and Yamamoto 2014) of a
combination ``(a, b)`` of two features' levels is how much more (or less) showing both changes the
outcome than the sum of their AMCEs: ``E[Y(a, b) - Y(a0, b) - Y(a, b0) + Y(a0, b0)]`` with
``a0, b0`` the baselines. Under randomisation it is the coefficient of the product of the two
features' dummies in the regression of the outcome on every feature and that product (cjoint's
``amce(Y ~ A * B + ...)`` reports it the same way); standard errors follow the convention, as the
AMCEs'. AMCEs of one feature conditional on another's level are ``amce(..., by=feature)``.

``compare_levels``: whether two levels' AMCEs, or their marginal means, differ. Both AMCEs are sums
of the same regression's coefficients, so their difference has the variance of the difference of
the two sums. Two marginal means are domain means over the same respondents; their covariance is
``M/(M-1)`` times the sum over clusters of the two means' linearised totals, which the variance of
each mean is the case of (see :mod:`winset.conjoint.mm`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import Problem, did_you_mean, known_list
from . import terms
from .amce import Convention, _check_convention, amce_combinations, combine, fit_terms, restricted_pairs
from .data import ConjointData, ConjointError, Feature, as_conjoint
from .mm import domain_totals
from .randomisation import Design
from .tidy import check_alpha, labelled, tidy

Statistic = Literal["amce", "mm"]


def acie(
    data: pd.DataFrame | ConjointData,
    outcome: str | None = None,
    features: Sequence[str] | None = None,
    *,
    pair: tuple[str, str],
    id: str | None = None,
    weights: str | None = None,
    levels: Mapping[str, Sequence[str]] | None = None,
    baselines: Mapping[str, str] | None = None,
    design: Design | None = None,
    restricted: Sequence[tuple[str, str]] | None = None,
    convention: Convention = "cregg",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """The ACIE of every combination of two features' non-baseline levels.

    ``pair`` names the two features (both among ``features``). Returns ``outcome, statistic
    ("acie"), feature ("A:B"), level ("a:b"), estimate, std_error, z, p, lower, upper``. An
    ACIE contrasts ``a:b`` with ``a0:b``, ``a:b0`` and the baselines ``a0:b0``: where a
    restricted design never shows one of the four, it is not identified and has no estimate
    (NaN); choose baselines shown with every level of the other feature. Other parameters as
    :func:`~winset.conjoint.amce.amce`.
    """
    check_alpha(alpha)
    _check_convention(convention)
    cj = as_conjoint(data, outcome, features, id=id, weights=weights, levels=levels, baselines=baselines, design=design)
    first, second = (feature_named(cj, name, "pair") for name in _two(pair, "pair"))
    if first.name == second.name:
        raise ConjointError([Problem("pair", "an interaction needs two different features", "name two features")])
    for feature in (first, second):
        if len(feature.levels) < 2:
            raise ConjointError(
                [Problem("pair", f"{feature.name} has one level only, so no interaction", "name features that vary")]
            )
    cj.check_sample()
    pairs = restricted_pairs(cj, restricted)
    by_name = {f.name: f for f in cj.features}
    modelled = {frozenset(p) for p in pairs}
    model_terms = [terms.intercept(cj.n_rows)] + [terms.main(f) for f in cj.features]
    model_terms += [terms.interaction(by_name[a], by_name[b]) for a, b in pairs]
    order = next(((a, b) for a, b in pairs if {a, b} == {first.name, second.name}), (first.name, second.name))
    if frozenset(order) not in modelled:
        model_terms.append(terms.interaction(by_name[order[0]], by_name[order[1]]))
    model = fit_terms(cj, model_terms, convention)
    a, b = by_name[order[0]], by_name[order[1]]  # as the model's interaction term has them
    # how often each combination was shown (rows with weight): the first feature's levels by row
    carried = np.ones(cj.n_rows, bool) if cj.weights is None else cj.weights > 0
    shown = np.bincount(
        first.codes[carried].astype(np.int64) * len(second.levels) + second.codes[carried],
        minlength=len(first.levels) * len(second.levels),
    ).reshape(len(first.levels), len(second.levels))
    rows = []
    for j, level_2 in enumerate(second.levels[1:], start=1):
        for i, level_1 in enumerate(first.levels[1:], start=1):
            level_a, level_b = (level_1, level_2) if a.name == first.name else (level_2, level_1)
            column = model.names.index(terms.interaction_label(a, b, level_a, level_b))
            # the ACIE contrasts four combinations: each must have been shown, or the coefficient
            # that remains after aliasing measures against another reference
            identified = shown[i, j] and shown[0, j] and shown[i, 0] and shown[0, 0]
            estimate, error = combine(model, {column: 1.0} if identified and not model.aliased[column] else {})
            rows.append((f"{first.name}:{second.name}", f"{level_1}:{level_2}", estimate, error))
    names, level_names, estimates, errors = zip(*rows, strict=True)
    return labelled(tidy(names, level_names, estimates, errors, alpha), cj.outcome, "acie")


def compare_levels(
    data: pd.DataFrame | ConjointData,
    outcome: str | None = None,
    features: Sequence[str] | None = None,
    *,
    comparisons: Sequence[tuple[tuple[str, str], tuple[str, str]]],
    statistic: Statistic = "amce",
    id: str | None = None,
    weights: str | None = None,
    levels: Mapping[str, Sequence[str]] | None = None,
    baselines: Mapping[str, str] | None = None,
    design: Design | None = None,
    restricted: Sequence[tuple[str, str]] | None = None,
    convention: Convention = "cregg",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Tests that two levels' AMCEs (``statistic="amce"``) or marginal means (``"mm"``) differ.

    Each comparison is ``((feature, level), (feature, level))``, of one feature or of two.
    Returns one row per comparison: ``outcome, statistic ("amce_contrast" or "mm_contrast"),
    first, second ("feature = level"), estimate (first minus second), std_error, z, p, lower,
    upper``. A baseline's AMCE is 0, so comparing a level with its baseline gives its AMCE.
    ``restricted`` and ``convention`` apply to AMCEs; other parameters as
    :func:`~winset.conjoint.amce.amce`.
    """
    check_alpha(alpha)
    if statistic not in ("amce", "mm"):
        raise ConjointError(
            [
                Problem(
                    "statistic",
                    f"unknown statistic '{statistic}'{did_you_mean(statistic, ('amce', 'mm'))}",
                    "use 'amce' or 'mm'",
                )
            ]
        )
    _check_convention(convention)
    cj = as_conjoint(data, outcome, features, id=id, weights=weights, levels=levels, baselines=baselines, design=design)
    pairs = restricted_pairs(cj, restricted)  # checked for marginal means too, which do not use them
    example = "[(('A', 'a1'), ('A', 'a2'))]"
    given = [] if isinstance(comparisons, (str, bytes)) else list(comparisons)
    if not given:
        raise ConjointError([Problem("comparisons", "no comparison given", f"give a list of pairs like {example}")])
    checked = []
    for comparison in given:
        first, second = _two(comparison, "comparisons")
        if isinstance(first, str) or isinstance(second, str):  # one (feature, level) pair, not two
            raise ConjointError(
                [
                    Problem(
                        "comparisons",
                        f"each comparison is two (feature, level) pairs, got {comparison!r}",
                        f"give a list of them, like {example}",
                    )
                ]
            )
        checked.append((_level_named(cj, first), _level_named(cj, second)))
    cj.check_sample()
    if statistic == "amce":
        estimates, errors = _amce_contrasts(cj, checked, pairs, convention)
    else:
        estimates, errors = _mm_contrasts(cj, checked)
    firsts = [f"{f} = {v}" for (f, v), _ in checked]
    seconds = [f"{f} = {v}" for _, (f, v) in checked]
    table = tidy(firsts, seconds, estimates, errors, alpha).rename(columns={"feature": "first", "level": "second"})
    table.insert(0, "statistic", f"{statistic}_contrast")
    table.insert(0, "outcome", cj.outcome)
    return table


def _amce_contrasts(
    cj: ConjointData, comparisons: list, pairs: list[tuple[str, str]], convention: Convention
) -> tuple[list[float], list[float]]:
    model, combinations = amce_combinations(cj, pairs, convention)
    estimates, errors = [], []
    for first, second in comparisons:
        one, two = _amce_weights(combinations, first), _amce_weights(combinations, second)
        if one is None or two is None:  # a level whose AMCE cannot be estimated
            estimate, error = np.nan, np.nan
        else:
            weights = dict(one)
            for column, value in two.items():
                weights[column] = weights.get(column, 0.0) - value
            weights = {c: v for c, v in weights.items() if v != 0.0}
            # no weights left: the same AMCE twice (or two baselines), a difference of exactly zero
            estimate, error = combine(model, weights) if weights else (0.0, 0.0)
        estimates.append(estimate)
        errors.append(error)
    return estimates, errors


def _amce_weights(combinations: dict, key: tuple[str, str]) -> dict[int, float] | None:
    """The weights whose sum is a level's AMCE: none for a baseline (its AMCE is 0), None for a
    level whose AMCE cannot be estimated."""
    baseline, weights = combinations[key]
    if key[1] == baseline:
        return {}
    return weights or None


def _mm_contrasts(cj: ConjointData, comparisons: list) -> tuple[list[float], list[float]]:
    found: dict[str, tuple[np.ndarray, np.ndarray, int]] = {}
    estimates, errors = [], []
    for first, second in comparisons:
        sides = []
        for name, level in (first, second):
            feature = cj.feature(name)
            if name not in found:
                found[name] = domain_totals(cj, feature)
            mean, totals, n_clusters = found[name]
            code = feature.levels.index(level)
            sides.append((mean[code], totals[:, code], n_clusters))
        (mean_1, z_1, m), (mean_2, z_2, _) = sides
        d = z_1 - z_2
        estimates.append(float(mean_1 - mean_2))
        errors.append(float(np.sqrt(m / (m - 1) * (d @ d))))
    return estimates, errors


def _two(items: object, where: str) -> tuple:
    """``items`` as a pair (any sequence of two, numpy arrays included)."""
    try:
        pair: tuple = tuple(items)  # type: ignore[arg-type]  # anything iterable; refused below if not
    except TypeError:
        pair = ()
    if isinstance(items, (str, bytes)) or len(pair) != 2:
        raise ConjointError([Problem(where, f"expected two items, got {items!r}", "give a pair")])
    return pair


def feature_named(cj: ConjointData, name: object, where: str) -> Feature:
    """The feature called ``name``; a problem at ``where`` (a parameter) if there is none."""
    if not isinstance(name, str) or name not in cj.feature_names:
        raise ConjointError(
            [
                Problem(
                    where,
                    f"{name!r} is not one of the features{did_you_mean(str(name), cj.feature_names)}",
                    f"use features among {known_list(cj.feature_names)}",
                )
            ]
        )
    return cj.feature(name)


def _level_named(cj: ConjointData, item: object) -> tuple[str, str]:
    name, level = _two(item, "comparisons")
    feature = feature_named(cj, name, "comparisons")
    if level not in feature.levels:
        raise ConjointError(
            [
                Problem(
                    "comparisons",
                    f"{level!r} is not a level of {name}{did_you_mean(str(level), feature.levels)}",
                    f"use one of {known_list(feature.levels)}",
                )
            ]
        )
    return name, level

"""Diagnostics of a conjoint experiment, as its analysts run them before trusting the AMCEs.

* **Attribute balance against the design**: each feature's display counts against what the
  randomisation should give (equal shares, or the marginal shares of a restricted pair's
  probability table), with Pearson's chi-square goodness-of-fit test (profiles are independent
  draws of the randomisation).
* **Covariate balance**: each respondent characteristic regressed on the features, as cregg's
  balance test does with ``amce(covariate ~ features)``, with a Wald test that every feature
  coefficient is zero under the convention's respondent-clustered variance (rows of one respondent
  share the covariate, so a classical F test would overstate the evidence), as F = W/q referred to
  F(q, M - 1) (the variance rests on M respondents); not run with M - 1 <= q.

The tests use the sample as randomised, without survey weights (weighted sums of squares would
take the weights for precisions); the tables of estimates are weighted.
* **Carryover**: AMCEs by task, and cregg's ``cj_anova`` F test that they are all equal.
* **Profile order**: AMCEs by the profile's position in the task (left or right), with the same test.
* **Attribute order**, where the order of the features on screen was randomised and a column gives
  each row's position of a feature: that feature's AMCEs by its position, and the F test of the
  features-only model against the one with the feature's dummies interacted with its position (as
  ``cj_anova``, residual sums of squares).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import chdtrc, fdtrc  # the chi-square's and F's upper tails

from ..errors import Problem, known_list
from . import terms
from .amce import Convention, _amce, _check_convention, fit_terms, restricted_pairs
from .anova import cj_anova
from .data import ConjointData, ConjointError, Feature, as_conjoint
from .diffs import _group_feature
from .ols import DummyDesign, fit
from .randomisation import Design
from .tidy import check_alpha, labelled


@dataclass
class Diagnostics:
    """What :func:`diagnose` found; each table is empty where its column was not given."""

    balance: pd.DataFrame  # feature, level, count, share, expected_share
    balance_tests: pd.DataFrame  # feature, chi2, df, p
    covariate_tests: pd.DataFrame  # covariate, n_rows, f, df, df_residual, p
    carryover: pd.DataFrame  # AMCEs by task
    carryover_test: pd.DataFrame  # cj_anova by task
    profile_order: pd.DataFrame  # AMCEs by profile position
    profile_order_test: pd.DataFrame  # cj_anova by profile
    attribute_order: pd.DataFrame  # each feature's AMCEs by its position
    attribute_order_tests: pd.DataFrame  # feature, position, df, f, p
    notes: list[str] = field(default_factory=list)

    def tests(self) -> pd.DataFrame:
        """Every test in one table: ``diagnostic, subject, statistic, value, df, p``."""
        rows = [("balance", r.feature, "chi2", r.chi2, r.df, r.p) for r in self.balance_tests.itertuples()]
        rows += [("covariate", r.covariate, "f", r.f, r.df, r.p) for r in self.covariate_tests.itertuples()]
        for name, table in (("carryover", self.carryover_test), ("profile_order", self.profile_order_test)):
            if len(table):
                full = table.iloc[1]
                rows.append((name, "all features", "f", full["f"], full["df"], full["p"]))
        rows += [("attribute_order", r.feature, "f", r.f, r.df, r.p) for r in self.attribute_order_tests.itertuples()]
        return pd.DataFrame(rows, columns=["diagnostic", "subject", "statistic", "value", "df", "p"])

    def summary(self) -> str:
        """The tests as text, one line each, and the notes."""
        lines = ["Conjoint diagnostics", "=" * 20]
        tests = self.tests()
        if not len(tests):
            lines.append("no diagnostic could be run: give a task, profile, covariate or position column")
        for r in tests.itertuples():
            lines.append(
                f"{r.diagnostic:<16} {r.subject:<24} {r.statistic} = {r.value:10.3f}  df = {r.df:g}  p = {r.p:.4f}"
            )
        lines += [f"note: {note}" for note in self.notes]
        return "\n".join(lines)


def diagnose(
    data: pd.DataFrame | ConjointData,
    outcome: str | None = None,
    features: Sequence[str] | None = None,
    *,
    id: str | None = None,
    task: str | None = None,
    profile: str | None = None,
    covariates: Sequence[str] = (),
    positions: Mapping[str, str] | None = None,
    weights: str | None = None,
    levels: Mapping[str, Sequence[str]] | None = None,
    baselines: Mapping[str, str] | None = None,
    design: Design | None = None,
    convention: Convention = "cregg",
    alpha: float = 0.05,
) -> Diagnostics:
    """Balance, carryover, profile-order and attribute-order diagnostics (see the module).

    ``task`` and ``profile`` default to the data's own roles where ``data`` is a ConjointData;
    ``covariates`` are numeric respondent characteristics (rows missing one are left out of its
    test); ``positions`` maps a feature to the column of its on-screen position.
    """
    check_alpha(alpha)
    _check_convention(convention)
    cj = as_conjoint(data, outcome, features, id=id, weights=weights, levels=levels, baselines=baselines, design=design)
    task = task or cj.task
    profile = profile or cj.profile
    covariates = [covariates] if isinstance(covariates, str) else list(covariates or ())
    if positions is not None and not isinstance(positions, Mapping):
        raise ConjointError(
            [
                Problem(
                    "positions", "expected a mapping from a feature to its position column", 'give {"A": "A_position"}'
                )
            ]
        )
    positions = dict(positions or {})
    _check_columns(cj, [c for c in [task, profile, *covariates, *positions.values()] if c], positions)
    cj.check_sample()
    pairs = restricted_pairs(cj, None)
    # randomisation is a property of the sample: the tests do not weight it (weighted residual sums
    # of squares would treat survey weights as precisions and reject far too often)
    sample = cj.unweighted()
    balance, balance_tests, notes = _attribute_balance(cj, alpha)
    covariate_tests, covariate_notes = _covariate_balance(sample, covariates, convention)
    notes += covariate_notes
    carryover, carryover_test = _by_column(cj, sample, task, pairs, convention, alpha)
    profile_order, profile_order_test = _by_column(cj, sample, profile, pairs, convention, alpha)
    attribute_order, attribute_order_tests = _attribute_order(cj, sample, positions, pairs, convention, alpha)
    if cj.weights is not None:
        notes.append("the tests are of the sample as randomised, without the survey weights; the tables are weighted")
    return Diagnostics(
        balance,
        balance_tests,
        covariate_tests,
        carryover,
        carryover_test,
        profile_order,
        profile_order_test,
        attribute_order,
        attribute_order_tests,
        notes,
    )


def _check_columns(cj: ConjointData, columns: list[str], positions: Mapping[str, str]) -> None:
    problems = []
    for column in columns:
        if column not in cj.frame.columns:
            problems.append(
                Problem(
                    f"column '{column}'",
                    "no such column in the data",
                    f"use one of {known_list([str(c) for c in cj.frame.columns])}",
                )
            )
    for feature in positions:
        if feature not in cj.feature_names:
            problems.append(
                Problem(
                    f"position of '{feature}'",
                    f"'{feature}' is not one of the features",
                    f"use features among {known_list(cj.feature_names)}",
                )
            )
    if problems:
        raise ConjointError(problems, source=cj.source)


def expected_shares(cj: ConjointData, feature: Feature) -> np.ndarray | None:
    """The share of profiles the randomisation shows each level: the marginal of the feature's
    restricted pair in the design; None for equal shares."""
    for a, b in cj.design.pairs if cj.design else []:
        if feature.name in (a, b):
            restriction = cj.design.restriction(a, b)  # type: ignore[union-attr]  # pairs come from the design
            assert restriction is not None
            other = cj.design.levels.get(b if feature.name == a else a)  # type: ignore[union-attr]
            if other is None:
                continue
            table = restriction.table_for(feature.name, feature.levels, other)
            return table.sum(axis=1) / table.sum()
    return None


def _attribute_balance(cj: ConjointData, alpha: float) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    rows, tests, notes = [], [], []
    for feature in cj.features:
        counts = np.bincount(feature.codes, minlength=len(feature.levels)).astype(float)
        from_design = expected_shares(cj, feature)
        expected = np.full(len(counts), 1 / len(counts)) if from_design is None else from_design
        n = counts.sum()
        for level, count, share in zip(feature.levels, counts, expected, strict=True):
            rows.append((feature.name, level, int(count), count / n, share))
        shown = expected > 0
        chi2 = float((((counts - n * expected) ** 2)[shown] / (n * expected[shown])).sum())
        df = int(shown.sum()) - 1
        p = float(chdtrc(df, chi2)) if df > 0 else np.nan
        tests.append((feature.name, chi2, df, p))
        if from_design is None and p < alpha:
            notes.append(
                f"{feature.name}: its levels were not shown equally often (p = {p:.2g}); if the design "
                "restricts it, give the design file for the shares it should have"
            )
    return (
        pd.DataFrame(rows, columns=["feature", "level", "count", "share", "expected_share"]),
        pd.DataFrame(tests, columns=["feature", "chi2", "df", "p"]),
        notes,
    )


def _covariate_balance(
    cj: ConjointData, covariates: Sequence[str], convention: Convention
) -> tuple[pd.DataFrame, list[str]]:
    rows, notes = [], []
    for covariate in covariates:
        values = pd.to_numeric(cj.frame[covariate], errors="coerce").to_numpy(float)
        bad = np.flatnonzero(cj.frame[covariate].notna().to_numpy() & ~np.isfinite(values))
        if len(bad):
            raise ConjointError(
                [
                    Problem(
                        f"column '{covariate}'",
                        f"a covariate for the balance test must be numeric; {cj.row_names(bad)} are not",
                        "recode it as numbers (e.g. 0/1 for a category)",
                    )
                ],
                source=cj.source,
            )
        kept = np.flatnonzero(np.isfinite(values))
        if len(kept) < cj.n_rows:
            notes.append(f"{covariate}: {cj.n_rows - len(kept)} rows without a value left out of its test")
        skipped = _untestable(values[kept], cj.clusters, kept, covariate)
        if skipped:
            notes.append(skipped)
            rows.append((covariate, len(kept), np.nan, np.nan, np.nan, np.nan))
            continue
        subset = cj.take(kept)
        subset.y = values[kept]
        model_terms = [terms.intercept(subset.n_rows)] + [terms.main(f) for f in subset.features]
        model = fit_terms(subset, model_terms, convention)
        tested = np.flatnonzero(~model.aliased)[1:]  # every feature coefficient, not the intercept
        q, m = len(tested), subset.n_clusters
        b = model.coef[tested]
        v = model.vcov[np.ix_(tested, tested)]
        # a clustered variance has rank M - 1 at most: with no more respondents than coefficients
        # the Wald statistic is not defined
        if m - 1 <= q:
            notes.append(f"{covariate}: {m} respondents for {q} coefficients, too few for its test")
            rows.append((covariate, len(kept), np.nan, q, np.nan, np.nan))
            continue
        try:
            wald = float(b @ np.linalg.solve(v, b))
        except np.linalg.LinAlgError:
            notes.append(f"{covariate}: the coefficients' variance is singular, so no test")
            rows.append((covariate, len(kept), np.nan, q, np.nan, np.nan))
            continue
        f = wald / q  # referred to F(q, M - 1): the variance rests on M respondents, not on the rows
        rows.append((covariate, len(kept), f, q, m - 1, float(fdtrc(q, m - 1, f))))
    return pd.DataFrame(rows, columns=["covariate", "n_rows", "f", "df", "df_residual", "p"]), notes


def _untestable(values: np.ndarray, clusters: np.ndarray | None, kept: np.ndarray, covariate: str) -> str | None:
    """Why a covariate cannot be tested, or None."""
    if len(values) == 0:
        return f"{covariate}: no row has a value, so no test"
    if clusters is not None and len(np.unique(clusters[kept])) < 2:
        return f"{covariate}: one respondent only has a value, so no test"
    if np.ptp(values) == 0:
        return f"{covariate}: the same value in every row, so no test"
    return None


def _by_column(
    cj: ConjointData,
    sample: ConjointData,
    column: str | None,
    pairs: list[tuple[str, str]],
    convention: Convention,
    alpha: float,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    if column is None:
        return pd.DataFrame(), pd.DataFrame()
    table = labelled(cj.per_group(column, lambda subset: _amce(subset, pairs, convention, alpha)), cj.outcome, "amce")
    return table, cj_anova(sample, by=column)


def _attribute_order(
    cj: ConjointData,
    sample: ConjointData,
    positions: Mapping[str, str],
    pairs: list[tuple[str, str]],
    convention: Convention,
    alpha: float,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    if not positions:
        return pd.DataFrame(), pd.DataFrame()
    tables, tests = [], []
    reduced_terms = [terms.intercept(cj.n_rows)] + [terms.main(f) for f in cj.features]
    reduced = fit(DummyDesign(reduced_terms), cj.y, None, None, "classical", source=cj.source)
    for name, column in positions.items():
        feature = cj.feature(name)
        position = _group_feature(cj, column)
        full_terms = [*reduced_terms, terms.main(position), terms.interaction(feature, position)]
        full = fit(DummyDesign(full_terms), cj.y, None, None, "classical", source=cj.source)
        df = reduced.df_residual - full.df_residual
        f = ((reduced.rss - full.rss) / df) / (full.rss / full.df_residual)
        tests.append((name, column, df, f, float(fdtrc(df, full.df_residual, f))))
        by_position = cj.per_group(column, lambda subset: _amce(subset, pairs, convention, alpha))
        by_position = by_position[by_position["feature"] == name].rename(columns={column: "position"})
        tables.append(by_position)
    table = labelled(pd.concat(tables, ignore_index=True), cj.outcome, "amce")
    return table, pd.DataFrame(tests, columns=["feature", "position", "df", "f", "p"])

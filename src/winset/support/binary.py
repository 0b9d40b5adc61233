"""The binary-support model: would a respondent support this agreement, yes or no?

A logistic regression of the answer on the options' treatment dummies (baseline: the status quo
option of each issue), respondent covariates, and chosen option x covariate interactions::

    P(support P | respondent i) = logistic(b0 + sum_c g_c[x_ic] + sum_k b_k[P_k] + sum_(k,c) d_kc[P_k, x_ic])

A public's support for P is the weighted mean of these probabilities over its respondents, with
weights raked to population margins (post-stratification). The model compiles to a ScoreTable
with one row per distinct covariate pattern (cell) of the population.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import pandas as pd
from scipy.special import expit

from ..conjoint import terms
from ..conjoint.data import ConjointData, ConjointError, Feature
from ..conjoint.ols import DummyDesign, Term
from ..errors import ModelError, NotFittedError, Problem, did_you_mean, known_list
from ..scoretable import ScoreTable
from .logit import LogitFit, fit_logit, fit_logits
from .population import Respondents

# a warm-started resample needs less than the estimate: Newton's quadratic steps end far below the
# draws' spread
DRAW_TOLERANCE = 1e-7


class _DesignRows(Protocol):
    """What building the design reads from its data: ConjointData, or a :class:`_StandIn`."""

    @property
    def features(self) -> list[Feature]: ...

    @property
    def n_rows(self) -> int: ...


class _StandIn:
    """The parts of ConjointData that building the design needs, for made-up rows."""

    def __init__(self, features: list[Feature], n_rows: int) -> None:
        self.features = features
        self.n_rows = n_rows


class BinarySupportModel:
    """Logistic model of yes/no support for the profiles shown.

    Parameters
    ----------
    covariates:
        respondent characteristics (categorical) that shift support.
    interactions:
        ``(feature, covariate)`` pairs whose option effects differ between covariate groups.
    cutoff:
        if the outcome is a rating, support means ``rating >= cutoff``.

    Learned attributes: ``fit_`` (the logistic fit), ``features_`` and ``covariates_`` (levels).
    """

    def __init__(
        self,
        covariates: Sequence[str] = (),
        interactions: Sequence[Sequence[str]] = (),  # (feature, covariate) pairs, checked here
        cutoff: float | None = None,
    ) -> None:
        if isinstance(covariates, str) or not all(isinstance(c, str) for c in covariates):
            raise ModelError(
                [Problem("covariates", f"covariates must be a list of names, got {covariates!r}", "give ['age', ...]")]
            )
        pairs = [tuple(pair) for pair in interactions]
        bad = [pair for pair in pairs if len(pair) != 2 or not all(isinstance(name, str) for name in pair)]
        if bad:
            raise ModelError(
                [
                    Problem(
                        "interactions",
                        f"an interaction is a (feature, covariate) pair of names, got {bad[0]!r}",
                        "give [('feature', 'covariate'), ...]",
                    )
                ]
            )
        if cutoff is not None and not (isinstance(cutoff, int | float) and np.isfinite(cutoff)):
            raise ModelError(
                [
                    Problem(
                        "cutoff", f"cutoff must be a finite number, got {cutoff!r}", "give a rating such as 5, or none"
                    )
                ]
            )
        self.covariates = tuple(covariates)
        self.interactions = tuple(pairs)
        self.cutoff = cutoff

    def fit(self, data: ConjointData, respondents: Respondents) -> BinarySupportModel:
        """Fit on conjoint data whose outcome is the yes/no answer (or a rating, with ``cutoff``),
        weighting respondents by ``respondents.weights``."""
        self.features_ = list(data.features)
        self.covariates_ = self._covariate_features(respondents)
        self._respondents = respondents
        self._y = self.outcome(data)
        data.check_sample(self._y, role="support answer")
        self._design = DummyDesign(self._terms(data, respondents))
        self.fit_ = self.refit(respondents.weights)
        return self

    def refit(self, weights: np.ndarray, start: LogitFit | None = None) -> LogitFit:
        """The fit with other respondent weights (a bootstrap resample), warm-started from
        ``start`` (default: the fitted model); the fitted model is unchanged."""
        if not hasattr(self, "_design"):
            raise NotFittedError(self, "refit")
        row_weights = self._respondents.row_weights(weights) * self._respondents.n
        previous = getattr(self, "fit_", None) if start is None else start
        return fit_logit(
            self._design,
            self._y,
            row_weights,
            start=None if previous is None else previous.coef,
            keep=None if previous is None else ~previous.aliased,
            tolerance=1e-10 if previous is None else DRAW_TOLERANCE,
            variance=previous is None,
        )

    def refit_draws(self, weights: np.ndarray) -> list[LogitFit]:
        """:meth:`refit` for every row of ``weights`` (draws x respondents), warm-started from the
        fitted model, all at once: the same estimates as one by one, to rounding."""
        self._check_fitted("refit")
        coef, value, iterations = fit_logits(
            self._design,
            self._y,
            np.atleast_2d(weights) * self._respondents.n,
            self._respondents.row_respondent,
            self.fit_.coef,
            ~self.fit_.aliased,
            DRAW_TOLERANCE,
        )
        vcov = np.full((self._design.width, self._design.width), np.nan)  # draws need none
        vcov.setflags(write=False)  # one array for every draw
        return [
            LogitFit(self.fit_.names, c, vcov, self.fit_.aliased, float(v), int(i))
            for c, v, i in zip(coef, value, iterations, strict=True)
        ]

    def refit_flipped(self, weights: np.ndarray, flips: np.ndarray) -> list[LogitFit]:
        """The fit to answers flipped at a known rate (:mod:`winset.support.logit`), for every row
        of ``weights`` (draws x respondents) with its rate in ``flips``, warm-started from the
        fitted model: the model of the answers that would be given without error. The first row
        is taken to be the estimate (fitted to the tighter tolerance)."""
        self._check_fitted("refit")
        out = []
        for rows, tolerance in ((slice(0, 1), 1e-10), (slice(1, None), DRAW_TOLERANCE)):
            if not len(weights[rows]):
                continue
            coef, value, iterations = fit_logits(
                self._design,
                self._y,
                np.atleast_2d(weights[rows]) * self._respondents.n,
                self._respondents.row_respondent,
                self.fit_.coef,
                ~self.fit_.aliased,
                tolerance,
                np.asarray(flips[rows], dtype=float),
            )
            out += [
                LogitFit(self.fit_.names, c, self._no_variance(), self.fit_.aliased, float(v), int(i))
                for c, v, i in zip(coef, value, iterations, strict=True)
            ]
        return out

    def _no_variance(self) -> np.ndarray:
        vcov = np.full((self._design.width, self._design.width), np.nan)  # draws need none
        vcov.setflags(write=False)
        return vcov

    def _check_fitted(self, use: str) -> None:
        if not hasattr(self, "fit_"):
            raise NotFittedError(self, use)

    def outcome(self, data: ConjointData) -> np.ndarray:
        """The 0/1 support answer of each row."""
        y = data.y if self.cutoff is None else (data.y >= self.cutoff).astype(float)
        return data.require_binary(
            y, "a binary support answer", "code support as 1 and no support as 0, or give a cutoff for a rating"
        )

    def _covariate_features(self, respondents: Respondents) -> list[Feature]:
        known = {c.name: c for c in respondents.covariates}
        missing = [c for c in self.covariates if c not in known]
        if missing:
            raise ConjointError(
                [
                    Problem(
                        "covariates",
                        f"the respondents have no covariate {known_list(missing)}",
                        "prepare the respondents with these covariates",
                    )
                ]
            )
        return [known[c] for c in self.covariates]

    def _terms(self, data: _DesignRows, respondents: Respondents) -> list[Term]:
        row = respondents.row_respondent
        covariates = {c.name: Feature(c.name, c.levels, c.codes[row]) for c in self.covariates_}
        features = {f.name: f for f in data.features}
        model_terms = [terms.intercept(data.n_rows)] + [terms.main(f) for f in data.features]
        model_terms += [terms.main(covariates[c]) for c in self.covariates]
        problems = []
        for feature, covariate in self.interactions:
            if feature not in features or covariate not in covariates:
                unknown = feature if feature not in features else covariate
                known = list(features) if feature not in features else list(covariates)
                problems.append(
                    Problem(
                        f"interaction ({feature}, {covariate})",
                        f"'{unknown}' is not a feature or covariate of the model{did_you_mean(unknown, known)}",
                        f"use {known_list(known)}",
                    )
                )
                continue
            model_terms.append(terms.interaction(features[feature], covariates[covariate]))
        if problems:
            raise ConjointError(problems)
        return model_terms

    def predict_support(
        self, issues: Sequence[tuple[str, Sequence[str]]], codes: np.ndarray, weights: np.ndarray | None = None
    ) -> np.ndarray:
        """Support of packages by the model itself: every respondent's predicted probability of
        saying yes, averaged with the respondent weights. Independent of :meth:`score_table`.

        ``codes`` index each issue's options in ``issues`` (``(feature, [option, ...])``, the
        package space's order)."""
        self._check_fitted("predict support")
        w = self._respondents.weights if weights is None else weights
        n = self._respondents.n
        people = Respondents(self._respondents.covariates, w, np.arange(n))
        out = []
        for package in np.atleast_2d(codes):
            chosen = {name: options[c] for (name, options), c in zip(issues, package, strict=True)}
            features = [Feature(f.name, f.levels, np.full(n, f.levels.index(chosen[f.name]))) for f in self.features_]
            design = DummyDesign(self._terms(_StandIn(features, n), people))
            out.append(float(w @ expit(design.fitted(self.fit_.coef)) / w.sum()))
        return np.array(out)

    # ------------------------------------------------------------------ compilation
    def coefficient(self, term: str, label: str, fit: LogitFit | None = None) -> float:
        """A fitted coefficient by term and label (0 for baselines and aliased columns)."""
        if fit is None:
            self._check_fitted("give a coefficient")
        fit = self.fit_ if fit is None else fit
        name = f"{term}[{label}]"
        if name not in fit.names:
            return 0.0
        value = fit.coef[fit.names.index(name)]
        return 0.0 if np.isnan(value) else float(value)

    def cell_labels(self) -> pd.DataFrame:
        """Each row of :meth:`score_table`'s covariate levels, by name (a column per covariate
        of the model, in its order)."""
        self._check_fitted("label its cells")
        patterns, _ = self._respondents.cells()
        every = list(self._respondents.covariates)
        columns = {}
        for covariate in self.covariates_:
            j = [c.name for c in every].index(covariate.name)
            columns[covariate.name] = np.asarray(every[j].levels, dtype=object)[patterns[:, j]]
        return pd.DataFrame(columns, index=pd.RangeIndex(len(patterns)))

    def score_table(
        self,
        issues: Sequence[tuple[str, Sequence[str]]],
        weights: np.ndarray | None = None,
        fit: LogitFit | None = None,
    ) -> ScoreTable:
        """One ScoreTable group: a row per covariate cell of the respondents, weighted by
        ``weights`` (default the fitted weights), with coefficients from ``fit`` (default the
        fitted model).

        ``issues`` lists ``(feature, [option, ...])`` in the order of the package space; the
        model's features must be exactly these issues."""
        self._check_fitted("compile a ScoreTable")

        def coefficient(term: str, label: str) -> float:
            return self.coefficient(term, label, fit)

        patterns, cell_weights = self._respondents.cells(weights)
        # a pattern has a column per covariate of the respondents, which may hold more than the model's
        names = [c.name for c in self._respondents.covariates]
        patterns = patterns[:, [names.index(c.name) for c in self.covariates_]]
        features = {f.name: f for f in self.features_}
        shape = tuple(len(options) for _, options in issues)
        coefficients = np.zeros((len(patterns), sum(shape)))
        intercepts = np.full(len(patterns), coefficient(terms.INTERCEPT, ""))
        for j, covariate in enumerate(self.covariates_):
            effects = np.array(
                [coefficient(covariate.name, level) if i else 0.0 for i, level in enumerate(covariate.levels)]
            )
            intercepts += effects[patterns[:, j]]
        column = 0
        for name, options in issues:
            feature = features[name]
            for option in options:
                base = coefficient(name, option) if option != feature.baseline else 0.0
                coefficients[:, column] = base
                for j, covariate in enumerate(self.covariates_):
                    if (name, covariate.name) in self.interactions and option != feature.baseline:
                        effects = np.array(
                            [
                                coefficient(f"{name}:{covariate.name}", f"{option}:{level}") if i else 0.0
                                for i, level in enumerate(covariate.levels)
                            ]
                        )
                        coefficients[:, column] += effects[patterns[:, j]]
                column += 1
        return ScoreTable(
            shape,
            intercepts,
            coefficients,
            cell_weights / cell_weights.sum(),
            np.zeros(len(patterns), dtype=np.int64),
            "logistic",
        )

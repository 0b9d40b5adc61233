"""Preference classes: a finite mixture of logits of yes/no support, fitted by EM.

Each respondent belongs to one of C latent classes (share pi_c) and answers every profile by that
class's logit, P(yes | c) = logistic(b_c0 + sum_k b_c[P_k]). A respondent's answers are independent
given the class, so the likelihood of respondent i is sum_c pi_c prod_rows p_c^y (1 - p_c)^(1 - y);
with survey weights w_i it is the weighted sum of logs. EM alternates the posterior of every
respondent's class (E) with the class shares and a weighted logit per class (M: the project's
Newton logit, weights w_i times the posterior); several random starts, the best likelihood kept.
The number of classes is chosen by BIC (the log-likelihood penalised by the parameters times
log respondents), as latent-class conjoint analyses (FactorHet in R) choose it.

EM is written here (a mixture of logits is in no maintained Python library the project uses;
scikit-learn's mixtures are of Gaussians); each M step is the tested logit of
:mod:`winset.support.logit`, and a test checks the EM's fixed point against a direct maximisation
of the same likelihood by scipy.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.special import expit, logsumexp

from ..conjoint import terms
from ..conjoint.data import ConjointData, ConjointError
from ..conjoint.ols import DummyDesign
from ..errors import ModelError, NotFittedError, Problem
from ..scoretable import ScoreTable
from .logit import DistinctRows
from .population import Respondents

FLOOR = 1e-10  # the least posterior weight a respondent keeps in a class: every class sees every row


class LogitMixture:
    """Latent preference classes in a yes/no conjoint survey.

    Parameters
    ----------
    classes:
        the number of classes, or None to choose 1..``max_classes`` by BIC.
    max_classes:
        the most classes tried when choosing.
    starts:
        random starts of EM for each number of classes (the best log-likelihood kept).
    random_state:
        the seed of the starts.
    tolerance:
        EM stops once the log-likelihood gains less than this, relative to its size.
    max_iterations:
        EM steps at most per start.
    """

    def __init__(
        self,
        classes: int | None = None,
        max_classes: int = 4,
        starts: int = 5,
        random_state: int = 0,
        tolerance: float = 1e-7,
        max_iterations: int = 1000,
    ):
        counts = [("max_classes", max_classes, 1), ("starts", starts, 1), ("max_iterations", max_iterations, 1)]
        counts += [("random_state", random_state, 0)] + ([("classes", classes, 1)] if classes is not None else [])
        problems = [
            Problem(name, f"{name} must be a whole number of at least {least}, got {value!r}", f"give {least} or more")
            for name, value, least in counts
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < least
        ]
        if not (isinstance(tolerance, float | int) and 0 < tolerance < 1):
            problems.append(Problem("tolerance", f"tolerance must be in (0, 1), got {tolerance!r}", "give 1e-7"))
        if problems:
            raise ModelError(problems)
        self.classes, self.max_classes, self.starts = classes, max_classes, starts
        self.random_state, self.tolerance, self.max_iterations = random_state, tolerance, max_iterations

    # ------------------------------------------------------------------------------ fitting
    def fit(self, data: ConjointData, respondents: Respondents) -> LogitMixture:
        """Fit to yes/no answers (``data``'s outcome, 1 yes, 0 no), the respondents weighted by
        ``respondents.weights``."""
        y = data.require_binary(data.y, "a binary support answer", "code support as 1 and no support as 0")
        data.check_sample(y, role="support answer")
        self.features_ = list(data.features)
        design = DummyDesign([terms.intercept(data.n_rows)] + [terms.main(f) for f in data.features])
        self._design, self._y, self._respondents = design, y, respondents
        self._rows = DistinctRows(design, y, respondents.row_respondent)
        tried = [self.classes] if self.classes is not None else list(range(1, self.max_classes + 1))
        rng = np.random.default_rng(self.random_state)
        fits, bic = {}, {}
        n = respondents.n
        for c in tried:
            best = None
            for _ in range(1 if c == 1 else self.starts):
                run = self._em(c, rng)
                if run is not None and (best is None or run["loglik"] > best["loglik"]):
                    best = run
            if best is None:
                continue
            fits[c] = best
            parameters = c * design.width + (c - 1)
            bic[c] = -2 * best["loglik"] + parameters * np.log(n)
        if not fits:
            raise ConjointError(
                [
                    Problem(
                        "support model",
                        "no start of the mixture of logits converged: a class predicts its answers perfectly",
                        "try fewer classes, or collect more responses",
                    )
                ]
            )
        self.bic_ = pd.Series(bic, name="bic").rename_axis("classes")
        self.n_classes_ = int(self.bic_.index[int(np.argmin(self.bic_.to_numpy()))])
        chosen = fits[self.n_classes_]
        order = np.argsort(-chosen["shares"], kind="stable")  # classes by size: the largest is class 1
        names = [f"class {i + 1}" for i in range(self.n_classes_)]
        self.shares_ = pd.Series(chosen["shares"][order], index=names, name="share")
        self.coef_ = pd.DataFrame(chosen["coef"][order], index=names, columns=design.names)
        self.posterior_ = pd.DataFrame(chosen["posterior"][:, order], columns=names)
        self.classes_ = self.posterior_.to_numpy().argmax(axis=1)
        self.loglik_ = float(chosen["loglik"])
        self.iterations_ = int(chosen["iterations"])
        self.converged_ = bool(chosen["converged"])
        self.logliks_ = pd.Series({c: f["loglik"] for c, f in fits.items()}, name="loglik").rename_axis("classes")
        return self

    def _em(self, c: int, rng: np.random.Generator) -> dict | None:
        """One EM run with c classes from a random posterior; None where a class separates."""
        weights = self._respondents.weights
        n = self._respondents.n
        posterior = np.ones((n, 1)) if c == 1 else rng.dirichlet(np.ones(c), size=n)
        coef = np.zeros((c, self._design.width))
        previous, converged, steps = -np.inf, False, 0
        for steps in range(1, self.max_iterations + 1):  # noqa: B007 (the count is reported)
            shares = weights @ posterior / weights.sum()
            unit = np.maximum(posterior, FLOOR).T * weights[None, :] * n  # classes x respondents
            try:
                coef, _ = self._rows.fit(unit, coef, 1e-10)  # every class's logit at once
            except ConjointError:
                return None
            per_class = self._respondent_logliks(coef)  # respondents x classes
            joint = per_class + np.log(np.maximum(shares, 1e-300))[None, :]
            total = logsumexp(joint, axis=1)
            loglik = float(weights @ total / weights.sum() * n)
            posterior = np.exp(joint - total[:, None])
            if loglik - previous < self.tolerance * abs(loglik):
                converged = True
                break
            previous = loglik
        shares = weights @ posterior / weights.sum()
        return {
            "coef": coef,
            "shares": shares,
            "posterior": posterior,
            "loglik": loglik,
            "iterations": steps,
            "converged": converged,
        }

    def _respondent_logliks(self, coef: np.ndarray) -> np.ndarray:
        """Each respondent's log-likelihood of their answers under each class's coefficients."""
        eta = (self._design.distinct @ np.nan_to_num(coef).T)[self._design.profile]  # rows x classes
        rows = -np.logaddexp(0.0, np.where(self._y[:, None] == 1, -eta, eta))
        n = self._respondents.n
        return np.stack(
            [np.bincount(self._respondents.row_respondent, weights=rows[:, k], minlength=n) for k in range(len(coef))],
            axis=1,
        )

    def _fitted(self, use: str) -> None:
        if not hasattr(self, "coef_"):
            raise NotFittedError(self, use)

    # ------------------------------------------------------------------------------ results
    def support(self, issues: Sequence[tuple[str, Sequence[str]]], codes: np.ndarray) -> pd.DataFrame:
        """Each package's support in each class and in the whole public (the classes weighted by
        their shares): packages x (classes..., "all")."""
        self._fitted("give support")
        table = self.score_table(issues)
        codes = np.atleast_2d(codes)
        frame = pd.DataFrame(expit(table.package_scores(codes)), columns=self.shares_.index)
        frame["all"] = table.support(codes)[0]
        return frame

    def score_table(self, issues: Sequence[tuple[str, Sequence[str]]]) -> ScoreTable:
        """The public as a ScoreTable: a row per class, weighted by its share, so that a package's
        support is the share-weighted mean of the classes' (one group)."""
        self._fitted("compile a ScoreTable")
        features = {f.name: f for f in self.features_}
        names = list(self.coef_.columns)
        missing = [name for name, _ in issues if name not in features]
        if missing or len(issues) != len(features):
            raise ModelError(
                [
                    Problem(
                        "issues",
                        f"the package space's issues {[n for n, _ in issues]} are not the model's features "
                        f"{list(features)}",
                        "fit the mixture to a survey of the package space's issues",
                    )
                ]
            )
        columns = []
        for name, options in issues:
            feature = features[name]
            for option in options:
                label = terms.main_label(feature, option)
                columns.append(self.coef_[label].to_numpy() if label in names else np.zeros(self.n_classes_))
        coefficients = np.nan_to_num(np.column_stack(columns))
        return ScoreTable(
            tuple(len(options) for _, options in issues),
            np.nan_to_num(self.coef_[names[0]].to_numpy()),
            coefficients,
            self.shares_.to_numpy() / self.shares_.sum(),
            np.zeros(self.n_classes_, dtype=np.int64),
            "logistic",
        )

    def amce(self) -> pd.DataFrame:
        """Each class's AMCEs on the probability scale, cregg-style: the mean over the profiles
        shown of the change in P(yes) from the feature's baseline to the level, the other features
        as shown (tidy: class, feature, level, estimate)."""
        self._fitted("give AMCEs")
        rows = []
        for name, coef in self.coef_.iterrows():
            eta = self._design.fitted(coef.to_numpy())
            for feature in self.features_:
                effects = np.array([0.0] + [coef.get(terms.main_label(feature, lv), 0.0) for lv in feature.levels[1:]])
                effects = np.nan_to_num(effects)
                without = eta - effects[feature.codes]
                base = expit(without)
                for i, level in enumerate(feature.levels):
                    rows.append(
                        {
                            "class": name,
                            "feature": feature.name,
                            "level": level,
                            "estimate": float(np.mean(expit(without + effects[i]) - base)),
                        }
                    )
        return pd.DataFrame(rows)

    def summary(self) -> str:
        """Classes, their shares and BIC, as text."""
        self._fitted("summarise")
        lines = [
            (
                f"Mixture of logits: {self.n_classes_} classes by BIC, log-likelihood {self.loglik_:.2f}, "
                f"{self.iterations_} EM steps{'' if self.converged_ else ' (not converged)'}"
            ),
            "  BIC by classes: " + ", ".join(f"{c}: {v:.1f}" for c, v in self.bic_.items()),
        ]
        lines += [f"  {name}: {share:.1%} of respondents" for name, share in self.shares_.items()]
        return "\n".join(lines)

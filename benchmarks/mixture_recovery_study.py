"""Mixture-of-logits recovery study: are planted preference classes found again?

Respondents belong to latent classes with known shares and logit coefficients over three
attributes (3, 2 and 4 levels); each answers yes or no to the two profiles of every task. Each
survey is fitted by ``LogitMixture`` (classes 1..4 by BIC), and the fit is set against the truth:
how often BIC picks the true number of classes, the error of the class shares, of the
coefficients and of the class AMCEs (probability scale, against the truth's own AMCEs on the
same profiles), and the adjusted Rand index of each respondent's modal class.

    python benchmarks/mixture_recovery_study.py [--replications 30] [--respondents 600,1200] [--tasks 8]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.metrics import adjusted_rand_score

from winset.conjoint import ConjointData
from winset.support import respondents
from winset.support.mixture import LogitMixture

LEVELS = {"a": ["a0", "a1", "a2"], "b": ["b0", "b1"], "c": ["c0", "c1", "c2", "c3"]}
CASES = {
    "2 classes (65/35)": (
        (0.65, 0.35),
        [[0.2, 1.5, -1.0, 0.8, 0.5, -0.5, 1.0], [-0.3, -1.5, 1.0, -0.8, 0.0, 0.5, -1.0]],
    ),
    "3 classes (50/30/20)": (
        (0.5, 0.3, 0.2),
        [
            [0.2, 1.5, -1.0, 0.8, 0.5, -0.5, 1.0],
            [-0.3, -1.5, 1.0, -0.8, 0.0, 0.5, -1.0],
            [0.5, 0.0, 0.0, 1.5, -1.5, -1.5, -1.5],
        ],
    ),
}


def survey(rng: np.random.Generator, n: int, tasks: int, shares, truth):
    classes = rng.choice(len(shares), n, p=shares)
    rows = n * tasks * 2
    codes = {f: rng.integers(0, len(levels), rows) for f, levels in LEVELS.items()}
    x = np.column_stack([np.ones(rows)] + [codes[f] == j for f, lv in LEVELS.items() for j in range(1, len(lv))])
    person = np.repeat(np.arange(n), tasks * 2)
    eta = np.einsum("ij,ij->i", x, np.asarray(truth)[classes[person]])
    frame = pd.DataFrame({f: np.array(levels)[codes[f]] for f, levels in LEVELS.items()})
    frame["yes"] = (rng.random(rows) < expit(eta)).astype(int)
    frame["id"], frame["task"] = person, np.repeat(np.arange(n * tasks), 2)
    frame["profile"] = np.tile([1, 2], n * tasks)
    data = ConjointData(frame, "yes", list(LEVELS), id="id", task="task", profile="profile", levels=LEVELS)
    return data, classes, x


def amces(coef: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Each class's AMCE of every non-baseline level, on these profiles (classes x levels)."""
    out = np.zeros((len(coef), x.shape[1] - 1))
    column = 1
    for levels in LEVELS.values():
        block = slice(column, column + len(levels) - 1)
        for k, b in enumerate(coef):
            base = x.copy()
            base[:, block] = 0
            for j in range(len(levels) - 1):
                with_level = base.copy()
                with_level[:, column + j] = 1
                out[k, column + j - 1] = np.mean(expit(with_level @ b) - expit(base @ b))
        column += len(levels) - 1
    return out


def study(shares, truth, n: int, tasks: int, replications: int, seed: int = 0) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    right, share_error, coef_error, amce_error, ari, seconds = [], [], [], [], [], []
    for _ in range(replications):
        data, classes, x = survey(rng, n, tasks, shares, truth)
        began = time.perf_counter()
        model = LogitMixture().fit(data, respondents(data))
        seconds.append(time.perf_counter() - began)
        right.append(model.n_classes_ == len(shares))
        ari.append(adjusted_rand_score(classes, model.classes_))
        if not right[-1]:
            continue
        # match fitted classes to true ones by share order (truth is listed largest first)
        coef = model.coef_.to_numpy()
        share_error.append(np.max(np.abs(model.shares_.to_numpy() - np.asarray(shares))))
        coef_error.append(np.sqrt(np.mean((coef - np.asarray(truth)) ** 2)))
        amce_error.append(np.max(np.abs(amces(coef, x) - amces(np.asarray(truth), x))))
    return {
        "k right": float(np.mean(right)),
        "share error": float(np.mean(share_error)) if share_error else np.nan,
        "coef RMSE": float(np.mean(coef_error)) if coef_error else np.nan,
        "AMCE max error": float(np.mean(amce_error)) if amce_error else np.nan,
        "mean ARI": float(np.mean(ari)),
        "seconds": float(np.mean(seconds)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=30)
    parser.add_argument("--respondents", default="600,1200")
    parser.add_argument("--tasks", type=int, default=8)
    args = parser.parse_args()
    print(f"{args.replications} surveys each, {args.tasks} tasks of 2 profiles per respondent")
    print(
        f"{'case':<22} {'respondents':>11} {'k right':>8} {'share err':>10} {'coef RMSE':>10} "
        f"{'AMCE err':>9} {'mean ARI':>9} {'s/fit':>6}"
    )
    for name, (shares, truth) in CASES.items():
        for n in (int(v) for v in args.respondents.split(",")):
            r = study(shares, truth, n, args.tasks, args.replications)
            print(
                f"{name:<22} {n:>11,} {r['k right']:>8.0%} {r['share error']:>10.3f} {r['coef RMSE']:>10.3f} "
                f"{r['AMCE max error']:>9.3f} {r['mean ARI']:>9.3f} {r['seconds']:>6.1f}"
            )


if __name__ == "__main__":
    main()

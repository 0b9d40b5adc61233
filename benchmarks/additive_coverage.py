"""Coverage of the additive model's 90% intervals, by simulation: draw a truth, make the evidence
an analyst would have from it (polls of a few packages; a published table of effects; an expert's
elicited ranges), fit, and count how often the posterior's 90% interval of support holds the true
support, over every package of the space (polled or not). The goal is 85-95%.

    python benchmarks/additive_coverage.py [--replications 400] [--seed 0]

Space: 4 issues of 3, 2, 3 and 2 options (36 packages), status quo the first option of each.
Truths: the level (logit of support for the status quo) and every option's effect, normal.
Evidence, per replication:

- polls only: 4 polls of random packages, 1,000 people each; prior the stated defaults, which
  are the distribution the truths are drawn from;
- table + polls: a published table of every option's effect on support at the status quo, in
  points, each with standard error 0.02 and an error of that size; one anchoring poll of the
  status quo package and 2 polls of random packages;
- elicitation + polls: an expert's central value per option with an error of sd 0.4 (logit), and
  a 90% range that says so; 2 polls of random packages.
"""

from __future__ import annotations

import argparse
import itertools
import time

import numpy as np
from scipy.special import expit, logit

from winset.support.additive import Z90, AdditivePrior, AdditiveSupportModel, Poll, points_to_logit

SHAPE = (3, 2, 3, 2)
SQ = (0, 0, 0, 0)
N = 1000


def polls_of(rng, model, theta, packages):
    p = expit(model.design(packages) @ theta)
    return [Poll(tuple(c), float(rng.binomial(N, q) / N), N) for c, q in zip(packages, p, strict=True)]


def covered(rng, model, theta, packages, draws=400):
    x = model.design(packages)
    support = expit(x @ model.draws(draws, seed=int(rng.integers(1 << 31))).T)
    low, high = np.quantile(support, [0.05, 0.95], axis=1)
    truth = expit(x @ theta)
    return (low <= truth) & (truth <= high), high - low


def study(kind: str, replications: int, seed: int) -> tuple[float, float, float, float]:
    rng = np.random.default_rng(seed)
    packages = [tuple(c) for c in itertools.product(*[range(k) for k in SHAPE])]
    default = AdditivePrior.default(SHAPE, SQ)
    free = default.free
    hits, widths, polled_hits = [], [], []
    for _ in range(replications):
        if kind == "polls only":
            theta = default.mean + default.sd * rng.standard_normal(len(default.mean))
            prior = default
            asked = [packages[i] for i in rng.choice(len(packages), 4, replace=False)]
        else:
            theta = np.concatenate([[logit(0.4) + 0.5 * rng.standard_normal()], 0.6 * rng.standard_normal(free.sum())])
            asked = [packages[i] for i in rng.choice(len(packages), 2, replace=False)]
            mean, sd = np.zeros(len(free)), np.ones(len(free))
            if kind == "table + polls":
                asked = [SQ, *asked]
                anchor = float(rng.binomial(N, expit(theta[0])) / N)
                effects = expit(theta[0] + theta[1:]) - expit(theta[0])
                published = effects + 0.02 * rng.standard_normal(len(effects))
                converted = [points_to_logit(anchor, d, d - Z90 * 0.02, d + Z90 * 0.02) for d in published]
                mean[free], sd[free] = np.array(converted).T
            else:  # elicitation + polls
                mean[free] = theta[1:] + 0.4 * rng.standard_normal(free.sum())
                sd[free] = 0.4
            prior = AdditivePrior(SHAPE, SQ, 0.0, 1.5, mean, sd)
        model = AdditiveSupportModel(prior)
        model.fit(polls_of(rng, model, theta, asked))
        hit, width = covered(rng, model, theta, packages)
        hits.append(hit)
        widths.append(width)
        polled_hits.append(hit[[packages.index(a) for a in asked]])
    unpolled = np.mean([h.sum() - p.sum() for h, p in zip(hits, polled_hits, strict=True)]) / (
        len(packages) - np.mean([len(p) for p in polled_hits])
    )
    return float(np.mean(hits)), float(np.mean(np.concatenate(polled_hits))), float(unpolled), float(np.mean(widths))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replications", type=int, default=400)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(f"{args.replications} replications x 36 packages; 90% posterior intervals (goal: 85-95% coverage)")
    for i, kind in enumerate(("polls only", "table + polls", "elicitation + polls")):
        start = time.perf_counter()
        overall, polled, unpolled, width = study(kind, args.replications, args.seed + i)
        print(
            f"{kind:<20} coverage {overall:.1%} (polled packages {polled:.1%}, unpolled {unpolled:.1%}); "
            f"mean width {width * 100:.1f} points ({time.perf_counter() - start:.1f} s)"
        )


if __name__ == "__main__":
    main()

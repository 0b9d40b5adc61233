"""Recovery study: do the support models' 90% bootstrap intervals cover the true support?

Respondents are simulated from a known truth (the worked example's truth models: the Russian
public for the binary-support model, the Japanese public for the mixed logit), the model is fitted
with its respondent bootstrap, and the 90% interval of each of 20 random valid packages is checked
against the truth's exact population support. Over all replications the intervals should cover
the truth at least 85% of the time (nominal 90%).

    python benchmarks/recovery_study.py [--replications 20] [--packages 20] [--draws 200] [--respondents 1600]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from winset import load_scenario
from winset.conjoint import ConjointData
from winset.examples.kuril import japanese_public, profiles, russian_public
from winset.scenarios import bundled_path
from winset.scoretable import ScoreTable
from winset.space import random_packages
from winset.support import BinarySupportModel, MixedLogitModel, bootstrap_counts, respondents


def replicate(model_kind: str, truth, space, issues, packages, n, draws, seed) -> np.ndarray:
    """One replication: simulate, fit, bootstrap; whether each package's interval covers the truth."""
    frame = truth.simulate(n, 8, optout=True, seed=seed, profiles=profiles(space))
    outcome = "support" if model_kind == "binary" else "chosen"
    names = [issue for issue, _ in issues]
    data = ConjointData(
        frame, outcome, names, id="respondent", task="task", profile="profile",
        levels={issue: options for issue, options in issues},
        baselines={issue: options[space.status_quo[k]] for k, (issue, options) in enumerate(issues)},
    )  # fmt: skip
    people = respondents(data)
    model = BinarySupportModel() if model_kind == "binary" else MixedLogitModel(optout=True, seed=seed)
    model.fit(data, people)
    tables = [model.score_table(issues)]
    for counts in bootstrap_counts(people.n, draws, seed + 1):
        weights = people.raked(None, counts)
        tables.append(model.score_table(issues, weights, model.refit(weights)))
    support = ScoreTable.stack(tables).support(packages)[1:]
    lower, upper = np.quantile(support, [0.05, 0.95], axis=0)
    true = truth.support(packages)
    return (true >= lower) & (true <= upper)


def study(model_kind: str, replications: int, n_packages: int, draws: int, n: int, seed: int = 0) -> float:
    scenario = load_scenario(bundled_path("kuril"))
    space = scenario.space
    issues = [(issue.id, [o.id for o in issue.options]) for issue in scenario.issues]
    truth, _ = (russian_public if model_kind == "binary" else japanese_public)(space)
    packages = random_packages(space, n_packages, seed=seed)
    covered = [
        replicate(model_kind, truth, space, issues, packages, n, draws, seed + 101 * r) for r in range(replications)
    ]
    return float(np.mean(covered))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=20)
    parser.add_argument("--packages", type=int, default=20)
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--respondents", type=int, default=1600)
    args = parser.parse_args()
    print(
        f"{args.replications} replications x {args.packages} packages, {args.respondents} respondents, {args.draws} draws"
    )
    for kind in ("binary", "choice"):
        start = time.perf_counter()
        coverage = study(kind, args.replications, args.packages, args.draws, args.respondents)
        print(
            f"{kind:7} model: 90% intervals cover the true support in {coverage:.1%} of cases ({time.perf_counter() - start:.0f} s)"
        )


if __name__ == "__main__":
    main()

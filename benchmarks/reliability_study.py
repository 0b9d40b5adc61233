"""Recovery study: does the measurement-error correction recover the truth, and do its intervals cover it?

Respondents are simulated from a known truth (the project's truth model: a forced choice between
two different profiles of price x brand, a random brand effect), every answer flipped with
probability tau (projoint's error model), task 1 asked again with the profiles swapped. Each
replication estimates the marginal means and AMCEs without and with the correction
(``winset.conjoint.corrected``). The truth is the same estimators on a large error-free sample
(``--truth-respondents``; its own sampling error is printed). For each estimate and cell: the mean
error over replications in standard errors (z; the replications' and the truth's own), and the
coverage of the 95% intervals.

    python benchmarks/reliability_study.py [--replications 400] [--respondents 500] [--tau 0.1 0.2]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from winset.conjoint import amce, corrected, mm
from winset.space import PackageSpace
from winset.support.simulate import TruthModel

SPACE = PackageSpace([("price", ["low", "mid", "high"]), ("brand", ["A", "B"])])
TRUTH = TruthModel(
    SPACE, alpha=0.0, effects={"price": {"mid": -0.6, "high": -1.2}, "brand": {"B": 0.5}}, sd={"brand": {"B": 0.5}}
)
FEATURES = ["price", "brand"]


def population(n: int) -> dict[str, pd.DataFrame]:
    """Each statistic on a large error-free sample: the truth the corrections aim at."""
    frame = TRUTH.simulate(n, 4, optout=False, seed=12345)
    return {
        "mm": mm(frame, "chosen", FEATURES, id="respondent"),
        "amce": amce(frame, "chosen", FEATURES, id="respondent"),
    }


def study(tau: float, replications: int, respondents: int, truth: dict[str, pd.DataFrame]) -> pd.DataFrame:
    rows = []
    for seed in range(replications):
        frame = TRUTH.simulate(respondents, 4, optout=False, seed=seed, response_error=tau, repeat=1)
        for statistic in ("mm", "amce"):
            table = corrected(
                frame, "chosen", FEATURES, statistic=statistic, id="respondent", task="task", repeated="repeats"
            )
            target = truth[statistic].set_index(["feature", "level"])
            for row in table[table["std_error"].notna()].itertuples():
                value, truth_se = target.loc[(row.feature, row.level), ["estimate", "std_error"]]
                covered = row.lower <= value <= row.upper
                rows.append((row.statistic, f"{row.feature}={row.level}", row.estimate - value, covered, truth_se))
    return pd.DataFrame(rows, columns=["statistic", "cell", "error", "covered", "truth_se"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=400)
    parser.add_argument("--respondents", type=int, default=500)
    parser.add_argument("--truth-respondents", type=int, default=1_000_000)
    parser.add_argument("--tau", type=float, nargs="*", default=[0.1, 0.2])
    args = parser.parse_args()
    start = time.perf_counter()
    truth = population(args.truth_respondents)
    largest_se = max(float(t["std_error"].max()) for t in truth.values())
    print(f"truth: {args.truth_respondents:,} error-free respondents (largest standard error {largest_se:.4f})")
    for tau in args.tau:
        found = study(tau, args.replications, args.respondents, truth)
        summary = found.groupby(["statistic", "cell"], sort=False).agg(
            bias=("error", "mean"), sd=("error", "std"), coverage=("covered", "mean"), truth_se=("truth_se", "first")
        )
        # the bias's standard error: the replications' and the truth's own sampling error
        summary["z"] = summary["bias"] / np.sqrt(summary["sd"] ** 2 / args.replications + summary["truth_se"] ** 2)
        print(f"\ntau {tau}, {args.respondents} respondents, {args.replications} replications")
        print(f"{'statistic':<16}{'cell':<14}{'bias':>9}{'z':>8}{'coverage':>10}")
        for (statistic, cell), r in summary.iterrows():
            print(f"{statistic:<16}{cell:<14}{r['bias']:>9.4f}{r['z']:>8.2f}{r['coverage']:>10.3f}")
    print(f"\n{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()

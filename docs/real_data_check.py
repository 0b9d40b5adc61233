"""Real-data check of the choice model: predicted against observed choices in a real conjoint.

Hainmueller, Hopkins and Yamamoto's immigration experiment (cregg's `immigration` data, 1,396
respondents x 5 tasks x 2 profiles) is split by respondent: the mixed logit is fitted on 80% of
them and predicts, for the other 20%, the probability that each profile is chosen in its pair. The
profiles are grouped by predicted probability (ten equal groups) and each group's mean prediction
is set against the share of its profiles actually chosen. The script prints that table, the
Brier score and log loss against a coin toss, and draws the figure.

    python docs/real_data_check.py [--data PATH] [--figure docs/immigration_calibration.png]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from winset.conjoint import ConjointData, read_table
from winset.support import MixedLogitModel, respondents

FEATURES = [
    "Gender",
    "Education",
    "LanguageSkills",
    "CountryOfOrigin",
    "Job",
    "JobExperience",
    "JobPlans",
    "ReasonForApplication",
    "PriorEntry",
]
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "conjoint" / "immigration.csv"


def calibration_table(predicted: np.ndarray, chosen: np.ndarray, groups: int = 10) -> pd.DataFrame:
    bins = pd.qcut(predicted, groups, labels=False, duplicates="drop")
    table = pd.DataFrame({"group": bins, "predicted": predicted, "chosen": chosen}).groupby("group")
    return pd.DataFrame(
        {"profiles": table.size(), "mean_predicted": table["predicted"].mean(), "observed_rate": table["chosen"].mean()}
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--figure", type=Path, default=Path(__file__).parent / "immigration_calibration.png")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    frame = read_table(args.data)
    ids = frame["CaseID"].unique()
    rng = np.random.default_rng(args.seed)
    held_out = set(rng.choice(ids, size=len(ids) // 5, replace=False))
    test_rows = frame["CaseID"].isin(held_out).to_numpy()

    def data(rows: np.ndarray, levels=None) -> ConjointData:
        return ConjointData(
            frame[rows].reset_index(drop=True),
            "ChosenImmigrant",
            FEATURES,
            id="CaseID",
            task="contest_no",
            profile="profile",
            levels=levels,
        )

    train = data(~test_rows)
    test = data(test_rows, levels={f.name: list(f.levels) for f in train.features})
    model = MixedLogitModel(optout=False, draws=100, seed=args.seed).fit(train, respondents(train))
    predicted = model.choice_probabilities(test)
    chosen = test.y
    table = calibration_table(predicted, chosen)
    brier = float(np.mean((predicted - chosen) ** 2))
    logloss = float(-np.mean(chosen * np.log(predicted) + (1 - chosen) * np.log(1 - predicted)))
    print(
        f"fitted on {train.n_clusters} respondents, predicting {test.n_rows} profiles of {test.n_clusters} held-out respondents"
    )
    print(table.round(3).to_string())
    print(f"Brier score {brier:.4f} (a coin toss: 0.2500); log loss {logloss:.4f} (a coin toss: {np.log(2):.4f})")
    print(
        f"largest gap between mean prediction and observed rate in a group: {np.abs(table['mean_predicted'] - table['observed_rate']).max():.3f}"
    )

    fig = Figure(figsize=(4.8, 4.5), layout="constrained")
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], color="#999999", linewidth=0.8)
    ax.plot(table["mean_predicted"], table["observed_rate"], "o-", color="#1b6ca8")
    ax.set_xlabel("predicted probability of being chosen")
    ax.set_ylabel("share actually chosen")
    ax.set_title("Immigration conjoint, held-out respondents")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    fig.savefig(args.figure, dpi=150)
    print(f"figure written to {args.figure}")


if __name__ == "__main__":
    main()

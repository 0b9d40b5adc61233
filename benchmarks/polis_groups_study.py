"""Opinion groups study: winset's Polis groups beside the groups Polis exported and beside
red-dwarf (the Polis community's Python port), on the real conversations in ../shared, and on
simulated conversations whose groups are planted.

For each real export: the adjusted Rand index (ARI) of the groups found against the export's
own group ids, over the participants both cluster, with k chosen by silhouette and with k set to
the export's; for winset with Polis's single k-means start and with ten starts. Then planted
conversations (blocs round a circle of opinion, as in the tests): how often k is found and the
mean ARI against the planted blocs.

    python benchmarks/polis_groups_study.py [--replications 50] [--shared ../shared]
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

from winset.consult.polis import read_export
from winset.opinion import OpinionGroups

CONVERSATIONS = ["brexit-consensus", "bg2050-volunteers"]
PLANTED = [(70, 50), (60, 45, 30), (40, 40, 30, 25)]


def ari(exported: pd.Series, found: pd.Series) -> float:
    both = exported.notna() & found.notna()
    return float(adjusted_rand_score(exported[both].astype(int), found[both].astype(int)))


def red_dwarf(votes: pd.DataFrame, out: set, k: int | None) -> pd.Series | None:
    """red-dwarf's groups (its Polis pipeline: participants clustered directly, k-means++), or
    None where it is not installed."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pydantic's, on red-dwarf's models
            from reddwarf.implementations.polis import run_pipeline
    except ImportError:
        return None
    frame = votes.rename_axis(index="participant_id", columns="statement_id").reset_index()
    long = frame.melt(id_vars="participant_id", var_name="statement_id", value_name="vote").dropna()
    records = [dict(r, modified=0) for r in long.astype(int).to_dict("records")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = run_pipeline(votes=records, mod_out_statement_ids=sorted(out), random_state=0, force_group_count=k)
    return result.participants_df["cluster_id"].reindex(votes.index)


def exports(shared: Path) -> None:
    print("Real Polis exports: ARI against the export's own groups (k chosen / k set to the export's)")
    print(
        f"{'conversation':<20} {'export k':>8} {'method':<24} {'k':>3} {'ARI':>7} {'ARI at export k':>16} {'seconds':>8}"
    )
    for name in CONVERSATIONS:
        conversation = read_export(shared / "data" / "polis" / name)
        votes = conversation.latest()
        exported = conversation.groups.reindex(votes.index)
        k_export = int(exported.dropna().nunique())
        out = conversation.moderated_out()
        for label, starts in (("winset, Polis's start", 1), ("winset, 10 starts", 10)):
            began = time.perf_counter()
            chosen = OpinionGroups(n_init=starts).fit(votes, out)
            seconds = time.perf_counter() - began
            fixed = OpinionGroups(n_init=starts, groups=k_export).fit(votes, out)
            print(
                f"{name:<20} {k_export:>8} {label:<24} {chosen.k_:>3} {ari(exported, chosen.labels_):>7.3f} "
                f"{ari(exported, fixed.labels_):>16.3f} {seconds:>8.2f}"
            )
        theirs = red_dwarf(votes, out, None)
        if theirs is not None:
            fixed_theirs = red_dwarf(votes, out, k_export)
            print(
                f"{name:<20} {k_export:>8} {'red-dwarf 0.4':<24} {theirs.nunique():>3} {ari(exported, theirs):>7.3f} "
                f"{ari(exported, fixed_theirs):>16.3f} {'':>8}"
            )


def planted(seed: int, sizes: tuple[int, ...], statements: int = 40, missing: float = 0.3, fidelity: float = 0.85):
    rng = np.random.default_rng(seed)
    blocs = np.repeat(np.arange(len(sizes)), sizes)
    rng.shuffle(blocs)
    bloc_angle = 2 * np.pi * np.arange(len(sizes)) / len(sizes) + rng.uniform(0, 2 * np.pi)
    stance = np.sign(np.cos(bloc_angle[:, None] - rng.uniform(0, 2 * np.pi, statements)[None, :]))
    votes = np.where(rng.random((len(blocs), statements)) < fidelity, stance[blocs], -stance[blocs])
    votes[rng.random(votes.shape) < 0.1] = 0.0
    votes[rng.random(votes.shape) < missing] = np.nan
    return pd.DataFrame(votes), blocs


def recovery(replications: int) -> None:
    print(f"\nPlanted groups ({replications} conversations each; 40 statements, 30% unanswered, 85% of votes on side)")
    print(f"{'groups':<16} {'method':<24} {'k right':>8} {'mean ARI':>9} {'min ARI':>8}")
    for sizes in PLANTED:
        rows = {"winset, Polis's start": [], "winset, 10 starts": [], "red-dwarf 0.4": []}
        for seed in range(replications):
            votes, blocs = planted(seed, sizes)
            for label, starts in (("winset, Polis's start", 1), ("winset, 10 starts", 10)):
                model = OpinionGroups(n_init=starts).fit(votes)
                rows[label].append((model.k_ == len(sizes), adjusted_rand_score(blocs, model.labels_.astype(int))))
            theirs = red_dwarf(votes, set(), None)
            if theirs is not None:
                rows["red-dwarf 0.4"].append(
                    (theirs.nunique() == len(sizes), adjusted_rand_score(blocs, theirs.astype(int)))
                )
        for label, found in rows.items():
            if found:
                right, scores = np.array(found).T
                print(f"{sizes!s:<16} {label:<24} {right.mean():>8.0%} {scores.mean():>9.3f} {scores.min():>8.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=50)
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared")
    args = parser.parse_args()
    exports(args.shared)
    recovery(args.replications)


if __name__ == "__main__":
    main()

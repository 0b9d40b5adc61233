"""A conversation's opinion groups as Polis finds them, fitted in the manner of scikit-learn.

The participants in the conversation are projected on the vote matrix's two main axes
(:mod:`.projection`); k-means gathers them into at most 100 base clusters, and a weighted k-means
of the base clusters' centres (each weighted by its members) into k groups, for every k from 2 to
min(``max_groups``, 2 + base clusters / 12); the k whose grouping of the base clusters has the
highest silhouette is chosen (the first, on a tie). A k whose k-means empties a group is not
tried (Polis would report its k - 1 groups under k). Polis runs this again on every new vote,
each run starting from the last one's clusters and changing k only after it wins four runs in a
row; a single fit of the final votes cannot replay that history, so its groups can differ from
those a live conversation shows. Without that history, Polis's one deterministic start can
settle in a poor grouping (three planted groups read as two); ``n_init`` above 1 adds k-means++
starts to each k's grouping and keeps the tightest (least sum of squares, as scikit-learn's
``n_init`` does). That recovers planted groups but is no longer Polis's rule: the sum of squares
splits a large group before it sets a small one apart.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from sklearn.metrics import silhouette_score

from ..errors import NotFittedError, OpinionError, Problem
from .consensus import VARIANTS
from .consensus import consensus as group_consensus
from .kmeans import kmeans, seeds, spread
from .projection import MIN_VOTES, in_conversation, project
from .repness import PICK, representative, statistics

BASE_CLUSTERS = 100
MAX_GROUPS = 5
BASE_ITERATIONS = 100
GROUP_ITERATIONS = 20  # what Polis's group k-means runs (its configured 100 is not passed on)
BASE_PER_GROUP = 12  # one more group may be tried for every 12 base clusters
STARTS = 1  # k-means starts of each grouping: Polis's own (more add k-means++ seeds)


class OpinionGroups:
    """Opinion groups of a conversation's participants, their representative statements and the
    statements' group-informed consensus.

    Parameters
    ----------
    min_votes:
        votes a participant needs to be clustered (fewer where the conversation has fewer
        statements); Polis's is 7.
    max_groups:
        the most groups tried (2 up to this; Polis's is 5).
    groups:
        a number of groups to use instead of choosing one by silhouette.
    pick:
        representative statements per group (Polis's is 5).
    n_init:
        starts of each grouping's k-means: Polis's own (the first k distinct base clusters) and
        ``n_init - 1`` k-means++ seeds, the tightest grouping kept; 1 (the default) is Polis's
        single start.
    random_state:
        the seed of the k-means++ starts.
    """

    def __init__(
        self,
        min_votes: int = MIN_VOTES,
        max_groups: int = MAX_GROUPS,
        groups: int | None = None,
        pick: int = PICK,
        n_init: int = STARTS,
        random_state: int = 0,
    ):
        checks = [
            ("n_init", n_init, 1, "give 1 (Polis's single start) or more"),
            ("random_state", random_state, 0, "give a whole number of 0 or more"),
            ("min_votes", min_votes, 1, "give 1 or more (Polis's is 7)"),
            ("max_groups", max_groups, 2, "give 2 or more (Polis's is 5)"),
            ("pick", pick, 1, "give 1 or more (Polis's is 5)"),
        ]
        if groups is not None:
            checks.append(("groups", groups, 2, "give 2 or more, or none to choose by silhouette"))
        problems = [
            Problem(name, f"{name} must be a whole number of at least {least}, got {value!r}", fix)
            for name, value, least, fix in checks
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < least
        ]
        if problems:
            raise OpinionError(problems)
        self.min_votes, self.max_groups, self.groups, self.pick = min_votes, max_groups, groups, pick
        self.n_init, self.random_state = n_init, random_state

    def fit(self, votes: pd.DataFrame, moderated_out: Iterable = ()) -> OpinionGroups:
        """Fit to ``votes`` (participants x statements, indexed by their ids: 1 agree, -1
        disagree, 0 pass, NaN no vote); statements in ``moderated_out`` are left out of the
        axes and never chosen as representative."""
        matrix = _checked(votes)
        out = frozenset(moderated_out) & set(votes.columns)
        mask = votes.columns.isin(list(out))
        if mask.all():
            raise OpinionError(
                [
                    Problem(
                        "moderated_out",
                        f"all {len(mask)} statements are moderated out, so no vote places a participant",
                        "moderate some statements in, or look for groups before moderating",
                    )
                ]
            )
        keep = in_conversation(matrix, self.min_votes)
        if keep.sum() < 2:
            raise OpinionError(
                [
                    Problem(
                        "votes",
                        f"{int(keep.sum())} participant(s) voted enough to be clustered; opinion groups need 2 or more",
                        "gather more votes before looking for groups",
                    )
                ]
            )
        points, self.pca_ = project(matrix, mask)
        clustered = points[keep]
        base, centres = kmeans(clustered, BASE_CLUSTERS, iterations=BASE_ITERATIONS)
        sizes = np.bincount(base, minlength=len(centres)).astype(float)
        self.silhouettes_, fits = self._groupings(centres, sizes)
        self.k_ = (
            self.groups
            if self.groups is not None
            else int(self.silhouettes_.index[int(np.argmax(self.silhouettes_.to_numpy()))])
        )
        labels = fits[self.k_][base]
        participants = votes.index
        self.in_conversation_ = pd.Series(keep, index=participants, name="in_conversation")
        self.projection_ = pd.DataFrame(points, index=participants, columns=["x", "y"][: points.shape[1]])
        self.base_labels_ = pd.Series(base, index=participants[keep], name="base_cluster")
        self.labels_ = pd.Series(pd.NA, index=participants, dtype="Int64", name="group")
        self.labels_[keep] = labels
        self.sizes_ = self.labels_.value_counts().sort_index().rename("participants")
        self.statistics_ = statistics(matrix[keep], labels, votes.columns)
        self.repness_ = representative(self.statistics_, out, self.pick)
        self.moderated_out_ = out
        self.n_participants_, self.n_statements_ = matrix.shape
        return self

    def _groupings(self, centres: np.ndarray, sizes: np.ndarray) -> tuple[pd.Series, dict[int, np.ndarray]]:
        """Each k's grouping of the base clusters and its silhouette over the base clusters."""
        most = min(self.max_groups, 2 + len(centres) // BASE_PER_GROUP, len(centres))
        tried = [self.groups] if self.groups is not None else list(range(2, most + 1))
        if self.groups is not None and self.groups > len(centres):
            raise OpinionError(
                [
                    Problem(
                        "groups",
                        f"{self.groups} groups were asked of {len(centres)} base clusters (participants gathered by "
                        f"how alike they vote: at most {BASE_CLUSTERS}, one per distinct way of voting)",
                        f"ask for {len(centres)} groups or fewer",
                    )
                ]
            )
        fits, scores = {}, {}
        for k in tried:
            best: tuple[np.ndarray, np.ndarray] | None = None
            for start in [None, *seeds(centres, k, self.n_init - 1, self.random_state + k)]:
                run = kmeans(centres, k, sizes, GROUP_ITERATIONS, start)
                if len(run[1]) < k:
                    continue  # a group emptied: this start makes fewer than k groups
                if best is None or spread(centres, sizes, *run) < spread(centres, sizes, *best) - 1e-12:
                    best = run  # tighter: Polis's own start stays on a tie
            if best is None:
                continue
            fits[k] = best[0]
            scores[k] = 0.0 if k == len(centres) else float(silhouette_score(centres, best[0]))
        if not scores and self.groups is not None:
            raise OpinionError(
                [
                    Problem(
                        "groups",
                        f"k-means left a group of the {self.groups} empty from every start",
                        "ask for fewer groups, or add starts (n_init, --starts)",
                    )
                ]
            )
        if not scores:
            raise OpinionError(
                [
                    Problem(
                        "votes",
                        "the clustered participants all vote alike, so they make one group",
                        "gather more votes before looking for groups",
                    )
                ]
            )
        return pd.Series(scores, name="silhouette").rename_axis("k"), fits

    def consensus(self, variant: str = "polis") -> pd.Series:
        """Every statement's group-informed consensus over the groups (see
        :mod:`winset.opinion.consensus` for the variants), by statement id."""
        stats = self._fitted("give consensus").statistics_
        if variant not in VARIANTS:
            raise OpinionError(
                [Problem("variant", f"no consensus variant {variant!r}", f"use one of {', '.join(VARIANTS)}")]
            )
        shape = (self.k_, self.n_statements_)
        agrees, disagrees, votes = (stats[c].to_numpy().reshape(shape) for c in ("na", "nd", "ns"))
        values = group_consensus(agrees, disagrees, votes, variant)
        return pd.Series(values, index=stats["statement"][: self.n_statements_].to_numpy())

    def _fitted(self, use: str) -> OpinionGroups:
        if not hasattr(self, "labels_"):
            raise NotFittedError(self, use)
        return self

    def summary(self) -> str:
        """The groups, their sizes and representative statements, as text."""
        self._fitted("summarise")
        clustered = int(self.in_conversation_.sum())
        lines = [
            (
                f"Opinion groups: {self.k_} among {clustered} of {self.n_participants_} participants "
                f"({self.n_statements_} statements)"
            ),
            "  silhouette by k: " + ", ".join(f"{k}: {s:.3f}" for k, s in self.silhouettes_.items()),
        ]
        for group, size in self.sizes_.items():
            lines.append(f"  group {group}: {size} participant{'' if size == 1 else 's'}")
            for row in self.repness_[self.repness_["group"] == group].itertuples():
                lines.append(
                    f"    statement {row.statement}: {row.n_success:.0f} of {row.n_trials:.0f} {row.repful_for}, "
                    f"{row.repness:.2f} times as likely as the other groups"
                )
        return "\n".join(lines)


def _checked(votes: pd.DataFrame) -> np.ndarray:
    """The vote matrix as floats, refused where a vote is not 1, -1, 0 or missing."""
    if not isinstance(votes, pd.DataFrame):
        raise OpinionError([Problem("votes", f"votes must be a table, got {type(votes).__name__}", "give a DataFrame")])
    if votes.empty:
        raise OpinionError(
            [
                Problem(
                    "votes", f"no votes: {votes.shape[0]} participants, {votes.shape[1]} statements", "give some votes"
                )
            ]
        )
    matrix = votes.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isin(matrix, (-1.0, 0.0, 1.0)) & ~np.isnan(matrix) | (np.isnan(matrix) & votes.notna().to_numpy())
    if bad.any():
        row, column = (int(i[0]) for i in np.nonzero(bad))
        value = votes.iat[row, column]
        value = value.item() if isinstance(value, np.generic) else value
        raise OpinionError(
            [
                Problem(
                    f"votes, participant {votes.index[row]}, statement {votes.columns[column]}",
                    f"vote {value!r} is not 1, -1, 0 or missing",
                    "vote 1 agree, -1 disagree, 0 pass",
                )
            ]
        )
    if votes.index.has_duplicates or votes.columns.has_duplicates:
        raise OpinionError([Problem("votes", "participants or statements repeat", "give each one row or column")])
    return matrix

"""Who Polis clusters, and where each participant sits on the conversation's two main axes.

A participant is in the conversation with at least min(7, statements) votes, passes included; if
fewer than 15 are, the most active others join them up to 15. Statements moderated out (or meta)
are zeroed, missing votes and all, so they count among every participant's votes in the stretch
below, as in Polis's matrix. Other missing votes take their statement's mean vote for the principal components (two, by
scikit-learn's PCA); a participant's projection sums over the statements they voted on only
(the same, since a missing vote sits at the mean) and is stretched by sqrt(statements / votes),
so those who voted on few statements are not all drawn to the centre.
"""

from __future__ import annotations

import numpy as np
from sklearn.decomposition import PCA

MIN_VOTES = 7  # a participant with fewer votes (or fewer than the statements) is not clustered
MIN_PARTICIPANTS = 15  # the conversation always clusters at least this many, the most active first
COMPONENTS = 2


def in_conversation(votes: np.ndarray, minimum: int = MIN_VOTES, floor: int = MIN_PARTICIPANTS) -> np.ndarray:
    """Which participants (rows of ``votes``: 1, -1, 0 or NaN) are clustered."""
    counts = np.isfinite(votes).sum(axis=1)
    keep = counts >= min(minimum, votes.shape[1])
    if keep.sum() < floor:
        active = np.argsort(-counts, kind="stable")[:floor]
        keep[active[counts[active] > 0]] = True
    return keep


def project(votes: np.ndarray, moderated_out: np.ndarray) -> tuple[np.ndarray, PCA]:
    """Every participant's sparsity-aware position on the first two principal components of the
    vote matrix (participants x statements), and the fitted PCA."""
    matrix = np.where(moderated_out[None, :], 0.0, votes)
    counts = np.isfinite(matrix).sum(axis=1)  # a statement moderated out counts as voted, as zero
    seen = np.isfinite(matrix).any(axis=0)
    means = np.zeros(matrix.shape[1])
    means[seen] = np.nanmean(matrix[:, seen], axis=0)
    filled = np.where(np.isfinite(matrix), matrix, means[None, :])
    components = min(COMPONENTS, *filled.shape)
    with np.errstate(invalid="ignore", divide="ignore"):  # votes all alike: no variance to share out
        pca = PCA(n_components=components, svd_solver="full").fit(filled)
    scale = np.sqrt(votes.shape[1] / np.maximum(counts, 1))
    return pca.transform(filled) * scale[:, None], pca

"""k-means as Polis runs it, for its base clusters and opinion groups.

Written here rather than taken from scikit-learn's ``KMeans`` for exactness: Polis starts from the
first k distinct points in the matrix's order (no random start), drops a cluster that loses every
member instead of moving it, and stops once no centre moves by 0.01 or more. Given the same start,
and where no cluster empties, its clustering is scikit-learn's (a test checks it).

That one start can settle in a poor clustering that Polis, refitting on every new vote from its
last clusters, would leave in time; a single fit cannot. :func:`seeds` gives other starts, by
scikit-learn's ``kmeans_plusplus``, and :func:`spread` the sum of squares to choose among them by.
"""

from __future__ import annotations

import numpy as np
from sklearn.cluster import kmeans_plusplus

TOLERANCE = 0.01  # Polis stops once every centre moved less than this


def kmeans(
    points: np.ndarray,
    k: int,
    weights: np.ndarray | None = None,
    iterations: int = 100,
    start: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Each point's cluster, numbered in the order of the points (the first point's cluster is 0),
    and the clusters' centres (weighted means of their points), by Lloyd's steps from ``start``
    (by default, Polis's: the first ``k`` distinct points). Fewer than ``k`` clusters come back
    where distinct points are fewer, or clusters empty."""
    points = np.asarray(points, dtype=float)
    weights = np.ones(len(points)) if weights is None else np.asarray(weights, dtype=float)
    if start is None:
        start = distinct(points)[:k]
    return _in_order(*_lloyd(points, weights, np.asarray(start, dtype=float), iterations))


def distinct(points: np.ndarray) -> np.ndarray:
    """The distinct points, in the order they first come."""
    _, first = np.unique(points, axis=0, return_index=True)
    return points[np.sort(first)]


def seeds(points: np.ndarray, k: int, count: int, seed: int = 0) -> list[np.ndarray]:
    """``count`` k-means++ starts of ``k`` centres among the distinct points."""
    unique = distinct(np.asarray(points, dtype=float))
    rng = np.random.default_rng(seed)
    k = min(k, len(unique))
    return [kmeans_plusplus(unique, k, random_state=int(rng.integers(2**31)))[0] for _ in range(count)]


def _lloyd(
    points: np.ndarray, weights: np.ndarray, centres: np.ndarray, iterations: int
) -> tuple[np.ndarray, np.ndarray]:
    for _ in range(iterations + 1):
        labels = _nearest(points, centres)
        used = np.unique(labels)
        moved = _centres(points, weights, labels, len(centres))[used]
        settled = len(used) == len(centres) and np.all(np.linalg.norm(moved - centres, axis=1) < TOLERANCE)
        centres = moved
        if settled:
            break
    return _nearest(points, centres), centres


def spread(points: np.ndarray, weights: np.ndarray | None, labels: np.ndarray, centres: np.ndarray) -> float:
    """The (weighted) sum of squared distances of the points to their clusters' centres."""
    weights = np.ones(len(points)) if weights is None else weights
    return float(np.sum(weights * ((points - centres[labels]) ** 2).sum(axis=1)))


def _in_order(labels: np.ndarray, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Clusters renumbered by their first point; clusters without points dropped."""
    _, first = np.unique(labels, return_index=True)
    order = labels[np.sort(first)]
    number = np.empty(len(centres), dtype=np.int64)
    number[order] = np.arange(len(order))
    return number[labels], centres[order]


def _nearest(points: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """The nearest centre of each point (the first of equally near ones)."""
    distances = ((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    return np.argmin(distances, axis=1)


def _centres(points: np.ndarray, weights: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """The weighted mean of each cluster's points (NaN for an empty cluster)."""
    total = np.bincount(labels, weights=weights, minlength=k)
    sums = np.stack([np.bincount(labels, weights=weights * column, minlength=k) for column in points.T], axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return sums / total[:, None]

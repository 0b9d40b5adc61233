"""Polis's k-means against scikit-learn's, started from the same points."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.cluster import KMeans

from winset.opinion.kmeans import kmeans, seeds, spread


def blobs(seed: int, k: int, n: int = 60) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 6, (k, 2))
    return centres[rng.integers(0, k, n)] + rng.normal(0, 1, (n, 2))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 6), st.booleans())
def test_kmeans_is_scikit_learns_from_the_first_distinct_points(seed, k, weighted):
    """From the first k distinct points, Lloyd's steps give scikit-learn's clustering and centres
    (weighted and not; clusters numbered by their first point), wherever no cluster empties."""
    points = blobs(seed, k)
    weights = np.random.default_rng(seed).integers(1, 20, len(points)).astype(float) if weighted else None
    labels, centres = kmeans(points, k, weights, iterations=300)
    start = points[:k]  # blobs are continuous, so the first k points are distinct
    theirs = KMeans(k, init=start, n_init=1, max_iter=300, tol=0.0, algorithm="lloyd").fit(
        points, sample_weight=weights
    )
    if len(centres) < k or len(np.unique(theirs.labels_)) < k:
        return  # a cluster emptied: Polis drops it, scikit-learn moves it
    _, first = np.unique(theirs.labels_, return_index=True)
    order = theirs.labels_[np.sort(first)]  # scikit-learn's clusters in the order of their first point
    renumber = np.argsort(order)
    np.testing.assert_array_equal(labels, renumber[theirs.labels_])
    np.testing.assert_allclose(centres, theirs.cluster_centers_[order], atol=0.01)


def test_kmeans_starts_from_the_first_distinct_points_and_keeps_their_order():
    points = np.array([[5.0, 5.0], [5.0, 5.0], [0.0, 0.0], [5.1, 5.0], [0.1, 0.0], [9.0, 9.0]])
    labels, centres = kmeans(points, 2)
    np.testing.assert_array_equal(labels, [0, 0, 1, 0, 1, 0])  # cluster 0 is the first point's
    np.testing.assert_allclose(centres[1], [0.05, 0.0])


def test_kmeans_of_fewer_distinct_points_than_clusters_gives_one_cluster_each():
    points = np.array([[1.0, 1.0], [2.0, 2.0], [1.0, 1.0], [3.0, 3.0]])
    labels, centres = kmeans(points, 5)
    assert len(centres) == 3
    np.testing.assert_array_equal(labels, [0, 1, 0, 2])


def test_kmeans_stops_once_no_centre_moves_by_a_hundredth():
    """Two far clusters settle in a step or two whatever the limit; a limit of zero steps is one
    assignment from the start."""
    points = blobs(3, 2, 200)
    settled, _ = kmeans(points, 2, iterations=1000)
    assert np.array_equal(settled, kmeans(points, 2, iterations=5)[0])
    _, centres = kmeans(points, 2, iterations=0)
    start = points[:2]
    nearest = np.argmin(((points[:, None] - start[None]) ** 2).sum(-1), axis=1)
    expected = np.array([points[nearest == j].mean(axis=0) for j in range(2)])
    np.testing.assert_allclose(np.sort(centres, axis=0), np.sort(expected, axis=0))  # numbered by first point


@pytest.mark.parametrize("k", [2, 3])
def test_weights_count_as_repeated_points(k):
    points = blobs(11, k, 30)
    counts = np.random.default_rng(11).integers(1, 4, len(points))
    weighted = kmeans(points, k, counts.astype(float))
    repeated = kmeans(np.repeat(points, counts, axis=0), k)
    np.testing.assert_array_equal(np.repeat(weighted[0], counts), repeated[0])
    np.testing.assert_allclose(weighted[1], repeated[1])


@pytest.mark.parametrize("seed", range(5))
def test_seeded_starts_are_kept_only_where_tighter(seed):
    """Polis's start and k-means++ starts: the seeds are distinct points, and each run's sum of
    squares is that of its own clustering (checked by hand), so the tightest can be chosen."""
    points = blobs(seed, 4, 80)
    for start in seeds(points, 4, 5, seed):
        assert len(np.unique(start, axis=0)) == 4
        assert all(np.any(np.all(points == centre, axis=1)) for centre in start)
        labels, centres = kmeans(points, 4, start=start)
        by_hand = sum(np.sum((points[labels == j] - centres[j]) ** 2) for j in range(len(centres)))
        assert spread(points, None, labels, centres) == pytest.approx(by_hand)

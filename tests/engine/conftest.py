from contextlib import contextmanager
from unittest import mock

from hypothesis import HealthCheck, settings

from winset.engine import enumeration, gap, search

# Property tests against brute force: small random problems, many of them.
EXACT = settings(max_examples=60, deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow])
METHODS = ("enumerate", "enumerate-threads", "search", "search-deep")


@contextmanager
def method_under_test(method: str):
    """The engine's ``method`` for ``method``: 'search' is branch and bound on one thread;
    'search-deep' is branch and bound with leaves of one package, so that every level of the tree
    is bounded and pruned (the default leaves hold 512 packages, which would enumerate these small
    spaces whole), its first partial packages searched on three threads; 'enumerate' computes the gap's
    exact shifts three packages at a time (not 256), so that its bounds decide what is skipped;
    'enumerate-threads' is enumeration three packages at a time on three threads, each range of
    package indices a few chunks (these small spaces would otherwise be one chunk, run once)."""
    if method == "search-deep":
        with mock.patch.object(search, "LEAF_PACKAGES", 1), mock.patch.object(enumeration, "THREADS", 3):
            yield "search"
    elif method == "search":
        with mock.patch.object(enumeration, "THREADS", 1):
            yield method
    elif method == "enumerate-threads":
        with (
            mock.patch.object(enumeration, "MIN_CHUNK", 3),
            mock.patch.object(enumeration, "WORK_ROWS", 1),
            mock.patch.object(enumeration, "THREADS", 3),
            mock.patch.object(gap, "GAP_BATCH", 3),
        ):
            yield "enumerate"
    elif method == "enumerate":
        # the gap's exact shifts a few packages at a time, so that its bounds cut some batches
        with mock.patch.object(gap, "GAP_BATCH", 3):
            yield method
    else:
        raise ValueError(method)

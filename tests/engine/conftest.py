from contextlib import contextmanager
from unittest import mock

from hypothesis import HealthCheck, settings

from winset.engine import search

# Property tests against brute force: small random problems, many of them.
EXACT = settings(max_examples=60, deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow])
METHODS = ("enumerate", "search", "search-deep")


@contextmanager
def method_under_test(method: str):
    """The engine's ``method`` for ``method``: 'search-deep' is branch and bound with leaves of
    one package, so that every level of the tree is bounded and pruned (the default leaves hold
    512 packages, which would enumerate these small spaces whole)."""
    if method == "search-deep":
        with mock.patch.object(search, "LEAF_PACKAGES", 1):
            yield "search"
    else:
        yield method

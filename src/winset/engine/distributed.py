"""Running searches in process or on a Dask cluster, with identical results.

A search is split into tasks: for enumeration, ranges of package indices; for branch and bound,
the partial packages of the first few issues (each task searches their completions with its own
incumbent, so tasks prune a little less than one search but miss nothing). Each task returns its k
best packages or its count; merging keeps the k best overall, ties broken by package index as in a
single search, so a cluster gives exactly the in-process answer.

``scheduler`` is ``None`` (in process), a scheduler address such as ``"tcp://10.0.0.5:8786"``, or a
``dask.distributed.Client``. Dask is an optional dependency (``pip install 'winset[dask]'``).
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np

from ..errors import Problem, WinsetError
from .problem import DealProblem
from .search import WORK_ROWS, Found, Search, TopK, enumerate_valid

TASKS_PER_WORKER = 8


def best_packages(
    problem: DealProblem, objective, feasible, k: int, method: str, scheduler=None, reference=None
) -> list[Found]:
    """The k best feasible packages under ``objective`` (enumeration or branch and bound)."""
    if scheduler is None:
        if method == "enumerate":
            return _best_in_range(problem, objective, feasible, k, reference, None)
        return Search(problem).maximize(objective, feasible, k, reference=reference, seeds=_seeds(problem, reference))
    with _connected(scheduler) as client:
        shared = client.scatter(problem, broadcast=True)
        if method == "enumerate":
            tasks = _index_ranges(problem, _workers(client))
            futures = client.map(
                _best_in_range,
                [shared] * len(tasks),
                objective=objective,
                feasible=feasible,
                k=k,
                reference=reference,
                index_range=tasks,
                pure=False,
            )
        else:
            search = Search(problem)
            tasks = _root_groups(search, _workers(client))
            futures = client.map(
                _best_under_roots,
                [shared] * len(tasks),
                tasks,
                order=search.order,
                objective=objective,
                feasible=feasible,
                k=k,
                reference=reference,
                pure=False,
            )
        results = client.gather(futures)
    merged = TopK(k, problem.space)
    for found in results:
        if found:
            merged.add(np.array([f.value for f in found]), np.array([f.codes for f in found]))
    return merged.results()


def count_packages(problem: DealProblem, feasible, method: str, scheduler=None) -> int:
    """How many valid packages pass ``feasible``."""
    if scheduler is None:
        if method == "enumerate":
            return _count_in_range(problem, feasible, None)
        return Search(problem).count(feasible)
    with _connected(scheduler) as client:
        shared = client.scatter(problem, broadcast=True)
        if method == "enumerate":
            tasks = _index_ranges(problem, _workers(client))
            futures = client.map(
                _count_in_range, [shared] * len(tasks), feasible=feasible, index_range=tasks, pure=False
            )
        else:
            search = Search(problem)
            tasks = _root_groups(search, _workers(client))
            futures = client.map(
                _count_under_roots, [shared] * len(tasks), tasks, order=search.order, feasible=feasible, pure=False
            )
        return int(sum(client.gather(futures)))


# ------------------------------------------------------------------------------------------ tasks
def _packages_in_range(problem: DealProblem, index_range):
    """(codes, quantities) of the valid packages in a range of indices (all of them for None)."""
    if index_range is None:
        yield from enumerate_valid(problem)
        return
    start, stop = index_range
    rows = sum(p.table.n_rows for p in problem.publics) + len(problem.negotiators)
    size = max(256, WORK_ROWS // max(rows, 1))
    for first in range(start, stop, size):
        codes = problem.space.decode(np.arange(first, min(first + size, stop), dtype=np.int64)).astype(np.int64)
        codes = codes[problem.space.is_valid(codes)]
        if len(codes):
            yield codes, problem.evaluate(codes)


def _best_in_range(problem, objective, feasible, k, reference, index_range) -> list[Found]:
    best = TopK(k, problem.space)
    ref = None if reference is None else np.asarray(reference)
    for codes, quantities in _packages_in_range(problem, index_range):
        distance = np.zeros(len(codes)) if ref is None else (codes != ref).sum(axis=1).astype(float)
        ok = feasible(quantities)
        best.add(objective(quantities, distance)[ok], codes[ok])
    return best.results()


def _count_in_range(problem, feasible, index_range) -> int:
    return int(sum(feasible(q).sum() for _, q in _packages_in_range(problem, index_range)))


def _best_under_roots(problem, roots, order, objective, feasible, k, reference) -> list[Found]:
    return Search(problem, order).maximize(objective, feasible, k, reference=reference, roots=roots)


def _count_under_roots(problem, roots, order, feasible) -> int:
    return Search(problem, order).count(feasible, roots=roots)


def _seeds(problem: DealProblem, reference) -> list[tuple[int, ...]]:
    """Packages to evaluate before searching: the status quo and the reference (a proposal)."""
    seeds = [problem.space.status_quo]
    if reference is not None:
        seeds.append(tuple(int(c) for c in reference))
    return seeds


def _index_ranges(problem: DealProblem, workers: int) -> list[tuple[int, int]]:
    size = problem.space.size
    parts = max(1, workers * TASKS_PER_WORKER)
    bounds = np.linspace(0, size, parts + 1).astype(np.int64)
    return [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a]


def _root_groups(search: Search, workers: int) -> list[np.ndarray]:
    """Partial packages of the first issues (search order), enough for every worker, in groups."""
    wanted = max(1, workers * TASKS_PER_WORKER)
    roots = np.zeros((1, 0), dtype=np.int64)
    while len(roots) < wanted and roots.shape[1] < search.leaf_depth:
        roots = search.children(roots)
    return [group for group in np.array_split(roots, min(wanted, len(roots))) if len(group)]


@contextmanager
def _connected(scheduler):
    """A Dask client: the one given, or one connected to the address given (closed afterwards)."""
    try:
        from dask.distributed import Client
    except ImportError:
        raise WinsetError(
            [Problem("scheduler", "running on a Dask cluster needs dask.distributed", "pip install 'winset[dask]'")]
        ) from None
    if isinstance(scheduler, Client):
        yield scheduler
        return
    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError, ValueError) as error:
        raise WinsetError(
            [
                Problem(
                    "scheduler",
                    f"cannot reach the Dask scheduler at {scheduler} ({error})",
                    "start the scheduler (dask scheduler), or check its address",
                )
            ]
        ) from None
    try:
        yield client
    finally:
        client.close()


def _workers(client) -> int:
    return max(1, len(client.scheduler_info().get("workers", {})))

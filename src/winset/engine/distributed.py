"""Running searches in process or on a Dask cluster, with identical results.

A search is split into tasks: for enumeration, ranges of package indices; for branch and bound,
the partial packages of the first few issues (each task searches their completions, starting from
incumbents that a short search finds first, and keeps its own from there: tasks prune a little
less than one search but miss nothing). Each task returns its k best packages, with those within
rounding of its k-th (:class:`~winset.engine.topk.TopK`), or its count; merging keeps the k best
overall on values worked out one package at a time, ties broken by package index as in a single
search, so a cluster gives exactly the in-process answer.

``scheduler`` is ``None`` (in process), a scheduler address such as ``"tcp://10.0.0.5:8786"``, or a
``dask.distributed.Client``. Dask is an optional dependency (the ``dask`` extra). In process, the
tasks run on the cores, on threads (:func:`~winset.engine.enumeration.on_threads`): an
enumeration's ranges, and a branch and bound's groups of partial packages, which share one top k.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np

from ..errors import Problem, WinsetError
from ..extras import install_hint
from .enumeration import (
    RANGES_PER_THREAD,
    in_threads,
    index_ranges,
    on_threads,
    packages_in_range,
    screen,
    thread_count,
)
from .problem import DealProblem, Quantities
from .search import Search
from .topk import Feasibility, Found, Objective, SharedTopK, TopK

if TYPE_CHECKING:
    from dask.distributed import Client

# where a search runs: None (in process), a scheduler address or a connected client
Scheduler: TypeAlias = "str | Client | None"
Reference: TypeAlias = "tuple[int, ...] | None"  # a package whose distance the objective sees

TASKS_PER_WORKER = 8
DIVE_VISITS = 16  # leaf visits of the short search that finds incumbents for a split search
CONNECT_TIMEOUT = "10s"  # how long to try to reach a scheduler given by address


def best_packages(
    problem: DealProblem,
    objective: Objective,
    feasible: Feasibility,
    k: int,
    method: str,
    scheduler: Scheduler = None,
    reference: Reference = None,
) -> list[Found]:
    """The k best feasible packages under ``objective`` (enumeration or branch and bound)."""
    if k < 1:
        return []
    constants: dict[str, Any] = {"objective": objective, "feasible": feasible, "k": k, "reference": reference}
    if scheduler is None:
        if method == "enumerate":
            shared = SharedTopK(k, problem.space)  # every range prunes at the best floor found so far
            in_threads(problem, _best_in_range, best=shared, **constants)
            return _canonical(problem, shared.candidates(), objective, reference, k)
        found = _best_in_threads(problem, objective, feasible, k, reference)
        return _canonical(problem, found, objective, reference, k)
    if method == "enumerate":

        def split_ranges(workers: int) -> list[tuple[int, int]]:
            return _index_ranges(problem, workers)

        results = _on_cluster(scheduler, problem, _best_in_range, split_ranges, **constants)
    else:
        # every task starts from incumbents found by a short search here, so that it prunes as
        # well as one search would (a task starting from nothing explores far more)
        search = Search(problem)
        seeds = _seeds(problem, reference)
        dive = search.maximize(objective, feasible, k, reference=reference, seeds=seeds, budget=DIVE_VISITS)
        seeds += [f.codes for f in dive]

        def split_roots(workers: int) -> list[np.ndarray]:
            return _root_groups(search, workers * TASKS_PER_WORKER)

        results = _on_cluster(
            scheduler, problem, _best_under_roots, split_roots, order=search.order, seeds=seeds, **constants
        )
    merged = TopK(k, problem.space)
    for found in results:
        if found:
            merged.add(np.array([f.value for f in found]), np.array([f.codes for f in found]))
    return _canonical(problem, merged.candidates(), objective, reference, k)


def _canonical(
    problem: DealProblem, found: list[Found], objective: Objective, reference: Reference, k: int
) -> list[Found]:
    """The k best of the packages found (a top k's candidates), on their values worked out one
    package at a time: sums in another order (a chunk of another size, a search leaf) may differ in
    the last digit, and every way of running a search must report the same packages and numbers."""
    out = []
    for f in found:
        codes = np.array([f.codes])
        distance = np.zeros(1) if reference is None else (codes != np.asarray(reference)).sum(axis=1).astype(float)
        out.append(Found(float(objective(problem.evaluate(codes), distance)[0]), f.codes))
    return sorted(out, key=lambda f: (-f.value, int(problem.space.encode(f.codes))))[:k]


def feasible_packages(problem: DealProblem, feasible: Feasibility, limit: int, method: str) -> np.ndarray | None:
    """Every deal that passes ``feasible``, as codes in package order, or None where more than
    ``limit`` do: the whole of a small win-set, without ranking it."""
    if method == "enumerate":
        found, total = [], 0
        for codes in packages_in_range(problem, None):
            high, low = problem.bounds(codes)
            possible = feasible(high)
            certain = possible & feasible(low)
            undecided = np.flatnonzero(possible & ~certain)
            if len(undecided):
                certain[undecided[feasible(problem.evaluate(codes[undecided]))]] = True
            found.append(codes[certain])
            total += int(certain.sum())
            if total > limit:
                return None
        return np.concatenate(found) if found else np.zeros((0, problem.space.n_issues), dtype=np.int64)

    def anything(q: Quantities, distance: np.ndarray) -> np.ndarray:  # every package ranks the same
        return np.zeros(q.joint_margin.shape)

    listed = Search(problem).maximize(anything, feasible, limit + 1)
    if len(listed) > limit:
        return None
    # equal values: the search's results come in package order
    return np.array([f.codes for f in listed], dtype=np.int64).reshape(-1, problem.space.n_issues)


def count_packages(problem: DealProblem, feasible: Feasibility, method: str, scheduler: Scheduler = None) -> int:
    """How many valid packages pass ``feasible``."""
    if scheduler is None:
        if method == "enumerate":
            return int(sum(in_threads(problem, _count_in_range, feasible=feasible)))
        search = Search(problem)
        groups = _thread_groups(search)
        if len(groups) <= 1:
            return search.count(feasible)
        return int(sum(on_threads(lambda roots: search.count(feasible, roots=roots), groups)))
    if method == "enumerate":

        def split_ranges(workers: int) -> list[tuple[int, int]]:
            return _index_ranges(problem, workers)

        counts = _on_cluster(scheduler, problem, _count_in_range, split_ranges, feasible=feasible)
    else:
        search = Search(problem)

        def split_roots(workers: int) -> list[np.ndarray]:
            return _root_groups(search, workers * TASKS_PER_WORKER)

        counts = _on_cluster(scheduler, problem, _count_under_roots, split_roots, order=search.order, feasible=feasible)
    return int(sum(counts))


def _on_cluster(
    scheduler: Scheduler,
    problem: DealProblem,
    task: Callable[..., Any],
    split: Callable[[int], list[Any]],
    **constants: Any,
) -> list[Any]:
    """``task(problem, part, **constants)`` for every part of ``split(workers)``, on the cluster,
    with the problem sent to every worker once."""
    with connected(scheduler) as client:
        parts = split(worker_count(client))
        shared = broadcast(client, problem)
        futures = client.map(task, [shared] * len(parts), parts, pure=False, **constants)
        return client.gather(futures)


# ------------------------------------------------------------------------------------------ tasks
def _best_in_range(
    problem: DealProblem,
    index_range: tuple[int, int] | None,
    *,
    objective: Objective,
    feasible: Feasibility,
    k: int,
    reference: Reference,
    best: TopK | None = None,
) -> list[Found]:
    """The k best: each chunk screened on cheap bounds, the packages that could enter the top k
    evaluated exactly; into ``best`` where given (shared by the ranges of one enumeration)."""
    best = TopK(k, problem.space) if best is None else best
    ref = None if reference is None else np.asarray(reference)
    for codes in packages_in_range(problem, index_range):
        distance = np.zeros(len(codes)) if ref is None else (codes != ref).sum(axis=1).astype(float)
        keep, _ = screen(problem, codes, feasible, objective, distance, best.floor)
        if len(keep):
            exact = problem.evaluate(codes[keep])
            ok = feasible(exact)
            best.add(objective(exact, distance[keep])[ok], codes[keep][ok])
    return best.candidates()


def _count_in_range(problem: DealProblem, index_range: tuple[int, int] | None, *, feasible: Feasibility) -> int:
    """How many pass: those whose bounds settle it counted from the bounds, the rest exactly."""
    total = 0
    for codes in packages_in_range(problem, index_range):
        possible, low = screen(problem, codes, feasible, low=True)
        assert low is not None
        certain = feasible(low)
        total += int(certain.sum())
        undecided = possible[~certain]
        if len(undecided):
            total += int(feasible(problem.evaluate(codes[undecided])).sum())
    return total


def _best_under_roots(
    problem: DealProblem,
    roots: np.ndarray,
    *,
    order: np.ndarray,
    objective: Objective,
    feasible: Feasibility,
    k: int,
    reference: Reference,
    seeds: list[tuple[int, ...]],
) -> list[Found]:
    best = TopK(k, problem.space)
    Search(problem, order).maximize(objective, feasible, k, reference=reference, seeds=seeds, roots=roots, best=best)
    return best.candidates()


def _count_under_roots(problem: DealProblem, roots: np.ndarray, *, order: np.ndarray, feasible: Feasibility) -> int:
    return Search(problem, order).count(feasible, roots=roots)


def _best_in_threads(
    problem: DealProblem, objective: Objective, feasible: Feasibility, k: int, reference: Reference
) -> list[Found]:
    """Branch and bound on :func:`~winset.engine.enumeration.thread_count` threads: the partial
    packages of the first issues, dealt from the best bound down into groups, each group's
    completions searched on a thread, all adding to one top k so that each prunes at the best
    floor found anywhere. The threads share one :class:`Search` (its caches only fill)."""
    search = Search(problem)
    seeds = _seeds(problem, reference)
    groups = _thread_groups(search, objective, reference)
    if len(groups) <= 1:
        best = TopK(k, problem.space)
        search.maximize(objective, feasible, k, reference=reference, seeds=seeds, best=best)
        return best.candidates()
    shared = SharedTopK(k, problem.space)
    search.seed(shared, seeds, objective, feasible, reference)

    def under(roots: np.ndarray) -> None:
        search.maximize(objective, feasible, k, reference=reference, roots=roots, best=shared)

    on_threads(under, groups)
    return shared.candidates()


def _seeds(problem: DealProblem, reference: Reference) -> list[tuple[int, ...]]:
    """Packages to evaluate before searching: the reference (a proposal), if any (the status quo
    is no deal, so it cannot seed the search)."""
    return [] if reference is None else [tuple(int(c) for c in reference)]


def _index_ranges(problem: DealProblem, workers: int) -> list[tuple[int, int]]:
    """Ranges of package indices, several per worker."""
    return index_ranges(problem, max(1, workers * TASKS_PER_WORKER))


def _thread_groups(search: Search, objective: Objective | None = None, reference: Reference = None) -> list[np.ndarray]:
    """:func:`_root_groups` for the threads of one process; none on one thread."""
    threads = thread_count()
    return _root_groups(search, threads * RANGES_PER_THREAD, objective, reference) if threads > 1 else []


def _root_groups(
    search: Search, wanted: int, objective: Objective | None = None, reference: Reference = None
) -> list[np.ndarray]:
    """Partial packages of the first issues (search order), at least ``wanted`` where the tree
    allows, in up to ``wanted`` groups; with an ``objective``, dealt in turn from the best
    optimistic value down, so that every group holds some of the most promising."""
    roots = np.zeros((1, 0), dtype=np.int64)
    while len(roots) < wanted and roots.shape[1] < search.leaf_depth:
        roots = search.children(roots)
    parts = max(1, min(wanted, len(roots)))
    if objective is None:
        return [group for group in np.array_split(roots, parts) if len(group)]
    high, _ = search.bound_quantities(roots, low=False)
    ranked = roots[np.argsort(-objective(high, search.distance(roots, reference)), kind="stable")]
    return [ranked[i::parts] for i in range(parts) if len(ranked[i::parts])]


@contextmanager
def connected(scheduler: Scheduler) -> Iterator[Client]:
    """A Dask client: the one given, or one connected to the address given (closed afterwards)."""
    try:
        from dask.distributed import Client
    except ImportError:
        raise WinsetError(
            [Problem("scheduler", "running on a Dask cluster needs dask.distributed", install_hint("dask"))]
        ) from None
    if isinstance(scheduler, Client):
        yield scheduler
        return
    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT)
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


def broadcast(client: Client, value: Any) -> Any:
    """``value`` sent to every worker once, as a future the tasks take. Under a key of its own
    each time: with dask's default content-hash key, the same value sent again while the last
    call's copy is being released is lost on the workers, and the tasks that need it fail as
    "cancelled: lost dependencies" (a race in dask.distributed)."""
    return client.scatter(value, broadcast=True, hash=False)


def worker_count(client: Client) -> int:
    return max(1, len(client.scheduler_info().get("workers", {})))

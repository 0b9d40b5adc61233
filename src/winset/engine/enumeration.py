"""Enumeration of every deal of a problem, in chunks of numpy arrays sized to the work a step may
do, on ranges of package indices run side by side on the cores, and the size of space up to which
the analyses enumerate rather than search.

The ranges run on threads, not processes: numpy releases the interpreter in its loops, and the
problem (tens of MB of tables) is shared rather than copied. BLAS is held to one thread meanwhile,
so that the threads share the cores rather than oversubscribe them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from ..defaults import cores
from ..scoretable import ScoreTable
from .problem import DealProblem, Quantities, draws_needed
from .topk import Feasibility, Objective

WORK_ROWS = 4_000_000  # rows x packages per vectorised step
# spaces up to this many packages are enumerated by the analyses' method 'auto'; larger ones are
# searched by branch and bound
SEARCH_ENUMERATE_LIMIT = 2_000_000
# the support a screen assumes for a public it has not bounded yet: the largest float, above any
# finite support, and finite, so that a group weighted zero adds nothing rather than NaN
UNBOUNDED_SUPPORT = float(np.finfo(np.float64).max)
MIN_CHUNK = 256  # the fewest packages an enumeration takes at a time
THREADS: int | None = None  # threads an enumeration runs on (None: one per core)
RANGES_PER_THREAD = 8  # ranges of package indices per thread, so that none is left to finish alone


def enumerate_valid(problem: DealProblem, chunk: int | None = None) -> Iterator[tuple[np.ndarray, Quantities]]:
    """Every deal (valid package other than the status quo) with its exact quantities, in chunks
    sized to the problem."""
    for chunk_codes in problem.deals.iter_valid(chunk_size=chunk or enumeration_chunk(problem)):
        codes = chunk_codes.astype(np.int64)
        yield codes, problem.evaluate(codes)


def enumeration_chunk(problem: DealProblem) -> int:
    """How many packages an enumeration takes at a time (at least 256): about :data:`WORK_ROWS`
    rows x packages for the smallest public's table and the negotiators, which :func:`screen`
    bounds every package on first (larger tables score the packages left open in chunks of their
    own), and as many supports, groups x packages, over all the publics."""
    tables = [p.rule_table for p in problem.publics]
    rows = min([t.n_rows for t in tables], default=0) + len(problem.negotiators)
    groups = sum(t.n_groups for t in tables)
    return max(MIN_CHUNK, WORK_ROWS // max(rows, groups, 1))


def packages_in_range(problem: DealProblem, index_range: tuple[int, int] | None) -> Iterator[np.ndarray]:
    """The deals (valid packages but the status quo) in a range of indices (all for None), in chunks."""
    size = enumeration_chunk(problem)
    if index_range is None:
        for codes in problem.deals.iter_valid(chunk_size=size):
            yield codes.astype(np.int64)
        return
    start, stop = index_range
    for first in range(start, stop, size):
        codes = problem.space.decode(np.arange(first, min(first + size, stop), dtype=np.int64)).astype(np.int64)
        codes = codes[problem.deals.is_valid(codes)]
        if len(codes):
            yield codes


def index_ranges(problem: DealProblem, parts: int) -> list[tuple[int, int]]:
    """The package indices of the space in up to ``parts`` ranges of about equal length."""
    bounds = np.linspace(0, problem.space.size, max(1, parts) + 1).astype(np.int64)
    return [(int(a), int(b)) for a, b in itertools.pairwise(bounds) if b > a]


def in_threads(problem: DealProblem, task: Callable[..., Any], **constants: Any) -> list[Any]:
    """``task(problem, index_range, **constants)`` over every package: on :data:`THREADS`
    threads (default one per core), :data:`RANGES_PER_THREAD` ranges each, where the space holds
    more packages than one chunk; else once, on the whole space (``index_range`` None)."""
    threads = thread_count()
    if threads <= 1 or problem.space.size <= enumeration_chunk(problem):
        return [task(problem, None, **constants)]
    return on_threads(lambda part: task(problem, part, **constants), index_ranges(problem, threads * RANGES_PER_THREAD))


def thread_count() -> int:
    """:data:`THREADS`, or one per core the process may run on."""
    return THREADS or cores()


def on_threads(function: Callable[[Any], Any], parts: list[Any]) -> list[Any]:
    """``function(part)`` for every part, in order, on :func:`thread_count` threads, with BLAS
    held to one thread meanwhile. An error or an interrupt starts no further part."""
    with threadpool_limits(1, user_api="blas"), ThreadPoolExecutor(max(1, min(thread_count(), len(parts)))) as pool:
        futures = [pool.submit(function, part) for part in parts]
        try:
            return [future.result() for future in futures]
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise


def screen(
    problem: DealProblem,
    codes: np.ndarray,
    feasible: Feasibility,
    objective: Objective | None = None,
    distance: np.ndarray | None = None,
    floor: float = -np.inf,
    low: bool = False,
) -> tuple[np.ndarray, Quantities | None]:
    """The packages whose upper bounds (:meth:`DealProblem.bounds`) are feasible, with an
    ``objective`` of at least ``floor`` if one is given (the packages that could enter a top k at
    that floor): their indices, and with ``low`` their quantities just below the exact ones.

    The publics are bounded in stages, the cheapest first, each only on the packages the ones
    before left open, the others taken to pass by any margin (their rules not evaluated:
    ``unbounded`` in :meth:`DealProblem.quantities`). At a confidence level, a public with many
    bootstrap draws is bounded in two stages: its point estimate and first draws
    (:func:`first_draws`), with the later draws taken to pass by any margin, then those on what is
    left (most packages a confidence level rejects fail too many of the first draws to pass). Every quantity is monotone in the
    supports, so a package cut early would be cut by the full bounds too, and the packages left at
    the end are those the full bounds leave (but where the bounds' float32 rounding, which depends
    on how many packages are bounded together, decides); a survey public with its bootstrap draws
    (tens of thousands of rows) is bounded only on what the cheaper publics and the negotiators
    leave."""
    tables = problem.public_tables()
    utility = problem.utilities(codes)
    distance = np.zeros(len(codes)) if distance is None else distance
    open_ = np.arange(len(codes))
    # each public's bounds on the packages still open, None until it is bounded
    high: list[np.ndarray | None] = [None] * len(tables)
    below: list[np.ndarray | None] = [None] * len(tables)
    for stage in [None, *_stages(problem, tables)]:
        if stage is not None:
            i, first, stop = stage
            upper, lower = high[i], below[i]
            if upper is None or lower is None:
                upper = high[i] = np.full((tables[i].n_groups, len(open_)), UNBOUNDED_SUPPORT)
                lower = below[i] = np.full((tables[i].n_groups, len(open_)), -UNBOUNDED_SUPPORT)
            upper[first:stop], lower[first:stop] = tables[i].groups_between(first, stop).support_bounds(codes[open_])
        # a rule over groups weighs draws not yet bounded (the largest float) to inf: above any
        # threshold, as they should be
        with np.errstate(over="ignore"):
            q = problem.quantities(_filled(high, tables, len(open_)), utility[:, open_], [h is None for h in high])
        keep = feasible(q)
        if objective is not None:
            keep &= objective(q, distance[open_]) >= floor - 1e-12
        open_ = open_[keep]
        high = [None if h is None else h[:, keep] for h in high]
        below = [None if b is None else b[:, keep] for b in below]
        if not len(open_):
            break
    if not low:
        return open_, None
    return open_, problem.quantities(_filled(below, tables, len(open_), -UNBOUNDED_SUPPORT), utility[:, open_])


def _stages(problem: DealProblem, tables: list[ScoreTable]) -> list[tuple[int, int, int]]:
    """The screen's stages, fewest rows first: (public, first group, stop), each public's whole
    table, or its point estimate with the first draws (:func:`first_draws`), then the rest
    (each draw's groups together, as the rule needs them)."""
    stages = []
    for i, (public, table) in enumerate(zip(problem.publics, tables, strict=True)):
        split = public.rule.n_groups * (1 + first_draws(problem.confidence, public.n_draws))
        cuts = [0, split, table.n_groups] if split < table.n_groups else [0, table.n_groups]
        stages += [(i, first, stop) for first, stop in itertools.pairwise(cuts)]
    rows = [int(np.count_nonzero((tables[i].groups >= a) & (tables[i].groups < b))) for i, a, b in stages]
    return [stages[j] for j in np.argsort(rows, kind="stable")]


def first_draws(confidence: float | None, draws: int) -> int:
    """How many of a public's draws the screen bounds before the rest, at a confidence level:
    half as many again as the draws a package may fail and still pass, plus one, so that a
    package failing most of them is cut before the others are bounded (on Kuril at 0.9, 31 of
    200: the whole solve bounds 523 million row-packages, against 1,076 million in one stage,
    520 million with 30 first and 607 million with 60). For the point test, all of them: the
    draws decide nothing there but a probability, which no first draws can bound (measured:
    staging the point estimate first made the search for the likeliest package 1.8 times as
    slow, 1.35 s against 0.75 s)."""
    if confidence is None:
        return draws
    return 3 * (draws - draws_needed(draws, confidence)) // 2 + 1


def _filled(
    sides: list[np.ndarray | None], tables: list[ScoreTable], m: int, fill: float = UNBOUNDED_SUPPORT
) -> list[np.ndarray]:
    """The bounds of the publics bounded so far, ``fill`` (a read-only view, no copy) for the
    others."""
    return [np.broadcast_to(fill, (t.n_groups, m)) if s is None else s for s, t in zip(sides, tables, strict=True)]

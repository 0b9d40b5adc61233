"""The deal explorer's "what would pass", from where the page cannot search every package itself:
more than ``PAGE_SEARCH`` allowed packages, or a test over the draws (``--confidence``), which the
page does not repeat over every package. The engine answers instead, and the page embeds what it
found:

* ``listed``: the whole joint win-set, where it holds at most ``LISTED`` packages, with each
  package's smallest margin. The page then finds the nearest ratifiable packages and the best that
  keeps any locked options exactly, as it does over every package.
* ``precomputed``: beyond that, the engine's nearest ratifiable packages to each starting package
  (the status quo and every proposal), the best of all, and the best that keeps each single option;
  the page says which command answers anything else (``winset assess``, ``winset solve --keep``).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ..engine import DealProblem, criteria
from ..engine.distributed import best_packages, feasible_packages
from ..engine.joint import choose_method, point_only
from ..errors import PackageError

PAGE_SEARCH = 100_000  # packages the page enumerates itself, on the point estimate
LISTED = 20_000  # packages of the joint win-set the page can be given whole (0.37 MB of base64 at six issues)
NEAREST = 3  # ratifiable packages offered nearest the one chosen


def answers(
    problem: DealProblem,
    winset_size: int,
    starts: Mapping[str, tuple[int, ...]],
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """How the page answers "what would pass" (``search``: ``page``, ``listed`` or
    ``precomputed``) and, unless the page searches itself, what the engine found; ``starts`` are
    the packages the page starts from by name (the status quo and the proposals)."""
    step = progress or (lambda _: None)
    if problem.space.count_valid() <= PAGE_SEARCH and problem.confidence is None:
        return {"search": "page"}
    base = _base(problem)
    if winset_size <= LISTED:
        step("listing the joint win-set for the deal explorer")
        codes = feasible_packages(base, criteria.joint(base), winset_size, choose_method(base, "auto"))
        assert codes is not None  # the win-set's size is known
        return {"search": "listed", "winset": _packages(base, codes)}
    step("finding what would pass for the deal explorer")
    nearest = {name: _packages(base, _nearest(base, codes)) for name, codes in starts.items()}
    best = _best(base, 1)
    locks = []
    space = problem.space
    for k, (issue, options) in enumerate(zip(space.issue_ids, space.option_ids, strict=True)):
        for o, option in enumerate(options):
            if best and best[0][k] == o:  # the best of all keeps its own options
                kept = best
            else:
                try:
                    kept = _best(base.keeping(f"{issue}={option}"), 1)
                except PackageError:  # no deal has the option
                    kept = []
            locks.append({"issue": k, "option": o, "best": _packages(base, np.array(kept, dtype=np.int64))})
    return {
        "search": "precomputed",
        "nearest": nearest,
        "best": _packages(base, np.array(best, dtype=np.int64)),
        "locks": locks,
    }


def _base(problem: DealProblem) -> DealProblem:
    """The problem the joint win-set test needs: the point estimate alone unless the test is over
    the draws."""
    return point_only(problem) if problem.confidence is None else problem


def _best(problem: DealProblem, k: int) -> list[tuple[int, ...]]:
    """The k ratifiable packages with the best smallest margin."""
    method = choose_method(problem, "auto")
    found = best_packages(problem, criteria.min_margin(problem), criteria.joint(problem), k, method)
    return [f.codes for f in found]


def _nearest(problem: DealProblem, package: tuple[int, ...]) -> np.ndarray:
    """The ratifiable packages nearest ``package`` (fewest changes, then the best smallest margin),
    as ``winset assess`` finds its repairs."""
    found = best_packages(
        problem,
        criteria.nearest(problem),
        criteria.joint(problem),
        NEAREST,
        choose_method(problem, "auto"),
        reference=package,
    )
    return np.array([f.codes for f in found], dtype=np.int64).reshape(-1, problem.space.n_issues)


def _packages(problem: DealProblem, codes: np.ndarray) -> dict[str, Any]:
    """Packages for the page: their codes, one byte per option where every issue has at most 256,
    and each one's smallest margin over the binding publics (the point estimate), both base64."""
    codes = np.asarray(codes, dtype=np.int64).reshape(-1, problem.space.n_issues)
    width = 1 if max(problem.space.shape) <= 256 else 2 if max(problem.space.shape) <= 65536 else 4
    kind = {1: "<u1", 2: "<u2", 4: "<i4"}[width]
    margins = problem.evaluate(codes).joint_margin if len(codes) else np.zeros(0)
    return {
        "count": len(codes),
        "width": width,
        "codes": base64.b64encode(codes.astype(kind).tobytes()).decode("ascii"),
        "margins": base64.b64encode(np.asarray(margins, dtype="<f8").tobytes()).decode("ascii"),
    }

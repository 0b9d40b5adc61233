"""What a search ranks and keeps: objectives and feasibility tests as types, and the k best
packages found so far (:class:`TopK`), ties broken by package index so that every way of searching
(enumeration, branch and bound, split into tasks) gives the same answer.
"""

from __future__ import annotations

import heapq
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..space import PackageSpace
from .problem import Quantities

Objective = Callable[[Quantities, np.ndarray], np.ndarray]  # (quantities, distance) -> value per package
Feasibility = Callable[[Quantities], np.ndarray]


@dataclass(frozen=True)
class Found:
    value: float
    codes: tuple[int, ...]


# Values this little below the k-th best may equal it but for rounding: a package's value is a sum
# whose last digit depends on how many packages were evaluated with it, which on threads depends
# on timing. Up to k such packages, those of the lowest indices, are kept as candidates, for the
# caller to decide on values worked out one package at a time.
TIE = 1e-12


class TopK:
    """The k best (value, package) pairs, each package at most once; ties go to the package with
    the lower index. Up to k more packages, whose values are within :data:`TIE` of the k-th best,
    are kept aside as candidates (:meth:`candidates`)."""

    def __init__(self, k: int, space: PackageSpace) -> None:
        self.k = k
        self.space = space
        self.heap: list[tuple[float, int, tuple[int, ...]]] = []  # (value, -index, codes), a min-heap
        self.members: set[int] = set()  # indices of the packages in the heap
        self.near: dict[int, tuple[float, int, tuple[int, ...]]] = {}  # by index: just below the floor

    @property
    def floor(self) -> float:
        return self.heap[0][0] if len(self.heap) >= self.k else -math.inf

    def add(self, values: np.ndarray, codes: np.ndarray) -> None:
        if not len(values):
            return
        for i in np.flatnonzero(values >= self.floor - TIE):
            package = tuple(int(c) for c in codes[i])
            index = int(self.space.encode(package))
            if index in self.members or index in self.near:  # met again (a seed, or another task's range)
                continue
            item = (float(values[i]), -index, package)
            if len(self.heap) < self.k:
                heapq.heappush(self.heap, item)
            elif item > self.heap[0]:
                self._aside(heapq.heapreplace(self.heap, item))
            else:
                self._aside(item)
                continue
            self.members.add(index)
        if self.near:
            floor = self.floor - TIE
            kept = sorted(i for i, item in self.near.items() if item[0] >= floor)[: self.k]
            self.near = {i: self.near[i] for i in kept}

    def _aside(self, item: tuple[float, int, tuple[int, ...]]) -> None:
        """A package that is not (or no longer) among the k best: a candidate if its value is
        within TIE of the floor (:meth:`add` keeps the k of the lowest indices)."""
        self.members.discard(-item[1])
        if item[0] >= self.floor - TIE:
            self.near[-item[1]] = item

    def results(self) -> list[Found]:
        """The k best, best first."""
        return [Found(v, c) for v, _, c in sorted(self.heap, reverse=True)]

    def candidates(self) -> list[Found]:
        """The k best and the packages just below them, best first."""
        return [Found(v, c) for v, _, c in sorted([*self.heap, *self.near.values()], reverse=True)]


class SharedTopK(TopK):
    """A :class:`TopK` that threads add to together: each sees the others' floor (read without
    the lock: it only rises, and a floor read a moment late only prunes less)."""

    def __init__(self, k: int, space: PackageSpace) -> None:
        super().__init__(k, space)
        self._lock = threading.Lock()

    def add(self, values: np.ndarray, codes: np.ndarray) -> None:
        with self._lock:
            super().add(values, codes)

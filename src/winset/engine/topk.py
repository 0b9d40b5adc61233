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


class TopK:
    """The k best (value, package) pairs, each package at most once; ties go to the package with
    the lower index."""

    def __init__(self, k: int, space: PackageSpace) -> None:
        self.k = k
        self.space = space
        self.heap: list[tuple[float, int, tuple[int, ...]]] = []  # (value, -index, codes), a min-heap
        self.members: set[int] = set()  # indices of the packages in the heap

    @property
    def floor(self) -> float:
        return self.heap[0][0] if len(self.heap) >= self.k else -math.inf

    def add(self, values: np.ndarray, codes: np.ndarray) -> None:
        if not len(values):
            return
        floor = self.floor
        for i in np.flatnonzero(values >= floor):
            package = tuple(int(c) for c in codes[i])
            index = int(self.space.encode(package))
            if index in self.members:  # met again (a seed, or another task's range)
                continue
            item = (float(values[i]), -index, package)
            if len(self.heap) < self.k:
                heapq.heappush(self.heap, item)
            elif item > self.heap[0]:
                self.members.discard(-heapq.heapreplace(self.heap, item)[1])
            else:
                continue
            self.members.add(index)

    def results(self) -> list[Found]:
        return [Found(v, c) for v, _, c in sorted(self.heap, reverse=True)]


class SharedTopK(TopK):
    """A :class:`TopK` that threads add to together: each sees the others' floor (read without
    the lock: it only rises, and a floor read a moment late only prunes less)."""

    def __init__(self, k: int, space: PackageSpace) -> None:
        super().__init__(k, space)
        self._lock = threading.Lock()

    def add(self, values: np.ndarray, codes: np.ndarray) -> None:
        with self._lock:
            super().add(values, codes)

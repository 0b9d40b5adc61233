"""Work split over threads: results in order, an error stops what has not started, and ties at the
k-th place go to the lower index whatever the threads' timing."""

import itertools
import threading
import time
from dataclasses import replace

import numpy as np
import pytest

from winset.engine import criteria, enumeration
from winset.engine.distributed import best_packages
from winset.engine.problem import DealProblem, Public
from winset.engine.rules import Rule
from winset.engine.topk import TIE, TopK
from winset.space import PackageSpace

from .conftest import METHODS, method_under_test
from .instances import support_table


def test_parts_come_back_in_order_whichever_finishes_first(monkeypatch):
    monkeypatch.setattr(enumeration, "THREADS", 3)

    def slow_first(part: int) -> int:
        time.sleep(0.02 * (6 - part))
        return part * part

    assert enumeration.on_threads(slow_first, list(range(6))) == [p * p for p in range(6)]


def test_an_error_starts_no_further_part(monkeypatch):
    monkeypatch.setattr(enumeration, "THREADS", 2)
    started = []
    lock = threading.Lock()

    def failing(part: int) -> int:
        with lock:
            started.append(part)
        if part == 0:
            raise ValueError("part 0 failed")
        time.sleep(0.05)
        return part

    with pytest.raises(ValueError, match="part 0 failed"):
        enumeration.on_threads(failing, list(range(40)))
    assert len(started) < 10  # the other thread finishes the part it holds, and no more start


def test_a_package_just_below_the_floor_stays_a_candidate():
    """Values that differ only by rounding: the lower index stays a candidate, at most k are kept
    aside, and a value further below the floor than TIE is not kept."""
    space = PackageSpace([("i", [f"o{j}" for j in range(10)])])
    best = TopK(2, space)
    value = 0.1
    best.add(np.array([1.0, np.nextafter(value, 1.0)]), np.array([[0], [9]]))
    best.add(np.array([value, value, value - 10 * TIE]), np.array([[4], [7], [5]]))
    assert [f.codes for f in best.results()] == [(0,), (9,)]
    assert [f.codes for f in best.candidates()] == [(0,), (9,), (4,), (7,)]
    best.add(np.array([value, value]), np.array([[1], [2]]))  # two more: the lowest indices of the tied stay
    assert [f.codes for f in best.candidates()][2:] == [(1,), (2,)]


def tied_problem(seed: int, link: str) -> DealProblem:
    """Two publics over four identical issues (the same coefficients for each, in quarters), so
    that many packages tie exactly, and sums in different orders differ in the last digit."""
    rng = np.random.default_rng(seed)
    shape = (3, 3, 3, 3)
    space = PackageSpace([(f"i{k}", [f"o{j}" for j in range(3)]) for k in range(4)])
    publics = []
    for i in range(2):
        table = support_table(rng, shape, link, 7, 1, False)
        first = np.round(table.coefficients[:, :3] * 4) / 4
        table = replace(table, coefficients=np.tile(first, (1, 4)), intercepts=np.round(table.intercepts * 4) / 4)
        publics.append(Public(f"p{i}", f"s{i}", table, Rule.share(0.5)))
    return DealProblem(space, (), tuple(publics))


def one_at_a_time(problem: DealProblem, objective, k: int) -> list[tuple[int, ...]]:
    """The k best deals on values worked out one package at a time, ties to the lower index."""
    ranked = []
    for codes in itertools.product(*[range(n) for n in problem.space.shape]):
        if codes == tuple(problem.space.status_quo):
            continue
        value = float(objective(problem.evaluate(np.array([codes])), np.zeros(1))[0])
        ranked.append((-value, int(problem.space.encode(codes)), codes))
    return [codes for _, _, codes in sorted(ranked)[:k]]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("link", ["logistic", "identity"])
def test_ties_at_the_kth_place_go_to_the_lower_index(method, link):
    for seed in range(6):
        problem = tied_problem(seed, link)
        objective = criteria.min_margin(problem)
        expected = one_at_a_time(problem, objective, 10)
        with method_under_test(method) as engine_method:
            for _ in range(3):
                found = best_packages(problem, objective, criteria.anything(problem), 10, engine_method)
                assert [f.codes for f in found] == expected, (seed, method)

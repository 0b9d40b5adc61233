"""Random small deal problems, and the brute force every exact algorithm is checked against."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import strategies as st
from scipy.special import expit

from winset.engine.problem import DealProblem, Negotiator, Public, Quantities
from winset.scoretable import Pair, ScoreTable
from winset.space import PackageSpace

LINK_FUNCTIONS = {"identity": lambda s: s, "logistic": expit, "step": lambda s: (s > 0).astype(float)}


def support_table(rng, shape, link, rows, groups, pair) -> ScoreTable:
    """A public's table: ``groups`` groups (0 the estimate) of ``rows`` rows with weights summing to one."""
    n = rows * groups
    pairs = ()
    if pair and len(shape) > 1:
        first, second = rng.choice(len(shape), 2, replace=False)
        pairs = (Pair(int(first), int(second), 0.7 * rng.normal(size=(n, shape[first], shape[second]))),)
    weights = rng.uniform(0.2, 1.0, (groups, rows))
    weights /= weights.sum(axis=1, keepdims=True)
    # the draws scatter around the estimate, as a bootstrap's do
    centre = rng.normal(size=(1, sum(shape)))
    coefficients = np.repeat(centre, n, axis=0) + rng.normal(scale=0.8, size=(n, sum(shape)))
    return ScoreTable(
        tuple(shape),
        rng.normal(scale=0.5, size=n),
        coefficients,
        weights.reshape(-1),
        np.repeat(np.arange(groups), rows),
        link,
        pairs,
    )


def utility_table(rng, shape) -> ScoreTable:
    return ScoreTable(
        tuple(shape),
        np.zeros(1),
        rng.uniform(0, 1, (1, sum(shape))),
        np.ones(1),
        np.zeros(1, dtype=np.int64),
        "identity",
    )


@st.composite
def problems(
    draw,
    max_issues: int = 4,
    max_options: int = 4,
    links=("logistic", "step", "identity"),
    draws: bool = True,
    max_negotiators: int = 2,
    min_negotiators: int = 0,
    confidence: bool = True,
) -> DealProblem:
    """A random deal problem: 2..max_issues issues, perhaps a constraint and a pairwise term, 1..3
    publics (some not required), 0..2 negotiators, and thresholds and reservations cut amid the
    packages' values, so that some packages pass each test and some fail."""
    n_issues = draw(st.integers(2, max_issues))
    shape = draw(st.lists(st.integers(2, max_options), min_size=n_issues, max_size=n_issues))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    link = draw(st.sampled_from(links))
    groups = 1 + (draw(st.integers(0, 4)) if draws else 0)
    rows = draw(st.integers(1, 5))
    n_publics = draw(st.integers(1, 3))
    n_negotiators = draw(st.integers(min_negotiators, max_negotiators))
    issues = [(f"i{k}", [f"o{j}" for j in range(n)]) for k, n in enumerate(shape)]
    constraints = []
    if draw(st.booleans()):
        constraints = [("forbidden", {"i0": ["o1"], "i1": ["o0", "o1"]})]
    space = PackageSpace(issues, constraints=constraints)
    every = np.array(list(itertools.product(*[range(n) for n in shape])))
    publics = []
    for i in range(n_publics):
        table = support_table(rng, shape, link, rows, groups, draw(st.booleans()))
        threshold = _between(table.group(0).support(every)[0])
        required = i == 0 or draw(st.booleans())
        publics.append(Public(f"p{i}", f"side{i % 2}", table, threshold, required))
    negotiators = []
    for j in range(n_negotiators):
        table = utility_table(rng, shape)
        negotiators.append(Negotiator(f"n{j}", table, _between(table.support(every)[0])))
    level = draw(st.sampled_from([None, 0.5, 0.8])) if confidence and groups > 1 else None
    return DealProblem(space, tuple(negotiators), tuple(publics), level, draw(st.booleans()))


def _between(values: np.ndarray) -> float:
    """A cut amid ``values`` (every package's support or utility), in the widest gap between
    neighbouring values of their middle half, so that no package lies at the cut: one exactly at a
    threshold would pass or fail on rounding, and the brute force sums in another order."""
    distinct = np.unique(values)
    if len(distinct) == 1:
        return float(distinct[0]) - 1e-6
    lo, hi = len(distinct) // 4, max(len(distinct) - len(distinct) // 4, len(distinct) // 4 + 2)
    middle = distinct[lo:hi]
    gap = int(np.argmax(np.diff(middle)))
    return float((middle[gap] + middle[gap + 1]) / 2)


# ------------------------------------------------------------------------------------ brute force
def valid_packages(problem: DealProblem) -> np.ndarray:
    """Every deal, by the definition: each combination of options that breaks no constraint and
    is not the status quo (no agreement)."""
    codes = np.array(list(itertools.product(*[range(n) for n in problem.space.shape])), dtype=np.int64)
    deal = problem.space.is_valid(codes) & (codes != np.array(problem.space.status_quo)).any(axis=1)
    return codes[deal]


def naive_support(table: ScoreTable, codes: np.ndarray, shift: float = 0.0) -> np.ndarray:
    """(groups, packages), one package at a time from the formula."""
    offsets = np.concatenate([[0], np.cumsum(table.shape)[:-1]]).astype(int)
    phi = LINK_FUNCTIONS[table.link]
    out = np.zeros((table.n_groups, len(codes)))
    for m, package in enumerate(codes):
        score = table.intercepts + shift + table.coefficients[:, offsets + package].sum(axis=1)
        for pair in table.pairs:
            score = score + pair.values[:, package[pair.first], package[pair.second]]
        np.add.at(out[:, m], table.groups, table.weights * phi(score))
    return out


def naive_quantities(problem: DealProblem, codes: np.ndarray, shifts=None) -> Quantities:
    shifts = problem.shifts if shifts is None else shifts
    support = [naive_support(p.table, codes, s) for p, s in zip(problem.publics, shifts, strict=True)]
    utility = np.array([naive_support(n.table, codes)[0] for n in problem.negotiators]).reshape(
        len(problem.negotiators), len(codes)
    )
    return problem.quantities(support, utility)


def in_joint_winset(problem: DealProblem, q: Quantities) -> np.ndarray:
    """The definition: every binding public accepts and every negotiator gains."""
    ok = q.accept[problem.binding].all(axis=0) & (q.gain >= 0).all(axis=0)
    return ok


def ranked(values: np.ndarray, codes: np.ndarray, problem: DealProblem, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k best (values, codes): highest value first, ties by package index."""
    order = np.lexsort((problem.space.encode(codes), -values))[:k]
    return values[order], codes[order]

"""Random small deal problems, and the brute force every exact algorithm is checked against."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
from hypothesis import strategies as st
from scipy.special import expit

from winset.engine.problem import DealProblem, Negotiator, Public, Quantities
from winset.engine.rules import WHOLE, Rule, Vote
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
    rules: bool = True,
) -> DealProblem:
    """A random deal problem: 2..max_issues issues, perhaps a constraint and a pairwise term, 1..3
    publics (some not required; with ``rules``, some split into groups under one of the rule
    kinds), 0..2 negotiators, and thresholds and reservations cut amid the packages' values, so
    that some packages pass each test and some fail."""
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
        required = i == 0 or draw(st.booleans())
        kind = draw(st.sampled_from(RULE_KINDS)) if rules and rows >= 2 else "share"
        if kind == "share":
            public = Public(f"p{i}", f"side{i % 2}", table, Rule.share(_between(table.group(0).support(every)[0])))
        else:
            public = grouped_public(rng, f"p{i}", table, kind, every, draw(st.integers(2, min(rows, 3))))
        publics.append(replace(public, party=f"side{i % 2}", required=required))
    negotiators = []
    for j in range(n_negotiators):
        table = utility_table(rng, shape)
        negotiators.append(Negotiator(f"n{j}", table, _between(table.support(every)[0])))
    level = draw(st.sampled_from([None, 0.5, 0.8])) if confidence and groups > 1 else None
    return DealProblem(space, tuple(negotiators), tuple(publics), level, draw(st.booleans()))


RULE_KINDS = ("share", "share_of_groups", "every_group", "double_majority", "chamber", "steps")


def grouped_public(rng, name: str, table: ScoreTable, kind: str, every: np.ndarray, n_groups: int) -> Public:
    """A public whose rows fall into ``n_groups`` groups (rows taken in turn), reweighted so that
    every draw weighs each group by its population share, under a rule of ``kind``; each
    member's threshold is cut amid its source's supports."""
    groups = [f"g{g}" for g in range(n_groups)]
    shares = rng.uniform(0.2, 1.0, n_groups)
    shares /= shares.sum()
    per_draw = table.n_rows // table.n_groups
    cells = np.tile(np.arange(per_draw) % n_groups, table.n_groups)
    totals = np.zeros((table.n_groups, n_groups))
    np.add.at(totals, (table.groups, cells), table.weights)
    weights = table.weights / totals[table.groups, cells] * shares[cells]
    table = replace(table, weights=weights)
    point = naive_group_support(table, cells, n_groups, every)[0]  # (groups, packages)
    whole = naive_support(table, every)[0]

    def cut(source: int) -> float:
        return _between(whole if source == WHOLE else point[source])

    def vote(label: str, sources, weights, needed, defect=()) -> Vote:
        members = tuple("whole" if s == WHOLE else groups[s] for s in sources)
        return Vote(label, members, tuple(sources), tuple(cut(s) for s in sources), tuple(weights), needed, defect)

    everyone = range(n_groups)
    national = vote("national", (WHOLE,), (1.0,), 1.0)
    if kind == "share_of_groups":
        votes = [national]
    elif kind == "every_group":
        votes = [vote("consent", everyone, [1.0] * n_groups, float(n_groups))]
    elif kind == "double_majority":
        votes = [national, vote("groups", everyone, [1.0] * n_groups, float(rng.integers(1, n_groups + 1)))]
    else:
        seats = rng.integers(1, 60, n_groups).astype(float)
        defect = tuple(rng.choice([0.0, 0.0, 0.1, 0.3], n_groups))
        base = float(seats @ np.asarray(defect))
        full = float(seats @ (1 - np.asarray(defect)))
        quota = float(rng.choice([0.5, 2 / 3, 0.6, 0.75])) * seats.sum()
        needed = min(max(quota, base + 0.5), full)
        votes = [vote("chamber", everyone, seats, needed, defect)]
        if kind == "steps":
            votes.append(national)
    return Public(name, name, table, Rule(tuple(votes), tuple(groups), tuple(shares)), cells=cells)


def naive_group_support(table: ScoreTable, cells: np.ndarray, n_groups: int, codes: np.ndarray, shift: float = 0.0):
    """(draws, groups, packages): each group's support per draw, one package and row at a time,
    its rows' link values weighted within the group."""
    offsets = np.concatenate([[0], np.cumsum(table.shape)[:-1]]).astype(int)
    phi = LINK_FUNCTIONS[table.link]
    total = np.zeros((table.n_groups, n_groups, len(codes)))
    weight = np.zeros((table.n_groups, n_groups))
    for r in range(table.n_rows):
        weight[table.groups[r], cells[r]] += table.weights[r]
    for m, package in enumerate(codes):
        for r in range(table.n_rows):
            score = (
                table.intercepts[r] + shift + sum(table.coefficients[r, offsets[k] + o] for k, o in enumerate(package))
            )
            for pair in table.pairs:
                score += pair.values[r, package[pair.first], package[pair.second]]
            total[table.groups[r], cells[r], m] += table.weights[r] * float(phi(np.array(score)))
    return total / weight[:, :, None]


def naive_rule(public: Public, codes: np.ndarray, shift: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """The public's rule by its definition: per draw and package, whether it passes (every vote's
    yes votes, counted member by member, reach what it needs) and its margin (per vote, the
    largest member margin m such that the members with margins at least m carry it; the
    smallest over the votes): two (draws, packages) arrays."""
    whole = naive_support(public.table, codes, shift)
    rule = public.rule
    groups = naive_group_support(public.table, public.cells, len(rule.groups), codes, shift) if rule.groups else None
    passes = np.ones(whole.shape, dtype=bool)
    margin = np.full(whole.shape, np.inf)
    for vote in rule.votes:
        total = sum(vote.weights)
        member = np.array(
            [(whole if s == WHOLE else groups[:, s]) - t for s, t in zip(vote.sources, vote.thresholds, strict=True)]
        )
        for d, m in itertools.product(range(whole.shape[0]), range(whole.shape[1])):
            margins = member[:, d, m]

            def carries(yes, vote=vote, total=total) -> bool:
                votes = sum(w * (1 - f) if y else w * f for w, f, y in zip(vote.weights, vote.defect, yes, strict=True))
                return votes >= vote.needed - 1e-9 * total

            passes[d, m] &= carries(margins >= -1e-9)
            margin[d, m] = min(margin[d, m], max(c for c in margins if carries(margins >= c)))
    return passes, margin


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
    """Every quantity by its definition (:func:`naive_support`, :func:`naive_rule`), without the
    engine's own evaluation."""
    shifts = problem.shifts if shifts is None else shifts
    support = [naive_support(p.table, codes, s) for p, s in zip(problem.publics, shifts, strict=True)]
    rules = [naive_rule(p, codes, s) for p, s in zip(problem.publics, shifts, strict=True)]
    utility = np.array([naive_support(n.table, codes)[0] for n in problem.negotiators]).reshape(
        len(problem.negotiators), len(codes)
    )
    m = len(codes)
    margin = np.array([r[1][0] for r in rules]).reshape(len(rules), m)
    probability = np.array([r[0][1:].mean(axis=0) if len(r[0]) > 1 else r[0][0] for r in rules]).reshape(len(rules), m)
    if problem.confidence is None:
        accept = np.array([r[0][0] for r in rules]).reshape(len(rules), m)
    else:
        accept = probability >= problem.confidence
    joint = margin[problem.binding].min(axis=0) if problem.binding.any() else np.zeros(m)
    reach = utility >= problem.floors[:, None]
    gain = utility - problem.reservations[:, None]
    return Quantities(support, utility, margin, probability, accept, gain, joint, reach, [r[1] for r in rules])


def in_joint_winset(problem: DealProblem, q: Quantities) -> np.ndarray:
    """The definition: every binding public accepts and every negotiator gains."""
    ok = q.accept[problem.binding].all(axis=0) & (q.gain >= 0).all(axis=0)
    return ok


def ranked(values: np.ndarray, codes: np.ndarray, problem: DealProblem, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k best (values, codes): highest value first, ties by package index."""
    order = np.lexsort((problem.space.encode(codes), -values))[:k]
    return values[order], codes[order]

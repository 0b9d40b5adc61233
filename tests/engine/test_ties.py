"""Ties: packages worth exactly a reservation value, supports exactly at a threshold.

Random scenarios whose negotiators weight some issues 0 (so many packages are worth exactly what
the status quo is worth) and whose reservations are the status quo or a sum of scores in decimals,
with publics whose support is a vote count or a linear probability on a lattice that thresholds
hit exactly. The reference is exact rational arithmetic on the scenario's own numbers; solve,
assess, the gap, the report's verdicts, the stage of simulated talks and the NegMAS bridge must
all agree with it, and with each other, on every package.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from winset.compile import deal_problem
from winset.engine.joint import describe
from winset.engine.problem import DealProblem
from winset.engine.repair import assess
from winset.engine.solution import solve
from winset.report.analysis import ratification_map
from winset.scenario import Scenario
from winset.scoretable import ScoreTable

negmas = pytest.importorskip("negmas")
from winset.negotiate.bridge import party_utilities
from winset.negotiate.stage import Stage

SCORES = ["0", "0.1", "0.2", "0.25", "0.3", "0.5", "1"]
WEIGHTS = ["0", "0", "0.5", "1", "2"]  # zero weights are common: packages tie on them


@st.composite
def tied_cases(draw):
    """A scenario (2 parties, 2-3 issues) and, per ratifier, integer score rows (Fractions) with
    its link, weights 1/rows and a threshold on the lattice the supports live on."""
    n_issues = draw(st.integers(2, 3))
    shape = draw(st.lists(st.integers(2, 3), min_size=n_issues, max_size=n_issues))
    issues = [{"id": f"i{k}", "options": [{"id": f"o{j}"} for j in range(n)]} for k, n in enumerate(shape)]
    status_quo = {f"i{k}": "o0" for k in range(n_issues)}
    constraints = []
    if draw(st.booleans()):
        constraints = [{"id": "c", "reason": "test", "forbid": {"i0": "o1", "i1": "o1"}}]
    parties, tables = [], {}
    for p in range(2):
        weights = {f"i{k}": float(draw(st.sampled_from(WEIGHTS))) for k in range(n_issues)}
        if not any(weights.values()):
            weights["i0"] = 1.0
        scores = {
            f"i{k}": {f"o{j}": float(draw(st.sampled_from(SCORES))) for j in range(n)} for k, n in enumerate(shape)
        }
        scores = {issue: table for issue, table in scores.items() if weights[issue] > 0}
        weights = {issue: w for issue, w in weights.items() if w > 0} | {
            issue: 0.0 for issue in weights if weights[issue] == 0
        }
        if draw(st.booleans()):
            reservation = "status_quo"
        else:  # a utility some package has, written in decimals: a tie the floats alone would break
            package = [draw(st.integers(0, n - 1)) for n in shape]
            reservation = float(
                sum(
                    Fraction(str(weights[f"i{k}"])) * Fraction(str(scores[f"i{k}"][f"o{c}"]))
                    for k, c in enumerate(package)
                    if f"i{k}" in scores
                )
            )
        ratifiers = []
        for r in range(draw(st.integers(1, 2))):
            rid = f"p{p}r{r}"
            rows = draw(st.sampled_from([1, 3, 5, 10]))
            link = draw(st.sampled_from(["step", "identity"]))
            span = 3 if link == "step" else 4
            coefficients = [[draw(st.integers(-span, span)) for _ in range(sum(shape))] for _ in range(rows)]
            intercepts = [draw(st.integers(-span, span)) for _ in range(rows)]
            if link == "step":  # vote counts: support k/rows, threshold k/rows
                threshold = Fraction(draw(st.integers(1, rows)), rows)
            else:  # mean score / 8 on a lattice of 1/(8 rows); thresholds on it, inside (0, 1]
                threshold = Fraction(draw(st.integers(1, 8 * rows)), 8 * rows)
            tables[rid] = (link, intercepts, coefficients, rows, threshold)
            ratifiers.append(
                {
                    "id": rid,
                    "required": r == 0 or draw(st.booleans()),
                    "rule": {"threshold": float(threshold)},
                    "data": {"polls": "none.csv"},
                }
            )
        parties.append(
            {
                "id": f"side{p}",
                "reservation": reservation,
                "utility": {"weights": weights, "scores": scores or {"i0": {"o0": 0.0}}},
                "ratifiers": ratifiers,
            }
        )
    document = {
        "scenario": {"id": "ties", "title": "Ties"},
        "issues": issues,
        "status_quo": status_quo,
        "constraints": constraints,
        "parties": parties,
    }
    return document, tables, shape


def build(document, tables, shape, tmp_path) -> tuple[Scenario, DealProblem]:
    (tmp_path / "none.csv").write_text("share,n\n")
    scenario = Scenario.from_dict(document, base_dir=tmp_path)
    compiled = {}
    for rid, (link, intercepts, coefficients, rows, _) in tables.items():
        scale = 1.0 if link == "step" else 1 / 8
        compiled[rid] = ScoreTable(
            tuple(shape),
            np.array(intercepts, dtype=float) * scale,
            np.array(coefficients, dtype=float) * scale,
            np.full(rows, 1.0 / rows),
            np.zeros(rows, dtype=np.int64),
            link,
        )
    include_optional = False
    return scenario, deal_problem(scenario, compiled, include_optional=include_optional)


def exact_reference(document, tables, shape, codes):
    """Per package, in rationals: each party's utility reaches its reservation; each ratifier's
    support meets its threshold."""
    offsets = np.concatenate([[0], np.cumsum(shape)[:-1]])
    sq = [0] * len(shape)
    reach, meets = {}, {}
    for party in document["parties"]:
        weights, scores = party["utility"]["weights"], party["utility"]["scores"]

        def utility(package, weights=weights, scores=scores):
            return sum(
                (
                    Fraction(str(weights[f"i{k}"])) * Fraction(str(scores[f"i{k}"][f"o{c}"]))
                    for k, c in enumerate(package)
                    if weights.get(f"i{k}", 0) and f"i{k}" in scores
                ),
                Fraction(0),
            )

        r = party["reservation"]
        reservation = utility(sq) if r == "status_quo" else Fraction(str(r))
        reach[party["id"]] = [utility(p) >= reservation for p in codes]
        for ratifier in party["ratifiers"]:
            link, intercepts, coefficients, rows, threshold = tables[ratifier["id"]]
            verdicts = []
            for package in codes:
                scores_ = [
                    intercepts[i] + sum(coefficients[i][offsets[k] + c] for k, c in enumerate(package))
                    for i in range(rows)
                ]
                if link == "step":
                    support = Fraction(sum(s > 0 for s in scores_), rows)
                else:
                    support = Fraction(sum(scores_), 8 * rows)
                verdicts.append(support >= threshold)
            meets[ratifier["id"]] = verdicts
    return reach, meets


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tied_cases())
def test_every_analysis_agrees_on_ties(tmp_path, case):
    document, tables, shape = case
    _, problem = build(document, tables, shape, tmp_path)
    space = problem.space
    everything = np.array(list(itertools.product(*[range(n) for n in shape])), dtype=np.int64)
    allowed = everything[space.is_valid(everything)]
    sq = np.array(space.status_quo)
    deal = (allowed != sq).any(axis=1)
    reach, meets = exact_reference(document, tables, shape, allowed.tolist())

    binding = {p.id for p, b in zip(problem.publics, problem.binding, strict=True) if b}
    by_party = {
        party["id"]: [r["id"] for r in party["ratifiers"] if r["id"] in binding] for party in document["parties"]
    }
    party_ok = {
        pid: np.array(reach[pid]) & np.all([meets[r] for r in rids], axis=0) if rids else np.array(reach[pid])
        for pid, rids in by_party.items()
    }
    expected = deal & np.all(list(party_ok.values()), axis=0)

    # the engine's own description, and solve's count and list, by both methods
    described = describe(problem, allowed)
    assert described["in_winset"].tolist() == expected.tolist()
    for method in ("enumerate", "search"):
        solution = solve(problem, top=len(allowed), method=method)
        assert solution.winset_size == int(expected.sum())
        found = {space.parse(p) for p in solution.best["package"]}
        assert found == {tuple(int(c) for c in p) for p in allowed[expected]}
        if expected.any():
            assert solution.gap is None
        else:  # the gap: its package passes at the shift, no deal passes below it
            gap = solution.gap
            if gap.package is not None:
                moved = problem.shifted(np.where(problem.binding, gap.shift, 0.0))
                assert describe(moved, np.array([gap.package]))["in_winset"].iloc[0]
                assert gap.package != tuple(space.status_quo)

    # assess, one package at a time: the same verdict as the reference, per public too
    for i, package in enumerate(allowed):
        result = assess(problem, package, repairs=0, method="enumerate")
        assert bool(result.table["in_winset"].iloc[0]) == bool(expected[i])
        for row in result.rules.to_dict(orient="records"):
            if deal[i]:
                assert row["passes"] == meets[row["public"]][i]
            else:
                assert row["passes"] is None  # the status quo: no verdict

    # the report's ratification map (the status quo among the packages, never in the win-set)
    if len(problem.publics) >= 2:
        drawn = ratification_map(problem, allowed)
        index = {tuple(p): k for k, p in enumerate(drawn.packages.tolist())}
        for i, package in enumerate(allowed.tolist()):
            assert bool(drawn.in_winset[index[tuple(package)]]) == bool(expected[i])

    # simulated talks' stage and the NegMAS bridge (strict: a package the party cannot ratify is
    # worth less than its reserved value)
    stage = Stage.build(problem)
    positions = [stage.position(stage.outcome(k)) for k in range(stage.size)]
    assert positions == list(range(stage.size))
    order = {tuple(c): k for k, c in enumerate(stage.codes.tolist())}
    joint = stage.joint_winset()
    assert [bool(joint[order[tuple(p)]]) for p in allowed.tolist()] == expected.tolist()
    ufuns = party_utilities(problem, "strict")
    for pid, ufun in ufuns.items():
        for i, package in enumerate(allowed.tolist()):
            outcome = tuple(space.option_ids[k][c] for k, c in enumerate(package))
            worth = ufun(outcome) >= ufun.reserved_value
            # the status quo needs no ratification: it is worth its utility
            assert worth == bool(party_ok[pid][i] if deal[i] else reach[pid][i]), (pid, package)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from([0.1, 0.2, 0.3, 0.7, 1 / 3, 0.0]), min_size=2, max_size=3), min_size=3, max_size=5
    ),
    st.randoms(use_true_random=False),
)
def test_utilities_are_exact_sums_by_any_route(values, rng):
    """A negotiator's utility is the same to the last bit by a matrix product over all packages,
    one package at a time, and as a plain sum of its parts in any order: equal utilities are equal,
    so ties go by package index and not by rounding."""
    from winset.engine.problem import Negotiator
    from winset.space import PackageSpace

    shape = tuple(len(v) for v in values)
    table = ScoreTable(
        shape,
        np.zeros(1),
        np.concatenate([np.array(v) for v in values])[None, :],
        np.ones(1),
        np.zeros(1, dtype=np.int64),
        "identity",
    )
    negotiator = Negotiator("n", table, 0.0)
    space = PackageSpace([(f"i{k}", [f"o{j}" for j in range(n)]) for k, n in enumerate(shape)])
    problem = DealProblem(space, (negotiator,), ())
    codes = np.vstack(list(space.iter_valid())).astype(np.int64)
    together = problem.utilities(codes)[0]
    parts = [negotiator.table.coefficients[0, negotiator.table.offsets[k] + codes[:, k]] for k in range(len(shape))]
    for i in range(len(codes)):
        alone = problem.utilities(codes[i : i + 1])[0, 0]
        terms = [float(p[i]) for p in parts]
        rng.shuffle(terms)
        assert together[i] == alone == sum(terms)

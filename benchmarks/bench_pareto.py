"""The Pareto frontier of linear-additive negotiators: winset against NegMAS, in one run.

Two negotiators value every option of every issue on [0, 1] and weigh the issues (random weights
summing to one), as NegMAS's `LinearAdditiveUtilityFunction` does; by default their values are
opposed (one minus the other's on every issue: what one side gains, the other gives up), which makes
for long frontiers (`--preferences independent` draws them apart). With more negotiators
(`--negotiators 3 4 5 6`, on 8 issues) every negotiator's values are drawn apart. On n issues x 5
options both tools compute the whole frontier:

* winset's `additive_frontier` merges issues one at a time, pruning each partial frontier with
  moocore's `is_nondominated` (nothing is enumerated);
* NegMAS 0.16's `negmas.preferences.ops.pareto_frontier` (every outcome enumerated and evaluated)
  on 8, 9 and 10 issues and for 3 to 6 negotiators, and its `MOBANOSParetoSampler` (issue by issue, with a quadratic
  dominance filter) on 20 issues, where enumeration is out of reach (9.5e13 outcomes).

The script prints, per size, both times (winset: best of --repeat runs; NegMAS: one run), their
ratio, the frontier's size, and whether the two frontiers hold the same utility vectors (to 1e-9).

    pip install -e '.[bench]'
    python benchmarks/bench_pareto.py [--sizes 8 9 10] [--mobanos 20] [--negotiators 3 4 5 6]
                                      [--repeat 3] [--seed 0] [--preferences opposed|independent]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from winset.engine.pareto import additive_frontier
from winset.engine.problem import DealProblem, Negotiator
from winset.scoretable import ScoreTable
from winset.space import PackageSpace

OPTIONS = 5


def preferences(n_issues: int, seed: int, kind: str, negotiators: int = 2) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per negotiator: (issue weights summing to one, option values (issues, options)).
    ``opposed`` (two negotiators): on every issue the second values the options as one minus the
    first does (what one side gains the other gives up, as over territory); ``independent``: values
    drawn apart."""
    rng = np.random.default_rng(seed)
    weights = [rng.uniform(0.1, 1.0, n_issues) for _ in range(negotiators)]
    values = [rng.uniform(0.0, 1.0, (n_issues, OPTIONS))]
    if kind == "opposed":
        values.append(1.0 - values[0])
    values += [rng.uniform(0.0, 1.0, (n_issues, OPTIONS)) for _ in range(negotiators - len(values))]
    return [(w / w.sum(), v) for w, v in zip(weights, values, strict=True)]


def winset_problem(prefs) -> DealProblem:
    n = len(prefs[0][0])
    space = PackageSpace([(f"i{k}", [f"o{j}" for j in range(OPTIONS)]) for k in range(n)])
    negotiators = tuple(
        Negotiator(
            f"n{i}",
            ScoreTable(
                (OPTIONS,) * n,
                np.zeros(1),
                (weights[:, None] * values).reshape(1, -1),
                np.ones(1),
                np.zeros(1, dtype=np.int64),
                "identity",
            ),
            0.0,
        )
        for i, (weights, values) in enumerate(prefs)
    )
    return DealProblem(space, negotiators, ())


def negmas_ufuns(prefs):
    from negmas.outcomes import make_issue
    from negmas.preferences import LinearAdditiveUtilityFunction

    n = len(prefs[0][0])
    issues = [make_issue(values=OPTIONS, name=f"i{k}") for k in range(n)]
    ufuns = [
        LinearAdditiveUtilityFunction(
            values=[{o: float(values[k, o]) for o in range(OPTIONS)} for k in range(n)],
            weights=[float(w) for w in weights],
            issues=issues,
        )
        for weights, values in prefs
    ]
    return issues, ufuns


def points(vectors, negotiators: int = 2) -> np.ndarray:
    """The frontier's utility vectors, sorted: (points, negotiators)."""
    found = np.array([[float(u) for u in vector] for vector in vectors]).reshape(-1, negotiators)
    return found[np.lexsort(found.T[::-1])]


def same_points(ours: np.ndarray, theirs: np.ndarray) -> bool:
    """Whether two frontiers hold the same pairs to 1e-9. Compared within a tolerance, not by
    rounding both to 9 decimals: two sums of the same utilities in another order can differ in the
    last bit and round apart (0.6529371825 against 0.65293718249999)."""
    return ours.shape == theirs.shape and bool(np.all(np.abs(ours - theirs) <= 1e-9))


def best_of(repeat: int, function):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[8, 9, 10])
    parser.add_argument("--mobanos", type=int, nargs="*", default=[20])
    parser.add_argument("--negotiators", type=int, nargs="*", default=[3, 4, 5, 6])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--preferences", choices=["opposed", "independent"], default="opposed")
    args = parser.parse_args()
    from negmas.preferences.ops import pareto_frontier
    from negmas.preferences.pareto_sampler.mobanos import MOBANOSParetoSampler

    print(
        f"{'space':>8} {'outcomes':>10} {'sides':>5} {'peer':>22} {'points':>7} {'winset s':>10} {'peer s':>9} "
        f"{'ratio':>8}  same"
    )
    runs = (
        [(n, 2, "pareto_frontier") for n in args.sizes]
        + [(n, 2, "MOBANOSParetoSampler") for n in args.mobanos]
        + [(8, m, "pareto_frontier") for m in args.negotiators]
    )
    for n, m, peer in runs:
        prefs = preferences(n, args.seed + n + 100 * (m - 2), args.preferences if m == 2 else "independent", m)
        problem = winset_problem(prefs)
        ours, frontier = best_of(args.repeat, lambda problem=problem: additive_frontier(problem))
        issues, ufuns = negmas_ufuns(prefs)
        start = time.perf_counter()
        if peer == "pareto_frontier":
            utilities, _ = pareto_frontier(ufuns, issues=issues)
            theirs_points = points(utilities, m)
        else:
            sampler = MOBANOSParetoSampler()
            sampler.init(ufuns[0], ufuns[1])
            outcomes = sampler.pareto_outcomes()
            theirs_points = points((ufuns[0](o), ufuns[1](o)) for o in outcomes)
        theirs = time.perf_counter() - start
        same = same_points(points(frontier.utilities, m), theirs_points)
        print(
            f"{n:>3} x {OPTIONS} {OPTIONS**n:>10.2e} {m:>5} {peer:>22} {len(frontier):>7} {ours:>10.4f} "
            f"{theirs:>9.2f} {theirs / ours:>7.0f}x  {'yes' if same else 'NO'}"
        )


if __name__ == "__main__":
    main()

"""The best package of 2.4e8 under a double majority over 10 groups: branch and bound against brute force.

The instance is ``bench_search``'s: two publics of 2,000 simulated people each, 12 issues x 5
options, a contested dispute (what one side wants the other mostly rejects), people deviating
from their public's mean effects by ``--spread``. Each public is split into 10 groups (regions,
cantons) of 200 people, with population shares drawn at random (Dirichlet, all 10 equal to 1),
and ratifies by a double majority: at least 50% of the whole public, and at least 50% in at least
6 of its 10 groups. The question is the package with the best smallest rule margin over the two
publics (the smallest uniform change of support that would flip a rule), exactly.

* winset: ``Search.maximize`` (branch and bound) under the double majority, and under the plain
  50% share for comparison.
* Brute force: every package evaluated, vectorised (``DealProblem.evaluate`` in chunks). At 12
  issues that takes many hours, so it is timed on a random sample and extrapolated; the answer is
  checked in full on the first 9 issues (the other 3 fixed at their first option; 2 million
  packages), where both are run.

    python benchmarks/bench_rules.py [--spread 0.34] [--rows 2000] [--groups 10] [--needed 6] [--seed 7]
"""

from __future__ import annotations

import argparse
from dataclasses import replace

import numpy as np
from bench_search import against_brute_force, instance, winset_best

from winset.engine.problem import DealProblem, Public
from winset.engine.rules import WHOLE, Rule, Vote


def double_majority(problem: DealProblem, groups: int, needed: int, seed: int) -> DealProblem:
    """Every public split into ``groups`` equal groups of its rows, weighted by random population
    shares, under a double majority (50% of all, and 50% in ``needed`` of the groups)."""
    rng = np.random.default_rng(seed + 1)
    publics = []
    for public in problem.publics:
        table = public.table
        cells = np.arange(table.n_rows) % groups
        shares = rng.dirichlet(np.ones(groups))
        weights = shares[cells] / np.bincount(cells, minlength=groups)[cells]
        names = tuple(f"g{g}" for g in range(groups))
        votes = (
            Vote("national", ("whole public",), (WHOLE,), (0.5,), (1.0,), 1.0),
            Vote("groups", names, tuple(range(groups)), (0.5,) * groups, (1.0,) * groups, float(needed)),
        )
        rule = Rule(votes, names, tuple(float(s) for s in shares))
        publics.append(Public(public.id, public.party, replace(table, weights=weights), rule, cells=cells))
    return replace(problem, publics=tuple(publics))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spread", type=float, nargs="*", default=[0.34])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--groups", type=int, default=10)
    parser.add_argument("--needed", type=int, default=6)
    parser.add_argument("--sample", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    for spread in args.spread:
        print(
            f"\nspread {spread}, {args.rows} rows per public in {args.groups} groups; "
            f"rule: 50% of all and 50% in {args.needed} of {args.groups} groups"
        )
        share = instance(args.rows, spread, args.seed)
        problem = double_majority(share, args.groups, args.needed, args.seed)
        seconds, value, codes = winset_best(problem)
        print(f"  winset branch and bound, 12 x 5:      {seconds:8.2f} s   best smallest margin {value:.6f}  {codes}")
        share_seconds, share_value, _ = winset_best(share)
        print(
            f"  the same under a plain 50% share:     {share_seconds:8.2f} s   best smallest margin {share_value:.6f}"
        )
        small = double_majority(instance(args.rows, spread, args.seed, issues=9), args.groups, args.needed, args.seed)
        against_brute_force(problem, small, seconds, value, args)


if __name__ == "__main__":
    main()

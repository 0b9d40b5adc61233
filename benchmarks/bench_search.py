"""The best ratifiable package of 2.4e8: winset's branch and bound against brute force and HiGHS.

Two publics of 2,000 simulated people each judge packages of 12 issues x 5 options (244 million
packages). Person r of public i supports package P with probability logistic(a_r + sum_k B_r[k,
P_k]). The instance is a contested dispute, as the worked example is: the first public's mean
option effects are drawn N(0, 0.3), the second's are -0.9 times them plus N(0, 0.2) noise (what one
side wants the other mostly rejects), intercepts N(-1, 0.5), so that the best package clears both
publics' 50% by about two points only. Every person deviates from their public's mean effects by
N(0, sd); ``--spread`` sets sd as a multiple of the mean absolute effect. 0.34 is what the mixed
logit fitted to the worked example's simulated Japanese survey gives (mean SD / mean |effect|);
1.19 is what the same model fitted to the real immigration conjoint gives. The question is the
package with the best smallest support margin (support - 50%) over the two publics, exactly.

* winset: the engine's branch and bound (``engine.distributed.best_packages``, method "search"), on
  both cores, and on one thread.
* Brute force: every package evaluated, vectorised (``DealProblem.evaluate`` in chunks). At 12
  issues that takes many hours, so it is timed on a random sample and extrapolated; its answer is
  checked in full on the first 9 issues (the other 3 fixed at their first option; 2 million
  packages).
* HiGHS (``scipy.optimize.milp``): a mixed-integer programme is exact only for a linear model, so
  it gets the same people voting yes exactly when their score is positive (winset's ``step``
  link): one binary per option and per person, big-M constraints tying each vote to the package,
  and ``--milp-limit`` seconds. winset solves that problem too, and both answers are compared.

    python benchmarks/bench_search.py [--spread 0.34 1.19] [--rows 2000] [--milp-limit 600] [--seed 7]

Where winset's time goes (cProfile of the 12 x 5 search at spread 1.19, one core, 8.5 s): 31,960
partial packages bounded, 30,682 of them with the joint linear bound. The compiled logistic lines
(``engine.line_kernels``) 4.2 s in 4,394 calls, about 21 ns per row and node; the rows' assigned
scores (``TableBounds.partial``) 0.8 s; the lines' matrix product with the coefficients 0.5 s; the
row score bounds 0.35 s; combining the two publics over the lambda grid 0.4 s; the float32 screens
0.4 s. The bound is the looser part: at depth 6 of the search the best smallest margin over the
lines' completions is 0.08 to 0.1 above the true best of the node's completions, while the dual
over lambda adds only about 0.005 to that.

On both cores the searches of the first partial packages run on two threads sharing one
incumbent: 1.6x to 1.8x faster at spread 1.19 (3.7 to 5.4 s against 6.8 to 8.7 s on one thread, in
runs on different days), 1.2x to 1.5x at 0.34 (0.69 to 0.82 s against 1.0 s). Before the compiled
kernels released the interpreter, two threads gained 1.1x (9.0 s against 9.4 s): the rest of the
per-node work is numpy calls on arrays of a few thousand rows, between which the threads take
turns. The step link takes 12.1 s at spread 0.34 (12.7 s on one thread) and 69 s at 1.19 (129 s).
Its profile at 0.34 (one thread, cProfile 16.8 s, 12,944 nodes bounded): the compiled step lines
3.1 s, the compiled count of each node's completions voting yes (``step_counts``, one pass over
the rows where a group's rows share a weight, instead of 0/1 votes summed in numpy) 2.7 s, the
leaves' exact scores 2.1 s, the rows' assigned scores 2.0 s and their bounds 1.5 s. The nodes,
not the arithmetic, are what is slow: a line above a step is far looser than a line above the
logistic, since a row whose score interval over the node's completions straddles zero gets a line
rising from no vote to a whole one across that interval, and so counts part of a vote at every
completion where it votes no. The search calls its line kernel 12,944 times against 1,396 times
with the logistic on the same instance.

Why the node count does not come down by tuning (same instance, spread 1.19, 12 x 5): the
partial packages bounded at depths 1 to 9 are 5, 25, 125, 621, 2,840, 7,873, 10,881, 5,857 and
2,455, so nothing is cut before depth 4. Seeding the search with the optimum as its incumbent
takes the 30,682 bounds to 28,835: the incumbent is found early and the nodes come from the bound.
One round of lines bounds 53,600 nodes, two 31,300, three 30,700, five 30,600 (the time is least at
two or three rounds); 17, 33 or 65 values of lambda change the count by under 7%. A tighter bound
tried and not kept: Jensen's inequality over a convex function above the logistic that touches it
at each row's reference score gives a bound additive over the issues, exact at the reference
(where the lines are not, for rows whose score interval crosses the logistic's convex part). It
halves the gap to the truth at depth 6 and bounds 1.9 times fewer nodes on 10 issues (3,347
against 6,285, same answer), but needs an exponential for every row and option instead of one per
row: about 30 times the arithmetic per node, so slower however it is compiled. The same idea for
the step link cut only 12% of the nodes (4,874 against 5,506, 10 issues, spread 0.34).

    python benchmarks/bench_search.py --spread 1.19 --growth 8 10 12 13

times winset alone as the number of issues grows (above 12, each size is a fresh draw of the same
kind of instance).
"""

from __future__ import annotations

import argparse
import time
from unittest.mock import patch

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array, hstack, vstack

from winset.engine import criteria, enumeration
from winset.engine.distributed import best_packages
from winset.engine.problem import DealProblem, Public
from winset.engine.rules import Rule
from winset.scoretable import ScoreTable
from winset.space import PackageSpace

ISSUES, OPTIONS = 12, 5
MEAN_SD, OPPOSITION, NOISE, INTERCEPT = 0.3, 0.9, 0.2, -1.0  # a contested dispute: see the module docstring


def instance(rows: int, spread: float, seed: int, link: str = "logistic", issues: int = ISSUES) -> DealProblem:
    """The instance of the module docstring over ``issues`` issues: below 12, the 12-issue instance
    with the later issues fixed at their first option; above 12, a fresh draw of as many issues."""
    drawn = max(issues, ISSUES)
    rng = np.random.default_rng(seed)
    mean_a = rng.normal(0, MEAN_SD, (drawn, OPTIONS))
    mean_b = -OPPOSITION * mean_a + rng.normal(0, NOISE, (drawn, OPTIONS))
    sd = spread * np.abs(np.concatenate([mean_a, mean_b])).mean()
    publics = []
    for name, mean in (("a", mean_a), ("b", mean_b)):
        coefficients = mean.reshape(-1)[None, :] + rng.normal(0, sd, (rows, drawn * OPTIONS))
        intercepts = rng.normal(INTERCEPT, 0.5, rows)
        if issues < ISSUES:  # the later issues fixed at their first option
            intercepts = intercepts + coefficients[:, issues * OPTIONS :: OPTIONS].sum(axis=1)
            coefficients = coefficients[:, : issues * OPTIONS]
        table = ScoreTable(
            (OPTIONS,) * issues,
            intercepts,
            coefficients,
            np.full(rows, 1.0 / rows),
            np.zeros(rows, dtype=np.int64),
            link,
        )
        publics.append(Public(name, name, table, Rule.share(0.5)))
    space = PackageSpace([(f"i{k}", [f"o{j}" for j in range(OPTIONS)]) for k in range(issues)])
    return DealProblem(space, (), tuple(publics))


def winset_best(problem: DealProblem, threads: int | None = None) -> tuple[float, float, tuple[int, ...]]:
    """winset's best package as the engine finds it (on one thread per core, or ``threads``)."""
    start = time.perf_counter()
    with patch.object(enumeration, "THREADS", threads):
        found = best_packages(problem, criteria.min_margin(problem), criteria.anything(problem), 1, "search")
    return time.perf_counter() - start, found[0].value, found[0].codes


def brute_force(problem: DealProblem, sample: int | None, seed: int) -> tuple[float, float, tuple[int, ...]]:
    """Every package (or a random sample of ``sample``), evaluated in chunks: (seconds, best
    smallest margin, its package)."""
    size = problem.space.size
    rng = np.random.default_rng(seed)
    indices = np.arange(size) if sample is None else rng.choice(size, sample, replace=False)
    best, best_codes = -np.inf, None
    start = time.perf_counter()
    for first in range(0, len(indices), 2048):
        codes = problem.space.decode(indices[first : first + 2048]).astype(np.int64)
        margin = problem.evaluate(codes).joint_margin
        j = int(np.argmax(margin))
        if margin[j] > best:
            best, best_codes = float(margin[j]), tuple(int(c) for c in codes[j])
    return time.perf_counter() - start, best, best_codes


def against_brute_force(
    problem: DealProblem, small: DealProblem, seconds: float, value: float, args: argparse.Namespace
) -> None:
    """Brute force on ``problem`` projected from a sample of ``args.sample`` packages (winset took
    ``seconds`` and found ``value``), and run whole on ``small`` (9 issues) beside winset."""
    sample_seconds, sample_best, _ = brute_force(problem, args.sample, args.seed)
    projected = sample_seconds / args.sample * problem.space.size
    print(
        f"  brute force, 12 x 5 (projected from {args.sample:,} packages in {sample_seconds:.1f} s): "
        f"{projected:8.0f} s = {projected / 3600:.1f} h   ratio {projected / seconds:,.0f}x"
    )
    print(f"    (best of the sample {sample_best:.6f} <= winset's {value:.6f}: {sample_best <= value + 1e-12})")
    small_seconds, small_value, small_codes = winset_best(small)
    brute_seconds, brute_value, brute_codes = brute_force(small, None, args.seed)
    same = small_codes == brute_codes and abs(small_value - brute_value) < 1e-12
    print(
        f"  9 x 5 check: winset {small_seconds:.2f} s, brute force {brute_seconds:.1f} s "
        f"(ratio {brute_seconds / small_seconds:,.0f}x); same package and margin: {'yes' if same else 'NO'}"
    )


def highs_best(problem: DealProblem, time_limit: float) -> tuple[float, float | None, float, str]:
    """The step-link problem as a MILP: (seconds, exact smallest margin of the package HiGHS
    returns, its dual bound, status)."""
    n_x = ISSUES * OPTIONS
    rows = [p.table for p in problem.publics]
    n_y = sum(t.n_rows for t in rows)
    # variables: x (options), y (votes, public by public), t (smallest margin)
    c = np.zeros(n_x + n_y + 1)
    c[-1] = -1.0
    one_option = csr_array(np.kron(np.eye(ISSUES), np.ones(OPTIONS)))
    blocks, lower, upper = [hstack([one_option, csr_array((ISSUES, n_y + 1))])], [np.ones(ISSUES)], [np.ones(ISSUES)]
    epsilon = 1e-6
    offset = 0
    for public, table in zip(problem.publics, rows, strict=True):
        r = table.n_rows
        lowest = table.intercepts + table.coefficients.reshape(r, ISSUES, OPTIONS).min(axis=2).sum(axis=1)
        big = epsilon - lowest  # y = 1 forces a + B x >= epsilon
        y = csr_array((-big, (np.arange(r), offset + np.arange(r))), shape=(r, n_y))
        blocks.append(hstack([csr_array(table.coefficients), y, csr_array((r, 1))]))
        lower.append(epsilon - table.intercepts - big)
        upper.append(np.full(r, np.inf))
        # t <= sum_r w_r y_r - threshold
        share = np.zeros((1, n_y))
        share[0, offset : offset + r] = -table.weights
        blocks.append(hstack([csr_array((1, n_x)), csr_array(share), csr_array(np.ones((1, 1)))]))
        lower.append(np.array([-np.inf]))
        upper.append(np.array([-public.threshold]))
        offset += r
    constraints = LinearConstraint(vstack(blocks), np.concatenate(lower), np.concatenate(upper))
    integrality = np.concatenate([np.ones(n_x + n_y), [0]])
    bounds = Bounds(np.concatenate([np.zeros(n_x + n_y), [-1.0]]), np.concatenate([np.ones(n_x + n_y), [1.0]]))
    start = time.perf_counter()
    result = milp(
        c, integrality=integrality, bounds=bounds, constraints=constraints, options={"time_limit": time_limit}
    )
    seconds = time.perf_counter() - start
    if result.x is None:
        return seconds, None, -result.get("mip_dual_bound", np.nan), result.message
    codes = result.x[:n_x].reshape(ISSUES, OPTIONS).argmax(axis=1)
    exact = float(problem.evaluate(codes[None, :]).joint_margin[0])
    return seconds, exact, -result.mip_dual_bound, result.message


def growth(args: argparse.Namespace) -> None:
    """winset's search time by the number of issues, and its growth per added issue."""
    spread = args.spread[0]
    print(f"spread {spread}, {args.rows} rows per public: winset branch and bound by the number of issues")
    winset_best(instance(args.rows, spread, args.seed, issues=6))  # the compiled kernels are built here, untimed
    previous = None
    for issues in args.growth:
        problem = instance(args.rows, spread, args.seed, issues=issues)
        seconds, value, _ = winset_best(problem)
        sample = min(20_000, problem.space.size)
        _, sample_best, _ = brute_force(problem, sample, args.seed)  # a check: no sampled package is better
        step = (
            "" if previous is None else f"   x{(seconds / previous[1]) ** (1 / (issues - previous[0])):.2f} per issue"
        )
        print(
            f"  {issues:2d} x 5 ({problem.space.size:.1e} packages): {seconds:8.2f} s   best smallest margin {value:.6f} "
            f"(best of {sample:,} sampled {sample_best:.6f}, not better: {'yes' if sample_best <= value + 1e-12 else 'NO'}){step}"
        )
        previous = (issues, seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spread", type=float, nargs="*", default=[0.34, 1.19])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--sample", type=int, default=100_000)
    parser.add_argument("--milp-limit", type=float, default=600.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--growth",
        type=int,
        nargs="*",
        default=[],
        help="only time winset's search at the first spread for these numbers of issues (5 options each)",
    )
    args = parser.parse_args()
    if args.growth:
        if min(args.growth) < 1:
            parser.error("--growth: give numbers of issues of at least 1")
        growth(args)
        return
    for link in ("logistic", "step"):  # the compiled kernels are loaded here, untimed
        winset_best(instance(args.rows, 0.34, args.seed, link=link, issues=6))
    for spread in args.spread:
        print(f"\nspread {spread} (individual sd / mean absolute effect), {args.rows} rows per public")
        problem = instance(args.rows, spread, args.seed)
        seconds, value, codes = winset_best(problem)
        print(f"  winset branch and bound, 12 x 5:   {seconds:8.2f} s   best smallest margin {value:.6f}  {codes}")
        one_seconds, one_value, one_codes = winset_best(problem, threads=1)
        same = one_codes == codes and abs(one_value - value) < 1e-12
        print(
            f"    on one thread: {one_seconds:.2f} s (ratio {one_seconds / seconds:.2f}x); "
            f"same package and margin: {'yes' if same else 'NO'}"
        )
        against_brute_force(problem, instance(args.rows, spread, args.seed, issues=9), seconds, value, args)
        step = instance(args.rows, spread, args.seed, link="step")
        step_seconds, step_value, _ = winset_best(step)
        highs_seconds, highs_value, highs_bound, status = highs_best(step, args.milp_limit)
        one_step_seconds, _, _ = winset_best(step, threads=1)
        print(
            f"  step link (votes): winset {step_seconds:.2f} s ({one_step_seconds:.2f} s on one thread), "
            f"best smallest margin {step_value:.6f}"
        )
        found = "none" if highs_value is None else f"{highs_value:.6f}"
        verdict = (
            f"ratio {highs_seconds / step_seconds:,.1f}x; same margin: {abs(highs_value - step_value) < 1e-9}"
            if "Optimal" in status and highs_value is not None
            else "not proven optimal in the time allowed"
        )
        print(
            f"    HiGHS {highs_seconds:.1f} s: best package found has margin {found}, "
            f"upper bound {highs_bound:.6f}; {verdict}"
        )


if __name__ == "__main__":
    main()

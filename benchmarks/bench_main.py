"""The main job on the worked example, part by part, each against the way winset did it before.

The Kuril scenario with 200 bootstrap draws (three publics; 34,478 deals; the Japanese public's
table holds 21,000 rows, a hundred simulated people per draw):

* **fit**: the three ratifiers fitted side by side (one thread per core, the slowest kind of fit
  first, BLAS held to one thread) against one after another on one thread; the same fits to the
  last bit (checked).
* **logit bootstraps**: the two binary ratifiers (the Russian public, two regions, and the
  islanders) fitted with their 200 bootstrap resamples all at once (``refit_draws``) against one
  resample at a time (``refit``); the largest difference in their tables' coefficients.
* **solve at the estimate** and **solve at --confidence 0.9**: ``engine.solve`` as ``winset solve``
  runs it (enumeration), at 0.9 against the same on one thread (``engine.enumeration.THREADS``),
  and against the votes' margins counted by sorting the members (``Rule.explain``) instead of
  taken from their winning coalitions (``Rule.margins``); the same solution (checked).
* **the gap at --confidence 0.9**: each package's needed shift from its draws' own (the k-th
  smallest) against the bisection over whole searches it replaced (``method='search'``, which
  still bisects); the same shift to 1e-6 (checked) and the same package.
* **report**: the analysis and the page, as ``winset demo`` writes them after fitting.

Where the time goes (idle, 2 cores): of the fit's 3 s, the Japanese public's mixed logit is about
2.2 s (122 evaluations of its simulated likelihood, 1,600 respondents x 100 draws, in blocks of 256
respondents on both cores, 15 to 18 ms each), the Russian public's 0.8 s and the islanders' 0.2 s;
the likelihood's blocks already use both cores, so fitting side by side gains nothing over one by
one. Of the Russian fit, its resamples' Newton fits take 0.5 s (three steps, each with one matrix
product of the 15,000 distinct rows' 325 column pairs with the 200 resamples' weights, about 20
ms), the rest the per-draw tables and parameters. The solve at 0.9 (2.4 s) is mostly scoring packages
against the draws of the Japanese public's 21,000 rows (``package_scores`` and the float32
logistic): counting each public's win-set, the recommendations (the likeliest package needs every
draw) and the gap.

Both sides of each comparison run in this process, one after the other; the script prints both
times and their ratio.

    python benchmarks/bench_main.py [--draws 200] [--seed 0]
"""

from __future__ import annotations

import argparse
import time
from unittest.mock import patch

import numpy as np
from threadpoolctl import threadpool_limits

from winset import load_scenario
from winset.compile import deal_problem
from winset.engine import enumeration
from winset.engine.gap import ratification_gap
from winset.engine.rules import Rule
from winset.engine.solution import solve
from winset.report import html
from winset.report.analysis import analyse
from winset.scenarios import bundled_path
from winset.support import BinarySupportModel, fit_scenario
from winset.support.fit import fit_ratifier


def timed(function):
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def line(name: str, ours: float, theirs: float | None = None, note: str = "") -> None:
    against = f"{theirs:9.2f} s {theirs / ours:6.1f}x" if theirs is not None else " " * 19
    print(f"{name:<34} {ours:8.2f} s {against}  {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    scenario = load_scenario(bundled_path("kuril"))
    print(f"{'part':<34} {'winset':>10} {'before':>11} {'ratio':>6}")

    fit_s, fits = timed(lambda: fit_scenario(scenario, args.draws, args.seed))
    with threadpool_limits(1, user_api="blas"):
        alone_s, alone = timed(lambda: fit_scenario(scenario, args.draws, args.seed, workers=1))
    same = all((fits[r].table.coefficients == alone[r].table.coefficients).all() for r in fits)
    line("fit, side by side / one by one", fit_s, alone_s, f"same fits: {'yes' if same else 'NO'}")

    binary = [(party, r) for party, r in scenario.ratifiers if r.data.survey is not None and r.data.model == "binary"]

    def binary_fits():
        return [fit_ratifier(scenario, party, r, args.draws, args.seed, None) for party, r in binary]

    with threadpool_limits(1, user_api="blas"):
        binary_fits()  # once untimed
        together_s, together = timed(binary_fits)
        with patch.object(BinarySupportModel, "refit_draws", lambda model, weights: [model.refit(w) for w in weights]):
            apart_s, apart = timed(binary_fits)
    gap = max(
        float(np.max(np.abs(a.table.coefficients - b.table.coefficients))) for a, b in zip(together, apart, strict=True)
    )
    line("logit bootstraps, at once / one by one", together_s, apart_s, f"largest difference {gap:.1e}")

    point = deal_problem(scenario, fits)
    solve(point, method="enumerate")  # once untimed: the tables' cached layouts, lazy imports
    solve_s, _ = timed(lambda: solve(point, method="enumerate"))
    line("solve at the estimate", solve_s)
    confident = deal_problem(scenario, fits, confidence=0.9)
    confident_s, both = timed(lambda: solve(confident, method="enumerate"))
    with patch.object(enumeration, "THREADS", 1):
        one_s, one = timed(lambda: solve(confident, method="enumerate"))
    same = both.summary() == one.summary() and both.best.equals(one.best)
    line("solve at 0.9, both cores / one", confident_s, one_s, f"same solution: {'yes' if same else 'NO'}")
    with patch.object(Rule, "margins", lambda rule, support: rule.explain(support)[0]):
        sorted_s, by_sorting = timed(lambda: solve(confident, method="enumerate"))
    same = both.summary() == by_sorting.summary() and both.best.equals(by_sorting.best)
    line("solve at 0.9, coalitions / sorted", confident_s, sorted_s, f"same solution: {'yes' if same else 'NO'}")
    gap_s, gap = timed(lambda: ratification_gap(confident, "enumerate"))
    bisect_s, bisected = timed(lambda: ratification_gap(confident, "search"))
    same = abs(gap.shift - bisected.shift) <= 1e-6 and gap.package == bisected.package
    line(
        "gap at 0.9: draws' shifts / bisection",
        gap_s,
        bisect_s,
        f"shift {gap.shift:.6f} against {bisected.shift:.6f}, same package: {'yes' if same else 'NO'}",
    )
    report_s, _ = timed(lambda: html.render(analyse(scenario, fits, seed=args.seed)))
    line("report (analysis and page)", report_s)


if __name__ == "__main__":
    main()

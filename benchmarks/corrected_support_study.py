"""Corrected-support study: does support corrected for answer error recover the truth?

Respondents of the worked example's Russian public (its truth model: random intercepts and
effects, a sample skewed from the population on age, sex and region) answer yes or no to each
profile; every answer is flipped with probability tau, and task 1 is asked again with its profiles
swapped (tau 0: no error, the models' own fit to these respondents). Each survey is fitted by ``fit_ratifier`` as ``winset fit`` fits it (raked to the
population, post-stratified by region, bootstrapped; without calibration to the polls, which
would move the level), and the support of random valid packages, as measured and as corrected,
is set against the truth's exact population support.

    python benchmarks/corrected_support_study.py [--replications 40] [--packages 20] [--draws 100] [--respondents 1600] [--taus 0.0,0.1,0.2]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from winset import load_scenario
from winset.defaults import INTERVAL
from winset.examples.kuril import profiles, russian_public
from winset.scenarios import bundled_path
from winset.space import random_packages
from winset.support.fit import fit_ratifier, survey_data


def study(tau: float, replications: int, n_packages: int, draws: int, n: int, seed: int = 0) -> dict[str, np.ndarray]:
    scenario = load_scenario(bundled_path("kuril"))
    party, public = next((p, r) for p, r in scenario.ratifiers if r.id == "russian_public")
    public = public.model_copy(
        update={"calibration": [], "data": public.data.model_copy(update={"repeated": "repeats", "survey": None})}
    )
    truth, _ = russian_public(scenario.space)
    packages = random_packages(scenario.space, n_packages, seed=seed)
    true = truth.support(packages)
    found: dict[str, list] = {"measured": [], "corrected": [], "covered_measured": [], "covered_corrected": []}
    for r in range(replications):
        frame = truth.simulate(
            n, 8, optout=False, seed=seed + 101 * r, profiles=profiles(scenario.space), response_error=tau, repeat=1
        )
        fit = fit_ratifier(scenario, party, public, draws, seed + r, data=survey_data(scenario, public, frame))
        assert fit.response_error is not None
        measured, corrected = fit.response_error.support(packages)
        for name, values in (("measured", measured), ("corrected", corrected)):
            usable = values[1:][~np.isnan(values[1:, 0])]
            lower, upper = np.quantile(usable, INTERVAL, axis=0)
            found[name].append(values[0])
            found[f"covered_{name}"].append((true >= lower) & (true <= upper))
    out = {name: np.array(values) for name, values in found.items()}
    out["true"] = true
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=40)
    parser.add_argument("--packages", type=int, default=20)
    parser.add_argument("--draws", type=int, default=100)
    parser.add_argument("--respondents", type=int, default=1600)
    parser.add_argument("--taus", default="0.0,0.1,0.2", help="the flip rates, comma-separated")
    args = parser.parse_args()
    print(
        f"{args.replications} replications x {args.packages} packages, {args.respondents} respondents "
        f"(8 tasks and one repeated), {args.draws} draws; bias in points of support, largest over the packages"
    )
    print(f"{'tau':>5} {'estimate':>10} {'mean |bias|':>12} {'max |bias|':>11} {'max |z|':>8} {'90% coverage':>13}")
    for tau in (float(t) for t in args.taus.split(",")):
        start = time.perf_counter()
        out = study(tau, args.replications, args.packages, args.draws, args.respondents)
        for name in ("measured", "corrected"):
            values = out[name]
            bias = values.mean(axis=0) - out["true"]
            z = bias / (values.std(axis=0, ddof=1) / np.sqrt(len(values)))
            print(
                f"{tau:>5.1f} {name:>10} {100 * np.abs(bias).mean():>12.2f} {100 * np.abs(bias).max():>11.2f} "
                f"{np.abs(z).max():>8.1f} {out[f'covered_{name}'].mean():>13.1%}"
            )
        print(f"      ({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()

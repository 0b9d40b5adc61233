"""AMCEs on 3.2 million rows: winset against statsmodels, in one run on the same machine.

The taxes conjoint (cregg's `taxes`, 32,000 rows) is replicated 100 times with respondent ids made
distinct: 3.2 million profiles from 200,000 respondents, seven features, 25 effects. Both tools fit
the same model with respondent-clustered standard errors in the same convention (Stata CR1, which
is statsmodels' default and cjoint's), from the same data frame with categorical feature columns.
statsmodels runs twice, the way users call it: the formula API, and the array API with
`pandas.get_dummies`. The script prints both times and peak memory (tracemalloc: the largest
amount allocated during the call), the ratios against the faster statsmodels path, and the largest
difference between the two tools' estimates and standard errors.

    python benchmarks/bench_amce.py [--replications 100] [--repeat 3] [--data PATH]
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

from winset.conjoint import amce

FEATURES = ["taxrate1", "taxrate2", "taxrate3", "taxrate4", "taxrate5", "taxrate6", "taxrev"]
BASELINES = {
    "taxrate1": "<10k: 0%",
    "taxrate2": "10-35k: 5%",
    "taxrate3": "35-85k: 5%",
    "taxrate4": "85-175k: 5%",
    "taxrate5": "175-375k: 5%",
    "taxrate6": ">375k: 5%",
    "taxrev": "<75%",
}
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "conjoint" / "taxes.csv"


def replicate(path: Path, replications: int) -> pd.DataFrame:
    taxes = pd.read_csv(path)
    big = pd.concat([taxes] * replications, ignore_index=True)
    ids = pd.factorize(taxes["ID"])[0]
    big["ID"] = np.repeat(np.arange(replications), len(taxes)) * (ids.max() + 1) + np.tile(ids, replications)
    for feature in FEATURES:
        levels = [BASELINES[feature], *sorted(set(taxes[feature]) - {BASELINES[feature]})]
        big[feature] = pd.Categorical(big[feature], categories=levels)
    return big[["chose_plan", "ID", *FEATURES]]


def measure(call, repeat: int):
    """Best wall time over `repeat` untraced calls, and the peak memory allocated during one more
    call under tracemalloc (which slows allocation, so it is timed apart)."""
    gc.collect()
    tracemalloc.start()
    result = call()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = call()
        best = min(best, time.perf_counter() - start)
    return result, best, peak


def winset_fit(big: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    table = amce(big, "chose_plan", FEATURES, id="ID", convention="cjoint")
    table = table[table["std_error"].notna()]
    return table["estimate"].to_numpy(), table["std_error"].to_numpy()


def statsmodels_formula(big: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    import statsmodels.formula.api as smf

    fit = smf.ols("chose_plan ~ " + " + ".join(FEATURES), data=big).fit(
        cov_type="cluster", cov_kwds={"groups": big["ID"].to_numpy()}
    )
    return fit.params.to_numpy()[1:], fit.bse.to_numpy()[1:]


def statsmodels_arrays(big: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    import statsmodels.api as sm

    x = sm.add_constant(pd.get_dummies(big[FEATURES], drop_first=True, dtype=float))
    fit = sm.OLS(big["chose_plan"].to_numpy(float), x).fit(
        cov_type="cluster", cov_kwds={"groups": big["ID"].to_numpy()}
    )
    return fit.params.to_numpy()[1:], fit.bse.to_numpy()[1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    big = replicate(args.data, args.replications)
    print(f"{len(big):,} rows, {big['ID'].nunique():,} respondents, {len(FEATURES)} features")

    ours, ours_time, ours_peak = measure(lambda: winset_fit(big), args.repeat)
    peers = {
        "statsmodels formula API": measure(lambda: statsmodels_formula(big), args.repeat),
        "statsmodels arrays + get_dummies": measure(lambda: statsmodels_arrays(big), args.repeat),
    }
    print(f"{'':34} {'time (s)':>9} {'peak memory (MB)':>17}")
    print(f"{'winset amce':34} {ours_time:9.2f} {ours_peak / 1e6:17.0f}")
    for name, (theirs, their_time, their_peak) in peers.items():
        print(f"{name:34} {their_time:9.2f} {their_peak / 1e6:17.0f}")
        # statsmodels orders dummies by category, as winset does: compare position by position
        diff = max(np.abs(ours[0] - theirs[0]).max(), np.abs(ours[1] - theirs[1]).max())
        print(f"{'':34} largest difference from winset (estimates, standard errors): {diff:.1e}")
    fastest = min(peers, key=lambda name: peers[name][1])
    _, their_time, their_peak = peers[fastest]
    print(
        f"against the faster peer ({fastest}): {their_time / ours_time:.1f}x faster, "
        f"{ours_peak / their_peak:.3f} of its peak memory"
    )


if __name__ == "__main__":
    main()

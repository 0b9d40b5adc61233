"""One negotiation on the Kuril scenario: winset's ratification-aware delegates against NegMAS's own
time-based negotiators on the bridge's utilities, on the same NegMAS mechanism, in one run.

Both pairs bargain on NegMAS's ``SAOMechanism`` over the scenario's 69,984 packages, strict about
ratification (a package either side's binding public rejects is worth less than no deal), with
opinion opened by the engine's ratification gap plus a margin so that deals exist:

* NegMAS: ``BoulwareTBNegotiator`` for both sides on :func:`winset.negotiate.bridge.party_utilities`
  (every package valued once, looked up per offer; NegMAS sorts the outcomes in Python);
* winset: two :class:`~winset.negotiate.delegate.Delegate` negotiators with the Boulware curve,
  their values vectors over the valid packages (what lets opinion move every round at the cost of
  one pass over a vector).

The script prints the mean time per negotiation of each (after one warm-up run each), the ratio,
and how often each pair signed a package both publics accept; then the time of the winset pair in
soft mode, where every belief update evaluates the normal distribution function for every package.

    pip install -e '.[bench]'
    python benchmarks/bench_talks.py [--runs 5] [--rounds 40] [--margin 2.0] [--draws 20]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from negmas import BoulwareTBNegotiator, SAOMechanism

from winset import load_scenario
from winset.compile import deal_problem
from winset.engine.problem import DealProblem
from winset.negotiate.bridge import outcome_space, party_utilities
from winset.negotiate.experiments import opened
from winset.negotiate.opinion import Opinion
from winset.negotiate.stage import Stage
from winset.negotiate.talks import Settings, run_talks
from winset.support import fit_scenario


def negmas_run(problem: DealProblem, rounds: int):
    mechanism = SAOMechanism(outcome_space=outcome_space(problem), n_steps=rounds)
    for party, ufun in party_utilities(problem, "strict").items():
        mechanism.add(BoulwareTBNegotiator(name=party), ufun=ufun)
    return mechanism.run().agreement


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--margin", type=float, default=2.0)
    parser.add_argument("--draws", type=int, default=20)
    args = parser.parse_args()

    scenario = load_scenario("kuril")
    fits = fit_scenario(scenario, args.draws, 0)
    problem, shift = opened(deal_problem(scenario, fits), args.margin)
    stage = Stage.build(problem)
    inside = set(stage.index[stage.joint_winset()].tolist())
    print(f"Kuril, opinion opened by {shift:.3f} (logit); joint win-set: {len(inside):,} packages")

    negmas_run(problem, args.rounds)  # warm-up
    start, signed = time.perf_counter(), 0
    for _ in range(args.runs):
        agreement = negmas_run(problem, args.rounds)
        if agreement is not None:
            codes = np.array([[problem.space.option_ids[k].index(v) for k, v in enumerate(agreement)]])
            signed += int(problem.space.encode(codes)[0] in inside)
    negmas_time = (time.perf_counter() - start) / args.runs

    settings = Settings(
        rounds=args.rounds, opinion=Opinion(drift=0, own_noise=0, other_noise=0, audience_cost=0), draws=False
    )
    run_talks(stage, settings, ("boulware", "boulware"), np.random.default_rng(0))  # warm-up
    start, ours = time.perf_counter(), 0
    for k in range(args.runs):
        talk = run_talks(stage, settings, ("boulware", "boulware"), np.random.default_rng(k))
        ours += int(talk.signed and talk.package in inside)
    winset_time = (time.perf_counter() - start) / args.runs

    # soft mode needs uncertain readings of opinion (0.1 and 0.3, the defaults) to discount by
    soft = Settings(rounds=args.rounds, mode="soft", opinion=Opinion(drift=0, audience_cost=0), draws=False)
    start = time.perf_counter()
    for k in range(args.runs):
        run_talks(stage, soft, ("boulware", "boulware"), np.random.default_rng(k))
    soft_time = (time.perf_counter() - start) / args.runs

    print(
        f"NegMAS BoulwareTBNegotiator pair: {negmas_time:.3f} s per negotiation, {signed}/{args.runs} signed in the joint win-set"
    )
    print(
        f"winset Delegate pair:            {winset_time:.3f} s per negotiation, {ours}/{args.runs} signed in the joint win-set"
    )
    print(f"ratio: winset is {negmas_time / winset_time:.1f}x faster")
    print(f"winset Delegate pair, soft mode: {soft_time:.3f} s per negotiation (no peer: the bridge's soft mode values")
    print("  each of the 69,984 packages over every bootstrap draw one at a time beyond 20,000 packages)")


if __name__ == "__main__":
    main()

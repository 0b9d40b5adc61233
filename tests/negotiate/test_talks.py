"""Simulated talks: reproducible, inside the joint win-set in strict mode, Pareto-efficient when
negotiators are informed and patient, and the same on Dask as in process."""

import numpy as np
import pytest

pytest.importorskip("negmas")

from winset.engine import criteria
from winset.engine.distributed import count_packages
from winset.engine.frontier_table import frontiers
from winset.engine.joint import point_only
from winset.errors import NegotiationError
from winset.negotiate.montecarlo import simulate
from winset.negotiate.opinion import Event, Opinion
from winset.negotiate.stage import Stage
from winset.negotiate.talks import Settings, run_talks

from .rules import problem_with_rules

ALL = ("boulware", "linear", "conceder", "tit-for-tat")
STILL = Opinion(drift=0.0, own_noise=0.0, other_noise=0.0, audience_cost=0.0)  # informed, nothing moves


@pytest.fixture(scope="module")
def problem(tmp_path_factory):
    """The small scenario with rules of 10% and 30%: a joint win-set of several packages."""
    return problem_with_rules(tmp_path_factory.mktemp("talks"), 0.1, 0.3)


@pytest.fixture(scope="module")
def stage(problem):
    return Stage.build(problem)


def joint_winset(problem):
    codes = np.vstack(list(problem.space.iter_valid()))
    point = point_only(problem)
    return codes, criteria.joint(point)(point.evaluate(codes))


def test_the_stage_knows_the_engines_joint_winset(problem, stage):
    codes, inside = joint_winset(problem)
    assert inside.sum() >= 3  # a test of choice needs a choice
    assert (
        stage.joint_winset().sum()
        == inside.sum()
        == count_packages(point_only(problem), criteria.joint(point_only(problem)), "enumerate")
    )
    assert set(stage.index[stage.joint_winset()]) == set(problem.space.encode(codes[inside]))


def test_seeded_sweeps_are_reproducible(stage):
    settings = Settings(rounds=15)
    first = simulate(stage, settings, 12, seed=3, strategies=ALL).runs
    again = simulate(stage, settings, 12, seed=3, strategies=ALL).runs
    other = simulate(stage, settings, 12, seed=4, strategies=ALL).runs
    assert first.equals(again)
    assert not first.equals(other)


@pytest.mark.parametrize("strategy", ALL)
def test_strict_agreements_lie_in_the_joint_winset(problem, stage, strategy):
    _, _inside = joint_winset(problem)
    winset = set(stage.index[stage.joint_winset()])
    settings = Settings(rounds=30, mode="strict", opinion=STILL, draws=False)
    runs = simulate(stage, settings, 8, seed=0, strategies=(strategy,)).runs
    signed = runs[runs["signed"]]
    assert len(signed) > 0
    for package in signed["package"]:
        assert problem.space.encode(np.array([problem.space.parse(package)]))[0] in winset
    assert signed["ratified"].all()  # informed negotiators, opinion still: nothing fails at home


def test_informed_patient_negotiators_reach_the_engines_pareto_frontier(problem, stage):
    frontier = frontiers(problem, method="enumerate")
    ratifiable = frontier[frontier["frontier"] == "ratifiable"]
    points = {tuple(np.round(row, 12)) for row in ratifiable[["russia_utility", "japan_utility"]].to_numpy()}
    settings = Settings(rounds=200, mode="strict", opinion=STILL, draws=False)
    for seed in range(4):
        talk = run_talks(stage, settings, ("boulware", "boulware"), np.random.default_rng(seed))
        assert talk.signed and talk.ratified
        assert tuple(np.round(talk.utilities, 12)) in points


def test_dask_gives_the_in_process_results(stage):
    distributed = pytest.importorskip("dask.distributed")
    settings = Settings(rounds=15, opinion=Opinion(events=(Event("summit", "japanese_public", 5, 0.3, 2.0),)))
    here = simulate(stage, settings, 30, seed=7, strategies=ALL).runs
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        there = simulate(stage, settings, 30, seed=7, strategies=ALL, scheduler=cluster.scheduler_address).runs
    assert here.equals(there)  # reached by address, as winset simulate --scheduler does


def test_the_same_stage_sent_again_and_again(stage):
    """Each simulation sends the stage to the cluster; sent again and again, every call still
    gets its answer (see tests/engine/test_distributed.py)."""
    distributed = pytest.importorskip("dask.distributed")
    settings = Settings(rounds=4)
    here = simulate(stage, settings, 2, seed=3, strategies=ALL).runs
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0") as c,
        distributed.Client(c) as client,
    ):
        for _ in range(30):
            assert simulate(stage, settings, 2, seed=3, strategies=ALL, scheduler=client).runs.equals(here)


def test_a_misread_public_can_vote_a_signed_deal_down(stage):
    """Soft negotiators who misread opinion sign deals that then fail at home."""
    settings = Settings(rounds=20, mode="soft", opinion=Opinion(own_noise=1.0, other_noise=1.5))
    runs = simulate(stage, settings, 40, seed=1, strategies=ALL).runs
    signed = runs[runs["signed"]]
    assert (~signed["ratified"]).any()
    failed = signed[~signed["ratified"]]
    assert (failed["rejected_by"] != "").all()
    # a failed deal leaves the status quo
    quo = stage.utility[:, stage.status_quo]
    assert np.allclose(failed[["utility_russia", "utility_japan"]].to_numpy(), quo)


def test_events_move_opinion_from_their_round():
    opinion = Opinion(drift=0.0, events=(Event("protest", "b", 2, -0.5), Event("summit", "a", 0, 0.25)))
    path = opinion.scripted(["a", "b"], 4, np.random.default_rng(0))
    assert path[:, 0].tolist() == [0.25] * 5
    assert path[:, 1].tolist() == [0.0, 0.0, -0.5, -0.5, -0.5]


def test_conceding_costs_a_negotiator_opinion_at_home(stage):
    """Audience costs: with them, the conceding side's publics end lower than without."""
    quiet = Settings(rounds=20, opinion=Opinion(drift=0.0, own_noise=0.0, other_noise=0.0, audience_cost=0.0))
    costly = Settings(rounds=20, opinion=Opinion(drift=0.0, own_noise=0.0, other_noise=0.0, audience_cost=2.0))
    without = run_talks(stage, quiet, ("linear", "linear"), np.random.default_rng(0))
    with_costs = run_talks(stage, costly, ("linear", "linear"), np.random.default_rng(0))
    assert without.shifts == (0.0, 0.0)
    assert min(with_costs.shifts) < 0.0


def test_bad_settings_are_refused():
    with pytest.raises(NegotiationError, match="rounds"):
        Settings(rounds=0)
    with pytest.raises(NegotiationError, match="mode") as refused:
        Settings(mode="lenient")
    assert refused.value.problems[0].location == "mode" and "'strict'" in refused.value.problems[0].fix
    with pytest.raises(ValueError, match="drift"):  # still a ValueError, for callers that catch one
        Opinion(drift=-1.0)


def test_bad_runs_and_strategies_are_refused(stage):
    with pytest.raises(NegotiationError, match="runs must be at least 1"):
        simulate(stage, Settings(rounds=5), 0)
    with pytest.raises(NegotiationError, match="strategies must come from"):
        simulate(stage, Settings(rounds=5), 2, strategies=("stubborn",))
    with pytest.raises(NegotiationError, match="3 strategies for 2 negotiators"):
        run_talks(stage, Settings(rounds=5), ("linear",) * 3, np.random.default_rng(0))
    with pytest.raises(NegotiationError, match="unknown strategy 'linaer' \\(did you mean 'linear'\\?\\)"):
        run_talks(stage, Settings(rounds=5), ("linear", "linaer"), np.random.default_rng(0))


def test_the_simulation_summary_counts_the_runs(stage):
    sweep = simulate(stage, Settings(rounds=15), 6, seed=3, strategies=ALL)
    numbers = sweep.numbers()
    text = sweep.summary()
    assert text.startswith(f"Monte Carlo: 6 runs (seed 3; strategies {', '.join(ALL)}).")
    assert f"Signed: {numbers['signed']} ({numbers['agreement_rate']:.1%}); " in text
    assert f"ratified: {numbers['ratified_rate']:.1%} of runs." in text
    if numbers["signed"]:
        assert f"mean {numbers['mean_rounds']:.1f}, median {numbers['median_rounds']:.1f}." in text


def test_moving_a_stage_equals_building_it_on_moved_opinion(problem, stage):
    shifts = np.array([0.4, -0.7])
    moved, built = stage.moved(shifts), Stage.build(problem.shifted(shifts))
    assert np.allclose(moved.needed, built.needed, atol=1e-9)
    assert (moved.joint_winset() == built.joint_winset()).all()
    assert moved.problem.shifts == built.problem.shifts

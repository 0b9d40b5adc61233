"""The NegMAS bridge: a scenario exported, negotiated by NegMAS's own mechanisms and negotiators,
gives the utilities winset computes; strict ratification keeps agreements in the joint win-set."""

import numpy as np
import pytest

negmas = pytest.importorskip("negmas")

from negmas import (
    AspirationNegotiator,
    BoulwareTBNegotiator,
    ConcederTBNegotiator,
    LinearTBNegotiator,
    NaiveTitForTatNegotiator,
    SAOMechanism,
)
from negmas.st import BinaryComparatorNegotiator, VetoSTMechanism

from winset.engine import criteria
from winset.engine.joint import point_only
from winset.negotiate.bridge import outcome_space, party_utilities

from .rules import problem_with_rules

NEGOTIATORS = [
    BoulwareTBNegotiator,
    LinearTBNegotiator,
    ConcederTBNegotiator,
    NaiveTitForTatNegotiator,
    AspirationNegotiator,
]


@pytest.fixture(scope="module")
def problem(tmp_path_factory):
    """The small scenario with a Russian rule of 25%: a joint win-set of one package."""
    return problem_with_rules(tmp_path_factory.mktemp("bridge"), 0.25, draws=10)


def valid_outcomes(problem):
    space = problem.space
    codes = np.vstack(list(space.iter_valid()))
    return codes, [tuple(space.option_ids[k][c] for k, c in enumerate(row)) for row in codes]


def test_every_outcome_is_worth_what_winset_says(problem):
    codes, outcomes = valid_outcomes(problem)
    ufuns = party_utilities(problem)
    expected = problem.evaluate(codes).utility
    for j, negotiator in enumerate(problem.negotiators):
        assert [ufuns[negotiator.id](o) for o in outcomes] == pytest.approx(expected[j].tolist())
        # NegMAS's test, utility >= reserved value, is the engine's: utility >= floor
        assert ufuns[negotiator.id].reserved_value == negotiator.floor
        assert 0 <= negotiator.reservation - negotiator.floor < 1e-8 * max(1.0, abs(negotiator.reservation))
    assert outcome_space(problem).cardinality == problem.space.size


def test_packages_that_break_a_constraint_are_worth_less_than_no_deal(problem):
    space = problem.space
    everything = [tuple(space.option_ids[k][c] for k, c in enumerate(space.decode(i))) for i in range(space.size)]
    broken = [
        o
        for o in everything
        if not space.is_valid(
            space.parse(",".join(f"{i}={v}" for i, v in zip(space.issue_ids, o, strict=True)), check_constraints=False)
        )
    ]
    assert broken  # the small scenario has a constraint
    for ufun in party_utilities(problem).values():
        assert all(ufun(o) == ufun.reserved_value - 2.0 for o in broken)


@pytest.mark.parametrize("negotiator", NEGOTIATORS)
def test_negmas_negotiators_run_and_agreements_round_trip(problem, negotiator):
    """Alternating offers, each of NegMAS's negotiator families against a time-based conceder
    (two tit-for-tat agents only mirror each other): the agreement's utilities through NegMAS equal
    winset's own."""
    ufuns = party_utilities(problem)
    mechanism = SAOMechanism(outcome_space=outcome_space(problem), n_steps=200)
    (first, first_ufun), (second, second_ufun) = ufuns.items()
    mechanism.add(negotiator(name=first), ufun=first_ufun)
    mechanism.add(ConcederTBNegotiator(name=second), ufun=second_ufun)
    state = mechanism.run()
    assert state.agreement is not None
    codes = np.array(
        [
            problem.space.parse(
                ",".join(f"{i}={v}" for i, v in zip(problem.space.issue_ids, state.agreement, strict=True))
            )
        ]
    )
    own = problem.evaluate(codes).utility[:, 0]
    assert [ufuns[n.id](state.agreement) for n in problem.negotiators] == pytest.approx(own.tolist())


@pytest.mark.parametrize("negotiator", NEGOTIATORS)
def test_strict_agreements_lie_in_the_joint_winset(problem, negotiator):
    ufuns = party_utilities(problem, "strict")
    codes, outcomes = valid_outcomes(problem)
    point = point_only(problem)
    inside = {o for o, ok in zip(outcomes, criteria.joint(point)(point.evaluate(codes)), strict=True) if ok}
    assert inside  # the engine finds a joint win-set here
    mechanism = SAOMechanism(outcome_space=outcome_space(problem), n_steps=200)
    for party, ufun in ufuns.items():
        mechanism.add(negotiator(name=party), ufun=ufun)
    state = mechanism.run()
    assert state.agreement is None or tuple(state.agreement) in inside


def test_soft_utilities_discount_by_the_probability_of_ratification(problem):
    ufuns = party_utilities(problem, "soft")
    plain = party_utilities(problem)
    codes, outcomes = valid_outcomes(problem)
    q = problem.evaluate(codes)
    status_quo = problem.evaluate(np.array([problem.space.status_quo])).utility[:, 0]
    for j, negotiator in enumerate(problem.negotiators):
        mine = [i for i, p in enumerate(problem.publics) if p.party == negotiator.id and problem.binding[i]]
        passed = np.all([q.support[i][1:] >= problem.publics[i].threshold for i in mine], axis=0).mean(axis=0)
        expected = passed * q.utility[j] + (1 - passed) * status_quo[j]
        assert [ufuns[negotiator.id](o) for o in outcomes] == pytest.approx(expected.tolist())
        assert all(ufuns[negotiator.id](o) <= max(plain[negotiator.id](o), status_quo[j]) + 1e-12 for o in outcomes)


def test_a_mediated_single_text_runs(problem):
    ufuns = party_utilities(problem)
    mechanism = VetoSTMechanism(outcome_space=outcome_space(problem), n_steps=50)
    for party, ufun in ufuns.items():
        mechanism.add(BinaryComparatorNegotiator(name=party), ufun=ufun)
    state = mechanism.run()
    assert state.agreement is not None
    assert all(ufun.valid(state.agreement) for ufun in ufuns.values())


@pytest.mark.parametrize("mode", [None, "strict", "soft"])
def test_valuing_one_package_at_a_time_agrees_with_valuing_them_all(problem, mode, monkeypatch):
    from winset.negotiate import bridge

    space = problem.space
    everything = [tuple(space.option_ids[k][c] for k, c in enumerate(space.decode(i))) for i in range(space.size)]
    at_once = party_utilities(problem, mode)
    monkeypatch.setattr(bridge, "PRECOMPUTE", 0)
    monkeypatch.setattr(bridge, "SOFT_PRECOMPUTE", 0)
    one_by_one = party_utilities(problem, mode)
    for party in at_once:
        assert [one_by_one[party](o) for o in everything] == pytest.approx([at_once[party](o) for o in everything])


@pytest.mark.parametrize("mode", [None, "strict", "soft"])
def test_extreme_outcomes_are_those_negmas_would_find(problem, mode):
    from negmas.preferences.base_ufun import BaseUtilityFunction

    for ufun in party_utilities(problem, mode).values():
        worst, best = ufun.extreme_outcomes()
        their_worst, their_best = BaseUtilityFunction.extreme_outcomes(ufun)  # every outcome, one by one
        assert ufun(worst) == ufun(their_worst)
        assert ufun(best) == ufun(their_best)
        values = [ufun(o) for o in ufun.outcome_space.enumerate()]
        assert (ufun(worst), ufun(best)) == (min(values), max(values))

"""Rules by hand: chambers counted seat by seat, margins as the shift that flips a verdict, and
the engine's refusals of rules and publics it cannot decide on."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from winset.engine import WHOLE, Public, Rule, Vote
from winset.engine.rules import seats_needed
from winset.errors import EngineError
from winset.scoretable import ScoreTable

from .conftest import EXACT


def chamber(seats, threshold="2/3", defect=()):
    n = len(seats)
    return Vote(
        "senate",
        tuple(f"b{i}" for i in range(n)),
        tuple(range(n)),
        (0.5,) * n,
        tuple(float(s) for s in seats),
        seats_needed(threshold, sum(seats)),
        defect,
    )


def verdict(vote, supports):
    margin, _ = vote.margins(np.asarray(supports, dtype=float)[:, None] - np.asarray(vote.thresholds)[:, None])
    return float(margin[0])


@pytest.mark.parametrize(
    ("seats", "supports", "passes"),
    [
        ((65, 34), (0.6, 0.4), False),  # 65 of 99 falls one short of two thirds
        ((67, 33), (0.6, 0.4), True),  # 67 of 100 carries two thirds
        ((66, 34), (0.6, 0.4), False),  # 66 of 100 does not
        ((53, 47), (0.9, 0.49), False),  # the Senate needs both parties
        ((53, 47), (0.9, 0.51), True),
    ],
)
def test_a_chamber_counts_seats(seats, supports, passes):
    vote = chamber(seats)
    assert (verdict(vote, supports) >= -1e-9) == (vote.yes_votes(np.array(supports)) >= vote.needed - 1e-9) == passes


def test_two_thirds_of_99_is_66_seats():
    vote = chamber((66, 33))
    assert vote.needed == 66
    assert verdict(vote, (0.6, 0.4)) >= -1e-9  # 66 yes votes: exactly two thirds


def test_defectors_count_against_their_bloc():
    vote = chamber((60, 40), threshold="1/2", defect=(0.2, 0.0))  # the 60 cast 48 yes, 12 no
    assert vote.yes_votes(np.array([0.6, 0.4])) == pytest.approx(48.0)
    assert verdict(vote, (0.6, 0.4)) < 0  # 48 of 100 fall short of 50
    assert verdict(vote, (0.4, 0.6)) >= 0  # 12 defectors and 40: 52


@EXACT
@given(
    st.lists(st.integers(1, 60), min_size=1, max_size=6),
    st.lists(st.floats(0, 1), min_size=6, max_size=6),
    st.sampled_from(["1/2", "2/3", "3/5", "1"]),
)
def test_the_margin_is_the_shift_that_flips_the_verdict(seats, supports, threshold):
    vote = chamber(seats, threshold)
    supports = np.array(supports[: len(seats)])
    margin = verdict(vote, supports)

    def passes(shift):
        return vote.yes_votes(supports + shift) >= vote.needed - 1e-9 * sum(seats)

    assert passes(-margin + 1e-7)
    assert not passes(-margin - 1e-7)


@EXACT
@given(st.integers(0, 2**32 - 1), st.integers(1, 15), st.sampled_from(["1/2", "2/3", "3/5", "1"]), st.booleans())
def test_a_rule_margin_from_its_coalitions_equals_the_count_from_the_most_supportive(seed, n, threshold, defect):
    """Rule.margins (from the winning coalitions, for up to 12 members) against Rule.explain
    (the members sorted and counted), with ties among the members' supports and a second vote
    of the whole public; votes of 13 to 15 members check the sorted fallback."""
    rng = np.random.default_rng(seed)
    seats = rng.integers(1, 60, n).astype(float)
    shares = rng.dirichlet(np.ones(n))
    defects = tuple(rng.choice([0.0, 0.1, 0.3], n)) if defect else ()
    try:
        vote = chamber(seats, threshold, defects)
    except EngineError:  # defectors alone carry it, or it cannot pass
        return
    rule = Rule((vote, Rule.share(0.5).votes[0]), vote.members, tuple(shares / shares.sum()))
    support = np.round(rng.uniform(0.3, 0.7, (4, n, 50)), 1)  # (draws, groups, packages): many ties
    support[0, :, :3] = np.finfo(np.float64).max  # unbounded draws, as the screen leaves them
    with np.errstate(over="ignore"):
        np.testing.assert_array_equal(rule.margins(support), rule.explain(support)[0])


def test_a_vote_at_the_edge_of_its_needed_votes_is_counted_one_way():
    """Member b's 47 yes votes with a's 4.7 defectors reach 51.7 exactly, but 4.7 + 37.6 + 47 - 37.6
    rounds below it: every route (every member needed, the sorted count, the coalitions) decides
    from the same exact sums, so b carries it alone."""
    vote = Vote("v", ("a", "b"), (0, 1), (0.5, 0.5), (47.0, 47.0), 51.700000094, (0.1, 0.0))
    assert vote.needed - vote.tolerance == 51.7 == vote.base + vote.contributions[1]
    assert not vote.every_member_needed
    rule = Rule((vote,), ("g0", "g1"), (0.5, 0.5))
    support = np.array([[[0.0], [1.0]]])  # a's margin -0.5, b's +0.5
    assert rule.margins(support)[0, 0] == rule.explain(support)[0][0, 0] == 0.5
    # five members whose running sum, most supportive first, rounds the other way
    five = Vote(
        "v2", tuple("abcde"), (WHOLE,) * 5, (0.55, 0.3, 0.3, 0.5, 0.5), (34.0, 17.0, 58.0, 39.0, 10.0),
        115.70000015800001, (0.3, 0.2, 0.1, 0.3, 0.1),
    )  # fmt: skip
    margins = np.array(
        [0.17734452928108171, -0.34961026978574716, -0.02750302019810252, -0.07180720987617525, -0.0227685]
    )
    assert five.margins(margins[:, None])[0][0] == five.margin(list(margins[:, None]))[0] == margins[3]


@pytest.mark.parametrize(
    "change",
    [
        {"needed": float("nan")},
        {"needed": "2"},
        {"weights": (float("inf"), 1.0)},
        {"thresholds": (float("nan"), 0.5)},
        {"defect": (0.5, 0.0)},
        {"weights": (0.0, 1.0)},
        {"needed": 3.0},  # more than both members can cast
    ],
)
def test_a_vote_it_cannot_decide_is_refused(change):
    arguments = {
        "name": "v",
        "members": ("a", "b"),
        "sources": (0, 1),
        "thresholds": (0.5, 0.5),
        "weights": (1.0, 1.0),
        "needed": 2.0,
    } | change
    with pytest.raises(EngineError):
        Vote(**arguments)


def consent(shares=(0.5, 0.5)):
    return Rule((Vote("consent", ("a", "b"), (0, 1), (0.5, 0.5), (1.0, 1.0), 2.0),), ("a", "b"), shares)


def table(weights):
    n = len(weights)
    return ScoreTable(
        (2,), np.zeros(n), np.zeros((n, 2)), np.asarray(weights, float), np.zeros(n, dtype=np.int64), "logistic"
    )


@pytest.mark.parametrize(
    ("weights", "cells", "shares"),
    [
        ((0.5, 0.5), (0.0, 1.0), (0.5, 0.5)),  # groups as floats
        ((0.5, 0.5), (0, 0), (0.5, 0.5)),  # an empty group
        ((50.0, 50.0), (0, 1), (0.5, 0.5)),  # counts, not shares
        ((0.7, 0.3), (0, 1), (0.5, 0.5)),  # weights that do not match the shares
        ((0.5, 0.5), (0, 2), (0.5, 0.5)),  # an unknown group
    ],
)
def test_a_public_whose_rows_do_not_match_its_groups_is_refused(weights, cells, shares):
    with pytest.raises(EngineError):
        Public("p", "side", table(weights), consent(shares), cells=np.array(cells))


def test_a_rule_needs_shares_that_sum_to_one():
    for shares in [(float("nan"), 1.0), (0.2, 0.2), (0.0, 1.0)]:
        with pytest.raises(EngineError):
            consent(shares)
    assert Rule.share(0.5).votes[0].sources == (WHOLE,)

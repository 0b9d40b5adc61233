"""Opinion groups: recovery of planted groups, Polis's rules for who is clustered and how many
groups, the consensus variants, and the estimator's checks."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import adjusted_rand_score, silhouette_score

from winset.consult.polis import group_informed_consensus, read_export
from winset.errors import NotFittedError, OpinionError
from winset.opinion import VARIANTS, OpinionGroups, consensus
from winset.opinion.kmeans import kmeans
from winset.opinion.projection import in_conversation

from ..conftest import SHARED

POLIS = SHARED / "data" / "polis"


def planted(seed: int, sizes=(60, 45, 30), statements: int = 40, missing: float = 0.3, fidelity: float = 0.85):
    """Votes of blocs spread round a circle of opinion: each statement takes a side along its own
    direction, each bloc votes its side with probability ``fidelity``, passes 10% of the time,
    and skips ``missing`` of the statements. Participants x statements, and each one's bloc."""
    rng = np.random.default_rng(seed)
    blocs = np.repeat(np.arange(len(sizes)), sizes)
    rng.shuffle(blocs)
    bloc_angle = 2 * np.pi * np.arange(len(sizes)) / len(sizes) + rng.uniform(0, 2 * np.pi)
    statement_angle = rng.uniform(0, 2 * np.pi, statements)
    stance = np.sign(np.cos(bloc_angle[:, None] - statement_angle[None, :]))
    faithful = rng.random((len(blocs), statements)) < fidelity
    votes = np.where(faithful, stance[blocs], -stance[blocs])
    votes[rng.random(votes.shape) < 0.1] = 0.0
    votes[rng.random(votes.shape) < missing] = np.nan
    frame = pd.DataFrame(votes, index=pd.Index(np.arange(len(blocs)) + 100), columns=pd.Index(np.arange(statements)))
    return frame, blocs


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([(70, 50), (60, 45, 30), (40, 40, 30, 25)]))
def test_planted_groups_are_found_with_their_number(seed, sizes):
    """With k-means++ starts beside Polis's, every planted group is found, and its members: at
    most a few of those whose noisy votes sit nearer another group are placed with it."""
    votes, blocs = planted(seed, sizes)
    model = OpinionGroups(n_init=10).fit(votes)
    assert model.k_ == len(sizes)
    assert adjusted_rand_score(blocs, model.labels_.to_numpy(dtype=int)) > 0.9
    assert model.sizes_.sum() == sum(sizes)


def test_polis_single_start_can_miss_a_planted_group_that_more_starts_find():
    """Polis's start alone reads three planted groups as two or four here; with more starts,
    the tighter grouping is kept and all three are found."""
    votes, blocs = planted(1, (60, 45, 30))
    single = OpinionGroups().fit(votes)
    assert single.k_ != 3
    more = OpinionGroups(n_init=10).fit(votes)
    assert more.k_ == 3 and adjusted_rand_score(blocs, more.labels_.to_numpy(dtype=int)) > 0.95
    assert more.silhouettes_[3] > single.silhouettes_[3]


def test_the_number_of_groups_is_the_best_silhouette_of_the_base_clusters():
    """Brute force: each k's grouping of the base clusters scored by scikit-learn's silhouette
    again; the chosen k is the best (the first of equals), and --groups overrides it."""
    votes, _ = planted(5, (50, 40, 30, 20))
    model = OpinionGroups().fit(votes)
    points = model.projection_[model.in_conversation_].to_numpy()
    base, centres = kmeans(points, 100)
    np.testing.assert_array_equal(base, model.base_labels_.to_numpy())
    sizes = np.bincount(base).astype(float)
    scores = {}
    for k in range(2, min(5, 2 + len(centres) // 12) + 1):
        labels, _ = kmeans(centres, k, sizes, iterations=20)
        scores[k] = silhouette_score(centres, labels)
    assert model.silhouettes_.to_dict() == pytest.approx(scores)
    assert model.k_ == max(scores, key=scores.get)
    forced = OpinionGroups(groups=2).fit(votes)
    assert forced.k_ == 2 and forced.labels_.nunique() == 2


def test_few_base_clusters_try_fewer_groups():
    """With 12 participants in distinct places, base clusters are 12 and k runs 2..3 only."""
    votes, _ = planted(2, (6, 6), statements=12, missing=0.0)
    model = OpinionGroups().fit(votes)
    assert len(model.base_labels_.unique()) == 12
    assert list(model.silhouettes_.index) == [2, 3]


def test_participants_need_seven_votes_or_as_many_as_there_are_statements():
    votes = np.full((20, 10), np.nan)
    for row in range(20):
        votes[row, : row % 10] = 1.0  # row r votes on r mod 10 statements
    np.testing.assert_array_equal(in_conversation(votes, floor=0), (np.arange(20) % 10) >= 7)
    few = in_conversation(votes[:, :5], floor=0)  # 5 statements: 5 votes are enough
    np.testing.assert_array_equal(few, (np.arange(20) % 10) >= 5)
    assert in_conversation(votes, minimum=3, floor=0).sum() == 14
    # 6 with 7 votes, fewer than 15: the most active join them up to 15, never one without a vote
    topped = in_conversation(votes)
    counts = np.arange(20) % 10
    assert topped.sum() == 15 and counts[topped].min() >= counts[~topped].max()
    assert in_conversation(np.full((20, 10), np.nan)).sum() == 0


def test_a_conversation_of_few_participants_clusters_the_15_most_active():
    rng = np.random.default_rng(0)
    votes = np.where(rng.random((40, 30)) < 0.15, rng.choice([-1.0, 1.0], (40, 30)), np.nan)
    counts = np.isfinite(votes).sum(axis=1)
    keep = in_conversation(votes)
    assert (counts >= 7).sum() < 15 and keep.sum() == 15
    assert counts[keep].min() >= counts[~keep].max()


def test_the_consensus_variants_by_hand():
    """Two groups: agrees (3, 1), disagrees (1, 2), votes (4, 4) on one statement."""
    a, d, s = np.array([[3.0], [1.0]]), np.array([[1.0], [2.0]]), np.array([[4.0], [4.0]])
    polis = (4 / 6) * (2 / 6)
    assert consensus(a, d, s, "polis")[0] == pytest.approx(polis)
    assert consensus(a, d, s, "polis_disagree")[0] == pytest.approx((2 / 6) * (3 / 6))
    assert consensus(a, d, s, "geometric")[0] == pytest.approx(np.sqrt(polis))
    effective = (3.5 / 5 * (1 - 1.5 / 5)) * (1.5 / 5 * (1 - 2.5 / 5))
    assert consensus(a, d, s, "effective")[0] == pytest.approx(np.sqrt(effective))
    with pytest.raises(ValueError, match="unknown consensus variant"):
        consensus(a, d, s, "mean")


@pytest.mark.shared("data", "polis")
def test_polis_consensus_of_the_exports_groups_is_the_exports_column():
    """bg2050's comments.csv carries Polis's group-informed consensus: the variant 'polis' of the
    export's own groups' counts is that column, as the consultation's formula gives it."""
    conversation = read_export(POLIS / "bg2050-volunteers")
    votes = conversation.latest()
    groups = conversation.groups.reindex(votes.index).to_numpy()
    ids = np.unique(groups[~np.isnan(groups)])
    member = [votes.to_numpy()[groups == g] for g in ids]
    counts = [
        np.array([f(m) for m in member])
        for f in (lambda m: (m == 1).sum(0), lambda m: (m == -1).sum(0), lambda m: np.isfinite(m).sum(0))
    ]
    published = conversation.comments.set_index("comment-id")["group-informed-consensus"].reindex(votes.columns)
    np.testing.assert_allclose(consensus(*counts, "polis"), published.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(consensus(*counts, "polis"), group_informed_consensus(votes.to_numpy(), groups))


def test_the_fitted_models_consensus_and_representative_statements():
    votes, _ = planted(9)
    model = OpinionGroups(pick=3, n_init=10).fit(votes, moderated_out={0, 1})
    assert set(VARIANTS) == {"polis", "polis_disagree", "geometric", "effective"}
    for variant in VARIANTS:
        value = model.consensus(variant)
        assert list(value.index) == list(votes.columns) and np.all((value > 0) & (value < 1))
    assert not model.repness_["statement"].isin([0, 1]).any()  # moderated out: never chosen
    assert model.repness_.groupby("group").size().max() <= 3
    text = model.summary()
    assert "Opinion groups: 3 among 135 of 135 participants" in text and "times as likely" in text
    with pytest.raises(OpinionError, match="no consensus variant 'mean'"):
        model.consensus("mean")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"min_votes": 0}, "min_votes must be a whole number of at least 1"),
        ({"max_groups": 1}, "max_groups must be a whole number of at least 2"),
        ({"groups": 1}, "groups must be a whole number of at least 2"),
        ({"groups": True}, "groups must be a whole number"),
        ({"pick": 2.5}, "pick must be a whole number"),
        ({"n_init": 0}, "n_init must be a whole number of at least 1"),
        ({"random_state": -1}, "random_state must be a whole number of at least 0"),
    ],
)
def test_options_are_checked_when_made(options, message):
    with pytest.raises(OpinionError, match=message):
        OpinionGroups(**options)


def test_votes_that_cannot_make_groups_are_refused_with_their_place():
    votes, _ = planted(1)
    bad = votes.copy()
    bad.iloc[3, 4] = 2
    with pytest.raises(OpinionError, match=r"participant 103, statement 4: vote 2\.0 is not 1, -1, 0 or missing"):
        OpinionGroups().fit(bad)
    words = votes.astype(object)
    words.iloc[0, 0] = "yes"
    with pytest.raises(OpinionError, match="vote 'yes' is not 1, -1, 0 or missing"):
        OpinionGroups().fit(words)
    with pytest.raises(OpinionError, match="1 participant"):
        OpinionGroups().fit(votes.iloc[:1])
    alike = pd.DataFrame(np.ones((30, 8)))
    with pytest.raises(OpinionError, match="all vote alike"):
        OpinionGroups().fit(alike)
    with pytest.raises(OpinionError, match="6 groups were asked of 2 base clusters"):
        OpinionGroups(groups=6, max_groups=6).fit(pd.DataFrame(np.r_[np.ones((10, 8)), -np.ones((10, 8))]))
    with pytest.raises(NotFittedError, match="not fitted yet"):
        OpinionGroups().summary()


def test_fit_returns_the_model():
    votes, _ = planted(4)
    model = OpinionGroups()
    assert model.fit(votes) is model

"""The package space against brute force: sizes, encoding, constraint counting, enumeration, parsing."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from winset import PackageError, PackageSpace


def make_space(shape, constraints=(), status_quo=None):
    """A space with issues i0, i1, ... and options o0, o1, ...; constraints as {issue: [options]} by index."""
    issues = [(f"i{k}", [f"o{j}" for j in range(n)]) for k, n in enumerate(shape)]
    named = [
        (f"c{m}", {f"i{k}": [f"o{j}" for j in options] for k, options in forbid.items()})
        for m, forbid in enumerate(constraints)
    ]
    sq = None if status_quo is None else {f"i{k}": f"o{j}" for k, j in enumerate(status_quo)}
    return PackageSpace(issues, status_quo=sq, constraints=named)


def brute_valid(shape, constraints):
    return [
        p
        for p in itertools.product(*(range(n) for n in shape))
        if not any(all(p[k] in opts for k, opts in c.items()) for c in constraints)
    ]


@st.composite
def spaces(draw, max_issues=5, max_options=4, max_constraints=4):
    shape = draw(st.lists(st.integers(1, max_options), min_size=1, max_size=max_issues))
    n_constraints = draw(st.integers(0, max_constraints))
    constraints = []
    for _ in range(n_constraints):
        issues = draw(st.lists(st.integers(0, len(shape) - 1), min_size=1, max_size=len(shape), unique=True))
        constraints.append({k: sorted(draw(st.sets(st.integers(0, shape[k] - 1), min_size=1))) for k in issues})
    return shape, constraints


# ---------------------------------------------------------------------------------------------- sizes
def test_size_of_a_space_with_1e30_packages_is_exact():
    space = make_space([10] * 30)
    assert space.size == 10**30
    assert isinstance(space.size, int)
    assert space.count_valid() == 10**30


@given(st.lists(st.integers(1, 50), min_size=1, max_size=60))
def test_huge_sizes_are_exact_products(shape):
    space = make_space(shape)
    assert space.size == math.prod(shape)


@settings(max_examples=200)
@given(spaces())
def test_count_valid_matches_brute_force(case):
    shape, constraints = case
    assert make_space(shape, constraints).count_valid() == len(brute_valid(shape, constraints))


@settings(max_examples=200)
@given(spaces(max_constraints=5))
def test_dead_options_and_the_constraints_that_kill_them_match_brute_force(case):
    """An option is dead when no valid package has it; the constraints named forbid it together,
    and none of them can be left out."""
    shape, constraints = case
    space = make_space(shape, constraints)
    valid = brute_valid(shape, constraints)
    alive = {(k, p[k]) for p in valid for k in range(len(shape))}
    dead = space.dead_options()
    assert {(k, j) for k, j, _ in dead} == {(k, j) for k, n in enumerate(shape) for j in range(n)} - alive
    for k, j, blamed in dead:
        chosen = [constraints[int(c.id[1:])] for c in blamed]
        assert not any(p[k] == j for p in brute_valid(shape, chosen))
        for left_out in range(len(chosen)):
            rest = chosen[:left_out] + chosen[left_out + 1 :]
            assert any(p[k] == j for p in brute_valid(shape, rest))


def inclusion_exclusion(shape, constraints):
    """Valid count by inclusion-exclusion over the forbidden boxes: exact, and independent of the
    dynamic programme, for spaces far too large to enumerate."""
    total = 0
    for r in range(len(constraints) + 1):
        for subset in itertools.combinations(constraints, r):
            box = 1
            for k, n in enumerate(shape):
                allowed = set(range(n))
                for c in subset:
                    if k in c:
                        allowed &= set(c[k])
                box *= len(allowed)
            total += (-1) ** r * box
    return total


@settings(max_examples=100)
@given(spaces(max_issues=40, max_options=12, max_constraints=6))
def test_count_valid_of_huge_spaces_matches_inclusion_exclusion(case):
    shape, constraints = case
    assert make_space(shape, constraints).count_valid() == inclusion_exclusion(shape, constraints)


# ------------------------------------------------------------------------------------------- encoding
@given(spaces(max_issues=6, max_options=6, max_constraints=0), st.data())
def test_encode_decode_round_trip(case, data):
    shape, _ = case
    space = make_space(shape)
    codes = tuple(data.draw(st.integers(0, n - 1)) for n in shape)
    index = space.encode(codes)
    assert 0 <= index < space.size
    assert space.decode(index) == codes
    # index order is itertools.product order
    assert list(itertools.product(*(range(n) for n in shape))).index(codes) == index


@given(st.lists(st.integers(2, 1000), min_size=10, max_size=40), st.data())
def test_round_trip_in_huge_spaces_uses_exact_integers(shape, data):
    space = make_space(shape)
    index = data.draw(st.integers(0, space.size - 1))
    codes = space.decode(index)
    assert space.encode(codes) == index


@given(spaces(max_issues=5, max_options=5, max_constraints=0))
def test_vectorised_encoding_matches_scalar(case):
    shape, _ = case
    space = make_space(shape)
    index = np.arange(space.size, dtype=np.int64)
    codes = space.decode(index)
    assert codes.shape == (space.size, len(shape))
    np.testing.assert_array_equal(space.encode(codes), index)
    assert [tuple(row) for row in codes] == list(itertools.product(*(range(n) for n in shape)))


def test_vectorised_encoding_refuses_spaces_beyond_int64():
    space = make_space([10] * 19 + [2])  # 2e19 > 2**63
    with pytest.raises(PackageError, match="too many to number with 64-bit integers"):
        space.decode(np.array([0]))
    with pytest.raises(PackageError, match="too many"):
        next(space.iter_valid())
    assert space.decode(space.size - 1) == tuple([9] * 19 + [1])


def test_bad_codes_and_indices():
    space = make_space([2, 3])
    with pytest.raises(PackageError, match=r"outside 0..2"):
        space.encode((0, 3))
    with pytest.raises(PackageError, match="expected 2 option codes"):
        space.encode((0,))
    with pytest.raises(PackageError, match=r"outside 0..5"):
        space.decode(6)
    with pytest.raises(PackageError, match="out of range"):
        space.encode(np.array([[0, 5]]))


# ----------------------------------------------------------------------------------------- enumeration
@settings(max_examples=200)
@given(spaces(), st.integers(1, 50))
def test_iteration_yields_exactly_the_valid_packages(case, chunk_size):
    shape, constraints = case
    space = make_space(shape, constraints)
    chunks = list(space.iter_valid(chunk_size=chunk_size))
    assert all(len(c) == chunk_size for c in chunks[:-1])
    assert all(0 < len(c) <= chunk_size for c in chunks)
    got = [tuple(row) for chunk in chunks for row in chunk]
    assert got == brute_valid(shape, constraints)


@settings(max_examples=100)
@given(spaces())
def test_validity_checks_agree(case):
    shape, constraints = case
    space = make_space(shape, constraints)
    every = list(itertools.product(*(range(n) for n in shape)))
    vector = space.is_valid(np.array(every))
    scalar = [space.is_valid(p) for p in every]
    valid = set(brute_valid(shape, constraints))
    assert list(vector) == scalar == [p in valid for p in every]


def test_broken_constraints_are_named():
    space = make_space([3, 2], constraints=[{0: [1, 2], 1: [0]}, {0: [1]}])
    assert [c.id for c in space.broken_constraints((1, 0))] == ["c0", "c1"]
    assert space.broken_constraints((0, 0)) == []


def test_default_chunks_are_numpy_code_arrays():
    space = make_space([4, 4, 4])
    (chunk,) = list(space.iter_valid())
    assert chunk.dtype == np.int32 and chunk.shape == (64, 3)


# --------------------------------------------------------------------------------------------- parsing
@pytest.fixture
def kuril_like():
    return PackageSpace(
        [
            ("habomai", ["russia", "japan", "joint"]),
            ("shikotan", ["russia", "japan", "joint"]),
            ("treaty", ["none", "signed"]),
        ],
        status_quo={"habomai": "russia", "shikotan": "russia", "treaty": "none"},
        constraints=[("needs_treaty", {"habomai": ["japan", "joint"], "treaty": "none"})],
    )


def test_parse_fills_in_the_status_quo(kuril_like):
    assert kuril_like.parse("habomai=japan, treaty=signed") == (1, 0, 1)
    assert kuril_like.parse(" shikotan = joint ") == (0, 2, 0)
    assert kuril_like.parse("status_quo") == kuril_like.status_quo == (0, 0, 0)


def test_format_and_parse_round_trip(kuril_like):
    for chunk in kuril_like.iter_valid():
        for row in chunk:
            codes = tuple(int(c) for c in row)
            assert kuril_like.parse(kuril_like.format(codes)) == codes
            assert kuril_like.parse(kuril_like.format(codes, changes_only=True)) == codes
    assert kuril_like.format((1, 0, 1), changes_only=True) == "habomai=japan,treaty=signed"
    assert kuril_like.format((0, 0, 0), changes_only=True) == "status_quo"


@pytest.mark.parametrize(
    "text, location, message",
    [
        ("shikotn=japan", "'shikotn=japan'", "unknown issue 'shikotn' (did you mean 'shikotan'?)"),
        ("shikotan=japn", "'shikotan=japn'", "issue 'shikotan' has no option 'japn' (did you mean 'japan'?)"),
        ("treaty", "'treaty'", "expected issue=option"),
        ("treaty=signed,treaty=none", "'treaty=none'", "issue 'treaty' is given twice"),
        ("", "package", "the package text is empty"),
        ("habomai=japan", "habomai=japan", "the package breaks constraint 'needs_treaty'"),
    ],
)
def test_parse_errors(kuril_like, text, location, message):
    with pytest.raises(PackageError) as caught:
        kuril_like.parse(text)
    assert [(p.location, p.message) for p in caught.value.problems] == [(location, message)]


def test_parse_reports_every_bad_item(kuril_like):
    with pytest.raises(PackageError) as caught:
        kuril_like.parse("habomai=jpn,treaty=sined,fish=none")
    assert len(caught.value.problems) == 3


def test_parse_can_skip_the_constraint_check(kuril_like):
    assert kuril_like.parse("habomai=japan", check_constraints=False) == (1, 0, 0)


def test_construction_errors():
    with pytest.raises(PackageError, match="duplicate issue id 'a'"):
        PackageSpace([("a", ["x"]), ("a", ["y"])])
    with pytest.raises(PackageError, match="issue has no options"):
        PackageSpace([("a", [])])
    with pytest.raises(PackageError, match="unknown issue 'b'"):
        PackageSpace([("a", ["x"])], constraints=[("c", {"b": "x"})])
    with pytest.raises(PackageError, match="no option 'z'"):
        PackageSpace([("a", ["x"])], status_quo={"a": "z"})


def test_many_constraints_on_one_issue_are_counted_without_blowing_up():
    """Twenty constraints that all end with the same issue and option leave one remainder, not
    2^20 subsets of constraints: counting and finding dead options take a moment."""
    from .conftest import within

    space = make_space([10] * 30, [{j: [1], 29: [1]} for j in range(20)])
    expected = 10**29 * 9 + 9**20 * 10**9  # last issue not 1, or it is 1 and none of the 20 is
    assert within(30, space.count_valid) == expected
    assert within(30, space.dead_options) == []


def test_constraints_too_entangled_to_reason_about_are_refused(monkeypatch):
    import winset.space.programme

    monkeypatch.setattr(winset.space.programme, "STATE_LIMIT", 1)
    space = make_space([3] * 6, [{0: [1], 5: [1]}, {1: [1], 4: [2]}, {2: [1], 3: [0]}, {0: [2], 3: [2]}])
    with pytest.raises(PackageError, match="the constraints overlap too much"):
        space.count_valid()

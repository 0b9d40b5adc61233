"""The report's packed ScoreTables: unpacked, every value and every support is the engine's; the
affine form is used where it holds, and only there."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from winset import load_scenario
from winset.compile import deal_problem
from winset.report.packed_tables import pack, unpack
from winset.scoretable import Pair, ScoreTable

SHAPE = (3, 2, 4)


def same(packed_back: ScoreTable, table: ScoreTable, tolerance: float) -> None:
    for name in ("intercepts", "coefficients", "weights"):
        assert np.abs(getattr(packed_back, name) - getattr(table, name)).max() <= tolerance, name
    assert np.array_equal(packed_back.groups, table.groups) and packed_back.link == table.link
    for a, b in zip(packed_back.pairs, table.pairs, strict=True):
        assert (a.first, a.second) == (b.first, b.second) and np.array_equal(a.values, b.values)


def population_table(rng, draws: int, members: int, noise: float = 0.0, cells: int = 1, optout: bool = False):
    """As a mixed logit compiles: each draw's members are mean + sd * z of shared normals z."""
    k = sum(SHAPE)
    z = rng.standard_normal((members * cells, k + 1))
    blocks, intercepts = [], []
    for d in range(draws + 1):
        n = members if d == 0 else max(members // 4, 1)
        rows = np.concatenate([z[c * members : c * members + n] for c in range(cells)])
        mean, sd = rng.normal(0, 1, k + 1), rng.uniform(0.1, 1, k + 1)
        values = mean + sd * rows
        values[:, 1] = 0.0  # a baseline column
        blocks.append(values[:, 1:] + noise * rng.standard_normal(values[:, 1:].shape))
        intercepts.append(values[:, 0] if optout else np.full(len(values), mean[0]))
    sizes = [len(b) for b in blocks]
    cell = np.concatenate([np.repeat(np.arange(cells), n // cells) for n in sizes])
    table = ScoreTable(
        SHAPE,
        np.concatenate(intercepts),
        np.concatenate(blocks),
        np.concatenate([np.full(n, 1.0 / n) for n in sizes]),
        np.repeat(np.arange(len(sizes)), sizes),
    )
    return table, (cell if cells > 1 else None)


@pytest.mark.parametrize("optout", [False, True])
@pytest.mark.parametrize("cells", [1, 3])
def test_a_population_of_draws_packs_into_the_affine_form_and_back(cells, optout):
    table, cell = population_table(np.random.default_rng(cells), draws=20, members=40, cells=cells, optout=optout)
    packed = pack(table, cell)
    assert packed["affine_groups"] == list(range(1, 21)) and packed["affine_terms"] == 2
    assert ("base" in packed["intercepts"]) == optout
    assert len(json.dumps(packed)) < 0.5 * table.coefficients.nbytes * 4 / 3  # smaller than the rows in base64
    same(unpack(packed), table, 1e-12)


def test_rows_no_affine_form_reproduces_are_kept_as_they_are():
    table, _ = population_table(np.random.default_rng(5), draws=6, members=40, noise=1e-6)
    packed = pack(table)
    assert packed["affine_groups"] == []
    same(unpack(packed), table, 0.0)


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 6), min_size=1, max_size=5),
    seed=st.integers(0, 2**32 - 1),
    cells=st.integers(1, 3),
    pair=st.booleans(),
    repeated=st.booleans(),
)
def test_any_table_comes_back_with_its_supports(sizes, seed, cells, pair, repeated):
    """Random tables, some with rows repeated within a draw (the affine form with b = 0), cells,
    and a pairwise term: each comes back within 1e-12, and so do its supports."""
    rng = np.random.default_rng(seed)
    n, k = sum(sizes), sum(SHAPE)
    coefficients = rng.normal(size=(n, k))
    if repeated:
        coefficients = np.repeat(rng.normal(size=(len(sizes), k)), sizes, axis=0)
    groups = np.repeat(np.arange(len(sizes)), sizes)
    pairs = (Pair(0, 2, rng.normal(size=(n, SHAPE[0], SHAPE[2]))),) if pair else ()
    table = ScoreTable(SHAPE, rng.normal(size=n), coefficients, rng.uniform(0.1, 1, n), groups, "logistic", pairs)
    cell = rng.integers(0, cells, n) if cells > 1 else None
    back = unpack(json.loads(json.dumps(pack(table, cell))))
    same(back, table, 1e-12)
    codes = np.array([[rng.integers(s) for s in SHAPE] for _ in range(16)])
    assert np.abs(back.support(codes) - table.support(codes)).max() <= 1e-12


def test_the_worked_examples_tables_come_back_with_the_engines_supports(kuril_fits):
    problem = deal_problem(load_scenario("kuril"), kuril_fits)
    codes = problem.space.decode(np.arange(0, problem.space.size, 97))
    for public in problem.publics:
        packed = pack(public.table, public.cells)
        back = unpack(json.loads(json.dumps(packed)))
        assert np.abs(back.support(codes) - public.table.support(codes)).max() <= 1e-12, public.id
        assert len(packed["affine_groups"]) in (0, public.table.n_groups - 1)
    japanese = pack(next(p for p in problem.publics if p.id == "japanese_public").table)
    assert japanese["affine_groups"] and "base" in japanese["intercepts"]  # the mixed logit, draw by draw

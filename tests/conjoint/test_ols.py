"""The regression engine against dense linear algebra and statsmodels, on random dummy designs."""

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from winset.conjoint.ols import DummyDesign, Term, fit


@st.composite
def dummy_problems(draw, max_rows=120):
    """A random design (intercept, 1 to 3 features, maybe an interaction), outcome, weights and
    clusters."""
    n = draw(st.integers(20, max_rows))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n_features = draw(st.integers(1, 3))
    codes = [rng.integers(0, draw(st.integers(2, 4)), n) for _ in range(n_features)]
    terms = [Term("(Intercept)", ("",), np.zeros(n, dtype=np.int32))]
    for j, c in enumerate(codes):
        width = int(c.max())
        if width == 0:
            continue
        terms.append(Term(f"f{j}", tuple(str(v) for v in range(1, width + 1)), (c - 1).astype(np.int32)))
    if n_features >= 2 and draw(st.booleans()):
        a, b = codes[0], codes[1]
        wa = max(int(a.max()), 1)
        cells = np.where((a > 0) & (b > 0), (a - 1) + wa * (b - 1), -1).astype(np.int32)
        terms.append(Term("f0:f1", tuple(str(v) for v in range(wa * max(int(b.max()), 1))), cells))
    y = rng.normal(size=n) + (codes[0] == 1) * 0.5
    weights = rng.uniform(0.2, 3.0, n) if draw(st.booleans()) else None
    clusters = rng.integers(0, draw(st.integers(3, 15)), n)
    clusters = np.unique(clusters, return_inverse=True)[1]
    return DummyDesign(terms), y, weights, clusters


def dense(design: DummyDesign) -> np.ndarray:
    return design.dense(0, design.n_rows)


def r_style_keep(x: np.ndarray, tol: float = 1e-7) -> np.ndarray:
    """R's rule on the dense matrix: Gram-Schmidt in column order, dropping a column whose
    residual norm is below tol times its original norm."""
    basis = []
    keep = np.zeros(x.shape[1], dtype=bool)
    for j in range(x.shape[1]):
        v = x[:, j].astype(float).copy()
        norm = np.linalg.norm(v)
        for q in basis:
            v -= (q @ v) * q
        for q in basis:  # a second pass for accuracy
            v -= (q @ v) * q
        if norm > 0 and np.linalg.norm(v) >= tol * norm:
            basis.append(v / np.linalg.norm(v))
            keep[j] = True
    return keep


@settings(max_examples=150)
@given(dummy_problems())
def test_aliasing_follows_r(problem):
    design, _, weights, _ = problem
    x = dense(design)
    w = np.ones(design.n_rows) if weights is None else weights
    assert (design.estimable(weights) == r_style_keep(x * np.sqrt(w)[:, None])).all()


@settings(max_examples=150)
@given(dummy_problems())
def test_coefficients_match_least_squares(problem):
    design, y, weights, clusters = problem
    result = fit(design, y, weights, clusters, "survey")
    keep = ~result.aliased
    x = dense(design)[:, keep]
    sw = np.ones(len(y)) if weights is None else np.sqrt(weights)
    expected, *_ = np.linalg.lstsq(x * sw[:, None], y * sw, rcond=None)
    np.testing.assert_allclose(result.coef[keep], expected, rtol=1e-9, atol=1e-9)
    assert np.isnan(result.coef[~keep]).all()


def statsmodels_fit(design, y, weights, keep):
    x = dense(design)[:, keep]
    return sm.OLS(y, x) if weights is None else sm.WLS(y, x, weights=weights)


@settings(max_examples=100)
@given(dummy_problems())
def test_variances_match_statsmodels(problem):
    design, y, weights, clusters = problem
    keep = ~fit(design, y, weights, clusters, "classical").aliased
    model = statsmodels_fit(design, y, weights, keep)
    m = clusters.max() + 1
    if m < 2 or keep.sum() >= len(y) - 1:
        return
    expected = {
        "classical": model.fit().cov_params(),
        "cr1": model.fit(cov_type="cluster", cov_kwds={"groups": clusters}).cov_params(),
        # survey: the cluster sandwich with only the M/(M-1) factor
        "survey": model.fit(cov_type="cluster", cov_kwds={"groups": clusters, "use_correction": False}).cov_params()
        * m
        / (m - 1),
    }
    for kind, cov in expected.items():
        got = fit(design, y, weights, clusters, kind).vcov[np.ix_(keep, keep)]
        # entries that should be zero differ by rounding: 3e-12 was seen beside entries of 0.97
        scale = max(1.0, float(np.abs(np.asarray(cov)).max()))
        np.testing.assert_allclose(got, np.asarray(cov), rtol=1e-7, atol=1e-10 * scale, err_msg=kind)
    wx = model.wexog
    leverage = np.einsum("ij,jk,ik->i", wx, np.linalg.inv(wx.T @ wx), wx)
    if leverage.max() < 1 - 1e-8:
        hc2 = model.fit(cov_type="HC2").cov_params()
        got = fit(design, y, weights, None, "hc2").vcov[np.ix_(keep, keep)]
        np.testing.assert_allclose(got, np.asarray(hc2), rtol=1e-7, atol=1e-12, err_msg="hc2")


def test_survey_without_clusters_is_hc0_times_n_over_n_minus_1():
    rng = np.random.default_rng(1)
    codes = rng.integers(0, 3, 200)
    design = DummyDesign(
        [Term("(Intercept)", ("",), np.zeros(200, dtype=np.int32)), Term("f", ("1", "2"), (codes - 1).astype(np.int32))]
    )
    y = rng.normal(size=200)
    hc0 = sm.OLS(y, dense(design)).fit(cov_type="HC0").cov_params()
    np.testing.assert_allclose(fit(design, y, None, None, "survey").vcov, hc0 * 200 / 199, rtol=1e-10)


def test_weights_scale_does_not_matter():
    rng = np.random.default_rng(2)
    codes = rng.integers(0, 3, 100)
    design = DummyDesign(
        [Term("(Intercept)", ("",), np.zeros(100, dtype=np.int32)), Term("f", ("1", "2"), (codes - 1).astype(np.int32))]
    )
    y, w, clusters = rng.normal(size=100), rng.uniform(0.5, 2, 100), rng.integers(0, 10, 100)
    for kind in ("survey", "cr1", "hc2", "classical"):
        a = fit(design, y, w, clusters, kind)
        b = fit(design, y, 7.5 * w, clusters, kind)
        np.testing.assert_allclose(a.coef, b.coef, rtol=1e-12)
        np.testing.assert_allclose(a.vcov, b.vcov, rtol=1e-9)


@pytest.mark.parametrize("n", [1, 1000, 70_000])
def test_blocks_do_not_change_the_result(n):
    """The design is accumulated in row blocks; sizes around a block boundary give the same fit
    as the dense matrix."""
    rng = np.random.default_rng(n)
    codes = rng.integers(0, 4, n)
    design = DummyDesign(
        [
            Term("(Intercept)", ("",), np.zeros(n, dtype=np.int32)),
            Term("f", ("1", "2", "3"), (codes - 1).astype(np.int32)),
        ]
    )
    x = dense(design)
    np.testing.assert_allclose(design.gram(None), x.T @ x)
    np.testing.assert_allclose(design.crossprod(np.arange(n, dtype=float)), x.T @ np.arange(n))


def test_an_aliased_interaction_cell_is_dropped_whatever_the_rounding():
    """A design hypothesis found: the interaction cell f0:f1[3] is a combination of the columns
    before it, but with these weights a test on the Gram matrix (squared norms, 1e-14) kept it and
    the fit disagreed with least squares. R's rule on the weighted rows drops it."""
    f0 = [0, 0, -1, -1, 0, 1, 1, -1, -1, 0, 1, 1, 1, 0, -1, 1, 0, 1, -1, -1]
    f1 = [0, 0, 1, 1, 0, -1, 0, 1, 0, -1, 1, -1, 0, -1, 1, 2, 0, 2, 0, 0]
    cells = [0, 0, -1, -1, 0, -1, 1, -1, -1, -1, 3, -1, 1, -1, -1, 5, 0, 5, -1, -1]
    weights = np.array([
        2.631306709947592, 2.750907143958242, 2.283682114778617, 1.6826753566545394, 0.9384635012541371,
        0.6344580910038422, 0.9987230826616851, 1.4184379140075125, 0.45729052599381215, 0.7492532834043579,
        0.35358590964423575, 1.019654208873047, 1.683703745751008, 2.6908583615973423, 2.9806534420408974,
        1.2677769937700945, 0.3342091342479406, 0.5946175008706871, 0.967812835068032, 2.900300644144315,
    ])  # fmt: skip
    design = DummyDesign(
        [
            Term("(Intercept)", ("",), np.zeros(20, dtype=np.int32)),
            Term("f0", ("1", "2"), np.array(f0, dtype=np.int32)),
            Term("f1", ("1", "2", "3"), np.array(f1, dtype=np.int32)),
            Term("f0:f1", tuple("012345"), np.array(cells, dtype=np.int32)),
        ]
    )
    x = dense(design)
    keep = design.estimable(weights)
    assert (keep == r_style_keep(x * np.sqrt(weights)[:, None])).all()
    assert not keep[design.names.index("f0:f1[3]")]
    y = np.linspace(-1.0, 2.0, 20) ** 2
    result = fit(design, y, weights)
    sw = np.sqrt(weights)
    expected, *_ = np.linalg.lstsq(x[:, keep] * sw[:, None], y * sw, rcond=None)
    np.testing.assert_allclose(result.coef[keep], expected, rtol=1e-9, atol=1e-9)

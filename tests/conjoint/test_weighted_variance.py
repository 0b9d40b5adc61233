"""Standard errors with survey weights, against routes that share no code with the estimator:
statsmodels and plain numpy on a dense design matrix built here.

cjoint with weights (``cluster = TRUE``) fits ``survey::svyglm`` on ``svydesign(ids = ~respondent,
weights = ~w)`` and reports ``vcov`` of that fit, and with ``cluster = FALSE`` on
``svydesign(ids = ~0, weights = ~w)``, every row its own PSU: a design-based sandwich
``M/(M-1) sum_c (s_c - mean s)(s_c - mean s)'`` over PSU score totals ``s_c = sum_{i in c} w_i e_i x_i``,
bread ``(X'WX)^-1``. cregg fits weighted models the same way, its differences in AMCEs included.
cjoint treats weights that are all equal as no weights.
"""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from winset.conjoint import Design, amce, amce_diffs, mm
from winset.conjoint.randomisation import Restriction

from .conftest import DATA, TAXES_BASELINES, needs_shared

pytestmark = needs_shared

FEATURES = list(TAXES_BASELINES)


def dense_design(frame: pd.DataFrame, features: list[str], levels: dict[str, list[str]]):
    """Intercept and one 0/1 column per non-baseline level (baseline = first of ``levels``),
    with the (feature, level) of each column."""
    columns, keys = [np.ones(len(frame))], [("(Intercept)", "")]
    for f in features:
        for level in levels[f][1:]:
            columns.append((frame[f] == level).to_numpy(float))
            keys.append((f, level))
    return np.column_stack(columns), keys


def taxes_levels(frame: pd.DataFrame, features: list[str]) -> dict[str, list[str]]:
    return {f: [TAXES_BASELINES[f], *sorted(set(frame[f]) - {TAXES_BASELINES[f]})] for f in features}


def numpy_design_based(x, y, w, groups, centre=True):
    """Coefficients and svyglm's design-based variance, from first principles."""
    xw = x * w[:, None]
    bread = np.linalg.inv(x.T @ xw)
    coef = bread @ (xw.T @ y)
    scores = xw * (y - x @ coef)[:, None]
    m = int(groups.max()) + 1
    totals = np.zeros((m, x.shape[1]))
    np.add.at(totals, groups, scores)
    if centre:
        totals -= totals.mean(axis=0)
    return coef, bread @ (totals.T @ totals * (m / (m - 1))) @ bread


def statsmodels_design_based(x, y, w, groups):
    """The same with statsmodels: clustered WLS without its small-sample factor, times M/(M-1)."""
    m = int(groups.max()) + 1
    result = sm.WLS(y, x, weights=w).fit(cov_type="cluster", cov_kwds={"groups": groups, "use_correction": False})
    return result.params, np.asarray(result.cov_params()) * m / (m - 1)


def standard_errors(table: pd.DataFrame, keys: list, vcov: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """winset's standard errors of the estimated levels, and the reference ones in the same order."""
    estimated = table["std_error"].notna().to_numpy()
    column = {key: j for j, key in enumerate(keys)}
    index = [column[key] for key in zip(table["feature"][estimated], table["level"][estimated], strict=True)]
    return table["std_error"][estimated].to_numpy(), np.sqrt(np.diag(vcov))[index]


@pytest.fixture(scope="module")
def taxes_dense(taxes):
    levels = taxes_levels(taxes, FEATURES)
    x, keys = dense_design(taxes, FEATURES, levels)
    y, w = taxes["chose_plan"].to_numpy(float), taxes["weight"].to_numpy(float)
    groups = pd.factorize(taxes["ID"], sort=True)[0]
    return x, keys, y, w, groups


def test_cjoint_weighted_amce_has_svyglm_respondent_clustered_errors(taxes, taxes_dense):
    x, keys, y, w, groups = taxes_dense
    result = amce(taxes, "chose_plan", FEATURES, id="ID", weights="weight", baselines=TAXES_BASELINES,
                  convention="cjoint")  # fmt: skip
    coef, by_numpy = numpy_design_based(x, y, w, groups)
    params, by_statsmodels = statsmodels_design_based(x, y, w, groups)
    # the two routes agree with each other; the score totals sum to zero at the solution, so
    # centring them changes nothing
    np.testing.assert_allclose(coef, params, rtol=1e-10)
    np.testing.assert_allclose(by_numpy, by_statsmodels, rtol=1e-9, atol=1e-16)
    np.testing.assert_allclose(numpy_design_based(x, y, w, groups, centre=False)[1], by_numpy, rtol=1e-9, atol=1e-16)
    got, expected = standard_errors(result, keys, by_numpy)
    np.testing.assert_allclose(got, expected, rtol=1e-8)
    np.testing.assert_allclose(got, standard_errors(result, keys, by_statsmodels)[1], rtol=1e-8)
    # HC2, which ignores the respondents, is far off on these data
    hc2 = np.asarray(sm.WLS(y, x, weights=w).fit(cov_type="HC2").cov_params())
    assert np.max(np.abs(got / standard_errors(result, keys, hc2)[1] - 1)) > 0.05
    # with weights, cjoint and cregg fit the same svyglm on an unrestricted design
    cregg = amce(taxes, "chose_plan", FEATURES, id="ID", weights="weight", baselines=TAXES_BASELINES)
    pd.testing.assert_frame_equal(result, cregg, rtol=1e-12)


def test_weights_without_respondent_ids_make_every_row_a_psu(taxes, taxes_dense):
    """svydesign(ids = ~0): M = N, the variance is HC0 times N/(N-1), for both packages."""
    x, keys, y, w, _ = taxes_dense
    n = len(y)
    rows = np.arange(n)
    _, by_numpy = numpy_design_based(x, y, w, rows)
    hc0 = np.asarray(sm.WLS(y, x, weights=w).fit(cov_type="HC0").cov_params()) * n / (n - 1)
    np.testing.assert_allclose(by_numpy, hc0, rtol=1e-9, atol=1e-16)
    for convention in ("cjoint", "cregg"):
        result = amce(taxes, "chose_plan", FEATURES, weights="weight", baselines=TAXES_BASELINES,
                      convention=convention)  # fmt: skip
        got, expected = standard_errors(result, keys, hc0)
        np.testing.assert_allclose(got, expected, rtol=1e-8, err_msg=convention)


def test_cjoint_treats_equal_weights_as_none(taxes):
    """cjoint drops a weights column with a single value, so its CR1 (with respondents) and HC2
    (without) apply as if no weights were given."""
    equal = taxes.assign(w=2.5)
    for id in ("ID", None):
        weighted = amce(equal, "chose_plan", FEATURES[:3], id=id, weights="w", convention="cjoint")
        unweighted = amce(equal, "chose_plan", FEATURES[:3], id=id, convention="cjoint")
        pd.testing.assert_frame_equal(weighted, unweighted, rtol=1e-12)


def r_estimable(x: np.ndarray) -> np.ndarray:
    """Columns R's lm keeps: in order, a column that raises the rank of the kept ones (on the
    distinct rows, which span the same column space)."""
    distinct = np.unique(x, axis=0)
    keep = np.zeros(x.shape[1], dtype=bool)
    rank = 0
    for j in range(x.shape[1]):
        trial = np.linalg.matrix_rank(distinct[:, np.append(np.flatnonzero(keep), j)])
        if trial > rank:
            keep[j], rank = True, trial
    return keep


def test_cjoint_weighted_restricted_design(immigration_cjoint):
    """Education x Job restricted, made-up respondent weights: each constrained AMCE is a sum of
    coefficients weighted by the design's probabilities (cjoint's rule, restricted to the other
    feature's levels also shown with the baseline); its variance is c'Vc with V svyglm's."""
    table = pd.read_csv(DATA / "immigration_design_education_job.csv", index_col=0)
    design = Design({}, (Restriction(("Education", "Job"), table),))
    education, jobs = list(table.index), list(table.columns)
    frame = immigration_cjoint.copy()
    groups = pd.factorize(frame["CaseID"], sort=True)[0]
    frame["w"] = np.random.default_rng(7).uniform(0.3, 3.0, groups.max() + 1)[groups]
    features = ["Gender", "Education", "Job"]
    levels = {"Gender": ["female", "male"], "Education": education, "Job": jobs}
    result = amce(frame, "Chosen_Immigrant", features, id="CaseID", weights="w", levels=levels, design=design,
                  convention="cjoint")  # fmt: skip

    x, keys = dense_design(frame, features, levels)
    for j in jobs[1:]:  # R's order: the first feature's level varies fastest
        for e in education[1:]:
            x = np.column_stack([x, ((frame["Education"] == e) & (frame["Job"] == j)).to_numpy(float)])
            keys.append(("Education:Job", (e, j)))
    keep = r_estimable(x)
    # never-shown cells (four jobs with three educations above the baseline), and each of those
    # jobs' last cell: the job's main column is the sum of its cells
    never = ~x.any(axis=0)
    assert never.sum() == 4 * 3 and (~keep & ~never).sum() == 4
    y, w = frame["Chosen_Immigrant"].to_numpy(float), frame["w"].to_numpy(float)
    coef, vcov = statsmodels_design_based(x[:, keep], y, w, groups)
    _, vcov_np = numpy_design_based(x[:, keep], y, w, groups)
    np.testing.assert_allclose(vcov_np, vcov, rtol=1e-9, atol=1e-16)
    column = {key: i for i, key in enumerate(k for k, kept in zip(keys, keep, strict=True) if kept)}

    p = table.to_numpy()
    checked = 0
    for row in result[result["std_error"].notna()].itertuples():
        c = np.zeros(len(column))
        c[column[(row.feature, row.level)]] = 1.0
        if row.feature != "Gender":
            if row.feature == "Education":
                joint = p[education.index(row.level)] * (p[0] > 0)  # over jobs shown with no formal
                cells = [((row.level, j), joint[k]) for k, j in enumerate(jobs) if k > 0]
            else:
                joint = p[:, jobs.index(row.level)] * (p[:, 0] > 0)  # over educations shown with janitors
                cells = [((e, row.level), joint[k]) for k, e in enumerate(education) if k > 0]
            for cell, weight in cells:
                if ("Education:Job", cell) in column:
                    c[column[("Education:Job", cell)]] = weight / joint.sum()
        assert row.estimate == pytest.approx(c @ coef, abs=1e-10), row
        assert row.std_error == pytest.approx(np.sqrt(c @ vcov @ c), rel=1e-8), row
        checked += 1
    assert checked == 1 + 6 + 10


def test_weighted_amce_diffs_keep_the_respondent_clusters(taxes):
    """cregg's amce_diffs fits svyglm on svydesign(ids = id, weights = weights): the difference
    coefficients get the respondent-clustered design-based variance (cjoint's rule gives the same)."""
    features = ["taxrate1", "taxrev"]
    levels = taxes_levels(taxes, features)
    x, keys = dense_design(taxes, features, levels)
    group = (taxes["inequality_aversion"] == 1.0).to_numpy(float)
    columns = [x, group[:, None]]
    for j in range(1, x.shape[1]):
        columns.append((x[:, j] * group)[:, None])
        keys.append(("diff", keys[j]))
    keys.insert(x.shape[1], ("group", ""))
    x = np.column_stack(columns)
    y, w = taxes["chose_plan"].to_numpy(float), taxes["weight"].to_numpy(float)
    groups = pd.factorize(taxes["ID"], sort=True)[0]
    _, vcov = numpy_design_based(x, y, w, groups)
    _, vcov_sm = statsmodels_design_based(x, y, w, groups)
    np.testing.assert_allclose(vcov, vcov_sm, rtol=1e-9, atol=1e-16)
    column = {key: j for j, key in enumerate(keys)}
    for convention in ("cregg", "cjoint"):
        result = amce_diffs(taxes, "chose_plan", features, by="inequality_aversion", id="ID", weights="weight",
                            levels=levels, convention=convention)  # fmt: skip
        index = [column[("diff", key)] for key in zip(result["feature"], result["level"], strict=True)]
        np.testing.assert_allclose(result["std_error"], np.sqrt(np.diag(vcov))[index], rtol=1e-8, err_msg=convention)


def test_marginal_means_without_ids_have_one_psu_per_row_of_each_feature(taxes):
    """cregg's mm fits svyglm(OUTCOME ~ 0 + LEVEL) per feature on svydesign(ids = id, weights):
    without ids each of the feature's N rows is a PSU, so the variance is HC0 times N/(N-1)."""
    features = ["taxrate1", "taxrev"]
    y, w = taxes["chose_plan"].to_numpy(float), taxes["weight"].to_numpy(float)
    n = len(y)
    for weights in ("weight", None):
        result = mm(taxes, "chose_plan", features, weights=weights).set_index(["feature", "level"])
        for feature in features:
            levels = sorted(set(taxes[feature]))
            x = np.column_stack([(taxes[feature] == level).to_numpy(float) for level in levels])
            fitted = sm.WLS(y, x, weights=w if weights else np.ones(n)).fit(cov_type="HC0")
            expected = np.sqrt(np.diag(np.asarray(fitted.cov_params())) * n / (n - 1))
            got = result.loc[[(feature, level) for level in levels], "std_error"].to_numpy()
            np.testing.assert_allclose(got, expected, rtol=1e-8, err_msg=f"{feature}, weights={weights}")

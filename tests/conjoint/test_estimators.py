"""Estimators beyond the published numbers: weights, groups, frequencies, the F test, file formats."""

import json

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from statsmodels.stats.anova import anova_lm
from typer.testing import CliRunner

from winset.cli import app
from winset.conjoint import ConjointData, amce, amce_diffs, cj_anova, freqs, mm, mm_diffs, props, read_table

from .conftest import EDUCATION, JOBS, TAXES_BASELINES, TAXES_FEATURES, needs_shared
from .test_errors import small

runner = CliRunner()


def dummies(frame: pd.DataFrame, features: list[str], baselines: dict) -> np.ndarray:
    columns = [np.ones(len(frame))]
    for f in features:
        levels = sorted(set(frame[f]) - {baselines[f]})
        columns += [(frame[f] == level).to_numpy(float) for level in levels]
    return np.column_stack(columns)


@needs_shared
def test_weighted_amce_matches_weighted_least_squares(taxes):
    """With weights both packages report svyglm's variance: WLS, clustered sandwich with M/(M-1)."""
    features = TAXES_FEATURES[:3]
    baselines = {f: TAXES_BASELINES[f] for f in features}
    x = dummies(taxes, features, baselines)
    y, w = taxes["chose_plan"].to_numpy(float), taxes["weight"].to_numpy(float)
    groups = pd.factorize(taxes["ID"])[0]
    m = groups.max() + 1
    wls = sm.WLS(y, x, weights=w)
    cregg = amce(taxes, "chose_plan", features, id="ID", weights="weight", baselines=baselines)
    cjoint = amce(taxes, "chose_plan", features, id="ID", weights="weight", baselines=baselines, convention="cjoint")
    survey_se = np.sqrt(
        np.diag(wls.fit(cov_type="cluster", cov_kwds={"groups": groups, "use_correction": False}).cov_params())
        * m
        / (m - 1)
    )
    estimated = cregg["std_error"].notna().to_numpy()
    # the statsmodels column of each (feature, level), in the order `dummies` builds them
    column = {(f, lv): j for j, (f, lv) in enumerate(
        ((f, lv) for f in features for lv in sorted(set(taxes[f]) - {baselines[f]})), start=1
    )}  # fmt: skip
    columns = [column[key] for key in zip(cregg["feature"][estimated], cregg["level"][estimated], strict=True)]
    np.testing.assert_allclose(cregg["estimate"][estimated], wls.fit().params[columns], rtol=1e-9)
    np.testing.assert_allclose(cregg["std_error"][estimated], survey_se[columns], rtol=1e-8)
    np.testing.assert_allclose(cjoint["std_error"][estimated], survey_se[columns], rtol=1e-8)


def test_estimates_by_group_equal_estimates_on_each_subset():
    frame = small(80)
    together = amce(frame, "chosen", ["price", "brand"], id="resp", by="group")
    for group in ("old", "young"):
        alone = amce(frame[frame["group"] == group], "chosen", ["price", "brand"], id="resp")
        mine = together[together["group"] == group].drop(columns="group").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone)
    means = mm(frame, "chosen", ["price"], id="resp", by="group")
    assert list(means.columns[:4]) == ["group", "outcome", "statistic", "feature"]
    diffs = mm_diffs(frame, "chosen", ["price"], id="resp", by="group")
    young, old = (means[means["group"] == g].set_index("level") for g in ("young", "old"))
    np.testing.assert_allclose(
        diffs.set_index("level")["estimate"], young["estimate"] - old.loc[young.index, "estimate"]
    )
    assert set(diffs["group"]) == {"young - old"}


def test_amce_diffs_are_the_difference_of_separate_fits_when_saturated():
    """With every feature interacted with the group, the difference coefficient equals the
    difference of the AMCEs estimated in each group separately."""
    frame = small(120, seed=3)
    diffs = amce_diffs(frame, "chosen", ["price", "brand"], by="group", id="resp")
    by_group = amce(frame, "chosen", ["price", "brand"], id="resp", by="group").set_index(["group", "feature", "level"])
    for row in diffs.itertuples():
        expected = (
            by_group.loc[("young", row.feature, row.level), "estimate"]
            - by_group.loc[("old", row.feature, row.level), "estimate"]
        )
        assert row.estimate == pytest.approx(expected, abs=1e-12)


def test_marginal_means_are_weighted_means():
    frame = small(50)
    result = mm(frame, "chosen", ["price"], weights="w").set_index("level")
    for level, part in frame.groupby("price"):
        assert result.loc[level, "estimate"] == pytest.approx(np.average(part["chosen"], weights=part["w"]))


def test_freqs_and_props():
    frame = small(40)
    counts = freqs(frame, ["price", "brand"]).set_index(["feature", "level"])["count"]
    for feature in ("price", "brand"):
        for level, n in frame[feature].value_counts().items():
            assert counts[(feature, level)] == n
    table = props(frame, ["price", "brand"])
    assert table["proportion"].sum() == pytest.approx(1.0)
    within = props(frame, ["price", "brand"], given="brand")
    assert within.groupby("brand")["proportion"].sum().to_numpy() == pytest.approx([1.0, 1.0])


@needs_shared
def test_props_show_the_restrictions(immigration):
    table = props(immigration, ["Education", "Job"], levels={"Education": EDUCATION, "Job": JOBS})
    never = table[table["proportion"] == 0]
    assert len(never) == 16  # four jobs need two-year college or more: 4 educations x 4 jobs
    assert set(never["Job"]) == {"Financial Analyst", "Computer Programmer", "Research Scientist", "Doctor"}


@needs_shared
def test_cj_anova_matches_statsmodels(immigration):
    ours = cj_anova(immigration, "ChosenImmigrant", ["Gender", "Education", "LanguageSkills"], by="contest_no")
    frame = immigration.assign(contest=immigration["contest_no"].astype(str))
    reduced = smf.ols("ChosenImmigrant ~ Gender + Education + LanguageSkills", frame).fit()
    full = smf.ols("ChosenImmigrant ~ (Gender + Education + LanguageSkills) * contest", frame).fit()
    theirs = anova_lm(reduced, full)
    assert ours.loc[1, "f"] == pytest.approx(theirs["F"].iloc[1], rel=1e-9)
    assert ours.loc[1, "p"] == pytest.approx(theirs["Pr(>F)"].iloc[1], rel=1e-9)
    assert ours.loc[1, "df"] == theirs["df_diff"].iloc[1]


def test_parquet_and_csv_read_the_same(tmp_path):
    frame = small(10)
    frame.to_parquet(tmp_path / "d.parquet")
    frame.to_csv(tmp_path / "d.csv", index=False)
    a = amce(read_table(tmp_path / "d.parquet"), "chosen", ["price"], id="resp")
    b = amce(read_table(tmp_path / "d.csv"), "chosen", ["price"], id="resp")
    pd.testing.assert_frame_equal(a, b)


def test_levels_follow_natural_order_and_categoricals():
    frame = pd.DataFrame({"y": [1, 0, 1, 0, 1, 0], "price": ["15%", "5%", "100%", "5%", "15%", "100%"]})
    assert list(ConjointData(frame, "y", ["price"]).feature("price").levels) == ["5%", "15%", "100%"]
    frame["price"] = pd.Categorical(frame["price"], categories=["100%", "15%", "5%", "unused"])
    assert list(ConjointData(frame, "y", ["price"]).feature("price").levels) == ["100%", "15%", "5%"]


def test_cli_mm_by_group_json_and_figure(tmp_path):
    path = tmp_path / "d.csv"
    small(40).to_csv(path, index=False)
    result = runner.invoke(
        app,
        [
            "mm",
            str(path),
            "--outcome",
            "chosen",
            "--features",
            "price,brand",
            "--id",
            "resp",
            "--by",
            "group",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["ok"] is True
    rows = document["estimates"]
    assert {r["group"] for r in rows} == {"old", "young"} and len(rows) == 10
    figure, table = tmp_path / "mm.pdf", tmp_path / "mm.csv"
    args = ["mm", str(path), "--outcome", "chosen", "--features", "price", "--by", "group", "--diffs"]
    result = runner.invoke(app, [*args, "--plot", str(figure), "--out", str(table)])
    assert result.exit_code == 0, result.output
    assert figure.read_bytes().startswith(b"%PDF")
    assert set(pd.read_csv(table)["group"]) == {"young - old"}

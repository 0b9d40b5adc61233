"""Every number in the published cregg and cjoint output (shared/reference/conjoint) reproduced
through the public API, to the precision the packages printed."""

import csv
import shutil

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from winset.cli import app
from winset.conjoint import Design, amce, amce_diffs, mm, mm_diffs

from .conftest import (
    DATA,
    EDUCATION,
    IMMIGRATION_BASELINES,
    JOBS,
    REFERENCE,
    TAXES_BASELINES,
    TAXES_FEATURES,
    needs_shared,
)

pytestmark = [needs_shared, pytest.mark.shared("reference", "conjoint")]


def reference(name: str) -> list[dict]:
    """Rows of a reference file with each number's tolerance: half a unit of its last printed
    digit (at most 5e-10 where the file prints 9 or more decimals)."""
    with (REFERENCE / name).open() as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        for column in ("estimate", "std.error"):
            text = row[column]
            decimals = len(text.split(".")[1]) if "." in text else 0
            row[f"{column}_tol"] = 0.5 * 10.0**-decimals + 1e-12
    return rows


def assert_matches(result: pd.DataFrame, name: str) -> None:
    rows = reference(name)
    by_level = {level: row for level, row in zip(result["level"], result.to_dict("records"), strict=True)}
    assert len(by_level) == len(result), "levels must be unique in the result"
    for row in rows:
        got = by_level[row["level"]]
        assert abs(got["estimate"] - float(row["estimate"])) <= row["estimate_tol"], (row, got)
        assert abs(got["std_error"] - float(row["std.error"])) <= row["std.error_tol"], (row, got)


def test_the_amce_tables_are_checked_to_1e8():
    # the other files print 6 to 8 significant digits: they are checked to their last digit
    for name in ("cregg_taxes_amce.csv", "cregg_immigration_amce_constrained.csv"):
        assert max(max(r["estimate_tol"], r["std.error_tol"]) for r in reference(name)) <= 1e-8


def test_cregg_taxes_amce(taxes):
    result = amce(taxes, "chose_plan", TAXES_FEATURES, id="ID", baselines=TAXES_BASELINES)
    assert_matches(result[result["std_error"].notna()], "cregg_taxes_amce.csv")
    assert len(result) == 25 + 7  # every level, baselines included


def test_cregg_immigration_mm(immigration):
    result = mm(
        immigration,
        "ChosenImmigrant",
        ["Gender", "Education", "LanguageSkills"],
        id="CaseID",
        levels={"Education": EDUCATION},
    )
    assert_matches(result, "cregg_immigration_mm.csv")


def test_cregg_immigration_constrained_amce(immigration):
    features = [
        "Gender",
        "LanguageSkills",
        "PriorEntry",
        "Education",
        "Job",
        "CountryOfOrigin",
        "ReasonForApplication",
        "JobExperience",
        "JobPlans",
    ]
    result = amce(
        immigration,
        "ChosenImmigrant",
        features,
        id="CaseID",
        levels={"Education": EDUCATION, "Job": JOBS},
        baselines=IMMIGRATION_BASELINES,
        restricted=[("Education", "Job"), ("CountryOfOrigin", "ReasonForApplication")],
    )
    assert_matches(result[result["std_error"].notna()], "cregg_immigration_amce_constrained.csv")


def test_cregg_immigration_amce_diffs(immigration):
    result = amce_diffs(
        immigration, "ChosenImmigrant", ["LanguageSkills", "Education"], by="Gender", id="CaseID",
        levels={"Education": EDUCATION}, baselines={"LanguageSkills": "Fluent English"},
    )  # fmt: skip
    assert set(result["Gender"]) == {"Male - Female"}
    assert_matches(result, "cregg_immigration_amce_diffs_gender.csv")


def test_cregg_immigration_mm_diffs(immigration):
    result = mm_diffs(
        immigration, "ChosenImmigrant", ["LanguageSkills", "Education"], by="Gender", id="CaseID",
        levels={"Education": EDUCATION}, baselines={"LanguageSkills": "Fluent English"},
    )  # fmt: skip
    assert_matches(result, "cregg_immigration_mm_diffs_gender.csv")


def test_cjoint_immigration_amce_language(immigration_cjoint):
    result = amce(
        immigration_cjoint, "Chosen_Immigrant", ["Language Skills"], id="CaseID",
        baselines={"Language Skills": "fluent English"}, convention="cjoint",
    )  # fmt: skip
    assert_matches(result[result["std_error"].notna()], "cjoint_immigration_amce_language.csv")
    # the test tells the conventions apart: cregg's factor gives other standard errors
    cregg = amce(
        immigration_cjoint,
        "Chosen_Immigrant",
        ["Language Skills"],
        id="CaseID",
        baselines={"Language Skills": "fluent English"},
    )
    assert np.abs(cregg["std_error"] - result["std_error"]).max() > 1e-6


def test_restricted_design_cregg_and_cjoint_differ_as_published(immigration_cjoint, tmp_path):
    """The reference README: two-year college is 0.1634 with cregg's averaging and 0.1488 with
    cjoint's design weights."""
    for name in ("immigration_design_education_job.csv", "immigration_design_country_reason.csv"):
        shutil.copy(DATA / name, tmp_path / name)
    (tmp_path / "design.toml").write_text(
        '[[restrictions]]\nfeatures = ["Education", "Job"]\nprobabilities = "immigration_design_education_job.csv"\n'
        '[[restrictions]]\nfeatures = ["Country of Origin", "Reason for Application"]\n'
        'probabilities = "immigration_design_country_reason.csv"\n'
    )
    design = Design.from_file(tmp_path / "design.toml")
    features = [
        "Gender",
        "Education",
        "Language Skills",
        "Country of Origin",
        "Job",
        "Job Experience",
        "Job Plans",
        "Reason for Application",
        "Prior Entry",
    ]
    baselines = {
        "Gender": "female",
        "Language Skills": "fluent English",
        "Country of Origin": "India",
        "Prior Entry": "never",
        "Job Experience": "none",
        "Job Plans": "will look for work",
    }
    two_year = {}
    for convention in ("cregg", "cjoint"):
        result = amce(
            immigration_cjoint,
            "Chosen_Immigrant",
            features,
            id="CaseID",
            baselines=baselines,
            design=design,
            convention=convention,
        )
        two_year[convention] = result.set_index("level").loc["two-year college", "estimate"]
    assert round(two_year["cregg"], 4) == 0.1634
    assert round(two_year["cjoint"], 4) == 0.1488


def test_cli_reproduces_the_taxes_table(tmp_path):
    out = tmp_path / "amce.csv"
    args = [
        "amce",
        str(DATA / "taxes.csv"),
        "--outcome",
        "chose_plan",
        "--id",
        "ID",
        "--features",
        ",".join(TAXES_FEATURES),
    ]
    for feature, level in TAXES_BASELINES.items():
        args += ["--baseline", f"{feature}={level}"]
    result = CliRunner().invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, keep_default_na=False, na_values=[""])
    assert list(table.columns[:6]) == ["outcome", "statistic", "feature", "level", "estimate", "std_error"]
    assert set(table["outcome"]) == {"chose_plan"} and set(table["statistic"]) == {"amce"}
    assert_matches(table[table["std_error"].notna()], "cregg_taxes_amce.csv")
    assert "taxrate1" in result.stdout and "<10k: 15%" in result.stdout

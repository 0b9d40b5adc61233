"""Bad input gets one clear message naming the rows and columns, and exit code 2 on the command line."""

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from winset.cli import app
from winset.conjoint import ConjointData, ConjointError, Design, DesignError, amce, mm, mm_diffs

runner = CliRunner()


def small(n_respondents: int = 30, seed: int = 0) -> pd.DataFrame:
    """Two tasks of two profiles per respondent; price and brand; a forced choice."""
    rng = np.random.default_rng(seed)
    rows = []
    for r in range(n_respondents):
        for task in (1, 2):
            chosen = rng.integers(0, 2)
            for profile in (0, 1):
                rows.append(
                    {
                        "resp": r,
                        "task": task,
                        "profile": profile + 1,
                        "price": rng.choice(["low", "mid", "high"]),
                        "brand": rng.choice(["A", "B"]),
                        "chosen": int(profile == chosen),
                        "group": "young" if r % 2 else "old",
                        "w": rng.uniform(0.5, 2),
                    }
                )
    return pd.DataFrame(rows)


def problems(call) -> list[tuple[str, str]]:
    with pytest.raises(ConjointError) as caught:
        call()
    return [(p.location, p.message) for p in caught.value.problems]


def test_unknown_column_suggests_the_closest():
    assert problems(lambda: amce(small(), "chosn", ["price"], id="resp")) == [
        ("outcome column 'chosn'", "the data have no column 'chosn' (did you mean 'chosen'?)")
    ]


def test_non_numeric_outcome_names_rows():
    frame = small().astype({"chosen": object})
    frame.loc[[3, 8], "chosen"] = ["yes", "no"]
    assert problems(lambda: amce(frame, "chosen", ["price"])) == [
        ("column 'chosen'", "the outcome is not a number in rows 3, 8 (e.g. 'yes', 'no')")
    ]


def test_missing_outcome_names_rows():
    frame = small()
    frame["chosen"] = frame["chosen"].astype(float)
    frame.loc[[5], "chosen"] = np.nan
    assert problems(lambda: mm(frame, "chosen", ["price"])) == [("column 'chosen'", "the outcome is missing in row 5")]


def test_unknown_level_against_given_levels():
    frame = small()
    frame.loc[2, "price"] = "hihg"
    assert problems(lambda: amce(frame, "chosen", ["price"], levels={"price": ["low", "mid", "high"]})) == [
        ("column 'price'", "unknown level 'hihg' (did you mean 'high'?) in row 2")
    ]


def test_level_given_but_never_shown():
    assert problems(lambda: amce(small(), "chosen", ["price"], levels={"price": ["low", "mid", "high", "free"]})) == [
        ("column 'price'", "level 'free' never appears in the data")
    ]


def test_unknown_baseline():
    assert problems(lambda: amce(small(), "chosen", ["price"], baselines={"price": "lo"})) == [
        ("feature 'price'", "baseline 'lo' is not a level of price (did you mean 'low'?)")
    ]


def test_combination_the_design_forbids(tmp_path):
    (tmp_path / "design.toml").write_text(
        '[features]\nprice = ["low", "mid", "high"]\nbrand = ["A", "B"]\n'
        '[[restrictions]]\nfeatures = ["price", "brand"]\nforbid = [["low", "B"]]\n'
    )
    design = Design.from_file(tmp_path / "design.toml")
    frame = small()
    rows = np.flatnonzero((frame["price"] == "low") & (frame["brand"] == "B"))
    found = problems(lambda: amce(frame, "chosen", ["price", "brand"], design=design))
    assert found == [
        (
            "columns 'price', 'brand'",
            (
                f"the design never shows price='low' with brand='B', but the data do in rows {', '.join(map(str, rows[:5]))}"
                f" and {len(rows) - 5} more"
            ),
        )
    ]


def test_incomplete_tasks():
    frame = small().drop(index=[6])  # respondent 1, task 2 loses a profile
    found = problems(lambda: ConjointData(frame, "chosen", ["price"], id="resp", task="task", profile="profile"))
    assert found == [("columns 'resp', 'task'", "incomplete tasks: most tasks show 2 profiles, but not those in row 7")]


def test_duplicate_profiles():
    frame = small()
    frame.loc[1, "profile"] = 1
    found = problems(lambda: ConjointData(frame, "chosen", ["price"], id="resp", task="task", profile="profile"))
    assert found == [
        ("columns 'resp', 'task', 'profile'", "the same respondent, task and profile appear more than once (row 1)")
    ]


def test_empty_subgroup():
    frame = small()
    frame.loc[(frame["group"] == "young") & (frame["price"] == "mid"), "price"] = "low"
    assert problems(lambda: mm(frame, "chosen", ["price"], id="resp", by="group")) == [
        ("column 'price'", "group group = 'young' has no row with price = 'mid'")
    ]


def test_single_group_and_missing_by_column():
    frame = small().assign(group="all")
    assert problems(lambda: mm_diffs(frame, "chosen", ["price"], by="group")) == [
        ("column 'group'", "only one group ('all')")
    ]
    assert problems(lambda: mm(small(), "chosen", ["price"], by="grop")) == [
        ("by column 'grop'", "the data have no column 'grop' (did you mean 'group'?)")
    ]


def test_bad_weights_and_convention_and_alpha():
    frame = small()
    frame.loc[0, "w"] = -1.0
    assert problems(lambda: amce(frame, "chosen", ["price"], weights="w")) == [
        ("column 'w'", "negative weight in row 0")
    ]
    assert problems(lambda: amce(small(), "chosen", ["price"], convention="creg")) == [
        ("convention", "unknown convention 'creg' (did you mean 'cregg'?)")
    ]
    assert problems(lambda: amce(small(), "chosen", ["price"], alpha=5)) == [
        ("alpha", "alpha must be between 0 and 1, got 5")
    ]


def test_restriction_on_unknown_feature():
    assert problems(lambda: amce(small(), "chosen", ["price", "brand"], restricted=[("price", "brnd")])) == [
        ("restriction ('price', 'brnd')", "'brnd' is not one of the features (did you mean 'brand'?)")
    ]


def test_covariates_are_checked():
    frame = small()
    frame["age"] = 30.0
    frame.loc[4, "age"] = np.nan
    assert problems(lambda: ConjointData(frame, "chosen", ["price"], covariates=["age", "income"])) == [
        ("covariate column 'income'", "the data have no column 'income'")
    ]
    assert problems(lambda: ConjointData(frame, "chosen", ["price"], covariates=["age"])) == [
        ("column 'age'", "the covariate is missing in row 4")
    ]


def test_user_frame_is_not_modified():
    frame = small()
    before = frame.copy()
    amce(frame, "chosen", ["price", "brand"], id="resp", weights="w", by="group")
    pd.testing.assert_frame_equal(frame, before)


def test_design_file_problems(tmp_path):
    path = tmp_path / "design.toml"
    path.write_text('[features]\nprice = "low"\n[[restrictions]]\nfeatures = ["price"]\nforbid = []\n[extra]\n')
    with pytest.raises(DesignError) as caught:
        Design.from_file(path)
    assert [p.location for p in caught.value.problems] == ["extra", "features.price", "restrictions[0].features"]
    path.write_text('[[restrictions]]\nfeatures = ["a", "b"]\nprobabilities = "nope.csv"\n')
    with pytest.raises(DesignError, match=r"probability table .* does not exist"):
        Design.from_file(path)


# ------------------------------------------------------------------------------------- command line
@pytest.fixture
def data_file(tmp_path):
    path = tmp_path / "data.csv"
    small().to_csv(path, index=False)
    return path


def run(*args):
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result


def test_cli_bad_input_exits_2_with_lines(tmp_path, data_file):
    frame = small().astype({"chosen": object})
    frame.loc[3, "chosen"] = "yes"
    bad = tmp_path / "bad.csv"
    frame.to_csv(bad, index=False)
    result = run("amce", bad, "--outcome", "chosen", "--features", "price")
    assert result.exit_code == 2
    assert "the outcome is not a number in line 5 (e.g. 'yes')" in result.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["--baseline", "price"], "expected A=level, got 'price'"),
        (["--levels", "price=low"], "unknown levels 'mid', 'high' in lines"),
        (["--restrict", "price"], "expected two features as A*B, got 'price'"),
        (["--diffs"], "differences need groups"),
        (["--convention", "stata"], "unknown convention 'stata'"),
        (["--plot", "figure.gif"], "a figure is a .png, .svg or .pdf file"),
        (["--design", "nope.toml"], "no such design file"),
    ],
)
def test_cli_option_errors(data_file, args, message):
    result = run("amce", data_file, "--outcome", "chosen", "--features", "price,brand", *args)
    assert result.exit_code == 2
    assert message in result.stderr.replace("\n", " ") or message in result.stderr


def test_cli_refuses_to_overwrite_the_data(data_file):
    before = data_file.read_bytes()
    result = run("mm", data_file, "--outcome", "chosen", "--features", "price", "--out", data_file)
    assert result.exit_code == 2
    assert "a file the command reads" in result.stderr
    assert data_file.read_bytes() == before


def test_cli_missing_file():
    result = run("mm", "nowhere.csv", "--outcome", "chosen", "--features", "price")
    assert result.exit_code == 2
    assert "no such file" in result.stderr

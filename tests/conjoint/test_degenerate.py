"""Data from which no estimate can be had: no rows, one respondent, an outcome that never varies,
more coefficients than rows, a row the model fits exactly, impossible weights. Each is a clear
problem (exit code 2 on the command line), never a traceback or a number that means nothing."""

import warnings

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from winset.cli import app
from winset.conjoint import ConjointError, amce, amce_diffs, cj_anova, mm, mm_diffs

from .test_errors import small

runner = CliRunner()


def problems(call) -> list[tuple[str, str]]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow on the way is a failure too
        with pytest.raises(ConjointError) as caught:
            call()
    return [(p.location, p.message) for p in caught.value.problems]


def refused(tmp_path, frame, *args) -> str:
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    result = runner.invoke(app, [*args[:1], str(path), *args[1:]])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    return result.stderr.replace("\n      ", " ")


# ------------------------------------------------------------------------------- no rows
def test_a_frame_without_rows():
    empty = small().iloc[:0]
    for estimate in (amce, mm):
        assert problems(lambda estimate=estimate: estimate(empty, "chosen", ["price"], id="resp")) == [
            ("data", "the data have no rows")
        ]


# ------------------------------------------------------------------------------- one respondent
def test_one_respondent():
    one = small().query("resp == 3")
    expected = [("column 'resp'", "there is only one respondent ('3'): standard errors need at least two")]
    assert problems(lambda: amce(one, "chosen", ["price"], id="resp")) == expected
    assert problems(lambda: mm(one, "chosen", ["price"], id="resp")) == expected


def test_one_respondent_in_a_group():
    frame = small(4)
    frame["region"] = np.where(frame["resp"] == 0, "alone", "rest")
    frame.loc[frame["resp"] == 0, "price"] = ["low", "mid", "high", "low"]
    frame.loc[frame["resp"] == 1, "price"] = ["low", "mid", "high", "low"]
    assert problems(lambda: amce(frame, "chosen", ["price"], id="resp", by="region")) == [
        (
            "column 'resp'",
            "in group region = 'alone': there is only one respondent ('0'): standard errors need at least two",
        )
    ]


def test_one_respondent_on_the_command_line(tmp_path):
    for command in ("amce", "mm"):
        args = ["--outcome", "chosen", "--features", "price", "--id", "resp"]
        assert "there is only one respondent ('3')" in refused(tmp_path, small().query("resp == 3"), command, *args)


# ------------------------------------------------------------------------------- rows and coefficients
def test_two_rows_for_two_coefficients():
    two = pd.DataFrame({"price": ["low", "high"], "chosen": [1, 0]})
    for convention in ("cregg", "cjoint"):
        assert problems(lambda convention=convention: amce(two, "chosen", ["price"], convention=convention)) == [
            ("data", "2 rows for 2 coefficients: no degrees of freedom are left for the standard errors")
        ]


def test_as_many_coefficients_as_rows(tmp_path):
    frame = pd.DataFrame(
        {"a": ["x", "y", "x", "x"], "b": ["x", "x", "y", "x"], "c": ["x", "x", "x", "y"], "chosen": [1, 0, 1, 0]}
    )
    args = ["--outcome", "chosen", "--features", "a,b,c"]
    for convention in ("cregg", "cjoint"):
        stderr = refused(tmp_path, frame, "amce", *args, "--convention", convention)
        assert "4 rows for 4 coefficients: no degrees of freedom are left for the standard errors" in stderr


def test_a_row_with_leverage_one_under_hc2():
    frame = small()
    frame.loc[7, "price"] = "free"  # the only row showing it: the model fits it exactly
    found = problems(
        lambda: amce(frame, "chosen", ["price"], levels={"price": ["low", "mid", "high", "free"]}, convention="cjoint")
    )
    assert found == [
        (
            "data",
            (
                "row 7 has leverage 1 (the model fits it exactly), so its HC2 variance, "
                "cjoint's without respondent ids or weights, is not defined"
            ),
        )
    ]


def test_leverage_one_names_the_file_line_within_a_group(tmp_path):
    frame = small()
    old, young = (np.flatnonzero(frame["group"] == group) for group in ("old", "young"))
    rows = [int(young[3]), int(old[3]), int(old[9])]  # two in the old group: no leverage 1 there
    frame.loc[rows, "price"] = "free"
    stderr = refused(
        tmp_path, frame, "amce", "--outcome", "chosen", "--features", "price", "--by", "group",
        "--levels", "price=low|mid|high|free", "--convention", "cjoint",
    )  # fmt: skip
    assert f"in group group = 'young': line {rows[0] + 2} has leverage 1" in stderr


# ------------------------------------------------------------------------------- an outcome that never varies
@pytest.mark.parametrize(
    "estimate",
    [
        lambda f: amce(f, "chosen", ["price"], id="resp"),
        lambda f: mm(f, "chosen", ["price"], id="resp"),
        lambda f: amce_diffs(f, "chosen", ["price"], id="resp", by="group"),
        lambda f: mm_diffs(f, "chosen", ["price"], id="resp", by="group"),
        lambda f: cj_anova(f, "chosen", ["price"], by="group"),
    ],
)
def test_an_outcome_that_never_varies(estimate):
    frame = small().assign(chosen=1)
    ((location, message),) = problems(lambda: estimate(frame))
    assert location == "column 'chosen'"
    assert message.endswith("the outcome is 1 in every row: there is nothing to estimate")


def test_an_outcome_that_varies_only_in_rows_without_weight():
    frame = small().assign(chosen=1.0)
    frame.loc[0, ["chosen", "w"]] = [0.0, 0.0]
    assert problems(lambda: amce(frame, "chosen", ["price"], id="resp", weights="w")) == [
        ("column 'chosen'", "the outcome is 1 in every row: there is nothing to estimate")
    ]


def test_an_outcome_that_never_varies_on_the_command_line(tmp_path):
    stderr = refused(tmp_path, small().assign(chosen=0), "amce", "--outcome", "chosen", "--features", "price")
    assert "the outcome is 0 in every row: there is nothing to estimate" in stderr


# ------------------------------------------------------------------------------- weights
def test_a_weight_out_of_all_proportion():
    frame = small().assign(w=1.0)
    frame.loc[4, "w"] = 1e308
    expected = [
        (
            "column 'w'",
            "weight 1e+308 in row 4 is more than 1,000 times the median weight (1)",
        )
    ]
    assert problems(lambda: amce(frame, "chosen", ["price"], id="resp", weights="w")) == expected
    assert problems(lambda: mm(frame, "chosen", ["price"], id="resp", weights="w")) == expected


def test_huge_weights_all_alike_change_nothing():
    frame = small()
    plain = amce(frame, "chosen", ["price", "brand"], id="resp", weights="w")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        huge = amce(frame.assign(w=frame["w"] * 1e307), "chosen", ["price", "brand"], id="resp", weights="w")
        means = mm(frame.assign(w=frame["w"] * 1e307), "chosen", ["price", "brand"], id="resp", weights="w")
    pd.testing.assert_frame_equal(plain, huge, rtol=1e-12)
    pd.testing.assert_frame_equal(mm(frame, "chosen", ["price", "brand"], id="resp", weights="w"), means, rtol=1e-12)


def test_huge_weights_make_the_same_respondents():
    from winset.conjoint import ConjointData
    from winset.support.population import respondents

    frame = small()
    plain = respondents(ConjointData(frame, "chosen", ["price"], id="resp", weights="w"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        huge = respondents(
            ConjointData(frame.assign(w=frame["w"] * 1e307), "chosen", ["price"], id="resp", weights="w")
        )
    np.testing.assert_allclose(huge.weights, plain.weights, rtol=1e-12)


def test_a_weight_at_the_limit_is_accepted():
    frame = small().assign(w=1.0)
    frame.loc[4, "w"] = 1000.0
    assert np.isfinite(amce(frame, "chosen", ["price"], id="resp", weights="w")["std_error"].iloc[1:]).all()


def test_a_level_that_only_rows_without_weight_show():
    frame = small()
    frame.loc[frame["price"] == "low", "w"] = 0.0
    assert problems(lambda: mm(frame, "chosen", ["price"], id="resp", weights="w")) == [
        ("column 'w'", "every row with price = 'low' has weight 0, so its marginal mean is not defined")
    ]


# ------------------------------------------------------------------------------- the last guard
def test_an_outcome_too_large_for_its_squares():
    frame = small().astype({"chosen": float})
    frame["chosen"] *= 1e200
    ((location, message),) = problems(lambda: amce(frame, "chosen", ["price"], id="resp"))
    assert location == "data"
    assert message == (
        "the estimates or their standard errors are not finite numbers; the likely cause: "
        "the outcome reaches 1e+200, beyond what its squares can hold"
    )


def test_a_level_shown_to_one_respondent_has_no_marginal_mean_error():
    frame = small()
    frame.loc[frame["resp"] == 5, "price"] = "free"
    assert problems(lambda: mm(frame, "chosen", ["price"], id="resp")) == [
        (
            "column 'price'",
            "price = 'free' is shown to one respondent only ('5'), so its marginal mean has no standard error",
        )
    ]
    two = pd.DataFrame({"price": ["low", "high"], "chosen": [1, 0]})
    assert problems(lambda: mm(two, "chosen", ["price"])) == [
        (
            "column 'price'",
            "price = 'high' is shown to one row only (row 1), so its marginal mean has no standard error",
        )
    ]

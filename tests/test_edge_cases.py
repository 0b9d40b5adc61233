"""Inputs an independent attack found to escape as internal errors or wrong numbers, one test each."""

import json
import shutil

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from winset.cli import app
from winset.scenarios import bundled_path

from .conftest import SHARED
from .small_scenario import small_scenario

runner = CliRunner()
TAXES = SHARED / "data" / "conjoint" / "taxes.csv"
needs_taxes = pytest.mark.shared("data", "conjoint", "taxes.csv")


def run(*args):
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output[-1500:]
    return result


@pytest.fixture
def kuril(tmp_path):
    folder = tmp_path / "kuril"
    shutil.copytree(bundled_path("kuril").parent, folder)
    return folder


def edit(folder, old, new):
    path = folder / "scenario.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_date_with_a_time_of_day_is_refused(kuril):
    edit(kuril, "start = 2018-11-14", "start = 2018-11-14T00:00:00Z")
    result = run("check", kuril)
    assert result.exit_code == 2 and "not a date and time" in result.stderr


def test_weights_times_scores_that_overflow_or_vanish_are_refused(kuril):
    edit(kuril, "iturup = 0.20", "iturup = 1e308")
    edit(kuril, "kunashir = 0.15", "kunashir = 1e308")
    result = run("check", kuril)
    assert result.exit_code == 2 and "too large to add up in floating point" in result.stderr
    edit(kuril, "iturup = 1e308", "iturup = 1e20")
    edit(kuril, "kunashir = 1e308", "kunashir = 0.15")
    result = run("check", kuril)
    assert result.exit_code == 2 and "counts for less than a billionth of the utility" in result.stderr


@needs_taxes
def test_one_column_in_two_roles_is_refused(tmp_path):
    path = small_scenario(
        tmp_path,
        scenario_edit=lambda t: t.replace(
            'data = { survey = "survey.csv", covariates',
            'data = { survey = "survey.csv", task = "profile", covariates',
            1,
        ),
    )
    result = run("check", path)
    assert result.exit_code == 2 and "is named for the task number and for the profile number" in result.stderr
    result = run("amce", TAXES, "--outcome", "chose_plan", "--id", "chose_plan", "--features", "taxrev")
    assert result.exit_code == 2 and "named as the outcome and as the id" in result.stderr


@needs_taxes
def test_a_level_listed_twice_is_refused():
    levels = "taxrev=<75%|<75%|75-95%|95-105%|105-125%|>125%"
    result = run("amce", TAXES, "--outcome", "chose_plan", "--id", "ID", "--features", "taxrev", "--levels", levels)
    assert result.exit_code == 2 and "is listed more than once" in result.stderr


@needs_taxes
def test_options_out_of_range_are_refused(tmp_path):
    path = small_scenario(tmp_path)
    assert run("fit", path, "--seed", "-1").exit_code == 2
    result = run("simulate", path, "--runs", "2", "--draws", "0", "--shift", "nan")
    assert result.exit_code == 2 and "must be a finite number" in result.stderr
    result = run("mm", TAXES, "--outcome", "chose_plan", "--features", "taxrev", "--h0", "inf")
    assert result.exit_code == 2 and "the null value must be a finite number" in result.stderr


@needs_taxes
def test_a_tiny_alpha_gives_finite_intervals():
    result = run(
        "amce", TAXES, "--outcome", "chose_plan", "--id", "ID", "--features", "taxrev", "--alpha", "1e-300", "--json"
    )
    rows = [r for r in json.loads(result.stdout)["estimates"] if r["std_error"] is not None]
    assert rows and all(np.isfinite(r["lower"]) and np.isfinite(r["upper"]) for r in rows)


@needs_taxes
def test_one_weighted_respondent_has_no_standard_error(tmp_path):
    frame = pd.read_csv(TAXES)
    frame["weight"] = np.where(frame["ID"] == frame["ID"].iloc[0], 1.0, 0.0)
    frame.to_csv(tmp_path / "w.csv", index=False)
    result = run(
        "amce",
        tmp_path / "w.csv",
        "--outcome",
        "chose_plan",
        "--id",
        "ID",
        "--features",
        "taxrev",
        "--weights",
        "weight",
    )
    assert result.exit_code == 2 and "only one respondent has a weight above 0" in result.stderr


def test_poll_lines_are_the_lines_of_the_file(kuril):
    """A blank line shifts the rows: a target citing a line keeps meaning the row on that line."""
    polls = kuril / "data" / "polls.csv"
    lines = polls.read_text(encoding="utf-8").splitlines(keepends=True)
    polls.write_text(lines[0] + "\n" + "".join(lines[1:]), encoding="utf-8")  # line 2 is now blank
    result = run("check", kuril)
    assert result.exit_code == 2 and "has no row on line 2" in result.stderr


@needs_taxes
def test_a_column_named_twice_is_refused(kuril, tmp_path):
    polls = kuril / "data" / "polls.csv"
    lines = polls.read_text(encoding="utf-8").splitlines()
    polls.write_text("\n".join([lines[0] + ",share"] + [line + ",0.40" for line in lines[1:]]) + "\n", encoding="utf-8")
    result = run("check", kuril)
    assert result.exit_code == 2 and "names column 'share' more than once" in result.stderr
    frame = pd.read_csv(TAXES)
    text = frame.to_csv(index=False).splitlines()
    (tmp_path / "d.csv").write_text("\n".join([text[0] + ",taxrev"] + [t + ",x" for t in text[1:]]) + "\n")
    result = run("amce", tmp_path / "d.csv", "--outcome", "chose_plan", "--id", "ID", "--features", "taxrev")
    assert result.exit_code == 2 and "names column 'taxrev' more than once" in result.stderr


def test_warnings_print_control_characters_escaped(capsys):
    import warnings

    from winset.cli.common import show_warning

    show_warning(UserWarning("Glyph 27 (\x1b) missing"), UserWarning, "f.py", 1)
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\\x1b" in err
    saved = warnings.showwarning
    try:
        run("check", "kuril")
        assert warnings.showwarning is show_warning  # every command prints warnings this way
    finally:
        warnings.showwarning = saved


def test_an_issue_banned_twice_is_one_problem(kuril):
    text = (kuril / "scenario.toml").read_text(encoding="utf-8")
    start = text.index("[talks.ban]")
    line = text.index("issues = ", start)
    end = text.index("\n", line)
    (kuril / "scenario.toml").write_text(text[:line] + 'issues = ["habomai", "habomai"]' + text[end:], encoding="utf-8")
    result = run("check", kuril)
    assert result.exit_code == 2 and "issue 'habomai' is banned twice" in result.stderr

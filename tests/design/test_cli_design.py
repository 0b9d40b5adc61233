"""``winset design``: its tables, JSON and files, and its refusals (exit 2, one clear message)."""

import json

import pytest
from typer.testing import CliRunner

from winset.cli import app

from ..small_scenario import small_scenario

runner = CliRunner()


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    return small_scenario(tmp_path_factory.mktemp("cli-design"))


def test_design_prints_the_size_the_calls_and_the_detectable_amces(scenario, tmp_path):
    out, plot = tmp_path / "curves.csv", tmp_path / "curves.png"
    args = ["design", str(scenario), "--ratifier", "russian_public", "--reps", "20", "--tasks", "2"]
    result = runner.invoke(app, [*args, "--profiles", "1", "--out", str(out), "--plot", str(plot)])
    assert result.exit_code == 0, result.output
    for text in ["russian_public:", "respondents", "two_islands", "Minimum detectable AMCE", "habomai"]:
        assert text in result.stdout
    assert out.read_text().startswith("ratifier,target,respondents,p_right,source,lower,upper")
    assert plot.stat().st_size > 1000
    # run again: the files are winset's own, so they are replaced without --force
    again = runner.invoke(app, [*args, "--out", str(out), "--json"])
    assert again.exit_code == 0, again.output
    document = json.loads(again.stdout)
    public = document["publics"]["russian_public"]
    assert public["tasks"] == 2 and public["profiles"] == 2  # the survey's own profiles per task
    assert public["respondents"] >= 100
    assert {t["kind"] for t in public["targets"]} >= {"proposal"}
    assert len(public["detectable"]) == 3


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--confidence", "1.5"], "--confidence"),
        (["--confidence", "0.4"], "--confidence"),
        (["--margin", "0"], "--margin"),
        (["--reps", "5"], "--reps"),
        (["--tasks", "0"], "--tasks"),
        (["--profiles", "7"], "--profiles"),
        (["--pilot", "3"], "--pilot"),
        (["--ratifier", "russian_publik"], "did you mean 'russian_public'"),
        (["--out", "curves.txt"], "a table is a .csv file"),
        (["--plot", "curves.csv"], "a figure is a"),
    ],
)
def test_design_refuses_bad_options_with_exit_2(scenario, options, message):
    result = runner.invoke(app, ["design", str(scenario), "--ratifier", "russian_public", *options])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_design_never_writes_over_its_inputs_or_a_file_not_its_own(scenario, tmp_path):
    survey = scenario.parent / "survey.csv"
    before = survey.read_bytes()
    result = runner.invoke(app, ["design", str(scenario), "--ratifier", "russian_public", "--out", str(survey)])
    assert result.exit_code == 2 and "a file the command reads" in result.output
    assert survey.read_bytes() == before
    theirs = tmp_path / "notes.csv"
    theirs.write_text("mine\n")
    result = runner.invoke(app, ["design", str(scenario), "--ratifier", "russian_public", "--out", str(theirs)])
    assert result.exit_code == 2 and "--force" in result.output
    assert theirs.read_text() == "mine\n"

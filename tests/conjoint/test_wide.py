"""Wide exports read into the long table: a Qualtrics export made with the Conjoint Survey Design
Tool (attributes shuffled per task, two header rows) and cregg-style wide columns, both written
from 40 respondents of the climate survey (tests/fixtures/wide), give the original long rows."""

import pandas as pd
import pytest
from typer.testing import CliRunner

from winset.cli import app
from winset.conjoint import ConjointError
from winset.conjoint.wide import from_qualtrics, from_wide

from ..conftest import FIXTURES

runner = CliRunner()
WIDE = FIXTURES / "wide"
FEATURES = ["cost", "distribution", "participation", "emissions", "sanctions", "monitoring"]
COLUMNS = ["respondent", "task", "profile", *FEATURES, "chosen", "ideology"]


@pytest.fixture(scope="module")
def long():
    return pd.read_csv(WIDE / "long.csv")


def same_rows(table: pd.DataFrame, long: pd.DataFrame) -> None:
    table = table[COLUMNS].astype(str).sort_values(["respondent", "task", "profile"]).reset_index(drop=True)
    expected = long[COLUMNS].astype(str).sort_values(["respondent", "task", "profile"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(table, expected)


def test_a_qualtrics_export_reads_into_the_long_rows(long):
    frame = pd.read_csv(WIDE / "qualtrics.csv", dtype=str, keep_default_na=False)
    table = from_qualtrics(frame, [f"Q10_{t}" for t in range(1, 5)], "ResponseId", ["ideology"])
    table["respondent"] = table["respondent"].str.removeprefix("R_")
    same_rows(table, long)


def test_cregg_wide_columns_read_into_the_long_rows(long):
    frame = pd.read_csv(WIDE / "cregg_wide.csv")
    same_rows(from_wide(frame, FEATURES, tasks=4, profiles=2, respondent="id", keep=["ideology"]), long)


def test_winset_import_writes_the_table_winset_amce_reads(tmp_path, long):
    out = tmp_path / "long.csv"
    args = ["import", str(WIDE / "qualtrics.csv"), "--responses", "Q10_1,Q10_2,Q10_3,Q10_4", "--id", "ResponseId"]
    result = runner.invoke(app, [*args, "--keep", "ideology", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "320 profile rows of 40 respondents" in result.stdout
    amce = runner.invoke(
        app, ["amce", str(out), "--outcome", "chosen", "--features", ",".join(FEATURES), "--id", "respondent", "--json"]
    )
    assert amce.exit_code == 0, amce.output
    again = runner.invoke(app, [*args, "--out", str(out)])
    assert again.exit_code == 2 and "--force" in again.stderr
    reads = runner.invoke(app, [*args, "--out", str(WIDE / "qualtrics.csv"), "--force"])
    assert reads.exit_code == 2 and "a file the command reads" in reads.stderr


def test_what_cannot_be_read_is_named(tmp_path):
    frame = pd.read_csv(WIDE / "cregg_wide.csv")
    with pytest.raises(ConjointError, match="column 'cost_5_1'"):
        from_wide(frame, FEATURES, tasks=5, profiles=2)
    bad = frame.assign(choice_2=["3"] + ["1"] * (len(frame) - 1))
    with pytest.raises(ConjointError, match="row 1, column 'choice_2': the answer '3' is not a profile number"):
        from_wide(bad, FEATURES, tasks=4, profiles=2)
    qualtrics = pd.read_csv(WIDE / "qualtrics.csv", dtype=str, keep_default_na=False)
    with pytest.raises(ConjointError, match="3 choice questions for the 4 tasks"):
        from_qualtrics(qualtrics, ["Q10_1", "Q10_2", "Q10_3"])
    result = runner.invoke(app, ["import", str(WIDE / "qualtrics.csv"), "--out", str(tmp_path / "x.csv")])
    assert result.exit_code == 2 and "give --responses" in " ".join(result.stderr.split())


def test_an_unanswered_task_leaves_no_rows(long):
    frame = pd.read_csv(WIDE / "cregg_wide.csv")
    frame.loc[0, "choice_3"] = None
    table = from_wide(frame, FEATURES, tasks=4, profiles=2, respondent="id")
    first = table[table["respondent"] == frame.loc[0, "id"]]
    assert sorted(first["task"].unique()) == [1, 2, 4] and len(table) == len(long) - 2


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (["--pattern", "{nope}"], "has the placeholder ['nope']"),
        (["--pattern", "{feature}_{task}_{profile}_{x"], "is not a pattern"),
        (["--choice", "{0}"], "has the placeholder ['0']"),
        (["--outcome", "choice_{task}"], "lacks ['profile']"),
        (["--pattern", "{feature}_{profile}"], "lacks ['task']"),
        (["--id", "ideology"], "is on row 2 too: a wide export has one row per respondent"),
    ],
)
def test_wide_options_that_cannot_serve(tmp_path, args, phrase):
    base = ["import", str(WIDE / "cregg_wide.csv"), "--out", str(tmp_path / "o.csv"), "--format", "wide"]
    result = runner.invoke(app, [*base, "--features", "cost", "--tasks", "4", *args])
    assert result.exit_code == 2, result.output
    assert phrase in " ".join(result.stderr.split()), result.stderr
    assert not (tmp_path / "o.csv").exists()


def test_a_qualtrics_export_with_a_missing_level_or_other_attributes_is_refused(tmp_path):
    frame = pd.read_csv(WIDE / "qualtrics.csv", dtype=str, keep_default_na=False)
    responses = [f"Q10_{t}" for t in range(1, 5)]
    with pytest.raises(ConjointError, match="row 1, column 'F-2-1-3': has no level"):
        from_qualtrics(frame.drop(columns=["F-2-1-3"]), responses, "ResponseId")
    renamed = frame.copy()
    renamed.loc[2, "F-2-1"] = "kost"
    with pytest.raises(ConjointError, match="row 1, task 2: shows the attributes"):
        from_qualtrics(renamed, responses, "ResponseId")
    with pytest.raises(ConjointError, match="names \\['cost'\\] more than once"):
        from_wide(pd.read_csv(WIDE / "cregg_wide.csv"), ["cost", "cost"], tasks=4, profiles=2)


def test_import_replaces_its_own_table_and_counts_tasks_left_out(tmp_path):
    frame = pd.read_csv(WIDE / "cregg_wide.csv")
    frame.loc[0, "choice_3"] = None
    frame.to_csv(tmp_path / "wide.csv", index=False)
    args = ["import", str(tmp_path / "wide.csv"), "--out", str(tmp_path / "o.csv"), "--format", "wide"]
    args += ["--features", ",".join(FEATURES), "--tasks", "4", "--id", "id"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0 and "1 tasks without an answer left out" in " ".join(first.stdout.split())
    again = runner.invoke(app, args)
    assert again.exit_code == 0, again.output


def test_a_rating_per_profile_reads_under_its_pattern_name(tmp_path, long):
    """An answer per profile (here the 0/1 choice written as a rating column per profile)."""
    frame = pd.read_csv(WIDE / "cregg_wide.csv")
    for t in range(1, 5):
        for p in (1, 2):
            frame[f"rating_{t}_{p}"] = (frame[f"choice_{t}"] == p).astype(int)
    table = from_wide(frame, FEATURES, 4, 2, choice=None, outcome="rating_{task}_{profile}", respondent="id")
    same_rows(
        table.rename(columns={"rating": "chosen"}).assign(ideology=long["ideology"].iloc[0]),
        long.assign(ideology=long["ideology"].iloc[0]),
    )
    frame.to_csv(tmp_path / "w.csv", index=False)
    args = ["import", str(tmp_path / "w.csv"), "--out", str(tmp_path / "o.csv"), "--format", "wide"]
    result = runner.invoke(
        app,
        [*args, "--features", ",".join(FEATURES), "--tasks", "4", "--id", "id", "--outcome", "rating_{task}_{profile}"],
    )
    assert result.exit_code == 0, result.output
    assert "rating" in pd.read_csv(tmp_path / "o.csv").columns

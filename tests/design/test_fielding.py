"""The randomised design to field: the table, its balance, and the Qualtrics script round trip."""

import itertools
import json
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from winset.cli import app
from winset.conjoint import reliability
from winset.conjoint.wide import from_qualtrics
from winset.design.fielding import balance, design_shares, qualtrics_script, randomise
from winset.errors import WinsetError
from winset.space import PackageSpace

from ..small_scenario import small_scenario

runner = CliRunner()


@pytest.fixture
def space():
    return PackageSpace(
        [("a", ["a0", "a1"]), ("b", ["b0", "b1", "b2"]), ("c", ["c0", "c1"])],
        constraints=[("no", {"a": "a1", "b": "b2"})],
    )


def test_the_table_is_valid_distinct_and_repeats_a_task_with_its_profiles_swapped(space):
    table = randomise(space, 300, 4, 2, seed=1, repeat=2)
    assert len(table) == 300 * 5 * 2
    codes = np.array(
        [[space.option_ids[k].index(v) for k, v in enumerate(row)] for row in table[["a", "b", "c"]].to_numpy()]
    )
    assert space.is_valid(codes).all()
    first, second = table[table["profile"] == 1], table[table["profile"] == 2]
    assert not (first[["a", "b", "c"]].to_numpy() == second[["a", "b", "c"]].to_numpy()).all(axis=1).any()
    repeated = table[table["task"] == 5]
    assert (repeated["repeats"] == 2).all() and table.loc[table["task"] < 5, "repeats"].isna().all()
    original = table[table["task"] == 2]
    assert (
        repeated[["a", "b", "c"]].to_numpy()
        == original[["a", "b", "c"]].to_numpy().reshape(300, 2, 3)[:, ::-1].reshape(-1, 3)
    ).all()
    orders = table.groupby("respondent")["issue_order"].nunique()
    assert (orders == 1).all()
    assert set(table["issue_order"]) <= {" ".join(p) for p in itertools.permutations("abc")}


def test_design_shares_by_brute_force(space):
    valid = [c for c in itertools.product(range(2), range(3), range(2)) if space.is_valid(list(c))]
    shares = design_shares(space)
    for k, issue in enumerate(space.issue_ids):
        for j, option in enumerate(space.option_ids[k]):
            assert shares[issue][option] == pytest.approx(sum(c[k] == j for c in valid) / len(valid))


def test_balance_accepts_the_design_and_rejects_a_biased_table(space):
    table = randomise(space, 2000, 4, 2, seed=3)
    checked = balance(table, space)
    assert (checked.drop_duplicates("issue")["p"] > 0.001).all()
    b = checked[checked["issue"] == "b"].set_index("option")
    assert b.loc["b2", "design_share"] == pytest.approx(2 / 10)  # 2 of the 10 valid packages show b2
    biased = table.copy()
    biased.loc[biased.index[:4000], "c"] = "c0"
    assert balance(biased, space).set_index("issue").loc["c", "p"].min() < 1e-6


def test_randomise_refuses_a_task_that_is_not_there(space):
    with pytest.raises(WinsetError, match="no task 9"):
        randomise(space, 10, 4, 2, repeat=9)


def _fields_of(script: str, tmp_path, draw: float) -> dict:
    """The embedded data the Qualtrics script sets when ``Math.random()`` gives ``draw``."""
    harness = tmp_path / "run.js"
    harness.write_text(
        "var fields = {};\n"
        "var Qualtrics = {SurveyEngine: {addOnload: function (f) { f(); },"
        " setEmbeddedData: function (k, v) { fields[k] = v; }}};\n"
        f"Math.random = function () {{ return {draw}; }};\n" + script + "console.log(JSON.stringify(fields));\n"
    )
    return json.loads(subprocess.run(["node", str(harness)], capture_output=True, text=True, check=True).stdout)


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js to run the Qualtrics script")
def test_the_qualtrics_script_sets_the_fields_winset_import_reads_back(space, tmp_path):
    table = randomise(space, 5, 3, 2, seed=4, repeat=1)
    script = qualtrics_script(table, space, {"a": "Issue A"}, {"a": {"a1": "Option one"}})
    fields = _fields_of(script, tmp_path, 0.0)  # the first respondent's design
    assert fields["L-1-1"] in {"Issue A", "b", "c"}
    assert "Option one" in fields.values() or "a1" not in set(table.loc[table["respondent"] == 1, "a"])
    export = pd.DataFrame([{**fields, "ResponseId": "R1", "Q1": "1", "Q2": "2", "Q3": "1", "Q4": "2"}])
    long = from_qualtrics(export, ["Q1", "Q2", "Q3", "Q4"])
    mine = table[table["respondent"] == 1].reset_index(drop=True)
    assert (long[["task", "profile"]].to_numpy() == mine[["task", "profile"]].to_numpy()).all()
    assert (long[["a", "b", "c"]].to_numpy() == mine[["a", "b", "c"]].to_numpy()).all()


def imported(tmp_path, repeat: str, out: str):
    """``winset import`` of the test's Qualtrics export, the last task repeating task ``repeat``."""
    arguments = ["import", str(tmp_path / "export.csv"), "--responses", "Q1,Q2,Q3,Q4", "--repeat", repeat]
    return runner.invoke(app, [*arguments, "--out", str(tmp_path / out)])


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js to run the Qualtrics script")
def test_a_repeated_task_goes_round_trip_from_the_script_to_the_reliability(space, tmp_path):
    """Three respondents get designs 1, 2 and 3 of five (each with task 1 asked again last,
    profiles swapped); the export, imported with --repeat 1, is what the reliability reads: two
    answer the repeat as they answered task 1 (the same profile, now second), one does not."""
    table = randomise(space, 5, 3, 2, seed=6, repeat=1)
    script = qualtrics_script(table, space, {}, {})
    rows = []
    for k, (draw, again) in enumerate([(0.0, "2"), (0.2, "2"), (0.4, "1")]):
        fields = _fields_of(script, tmp_path, draw)
        rows.append({**fields, "ResponseId": f"R{k + 1}", "Q1": "1", "Q2": "2", "Q3": "1", "Q4": again})
    pd.DataFrame(rows).to_csv(tmp_path / "export.csv", index=False)
    result = imported(tmp_path, "1", "long.csv")
    assert result.exit_code == 0, result.output
    long = pd.read_csv(tmp_path / "long.csv")
    assert long.loc[long["task"] == 4, "repeats"].eq(1).all() and long.loc[long["task"] < 4, "repeats"].isna().all()
    for k in range(3):
        mine = table[table["respondent"] == k + 1].reset_index(drop=True)
        theirs = long[long["respondent"] == f"R{k + 1}"].reset_index(drop=True)
        assert (theirs[["a", "b", "c"]].to_numpy() == mine[["a", "b", "c"]].to_numpy()).all()
    found = reliability(long, "chosen", ["a", "b", "c"], id="respondent", task="task", repeated="repeats")
    assert (found.n_respondents, found.n_agree) == (3, 2)
    wrong = imported(tmp_path, "4", "other.csv")
    assert wrong.exit_code == 2 and "cannot repeat task 4" in wrong.output and not (tmp_path / "other.csv").exists()


def test_winset_design_field_writes_the_files_and_refuses_a_missing_folder(tmp_path):
    (tmp_path / "s").mkdir()
    scenario = small_scenario(tmp_path / "s")
    folder = tmp_path / "field"

    args = ["design", str(scenario), "--ratifier", "russian_public", "--reps", "20", "--tasks", "2"]
    missing = runner.invoke(app, [*args, "--field", str(folder)])
    assert missing.exit_code == 2 and "not a folder" in missing.output
    folder.mkdir()
    (folder / "russian_public-survey.toml").write_text("# someone else's\n")
    theirs = runner.invoke(app, [*args, "--field", str(folder)])
    assert theirs.exit_code == 2 and "--force" in theirs.output
    (folder / "russian_public-survey.toml").unlink()
    result = runner.invoke(app, [*args, "--field", str(folder), "--repeat", "1", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert {row["issue"] for row in document["publics"]["russian_public"]["balance"]} == {
        "habomai",
        "shikotan",
        "treaty",
    }
    table = pd.read_csv(folder / "russian_public-randomisation.csv")
    assert (
        table["task"].max() == 3
        and table["respondent"].nunique() == document["publics"]["russian_public"]["respondents"]
    )
    assert "repeat = 1" in (folder / "russian_public-survey.toml").read_text()
    again = runner.invoke(app, [*args, "--field", str(folder), "--repeat", "1"])  # its own files: replaced
    assert again.exit_code == 0, again.output
    bad = runner.invoke(app, [*args, "--field", str(folder), "--repeat", "3"])
    assert bad.exit_code == 2 and "--repeat" in bad.output

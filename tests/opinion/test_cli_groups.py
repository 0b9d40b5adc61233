"""``winset groups EXPORT_DIR``: the real Polis exports, the JSON document, and wrong inputs."""

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from winset.cli import app

from ..conftest import SHARED

POLIS = SHARED / "data" / "polis"
runner = CliRunner()


@pytest.mark.shared("data", "polis")
@pytest.mark.parametrize(("name", "k", "agreement"), [("brexit-consensus", 3, 0.552), ("bg2050-volunteers", 2, 1.0)])
def test_groups_of_the_real_exports_as_json(name, k, agreement):
    """Every participant of the export by its id, clustered or not (null); the groups' sizes add up
    to the clustered; the adjusted Rand index against the export's own groups is as the README says."""
    result = runner.invoke(app, ["groups", str(POLIS / name), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    exported = pd.read_csv(POLIS / name / "participants-votes.csv")
    assert set(document["participants"]) >= {str(p) for p in exported["participant"]}
    groups = [g for g in document["participants"].values() if g is not None]
    assert len(groups) == document["clustered"] == sum(g["participants"] for g in document["groups"])
    assert document["k"] == k == len(document["groups"])
    assert document["agreement_with_export"]["adjusted_rand_index"] == pytest.approx(agreement, abs=5e-4)
    for group in document["groups"]:
        assert 1 <= len(group["representative"]) <= 5
        assert all(row["text"] for row in group["representative"])
        assert not {row["statement"] for row in group["representative"]} & set(document["moderated_out"])
    variants = document["consensus"]["statements"][0]
    assert set(variants) == {"statement", "text", "polis", "polis_disagree", "geometric", "effective"}


@pytest.mark.shared("data", "polis")
def test_groups_as_text_name_the_agreement_the_groups_and_their_statements():
    result = runner.invoke(app, ["groups", str(POLIS / "bg2050-volunteers")])
    assert result.exit_code == 0, result.output
    for text in [
        "2 opinion groups among 107 of 126 participants (371 statements, 56 moderated out)",
        "Agreement with the export's 2 groups: adjusted Rand index 1.000",
        "Group 0: 99 participants",
        "Group 1: 8 participants",
        "Most consensual statements (polis)",
    ]:
        assert text in result.stdout


@pytest.mark.shared("data", "polis")
def test_the_number_of_groups_and_starts_can_be_given():
    result = runner.invoke(app, ["groups", str(POLIS / "brexit-consensus"), "--groups", "2", "--json"])
    document = json.loads(result.stdout)
    assert document["k"] == 2
    assert document["agreement_with_export"]["adjusted_rand_index"] == pytest.approx(0.876, abs=5e-4)
    more = json.loads(
        runner.invoke(app, ["groups", str(POLIS / "brexit-consensus"), "--starts", "10", "--json"]).stdout
    )
    # more starts keep tighter groupings, and the silhouette then prefers 5 (README, the groups study)
    assert more["k"] == 5
    assert more["agreement_with_export"]["adjusted_rand_index"] == pytest.approx(0.266, abs=5e-4)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["no-such-folder"], "no such folder"),
        (["{export}/comments.csv"], "not a folder"),
        (["{export}", "--consensus", "mean"], "no consensus variant 'mean'"),
        (["{export}", "--groups", "1"], "greater than or equal to 2"),
        (["{export}", "--starts", "0"], "greater than or equal to 1"),
    ],
)
def test_wrong_inputs_are_one_message_and_exit_2(tmp_path, arguments, message):
    export = tmp_path / "export"
    export.mkdir()
    (export / "comments.csv").write_text("comment-id\n")
    arguments = [a.format(export=export) for a in arguments]
    result = runner.invoke(app, ["groups", *arguments])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


@pytest.mark.shared("data", "polis")
def test_an_export_without_its_votes_is_refused_as_json(tmp_path):
    export = tmp_path / "export"
    shutil.copytree(POLIS / "brexit-consensus", export)
    (export / "votes.csv").unlink()
    result = runner.invoke(app, ["groups", str(export), "--json"])
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    assert document["ok"] is False and "missing file of the Polis export" in document["problems"][0]["message"]


def test_an_export_too_small_for_groups_is_refused(tmp_path):
    export = tmp_path / "export"
    export.mkdir()
    (export / "comments.csv").write_text("comment-id,moderated,comment-body\n0,1,a\n1,1,b\n")
    (export / "votes.csv").write_text("timestamp,comment-id,voter-id,vote\n1,0,0,1\n2,1,0,-1\n")
    (export / "participants-votes.csv").write_text("participant,group-id\n0,\n")
    result = runner.invoke(app, ["groups", str(export)])
    assert result.exit_code == 2
    assert "1 participant(s) voted enough to be clustered; opinion groups need 2 or more" in result.output


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_a_number_of_groups_that_k_means_cannot_keep_is_refused_or_mended_by_starts():
    """33 random voters: from Polis's start, k-means empties one of 7 groups; asked for 7, the
    command says so (exit 2, never a crash), and more starts find 7 nonempty groups."""
    export = FIXTURES / "polis-emptied-group"
    refused = runner.invoke(app, ["groups", str(export), "--groups", "7", "--json"])
    assert refused.exit_code == 2
    assert (
        "k-means left a group of the 7 empty from every start" in json.loads(refused.stdout)["problems"][0]["message"]
    )
    mended = json.loads(runner.invoke(app, ["groups", str(export), "--groups", "7", "--starts", "5", "--json"]).stdout)
    assert mended["k"] == 7 and len(mended["groups"]) == 7 and all(g["participants"] for g in mended["groups"])


def mutated(tmp_path, change):
    """A copy of the brexit export with ``change(comments, votes, participants)`` applied."""
    export = tmp_path / "export"
    shutil.copytree(POLIS / "brexit-consensus", export)
    tables = [pd.read_csv(export / name, dtype=str, keep_default_na=False) for name in FILES]
    tables = change(*tables) or tables  # a change edits the tables, or returns new ones
    for name, table in zip(FILES, tables, strict=True):
        table.to_csv(export / name, index=False)
    return export


FILES = ["comments.csv", "votes.csv", "participants-votes.csv"]


def _header_only(c, v, p):
    return [c.iloc[:0], v.iloc[:0], p]


def _bad_timestamp(c, v, p):
    v.loc[5, "timestamp"] = "abc"


def _twice(c, v, p):
    p.loc[len(p)] = p.iloc[3]


def _no_id(c, v, p):
    p.loc[3, "participant"] = ""


def _all_out(c, v, p):
    c["moderated"] = "-1"


@pytest.mark.shared("data", "polis")
@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_header_only, "no votes:"),
        (_bad_timestamp, "timestamp 'abc' is not a number"),
        (_twice, "participant 3 is listed twice"),
        (_no_id, "a participant has no id"),
        (_all_out, "all 50 statements are moderated out"),
    ],
)
def test_broken_exports_are_one_message_and_exit_2_in_json_too(tmp_path, change, message):
    result = runner.invoke(app, ["groups", str(mutated(tmp_path, change)), "--json"])
    assert result.exit_code == 2, result.output
    problems = json.loads(result.stdout)["problems"]
    assert any(message in p["message"] for p in problems), problems


@pytest.mark.shared("data", "polis")
def test_participant_ids_that_are_not_numbers_are_read(tmp_path):
    def rename(c, v, p):
        v.loc[v["voter-id"] == "3", "voter-id"] = "abc"
        p.loc[p["participant"] == "3", "participant"] = "abc"

    result = runner.invoke(app, ["groups", str(mutated(tmp_path, rename)), "--json"])
    assert result.exit_code == 0, result.output
    assert "abc" in json.loads(result.stdout)["participants"]


def test_an_internal_error_under_json_is_still_json(monkeypatch):
    from winset.opinion import OpinionGroups

    def broken(self, *args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(OpinionGroups, "fit", broken)
    result = runner.invoke(app, ["groups", str(FIXTURES / "polis-emptied-group"), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {"ok": False, "internal_error": "RuntimeError: a bug", "problems": []}

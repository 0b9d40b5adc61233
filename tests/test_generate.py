"""``python -m winset.cli.kuril_data``: where it cannot or must not write, one problem and
exit code 2 before any work; its own three files are replaced whole, and nothing else is touched."""

import os
import subprocess
import sys

import pytest

from winset.errors import WinsetError
from winset.examples import kuril as generator

from .conftest import refused

NAMES = ("survey_ru.csv.gz", "survey_jp.csv.gz", "survey_islands.csv.gz")


def run(out):
    return subprocess.run(
        [sys.executable, "-m", "winset.cli.kuril_data", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_missing_folder_is_named(tmp_path):
    refused(run(tmp_path / "nope"), str(tmp_path / "nope"), "the folder does not exist")
    assert not (tmp_path / "nope").exists()


def test_a_file_is_not_a_folder(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    refused(run(tmp_path / "notes.txt"), "is not a folder")
    assert (tmp_path / "notes.txt").read_text() == "mine"


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_a_survey_name_that_links_elsewhere_is_not_written_through(tmp_path):
    elsewhere = tmp_path / "elsewhere.csv.gz"
    elsewhere.write_bytes(b"someone else's data")
    out = tmp_path / "out"
    out.mkdir()
    (out / "survey_jp.csv.gz").symlink_to(elsewhere)
    refused(run(out), str(out / "survey_jp.csv.gz"), "symbolic link")
    assert elsewhere.read_bytes() == b"someone else's data"
    assert sorted(p.name for p in out.iterdir()) == ["survey_jp.csv.gz"]  # nothing written, not even the others


def test_a_folder_under_a_survey_name_is_left_alone(tmp_path):
    (tmp_path / "survey_islands.csv.gz").mkdir()
    (tmp_path / "survey_islands.csv.gz" / "kept").write_text("mine")
    with pytest.raises(WinsetError, match="is not a file"):
        generator.generate(tmp_path)
    assert (tmp_path / "survey_islands.csv.gz" / "kept").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["survey_islands.csv.gz"]


def test_the_surveys_replace_their_old_files_whole(tmp_path, monkeypatch):
    """Each survey is written to a temporary file in the same folder and moved over the old one;
    other files in the folder, and no temporary file, are left."""
    (tmp_path / "survey_ru.csv.gz").write_bytes(b"an old survey")
    (tmp_path / "notes.txt").write_text("mine")
    moves = []
    real_replace = os.replace

    def replace(source, target):
        moves.append((os.path.dirname(source), os.path.basename(target)))
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace)
    generator.generate(tmp_path)
    assert moves == [(str(tmp_path), name) for name in NAMES]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*NAMES, "notes.txt"])
    assert (tmp_path / "survey_ru.csv.gz").read_bytes()[:2] == b"\x1f\x8b"  # gzip
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_by_default_the_surveys_are_written_here_and_the_assumed_targets_are_marked(tmp_path, monkeypatch):
    """Not into the installed package's own data; and a target no poll gives says so."""
    from typer.testing import CliRunner

    from winset.cli.kuril_data import app

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, [])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(NAMES)
    lines = {line.split()[0]: line for line in result.stdout.splitlines()[1:5]}  # the Russian survey's targets
    assert "(assumed)" in lines["treaty_only"] and "(a poll)" in lines["declaration_1956"]

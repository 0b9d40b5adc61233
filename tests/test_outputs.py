"""One output policy for every command that writes: never an input, never a file winset did not
write without --force, never half a file."""

import os
import shutil

import pytest
from matplotlib.figure import Figure
from typer.testing import CliRunner

from winset.cli import app
from winset.conjoint.tidy import TABLE_COLUMNS
from winset.outputs import Output, OutputError, is_figure, is_table

from .conftest import POLLS
from .conjoint.test_errors import small

runner = CliRunner()


@pytest.fixture
def data(tmp_path):
    path = tmp_path / "data.csv"
    small().to_csv(path, index=False)
    return path


def amce(data, *options):
    result = runner.invoke(
        app, ["amce", str(data), "--outcome", "chosen", "--features", "price,brand", *map(str, options)]
    )
    assert "Traceback" not in result.output
    return result


def foreign_png(path):
    Figure().savefig(path)  # matplotlib's own PNG, not winset's


def test_a_hard_link_or_a_symbolic_link_to_the_input_is_the_input(data, tmp_path):
    before = data.read_bytes()
    os.link(data, tmp_path / "h.csv")
    os.symlink(data, tmp_path / "s.csv")
    for name in ("h.csv", "s.csv"):
        result = amce(data, "--out", tmp_path / name, "--force")  # not even with --force
        assert result.exit_code == 2
        assert f"this is {data}, a file the command reads" in result.stderr
    assert data.read_bytes() == before


def test_the_design_just_read_is_never_replaced(data, tmp_path):
    design = tmp_path / "design.toml"
    design.write_text('[levels]\nprice = ["low", "mid", "high"]\n')
    before = design.read_text()
    assert amce(data, "--design", design, "--out", design).exit_code == 2  # a table is a .csv file
    copy = tmp_path / "design.csv"
    os.link(design, copy)
    result = amce(data, "--design", copy, "--out", copy)
    assert result.exit_code == 2 and "a file the command reads" in result.stderr
    assert design.read_text() == before


def test_unrelated_files_need_force_and_own_outputs_do_not(data, tmp_path):
    notes, picture, scenario = tmp_path / "notes.csv", tmp_path / "notes.png", tmp_path / "scenario.toml"
    notes.write_text("my,own\nnotes,1\n")
    foreign_png(picture)
    scenario.write_text("[scenario]\n")
    png = picture.read_bytes()
    for options, message in [
        (["--out", notes], "a file that is not a winset table is already there"),
        (["--plot", picture], "a file that is not a winset figure is already there"),
        (["--out", scenario], "a table is a .csv file"),
        (["--plot", tmp_path / "missing" / "f.png"], "the folder does not exist"),
        (["--out", tmp_path], "a table is a .csv file"),
        (["--out", tmp_path / "t.csv", "--plot", tmp_path / "t.csv"], "--out and --plot name the same file"),
    ]:
        result = amce(data, *options)
        assert result.exit_code == 2, options
        assert message in result.stderr.replace("\n", " "), (options, result.stderr)
    assert notes.read_text() == "my,own\nnotes,1\n" and picture.read_bytes() == png
    assert scenario.read_text() == "[scenario]\n"
    # winset's own outputs are replaced by the next run; the user's, only with --force
    for suffix in (".png", ".svg", ".pdf"):
        figure = tmp_path / f"fig{suffix}"
        assert amce(data, "--out", tmp_path / "t.csv", "--plot", figure).exit_code == 0
        assert is_figure(figure) and is_table(TABLE_COLUMNS)(tmp_path / "t.csv")
        assert amce(data, "--out", tmp_path / "t.csv", "--plot", figure).exit_code == 0
    assert amce(data, "--out", notes, "--plot", picture, "--force").exit_code == 0
    assert notes.read_text().startswith("outcome,statistic,feature,level,estimate") and is_figure(picture)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temporary left


def test_a_failed_write_leaves_the_old_file_whole(tmp_path):
    target = tmp_path / "t.csv"
    target.write_text("outcome,statistic,feature,level,estimate,std_error,z,p,lower,upper\nold\n")
    target.chmod(0o640)
    output = Output(target, "table", "--out", (".csv",), is_table(TABLE_COLUMNS), ())

    def fails(temporary):
        temporary.write_text("half a fi")
        raise OSError("disk full")

    with pytest.raises(OSError):
        output.write(fails)
    assert target.read_text().endswith("old\n") and list(tmp_path.iterdir()) == [target]
    output.write(lambda temporary: temporary.write_text(",".join(TABLE_COLUMNS) + "\nnew\n"))
    assert target.read_text().endswith("\nnew\n") and (target.stat().st_mode & 0o777) == 0o640


def test_the_report_never_replaces_a_file_the_scenario_reads(tmp_path, minimal_path):
    shutil.copy(minimal_path, tmp_path / "s.toml")
    shutil.copy(POLLS, tmp_path / "polls.csv")
    os.link(tmp_path / "polls.csv", tmp_path / "polls.html")
    before = (tmp_path / "polls.csv").read_bytes()
    result = runner.invoke(app, ["report", str(tmp_path / "s.toml"), "--out", str(tmp_path / "polls.html"), "--force"])
    assert result.exit_code == 2
    assert "a file the command reads" in result.stderr
    assert (tmp_path / "polls.csv").read_bytes() == before


def test_a_foreign_file_is_refused_by_the_check_that_runs_before_any_work(tmp_path):
    output = Output(tmp_path / "x.csv", "table", "--out", (".csv",), lambda path: False, ())
    (tmp_path / "x.csv").write_text("mine")
    with pytest.raises(OutputError, match="pass --force"):
        output.check()

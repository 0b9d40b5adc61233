"""``winset init``: a skeleton from a CSV of issues that passes check and runs solve, its
placeholders marked; files it would replace and inputs it cannot use are refused."""

from typer.testing import CliRunner

from winset.cli import app

runner = CliRunner()
ISSUES = "issue,option\nborder,current\nborder,moved\nborder,joint\nwater,current\nwater,shared\nrefugees,none\nrefugees,return\n"


def test_a_skeleton_from_issues_passes_check_and_runs(tmp_path):
    (tmp_path / "issues.csv").write_text(ISSUES, encoding="utf-8")
    folder = tmp_path / "case"
    made = runner.invoke(app, ["init", str(folder), "--issues", str(tmp_path / "issues.csv")])
    assert made.exit_code == 0, made.output
    text = (folder / "scenario.toml").read_text(encoding="utf-8")
    assert text.count("PLACEHOLDER") >= 10 and 'border = "current"' in text
    checked = runner.invoke(app, ["check", str(folder / "scenario.toml")], env={"COLUMNS": "120"})
    assert checked.exit_code == 0
    # no labels yet: each id is shown once, not again as its own label; counts in the singular
    lines = checked.stdout.splitlines()
    assert sum(line.split("│")[1].strip() == "border" for line in lines if line.count("│") > 2) == 1
    assert "current *" in checked.stdout and "current: current" not in checked.stdout
    assert "allowed (no constraints)" in checked.stdout and "additive model: 1 poll," in checked.stdout
    solved = runner.invoke(app, ["solve", str(folder / "scenario.toml"), "--draws", "20", "--json"])
    assert solved.exit_code == 0, solved.output
    again = runner.invoke(app, ["init", str(folder), "--issues", str(tmp_path / "issues.csv")])
    assert again.exit_code == 2 and "pass --force to replace it" in again.stderr
    (folder / "scenario.toml").write_text("mine", encoding="utf-8")
    assert runner.invoke(app, ["init", str(folder), "--issues", str(tmp_path / "issues.csv")]).exit_code == 2
    assert (folder / "scenario.toml").read_text(encoding="utf-8") == "mine"
    forced = runner.invoke(app, ["init", str(folder), "--issues", str(tmp_path / "issues.csv"), "--force"])
    assert forced.exit_code == 0 and (folder / "scenario.toml").read_text(encoding="utf-8") == text


def test_issues_that_cannot_make_a_scenario(tmp_path):
    path = tmp_path / "issues.csv"
    path.write_text("issue,option\nborder,current\nborder,current\nwater,only\nbad id,x\n,y\n", encoding="utf-8")
    result = runner.invoke(app, ["init", str(tmp_path / "case"), "--issues", str(path)])
    assert result.exit_code == 2
    text = " ".join(result.stderr.split())
    for phrase in (
        "line 6 needs an issue and an option",
        "repeats option ['current']",
        "'bad id' is not an id",
        "issue 'water' has 1 option",
    ):
        assert phrase in text, text
    assert not (tmp_path / "case").exists()
    path.write_text("name,value\n", encoding="utf-8")
    assert (
        "the header is not issue,option"
        in runner.invoke(app, ["init", str(tmp_path / "c"), "--issues", str(path)]).stderr
    )


def test_without_issues_or_a_terminal_it_says_how_to_give_them(tmp_path):
    result = runner.invoke(app, ["init", str(tmp_path / "case")])
    assert result.exit_code == 2 and "give --issues issues.csv" in " ".join(result.stderr.split())


def test_the_issues_file_is_never_written_over(tmp_path):
    folder = tmp_path / "case"
    folder.mkdir()
    (folder / "polls.csv").write_text(ISSUES, encoding="utf-8")
    result = runner.invoke(app, ["init", str(folder), "--issues", str(folder / "polls.csv"), "--force"])
    assert result.exit_code == 2 and "a file the command reads" in result.stderr
    assert (folder / "polls.csv").read_text(encoding="utf-8") == ISSUES


def test_the_readme_example_runs(tmp_path, monkeypatch):
    """The README's three lines for a new case: the issues written with printf, init, check, solve."""
    from .conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index("let `winset init` write the rest as placeholders:") :]
    block = block[block.index("```bash\n") + len("```bash\n") : block.index("```\n", block.index("```bash\n") + 8)]
    printf, init, check = block.strip().splitlines()
    text = printf[printf.index("'") + 1 : printf.rindex("'")].encode().decode("unicode_escape")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "issues.csv").write_text(text, encoding="utf-8")
    assert init.split("#")[0].split() == ["winset", "init", "mycase", "--issues", "issues.csv"]
    assert runner.invoke(app, ["init", "mycase", "--issues", "issues.csv"]).exit_code == 0
    first, second = check.split(" && ")
    assert runner.invoke(app, first.split()[1:]).exit_code == 0
    assert runner.invoke(app, second.split()[1:]).exit_code == 0


def test_at_a_terminal_the_issues_are_asked_for():
    from winset.cli.init import _asked
    from winset.scenario.skeleton import skeleton

    answers = iter(["border", "current, moved", "water", "current,shared,joint", ""])
    asked = _asked(lambda *args, **kwargs: next(answers), terminal=True)
    assert asked == [("border", ["current", "moved"]), ("water", ["current", "shared", "joint"])]
    assert 'water = "current"' in skeleton(asked, "case")[0]


def test_a_large_space_is_announced_and_a_file_is_no_parent(tmp_path):
    rows = "".join(f"i{k},a\ni{k},b\ni{k},c\n" for k in range(20))
    (tmp_path / "issues.csv").write_text("issue,option\n" + rows, encoding="utf-8")
    made = runner.invoke(app, ["init", str(tmp_path / "big"), "--issues", str(tmp_path / "issues.csv")])
    assert made.exit_code == 0 and "3,486,784,401 packages" in " ".join(made.stdout.split())
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    result = runner.invoke(app, ["init", str(tmp_path / "afile" / "sub"), "--issues", str(tmp_path / "issues.csv")])
    assert result.exit_code == 2 and "is not a folder" in " ".join(result.stderr.split())

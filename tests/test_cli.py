"""The command line: check, JSON output, languages, exit codes, no tracebacks, the README."""

import json
import shutil
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from winset.cli import app

from .conftest import POLLS, REPO
from .small_scenario import small_scenario

runner = CliRunner()


def test_check_bundled_scenario_exits_0():
    from winset.scenarios import bundled_path

    result = runner.invoke(app, ["check", str(bundled_path("kuril"))])
    assert result.exit_code == 0, result.output
    for text in ["Issues", "Package space: 69,984 packages", "Constraints", "russian_public", "declaration_1956"]:
        assert text in result.stdout


def test_check_minimal_as_json(tmp_path):
    result = runner.invoke(app, ["check", str(small_scenario(tmp_path)), "--json"])
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["ok"] is True
    assert document["packages"] == 12 and document["valid_packages"] == 9
    assert document["proposals"] == {"two_islands": "habomai=japan,shikotan=japan,treaty=signed"}


def test_problems_as_json(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text("[scenario]\nid = 'x'\n")
    result = runner.invoke(app, ["check", str(path), "--json"])
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    assert document["ok"] is False
    assert {
        "location": "scenario.title",
        "message": "missing required key 'title'",
        "fix": 'add title = "..." (or a table of titles by language)',
    } in document["problems"]


def test_check_prints_the_kuril_summary_in_russian():
    result = runner.invoke(app, ["check", "kuril", "--lang", "ru"])
    assert result.exit_code == 0, result.output
    assert "Мирный договор" in result.stdout
    assert "34,479" in result.stdout  # packages allowed by the constraints


def test_unknown_language_is_a_user_error():
    result = runner.invoke(app, ["check", "kuril", "--lang", "fr"])
    assert result.exit_code == 2
    assert "the scenario has no labels in 'fr'" in result.stderr
    assert "use one of 'en', 'ru', 'ja'" in result.stderr


def test_missing_file_is_a_user_error(tmp_path):
    result = runner.invoke(app, ["check", str(tmp_path / "nope.toml")])
    assert result.exit_code == 2
    assert "no such file" in result.stderr
    assert "Traceback" not in result.output


COMMANDS = ["init", "check", "demo", "fit", "solve", "assess", "report", "simulate", "serve", "organiser"]
COMMANDS += ["amce", "mm", "import", "design", "groups"]


def test_the_command_list_is_every_command():
    import typer.main

    assert sorted(typer.main.get_command(app).commands) == sorted(COMMANDS)


@pytest.mark.parametrize("command", [[], *([name] for name in COMMANDS)])
def test_help_on_every_command(command):
    """Flags are shown without a type, arguments in capitals as in a Unix usage line, and each
    paragraph of help is one line for the terminal to wrap, not broken where the source was."""
    import typer.main

    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "100"})
    assert result.exit_code == 0
    usage = next(line for line in result.stdout.splitlines() if "Usage:" in line)
    assert f"Usage: {' '.join(['winset', *command])} [OPTIONS]" in usage
    assert "{" not in usage and "<bool>" not in result.stdout
    shown = typer.main.get_command(app)
    if command:
        shown = shown.commands[command[0]]
        arguments = [p.name for p in shown.params if p.param_type_name == "argument"]
        assert all(name.upper() in usage for name in arguments)
    assert all("\n" not in paragraph for paragraph in (shown.help or "").split("\n\n"))


def test_no_arguments_shows_help():
    result = runner.invoke(app, [])
    assert "check" in result.output and "demo" in result.output


def test_internal_errors_are_one_line_without_traceback(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("winset.cli.summary.summary", broken)
    monkeypatch.delenv("WINSET_DEBUG", raising=False)
    result = runner.invoke(app, ["check", "kuril"])
    assert result.exit_code == 1
    assert "internal error: RuntimeError: boom" in result.stderr
    assert "Traceback" not in result.output


def test_installed_console_script_runs_as_a_process(tmp_path):
    """The real entry point, as a user runs it: exit codes and no traceback."""
    ok = subprocess.run([sys.executable, "-m", "winset", "--version"], capture_output=True, text=True)
    assert ok.returncode == 0 and ok.stdout.startswith("winset ")
    bad = tmp_path / "bad.toml"
    bad.write_text("[scenario\n")
    failed = subprocess.run([sys.executable, "-m", "winset", "check", str(bad)], capture_output=True, text=True)
    assert failed.returncode == 2
    assert "line 1, column" in failed.stderr and "Traceback" not in failed.stderr


# ------------------------------------------------------------------------------------- the README
def _readme():

    return (REPO / "README.md").read_text(encoding="utf-8")


def test_readme_test_command_is_what_ci_runs():

    commands = [line for line in _readme().splitlines() if line.startswith("python3 -m venv .venv && ")]
    assert len(commands) == 2
    install_and_demo, install_and_test = commands
    assert install_and_demo.endswith("winset demo")
    assert install_and_test in (REPO / ".ci" / "run").read_text().splitlines()


def test_readme_scenario_example_is_valid(tmp_path):
    from winset import load_scenario

    readme = _readme()
    example = readme[readme.index("```toml\n") + len("```toml\n") :]
    example = example[: example.index("```")]
    (tmp_path / "scenario.toml").write_text(example, encoding="utf-8")
    shutil.copy(POLLS, tmp_path / "polls.csv")
    scenario = load_scenario(tmp_path / "scenario.toml")
    assert scenario.space.count_valid() == 3


def test_check_reports_every_public_without_evidence_at_once(minimal_path):
    """A polls file that no calibration target cites, no survey and no prior: nothing says what
    the public supports. check says so for every such public, where fit, solve and report would
    only fail later, one at a time."""
    result = runner.invoke(app, ["check", str(minimal_path), "--json"])
    assert result.exit_code == 2
    problems = json.loads(result.stdout)["problems"]
    assert [p["location"] for p in problems] == ["parties[0].ratifiers[0].data", "parties[1].ratifiers[0].data"]
    assert all(
        "has no evidence: no survey, no polls and no elicited or published prior" in p["message"] for p in problems
    )


def test_check_reads_the_survey_header_for_the_columns_the_model_needs(tmp_path):
    path = small_scenario(tmp_path, survey_edit=lambda frame: frame.drop(columns=["age", "task"]))
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    text = result.stderr.replace("\n      ", " ")
    assert "has no column 'task' for the task number" in text
    assert "has no column 'age' for covariate 'age'" in text


def test_a_path_the_system_cannot_look_up_is_a_located_problem(tmp_path):
    """A name too long for the file system (ENAMETOOLONG) is not 'missing': pathlib raises on it."""
    scenario = small_scenario(tmp_path)
    long = "x" * 5000
    scenario.write_text(
        scenario.read_text().replace('polls = "polls.csv", polls_where = { country = "RU" }', f'polls = "{long}"')
    )
    for args in (
        ["check", str(scenario)],
        ["check", long],
        ["amce", f"{long}.csv", "--outcome", "a", "--features", "b"],
        ["amce", str(tmp_path / "survey.csv"), "--outcome", "support", "--features", "habomai", "--out", f"{long}.csv"],
        ["report", "kuril", "--out", f"{long}.html"],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args[0], result.output[-500:])
        assert "file name too long" in result.stderr and "internal error" not in result.output
    assert "parties[0].ratifiers[0].data.polls" in runner.invoke(app, ["check", str(scenario)]).stderr
    scenario.write_text(scenario.read_text().replace(f'polls = "{long}"', 'polls = "a\\u0000b"'))
    result = runner.invoke(app, ["check", str(scenario)])
    assert result.exit_code == 2 and "the path holds a NUL character" in result.stderr


def test_the_readme_data_format_examples_read(tmp_path):
    """The README's minimal polls file, survey file and published table are read as it says."""
    import re

    from winset.conjoint import ConjointData
    from winset.conjoint.reading import read_table
    from winset.scenario.polls import read_polls
    from winset.scenario.published import read_effects

    blocks = re.findall(r"```csv\n(.*?)```", _readme(), re.S)
    polls, survey, table = (next(b for b in blocks if b.startswith(h)) for h in ("country,", "respondent,", "feature,"))
    (tmp_path / "polls.csv").write_text(polls, encoding="utf-8")
    assert [row["share"] for row in read_polls(tmp_path / "polls.csv").rows] == ["0.55", "0.48"]
    (tmp_path / "survey.csv").write_text(survey, encoding="utf-8")
    data = ConjointData(read_table(tmp_path / "survey.csv"), "chosen", ["border", "water"], id="respondent")
    assert data.n_rows == 4
    (tmp_path / "effects.csv").write_text(table, encoding="utf-8")
    names = {"share": {"half": "half", "upstream_more": "upstream_more"}, "dam": {"joint": "joint"}}
    effects, problems = read_effects(tmp_path / "effects.csv", names)
    assert problems == [] and [e.estimate for e in effects] == [-0.04, 0.09, 0.05]


def test_the_readme_rule_example_is_the_climate_senate():
    """The README's chamber example is the bundled climate scenario's Senate, key for key."""
    import re
    import tomllib

    from winset.scenarios import bundled_path

    block = next(b for b in re.findall(r"```toml\n(.*?)```", _readme(), re.S) if 'id = "us_senate"' in b)
    example = tomllib.loads(block)["parties"]["ratifiers"][0]
    bundled = tomllib.loads(bundled_path("climate").read_text(encoding="utf-8"))
    senate = next(r for p in bundled["parties"] for r in p["ratifiers"] if r["id"] == "us_senate")
    assert example["groups"] == {k: v for k, v in senate["groups"].items() if k in example["groups"]}
    rule = senate["rule"]
    assert {k: example["rule"][k] for k in ("kind", "name", "threshold", "seats")} == {
        k: rule[k] for k in ("kind", "name", "threshold", "seats")
    }
    assert [(b["id"], b["group"], b["seats"]) for b in example["rule"]["blocs"]] == [
        (b["id"], b["group"], b["seats"]) for b in rule["blocs"]
    ]
    assert example["data"]["survey"] == senate["data"]["survey"]


def test_readme_command_table_names_only_options_the_commands_have():
    """Every option a row of the README's command table names exists on its command; a row that
    does not end its list with "[...]" names every option the command has (but --help)."""
    import re

    import typer

    commands = {c.name: c for c in typer.main.get_command(app).commands.values()}
    rows = [line for line in _readme().splitlines() if line.startswith("| `winset ") and "--version" not in line]
    assert len(rows) >= 12
    for row in rows:
        usage = row.split("`")[1]
        name = usage.split()[1]
        named = set(re.findall(r"--[a-z][a-z-]*", usage))
        options = {o for p in commands[name].params for o in p.opts if o.startswith("--")} - {"--help"}
        assert named <= options, (name, named - options)
        if "..." not in usage:
            assert options <= named, (name, options - named)


def _with_closed(stream: str, args: list[str], tmp_path) -> tuple[int, str]:
    """Run winset with its standard ``stream`` a pipe nobody reads (``| head`` that has exited);
    the exit code, and what the other stream said."""
    import os

    read, write = os.pipe()
    os.close(read)
    other = tmp_path / "other.txt"
    with open(other, "w") as said:
        streams = {"stdout": write, "stderr": said} if stream == "stdout" else {"stdout": said, "stderr": write}
        code = subprocess.run([sys.executable, "-m", "winset", *args], **streams, timeout=120).returncode
    os.close(write)
    return code, other.read_text()


def test_a_reader_that_stopped_reading_changes_no_verdict_and_prints_no_traceback(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[scenario]\nid = 'x'\n")
    code, said = _with_closed("stderr", ["check", str(bad)], tmp_path)
    assert code == 2  # a refused input, though its problems could not be read
    code, said = _with_closed("stdout", ["check", "kuril"], tmp_path)
    assert code == 1 and "Traceback" not in said and said == ""


@pytest.mark.parametrize(
    ("args", "where", "message"),
    [
        (["solve", "kuril", "--top", "0"], "--top", "greater than or equal to 1"),
        (["solve", "kuril", "--nope"], "--nope", "no such option: --nope"),
        (["check", "kuril", "--lang"], "--lang", "requires an argument"),
        (["solve"], "SCENARIO", "missing argument 'SCENARIO'"),
        (["slove", "kuril"], "winset", "no such command 'slove' (did you mean 'solve'"),
        (["import", "x.csv", "--format", "qualtricks"], "--format", "'qualtricks' is not one of 'qualtrics'"),
    ],
)
def test_a_mistake_on_the_command_line_is_said_as_every_user_error(args, where, message):
    """The place, what is wrong and the fix, exit 2: not a box; with --json, JSON on stdout."""
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: 1 problem\n") and "╭" not in result.output
    assert f"\n  {where}\n" in result.stderr and message in result.stderr and "fix: see 'winset" in result.stderr
    assert "value error" not in result.stderr.lower()
    if args[0] not in ("slove", "import") and args[-1] != "--lang":  # there --json would be the language, not a flag
        document = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
        assert document["ok"] is False and document["problems"][0]["location"] == where

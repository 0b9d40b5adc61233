"""User files that are not what they claim: nested too deep, endless, blocking, too large, not text.

Each gets one located problem and exit code 2; none may hang, exhaust memory or print a traceback.
"""

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from winset import ScenarioError, load_scenario
from winset.cli import app
from winset.conjoint import Design, DesignError

from .conftest import REPO, within

runner = CliRunner()


def winset_process(*args, timeout=30, memory=None):
    """Run ``python -m winset`` in a child process, optionally with a cap on its address space."""

    def limit():
        if memory is not None:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    return subprocess.run(
        [sys.executable, "-m", "winset", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        preexec_fn=limit,
        check=False,
    )


def scenario_problems(path) -> list[tuple[str, str]]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return [(p.location, p.message) for p in caught.value.problems]


# ------------------------------------------------------------------------------- TOML nesting
def test_thousands_of_open_brackets_are_a_located_problem_not_a_recursion_error(tmp_path):
    path = tmp_path / "scenario.toml"
    path.write_text("[scenario]\nid = 'x'\njunk = " + "[" * 5000)
    ((location, message),) = scenario_problems(path)
    assert location == "line 3, column 72"  # the 65th bracket
    assert message.startswith("arrays and inline tables nest more than 64 levels deep")
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2 and "Traceback" not in result.output and "RecursionError" not in result.output


def test_deep_nesting_below_the_recursion_limit_is_refused_too(tmp_path):
    path = tmp_path / "scenario.toml"
    path.write_text("junk = " + "[" * 65 + "]" * 65 + "\n")
    assert scenario_problems(path) == [("line 1, column 72", "arrays and inline tables nest more than 64 levels deep")]
    path.write_text("junk = " + "{ a = " * 65 + "1" + " }" * 65 + "\n")
    assert scenario_problems(path)[0][0] == "line 1, column 392"


def test_nesting_by_dotted_keys_is_refused_with_its_path(tmp_path):
    path = tmp_path / "scenario.toml"
    path.write_text("junk." + ".".join(["a"] * 70) + " = 1\n")
    ((location, message),) = scenario_problems(path)
    assert location.startswith("junk.a.a.a") and location.endswith("...")
    assert message == "tables and lists nest more than 64 levels deep"


def test_brackets_inside_strings_and_comments_do_not_count(tmp_path):
    deep = "[" * 100
    path = tmp_path / "design.toml"
    path.write_text(
        f'# {deep}\n[features]\nA = ["{deep}1", \'{deep}2\', "say \\"{deep}\\"", '
        f"\"\"\"\n{deep}\n\"\"\", '''{deep}5''']\n"
        f"B = [\"\"\"x\"\"\"\", '''y''''']  # {deep}\n"
    )
    design = Design.from_file(path)
    assert design.levels["A"] == (f"{deep}1", f"{deep}2", f'say "{deep}"', f"{deep}\n", f"{deep}5")
    assert design.levels["B"] == ('x"', "y''")


def test_design_syntax_errors_are_located_by_line_and_column(tmp_path):
    path = tmp_path / "design.toml"
    path.write_text('[features]\nA = ["x",\n')
    with pytest.raises(DesignError) as caught:
        Design.from_file(path)
    ((problem),) = caught.value.problems
    assert problem.location.startswith("line ") and problem.message.startswith("TOML syntax error")
    assert caught.value.source == str(path)


# ------------------------------------------------------------------------------- not regular files
def test_a_named_pipe_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "scenario.toml"
    os.mkfifo(fifo)
    result = winset_process("check", fifo, timeout=20)
    assert result.returncode == 2, result.stderr
    assert "is a named pipe (FIFO), not a regular file" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_device_is_refused_without_reading_it():
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero here")
    result = winset_process("check", "/dev/zero", timeout=20, memory=2_000_000_000)
    assert result.returncode == 2, result.stderr
    assert "the path is a device, not a regular file" in result.stderr


def test_design_file_that_is_a_pipe(tmp_path):
    fifo = tmp_path / "design.toml"
    os.mkfifo(fifo)
    with pytest.raises(DesignError, match="named pipe"):
        within(10, lambda: Design.from_file(fifo))  # refused before opening: opening would block


# ------------------------------------------------------------------------------- size and encoding
def test_a_scenario_beyond_10_mb_is_refused_before_reading(tmp_path):
    path = tmp_path / "scenario.toml"
    with path.open("wb") as handle:  # sparse: no 10 MB written
        handle.truncate(10_000_001)
    ((location, message),) = scenario_problems(path)
    assert location == str(path)
    assert message == "the file is larger than 10 MB (10,000,001 bytes)"


def test_the_limit_holds_while_reading_a_file_whose_size_is_not_known(monkeypatch):
    """Files in /proc say they are empty and are not: the limit is enforced on what is read."""
    from winset.files import toml

    if not Path("/proc/self/maps").is_file():
        pytest.skip("no /proc here")
    monkeypatch.setattr(toml, "TOML_BYTES", 100)
    ((_, message),) = scenario_problems("/proc/self/maps")
    assert message == "the file is larger than 100 bytes"


def test_not_utf8_is_located_by_line_and_column(tmp_path):
    path = tmp_path / "scenario.toml"
    path.write_bytes("[scenario]\ntitle = 'caf\xe9'\n".encode("latin-1"))
    assert scenario_problems(path) == [("line 2, column 13", "the file is not UTF-8 text")]


def test_check_refuses_data_files_that_are_not_regular_files(tmp_path):
    from .small_scenario import small_scenario

    path = small_scenario(tmp_path)
    (tmp_path / "survey.csv").unlink()
    os.mkfifo(tmp_path / "survey.csv")
    problems = scenario_problems(path)
    pipe = "'survey.csv': the path is a named pipe (FIFO), not a regular file"
    assert problems and all(
        location.endswith(".data.survey") and message.endswith(pipe) for location, message in problems
    )


def test_a_socket_is_refused(tmp_path):
    import socket

    path = tmp_path / "s.toml"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        assert scenario_problems(path) == [(str(path), "the path is a socket, not a regular file")]

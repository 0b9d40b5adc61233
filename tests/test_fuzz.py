"""Fuzzing the command line with broken files: whatever the bytes, exit 0 or 2, never an internal
error, a traceback or a hang, and --json output that is valid JSON.

Hypothesis mutates the files of a small scenario (the scenario, its polls, its survey, compressed
or not) and the bundled Kuril scenario: bytes deleted, repeated, inserted or truncated; numbers
replaced by NaN, infinities, huge, tiny or negative values; text replaced by control characters,
nothing, or a great deal; CSV cells, lines and columns dropped or garbled. Each mutated case runs
the command that reads the file (check for the scenario and polls; fit and solve for a survey;
amce for conjoint data) in process, under a wall-clock alarm.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import re
import shutil
import signal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from winset.cli import app
from winset.scenarios import bundled_path

from .small_scenario import small_scenario

runner = CliRunner()
SECONDS = 30  # far beyond any of these runs (under a second each); a hang fails the test
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)

NUMBERS = ["nan", "inf", "-inf", "1e309", "-1", "0", "1e-320", "99999999999999999999", "-0", "0.5"]
TEXTS = ['"\\u001b]0;x\\u0007"', '""', '"' + "x" * 5000 + '"', '"\\u202e"', "'''\n'''", '"a\\u0000b"']
CELLS = ["", "nan", "inf", "-inf", "-1", "1e308", "x", "\x1b[2J", '"', "\u202e", "0.5", "2", "NA", "yes"]


class Hang(BaseException):
    """Raised by the alarm: not an Exception, so that nothing in winset can catch it."""


@contextlib.contextmanager
def alarm(seconds: int):
    def ring(signum, frame):
        raise Hang(f"no answer after {seconds} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def strict_json(text: str):
    def refuse(constant):
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def run_and_judge(*args: str) -> None:
    """Run a command; it must answer, exit 0 or 2, print no traceback, and print valid JSON."""
    with alarm(SECONDS):
        result = runner.invoke(app, [str(a) for a in args])
    output = result.output
    assert result.exit_code in (0, 2), (args, result.exit_code, output[-2000:])
    assert "Traceback" not in output and "internal error" not in output, output[-2000:]
    if "--json" in args:
        document = strict_json(result.stdout)
        assert isinstance(document, dict) and isinstance(document.get("ok"), bool), document
    assert "\x1b]" not in output and "\u202e" not in output  # control characters never raw


# ------------------------------------------------------------------------------------ mutations
@st.composite
def byte_mutation(draw, data: bytes) -> bytes:
    if not data:
        return draw(st.binary(max_size=64))
    kind = draw(st.sampled_from(["delete", "repeat", "insert", "truncate", "flip"]))
    start = draw(st.integers(0, len(data) - 1))
    stop = min(len(data), start + draw(st.integers(1, 200)))
    if kind == "delete":
        return data[:start] + data[stop:]
    if kind == "repeat":
        return data[:stop] + data[start:stop] * draw(st.integers(1, 50)) + data[stop:]
    if kind == "insert":
        return data[:start] + draw(st.binary(min_size=1, max_size=32)) + data[start:]
    if kind == "truncate":
        return data[:start]
    flipped = bytearray(data)
    for i in draw(st.lists(st.integers(0, len(data) - 1), min_size=1, max_size=8)):
        flipped[i] ^= draw(st.integers(1, 255))
    return bytes(flipped)


@st.composite
def toml_mutation(draw, text: str) -> str:
    """Replace a number, a string or a line of TOML text by something awkward."""
    kind = draw(st.sampled_from(["number", "string", "line", "duplicate"]))
    if kind in ("number", "string"):
        pattern = r"(?<![\w.\"])-?\d+(\.\d+)?(?![\w.\"])" if kind == "number" else r'"[^"\n]*"'
        spots = list(re.finditer(pattern, text))
        if spots:
            spot = draw(st.sampled_from(spots))
            new = draw(st.sampled_from(NUMBERS if kind == "number" else TEXTS))
            return text[: spot.start()] + new + text[spot.end() :]
    lines = text.splitlines(keepends=True)
    k = draw(st.integers(0, len(lines) - 1))
    if kind == "duplicate":
        return "".join(lines[: k + 1] + lines[k:])
    return "".join(lines[:k] + lines[k + 1 :])


@st.composite
def csv_mutation(draw, text: str) -> str:
    """Garble a cell, drop a line or a column, or cut a line short."""
    lines = text.splitlines()
    kind = draw(st.sampled_from(["cell", "cell", "drop_line", "drop_column", "cut", "header_only"]))
    k = draw(st.integers(0, len(lines) - 1))
    if kind == "header_only":
        return lines[0] + "\n"
    if kind == "drop_line":
        return "\n".join(lines[:k] + lines[k + 1 :]) + "\n"
    if kind == "cut":
        line = lines[k]
        return "\n".join([*lines[:k], line[: draw(st.integers(0, len(line)))], *lines[k + 1 :]]) + "\n"
    header = lines[0].split(",")
    column = draw(st.integers(0, len(header) - 1))
    if kind == "drop_column":
        return "\n".join(",".join(c for i, c in enumerate(row.split(",")) if i != column) for row in lines) + "\n"
    rows = [row.split(",") for row in lines]
    changed = draw(st.lists(st.integers(0, len(rows) - 1), min_size=1, max_size=20))
    new = draw(st.sampled_from(CELLS))
    for r in changed:
        if column < len(rows[r]):
            rows[r][column] = new
    return "\n".join(",".join(row) for row in rows) + "\n"


# ------------------------------------------------------------------------------------ cases
@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """The small scenario's files, read once."""
    folder = tmp_path_factory.mktemp("fuzz-base")
    small_scenario(folder)
    return {name: (folder / name).read_bytes() for name in ("scenario.toml", "survey.csv", "polls.csv")}


def write_case(folder, base, **replaced: bytes):
    for name, data in base.items():
        (folder / name).write_bytes(replaced.get(name, data))
    return folder / "scenario.toml"


@FUZZ
@given(data=st.data())
def test_a_broken_scenario_file(tmp_path_factory, base, data):
    text = base["scenario.toml"].decode()
    mutated = data.draw(st.one_of(toml_mutation(text).map(str.encode), byte_mutation(base["scenario.toml"])))
    path = write_case(tmp_path_factory.mktemp("case"), base, **{"scenario.toml": mutated})
    run_and_judge("check", path, "--json")
    run_and_judge("check", path)


@FUZZ
@given(data=st.data())
def test_a_broken_bundled_scenario(tmp_path_factory, data):
    source = bundled_path("kuril")
    folder = tmp_path_factory.mktemp("kuril")
    shutil.copytree(source.parent / "data", folder / "data")
    text = source.read_text(encoding="utf-8")
    mutated = data.draw(st.one_of(toml_mutation(text).map(str.encode), byte_mutation(text.encode())))
    (folder / "scenario.toml").write_bytes(mutated)
    run_and_judge("check", folder / "scenario.toml", "--json")


@FUZZ
@given(data=st.data())
def test_a_broken_polls_file(tmp_path_factory, base, data):
    text = base["polls.csv"].decode()
    mutated = data.draw(st.one_of(csv_mutation(text).map(str.encode), byte_mutation(base["polls.csv"])))
    path = write_case(tmp_path_factory.mktemp("case"), base, **{"polls.csv": mutated})
    run_and_judge("check", path, "--json")
    run_and_judge("fit", path, "--draws", "2", "--json")


@FUZZ
@given(data=st.data(), compressed=st.booleans())
def test_a_broken_survey(tmp_path_factory, base, data, compressed):
    text = base["survey.csv"].decode()
    mutated = data.draw(st.one_of(csv_mutation(text).map(str.encode), byte_mutation(base["survey.csv"])))
    folder = tmp_path_factory.mktemp("case")
    path = write_case(folder, base, **{"survey.csv": mutated})
    if compressed:  # the same bytes as a gzip file, itself perhaps cut short
        packed = gzip.compress(mutated)
        cut = data.draw(st.sampled_from([len(packed), len(packed) // 2, 10]))
        (folder / "survey.csv.gz").write_bytes(packed[:cut])
        path.write_text(path.read_text().replace('survey = "survey.csv"', 'survey = "survey.csv.gz"'))
    run_and_judge("fit", path, "--draws", "2", "--json")
    run_and_judge("solve", path, "--draws", "2", "--json")


@FUZZ
@given(data=st.data(), weights=st.booleans())
def test_broken_conjoint_data(tmp_path_factory, base, data, weights):
    text = base["survey.csv"].decode()
    if weights:  # a weights column to break too
        lines = text.splitlines()
        text = "\n".join([lines[0] + ",w"] + [line + f",{1 + i % 3}" for i, line in enumerate(lines[1:])]) + "\n"
    mutated = data.draw(st.one_of(csv_mutation(text).map(str.encode), byte_mutation(text.encode())))
    path = tmp_path_factory.mktemp("case") / "data.csv"
    path.write_bytes(mutated)
    options = ["--outcome", "support", "--features", "habomai,shikotan,treaty", "--id", "respondent", "--json"]
    convention = data.draw(st.sampled_from(["cregg", "cjoint"]))
    run_and_judge("amce", path, *options, "--convention", convention, *(["--weights", "w"] if weights else []))
    run_and_judge("mm", path, *options)

"""Progress where standard error is not a terminal: plain lines, each step and then a line every
few seconds, never on standard output."""

import time

import pytest

from winset.cli import heartbeat
from winset.cli.common import progress_bars, steps


@pytest.fixture
def fast(monkeypatch):
    monkeypatch.setattr(heartbeat, "SECONDS", 0.05)


def test_a_long_step_says_it_is_alive_every_few_seconds(fast, capsys):
    with steps(True) as step:
        step("searching")
        time.sleep(0.4)
        step("writing")
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert out == "" and lines[0] == "searching..." and "writing..." in lines
    beats = [line for line in lines if line.startswith("searching... (")]
    assert len(beats) >= 3 and all(line.endswith(" s)") for line in beats)


def test_progress_bars_become_lines_of_counts(fast, capsys):
    with progress_bars(True) as progress:
        task = progress.add_task("russian_public: bootstrap", total=200)
        progress.update(task, completed=40)
        open_ended = progress.add_task("reading", total=None)  # a count with no end known
        progress.update(open_ended, completed=7)
        time.sleep(0.3)
    out, err = capsys.readouterr()
    assert out == "" and err.splitlines()[-1] == "russian_public: bootstrap 40/200; reading 7"  # as they ended


def test_nothing_is_said_when_the_command_prints_json(fast, capsys):
    with steps(False) as step, progress_bars(False) as progress:
        step("searching")
        progress.add_task("fitting", total=10)
        time.sleep(0.2)
    assert capsys.readouterr() == ("", "")

"""Install hints for the optional parts: the command that works where winset was installed from."""

import json
import sys
from importlib import metadata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from winset import extras
from winset.cli import app
from winset.extras import install_hint

from .conftest import REPO


class Installed:
    """A distribution whose ``direct_url.json`` is ``text`` (None: pip recorded none)."""

    def __init__(self, text):
        self.text = text

    def read_text(self, name):
        assert name == "direct_url.json"
        return self.text


@pytest.mark.parametrize(
    ("record", "hint"),
    [
        ({"url": "file:///home/ana/winset", "dir_info": {"editable": True}}, "pip install -e '/home/ana/winset[web]'"),
        ({"url": "file:///home/ana/winset", "dir_info": {}}, "pip install '/home/ana/winset[web]'"),
        (
            {"url": "file:///tmp/my%20wheels/winset-0.1-py3-none-any.whl", "archive_info": {}},
            "pip install '/tmp/my wheels/winset-0.1-py3-none-any.whl[web]'",
        ),
        ({"url": "https://example.org/winset-0.1.tar.gz", "archive_info": {}}, "pip install 'winset[web]'"),
        (None, "pip install 'winset[web]'"),
        ("not json", "pip install 'winset[web]'"),
    ],
    ids=["editable checkout", "checkout", "wheel", "remote archive", "from an index", "unreadable record"],
)
def test_the_hint_names_what_winset_was_installed_from(monkeypatch, record, hint):
    text = record if record is None or isinstance(record, str) else json.dumps(record)
    monkeypatch.setattr(extras.metadata, "distribution", lambda name: Installed(text))
    assert install_hint("web") == hint.replace("pip install", f"{sys.executable} -m pip install")


def test_without_winset_installed_the_hint_is_the_index_form(monkeypatch):
    def missing(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(extras.metadata, "distribution", missing)
    assert install_hint("negotiation") == f"{sys.executable} -m pip install 'winset[negotiation]'"


def here(hint: str) -> bool:
    """Whether ``hint`` installs an extra into this checkout, editable (as the test command
    installs it)."""
    start, _, rest = hint.partition("'")
    own_pip = f"{sys.executable} -m pip install -e "  # this Python's pip, not whichever is on the PATH
    return start == own_pip and Path(rest.rpartition("[")[0]).resolve() == REPO.resolve()


def test_the_tests_own_installation_is_told_to_install_into_this_checkout():
    assert here(install_hint("web"))


@pytest.mark.parametrize("command", [["serve", "kuril"], ["organiser", "kuril", "a@example.org"]])
def test_a_command_without_the_web_extra_names_itself_and_the_working_install(monkeypatch, command):
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # as if the web extra were not installed
    monkeypatch.setenv("WINSET_ORGANISER_PASSWORD", "correct horse battery")
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 2
    assert f"winset {command[0]}" in result.output and "winset[" not in result.output
    fix = next(line for line in result.output.splitlines() if "pip install" in line)
    assert here(fix[fix.index(sys.executable) :])


def test_organiser_says_the_web_extra_is_missing_before_asking_for_a_password(monkeypatch):
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    monkeypatch.delenv("WINSET_ORGANISER_PASSWORD", raising=False)
    result = CliRunner().invoke(app, ["organiser", "kuril", "a@example.org"])
    assert result.exit_code == 2
    assert "web extra is not installed" in result.output and "password" not in result.output.lower()

"""``winset organiser`` as a process without a terminal: every way it cannot create the account is
one problem, with exit code 2, and nothing is written."""

import os
import subprocess
import sys

import pytest

from ..conftest import refused as shared_refused

PASSWORD = "correct horse battery"


def organiser(tmp_path, *args, password=None, stdin="devnull", url=None):
    """Run ``winset organiser kuril ARGS`` with standard input from /dev/null (or closed) and
    WINSET_ORGANISER_PASSWORD set to ``password`` (unset for None)."""
    env = {k: v for k, v in os.environ.items() if k not in ("WINSET_ORGANISER_PASSWORD", "WINSET_DEBUG")}
    if password is not None:
        env["WINSET_ORGANISER_PASSWORD"] = password
    url = url or f"sqlite:///{tmp_path / 'c.db'}"
    return subprocess.run(
        [sys.executable, "-m", "winset", "organiser", "kuril", *args, "--database-url", url],
        stdin=subprocess.DEVNULL,
        preexec_fn=(lambda: os.close(0)) if stdin == "closed" else None,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,  # a refusal (exit code 2) is what the tests look at
    )


def refused(result, *phrases):
    shared_refused(result, *phrases, noise=("GetPassWarning", "Aborted"))


@pytest.mark.skipif(sys.platform == "win32", reason="closes standard input the POSIX way")
@pytest.mark.parametrize("stdin", ["devnull", "closed"])
def test_without_a_terminal_the_password_must_come_from_the_environment(tmp_path, stdin):
    result = organiser(tmp_path, "a@example.org", stdin=stdin)
    refused(result, "WINSET_ORGANISER_PASSWORD", "interactive terminal")
    assert not (tmp_path / "c.db").exists()


@pytest.mark.parametrize(
    ("password", "phrases"),
    [("", ["WINSET_ORGANISER_PASSWORD", "is empty"]), ("short", ["WINSET_ORGANISER_PASSWORD", "shorter than 12"])],
)
def test_an_empty_or_short_password_from_the_environment(tmp_path, password, phrases):
    refused(organiser(tmp_path, "a@example.org", password=password), *phrases)
    assert not (tmp_path / "c.db").exists()


@pytest.mark.parametrize("email", ["not an email", "a@", "@example.org", "a@b@c", "x" * 320 + "@example.org"])
def test_an_address_that_is_not_an_email(tmp_path, email):
    refused(organiser(tmp_path, email, password=PASSWORD), "is not an e-mail address")
    assert not (tmp_path / "c.db").exists()


@pytest.mark.parametrize(
    ("url", "phrase"),
    [
        ("not a url", "is not a database URL"),
        ("postgresql+psycopg://u:secret-word@host:abc/db", "is not a database URL"),
        ("nosuchdb://x", "no database driver for 'nosuchdb'"),
        ("mysql://u:secret-word@localhost/db", "is not installed"),
        ("postgresql+psycopg://u:secret-word@127.0.0.1:1/db", "cannot open the database"),
        ("sqlite:////no/such/folder/c.db", "cannot open the database"),
    ],
)
def test_a_database_that_cannot_be_opened(tmp_path, url, phrase):
    """A malformed URL, an unknown or missing driver, a server that does not answer, a file in a
    folder that does not exist; the password in a URL is never shown."""
    result = organiser(tmp_path, "a@example.org", password=PASSWORD, url=url)
    refused(result, phrase)
    assert "secret-word" not in result.stderr and "sqlalche.me" not in result.stderr

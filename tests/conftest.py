import shutil
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests check correctness, not speed: no per-example deadline on a busy machine.
settings.register_profile("winset", deadline=None)
settings.load_profile("winset")

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent
SHARED = REPO.parent / "shared"
POLLS = FIXTURES / "valid" / "polls.csv"


@pytest.fixture
def minimal_path() -> Path:
    return FIXTURES / "valid" / "minimal.toml"


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (``.ci/run`` installs both); skipped where either
    is missing."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.skip("no chromium on this machine (Debian package 'chromium'; .ci/run installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def within(seconds: float, call):
    """``call()``'s result or exception, failing the test if it has not finished after ``seconds``
    (it runs in a daemon thread, so a call blocked for good cannot hold up the test run)."""
    import threading

    outcome = {}

    def run():
        try:
            outcome["value"] = call()
        except BaseException as error:
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        pytest.fail(f"still running after {seconds} s (blocked?)")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def refused(result, *phrases, noise=()):
    """A finished subprocess refused its input as the command line promises: exit code 2, one
    problem naming ``phrases``, and no traceback, internal error or other ``noise``."""
    assert result.returncode == 2, result.stderr
    assert "1 problem" in result.stderr and all(p in result.stderr for p in phrases), result.stderr
    for unwanted in ("Traceback", "internal error", *noise):
        assert unwanted not in result.stderr + result.stdout

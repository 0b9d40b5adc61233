"""The worked example analysed once (few bootstrap draws) and its report, shared by the report tests;
a headless Chromium for the tests that render it."""

import shutil

import pytest

from winset import load_scenario
from winset.report import analyse, render, write_report
from winset.support import fit_scenario

DRAWS = 10
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="package")
def kuril(tmp_path_factory):
    """(analysis, path of its report) for the bundled scenario, DRAWS bootstrap draws, seed 0."""
    scenario = load_scenario("kuril")
    fits = fit_scenario(scenario, DRAWS, 0)
    analysis = analyse(scenario, fits)
    path = write_report(render(analysis), tmp_path_factory.mktemp("report") / "kuril-report.html")
    return analysis, path


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="package")
def browser():
    """Debian's Chromium driven by Playwright (``.ci/run`` installs both); skipped where either
    is missing."""
    executable = chromium_path()
    if executable is None:
        pytest.skip("no chromium on this machine (Debian package 'chromium'; .ci/run installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()

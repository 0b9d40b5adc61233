"""The worked example analysed once, from the session's shared fits, and its report, shared by the
report tests."""

import pytest

from winset import load_scenario
from winset.report import analyse, render, write_report

from ..conftest import KURIL_DRAWS, made_once

DRAWS = KURIL_DRAWS


@pytest.fixture(scope="package")
def kuril(kuril_fits, tmp_path_factory):
    """(analysis, path of its report) for the bundled scenario, from ``kuril_fits`` (DRAWS
    bootstrap draws, seed 0), made once per test run."""

    def make():
        analysis = analyse(load_scenario("kuril"), kuril_fits)
        path = write_report(render(analysis), tmp_path_factory.mktemp("report") / "kuril-report.html")
        return analysis, path

    return made_once(tmp_path_factory, "kuril_report", make)

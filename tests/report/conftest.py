"""The worked example analysed once (few bootstrap draws) and its report, shared by the report tests."""

import pytest

from winset import load_scenario
from winset.report import analyse, render, write_report
from winset.support import fit_scenario

DRAWS = 10


@pytest.fixture(scope="package")
def kuril(tmp_path_factory):
    """(analysis, path of its report) for the bundled scenario, DRAWS bootstrap draws, seed 0."""
    scenario = load_scenario("kuril")
    fits = fit_scenario(scenario, DRAWS, 0)
    analysis = analyse(scenario, fits)
    path = write_report(render(analysis), tmp_path_factory.mktemp("report") / "kuril-report.html")
    return analysis, path

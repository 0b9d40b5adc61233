"""``winset report`` and ``winset demo`` end to end; ``winset assess`` agrees with the report;
``--exit-code``."""

import json

import pytest
from typer.testing import CliRunner

from winset.cli import app
from winset.cli import fit as fit_command
from winset.report.html import interval, percent

from ..conftest import serve_fits
from ..small_scenario import small_scenario
from .conftest import DRAWS
from .test_report import parsed

runner = CliRunner()


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return small_scenario(tmp_path_factory.mktemp("small"))


def test_report_writes_the_page_and_says_where(small, tmp_path):
    out = tmp_path / "small.html"
    result = runner.invoke(app, ["report", str(small), "--out", str(out), "--draws", "5"])
    assert result.exit_code == 0, result.output
    assert "Report written to" in result.stdout and out.name in result.stdout
    page = out.read_text(encoding="utf-8")
    assert '<meta name="generator" content="winset ' in page
    assert '<section id="explorer"' in page  # a scenario whose rules count no groups has the explorer too
    again = runner.invoke(app, ["report", str(small), "--out", str(out), "--draws", "5", "--json"])
    assert again.exit_code == 0, again.output
    document = json.loads(again.stdout)
    assert document["ok"] is True and document["report"] == str(out.resolve())
    assert document["proposals"][0]["name"] == "status_quo"
    assert {"winset_size", "best", "recommendations", "frontier", "gap"} <= set(document)


def test_report_refuses_a_bad_destination_before_any_fitting(small, tmp_path, monkeypatch):
    def no_fitting(*args, **kwargs):
        raise AssertionError("fitted before checking --out")

    monkeypatch.setattr(fit_command, "fit_all", no_fitting)
    mine = tmp_path / "mine.html"
    mine.write_text("my page")
    result = runner.invoke(app, ["report", str(small), "--out", str(mine)])
    assert result.exit_code == 2
    assert "not a winset report" in result.stderr and "--force" in result.stderr
    assert mine.read_text() == "my page"
    for options, message in [
        (["--lang", "fr"], "no labels in 'fr'"),
        (["--criterion", "best"], "unknown criterion"),
        (["--method", "magic"], "unknown method"),
        (["--confidence", "1.5"], "between 0 and 1"),
    ]:
        result = runner.invoke(app, ["report", str(small), "--out", str(tmp_path / "x.html"), *options])
        assert result.exit_code == 2 and message in result.stderr, result.output


def test_demo_prints_the_analysis_and_writes_the_report(kuril_fits, tmp_path, monkeypatch):
    """End to end from the session's fits of the worked example (``winset assess`` below fits it
    afresh): what it prints is the structure of the analysis and the point estimates' verdicts."""
    serve_fits(monkeypatch, kuril_fits, DRAWS, 0)
    out = tmp_path / "kuril.html"
    result = runner.invoke(app, ["demo", "--draws", str(DRAWS), "--out", str(out)])
    assert result.exit_code == 0, result.output
    for text in (
        "Support for the status quo and the proposals",
        "1956 terms: Habomai and Shikotan after a peace treaty",
        "Joint win-set: 0 of 34,478 possible deals",
        "Ratification gap",
        "Pareto frontier",
        "Report written to",
    ):
        assert text in result.stdout
    assert out.exists()


def test_demo_refuses_an_unknown_language_at_once():
    result = runner.invoke(app, ["demo", "--lang", "fr"])
    assert result.exit_code == 2
    assert "use one of 'en', 'ru', 'ja'" in result.stderr


def test_assess_gives_the_reports_figures_for_every_proposal(kuril, monkeypatch):
    """``winset assess`` on each historic proposal shows the support the report shows. One run
    fits afresh (same draws and seed: the same models); the others reuse the report's fits."""
    analysis, path = kuril
    shown = {
        (row["data-proposal"], cell["data-public"]): text
        for row, cell, text in parsed(path).cells
        if "data-proposal" in row
    }

    def assessed(proposal: str) -> dict:
        result = runner.invoke(app, ["assess", "kuril", "--package", proposal, "--draws", str(DRAWS), "--json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    documents = {"two_plus_alpha": assessed("two_plus_alpha")}
    serve_fits(monkeypatch, analysis.fits, DRAWS, 0)
    for proposal in analysis.scenario.proposals:
        documents.setdefault(proposal.id, assessed(proposal.id))
    for proposal, document in documents.items():
        for rule in document["rules"]:
            text = shown[(proposal, rule["public"])]
            assert text.startswith(f"{percent(rule['support'])}|{interval(rule['lower'], rule['upper'])}|")


# ---------------------------------------------------------------------------------- exit codes
def test_exit_code_says_whether_a_deal_passes(small, tmp_path):
    empty = runner.invoke(app, ["solve", str(small), "--draws", "0", "--exit-code"])
    assert empty.exit_code == 3, empty.output
    assert runner.invoke(app, ["solve", str(small), "--draws", "0"]).exit_code == 0
    failing = runner.invoke(app, ["assess", str(small), "--package", "two_islands", "--draws", "0", "--exit-code"])
    assert failing.exit_code == 3, failing.output
    lenient = small_scenario(
        tmp_path,
        scenario_edit=lambda text: text.replace(
            'rule = { threshold = 0.5, population = "adults" }', 'rule = { threshold = 0.05, population = "adults" }'
        ).replace("threshold = 0.5", "threshold = 0.05"),
    )
    passing = runner.invoke(app, ["solve", str(lenient), "--draws", "0", "--exit-code"])
    assert passing.exit_code == 0, passing.output

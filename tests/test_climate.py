"""The bundled climate example: a real survey of the US public (Bechtel and Scheve 2013) beside a
public known only from an elicited prior. Its AMCEs equal statsmodels' to 1e-8, its survey is the
published file renamed (and nothing else), and check, solve and report run on it."""

import gzip
import json

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from typer.testing import CliRunner

from winset.cli import app
from winset.conjoint import ConjointData, amce
from winset.examples.climate import ATTRIBUTES, SURVEY, prepare
from winset.scenarios import bundled_path

from .conftest import need_shared

runner = CliRunner()
DATA = bundled_path("climate").parent / "data"
ISSUES = [issue for issue, _ in ATTRIBUTES.values()]


@pytest.fixture(scope="module")
def survey():
    return pd.read_csv(DATA / SURVEY)


def test_the_amces_are_statsmodels_ols_with_respondent_clusters(survey):
    """cregg's convention: OLS on the treatment dummies (baseline: each attribute's first level in
    the data's sorted order, as here the survey's), respondent-clustered sandwich with M/(M-1)."""
    baselines = {issue: sorted(survey[issue].unique())[0] for issue in ISSUES}
    data = ConjointData(survey, "chosen", ISSUES, id="respondent", baselines=baselines)
    table = amce(data)
    columns, keys = [np.ones(len(survey))], []
    for issue in ISSUES:
        for level in sorted(set(survey[issue]) - {baselines[issue]}):
            columns.append((survey[issue] == level).to_numpy(float))
            keys.append((issue, level))
    x = np.column_stack(columns)
    groups = pd.factorize(survey["respondent"], sort=True)[0]
    m = groups.max() + 1
    fit = sm.OLS(survey["chosen"].to_numpy(float), x).fit(
        cov_type="cluster", cov_kwds={"groups": groups, "use_correction": False}
    )
    se = np.sqrt(np.diag(fit.cov_params()) * m / (m - 1))
    mine = table.set_index(["feature", "level"])
    for j, key in enumerate(keys, start=1):
        assert mine.loc[key, "estimate"] == pytest.approx(fit.params[j], abs=1e-8)
        assert mine.loc[key, "std_error"] == pytest.approx(se[j], abs=1e-8)
    assert len(keys) == 17


@pytest.mark.shared("data", "climate", "bs2013_us.csv")
def test_the_bundled_survey_is_the_published_file_renamed(tmp_path):
    source = need_shared("data", "climate", "bs2013_us.csv")
    written = prepare(source, tmp_path)
    assert gzip.decompress(written.read_bytes()) == gzip.decompress((DATA / SURVEY).read_bytes())
    published, bundled = pd.read_csv(source), pd.read_csv(DATA / SURVEY)
    assert len(bundled) == len(published) == 20_000 and bundled["respondent"].nunique() == 2_500
    assert (bundled["chosen"] == published["choice"]).all()
    for column, (issue, levels) in ATTRIBUTES.items():
        assert (bundled[issue] == published[column].map(levels)).all()


def test_check_solve_and_report_run_on_the_climate_example(tmp_path):
    assert runner.invoke(app, ["check", "climate"]).exit_code == 0
    solved = runner.invoke(app, ["assess", "climate", "--package", "pledge_and_review", "--draws", "10", "--json"])
    assert solved.exit_code == 0, solved.output
    document = json.loads(solved.stdout)
    assert document["evidence"]["us_public"] == "a survey of 2,500 respondents (20,000 profiles)"
    assert document["evidence"]["partner_publics"].startswith("no polls: elicited judgement")
    assert any("partner_publics has no survey and no polls" in w for w in document["warnings"])
    out = tmp_path / "climate.html"
    reported = runner.invoke(app, ["report", "climate", "--draws", "10", "--out", str(out)])
    assert reported.exit_code == 0, reported.output
    assert "A global climate agreement before the US public" in out.read_text(encoding="utf-8")
    page = out.read_text(encoding="utf-8")
    assert "How the rules over groups count the proposals" in page and "Deals its rule accepts alone" in page
    assert 'id="simulated-data"' not in page  # real survey answers: no banner saying they are simulated


def test_the_senate_ratifies_by_two_thirds_with_each_party_following_its_voters():
    """The Senate's verdict counted by hand from the blocs' supports (53 and 47 seats, two thirds
    of 100 needed), and its win-set beside the popular majority's."""
    solved = runner.invoke(app, ["solve", "climate", "--draws", "10", "--json"])
    assert solved.exit_code == 0, solved.output
    winsets = {row["public"]: row for row in json.loads(solved.stdout)["winsets"]}
    senate, public = winsets["us_senate"], winsets["us_public"]
    assert senate["binding"] and not public["binding"]
    assert 0 < senate["winset_size"] < public["winset_size"]
    assert senate["rule"] == "US Senate: 67 of 100 votes"
    assert senate["decided_by"] in {"democratic_caucus", "republicans"}
    at_best = {row["member"]: row for row in json.loads(solved.stdout)["votes"]}
    assert at_best[senate["decided_by"]]["blocking"]  # the votes at the best package name the same member
    assert all(row["yes"] for row in at_best.values())  # in the joint win-set: both parties' voters back it
    assessed = runner.invoke(app, ["assess", "climate", "--package", "ambitious", "--draws", "10", "--json"])
    document = json.loads(assessed.stdout)
    votes = {row["member"]: row for row in document["votes"] if row["public"] == "us_senate"}
    assert {v["source"] for v in votes.values()} == {"left", "right"}
    yes = {m: v["support"] >= v["threshold"] for m, v in votes.items()}
    seats = 53 * yes["democratic_caucus"] + 47 * yes["republicans"]
    rule = next(r for r in document["rules"] if r["public"] == "us_senate")
    assert rule["passes"] == (3 * seats >= 200)
    assert not rule["passes"] and rule["decided_by"] == "republicans"  # the Republicans' voters block it

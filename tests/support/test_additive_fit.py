"""A case with poll toplines only (tests/fixtures/polls_only): it passes ``winset check``; fit,
solve, assess and report answer with intervals; the fitted publics reproduce their polls; the
priors (elicited, published) are what the scenario says; and what cannot serve is refused."""

import json
import shutil

import numpy as np
import pytest
from scipy.special import expit, logit
from typer.testing import CliRunner

from winset import load_scenario
from winset.cli import app
from winset.support import AdditiveSupportModel, fit_scenario
from winset.support.fit import amce_table

from ..conftest import FIXTURES

runner = CliRunner()
CASE = FIXTURES / "polls_only"
Z90 = 1.6448536269514722


@pytest.fixture
def case(tmp_path):
    for name in ("scenario.toml", "polls.csv", "effects.csv"):
        shutil.copy(CASE / name, tmp_path / name)
    return tmp_path / "scenario.toml"


def edited(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_a_case_with_polls_only_is_analysed_with_intervals(case, tmp_path):
    assert runner.invoke(app, ["check", str(case)]).exit_code == 0
    solved = runner.invoke(app, ["solve", str(case), "--draws", "40", "--json"])
    assert solved.exit_code == 0, solved.output
    rows = json.loads(solved.stdout)["best"]
    assert rows and {"up_public_lower", "up_public_upper", "down_public_lower", "down_public_upper"} <= set(rows[0])
    for row in rows:
        for public in ("up_public", "down_public"):
            assert row[f"{public}_lower"] < row[f"{public}_support"] < row[f"{public}_upper"]
    assessed = runner.invoke(app, ["assess", str(case), "--package", "split", "--draws", "40", "--json"])
    assert assessed.exit_code == 0, assessed.output
    rules = json.loads(assessed.stdout)["rules"]
    assert all(r["lower"] < r["support"] < r["upper"] and 0 <= r["p_rule"] <= 1 for r in rules)
    out = tmp_path / "report.html"
    reported = runner.invoke(app, ["report", str(case), "--draws", "40", "--out", str(out)])
    assert reported.exit_code == 0, reported.output
    page = out.read_text(encoding="utf-8")
    assert "Bayesian additive model from 2 polls and stated weakly informative defaults" in page
    fitted = runner.invoke(app, ["fit", str(case), "--draws", "40", "--json"])
    assert fitted.exit_code == 0, fitted.output
    up = json.loads(fitted.stdout)["ratifiers"]["up_public"]
    assert up["model"] == "additive" and up["evidence"] == "2 polls and stated weakly informative defaults"
    assert up["respondents"] is None and up["calibration_shift"] is None


def test_the_fitted_publics_reproduce_their_polls(case):
    """Each polled package's support, at the posterior mode, within the poll's margin of error
    (1.96 standard errors) of its topline."""
    fits = fit_scenario(load_scenario(case), draws=0)
    for fit in fits.values():
        report = fit.calibration
        assert len(report) == 2
        se = np.sqrt(report["poll"] * (1 - report["poll"]) / np.array([900, 900, 1100, 1100])[: len(report)])
        assert np.all(np.abs(report["fitted"] - report["poll"]) < 1.96 * se), report


def test_an_elicited_prior_is_what_the_scenario_says(case):
    edited(
        case,
        '    { line = 3, package = "share=upstream_more,dam=joint" },\n  ]\n',
        '    { line = 3, package = "share=upstream_more,dam=joint" },\n  ]\n'
        '  prior = { kind = "elicitation", status_quo = [0.45, 0.30, 0.60], options = { court = '
        "{ arbitration = [-0.10, -0.25, 0.02] } } }\n",
    )
    fit = fit_scenario(load_scenario(case), draws=0)["up_public"]
    prior = fit.model.prior
    assert prior.level_mean == pytest.approx(logit(0.45))
    assert prior.level_sd == pytest.approx((logit(0.60) - logit(0.30)) / (2 * Z90))
    court = fit.coefficients.loc["court[arbitration]"]
    assert court["prior_mean"] == pytest.approx(logit(0.35) - logit(0.45))
    assert court["prior_sd"] == pytest.approx((logit(0.47) - logit(0.20)) / (2 * Z90))
    assert court["information"] == pytest.approx(0.0, abs=1e-9)  # no poll varies the court
    assert fit.coefficients.loc["dam[joint]", "prior_sd"] == 1.0  # not elicited: the default
    assert "elicited judgement" in fit.evidence


def test_a_published_table_is_rebased_on_the_status_quo(case):
    """Marginal means against the status quo's own option, read at 50% (the prior gives no
    support for the status quo) whatever the polls; the standard errors added in quadrature."""
    (case.parent / "effects.csv").write_text(
        "feature,level,estimate,std_error\nshare,current,0.48,0.01\nshare,Half,0.43,0.02\ndam,joint,0.55,0.015\n"
        "dam,none,0.45,0.012\n",
        encoding="utf-8",
    )
    edited(case, 'id = "half"\n', 'id = "half"\n  label = "Half"\n')
    edited(
        case,
        '    { line = 5, package = "dam=joint" },\n  ]\n',
        '    { line = 5, package = "dam=joint" },\n  ]\n  prior = { kind = "table", table = "effects.csv", estimate = "mm" }\n',
    )
    fit = fit_scenario(load_scenario(case), draws=0)["down_public"]
    base = 0.5
    half = fit.coefficients.loc["share[half]"]
    assert half["prior_mean"] == pytest.approx(logit(base - 0.05) - logit(base))
    spread = Z90 * np.hypot(0.02, 0.01)
    assert half["prior_sd"] == pytest.approx((logit(base - 0.05 + spread) - logit(base - 0.05 - spread)) / (2 * Z90))
    joint = fit.coefficients.loc["dam[joint]"]
    assert joint["prior_mean"] == pytest.approx(logit(base + 0.10) - logit(base))
    assert fit.coefficients.loc["share[upstream_more]", "prior_sd"] == 1.0  # not in the table


def test_the_effects_table_is_the_posterior(case):
    fit = fit_scenario(load_scenario(case), draws=300)["up_public"]
    effects = amce_table(fit).set_index(["feature", "level"])
    model = fit.model
    assert isinstance(model, AdditiveSupportModel)
    level, half = model.mode_[0], model.mode_[1]
    assert effects.loc[("share", "half"), "estimate"] == pytest.approx(expit(level + half) - expit(level))
    assert effects.loc[("share", "current"), "estimate"] == 0.0
    draws = fit.table.intercepts[1:], fit.table.coefficients[1:, 1]
    drawn = expit(draws[0] + draws[1]) - expit(draws[0])
    assert effects.loc[("share", "half"), "upper"] == pytest.approx(np.quantile(drawn, 0.95))


UP = '  data = { polls = "polls.csv", polls_where = { country = "UP" } }\n'


@pytest.mark.parametrize(
    ("prior", "phrase"),
    [
        ('{ kind = "elicitation", status_quo = [0.4, 0.3, 0.5] }', "a prior is for a public without a survey"),
        ("{ options = { dam = { joint = [0.1, 0.0, 0.2] } } }", 'elicited effects need kind = "elicitation"'),
        ('{ kind = "elicitation" }', "an elicitation with no values"),
        ('{ kind = "table" }', 'a prior of kind "table" needs its table'),
        ('{ kind = "elicitation", status_quo = [0.4, 0.5, 0.6] }', "is not [central, low, high]"),
        ('{ kind = "elicitation", status_quo = [40, 30, 50] }', "support [40, 30, 50] is not between 0 and 1"),
        ('{ kind = "table", table = "nowhere.csv" }', "'nowhere.csv' is not a file"),
        (
            '{ kind = "elicitation", options = { share = { current = [0.0, -0.1, 0.1] } } }',
            "'current' is the status quo's option of issue 'share'",
        ),
        (
            '{ kind = "elicitation", status_quo = [0.45, 0.3, 0.6], options = { dam = { joint = [0.3, 0.1, 0.6] } } }',
            "the effect [0.3, 0.1, 0.6] takes support outside 0 to 1 from the status quo's 0.45",
        ),
        (
            '{ kind = "elicitation", options = { dam = { dome = [0.1, 0.0, 0.2] } } }',
            "issue 'dam' has no option 'dome'",
        ),
        # percent typed for points: refused at check whatever the polls, read at 50%
        ('{ kind = "elicitation", options = { share = { half = [5, -5, 10] } } }', "takes support outside 0 to 1"),
        (
            '{ kind = "elicitation", scale = "logit", options = { share = { half = [0, -1e300, 1e300] } } }',
            "on the logit scale is beyond +-20",
        ),
        (
            '{ kind = "elicitation", scale = "logit", options = { share = { half = [0, -1e-300, 1e-300] } } }',
            "narrower than 0.01",
        ),
        ('{ kind = "default", status_quo = [0.5, 0.3, 0.6] }', 'a prior of kind "default" takes no values'),
        ('{ kind = "elicitation", status_quo = [nan, 0.3, 0.6] }', "must be a finite number"),
        (
            '{ kind = "elicitation", options = { dam = { joint = [0.1, 0.0] } } }',
            "is not [central, low, high]: it needs exactly 3 numbers",
        ),
    ],
)
def test_a_prior_that_cannot_serve_is_refused(case, prior, phrase):
    (case.parent / "survey.csv").write_text("share,dam,court,support,respondent,task,profile\n", encoding="utf-8")
    survey = 'survey = "survey.csv", ' if "without a survey" in phrase else ""
    edited(case, UP, UP.replace("data = { ", f"data = {{ {survey}") + f"  prior = {prior}\n")
    result = runner.invoke(app, ["check", str(case)])
    assert result.exit_code == 2, result.output
    assert phrase in result.stderr.replace("\n      ", " "), result.stderr
    assert "Traceback" not in result.output


def test_a_published_table_that_cannot_serve_names_its_lines(case):
    (case.parent / "effects.csv").write_text(
        "feature,level,estimate,std_error\nshare,halve,0.1,0.02\nriver,x,0.1,0.02\ndam,joint,5,0.02\n"
        "dam,joint,0.1,-1\n",
        encoding="utf-8",
    )
    edited(
        case,
        '    { line = 5, package = "dam=joint" },\n  ]\n',
        '    { line = 5, package = "dam=joint" },\n  ]\n  prior = { kind = "table", table = "effects.csv" }\n',
    )
    result = runner.invoke(app, ["check", str(case)])
    assert result.exit_code == 2
    text = result.stderr.replace("\n      ", " ")
    for phrase in (
        "effects.csv, line 2: issue 'share' has no option 'halve' (did you mean 'half'?)",
        "effects.csv, line 3: feature 'river' is not an issue of the scenario",
        "effects.csv, line 4: estimate '5' is not a number of support points",
        "effects.csv, line 5: std_error '-1' is not a fraction from 0.0001 to 1",
        "effects.csv, line 5: option 'joint' of issue 'dam' is on line 4 already",
    ):
        assert phrase in text, text
    (case.parent / "effects.csv").write_text("feature,option,value\nshare,half,0.1\n", encoding="utf-8")
    result = runner.invoke(app, ["check", str(case)])
    assert result.exit_code == 2 and "needs the header feature,level,estimate,std_error" in result.stderr.replace(
        "\n      ", " "
    )


def test_the_readme_examples_of_a_prior_run(case):
    """The README's elicitation, in place of the case's second public, and its one-line table prior."""
    from ..conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("### A public without a survey")
    block = readme[readme.index("```toml\n", start) + len("```toml\n") :]
    block = block[: block.index("```")]
    elicited, table = block.split("# or: ")
    text = case.read_text(encoding="utf-8")
    ratifier = text.index('  [[parties.ratifiers]]\n  id = "down_public"')
    end = text.index("[[proposals]]")
    case.write_text(text[:ratifier] + elicited + "\n" + text[end:], encoding="utf-8")
    assert runner.invoke(app, ["check", str(case)]).exit_code == 0
    fit = fit_scenario(load_scenario(case), draws=0)["down_public"]
    assert fit.model.prior.level_mean == pytest.approx(logit(0.45))
    assert "elicited judgement (the mediator's judgement, March 2026)" in fit.evidence
    prior_table = elicited[: elicited.index("  [parties.ratifiers.prior]")] + "  " + table
    case.write_text(text[:ratifier] + prior_table + "\n" + text[end:], encoding="utf-8")
    assert runner.invoke(app, ["check", str(case)]).exit_code == 0
    assert "the published table effects.csv" in fit_scenario(load_scenario(case), draws=0)["down_public"].evidence


def test_every_output_says_what_evidence_a_verdict_rests_on(case):
    """assess and solve name each public's evidence; a package with an option no poll varies
    (the court, for the upstream public) is flagged as resting on the prior, one that the polls
    inform is not; fit warns of the options no poll varies."""
    assessed = runner.invoke(app, ["assess", str(case), "--package", "split", "--draws", "20", "--json"])
    document = json.loads(assessed.stdout)
    assert document["evidence"] == {
        "up_public": "2 polls and stated weakly informative defaults",
        "down_public": "2 polls and stated weakly informative defaults",
    }
    assert len(document["warnings"]) == 1
    assert "up_public: the polls say almost nothing of court[arbitration]" in document["warnings"][0]
    informed = runner.invoke(app, ["assess", str(case), "--package", "share=half", "--draws", "20", "--json"])
    assert json.loads(informed.stdout)["warnings"] == []
    text = runner.invoke(app, ["assess", str(case), "--package", "split", "--draws", "20"]).stdout
    assert "Evidence: up_public: 2 polls and stated weakly informative defaults" in text
    assert "Warning: share=half,dam=joint,court=arbitration: up_public: the polls say almost nothing of" in " ".join(
        text.split()
    )
    solved = json.loads(runner.invoke(app, ["solve", str(case), "--draws", "20", "--json"]).stdout)
    assert set(solved["evidence"]) == {"up_public", "down_public"} and isinstance(solved["warnings"], list)
    fits = fit_scenario(load_scenario(case), draws=0)
    expected = "the polls say almost nothing of court[arbitration] (under a tenth of the precision of its effect): what is said"
    assert fits["up_public"].warnings == [
        f"{expected} of its effect is the prior's (stated weakly informative defaults)"
    ]


def test_a_package_resting_on_the_prior_alone():
    """One poll of the status quo package, and a package that changes two issues: the polls gave
    little of the precision of its support."""
    from winset.support.additive import AdditivePrior, Poll

    model = AdditiveSupportModel(AdditivePrior.default((2, 2), (0, 0))).fit([Poll((0, 0), 0.4, 1000)])
    assert model.information([(0, 0)])[0] > 0.99
    assert model.information([(1, 1)])[0] == pytest.approx(1 - (model.covariance_[0, 0] + 2) / (1.5**2 + 2))


@pytest.mark.parametrize(
    ("table", "phrase"),
    [
        ("share,half,0.6,0.02\n", "line 2: the effect of option 'half' of issue 'share', +0.6 +- 0.0329"),
        ("share,half,0.05,0.9\n", "takes support outside 0 to 1 from the status quo's 0.5"),
        ("share,half,-0.04,1e-300\n", "std_error '1e-300' is not a fraction from 0.0001 to 1"),
        ("\n\nshare,halve,0.1,0.02\n", "effects.csv, line 4: issue 'share' has no option 'halve'"),
    ],
)
def test_a_published_table_is_checked_as_the_fit_reads_it(case, table, phrase):
    """Effects that leave 0 to 1, standard errors that say "exact", rows after blank lines: check
    finds each, at the table's line, before any fit."""
    (case.parent / "effects.csv").write_text("feature,level,estimate,std_error\n" + table, encoding="utf-8")
    edited(case, UP, UP + '  prior = { kind = "table", table = "effects.csv" }\n')
    result = runner.invoke(app, ["check", str(case)])
    assert result.exit_code == 2
    assert phrase in " ".join(result.stderr.split()), result.stderr


def test_marginal_means_without_the_status_quo_are_refused_at_check(case):
    (case.parent / "effects.csv").write_text(
        "feature,level,estimate,std_error\nshare,half,0.4,0.02\nshare,upstream_more,0.5,0.02\n", encoding="utf-8"
    )
    edited(case, UP, UP + '  prior = { kind = "table", table = "effects.csv", estimate = "mm" }\n')
    result = runner.invoke(app, ["check", str(case)])
    assert result.exit_code == 2
    text = " ".join(result.stderr.split())
    assert "marginal means for issue 'share' but none for the status quo's option 'current'" in text


def test_the_prior_does_not_depend_on_the_order_of_the_polls(case):
    prior = '  prior = { kind = "elicitation", options = { court = { arbitration = [0.1, 0.0, 0.2] } } }\n'
    edited(case, UP, UP + prior)
    first = fit_scenario(load_scenario(case), draws=0)["up_public"]
    text = case.read_text(encoding="utf-8")
    a = '    { line = 2, package = "share=half" },\n'
    b = '    { line = 3, package = "share=upstream_more,dam=joint" },\n'
    assert a + b in text
    case.write_text(text.replace(a + b, b + a), encoding="utf-8")
    second = fit_scenario(load_scenario(case), draws=0)["up_public"]
    np.testing.assert_allclose(first.model.prior.mean, second.model.prior.mean)
    np.testing.assert_allclose(first.model.mode_, second.model.mode_, atol=1e-9)


@pytest.mark.parametrize(
    ("new", "phrase"),
    [
        (
            '    { line = 2, package = "share=half" },\n    { line = 2, package = "share=upstream_more" },\n',
            "line 2 is cited by calibration[0] already",
        ),
        (
            '    { line = 2, package = "share=half", dont_know = 0.3 },\n',
            'dont_know is only read with side = "against"',
        ),
    ],
)
def test_a_poll_counted_twice_or_misread_is_refused(case, new, phrase):
    edited(case, '    { line = 2, package = "share=half" },\n', new)
    result = runner.invoke(app, ["check", str(case)])
    assert result.exit_code == 2 and phrase in " ".join(result.stderr.split()), result.stderr


def test_a_sample_size_no_poll_has_is_refused(case):
    edited(case.parent / "polls.csv", "0.55,900", "0.55,100000000000000000000")
    result = runner.invoke(app, ["check", str(case)])
    assert result.exit_code == 2 and "up to 1,000,000,000" in " ".join(result.stderr.split())


def test_polls_that_contradict_each_other_are_flagged(case):
    """Two polls of the same package, 55% and 10% of 900 people each: no model reproduces both,
    and fit says so, naming them; the polls that agree raise no such warning."""
    assert not any("misses" in w for w in fit_scenario(load_scenario(case), draws=20)["up_public"].warnings)
    with (case.parent / "polls.csv").open("a", encoding="utf-8") as polls:
        polls.write("UP,Pollster C,Share the river half and half,0.10,900\n")
    edited(
        case,
        '    { line = 2, package = "share=half" },\n',
        '    { line = 2, package = "share=half" },\n    { line = 6, package = "share=half" },\n',
    )
    warnings = fit_scenario(load_scenario(case), draws=20)["up_public"].warnings
    flagged = [w for w in warnings if "misses" in w]
    assert len(flagged) == 1 and "polls.csv:2" in flagged[0] and "polls.csv:6" in flagged[0], warnings


def test_z_under_the_prior_counts_the_prior_spread(case):
    fit = fit_scenario(load_scenario(case), draws=0)["up_public"]
    report = fit.calibration
    # the default prior: support 50% for every package, logit sd sqrt(1.5^2 + 1) or more
    poll = report["poll"].to_numpy()
    se = np.sqrt(poll * (1 - poll) / 900)
    spread = 0.25 * np.sqrt(np.array([1.5**2 + 1, 1.5**2 + 2]))
    np.testing.assert_allclose(report["z_prior"], (0.5 - poll) / np.sqrt(se**2 + spread**2))


def test_simulated_talks_run_and_say_what_they_rest_on(case):
    pytest.importorskip("negmas")
    result = runner.invoke(app, ["simulate", str(case), "--runs", "6", "--draws", "10", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["evidence"]["up_public"] == "2 polls and stated weakly informative defaults"
    assert document["warnings"] == []

"""Fitting a scenario's ratifiers: the worked example, a small scenario, and data that do not fit."""

import filecmp
import gzip
import json

import pytest
from threadpoolctl import threadpool_limits
from typer.testing import CliRunner

from winset import WinsetError, load_scenario
from winset.cli import app
from winset.examples.kuril import generate
from winset.scenarios import bundled_path
from winset.support import fit_scenario

from ..conftest import KURIL_DRAWS, KURIL_SEED, SMALL_DRAWS, SMALL_SEED, fingerprint, serve_fits
from ..small_scenario import small_scenario

runner = CliRunner()
KURIL = bundled_path("kuril")


@pytest.fixture(scope="module")
def kuril_json(kuril_fits):
    """``winset fit`` on the worked example, shown from the session's shared fits: the command
    runs whole but for the fitting (end to end on the small scenario below)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        serve_fits(monkeypatch, kuril_fits, KURIL_DRAWS, KURIL_SEED)
        result = runner.invoke(app, ["fit", str(KURIL), "--draws", str(KURIL_DRAWS), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["ok"] is True
    return document["ratifiers"]


def test_every_calibration_target_is_within_3_points_of_its_poll(kuril_json):
    assert set(kuril_json) == {"russian_public", "island_residents", "japanese_public"}
    for ratifier, fit in kuril_json.items():
        assert fit["calibration"], ratifier
        for target in fit["calibration"]:
            assert abs(target["calibrated"] - target["poll"]) <= 0.03, (ratifier, target)


def test_fit_reports_support_with_intervals_and_says_the_data_are_simulated(kuril_json):
    for fit in kuril_json.values():
        assert fit["provenance"].startswith("SIMULATED respondents")
        packages = {row["package"]: row for row in fit["support"]}
        assert set(packages) >= {"status_quo", "declaration_1956", "all_four"}
        for row in packages.values():
            assert row["lower"] <= row["estimate"] <= row["upper"] or abs(row["estimate"] - row["mean"]) < 0.02
            assert row["status_quo"] is (row["package"] == "status_quo")
            if row["status_quo"]:  # the reference: what the model says, but no verdict
                assert row["p_rule_met"] is None
            else:
                assert 0 <= row["p_rule_met"] <= 1
        assert fit["amce"] and fit["coefficients"]
    assert kuril_json["japanese_public"]["model"] == "choice"
    assert kuril_json["russian_public"]["respondents"] == 1600


def test_the_generator_reproduces_the_shipped_surveys(tmp_path):
    generate(tmp_path)
    for name in ("survey_ru.csv.gz", "survey_jp.csv.gz", "survey_islands.csv.gz"):
        assert filecmp.cmp(tmp_path / name, KURIL.parent / "data" / name, shallow=False), name


# ------------------------------------------------------------------------------- a small scenario
def test_small_scenario_fits_and_prints(small_path, small_fits):
    """End to end: the command fits, as the session's ``small_fits`` were fitted (same draws and seed)."""
    path = small_path
    result = runner.invoke(app, ["fit", str(path), "--draws", str(SMALL_DRAWS)])
    assert result.exit_code == 0, result.output
    for text in [
        "russian_public",
        "Data: simulated for a test",
        "Support against the status quo (90% interval",
        "status_quo (no agreement)",
        "Calibration to polls",
        "AMCEs of the survey",
    ]:
        assert text in result.stdout
    russian = small_fits["russian_public"]
    assert russian.calibration.loc[0, "calibrated"] == pytest.approx(0.07, abs=1e-6)  # polls.csv line 2: 7% for
    assert russian.table.n_groups == 11


def test_ratifiers_fitted_side_by_side_get_the_fits_they_get_alone(small_path):
    """Two threads give each ratifier, to the last bit, the fit that one thread gives it (BLAS held
    to one thread in both: its sums' rounding depends on its thread count)."""
    scenario = load_scenario(small_path)
    together = fit_scenario(scenario, SMALL_DRAWS, SMALL_SEED, workers=2)
    with threadpool_limits(1, user_api="blas"):
        alone = fit_scenario(scenario, SMALL_DRAWS, SMALL_SEED, workers=1)
    assert list(together) == list(alone) == ["russian_public", "japanese_public"]
    for rid in alone:
        assert fingerprint(together[rid]) == fingerprint(alone[rid]), rid


def test_option_labels_are_read_as_ids(tmp_path):
    def labels(frame):
        frame["habomai"] = frame["habomai"].replace({"japan": "Habomai transferred", "russia": "Habomai Russian"})
        return frame

    def label_options(text):
        return text.replace(
            '  [[issues.options]]\n  id = "russia"\n  [[issues.options]]\n  id = "japan"\n\n[[issues]]\nid = "shikotan"',
            '  [[issues.options]]\n  id = "russia"\n  label = { en = "Habomai Russian", ru = "Россия", ja = "ロシア" }\n'
            '  [[issues.options]]\n  id = "japan"\n  label = { en = "Habomai transferred", ru = "Япония", ja = "日本" }\n\n[[issues]]\nid = "shikotan"',
        )

    path = small_scenario(tmp_path, labels, label_options)
    assert fit_scenario(load_scenario(path), draws=0)["russian_public"].data.feature("habomai").levels == (
        "russia",
        "japan",
    )


@pytest.mark.parametrize(
    "survey_edit, scenario_edit, message",
    [
        (
            lambda f: f.assign(treaty=f["treaty"].replace({"signed": "sgned"})),
            None,
            "unknown level 'sgned' (did you mean 'signed'?) in lines",
        ),
        (lambda f: f.drop(columns=["shikotan"]), None, "has no column 'shikotan' for issue 'shikotan'"),
        (
            lambda f: f.assign(age=f["age"].where(f.index != 3, "old" if f.loc[3, "age"] == "young" else "young")),
            None,
            "the covariate changes within a respondent in line 5",
        ),
        (
            None,
            lambda t: t.replace("old = 0.6, young = 0.4", "old = 0.6, yuong = 0.4"),
            "'yuong' is not a value of 'age' in the data (did you mean 'young'?)",
        ),
        (
            None,
            lambda t: t.replace('data = { survey = "survey.csv", model = "choice", ', "data = { "),
            "ratifier 'japanese_public' has no evidence: no survey, no polls",
        ),
    ],
)
def test_data_that_do_not_match_the_scenario(tmp_path, survey_edit, scenario_edit, message):
    path = small_scenario(tmp_path, survey_edit, scenario_edit)
    with pytest.raises(WinsetError) as caught:  # a scenario's or a survey's
        fit_scenario(load_scenario(path), draws=0)
    assert any(message in p.message for p in caught.value.problems), caught.value
    result = runner.invoke(app, ["fit", str(path), "--draws", "0"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert message.split(" (")[0] in result.stderr.replace("\n      ", " ")


def test_a_truncated_survey_is_a_located_problem(tmp_path):
    path = small_scenario(tmp_path)
    survey = tmp_path / "survey.csv"
    compressed = gzip.compress(survey.read_bytes())
    (tmp_path / "survey.csv.gz").write_bytes(compressed[: len(compressed) // 2])
    path.write_text(path.read_text().replace('survey = "survey.csv"', 'survey = "survey.csv.gz"'))
    result = runner.invoke(app, ["fit", str(path), "--draws", "0"])
    assert result.exit_code == 2, result.output
    assert "survey.csv.gz" in result.stderr and "the compressed data are truncated or corrupt" in result.stderr


def _without_margins(text):
    return text.replace("  population = { age = { old = 0.6, young = 0.4 } }\n", "")


@pytest.mark.parametrize(
    "survey_edit, scenario_edit, message",
    [
        (lambda f: f[f["respondent"] == f["respondent"].iloc[0]], _without_margins, "there is only one respondent"),
        (lambda f: f.assign(support=1), None, "the support answer is 1 in every row: there is nothing to estimate"),
        (lambda f: f.assign(chosen=0), None, "the choice is 0 in every row: there is nothing to estimate"),
    ],
)
def test_a_survey_no_model_can_learn_from(tmp_path, survey_edit, scenario_edit, message):
    path = small_scenario(tmp_path, survey_edit, scenario_edit)
    result = runner.invoke(app, ["fit", str(path), "--draws", "2"])
    assert result.exit_code == 2, result.output
    assert message in result.stderr.replace("\n      ", " ")
    assert "Traceback" not in result.output

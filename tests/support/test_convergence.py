"""Every iterative fit is checked: one that did not converge is an error, one that stopped short
but is usable a warning in the output and the report, never silent."""

import json

import numpy as np
import pytest
from scipy import optimize
from typer.testing import CliRunner

from winset import load_scenario
from winset.cli import app
from winset.scoretable import ScoreTable
from winset.support import calibration, mixed_logit
from winset.support.calibration import Target, calibrate
from winset.support.fit import fit_scenario

from ..small_scenario import small_scenario

runner = CliRunner()


def test_a_mixed_logit_that_does_not_converge_is_an_error(tmp_path, monkeypatch):
    path = small_scenario(tmp_path)
    monkeypatch.setattr(mixed_logit, "MAX_ITERATIONS", 1)
    result = runner.invoke(app, ["fit", str(path), "--draws", "2"])
    assert result.exit_code == 2, result.output
    assert "the mixed logit did not converge" in result.stderr
    assert "Traceback" not in result.output


def test_a_mixed_logit_that_stops_short_at_its_optimum_is_used_with_a_warning(tmp_path, monkeypatch):
    path = small_scenario(tmp_path)
    minimize = optimize.minimize

    def precision_loss(*args, **kwargs):  # the optimum, as BFGS reports it when it cannot polish it
        result = minimize(*args, **kwargs)
        result.success, result.message = False, "Desired error not necessarily achieved due to precision loss."
        return result

    monkeypatch.setattr(mixed_logit.optimize, "minimize", precision_loss)
    fits = fit_scenario(load_scenario(path), draws=2)
    assert any("stopped short of its tolerance" in w for w in fits["japanese_public"].warnings)
    assert fits["russian_public"].warnings == []  # the binary model converged
    result = runner.invoke(app, ["fit", str(path), "--draws", "2", "--json"])
    assert result.exit_code == 0, result.output
    assert "warning: japanese_public: the mixed logit stopped short" in result.stderr.replace("\n", " ")
    assert json.loads(result.stdout)["ratifiers"]["japanese_public"]["warnings"]
    text = runner.invoke(app, ["fit", str(path), "--draws", "2"])
    assert "Warning: the mixed logit stopped short" in text.stdout.replace("\n", " ")
    out = tmp_path / "report.html"
    report = runner.invoke(app, ["report", str(path), "--draws", "2", "--out", str(out)])
    assert report.exit_code == 0, report.output
    assert '<span class="warning">Warning: the mixed logit stopped short' in out.read_text(encoding="utf-8")


def test_calibration_that_does_not_converge_is_an_error(tmp_path, monkeypatch):
    path = small_scenario(tmp_path)
    monkeypatch.setattr(calibration, "ITERATIONS", 1)
    result = runner.invoke(app, ["fit", str(path), "--draws", "2"])
    assert result.exit_code == 2, result.output
    assert "matching the polls did not converge" in result.stderr


def test_bootstrap_draws_whose_calibration_does_not_converge_are_named():
    # group 0 an ordinary public; group 1 a draw whose members are all certain to say no
    table = ScoreTable(
        (2,),
        np.array([0.0, 0.3, -800.0, -800.0]),
        np.zeros((4, 2)),
        np.array([0.5, 0.5, 0.5, 0.5]),
        np.array([0, 0, 1, 1]),
    )
    target = Target("poll", (1,), 0.4, 1000)
    calibrated, _, report = calibrate(table, [target], seed=0)
    assert calibrated.group(0).support(np.array([[1]]))[0, 0] == pytest.approx(0.4, abs=1e-9)
    (warning,) = report.attrs["warnings"]
    assert warning.startswith("calibration to the polls did not converge in 1 of 1 bootstrap draws")

"""``winset amce`` and ``winset mm`` with --diagnose, --compare, --reference and --interaction."""

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from winset.cli import app
from winset.conjoint import acie, amce_by_reference, compare_levels, diagnose

from .test_diagnostics import simulated

runner = CliRunner()


@pytest.fixture
def data_file(tmp_path):
    path = tmp_path / "choices.csv"
    simulated(150, 0.5, 7).to_csv(path, index=False)
    return path


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def base(path, command="amce"):
    return [command, path, "--outcome", "chosen", "--features", "price,brand", "--id", "resp"]


def test_diagnose_prints_every_test_and_its_json_equals_the_library(data_file):
    options = ["--diagnose", "--task", "task", "--profile", "side", "--covariate", "age", "--position", "price=side"]
    printed = run(*base(data_file), *options)
    assert printed.exit_code == 0, printed.output
    for word in ("Diagnostics", "balance", "carryover", "profile_order", "covariate", "attribute_order"):
        assert word in printed.stdout
    document = json.loads(run(*base(data_file), *options, "--json").stdout)
    frame = pd.read_csv(data_file)
    found = diagnose(frame, "chosen", ["price", "brand"], id="resp", task="task", profile="side",
                     covariates=["age"], positions={"price": "side"})  # fmt: skip
    tests = pd.DataFrame(document["diagnostics"]["tests"])
    np.testing.assert_allclose(tests["p"], found.tests()["p"], rtol=1e-12)
    assert document["ok"] and len(document["estimates"]) == 5
    assert len(document["diagnostics"]["carryover"]) == 3 * 5


def test_compare_writes_its_table_and_replaces_it_on_the_next_run(data_file, tmp_path):
    out = tmp_path / "tests.csv"
    for _ in range(2):  # the second run replaces its own output without --force
        result = run(
            *base(data_file), "--compare", "price=low|price=high", "--compare", "brand=B|price=mid", "--out", out
        )
        assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    expected = compare_levels(
        pd.read_csv(data_file), "chosen", ["price", "brand"], id="resp",
        comparisons=[(("price", "low"), ("price", "high")), (("brand", "B"), ("price", "mid"))],
    )  # fmt: skip
    np.testing.assert_allclose(table["estimate"], expected["estimate"], rtol=1e-12)
    assert list(table["first"]) == ["price = low", "brand = B"] and set(table["statistic"]) == {"amce_contrast"}
    means = run(*base(data_file, "mm"), "--compare", "price=low|price=high", "--json")
    assert json.loads(means.stdout)["estimates"][0]["statistic"] == "mm_contrast"


def test_reference_and_interaction_print_the_librarys_tables(data_file, tmp_path):
    frame = pd.read_csv(data_file)
    by_reference = json.loads(run(*base(data_file), "--reference", "price", "--json").stdout)["estimates"]
    expected = amce_by_reference(frame, "chosen", ["price", "brand"], id="resp", variable="price")
    assert [r["reference"] for r in by_reference] == list(expected["reference"])
    interaction = json.loads(run(*base(data_file), "--interaction", "price*brand", "--json").stdout)["estimates"]
    expected = acie(frame, "chosen", ["price", "brand"], id="resp", pair=("price", "brand"))
    np.testing.assert_allclose([r["estimate"] for r in interaction], expected["estimate"], rtol=1e-12)
    figure = tmp_path / "acie.svg"
    assert run(*base(data_file), "--interaction", "price*brand", "--plot", figure).exit_code == 0
    assert figure.read_text().startswith("<?xml")


@pytest.mark.parametrize(
    ("options", "location", "message"),
    [
        (["--task", "task"], "--task", "add --diagnose"),
        (["--compare", "price=low"], "--compare", "expected two levels"),
        (["--compare", "price=low|price=hi"], "--compare", "'hi' is not a level of price"),
        (["--compare", "price=low|price=high", "--plot", "x.png"], "--plot", "has no figure"),
        (["--diffs", "--reference", "price"], "--diffs and --reference", "a different table"),
        (["--interaction", "price"], "--interaction", "expected two features"),
        (["--interaction", "price*price"], "--interaction", "two different features"),
        (["--reference", "prize"], "--reference", "did you mean 'price'"),
        (["--diagnose", "--position", "price"], "--position", "expected A=COL"),
        (["--diagnose", "--position", "price=side", "--position", "price=task"], "--position", "given twice"),
        (["--diagnose", "--covariate", "height"], "column 'height'", "no such column"),
        (["--diagnose", "--convention", "stata"], "--convention", "unknown convention"),
    ],
)
def test_wrong_options_get_one_message_and_exit_2(data_file, options, location, message):
    result = run(*base(data_file), *options)
    assert result.exit_code == 2, result.output
    text = result.stderr.replace("\n", " ")
    assert location in text and message in text, text
    assert "Traceback" not in result.output


def test_repeated_prints_the_reliability_and_both_tables_and_refuses_what_it_cannot_use(tmp_path):
    from .test_reliability import simulate as with_repeats

    path = tmp_path / "repeats.csv"
    with_repeats(200, 0.2, 9).to_csv(path, index=False)
    options = ["--outcome", "chosen", "--features", "price,brand", "--id", "respondent", "--task", "task"]
    printed = run("mm", path, *options, "--repeated", "repeats", "--out", tmp_path / "m.csv")
    assert printed.exit_code == 0, printed.output
    assert "IRR" in printed.stdout and "tau" in printed.stdout
    assert set(pd.read_csv(tmp_path / "m.csv")["statistic"]) == {"mm", "mm_corrected"}
    again = run("mm", path, *options, "--repeated", "repeats", "--out", tmp_path / "m.csv")
    assert again.exit_code == 0, again.output  # its own table is replaced without --force
    document = json.loads(run("amce", path, *options, "--repeated", "repeats", "--json").stdout)
    assert {"amce", "amce_corrected"} == {r["statistic"] for r in document["estimates"]}
    assert 0 < document["reliability"]["tau"] < 0.5
    refused = run("amce", path, *options[:-2], "--repeated", "repeats")
    assert refused.exit_code == 2 and "--task" in refused.stderr
    both = run("mm", path, *options, "--repeated", "repeats", "--by", "brand")
    assert both.exit_code == 2 and "--repeated and --by" in both.stderr


def test_the_diagnostics_figure_draws_each_diagnostic_from_its_table(data_file, tmp_path):
    """One panel per diagnostic asked; the balance panel's dots are the shares of the table, the
    carryover panel's the AMCEs by task; the file is a figure winset wrote."""
    from winset.conjoint.diagnostics_plot import diagnostics_figure

    frame = pd.read_csv(data_file)
    found = diagnose(frame, "chosen", ["price", "brand"], id="resp", task="task", profile="side")
    figure = diagnostics_figure(found)
    balance, carryover, _ = figure.axes
    assert [ax.get_title().split(":")[0] for ax in figure.axes] == ["Balance", "Carryover", "Profile order"]
    drawn = np.concatenate([line.get_xdata() for line in balance.get_lines()])
    expected = np.concatenate([found.balance["share"], found.balance["expected_share"]])
    np.testing.assert_allclose(np.sort(drawn[~np.isnan(drawn)]), np.sort(expected))
    dots = np.concatenate([line.get_xdata() for line in carryover.get_lines() if line.get_marker() == "o"])
    np.testing.assert_allclose(np.sort(dots), np.sort(found.carryover["estimate"].to_numpy()))
    assert f"p = {found.carryover_test.iloc[1]['p']:.3g}" in carryover.get_title()
    path = tmp_path / "diagnostics.png"
    result = run(*base(data_file), "--diagnose", "--task", "task", "--plot-diagnostics", path)
    assert result.exit_code == 0, result.output
    assert path.read_bytes()[:4] == b"\x89PNG" and "diagnostics figure written" in result.stdout


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--plot-diagnostics", "d.png"], "add --diagnose"),
        (["--diagnose", "--plot-diagnostics", "d.png", "--plot", "d.png"], "name the same file"),
        (["--diagnose", "--plot-diagnostics", "d.txt"], "--plot-diagnostics"),
    ],
)
def test_a_diagnostics_figure_that_cannot_be_drawn_is_refused_first(data_file, tmp_path, options, message):
    options = [str(tmp_path / o) if o.startswith("d.") else o for o in options]
    result = run(*base(data_file), *options)
    assert result.exit_code == 2 and message in result.stderr.replace("\n", " "), result.output
    assert not any(tmp_path.glob("d.*"))

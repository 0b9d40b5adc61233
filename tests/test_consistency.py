"""What every command says the same way: an ``ok`` key in every JSON document, counts with the
noun in the singular for one, no "-0.000", a near miss of a bundled scenario's name."""

import json

import pytest
from typer.testing import CliRunner

from winset.cli import app
from winset.cli.conjoint_view import _number as conjoint_number
from winset.formats import counted, fixed

from .small_scenario import small_scenario

runner = CliRunner()


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return small_scenario(tmp_path_factory.mktemp("small"))


@pytest.mark.parametrize("command", [["solve"], ["assess", "--package", "two_islands"]], ids=["solve", "assess"])
def test_solve_and_assess_say_ok_in_json_as_the_other_commands_do(small, command):
    result = runner.invoke(app, [command[0], str(small), *command[1:], "--draws", "0", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["ok"] is True


def test_a_count_of_one_takes_the_singular():
    assert [counted(n, "constraint") for n in (0, 1, 2, 1234)] == [
        "0 constraints",
        "1 constraint",
        "2 constraints",
        "1,234 constraints",
    ]
    assert counted(1, "analysis", "analyses") == "1 analysis" and counted(3, "analysis", "analyses") == "3 analyses"


def test_check_says_one_constraint_in_the_singular(small):
    result = runner.invoke(app, ["check", str(small)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "allowed by the 1 constraint\n" in result.output or "allowed by the 1 constraint " in result.output


def test_a_value_that_rounds_to_zero_has_no_minus_sign():
    assert fixed(-0.0001) == "0.000" and fixed(-0.0006) == "-0.001" and fixed(None) == ""  # the fit tables' numbers
    assert conjoint_number(-0.00001, "f") == "0.0000" and conjoint_number(-0.5, "f") == "-0.5000"


def test_a_misspelt_bundled_scenario_gets_a_did_you_mean():
    result = runner.invoke(app, ["solve", "kurill"])
    assert result.exit_code == 2
    assert "did you mean 'kuril'?" in result.output


def test_verdicts_and_the_status_quo_are_said_in_text_not_only_in_colour(small):
    """In a log or a pipe there is no colour: each support says yes or no beside it, the status
    quo is marked, each public's data line names the public, and the gap's uniform shift is said."""
    solved = runner.invoke(app, ["solve", str(small), "--draws", "0"], env={"COLUMNS": "200"})
    assert solved.exit_code == 0, solved.output
    row = next(line for line in solved.stdout.splitlines() if line.startswith("margin ") and "0." in line)
    assert row.split()[1:5] == ["0.289", "no", "0.524", "yes"]  # russian, japanese public: support, verdict
    assert "Data of russian_public: simulated for a test" in solved.stdout
    assert "a public that needs less, or none, moves by it too" in " ".join(solved.stdout.split())
    checked = runner.invoke(app, ["check", str(small)], env={"COLUMNS": "200"})
    assert "(the status quo marked *, in bold)" in " ".join(checked.stdout.split()) and "none *" in checked.stdout


def test_assess_names_the_proposal_and_gives_its_margin_in_points(small):
    result = runner.invoke(
        app, ["assess", str(small), "--package", "two_islands", "--draws", "0"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    assert first.startswith("Proposal: two_islands (") and "habomai=japan" in first
    header = next(line for line in result.stdout.splitlines() if line.startswith("public "))
    assert "points" in header.split() and "margin" not in header.split()
    unnamed = runner.invoke(app, ["assess", str(small), "--package", "treaty=signed", "--draws", "0"])
    assert unnamed.stdout.startswith("Proposal: treaty=signed")


def test_the_fits_progress_ends_fitted_counting_the_estimate_and_each_draw(small):
    result = runner.invoke(app, ["solve", str(small), "--draws", "0"])
    assert result.exit_code == 0, result.output
    assert "russian_public: fitted 1/1" in result.stderr and "0/1" not in result.stderr


@pytest.mark.parametrize(
    ("args", "suggestion"),
    [(["--criterion", "nashh"], "nash"), (["--method", "serch"], "search")],
)
def test_a_misspelt_choice_gets_a_did_you_mean(small, args, suggestion):
    result = runner.invoke(app, ["solve", str(small), *args])
    assert result.exit_code == 2
    assert f"did you mean '{suggestion}'?" in result.output


def test_the_estimators_parameters_are_named_as_the_options_that_set_them():
    from .conftest import SHARED

    taxes = SHARED / "data" / "conjoint" / "taxes.csv"
    args = ["amce", str(taxes), "--outcome", "chose_plan", "--id", "ID", "--features", "taxrev"]
    for extra, where in ((["--alpha", "2"], "--alpha"), (["--convention", "creg"], "--convention")):
        result = runner.invoke(app, [*args, *extra])
        assert result.exit_code == 2 and f"\n  {where}\n" in result.stderr


def test_a_poll_label_without_fieldwork_has_no_stray_space(tmp_path):
    import csv
    import io

    from winset import load_scenario
    from winset.support.targets import targets

    small_scenario(tmp_path)
    rows = list(csv.reader(io.StringIO((tmp_path / "polls.csv").read_text(), newline="")))
    assert all(rows)  # no blank line: the lines the scenario cites stay where they are
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([r[:3] + r[4:] for r in rows])  # fieldwork is column 4
    assert rows[0][3] == "fieldwork"
    (tmp_path / "polls.csv").write_text(out.getvalue())
    scenario = load_scenario(tmp_path / "scenario.toml")
    _, ratifier = scenario.ratifiers[0]
    labels = [t.label for t in targets(scenario, ratifier)]
    assert labels and all(" :" not in label for label in labels)


@pytest.mark.parametrize("language", ["en", "ru", "ja"])
def test_check_on_a_narrow_terminal_cuts_no_table_and_no_id_short(language):
    result = runner.invoke(app, ["check", "kuril", "--lang", language], env={"COLUMNS": "70"})
    assert result.exit_code == 0
    rows = [line for line in result.stdout.splitlines() if line and line[0] in "│┃"]
    assert rows and all(line.rstrip()[-1] in "│┃" for line in rows)  # no table cropped at the edge
    assert "…" not in result.stdout  # an id may fold onto the next line, but is never cut short

"""Every malformed fixture in fixtures/bad gets exactly the expected problems, located and explained,
from the library and from `winset check` (exit code 2, no traceback)."""

import shutil

import pytest
from typer.testing import CliRunner

from winset import ScenarioError, load_scenario
from winset.cli import app
from winset.scenarios import bundled_path

from .conftest import FIXTURES, POLLS

BAD = FIXTURES / "bad"

# fixture name -> [(location, message), ...] in file order
EXPECTED = {
    "toml_syntax": [
        ("line 32, column 11", "TOML syntax error: invalid value in `habomai = russia`"),
    ],
    "unknown_key": [
        ("parties[0].reservaton", "in party 'russia': unknown key 'reservaton' (did you mean 'reservation'?)"),
    ],
    "duplicate_option_id": [
        (
            "issues[1].options[2].id",
            "in issue 'shikotan', option 'japan': duplicate option id 'japan' (first at issues[1].options[1].id)",
        ),
        # with the duplicate, 'joint' no longer exists, and both parties score it
        ("parties[0].utility.scores.shikotan.joint", "in party 'russia': issue 'shikotan' has no option 'joint'"),
        ("parties[1].utility.scores.shikotan.joint", "in party 'japan': issue 'shikotan' has no option 'joint'"),
    ],
    "duplicate_party_id": [
        ("parties[1].id", "in party 'russia': duplicate party id 'russia' (first at parties[0].id)"),
    ],
    "duplicate_ratifier_id": [
        (
            "parties[1].ratifiers[0].id",
            (
                "in party 'japan', ratifier 'russian_public': duplicate ratifier id 'russian_public' "
                "(first at parties[0].ratifiers[0].id)"
            ),
        ),
    ],
    "unknown_option_in_status_quo": [
        ("status_quo.shikotan", "issue 'shikotan' has no option 'rusia' (did you mean 'russia'?)"),
    ],
    "unknown_issue_in_constraint": [
        (
            "constraints[0].forbid.habomia",
            "in constraint 'transfer_needs_treaty': unknown issue 'habomia' (did you mean 'habomai'?)",
        ),
    ],
    "unknown_option_in_scores": [
        (
            "parties[0].utility.scores.treaty",
            "in party 'russia': issue 'treaty' has weight 0.5 but no score for option 'signed'",
        ),
        (
            "parties[0].utility.scores.treaty.signd",
            "in party 'russia': issue 'treaty' has no option 'signd' (did you mean 'signed'?)",
        ),
    ],
    "negative_weight": [
        ("parties[0].utility.weights.habomai", "in party 'russia': weight must be at least 0, got -0.2"),
    ],
    "non_numeric_weight": [
        ("parties[0].utility.weights.shikotan", "in party 'russia': must be a number, got 'a lot'"),
    ],
    "missing_status_quo": [
        ("status_quo", "missing required key 'status_quo'"),
    ],
    "constraint_forbids_status_quo": [
        (
            "constraints[0].forbid",
            "in constraint 'transfer_needs_treaty': the constraint forbids the status quo itself (habomai=russia, treaty=none)",
        ),
    ],
    "party_without_ratifier": [
        ("parties[0].ratifiers", "in party 'russia': no ratifier: a deal needs someone to ratify it at home"),
    ],
    "threshold_zero": [
        (
            "parties[1].ratifiers[0].rule.threshold",
            "in party 'japan', ratifier 'japanese_public': threshold must be above 0 and at most 1, got 0",
        ),
    ],
    "threshold_above_one": [
        (
            "parties[0].ratifiers[0].rule.threshold",
            "in party 'russia', ratifier 'russian_public': threshold must be above 0 and at most 1, got 50",
        ),
    ],
    "missing_data_file": [
        (
            "parties[1].ratifiers[0].data.polls",
            (
                "in party 'japan', ratifier 'japanese_public': data file 'poll.csv' does not exist "
                f"(looked for {BAD.resolve() / 'poll.csv'})"
            ),
        ),
    ],
    "polls_where_unknown_column": [
        (
            "parties[1].ratifiers[0].data.polls_where.contry",
            "in party 'japan', ratifier 'japanese_public': 'polls.csv' has no column 'contry' (did you mean 'country'?)",
        ),
    ],
    "polls_where_selects_nothing": [
        (
            "parties[0].ratifiers[0].data.polls_where",
            "in party 'russia', ratifier 'russian_public': no row of 'polls.csv' has country=UK",
        ),
    ],
    "reservation_typo": [
        (
            "parties[0].reservation",
            "in party 'russia': must be a number or the text \"status_quo\", got 'status_qou' (did you mean 'status_quo'?)",
        ),
    ],
    "label_missing_language": [
        ("issues[0].label", "in issue 'habomai': label has no text in 'ja'"),
        ("issues[0].label.jp", "in issue 'habomai': label in language 'jp', which scenario.languages does not declare"),
    ],
    "proposal_breaks_constraint": [
        (
            "proposals[0].package",
            (
                "in proposal 'two_islands': the package breaks constraint 'transfer_needs_treaty' "
                "(1956 Declaration: transfer only after a peace treaty)"
            ),
        ),
    ],
    "proposal_named_status_quo": [
        ("proposals[0].id", "in proposal 'status_quo': 'status_quo' names the status quo, not a proposal"),
    ],
    "control_character": [
        ("proposals[1].label", "in proposal 'draft': text holds the control character U+0007"),
    ],
    "proposal_unknown_option": [
        (
            "proposals[0].package",
            "in proposal 'two_islands': 'shikotan=japn': issue 'shikotan' has no option 'japn' (did you mean 'japan'?)",
        ),
    ],
    "talks_dates": [
        ("talks.events[0].date", "2018-12-01 is before the talks start (2019-01-01)"),
        (
            "talks.events[1].date",
            "2020-01-01 is after the last round of the talks (10 rounds of 30 days from 2019-01-01)",
        ),
        ("talks.events[2]", "an event has both a round and a date"),
    ],
    "talks_problems": [
        ("talks.events[0].ratifier", "unknown ratifier 'japanes_public' (did you mean 'japanese_public'?)"),
        ("talks.events[0].round", "round 12 is after the last round of the talks (10)"),
        ("talks.events[1].date", "an event is dated but the talks have no start date to count rounds from"),
        (
            "talks.linkage.options[1].utility.rusia",
            "in option 'investment': unknown party 'rusia' (did you mean 'russia'?)",
        ),
        ("talks.ban.issues[1]", "unknown issue 'kunashir'"),
    ],
}


def test_every_fixture_has_expectations():
    assert sorted(p.stem for p in BAD.glob("*.toml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_library_reports_exact_problems(name):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(BAD / f"{name}.toml")
    got = [(p.location, p.message) for p in caught.value.problems]
    assert got == EXPECTED[name]
    assert all(p.fix for p in caught.value.problems), "every problem needs a fix"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_cli_prints_problems_and_exits_2(name):
    result = CliRunner().invoke(app, ["check", str(BAD / f"{name}.toml")])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    for location, message in EXPECTED[name]:
        assert location in result.stderr
        assert message in result.stderr
    assert result.stderr.count("fix: ") == len(EXPECTED[name])


def test_many_problems_reported_at_once(tmp_path, minimal_path):
    text = minimal_path.read_text()
    text = text.replace('shikotan = "russia"\ntreaty', 'shikotan = "rusia"\ntreaty')  # unknown option
    text = text.replace("  habomai = 0.2", "  habomai = -0.2")  # negative weight
    text = text.replace("rule = { threshold = 0.5 }", "rule = { threshold = 2 }")  # threshold
    text = text.replace("reservation = 0.1", "reservation = 0.1\ncolour = 'red'")  # unknown key
    (tmp_path / "s.toml").write_text(text)
    shutil.copy(POLLS, tmp_path / "polls.csv")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path / "s.toml")
    assert [p.location for p in caught.value.problems] == [
        "status_quo.shikotan",
        "parties[0].utility.weights.habomai",
        "parties[1].colour",
        "parties[1].ratifiers[0].rule.threshold",
    ]


def test_toml_syntax_error_names_line_and_column(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('[scenario]\nid = "x"\ntitle = "unclosed\n')
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    (problem,) = caught.value.problems
    assert problem.location.startswith("line 3, column ")
    assert problem.message.startswith("TOML syntax error")


@pytest.mark.parametrize(
    "content, location, message",
    [
        ("[scenario]\nid = 'x'\n", "scenario.title", "missing required key 'title'"),
        ("scenario = 3\n", "scenario", "must be a table, got 3"),
    ],
)
def test_structure_problems(tmp_path, content, location, message):
    path = tmp_path / "s.toml"
    path.write_text(content)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert (location, message) in [(p.location, p.message) for p in caught.value.problems]


def test_not_utf8_and_missing_and_folder(tmp_path):
    bad = tmp_path / "latin1.toml"
    bad.write_bytes("title = 'caf\xe9'".encode("latin-1"))
    with pytest.raises(ScenarioError, match="not UTF-8"):
        load_scenario(bad)
    with pytest.raises(ScenarioError, match="no such file"):
        load_scenario(tmp_path / "nope.toml")
    with pytest.raises(ScenarioError, match=r"folder without a scenario.toml"):
        load_scenario(tmp_path)


def test_a_bundled_name_loads_its_scenario_unless_a_file_has_that_name(tmp_path, monkeypatch):
    assert load_scenario("kuril").parties[0].id == load_scenario(bundled_path("kuril")).parties[0].id
    with pytest.raises(ScenarioError) as caught:
        load_scenario("kurl")
    assert "bundled scenario" in caught.value.problems[0].fix and "kuril" in caught.value.problems[0].fix
    monkeypatch.chdir(tmp_path)
    (tmp_path / "kuril").mkdir()
    with pytest.raises(ScenarioError, match=r"folder without a scenario.toml"):
        load_scenario("kuril")


def test_checking_never_modifies_the_file(minimal_path):
    before = minimal_path.read_bytes()
    load_scenario(minimal_path)
    for name in EXPECTED:
        with pytest.raises(ScenarioError):
            load_scenario(BAD / f"{name}.toml")
    assert minimal_path.read_bytes() == before

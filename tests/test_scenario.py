"""Loading a valid scenario, and what the Scenario object offers."""

import shutil

import pytest
from pydantic import ValidationError

from winset import Scenario, ScenarioError, load_scenario
from winset.compile import negotiator
from winset.scenario import parse_toml

from .conftest import POLLS


def test_minimal_scenario_loads(minimal_path):
    scenario = load_scenario(minimal_path)
    assert [i.id for i in scenario.issues] == ["habomai", "shikotan", "treaty"]
    assert scenario.space.size == 12
    assert scenario.space.count_valid() == 9  # habomai=japan with treaty=none is forbidden: 3 packages
    assert scenario.base_dir == minimal_path.parent.resolve()
    assert scenario.data_path("polls.csv") == (minimal_path.parent / "polls.csv").resolve()
    assert [(p.id, r.id) for p, r in scenario.ratifiers] == [("russia", "russian_public"), ("japan", "japanese_public")]


def test_a_folder_means_its_scenario_toml(tmp_path, minimal_path):
    (tmp_path / "scenario.toml").write_text(minimal_path.read_text())
    shutil.copy(POLLS, tmp_path / "polls.csv")
    assert load_scenario(tmp_path).scenario.id == "minimal"


def test_from_dict_checks_references_relative_to_base_dir(minimal_path):
    document = parse_toml(minimal_path.read_text())
    assert Scenario.from_dict(document, base_dir=minimal_path.parent).scenario.id == "minimal"
    with pytest.raises(ScenarioError, match=r"data file 'polls.csv' does not exist"):
        Scenario.from_dict(document, base_dir=minimal_path.parent / "missing")


def test_labels_fall_back_to_first_language_then_id(minimal_path):
    scenario = load_scenario(minimal_path)
    habomai = scenario.issue("habomai")
    assert scenario.text(habomai, "ja") == "歯舞"
    assert scenario.text(habomai, "fr") == "Habomai"
    assert scenario.text(scenario.issue("shikotan"), "ru") == "shikotan"  # no label at all
    assert scenario.option_text("treaty", "signed", "en") == "signed"
    assert scenario.text("plain text") == "plain text"


def test_lookups_suggest_close_names(minimal_path):
    scenario = load_scenario(minimal_path)
    with pytest.raises(KeyError, match="did you mean 'japan'"):
        scenario.party("japn")


def test_negotiator_utility_by_hand(minimal_path):
    scenario = load_scenario(minimal_path)
    space = scenario.space
    russia = negotiator(scenario, "russia")
    japan = negotiator(scenario, "japan")
    two_islands = space.parse("habomai=japan,shikotan=japan,treaty=signed")
    # russia: 0.2*0 + 0.3*0 + 0.5*1; japan: 0.4*1 + 0.4*1 + 0.2*1
    assert russia(two_islands) == pytest.approx(0.5)
    assert japan(two_islands) == pytest.approx(1.0)
    # reservation: status quo for russia (0.2*1 + 0.3*1 + 0.5*0), a number for japan
    assert russia.reservation == pytest.approx(0.5)
    assert japan.reservation == pytest.approx(0.1)
    assert russia.best == pytest.approx(1.0)
    every = next(space.iter_valid())
    assert russia(every) == pytest.approx([russia(row) for row in every])


def test_scenario_is_immutable(minimal_path):
    scenario = load_scenario(minimal_path)
    with pytest.raises(ValidationError, match="frozen"):
        scenario.status_quo = {}


def test_zero_weights_and_unreachable_reservation(tmp_path, minimal_path):
    text = minimal_path.read_text()
    text = text.replace("reservation = 0.1", "reservation = 1.5")
    text = text.replace(
        "  habomai = 0.2\n  shikotan = 0.3\n  treaty = 0.5", "  habomai = 0\n  shikotan = 0\n  treaty = 0"
    )
    (tmp_path / "s.toml").write_text(text)
    shutil.copy(POLLS, tmp_path / "polls.csv")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path / "s.toml")
    assert [(p.location, p.message) for p in caught.value.problems] == [
        (
            "parties[0].utility.weights",
            "in party 'russia': every weight is 0: the negotiator would be indifferent between all packages",
        ),
        (
            "parties[1].reservation",
            "in party 'japan': reservation 1.5 is above the best utility any package gives this party (1)",
        ),
    ]


def test_a_reservation_equal_to_the_best_utility_is_reachable(tmp_path, minimal_path):
    """0.5 x 0.3 + 1 x 0.3 is 0.45 in decimals but 0.44999999999999996 in floats: the check and
    the engine decide the tie as one (winset.compare), so the reservation is reachable."""
    from winset.compile import negotiator

    text = minimal_path.read_text().replace("reservation = 0.1", "reservation = 0.45")
    text = text.replace(
        "  habomai = 0.4\n  shikotan = 0.4\n  treaty = 0.2", "  habomai = 0.5\n  shikotan = 1\n  treaty = 0"
    )
    text = text.replace(
        "  habomai = { russia = 0.0, japan = 1.0 }\n  shikotan = { russia = 0.0, japan = 1.0, joint = 0.4 }",
        "  habomai = { russia = 0.0, japan = 0.3 }\n  shikotan = { russia = 0.0, japan = 0.3, joint = 0.1 }",
    )
    (tmp_path / "s.toml").write_text(text)
    shutil.copy(POLLS, tmp_path / "polls.csv")
    scenario = load_scenario(tmp_path / "s.toml")
    japan = negotiator(scenario, "japan")
    best = scenario.space.parse("habomai=japan,shikotan=japan,treaty=signed")
    assert japan(best) >= japan.floor


def test_an_option_no_allowed_package_can_contain_is_reported_with_its_constraints(tmp_path, minimal_path):
    """Forbidding joint administration of Shikotan on its own leaves that option in no package:
    check says so (fit would only fail later, with the level missing from the survey)."""
    text = minimal_path.read_text() + (
        '\n[[constraints]]\nid = "no_joint"\nreason = { en = "r", ru = "r", ja = "r" }\n'
        'forbid = { shikotan = "joint" }\n'
    )
    (tmp_path / "s.toml").write_text(text)
    shutil.copy(POLLS, tmp_path / "polls.csv")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path / "s.toml")
    (problem,) = caught.value.problems
    assert problem.location == "issues[1].options[2]"
    assert problem.message == "no allowed package can have shikotan = joint: constraint 'no_joint' (r) forbids it"

"""A small scenario with simulated survey data for both publics, for tests of commands that fit."""

import shutil

from winset import load_scenario
from winset.support import Covariate, TruthModel

from .conftest import FIXTURES, POLLS


def small_scenario(tmp_path, survey_edit=None, scenario_edit=None):
    """The minimal fixture scenario with simulated binary-support data for both publics."""
    text = (FIXTURES / "valid" / "minimal.toml").read_text()
    text = text.replace(
        'data = { polls = "polls.csv", polls_where = { country = "RU" } }',
        'data = { survey = "survey.csv", covariates = ["age"], provenance = "simulated for a test", polls = "polls.csv", polls_where = { country = "RU" } }\n'
        "  population = { age = { old = 0.6, young = 0.4 } }\n"
        '  calibration = [{ line = 2, package = "two_islands" }]',
    )
    text = text.replace(
        'data = { polls = "polls.csv", polls_where = { country = "JP" } }',
        'data = { survey = "survey.csv", model = "choice", polls = "polls.csv", polls_where = { country = "JP" } }',
    )
    if scenario_edit:
        text = scenario_edit(text)
    (tmp_path / "scenario.toml").write_text(text)
    shutil.copy(POLLS, tmp_path / "polls.csv")
    (tmp_path / "survey.csv").write_text("")  # replaced below, once the scenario gives the package space
    scenario = load_scenario(tmp_path / "scenario.toml")
    truth = TruthModel(
        scenario.space,
        alpha=-0.5,
        effects={"habomai": {"japan": -0.8}, "shikotan": {"japan": -0.6, "joint": -0.2}, "treaty": {"signed": 0.5}},
        covariates={"age": Covariate(("old", "young"), (0.6, 0.4))},
        shifts={"age": {"young": 0.4}},
    )
    frame = truth.simulate(300, 6, seed=1)
    if survey_edit:
        frame = survey_edit(frame)
    frame.to_csv(tmp_path / "survey.csv", index=False)
    return tmp_path / "scenario.toml"

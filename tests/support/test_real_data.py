"""The real-data check of docs/real-data-check.md, lighter: held-out predictions on the immigration
conjoint are calibrated."""

import numpy as np

from winset.conjoint import ConjointData, read_table
from winset.support import MixedLogitModel, respondents

from ..conjoint.conftest import DATA, needs_shared

FEATURES = [
    "Gender",
    "Education",
    "LanguageSkills",
    "CountryOfOrigin",
    "Job",
    "JobExperience",
    "JobPlans",
    "ReasonForApplication",
    "PriorEntry",
]


@needs_shared
def test_held_out_choices_match_predictions():
    frame = read_table(DATA / "immigration.csv")
    ids = frame["CaseID"].unique()
    held_out = np.isin(frame["CaseID"], np.random.default_rng(1).choice(ids, size=len(ids) // 5, replace=False))

    def data(rows, levels=None):
        return ConjointData(
            frame[rows].reset_index(drop=True),
            "ChosenImmigrant",
            FEATURES,
            id="CaseID",
            task="contest_no",
            profile="profile",
            levels=levels,
        )

    train = data(~held_out)
    test = data(held_out, {f.name: list(f.levels) for f in train.features})
    model = MixedLogitModel(optout=False, draws=30).fit(train, respondents(train))
    predicted = model.choice_probabilities(test)
    order = np.argsort(predicted)
    groups = np.array_split(order, 5)
    gaps = [abs(predicted[g].mean() - test.y[g].mean()) for g in groups]
    assert max(gaps) < 0.05
    assert np.mean((predicted - test.y) ** 2) < 0.21  # a coin toss scores 0.25

"""The climate example's survey: Bechtel and Scheve's (2013) conjoint of the US public, as the
bundled scenario reads it.

The source is ``bs2013_us.csv`` (the US subsample of "Mass support for global climate agreements
depends on institutional design", PNAS 110(34):13763-13768, from the authors' replication
materials as bundled by the R package sconjoint, MIT licence): 2,500 respondents, 4 forced-choice
tasks of 2 agreements each. :func:`prepare` keeps every row and answer as they are, and only
renames: the six attributes to the scenario's issue ids, their levels to its option ids (the
published wording stays in the scenario's labels), the choice column to ``chosen``, and the
respondent columns to ``female``, ``age`` and ``ideology``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import Problem, WinsetError
from ..files import read_csv
from .surveys import check_out, write_survey

SURVEY = "survey_us.csv.gz"

# source column -> (issue id, {source level -> option id}); levels as the source writes them
ATTRIBUTES: dict[str, tuple[str, dict[object, str]]] = {
    "cost_usd": ("cost", {28.0: "usd28", 56.0: "usd56", 84.0: "usd84", 113.0: "usd113", 141.0: "usd141"}),
    "distribution": (
        "distribution",
        {
            "Only rich pay": "only_rich",
            "Rich pay more, shared": "rich_pay_more",
            "Prop. current emissions": "current_emissions",
            "Prop. hist. emissions": "historical_emissions",
        },
    ),
    "participation": ("participation", {"20 countries": "c20", "80 countries": "c80", "160 countries": "c160"}),
    "emissions": ("emissions", {"40% reduction": "cut40", "60% reduction": "cut60", "80% reduction": "cut80"}),
    "sanctions": (
        "sanctions",
        {"No sanctions": "none", "$6/mo sanctions": "usd6", "$17/mo sanctions": "usd17", "$23/mo sanctions": "usd23"},
    ),
    "monitoring": (
        "monitoring",
        {
            "Your government": "own_government",
            "Independent commission": "commission",
            "United Nations": "un",
            "Greenpeace": "greenpeace",
        },
    ),
}
RESPONDENT = {"resp_female": "female", "resp_age": "age", "resp_ideo": "ideology"}


def survey(source: pd.DataFrame) -> pd.DataFrame:
    """The source rows with the scenario's names (see the module text); WinsetError naming any
    level it does not know."""
    problems = []
    out = source[["respondent", "task", "profile"]].copy()
    out["chosen"] = source["choice"].astype(int)
    for column, (issue, levels) in ATTRIBUTES.items():
        unknown = sorted(set(source[column]) - set(levels), key=str)
        if unknown:
            problems.append(
                Problem(
                    f"column '{column}'", f"has levels the example does not know: {unknown}", "use the published file"
                )
            )
        out[issue] = source[column].map(levels)
    for column, name in RESPONDENT.items():
        out[name] = source[column]
    out["female"] = out["female"].map({1.0: "female", 0.0: "male"})
    out["age"] = out["age"].astype(int)
    out["ideology"] = out["ideology"].astype(int)
    if problems:
        raise WinsetError(problems)
    return out


def prepare(source: Path, out: Path) -> Path:
    """Write the bundled survey into ``out`` from the published ``source`` file; its path."""
    check_out(out, [SURVEY])
    frame = read_csv(source, None, WinsetError)
    missing = [
        c for c in [*ATTRIBUTES, *RESPONDENT, "respondent", "task", "profile", "choice"] if c not in frame.columns
    ]
    if missing:
        raise WinsetError([Problem(str(source), f"has no column {missing}", "give the path of bs2013_us.csv")])
    write_survey(survey(frame), out / SURVEY)
    return out / SURVEY

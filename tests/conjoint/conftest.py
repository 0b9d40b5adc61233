import pandas as pd
import pytest

from winset.conjoint import read_table

from ..conftest import SHARED, need_shared

DATA = SHARED / "data" / "conjoint"
REFERENCE = SHARED / "reference" / "conjoint"

needs_shared = pytest.mark.shared("data", "conjoint")

TAXES_FEATURES = ["taxrate1", "taxrate2", "taxrate3", "taxrate4", "taxrate5", "taxrate6", "taxrev"]
TAXES_BASELINES = {
    "taxrate1": "<10k: 0%",
    "taxrate2": "10-35k: 5%",
    "taxrate3": "35-85k: 5%",
    "taxrate4": "85-175k: 5%",
    "taxrate5": "175-375k: 5%",
    "taxrate6": ">375k: 5%",
    "taxrev": "<75%",
}
# factor levels of cregg's immigration data (README of the reference numbers)
EDUCATION = [
    "No Formal",
    "4th Grade",
    "8th Grade",
    "High School",
    "Two-Year College",
    "College Degree",
    "Graduate Degree",
]
JOBS = [
    "Janitor", "Waiter", "Child Care Provider", "Gardener", "Financial Analyst", "Construction Worker",
    "Teacher", "Computer Programmer", "Nurse", "Research Scientist", "Doctor",
]  # fmt: skip
IMMIGRATION_BASELINES = {
    "Gender": "Female",
    "LanguageSkills": "Fluent English",
    "CountryOfOrigin": "India",
    "PriorEntry": "Never",
    "JobExperience": "None",
    "JobPlans": "Will Look for Work",
    "ReasonForApplication": "Reunite with Family",
}


@pytest.fixture(scope="session")
def taxes() -> pd.DataFrame:
    return read_table(need_shared("data", "conjoint", "taxes.csv"))


@pytest.fixture(scope="session")
def immigration() -> pd.DataFrame:
    return read_table(need_shared("data", "conjoint", "immigration.csv"))


@pytest.fixture(scope="session")
def immigration_cjoint() -> pd.DataFrame:
    return read_table(need_shared("data", "conjoint", "immigration_cjoint.csv"))

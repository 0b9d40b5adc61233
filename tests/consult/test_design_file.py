"""The survey design file of ``winset design --field`` read back by the consultation site: the
file round trip, every way a file can be wrong, and the organiser's form filled in from it."""

import re
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from winset import WinsetError
from winset.consult.database import open_database
from winset.consult.design_file import read_design_file
from winset.consult.store import Store
from winset.consult.tasks import SurveyDesign
from winset.consult.web import create_app
from winset.design.fielding import site_design

PASSWORD = "correct horse battery"


def written(tmp_path, text, name="public-survey.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize(("tasks", "profiles", "respondents", "repeat"), [(6, 2, 2170, 1), (3, 1, None, None)])
def test_the_file_winset_design_writes_is_read_back(tmp_path, tasks, profiles, respondents, repeat):
    found = read_design_file(written(tmp_path, site_design(tasks, profiles, respondents, repeat)))
    assert found.design == SurveyDesign(tasks, profiles, repeat=repeat or 0)
    assert found.respondents == respondents
    assert found.source == "public-survey.toml"


@pytest.mark.parametrize(
    ("text", "where", "phrase"),
    [
        ("tasks = 4\nprofiles = 2\ntask = 3\n", "task", "not a key of a survey design"),
        ("profiles = 2\n", "tasks", "missing"),
        ("tasks = 0\nprofiles = 2\n", "tasks", "at least 1"),
        ('tasks = "4"\nprofiles = 2\n', "tasks", "whole number"),
        ("tasks = true\nprofiles = 2\n", "tasks", "whole number"),
        ("tasks = 4.0\nprofiles = 2\n", "tasks", "whole number"),
        ("tasks = 60\nprofiles = 2\n", "tasks", "between 1 and 50"),
        ("tasks = 4\nprofiles = 9\n", "profiles", "between 1 and 5"),
        ("tasks = 4\nprofiles = 2\nrepeat = 5\n", "repeat", "no task 5"),
        ("tasks = 4\nprofiles = 2\nrepeat = -1\n", "repeat", "at least 0"),
        ("tasks = 4\nprofiles = 2\nshuffle_issues = false\n", "shuffle_issues", "new order for each participant"),
        ("tasks = 4\nprofiles = 2\nrespondents = 0\n", "respondents", "at least 1"),
        ("tasks = 4\nprofiles = [\n", "line 3", "TOML syntax error"),
    ],
)
def test_a_wrong_file_is_one_located_problem(tmp_path, text, where, phrase):
    with pytest.raises(WinsetError) as error:
        read_design_file(written(tmp_path, text))
    problems = error.value.problems
    assert len(problems) == 1
    assert where in problems[0].location or where in problems[0].message
    assert phrase in problems[0].message
    assert error.value.source is not None and str(error.value.source).endswith("public-survey.toml")


def test_every_problem_of_a_file_at_once(tmp_path):
    with pytest.raises(WinsetError) as error:
        read_design_file(written(tmp_path, 'tasks = 0\nprofiles = "2"\ncolour = "red"\n'))
    assert {p.location for p in error.value.problems} == {"tasks", "profiles", "colour"}


def test_winset_serve_refuses_a_wrong_design_before_it_opens_anything(tmp_path):
    path = written(tmp_path, "tasks = 4\n")
    database = tmp_path / "c.db"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "winset",
            "serve",
            "kuril",
            "--survey-design",
            str(path),
            "--database-url",
            f"sqlite:///{database}",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "profiles" in result.stderr and "missing" in result.stderr and "Traceback" not in result.stderr
    assert not database.exists()


def test_the_organisers_form_starts_from_the_design_and_opens_its_survey(tmp_path):
    """The form shows the file's tasks, profiles and repeated task, and says where they come from;
    posted as shown, the consultation's participants get those tasks and the repeat last."""
    design = read_design_file(written(tmp_path, site_design(4, 3, 1370, 2)))
    store = Store.open(open_database(f"sqlite:///{tmp_path / 'c.db'}"), "kuril")
    store.add_organiser("mediator@example.org", PASSWORD)
    client = TestClient(create_app(store, secret_key=b"k" * 32, survey_design=design))
    login = client.get("/organiser/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', login.text).group(1)
    client.post("/organiser/login", data={"email": "mediator@example.org", "password": PASSWORD, "csrf": csrf})
    page = client.get("/organiser").text
    shown = dict(re.findall(r'name="(tasks|profiles|repeat)" min="\d+" max="\d+" value="(\d+)"', page))
    assert shown == {"tasks": "4", "profiles": "3", "repeat": "2"}
    assert "public-survey.toml" in page and "1,370 respondents" in page
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    opened = client.post(
        "/organiser/consultations", data={"slug": "designed", **shown, "csrf": csrf}, follow_redirects=False
    )
    assert opened.status_code == 303
    consultation = int(opened.headers["location"].rsplit("/", 1)[1])
    society = store.societies(consultation)["russian_public"]
    person = store.join_with_token(store.invite(society, 1)[0])
    tasks = store.tasks(person.participant_id)
    assert max(t.task for t in tasks) == 5 and len(tasks) == 5 * 3
    last = sorted((t for t in tasks if t.task == 5), key=lambda t: t.profile)
    second = sorted((t for t in tasks if t.task == 2), key=lambda t: t.profile)
    assert [t.package for t in last] == [t.package for t in reversed(second)]


def test_without_a_design_the_form_keeps_its_defaults(tmp_path):
    store = Store.open(open_database(f"sqlite:///{tmp_path / 'c.db'}"), "kuril")
    store.add_organiser("mediator@example.org", PASSWORD)
    client = TestClient(create_app(store, secret_key=b"k" * 32))
    login = client.get("/organiser/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', login.text).group(1)
    client.post("/organiser/login", data={"email": "mediator@example.org", "password": PASSWORD, "csrf": csrf})
    page = client.get("/organiser").text
    assert dict(re.findall(r'name="(tasks|profiles|repeat)" min="\d+" max="\d+" value="(\d+)"', page)) == {
        "tasks": "5",
        "profiles": "2",
        "repeat": "0",
    }
    assert "design file" not in page

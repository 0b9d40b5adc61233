"""End to end in headless Chromium against a real ``winset serve``: a Russian participant joins
with an invitation link, votes and takes the survey; the organiser logs in and sees the result."""

import csv
import io

import pytest

from winset.consult.database import open_database
from winset.consult.launch import free_port, serve_process
from winset.consult.store import Store
from winset.consult.tasks import SurveyDesign

PASSWORD = "correct horse battery"


@pytest.fixture
def served(database_url):
    url = database_url
    store = Store.open(open_database(url), "kuril")
    organiser = store.add_organiser("mediator@example.org", PASSWORD)
    consultation = store.open_consultation(
        organiser, "kuril-2026", languages={"russian_public": "ru"}, survey=SurveyDesign(2, 2)
    )
    token = store.invite(store.societies(consultation)["russian_public"], 1)[0]
    port = free_port()
    server = serve_process(url, port)
    yield store, consultation, token, f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(timeout=20)


def test_a_participant_takes_the_survey_and_the_organiser_sees_it(browser, served):
    store, consultation, token, base = served
    errors: list[str] = []

    participant = browser.new_context(locale="ru-RU")  # the join page follows the browser's language
    page = participant.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/join/{token}")
    page.get_by_role("button", name="Войти").click()
    assert page.url == f"{base}/board"
    first = next(iter(store.proposals(consultation)))
    page.locator(f'form[action="/board/{first}"]').get_by_role("button", name="Поддерживаю").click()
    assert page.get_by_role("status").inner_text() == "Ваш голос сохранён."
    page.get_by_role("link", name="Опрос →").click()
    for _ in range(2):
        page.get_by_role("group", name="Соглашение 1: Поддержали бы вы это соглашение?").get_by_label("Да").check()
        page.get_by_role("group", name="Соглашение 2: Поддержали бы вы это соглашение?").get_by_label("Нет").check()
        page.get_by_role("button", name="Сохранить и продолжить").click()
    assert "Спасибо" in page.get_by_role("status").inner_text()
    participant.close()

    organiser = browser.new_context()
    page = organiser.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{base}/organiser")
    assert page.url == f"{base}/organiser/login"  # not logged in yet
    page.get_by_label("E-mail").fill("mediator@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="kuril-2026").click()
    row = page.locator(f'tr[data-proposal="{first}"][data-society="russian_public"]')
    assert row.locator("td.support").inner_text() == "100.0%"
    society = store.societies(consultation)["russian_public"]
    download = page.request.get(f"{base}/organiser/consultations/{consultation}/societies/{society}/survey.csv")
    rows = list(csv.DictReader(io.StringIO(download.text())))
    assert [(r["task"], r["profile"], r["support"]) for r in rows] == [
        ("1", "1", "1"),
        ("1", "2", "0"),
        ("2", "1", "1"),
        ("2", "2", "0"),
    ]
    organiser.close()
    assert errors == []

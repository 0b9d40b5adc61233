"""The report rendered in headless Chromium: no console errors, nothing fetched, figures drawn, a
page that is not blank, the language switch working, and the numbers on screen the engine's."""

import io

import numpy as np
import pytest
from PIL import Image

from winset.engine import describe
from winset.report.html import percent


@pytest.fixture(scope="module")
def page(browser, kuril):
    """The report opened in a fresh page; every console message, page error and request logged."""
    _, path = kuril
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    log = {"console": [], "errors": [], "requests": []}
    opened.on("console", lambda message: log["console"].append((message.type, message.text)))
    opened.on("pageerror", lambda error: log["errors"].append(str(error)))
    opened.on("request", lambda request: log["requests"].append(request.url))
    opened.goto(path.as_uri())
    opened.wait_for_load_state("load")
    yield opened, log
    context.close()


def test_no_console_errors_and_nothing_fetched(page, kuril):
    _opened, log = page
    assert log["errors"] == []
    assert [m for m in log["console"] if m[0] in ("error", "warning")] == []
    _, path = kuril
    assert log["requests"] == [path.as_uri()]


def test_screenshot_is_not_blank(page):
    opened, _ = page
    image = np.asarray(Image.open(io.BytesIO(opened.screenshot(full_page=True))).convert("L"))
    assert image.shape[0] > 3000  # a long page: tables and figures
    ink = (image < 200).mean()
    assert 0.02 < ink < 0.6
    assert len(np.unique(image)) > 50


def test_every_figure_is_drawn(page):
    opened, _ = page
    figures = opened.locator("figure svg")
    assert figures.count() == 2 + 3  # map, frontier, and one AMCE figure per public
    for i in range(figures.count()):
        box = figures.nth(i).bounding_box()
        assert box["width"] > 300 and box["height"] > 200


def test_language_switch_shows_russian_labels(page, kuril):
    opened, _ = page
    analysis, _ = kuril
    scenario = analysis.scenario
    japan_en = opened.locator("td span.l-en", has_text=scenario.text(scenario.parties[1], "en")).first
    japan_ru = opened.locator("td span.l-ru", has_text=scenario.text(scenario.parties[1], "ru")).first
    assert japan_en.is_visible() and not japan_ru.is_visible()
    opened.get_by_label("Русский").check()
    assert japan_ru.is_visible() and not japan_en.is_visible()
    opened.get_by_label("English").check()
    assert japan_en.is_visible()
    # each language named in English too, for a machine without a font for its script
    assert (
        opened.get_by_label("日本語 (Japanese)").count() == 1 and opened.get_by_label("Русский (Russian)").count() == 1
    )


def test_numbers_on_screen_are_the_engines(page, kuril):
    """What the reader sees (rendered text, not the source) against the engine's estimates."""
    opened, _ = page
    analysis, _ = kuril
    fresh = describe(analysis.problem, np.array(list(analysis.proposal_codes.values())))
    for index, name in enumerate(analysis.proposal_codes):
        for public in analysis.problem.publics:
            cell = opened.locator(f'tr[data-proposal="{name}"] td[data-public="{public.id}"]')
            shown = cell.inner_text().splitlines()[0]
            assert shown == percent(fresh[f"{public.id}_support"].iloc[index])
    assert opened.locator("#gap-shift").inner_text() == f"{analysis.solution.gap.shift:.3f}"


def test_the_first_screen_says_the_data_are_simulated(page, kuril):
    """Beside the verdict, in the first screen, not only in the last section: which publics' data
    are simulated."""
    opened, _ = page
    analysis, _ = kuril
    banner = opened.locator("#simulated-data")
    assert banner.is_visible()
    box, verdict = banner.bounding_box(), opened.locator("#verdict").bounding_box()
    assert box["y"] + box["height"] <= 900 and box["y"] > verdict["y"]  # in the first screen, under the verdict
    text = banner.inner_text()
    for _, ratifier in analysis.scenario.ratifiers:
        assert analysis.scenario.text(ratifier, "en") in text

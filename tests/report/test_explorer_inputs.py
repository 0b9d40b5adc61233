"""The deal explorer on a user's own scenario whose text could break a page: issue ids that are
also the names of the explorer's own parts, a rule name that opens an HTML comment and a script,
a label with a right-to-left override; and page addresses that are not a package. In headless
Chromium, from ``winset init``."""

import pytest
from typer.testing import CliRunner

from winset.cli import app

runner = CliRunner()
ISSUES = "issue,option\nverdict,none\nverdict,court\nfind,no\nfind,yes\ncommand,national\ncommand,joint\n"
RULE_NAME = "Diet <!--<script>"
OVERRIDE = "yes \u202e"  # a right-to-left override, left open


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("inputs")
    (folder / "issues.csv").write_text(ISSUES, encoding="utf-8")
    made = runner.invoke(app, ["init", str(folder / "case"), "--issues", str(folder / "issues.csv")])
    assert made.exit_code == 0, made.output
    path = folder / "case" / "scenario.toml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("rule = { threshold = 0.5 }", f'rule = {{ threshold = 0.5, name = "{RULE_NAME}" }}', 1)
    text = text.replace("status_quo = [0.5, 0.3, 0.7]", "status_quo = [0.62, 0.55, 0.7]")
    text = text.replace('  id = "yes"\n', f'  id = "yes"\n  label = "{OVERRIDE}"\n')
    text = text.replace('  id = "court"\n', '  id = "court"\n  label = { en = "Court", ar = "محكمة" }\n')
    text = text.replace("[scenario]\n", '[scenario]\nlanguages = ["en", "ar"]\n', 1)
    path.write_text(text, encoding="utf-8")
    polls = folder / "case" / "polls.csv"
    polls.write_text(polls.read_text(encoding="utf-8").replace(",0.45,", ",0.62,"), encoding="utf-8")
    out = folder / "report.html"
    written = runner.invoke(app, ["report", str(path), "--draws", "5", "--out", str(out)])
    assert written.exit_code == 0, written.output
    return out


@pytest.fixture
def opened(browser, report):
    context = browser.new_context()
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    yield page, errors
    context.close()


def test_the_scenarios_text_cannot_cut_the_page_or_take_the_explorers_parts(opened, report):
    page, errors = opened
    page.goto(report.as_uri())
    assert page.locator("#provenance").count() == 1  # the report after the explorer is whole
    assert not page.locator("#explorer-no-script").is_visible()
    assert page.locator('#explorer select[name="verdict"] option').count() == 2
    assert page.locator("#explorer-verdict").inner_text().startswith("The status quo")
    page.select_option('#explorer select[name="find"]', "yes")
    page.click("#explorer-find")
    page.locator("#explorer-best").filter(has_text="Best").wait_for()
    # each label isolated: the override does not turn the text after it
    labels = page.locator("#explorer-nearest li span[lang]")
    assert labels.count() >= 1 and labels.count() == page.locator('#explorer-nearest li span[lang][dir="auto"]').count()
    assert all("(smallest margin" in item.inner_text() for item in page.locator("#explorer-nearest li").all())
    assert errors == []


@pytest.mark.parametrize(
    "address, chosen, ignored",
    [
        ("#package=%", "none", "%"),
        ("#package=verdict=%E0%A4%A", "none", "verdict=%E0%A4%A"),
        ("#package=verdict=court,trade=fre", "court", "trade=fre"),
        ("#package=verdict=court=x", "none", "verdict=court=x"),
        ("#package=verdict=court,verdict=none", "court", "verdict=none"),  # the first kept, as written
    ],
)
def test_an_address_that_is_not_a_package(opened, report, address, chosen, ignored):
    """The explorer opens what it can read of the address and says what it left out."""
    page, errors = opened
    page.goto(report.as_uri() + address)
    assert page.locator('#explorer select[name="verdict"]').input_value() == chosen
    assert page.locator("#explorer-verdict").inner_text()  # the figures are filled in
    note = page.locator("#explorer-ignored")
    assert note.is_visible() and ignored in note.inner_text()
    page.select_option('#explorer select[name="find"]', "yes")  # the user's own choice: the note goes
    assert not note.is_visible()
    assert errors == []


def test_what_would_pass_follows_the_package(opened, report):
    """Asked once, the answer is kept up to date as the package changes: the best keeping a locked
    option keeps the option now chosen."""
    page, errors = opened
    page.goto(report.as_uri())
    page.locator('input[name="lock-command"]').check()
    page.click("#explorer-find")
    page.locator("#explorer-best").filter(has_text="Best").wait_for()
    for option in ("joint", "national"):
        page.select_option('#explorer select[name="command"]', option)
        best = page.locator("#explorer-best")
        kept = "command=joint" in (best.get_attribute("data-package") or "")
        assert kept == (option == "joint"), (option, best.inner_text())
    assert errors == []


def test_a_language_beyond_the_worked_examples_is_shown_only_when_chosen(opened, report):
    page, errors = opened
    page.goto(report.as_uri())
    arabic, english = page.locator(".l-ar").first, page.locator(".l-en").first
    assert english.is_visible() and not arabic.is_visible()
    page.check("#lang-ar")
    assert arabic.is_visible() and not english.is_visible()
    assert page.locator('#explorer select[name="verdict"] option[value="court"]').inner_text() == "محكمة"
    assert errors == []


def test_keyboard_focus_and_names_in_what_would_pass(opened, report):
    """Focus stays where the user is: on Find after the search, on the verdict after "show"; each
    lock names its issue; the single changes' table follows the language."""
    page, errors = opened
    page.goto(report.as_uri())
    assert page.get_by_role("checkbox", name="keep this option of verdict").count() == 1
    page.focus("#explorer-find")
    page.keyboard.press("Enter")
    page.locator("#explorer-best").filter(has_text="Best").wait_for()
    assert page.evaluate("document.activeElement.id") == "explorer-find"
    page.locator("#explorer-best button").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "explorer-verdict"
    page.locator("#explorer-effects summary").click()
    change = page.locator('#explorer-effects tr[data-issue="verdict"]').first.locator("td").nth(1)  # "Change to"
    page.check("#lang-ar")
    assert change.locator(".l-ar").is_visible() and not change.locator(".l-en").is_visible()
    assert errors == []

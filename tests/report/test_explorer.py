"""The report's deal explorer in headless Chromium: its contract (#explorer, a select per issue,
each public's figures in data attributes), the engine's numbers for random packages to 1e-9, the
permalink, a forbidden combination shown with its reason, the language switch, and a content
security policy that admits exactly its script."""

import base64
import hashlib
import re

import numpy as np
import pytest

from winset.engine import assess

from ..engine.instances import valid_packages

TOLERANCE = 1e-9


@pytest.fixture
def page(browser, kuril):
    _, path = kuril
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    errors = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    opened.goto(path.as_uri())
    opened.wait_for_load_state("load")
    yield opened, errors
    context.close()


def choose(opened, scenario, codes):
    for issue, c in zip(scenario.issues, codes, strict=True):
        opened.select_option(f'#explorer select[name="{issue.id}"]', issue.options[int(c)].id)


def shown(opened, analysis):
    rows = {}
    for public in analysis.problem.publics:
        row = opened.locator(f'#explorer tr[data-public="{public.id}"]')
        rows[public.id] = {k: row.get_attribute(f"data-{k}") for k in ("support", "lower", "upper", "p", "passes")}
    for negotiator in analysis.problem.negotiators:
        row = opened.locator(f'#explorer tr[data-negotiator="{negotiator.id}"]')
        rows[negotiator.id] = {k: float(row.get_attribute(f"data-{k}")) for k in ("utility", "gain")}
    return rows


def test_the_contract_and_the_status_quo(page, kuril):
    opened, errors = page
    analysis, _ = kuril
    scenario = analysis.scenario
    assert opened.locator("#explorer").count() == 1 and not opened.locator("#explorer-no-script").is_visible()
    for issue in scenario.issues:
        select = opened.locator(f'#explorer select[name="{issue.id}"]')
        assert select.count() == 1 and select.input_value() == scenario.status_quo[issue.id]
        assert opened.locator(f'label[for="explorer-issue-{issue.id}"]').count() == 1  # every control labelled
    assert opened.locator("#explorer").get_attribute("data-in-winset") == "false"
    quo = shown(opened, analysis)["russian_public"]
    assert quo["p"] == "" and quo["passes"] == "" and float(quo["support"]) > 0  # the reference: no verdict
    assert errors == []


def test_random_packages_show_the_engines_numbers(page, kuril):
    opened, errors = page
    analysis, _ = kuril
    problem = analysis.problem
    rng = np.random.default_rng(11)
    every = valid_packages(problem)
    for codes in every[rng.choice(len(every), 12, replace=False)]:
        choose(opened, analysis.scenario, codes)
        figures = shown(opened, analysis)
        judged = assess(problem, tuple(codes), repairs=0)
        for row in judged.rules.to_dict("records"):
            mine = figures[row["public"]]
            for key in ("support", "lower", "upper"):
                assert abs(float(mine[key]) - row[key]) <= TOLERANCE, (row["public"], key)
            assert abs(float(mine["p"]) - row["p_rule"]) <= TOLERANCE and mine["passes"] == str(row["passes"]).lower()
        for negotiator in problem.negotiators:
            assert (
                abs(figures[negotiator.id]["utility"] - judged.table[f"{negotiator.id}_utility"].iloc[0]) <= TOLERANCE
            )
            assert abs(figures[negotiator.id]["gain"] - judged.table[f"{negotiator.id}_gain"].iloc[0]) <= TOLERANCE
        in_winset = opened.locator("#explorer").get_attribute("data-in-winset")
        assert in_winset == str(bool(judged.table["in_winset"].iloc[0])).lower()
    assert errors == []


def test_a_copied_link_reopens_the_package(page, kuril, browser):
    opened, _ = page
    analysis, _ = kuril
    opened.locator('.explorer-start-button[data-start="two_plus_alpha"]').click()
    opened.select_option('#explorer select[name="fishing"]', "joint_management")
    link = opened.url
    assert "#package=" in link and "fishing=joint_management" in link and "economy=special_regime" in link
    before = shown(opened, analysis)
    other = browser.new_context().new_page()
    other.goto(link)
    other.wait_for_load_state("load")
    for issue in analysis.scenario.issues:
        mine = opened.locator(f'#explorer select[name="{issue.id}"]').input_value()
        assert other.locator(f'#explorer select[name="{issue.id}"]').input_value() == mine
    assert shown(other, analysis) == before
    other.context.close()


def test_a_forbidden_combination_is_shown_with_its_reason(page):
    opened, _ = page
    opened.select_option('#explorer select[name="habomai"]', "japan")  # the treaty is still 'none'
    assert opened.locator("#explorer").get_attribute("data-allowed") == "false"
    assert opened.locator("#explorer").get_attribute("data-in-winset") == "false"
    reason = opened.locator('#explorer-forbidden [data-constraint="habomai_needs_treaty"]')
    assert reason.is_visible() and "Art. 9" in reason.inner_text()
    assert not opened.locator('#explorer-forbidden [data-constraint="shikotan_needs_treaty"]').is_visible()
    opened.select_option('#explorer select[name="treaty"]', "signed")
    assert opened.locator("#explorer").get_attribute("data-allowed") == "true"
    assert not opened.locator("#explorer-forbidden").is_visible()


def test_the_options_follow_the_language_switch(page, kuril):
    opened, _ = page
    analysis, _ = kuril
    scenario = analysis.scenario
    treaty = next(issue for issue in scenario.issues if issue.id == "treaty")
    option = opened.locator('#explorer select[name="treaty"] option[value="signed"]')
    assert option.inner_text() == scenario.text(treaty.options[1], "en")
    opened.locator("#lang-ru").check()
    assert option.inner_text() == scenario.text(treaty.options[1], "ru")
    label = opened.locator('label[for="explorer-issue-treaty"] .l-ru')
    assert label.is_visible() and label.inner_text() == scenario.text(treaty, "ru")


def test_the_policy_admits_exactly_the_explorers_script(kuril):
    _, path = kuril
    page = path.read_text(encoding="utf-8")
    policy = re.search(r'Content-Security-Policy" content="([^"]*)"', page)[1]
    scripts = re.findall(r"<script>(.*?)</script>", page, flags=re.S)
    assert len(scripts) == 1  # the data are JSON blocks, which no policy needs to admit
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in policy and "unsafe-inline" not in policy.split("script-src")[1]


def test_what_would_pass_says_so_where_nothing_does_and_heeds_the_locks(page):
    """The worked example as estimated has an empty joint win-set (the search itself is checked
    against the engine's repairs and a brute force in test_explorer_core.py)."""
    opened, errors = page
    opened.locator("#explorer-find").click()
    best = opened.locator("#explorer-best")
    best.filter(has_text="No package is in the joint win-set.").wait_for(timeout=60_000)
    assert opened.locator("#explorer-nearest li").count() == 0
    opened.locator('#explorer input[name="lock-treaty"]').check()
    best.filter(has_text="keeps the locked options").wait_for(timeout=60_000)
    assert errors == []


def test_each_single_change_is_shown_with_its_effect(page, kuril):
    opened, errors = page
    analysis, _ = kuril
    problem = analysis.problem
    opened.locator('.explorer-start-button[data-start="two_plus_alpha"]').click()
    opened.locator("#explorer-effects summary").click()
    row = opened.locator('#explorer-effects tr[data-issue="kunashir"][data-option="japan"]')
    codes = np.array(problem.space.parse(analysis.scenario.resolve_package("two_plus_alpha")))
    changed = codes.copy()
    changed[[issue.id for issue in analysis.scenario.issues].index("kunashir")] = 1
    now, then = problem.evaluate(codes[None]), problem.evaluate(changed[None])
    for i, public in enumerate(problem.publics):
        shown = float(row.locator(f'td[data-public="{public.id}"]').get_attribute("data-delta"))
        assert abs(shown - (then.support[i][0, 0] - now.support[i][0, 0])) <= TOLERANCE
    count = opened.locator("#explorer-effects tbody tr").count()
    assert count == sum(problem.space.shape) - problem.space.n_issues
    assert errors == []


def test_the_explorer_passes_an_accessibility_audit_and_works_from_the_keyboard(page):
    """axe-core finds nothing in the explorer (every control labelled, contrast, roles), and a
    package is built with the keyboard alone: Tab to an issue, an arrow key to change it."""
    sync_axe = pytest.importorskip("axe_playwright_python.sync_playwright")
    opened, errors = page
    audit = sync_axe.Axe().run(opened, context={"include": [["#explorer"]]})
    assert audit.response["violations"] == [], [v["id"] for v in audit.response["violations"]]
    opened.locator('#explorer select[name="treaty"]').focus()
    opened.keyboard.press("Tab")  # from the issue to its "keep" box
    focused = opened.evaluate("document.activeElement.name")
    assert focused == "lock-treaty"
    opened.locator('#explorer select[name="treaty"]').focus()
    opened.keyboard.press("ArrowDown")
    assert opened.locator('#explorer select[name="treaty"]').input_value() == "signed"
    assert "treaty=signed" in opened.url and errors == []


def test_the_package_is_ringed_where_the_figures_plot_it(page, kuril):
    """The ring sits where the figure's own axes put a value: checked on the frontier's dashed
    reservation lines, drawn by matplotlib, and on the status quo's utilities."""
    from winset.report.figures import frontier_figure, svg, svg_axes

    opened, _ = page
    analysis, _ = kuril
    a, b = analysis.problem.negotiators[:2]
    figure = frontier_figure(analysis)
    drawn = svg(figure)
    place = svg_axes(figure)
    verticals = {
        round(float(x0), 2)
        for x0, x1 in re.findall(r'<path d="M ([\d.]+) [\d.]+\s+L ([\d.]+) [\d.]+\s*"', drawn)
        if x0 == x1
    }
    assert round(place["x"][0] + place["x"][1] * a.reservation, 2) in verticals  # the reservation line
    ring = opened.locator("#frontier figure svg circle.explorer-mark")
    x, y = float(ring.get_attribute("data-x")), float(ring.get_attribute("data-y"))
    assert abs(x - a.reservation) <= TOLERANCE and abs(y - b.reservation) <= TOLERANCE  # the status quo
    assert abs(float(ring.get_attribute("cx")) - (place["x"][0] + place["x"][1] * x)) < 1e-6
    assert opened.locator("#map figure svg circle.explorer-mark").count() == 1


def test_each_vote_says_who_passes_or_blocks(page, kuril):
    """The rule over groups vote by vote, member by member, as votes_table has it, for packages
    that pass and fail, and no verdict on the status quo."""
    from winset.engine.verdicts import votes_table

    opened, errors = page
    analysis, _ = kuril
    problem = analysis.problem
    grouped = [p for p in problem.publics if not p.rule.plain]
    every = valid_packages(problem)
    for codes in every[np.random.default_rng(2).choice(len(every), 4, replace=False)]:
        choose(opened, analysis.scenario, codes)
        for public in grouped:
            table = votes_table(public, codes)
            for vote, rows in table.groupby("vote", sort=False):
                body = opened.locator(f'#explorer tbody[data-vote-public="{public.id}"][data-vote="{vote}"]')
                first = rows.iloc[0]
                assert body.get_attribute("data-passes") == str(bool(first["vote_passes"])).lower()
                assert abs(float(body.get_attribute("data-yes-votes")) - first["yes_votes"]) <= TOLERANCE
                heading = body.locator("tr").first.inner_text()
                verdict = "passes" if first["vote_passes"] else "fails"
                assert f"of {first['needed_text']} needed: {verdict}" in heading
                for j, row in enumerate(rows.to_dict("records")):
                    member = body.locator(f'tr[data-member="{j}"]')
                    for key in ("support", "lower", "upper", "margin"):
                        assert abs(float(member.get_attribute(f"data-{key}")) - row[key]) <= TOLERANCE
                    said = member.locator(".says").inner_text(), member.locator(".decides").inner_text()
                    decides = "the rule" if row["blocking"] else "the vote" if row["pivotal"] else ""
                    assert said == ("yes" if row["yes"] else "no", decides)
    # the vote's verdict is words in its heading, not the report's verdict box
    assert (
        opened.locator("#explorer-votes th[scope=rowgroup] span").last.evaluate(
            "(span) => getComputedStyle(span).borderLeftStyle"
        )
        == "none"
    )
    opened.locator('#explorer [data-start="status_quo"]').click()
    assert {b.get_attribute("data-passes") for b in opened.locator("#explorer tbody[data-vote-public]").all()} == {""}
    assert errors == []

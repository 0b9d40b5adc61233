"""The deal explorer's "what would pass" where the page does not search every package itself: the
joint win-set the engine lists for the page, and beyond it the engine's answers for the starting
packages and single kept options, with the command that answers the rest. Run in headless
Chromium on the worked example with opinion 2.2 warmer (thousands of ratifiable deals), the page's
limits lowered so that each way is taken, against the brute force over every deal."""

from dataclasses import replace

import numpy as np
import pytest

from winset.engine import criteria
from winset.report import explorer_answers
from winset.report.explorer import command_options, explorer

from ..engine.instances import valid_packages


@pytest.fixture(scope="module")
def warm(kuril):
    """The worked example's analysis with every public 2.2 warmer, and the brute force's verdict
    on every deal: (analysis, deals, in the joint win-set, smallest margin)."""
    analysis, _ = kuril
    problem = analysis.problem.shifted([2.2] * len(analysis.problem.publics))
    codes = valid_packages(problem)
    q = problem.evaluate(codes)
    inside = criteria.joint(problem)(q)
    solution = replace(analysis.solution, winset_size=int(inside.sum()))
    return replace(analysis, problem=problem, solution=solution, what_passes=None), codes, inside, q.joint_margin


def expected_best(warm, current, locked):
    _, codes, inside, margin = warm
    keep = inside & np.all(codes[:, locked] == np.array(current)[locked], axis=1)
    return codes[keep][np.argmax(margin[keep])].tolist() if keep.any() else None


def expected_nearest(warm, current, count=3):
    """Fewest changes, then the best smallest margin, ties by package index (the deals come in
    index order)."""
    _, codes, inside, margin = warm
    value = np.arctan(margin) / np.pi - (codes != np.array(current)).sum(axis=1)
    order = np.lexsort((np.arange(len(codes)), -value))
    return [codes[i].tolist() for i in order if inside[i]][:count]


def explorer_page(browser, analysis, path, page_search, listed):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(explorer_answers, "PAGE_SEARCH", page_search)
        patch.setattr(explorer_answers, "LISTED", listed)
        section = explorer(analysis)
    path.write_text(f'<!doctype html><html lang="en"><meta charset="utf-8">{section["html"]}</html>', encoding="utf-8")
    opened = browser.new_context().new_page()
    errors = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.goto(path.as_uri())
    return opened, errors


def ask(opened, analysis, codes, locked):
    """Choose ``codes``, lock the issues ``locked``, ask; the nearest and the best as codes."""
    space = analysis.problem.space
    for issue, c in zip(analysis.scenario.issues, codes, strict=True):
        opened.select_option(f'#explorer select[name="{issue.id}"]', issue.options[int(c)].id)
    for k, issue in enumerate(analysis.scenario.issues):
        opened.locator(f'input[name="lock-{issue.id}"]').set_checked(k in locked)
    opened.click("#explorer-find")
    opened.wait_for_function(
        "document.getElementById('explorer-best').textContent || !document.getElementById('explorer-command').hidden"
    )

    def codes_of(text):
        return list(space.parse(text or "status_quo", check_constraints=False))

    nearest = [codes_of(item.get_attribute("data-package")) for item in opened.locator("#explorer-nearest li").all()]
    best = opened.locator("#explorer-best").get_attribute("data-package")
    return nearest, (None if best is None else codes_of(best)), opened.locator("#explorer-command")


@pytest.fixture(scope="module")
def listed_page(browser, warm, tmp_path_factory):
    opened, errors = explorer_page(browser, warm[0], tmp_path_factory.mktemp("listed") / "p.html", 0, 10**6)
    yield opened, errors
    opened.context.close()


@pytest.fixture(scope="module")
def precomputed_page(browser, warm, tmp_path_factory):
    opened, errors = explorer_page(browser, warm[0], tmp_path_factory.mktemp("pre") / "p.html", 0, 0)
    yield opened, errors
    opened.context.close()


@pytest.mark.parametrize("locked", [[], [0], [0, 4], [2, 3, 9], "all but one"])
def test_the_listed_winset_answers_any_package_and_locks(listed_page, warm, locked):
    """From a proposal, a random deal and the ratifiable deal with the smallest margin (the last
    the engine would list by margin: it is its own nearest)."""
    opened, errors = listed_page
    analysis, codes, inside, margin = warm
    if locked == "all but one":
        locked = list(range(1, codes.shape[1]))
    assert "the engine listed" in opened.locator("#explorer-pass").inner_text()
    rng = np.random.default_rng(len(locked))
    weakest = np.flatnonzero(inside)[np.argmin(margin[inside])]
    for current in [
        list(analysis.proposal_codes["declaration_1956"]),
        codes[rng.integers(len(codes))].tolist(),
        codes[weakest].tolist(),
    ]:
        nearest, best, command = ask(opened, analysis, current, locked)
        assert best == expected_best(warm, current, locked)
        if not locked:
            assert nearest == expected_nearest(warm, current)
        assert not command.is_visible()
    assert errors == []


def test_beyond_the_list_the_engine_answers_the_starts_and_each_kept_option(precomputed_page, warm):
    opened, errors = precomputed_page
    analysis, codes, _, _ = warm
    for name, codes_of_start in analysis.proposal_codes.items():
        start = list(codes_of_start)
        opened.click(f'#explorer [data-start="{name}"]')
        nearest, best, command = ask(opened, analysis, start, [])
        assert nearest == expected_nearest(warm, start), name
        assert best == expected_best(warm, start, []) and not command.is_visible()
    current = list(analysis.proposal_codes["two_plus_alpha"])
    for k in range(len(current)):  # each option kept alone: the engine's own search
        _, best, command = ask(opened, analysis, current, [k])
        assert best == expected_best(warm, current, [k]), k
    _, best, command = ask(opened, analysis, current, [0, 4])
    space = analysis.problem.space
    issues, options = space.issue_ids, space.option_ids
    kept = f"{issues[0]}={options[0][current[0]]},{issues[4]}={options[4][current[4]]}"
    said, settings = command.inner_text(), f" --draws {analysis.draws}"  # as the report was made
    assert best is None and f"winset solve SCENARIO --keep '{kept}'{settings}." in said
    package = space.format(current, changes_only=True)
    assert f"winset assess SCENARIO --package '{package}' --keep '{kept}'{settings}." in said
    other = codes[np.random.default_rng(1).integers(len(codes))].tolist()
    nearest, _, command = ask(opened, analysis, other, [])
    assert nearest == [] and "winset assess SCENARIO --package '" in command.inner_text()
    # a package the constraints forbid (Habomai to Japan with no treaty), the two locked: no command
    forbidden, quo = list(current), list(space.status_quo)
    forbidden[issues.index("treaty")] = options[issues.index("treaty")].index("none")
    _, best, command = ask(opened, analysis, forbidden, [])
    assert best is not None and "winset" not in command.inner_text() and "forbid this package" in command.inner_text()
    every_issue = list(range(len(issues)))
    for locked, codes_ in (([issues.index("habomai"), issues.index("treaty")], forbidden), (every_issue, quo)):
        _, best, command = ask(opened, analysis, codes_, locked)  # forbidden together; only the status quo
        assert best is None and not command.is_visible(), locked
        said = opened.locator("#explorer-best").inner_text()
        assert said == "No deal keeps the locked options: the constraints allow none."
    assert errors == []


def test_the_commands_given_answer_the_reports_question(warm):
    """The options the page adds to the commands it gives: the report's draws, seed, test over
    the draws and ratifiers, each only where it is not the default."""
    analysis = warm[0]
    assert command_options(replace(analysis, draws=200, seed=0)) == ""
    problem = replace(analysis.problem, confidence=0.9, include_optional=True)
    assert (
        command_options(replace(analysis, problem=problem, draws=20, seed=7))
        == " --draws 20 --seed 7 --confidence 0.9 --include-optional"
    )


def test_the_engine_lists_the_winset_of_a_test_over_the_draws(warm):
    """With --confidence the page cannot test packages itself: the engine lists the win-set of
    the test over the draws, in package order, each with its smallest margin."""
    analysis, codes, _, margin = warm
    problem = replace(analysis.problem, confidence=0.9)
    q = problem.evaluate(codes)
    inside = criteria.joint(problem)(q)
    found = explorer_answers.answers(problem, int(inside.sum()), analysis.proposal_codes)
    assert found["search"] == "listed" and found["winset"]["count"] == int(inside.sum()) > 0
    import base64

    listed = np.frombuffer(base64.b64decode(found["winset"]["codes"]), dtype="<u1").reshape(-1, codes.shape[1])
    margins = np.frombuffer(base64.b64decode(found["winset"]["margins"]), dtype="<f8")
    np.testing.assert_array_equal(listed, codes[inside])
    np.testing.assert_allclose(margins, margin[inside], rtol=0, atol=1e-12)

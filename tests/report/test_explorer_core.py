"""The deal explorer's arithmetic, run in headless Chromium on the embedded data, against the
engine: for random packages of the worked example every support, interval, P(rule met), margin
and utility the page computes is ``winset assess``'s to 1e-9."""

import json
from dataclasses import replace

import numpy as np
import pytest
from typer.testing import CliRunner

from winset import load_scenario
from winset.cli import app
from winset.compile import deal_problem
from winset.engine import assess
from winset.report.explorer_data import explorer_data, script

from ..conftest import KURIL_DRAWS, KURIL_SEED, serve_fits
from ..engine.instances import valid_packages

TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def problem(kuril_fits):
    return deal_problem(load_scenario("kuril"), kuril_fits)


def core_page(browser, problem, path, prepare):
    """A page holding only the explorer's data (as ``data``) and its arithmetic, ``prepare`` run
    in it once; the page and the errors it raised."""
    document = explorer_data(problem)
    document["options"] = [[str(o) for o in range(n)] for n in problem.space.shape]
    data = json.dumps(document).replace("</", "<\\/")
    path.write_text(
        f'<!doctype html><meta charset="utf-8"><script id="data" type="application/json">{data}</script>'
        f"<script>{script(('explorer_core.js',))}</script>",
        encoding="utf-8",
    )
    opened = browser.new_context().new_page()
    errors = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.goto(path.as_uri())
    opened.evaluate(
        """() => {
        window.data = JSON.parse(document.getElementById("data").textContent);
        window.tables = data.publics.map((p) => WinsetCore.unpack(p.table));
        window.utilityTables = data.negotiators.map((n) => WinsetCore.unpack(n.table));
    }"""
    )
    opened.evaluate(prepare)
    return opened, errors


@pytest.fixture(scope="module")
def page(browser, problem, tmp_path_factory):
    opened, errors = core_page(browser, problem, tmp_path_factory.mktemp("explorer") / "core.html", "() => 0")
    yield opened, errors
    opened.context.close()


def figures(opened, codes):
    return opened.evaluate(
        """(codes) => ({
        publics: data.publics.map((p, i) => WinsetCore.publicFigures(p, tables[i], codes, data.tolerance, data.interval)),
        utilities: utilityTables.map((t) => WinsetCore.utility(t, codes)),
    })""",
        [int(c) for c in codes],
    )


def test_random_packages_have_the_engines_numbers(page, problem):
    opened, errors = page
    rng = np.random.default_rng(7)
    every = valid_packages(problem)
    packages = every[rng.choice(len(every), 40, replace=False)]
    for codes in packages:
        shown = figures(opened, codes)
        judged = assess(problem, tuple(codes), repairs=0)
        for row, mine in zip(judged.rules.to_dict("records"), shown["publics"], strict=True):
            for key, theirs in (("support", "support"), ("lower", "lower"), ("upper", "upper"), ("margin", "margin")):
                assert abs(mine[theirs] - row[key]) <= TOLERANCE, (row["public"], key, codes)
            assert abs(mine["p"] - row["p_rule"]) <= TOLERANCE and mine["passes"] == row["passes"]
        for negotiator, value in zip(problem.negotiators, shown["utilities"], strict=True):
            assert abs(value - judged.table[f"{negotiator.id}_utility"].iloc[0]) <= TOLERANCE
    assert errors == []


def test_a_package_as_the_command_prints_it(page, problem, kuril_fits, monkeypatch):
    """One package through ``winset assess --json`` itself, the document users script against."""
    opened, _ = page
    serve_fits(monkeypatch, kuril_fits, KURIL_DRAWS, KURIL_SEED)
    result = CliRunner().invoke(
        app, ["assess", "kuril", "--package", "two_plus_alpha", "--draws", str(KURIL_DRAWS), "--json"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    codes = problem.space.parse(load_scenario("kuril").resolve_package("two_plus_alpha"))
    shown = figures(opened, codes)
    for row, mine in zip(document["rules"], shown["publics"], strict=True):
        assert abs(mine["support"] - row["support"]) <= TOLERANCE and abs(mine["p"] - row["p_rule"]) <= TOLERANCE
        assert abs(mine["lower"] - row["lower"]) <= TOLERANCE and abs(mine["upper"] - row["upper"]) <= TOLERANCE
    utilities = document["negotiators"][0]
    for negotiator, value in zip(problem.negotiators, shown["utilities"], strict=True):
        assert abs(value - utilities[f"{negotiator.id}_utility"]) <= TOLERANCE


def test_a_votes_margin_is_the_engines_for_any_vote(page):
    """Chambers of blocs with seats and defectors, random member margins: the pivotal member's
    margin as winset.engine.rules.Vote.margins finds it (the worked example's own votes are too
    few to tell a wrong order of members from the right one)."""
    from winset.engine.rules import WHOLE, Rule, Vote
    from winset.errors import EngineError
    from winset.report.explorer_data import _rule

    opened, _ = page
    rng = np.random.default_rng(3)
    checked = 0
    while checked < 200:
        n = int(rng.integers(2, 7))
        weights = rng.integers(1, 30, n).astype(float)
        defect = rng.choice([0.0, 0.1, 0.3], n) if rng.random() < 0.5 else np.zeros(n)
        try:
            vote = Vote(
                "v",
                tuple(f"m{i}" for i in range(n)),
                (WHOLE,) * n,
                (0.5,) * n,
                tuple(weights),
                float(rng.uniform(0.2, 0.9) * weights.sum()),
                tuple(defect),
            )
        except EngineError:
            continue
        margins = rng.normal(0, 0.1, n)
        margins[rng.integers(n)] = margins[0] if rng.random() < 0.3 else margins[rng.integers(n)]  # ties, too
        margin, pivot = vote.margins(margins[:, None])
        described = _rule(Rule((vote,)))["votes"][0]
        found = opened.evaluate("([v, m]) => WinsetCore.votePivot(v, m)", [described, margins.tolist()])
        assert found == {"margin": float(margin[0]), "pivot": int(pivot[0])}
        checked += 1


@pytest.fixture(scope="module")
def opened_problem(problem):
    """The worked example with every public's opinion 2.2 warmer (the gap plus 2): thousands of
    packages in the joint win-set to choose among."""
    return problem.shifted([2.2] * len(problem.publics))


@pytest.fixture(scope="module")
def opened_page(browser, opened_problem, tmp_path_factory):
    judge = "() => { window.judged = WinsetCore.winset(data, tables, utilityTables); }"
    opened, _ = core_page(browser, opened_problem, tmp_path_factory.mktemp("explorer") / "opened.html", judge)
    yield opened
    opened.context.close()


def test_every_vote_member_by_member_is_the_engines(page, problem, opened_page, opened_problem):
    """For random packages, each vote of the Russian ratification (the Federation Council's blocs)
    as the page counts it, as estimated and with opinion warmer (where blocs say yes): every
    member's support, interval, margin and say, the vote's yes votes, margin and verdict, the
    pivotal member and the one that decides the rule (votes_table)."""
    from winset.engine.verdicts import votes_table

    grouped = [i for i, p in enumerate(problem.publics) if not p.rule.plain]
    assert grouped, "the worked example has a rule over groups"
    every = valid_packages(problem)
    rng = np.random.default_rng(11)
    seen = set()
    for opened, judged in ((page[0], problem), (opened_page, opened_problem)):
        for codes in every[rng.choice(len(every), 30, replace=False)]:
            for i in grouped:
                shown = opened.evaluate(
                    "([i, codes]) => WinsetCore.votes(data.publics[i], tables[i], codes, data.tolerance, data.interval)",
                    [i, [int(c) for c in codes]],
                )
                public = judged.publics[i]  # with its opinion shift, as the page has it
                table = votes_table(replace(public, table=public.table.shifted(judged.shifts[i])), codes)
                members = [m | {"vote": v} for v in shown for m in v["members"]]
                assert len(members) == len(table)
                for row, mine in zip(table.to_dict("records"), members, strict=True):
                    assert (mine["name"], mine["vote"]["name"]) == (row["member"], row["vote"])
                    for key in ("support", "lower", "upper", "margin"):
                        assert abs(mine[key] - row[key]) <= TOLERANCE, (key, row["member"], codes)
                    assert (mine["yes"], mine["pivotal"], mine["blocking"]) == (
                        row["yes"],
                        row["pivotal"],
                        row["blocking"],
                    )
                    assert abs(mine["vote"]["yesVotes"] - row["yes_votes"]) <= TOLERANCE
                    assert abs(mine["vote"]["margin"] - row["vote_margin"]) <= TOLERANCE
                    assert mine["vote"]["passes"] == row["vote_passes"]
                    seen.add((row["member"], row["yes"], row["blocking"], row["vote_passes"]))
    assert page[1] == []
    # members saying yes and no, deciding and not, votes passing and failing
    assert {s[1] for s in seen} == {True, False} and {s[3] for s in seen} == {True, False}, seen
    assert {s[2] for s in seen} == {True, False}, seen


def test_the_nearest_ratifiable_packages_are_the_engines_repairs(opened_page, opened_problem):
    """Fewest changes, then the best smallest margin: the page's list against ``assess``'s repairs."""
    scenario = load_scenario("kuril")
    for name in ("declaration_1956", "two_plus_alpha", "all_four"):
        codes = [int(c) for c in opened_problem.space.parse(scenario.resolve_package(name))]
        mine = opened_page.evaluate("(c) => WinsetCore.nearest(judged, c, [], 3).map((d) => d.codes)", codes)
        repairs = assess(opened_problem, tuple(codes), repairs=3).repairs
        theirs = [list(opened_problem.space.parse(p)) for p in repairs["package"]]
        assert mine == theirs, name


@pytest.mark.parametrize("locks", [[], [0], [0, 4], [2, 3, 9]])
def test_the_best_package_that_keeps_the_locked_options_is_the_brute_forces(opened_page, opened_problem, locks):
    """Against every deal evaluated by the engine at once: in the joint win-set, keeping the
    locked options of the 1956 terms, the highest smallest margin (ties: the lower index)."""
    from winset.engine import criteria

    scenario = load_scenario("kuril")
    current = [int(c) for c in opened_problem.space.parse(scenario.resolve_package("declaration_1956"))]
    codes = valid_packages(opened_problem)  # every deal, by the definition
    q = opened_problem.evaluate(codes)
    keep = criteria.joint(opened_problem)(q) & np.all(codes[:, locks] == np.array(current)[locks], axis=1)
    expected = codes[keep][np.argmax(q.joint_margin[keep])].tolist() if keep.any() else None
    mine = opened_page.evaluate("([c, l]) => (WinsetCore.best(judged, c, l) || {codes: null}).codes", [current, locks])
    assert mine == expected


def test_where_no_package_passes_there_is_no_best_one(page, problem):
    """The worked example as estimated: the joint win-set is empty, so nothing is offered."""
    opened, _ = page
    found = opened.evaluate(
        """(c) => WinsetCore.best(WinsetCore.winset(data, tables, utilityTables), c, [])""",
        [int(c) for c in problem.space.status_quo],
    )
    assert found is None


def test_the_climate_examples_random_packages_have_the_engines_numbers(browser, tmp_path):
    """The second worked example: a senate whose states are groups, a mixed logit per public, and
    a public known from an elicited prior, 10 bootstrap draws."""
    from winset.support import fit_scenario

    scenario = load_scenario("climate")
    climate = deal_problem(scenario, fit_scenario(scenario, 10, 0))
    opened, errors = core_page(browser, climate, tmp_path / "climate.html", "() => 0")
    every = valid_packages(climate)
    for codes in every[np.random.default_rng(5).choice(len(every), 30, replace=False)]:
        shown = figures(opened, codes)
        judged = assess(climate, tuple(codes), repairs=0)
        for row, mine in zip(judged.rules.to_dict("records"), shown["publics"], strict=True):
            for key in ("support", "lower", "upper", "margin"):
                assert abs(mine[key] - row[key]) <= TOLERANCE, (row["public"], key, codes)
            assert abs(mine["p"] - row["p_rule"]) <= TOLERANCE
        for negotiator, value in zip(climate.negotiators, shown["utilities"], strict=True):
            assert abs(value - judged.table[f"{negotiator.id}_utility"].iloc[0]) <= TOLERANCE
    assert errors == []
    opened.context.close()


def test_the_effect_of_each_single_change_is_the_engines(page, problem):
    """Every other option of every issue, from the 'two plus alpha' package: each public's point
    support moves by what the engine's evaluation of the changed package says."""
    opened, _ = page
    codes = np.array(problem.space.parse(load_scenario("kuril").resolve_package("two_plus_alpha")))
    found = opened.evaluate("(c) => WinsetCore.effects(data, tables, c)", codes.tolist())
    now = problem.evaluate(codes[None])
    assert len(found) == sum(problem.space.shape) - len(problem.space.shape)
    for effect in found:
        changed = codes.copy()
        changed[effect["issue"]] = effect["option"]
        then = problem.evaluate(changed[None])
        assert effect["allowed"] == bool(problem.space.is_valid(changed[None])[0])
        for i, delta in enumerate(effect["deltas"]):
            assert abs(delta - (then.support[i][0, 0] - now.support[i][0, 0])) <= TOLERANCE

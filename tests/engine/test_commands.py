"""``winset solve`` and ``winset assess`` on a small scenario and on the worked example.

One solve and one assess fit end to end; the other runs are given the fits the session or this
module made once (``serve_fits``), with the same draws and seed."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from winset import load_scenario
from winset.cli import app
from winset.compile import deal_problem
from winset.engine import distributed
from winset.engine.problem import DealProblem
from winset.support import fit_scenario

from ..conftest import KURIL_DRAWS, KURIL_SEED, SMALL_DRAWS, SMALL_SEED, serve_fits
from ..small_scenario import small_scenario
from .instances import in_joint_winset, naive_quantities, valid_packages

runner = CliRunner()
LOWER_RUSSIAN_THRESHOLD = (
    'rule = { threshold = 0.5, population = "adults" }',
    'rule = { threshold = 0.25, population = "adults" }',
)


@pytest.fixture(scope="module")
def passable(tmp_path_factory):
    """The small scenario with a Russian rule of 25%: some packages pass."""
    return small_scenario(
        tmp_path_factory.mktemp("passable"), scenario_edit=lambda text: text.replace(*LOWER_RUSSIAN_THRESHOLD)
    )


@pytest.fixture(scope="module")
def passable_fits(passable):
    """``passable`` fitted once, 10 bootstrap draws, seed 0."""
    return fit_scenario(load_scenario(passable), 10, 0)


@pytest.fixture
def served_passable(passable, passable_fits, monkeypatch):
    """``passable``, whose commands are given ``passable_fits`` instead of fitting (--draws 10)."""
    serve_fits(monkeypatch, passable_fits, 10, 0)
    return passable


@pytest.fixture(scope="module")
def deadlocked(small_path):
    """The small scenario as it is: no package passes both rules."""
    return small_path


@pytest.fixture
def served_deadlocked(deadlocked, small_fits, monkeypatch):
    """``deadlocked``, whose commands are given the session's ``small_fits`` (--draws SMALL_DRAWS)."""
    serve_fits(monkeypatch, small_fits, SMALL_DRAWS, SMALL_SEED)
    return deadlocked


def run(*args: str):
    return runner.invoke(app, [*args])


def solve_json(path, *options: str, draws: int = 10) -> dict:
    result = run("solve", str(path), "--draws", str(draws), "--json", *options)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_solve_finds_the_joint_winset_the_brute_force_finds(passable, passable_fits):
    """End to end: the command fits; the brute force is run on the module's fits (same draws and seed)."""
    document = solve_json(passable)
    scenario = load_scenario(passable)
    problem = deal_problem(scenario, passable_fits)
    codes = valid_packages(problem)
    point = DealProblem(problem.space, problem.negotiators, tuple(_point(p) for p in problem.publics))
    inside = in_joint_winset(point, naive_quantities(point, codes))
    assert document["winset_size"] == int(inside.sum()) > 0
    assert document["deals"] == len(codes) == 8  # the 9 allowed packages less the status quo
    assert document["packages"] == 9
    assert {row["package"] for row in document["best"]} == {
        problem.space.format(c, changes_only=True) for c in codes[inside]
    }
    assert all(row["in_winset"] for row in document["best"])
    assert [row["recommendation"] for row in document["recommendations"]] == [
        "max_min_margin",
        "nash",
        "max_probability",
    ]
    assert {row["frontier"] for row in document["frontier"]} == {"unrestricted", "ratifiable"}
    assert document["gap"] is None
    assert document["provenance"]["russian_public"] == "simulated for a test"


def _point(public):
    from dataclasses import replace

    return replace(public, table=public.table.group(0))


def test_solve_reports_the_gap_where_no_package_passes(served_deadlocked):
    document = solve_json(served_deadlocked, draws=SMALL_DRAWS)
    assert document["winset_size"] == 0 and document["best"] == []
    gap = document["gap"]
    assert gap["shift"] > 0 and gap["package"] == "treaty=signed"
    russian = next(row for row in gap["publics"] if row["public"] == "russian_public")
    assert russian["support_after_shift"] == pytest.approx(0.5, abs=1e-5)
    assert russian["needed_shift"] == pytest.approx(gap["shift"], abs=1e-6)


def test_methods_agree_and_a_probability_test_is_stricter(served_passable):
    passable = served_passable
    enumerate_ = solve_json(passable, "--method", "enumerate")
    search = solve_json(passable, "--method", "search")
    assert enumerate_["winset_size"] == search["winset_size"]
    assert [r["package"] for r in enumerate_["best"]] == [r["package"] for r in search["best"]]
    strict = solve_json(passable, "--confidence", "0.95")
    assert strict["winset_size"] <= enumerate_["winset_size"]


def test_solve_keeps_what_a_side_insists_on(served_passable, passable_fits):
    """--keep: the joint win-set and best packages of the deals that have the option, as the
    brute force over the whole problem's deals finds them, for each option of an issue."""
    problem = deal_problem(load_scenario(served_passable), passable_fits)
    codes = valid_packages(problem)
    point = DealProblem(problem.space, problem.negotiators, tuple(_point(p) for p in problem.publics))
    whole = in_joint_winset(point, naive_quantities(point, codes))
    k = problem.space.issue_ids.index("treaty")
    sizes = []
    for o, option in enumerate(problem.space.option_ids[k]):
        document = solve_json(served_passable, "--keep", f"treaty={option}", "--top", "20")
        inside = whole & (codes[:, k] == o)
        assert document["keep"] == f"treaty={option}" and document["winset_size"] == int(inside.sum())
        assert {row["package"] for row in document["best"]} == {
            problem.space.format(c, changes_only=True) for c in codes[inside]
        }
        sizes.append(document["winset_size"])
    assert sorted(sizes) == [0, int(whole.sum())]  # one option keeps the whole win-set, the other none of it
    said = run("solve", str(served_passable), "--draws", "10", "--keep", "treaty=signed")
    assert said.exit_code == 0 and "Only the packages that keep treaty=signed." in said.stdout


def test_solve_prints_tables_that_fit_80_columns(served_passable):
    passable = served_passable
    result = runner.invoke(app, ["solve", str(passable), "--draws", "10"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    for text in ["Joint win-set: 1 of 8 possible deals", "Recommended packages", "Pareto frontier", "treaty=signed"]:
        assert text in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80


def test_assess_a_proposal_that_fails(passable):
    """End to end: the command fits."""
    result = run("assess", str(passable), "--package", "two_islands", "--draws", "10", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["package"] == "habomai=japan,shikotan=japan,treaty=signed"
    assert not document["in_winset"]
    assert [rule["passes"] for rule in document["rules"]] == [False, False]
    assert all(rule["lower"] <= rule["upper"] for rule in document["rules"])
    repair = document["repairs"][0]
    assert repair["package"] == "treaty=signed" and repair["changes"] == 2
    assert {e["issue"] for e in document["effects"]} == {"habomai", "shikotan"}
    assert document["improvements"] is None


def test_assess_keeps_what_a_side_insists_on(served_passable):
    """--keep: the proposal is judged as it is; its repairs keep the option (here the one deal of
    the joint win-set has the treaty signed, so keeping none leaves no repair)."""
    signed, none = (
        json.loads(
            run(
                "assess", str(served_passable), "--package", "two_islands", "--draws", "10", "--json", "--keep", keep
            ).stdout
        )
        for keep in ("treaty=signed", "treaty=none")
    )
    assert [r["package"] for r in signed["repairs"]] == ["treaty=signed"] and signed["keep"] == "treaty=signed"
    assert none["repairs"] == [] and none["rules"] == signed["rules"] and not none["in_winset"]
    said = run("assess", str(served_passable), "--package", "two_islands", "--draws", "10", "--keep", "treaty=none")
    assert said.exit_code == 0 and "Only repairs that keep treaty=none." in said.stdout
    assert "No package of the joint win-set keeps treaty=none." in said.stdout
    # a proposal that passes, and improvements that must keep an option it lacks: none, not -1
    agreed = run(
        "assess", str(served_passable), "--package", "treaty=signed", "--draws", "10", "--keep", "habomai=japan"
    )
    text = " ".join(agreed.stdout.split())
    assert "no other package of the joint win-set that keeps habomai=japan leaves" in text, text
    document = json.loads(
        run("assess", str(served_passable), "--package", "treaty=signed", "--draws", "10", "--json").stdout
    )
    assert document["improvements"]["count"] == 1 and document["improvements"]["others"] == 0


def test_assess_a_proposal_that_passes(served_passable):
    passable = served_passable
    result = run("assess", str(passable), "--package", "treaty=signed", "--draws", "10", "--json")
    document = json.loads(result.stdout)
    assert document["in_winset"] and document["improvements"]["count"] == 1
    text = run("assess", str(passable), "--package", "treaty=signed", "--draws", "10").stdout
    assert "passes every binding rule" in text and "Once agreed" in text


@pytest.mark.parametrize(
    "args, message",
    [
        (["solve", "--criterion", "fairness"], "unknown criterion 'fairness'"),
        (["solve", "--confidence", "1.5"], "must be between 0 and 1"),
        (["solve", "--confidence", "0.9"], "needs draws (bootstrap or posterior)"),
        (["solve", "--method", "guess"], "unknown method 'guess'"),
        (["assess", "--package", "habomai=greece"], "greece"),
        (["assess", "--package", "two_island"], "not a proposal of this scenario (did you mean 'two_islands'?)"),
        (["assess", "--package", "habomai=japan"], "breaks constraint 'transfer_needs_treaty'"),
        (["solve", "--keep", "habomai=japn"], "issue 'habomai' has no option 'japn' (did you mean 'japan'?)"),
        (["solve", "--keep", "habomai"], "expected issue=option"),
        (["solve", "--keep", "status_quo"], "the options to keep are not a package"),
        (["assess", "--package", "two_islands", "--keep", "treaty=sign"], "did you mean 'signed'?"),
        (["solve", "--keep", "habomai=japan,treaty=none"], "they break constraint 'transfer_needs_treaty'"),
        (["solve", "--keep", "habomai=russia,shikotan=russia,treaty=none"], "only the status quo (no agreement) does"),
    ],
)
def test_bad_options_are_user_errors(deadlocked, args, message):
    result = run(args[0], str(deadlocked), *args[1:], "--draws", "0")
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_an_unreachable_scheduler_is_a_user_error(deadlocked, monkeypatch):
    pytest.importorskip("dask.distributed")
    monkeypatch.setattr(distributed, "CONNECT_TIMEOUT", "1s")
    result = run("solve", str(deadlocked), "--draws", "0", "--scheduler", "tcp://127.0.0.1:9")
    assert result.exit_code == 2, result.output
    assert "cannot reach the Dask scheduler" in " ".join(result.output.split())


def test_the_worked_example_has_a_ratification_gap(kuril_fits, monkeypatch):
    """The Kuril scenario: no package passes both publics on the point estimate; the gap names the
    package and the shift (see the README's engine section). Solved from the session's shared fits."""
    serve_fits(monkeypatch, kuril_fits, KURIL_DRAWS, KURIL_SEED)
    document = solve_json("kuril", draws=KURIL_DRAWS)
    assert document["winset_size"] == 0
    gap = document["gap"]
    assert 0 < gap["shift"] < 1
    assert gap["package"] == "economy=special_regime,exchanges=restored"
    russian = next(row for row in gap["publics"] if row["public"] == "russian_public")
    assert russian["binding"] and russian["needed_shift"] == pytest.approx(gap["shift"], abs=1e-6)
    frontier = [row for row in document["frontier"] if row["frontier"] == "unrestricted"]
    assert len(frontier) > 10
    assert np.all(np.diff([row["russia_utility"] for row in frontier]) <= 0)


def test_the_worked_example_at_80_columns_keeps_every_column(kuril_fits, monkeypatch):
    """In a pipe or a narrow terminal the own win-set table wraps its rules rather than losing
    its counts, and the gap table keeps its numbers and says what blocks beneath it."""
    serve_fits(monkeypatch, kuril_fits, KURIL_DRAWS, KURIL_SEED)
    result = runner.invoke(app, ["solve", "kuril", "--draws", str(KURIL_DRAWS)], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 80

    def header_after(title: str) -> str:
        return lines[next(i for i, line in enumerate(lines) if line.startswith(title)) + 1]

    assert header_after("Each public's own win-set").split() == ["public", "binding", "rule", "deals", "share"]
    assert header_after("That package in each public").split() == [
        *["public", "binding", "support", "shift", "needed", "after", "shift", "points"]
    ]
    assert "russian_public" in result.stdout and "russian_…" not in result.stdout
    assert "Blocking in russian_public before the shift: Regional legislatures:" in result.stdout


def test_assess_with_no_repairs_asked_for(served_deadlocked):
    """--repairs 0 is allowed: the proposal is judged and no repair is searched for."""
    draws = str(SMALL_DRAWS)
    result = run(
        "assess", str(served_deadlocked), "--package", "two_islands", "--repairs", "0", "--draws", draws, "--json"
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["repairs"] == []
    text = run("assess", str(served_deadlocked), "--package", "two_islands", "--repairs", "0", "--draws", draws).stdout
    assert "is not in the joint win-set" in text and "No package is in the joint win-set" not in text


def test_assess_of_the_status_quo_gives_no_verdict(served_deadlocked):
    """The status quo is the reference, not a deal: what each model says, no pass or fail."""
    deadlocked, draws = served_deadlocked, str(SMALL_DRAWS)
    result = run("assess", str(deadlocked), "--package", "status_quo", "--draws", draws, "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["status_quo"] is True and document["in_winset"] is False
    for rule in document["rules"]:
        assert rule["passes"] is None and rule["margin"] is None and 0 <= rule["support"] <= 1
    assert run("assess", str(deadlocked), "--package", "status_quo", "--draws", draws, "--exit-code").exit_code == 0


def test_check_words_each_rule_as_solve_does(kuril_fits):
    """Before any fit (check) and after (solve, assess), one rule in the same words."""
    from winset.compile import rule_text

    scenario = load_scenario("kuril")
    problem = deal_problem(scenario, kuril_fits)
    for (_, ratifier), public in zip(scenario.ratifiers, problem.publics, strict=True):
        assert rule_text(ratifier) == public.rule.describe(), ratifier.id
    assert "Regional legislatures: 57 of 85 votes" in rule_text(scenario.ratifier("russian_public"))

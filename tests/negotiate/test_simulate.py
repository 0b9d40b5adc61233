"""``winset simulate`` and the experiments, on the small scenario with a [talks] section."""

import io
import json

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

pytest.importorskip("negmas")

from typer.testing import CliRunner

from winset import load_scenario
from winset.cli import app
from winset.compile import deal_problem
from winset.engine import criteria
from winset.engine.joint import point_only
from winset.errors import NegotiationError, WinsetError
from winset.negotiate import experiments
from winset.negotiate.stage import Stage
from winset.negotiate.talks import Settings
from winset.support import fit_scenario

from ..conftest import serve_fits
from ..small_scenario import small_scenario

TALKS = """
[talks]
rounds = 12
start = 2019-01-01
days_per_round = 30

  [[talks.events]]
  label = "Summit"
  ratifier = "japanese_public"
  date = 2019-03-02
  timing_sd = 1
  shift = 0.2

  [talks.linkage]
  id = "cooperation"
    [[talks.linkage.options]]
    id = "none"
    [[talks.linkage.options]]
    id = "investment"
    utility = { russia = 0.2, japan = -0.05 }
    support = { russian_public = 0.8, japanese_public = -0.1 }

  [talks.ban]
  label = "Ban on ceding territory"
  issues = ["habomai", "shikotan"]
"""


@pytest.fixture(scope="module")
def scenario_path(tmp_path_factory):
    return small_scenario(tmp_path_factory.mktemp("simulate"), scenario_edit=lambda text: text + TALKS)


@pytest.fixture(scope="module")
def fits(scenario_path):
    """The scenario fitted once, 4 bootstrap draws, seed 0: what `simulate --draws 4` and
    `report --draws 4` fit (the simulate runs below fit end to end; the report runs are given these)."""
    return fit_scenario(load_scenario(scenario_path), 4, 0)


@pytest.fixture(scope="module")
def problem(scenario_path, fits):
    scenario = load_scenario(scenario_path)
    return scenario, deal_problem(scenario, fits)


@pytest.fixture
def served(fits, monkeypatch):
    """Commands given ``fits`` instead of fitting (with --draws 4)."""
    serve_fits(monkeypatch, fits, 4, 0)


def test_the_scenario_gives_the_settings(problem):
    scenario, _ = problem
    settings = Settings.from_scenario(scenario, mode="soft")
    assert settings.rounds == 12 and settings.mode == "soft"
    (event,) = settings.opinion.events
    assert (event.public, event.round, event.shift) == ("japanese_public", 2.0, 0.2)  # 60 days, 30 a round


def test_a_linked_issue_at_its_first_option_changes_nothing(problem):
    _, base = problem
    scenario, _ = problem
    linked = experiments.linked(base, scenario.talks.linkage)
    assert linked.space.issue_ids[-1] == "cooperation"
    codes = np.vstack(list(base.space.iter_valid()))
    with_none = np.hstack([codes, np.zeros((len(codes), 1), dtype=codes.dtype)])
    before, after = base.evaluate(codes), linked.evaluate(with_none)
    assert np.allclose(before.utility, after.utility)
    for s, t in zip(before.support, after.support, strict=True):
        assert np.allclose(s, t)
    # the investment option adds its utility to each side
    investing = with_none.copy()
    investing[:, -1] = 1
    assert np.allclose(linked.evaluate(investing).utility - before.utility, np.array([[0.2], [-0.05]]))


def test_a_ban_leaves_only_packages_that_keep_the_banned_issues(problem):
    _, base = problem
    banned = experiments.banned(base, ["habomai", "shikotan"])
    codes = np.vstack(list(banned.space.iter_valid()))
    assert (codes[:, :2] == np.array(base.space.status_quo[:2])).all()
    assert banned.space.count_valid() < base.space.count_valid()


def test_opened_opinion_makes_a_deal_possible(problem):
    _, base = problem
    moved, shift = experiments.opened(base)
    point = point_only(moved)
    codes = np.vstack(list(point.space.iter_valid()))
    assert criteria.joint(point)(point.evaluate(codes)).any()
    assert shift >= 0
    assert Stage.build(moved).joint_winset().any()


def test_simulate_prints_json_runs_experiments_and_writes_figures(scenario_path, tmp_path):
    args = [
        "simulate",
        str(scenario_path),
        "--runs",
        "6",
        "--draws",
        "4",
        "--json",
        "--figures",
        str(tmp_path / "figs"),
    ]
    args += ["--experiment", "schelling", "--experiment", "linkage", "--experiment", "ban"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["ok"] and document["summary"]["runs"] == 6 and len(document["runs"]) == 6
    assert set(document["experiments"]) == {"schelling", "linkage", "ban"}
    assert {row["condition"] for row in document["experiments"]["ban"]} == {"no ban", "ban"}
    assert {row["opinion"] for row in document["experiments"]["ban"]} == {"estimated", "gap + 0.25", "gap + 2"}
    assert len(document["experiments"]["schelling"]) == 2 * 2 * len(experiments.NARROWING)  # margins, sides
    for name in ("outcomes", "schelling", "linkage", "ban"):
        assert (tmp_path / "figs" / f"talks-{name}.png").read_bytes()[:4] == b"\x89PNG"
    again = CliRunner().invoke(app, [*args[:-6], "--figures", str(tmp_path / "figs")])
    assert again.exit_code == 0, again.output  # winset's own figures are replaced by the next run
    assert json.loads(again.stdout)["runs"] == document["runs"]  # same seed, same talks


def test_simulate_prints_tables(scenario_path):
    result = CliRunner().invoke(
        app,
        ["simulate", str(scenario_path), "--runs", "4", "--draws", "0", "--strategy", "linear"],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "simulated talks" in result.stdout and "By strategy" in result.stdout
    assert "rounds (mean)" in result.stdout  # a mean, so its decimal is not a surprise


def test_the_experiment_tables_name_opinion_alike_and_packages_as_solve_does():
    from winset.cli.simulate_view import _experiment_table

    row = {"winset": 3, "agreement_rate": 0.5, "ratified_rate": 0.25, "failed_share": 0.5, "deal_utility_a": 0.7}
    schelling = pd.DataFrame([{"margin": 0.25, "narrowed": "a", "narrowing": 0.5, **row}])
    console = Console(width=200, file=io.StringIO())
    console.print(_experiment_table("schelling", schelling, ["a"]))
    shown = console.file.getvalue()
    assert "opinion" in shown and "gap + 0.25" in shown and "by (logit)" in shown and "margin" not in shown


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--strategy", "bolware"], "unknown strategy 'bolware'"),
        (["--mode", "lenient"], "unknown mode 'lenient'"),
        (["--experiment", "schelling2"], "unknown experiment 'schelling2'"),
    ],
)
def test_bad_options_exit_2_with_one_message(scenario_path, args, message):
    result = CliRunner().invoke(app, ["simulate", str(scenario_path), *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_an_experiment_the_scenario_cannot_run_is_refused(tmp_path):
    path = small_scenario(tmp_path)  # no [talks] section
    result = CliRunner().invoke(app, ["simulate", str(path), "--experiment", "linkage"])
    assert result.exit_code == 2
    assert "add [talks.linkage] to the scenario" in result.stderr


@pytest.mark.parametrize(("name", "entry"), [("linkage", "[talks.linkage]"), ("ban", "[talks.ban]")])
def test_running_an_experiment_the_scenario_lacks_is_refused(problem, tmp_path, name, entry):
    _, deal = problem
    bare = load_scenario(small_scenario(tmp_path))  # no [talks] section
    with pytest.raises(NegotiationError) as refused:
        experiments.run(name, bare, deal, Settings(rounds=2), 1)
    assert entry in refused.value.problems[0].fix


def test_figures_never_replace_a_file_that_is_not_a_figure(scenario_path, tmp_path):
    folder = tmp_path / "figs"
    folder.mkdir()
    (folder / "talks-outcomes.png").write_text("my notes")
    result = CliRunner().invoke(app, ["simulate", str(scenario_path), "--runs", "2", "--figures", str(folder)])
    assert result.exit_code == 2
    assert (folder / "talks-outcomes.png").read_text() == "my notes"
    # a real picture that winset did not draw is not replaced either, unless --force
    import matplotlib.pyplot as plt

    figure = plt.figure()
    figure.savefig(folder / "talks-outcomes.png")
    plt.close(figure)
    picture = (folder / "talks-outcomes.png").read_bytes()
    result = CliRunner().invoke(app, ["simulate", str(scenario_path), "--runs", "2", "--figures", str(folder)])
    assert result.exit_code == 2 and "pass --force to replace it" in result.stderr
    assert (folder / "talks-outcomes.png").read_bytes() == picture


def test_the_report_gets_a_section_on_simulated_talks(scenario_path, served, tmp_path):
    out = tmp_path / "report.html"
    args = ["report", str(scenario_path), "--talks", "4", "--draws", "4", "--out", str(out), "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    page = out.read_text()
    assert '<section id="talks">' in page
    for name in ("schelling", "linkage", "ban"):
        assert f'id="talks-{name}"' in page
    section = page[page.index('<section id="talks">') : page.index('<section id="publics">')]
    assert section.count("<svg") == 4  # outcomes and one figure per experiment
    assert '<td>2019-03-02</td><td class="num">2 (± 1)</td>' in section  # the event's date, and the round it starts
    note = section[section.index('<p class="note" id="events-note">') :].split("</p>")[0]
    assert (
        "30 days a round from the start of the talks, 2019-01-01" in note and "standard deviation of s rounds" in note
    )
    data = json.loads(page[page.index('id="winset-data">') + len('id="winset-data">') : page.rindex("</script>")])
    assert data["talks"]["summary"]["runs"] == 4
    assert set(data["talks"]["experiments"]) == {"schelling", "linkage", "ban"}


def test_a_report_without_talks_has_no_such_section(scenario_path, served, tmp_path):
    out = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["report", str(scenario_path), "--draws", "4", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert '<section id="talks">' not in out.read_text()


def test_narrowing_a_side_never_enlarges_the_joint_winset(problem):
    _, base = problem
    table = experiments.schelling(base, Settings(rounds=8), 3, narrowing=(0.0, 0.5, 1.0))
    assert set(table["margin"]) == set(experiments.MARGINS)
    for _, part in table.groupby(["margin", "narrowed"]):
        sizes = part.sort_values("narrowing")["winset"].to_numpy()
        assert (np.diff(sizes) <= 0).all()
    wide = table[table["margin"] == max(experiments.MARGINS)]
    assert wide["winset"].max() >= table[table["margin"] == min(experiments.MARGINS)]["winset"].max()


def test_warmer_opinion_makes_deals_pass(scenario_path):
    def rate(*extra):
        args = ["simulate", str(scenario_path), "--runs", "12", "--draws", "0", "--json", *extra]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    cold, warm = rate("--shift", "-3"), rate("--shift", "3")
    assert warm["shift"] == 3.0
    assert warm["summary"]["ratified_rate"] > cold["summary"]["ratified_rate"]


def test_experiments_say_so_when_no_opinion_could_open_the_winset(problem):
    _, base = problem
    with pytest.raises(WinsetError, match="no shift of opinion opens the joint win-set"):
        experiments.opened(base.with_reservations([1.0, 1.0]))  # each wants its best: never both


def test_the_talks_section_renders_in_a_browser(browser, scenario_path, served, tmp_path):
    """The report with talks, in headless Chromium: no errors, nothing fetched, every talks figure drawn."""
    out = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["report", str(scenario_path), "--talks", "4", "--draws", "4", "--out", str(out)])
    assert result.exit_code == 0, result.output
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors, requests = [], []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type in ("error", "warning") else None)
    page.on("request", lambda request: requests.append(request.url))
    page.goto(out.as_uri())
    page.wait_for_load_state("load")
    figures = page.locator("#talks figure svg")
    assert figures.count() == 4
    for i in range(figures.count()):
        box = figures.nth(i).bounding_box()
        assert box["width"] > 300 and box["height"] > 200
    context.close()
    assert errors == [] and requests == [out.as_uri()]


@pytest.mark.parametrize(("when", "first"), [(19.8333, 20), (2.0, 2), (2.0 + 1e-12, 2), (0.0, 0), (-1.5, 0), (0.01, 1)])
def test_an_event_between_two_rounds_changes_opinion_from_the_next(when, first):
    """A date counted in rounds falls between two: the report names the round it starts, as the
    simulation applies it."""
    from winset.negotiate.opinion import Event, Opinion, first_round

    assert first_round(when) == first
    path = Opinion(drift=0.0, events=(Event("e", "p", when, 1.0),)).scripted(["p"], 30, np.random.default_rng(0))
    assert path[:, 0].tolist() == [0.0] * first + [1.0] * (31 - first)

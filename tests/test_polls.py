"""Polls files: a cited topline must be a usable share and sample size, refused at check time with its
line; a file without the columns winset reads says which it needs and which it has."""

import pytest
from typer.testing import CliRunner

from winset import ScenarioError, load_scenario
from winset.cli import app

from .conftest import FIXTURES
from .small_scenario import small_scenario

runner = CliRunner()
HEADER = "country,population,pollster,fieldwork,n,mode,question,option,share"
LINE_2 = "RU,adults,Levada Center,2016-05,{n},face-to-face,Hand over islands to Japan,for,{share}"
LINE_3 = "JP,adults,Nikkei/TV Tokyo,2016-11-25/27,1018,telephone,How to settle,at_least_partial_return,0.60"


def scenario(tmp_path, share="0.07", n="1600", target="", header=HEADER) -> str:
    """The minimal scenario whose Russian public cites line 2 of its polls file."""
    text = (FIXTURES / "valid" / "minimal.toml").read_text()
    text = text.replace(
        'data = { polls = "polls.csv", polls_where = { country = "RU" } }',
        'data = { polls = "polls.csv", polls_where = { country = "RU" } }\n'
        f'  calibration = [{{ line = 2, package = "two_islands"{target} }}]',
    )
    (tmp_path / "scenario.toml").write_text(text)
    (tmp_path / "polls.csv").write_text(f"{header}\n{LINE_2.format(n=n, share=share)}\n{LINE_3}\n")
    return tmp_path / "scenario.toml"


def problems(path) -> list[tuple[str, str]]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return [(p.location, p.message) for p in caught.value.problems]


TARGET = "parties[0].ratifiers[0].calibration[0]"
IN = "in party 'russia', ratifier 'russian_public': "


@pytest.mark.parametrize(
    "share, message",
    [
        ("nan", "line 2 gives share = 'nan', which is not a number between 0 and 1"),
        ("inf", "line 2 gives share = 'inf', which is not a number between 0 and 1"),
        ("1.5", "line 2 gives share = '1.5', which is not a number between 0 and 1"),
        ("-0.2", "line 2 gives share = '-0.2', which is not a number between 0 and 1"),
        ("", "line 2 gives share = '', which is not a number between 0 and 1"),
        ("0", "line 2 gives share = 0, so the poll implies a support of exactly 0"),
        ("1.0", "line 2 gives share = 1, so the poll implies a support of exactly 1"),
    ],
)
def test_a_share_that_is_not_a_usable_fraction(tmp_path, share, message):
    path = scenario(tmp_path, share=share)
    assert problems(path) == [(f"{TARGET}.line", IN + message)]
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2 and message in result.stderr.replace("\n      ", " ")


@pytest.mark.parametrize(
    "share, target, support",
    [
        ("0.78", ', side = "against", dont_know = 0.22', "0"),
        ("0.9", ', side = "against", dont_know = 0.2', "-0.1"),
        ("0", ', side = "against"', "1"),
    ],
)
def test_an_against_share_must_leave_a_support_strictly_between_0_and_1(tmp_path, share, target, support):
    ((location, message),) = problems(scenario(tmp_path, share=share, target=target))
    assert location == TARGET
    assert message.startswith(IN + f'with side = "against", line 2 implies a support of 1 - {share}')
    assert message.endswith(f"= {support}, which is not between 0 and 1")


@pytest.mark.parametrize("n", ["nan", "inf", "0", "-5", "1.5", "1e400", "unknown", ""])
def test_a_sample_size_that_is_not_a_positive_whole_number(tmp_path, n):
    assert problems(scenario(tmp_path, n=n)) == [
        (
            TARGET,
            IN + f"line 2 gives n = '{n}', which is not a sample size (a positive whole number up to 1,000,000,000)",
        )
    ]


def test_a_whole_sample_size_in_any_notation_and_an_override(tmp_path):
    assert load_scenario(scenario(tmp_path, n="1600.0")).ratifiers[0][1].calibration[0].line == 2
    assert load_scenario(scenario(tmp_path, n="unknown", target=", n = 800")).ratifiers[0][1].calibration[0].n == 800
    assert problems(scenario(tmp_path, n="unknown", target=", n = 0")) == [
        (f"{TARGET}.n", IN + "must be at least 1, got 0")
    ]


def test_a_file_without_a_share_column_names_the_columns_it_needs(tmp_path):
    path = scenario(tmp_path, header=HEADER.replace("share", "support"))
    ((location, message),) = problems(path)
    assert location == "parties[0].ratifiers[0].data.polls"
    assert message == IN + (
        "'polls.csv' has no column 'share'; a polls file needs the columns 'share' and 'n', and may have "
        "'pollster', 'fieldwork', 'question', 'option' (for labels) and any columns polls_where selects by; "
        "this one has 'country', 'population', 'pollster', 'fieldwork', 'n', 'mode', 'question', 'option', 'support'"
    )


def test_polls_where_that_selects_nothing_shows_a_short_rows_missing_cell_as_empty(tmp_path):
    """A row with fewer fields than the header has no value in the last columns: the values the
    file holds, listed when polls_where selects no row, show it as empty (it used to crash)."""
    path = scenario(tmp_path)
    path.write_text(path.read_text().replace('polls_where = { country = "RU" }', 'polls_where = { share = "0.5" }', 1))
    (tmp_path / "polls.csv").write_text(f"{HEADER}\n{LINE_2.format(n=1600, share=0.07)}\nJP,adults\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    (problem,) = [p for p in caught.value.problems if p.location == "parties[0].ratifiers[0].data.polls_where"]
    assert problem.message == IN + "no row of 'polls.csv' has share=0.5"
    assert problem.fix == "values in the file: share: '', '0.07'"


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "'polls.csv': the file is empty"),
        ("country,share\nRU,caf\xe9\n".encode("latin-1"), "'polls.csv' line 2, column 7: the file is not UTF-8 text"),
    ],
)
def test_a_polls_file_that_cannot_be_read(tmp_path, content, message):
    path = scenario(tmp_path)
    (tmp_path / "polls.csv").write_bytes(content)
    assert ("parties[0].ratifiers[0].data.polls", IN + message) in problems(path)


def test_fit_reads_the_polls_as_check_does(tmp_path):
    """The fit cites the same lines with the same shares, however the file spells its numbers."""
    from winset.support.fit import targets

    path = small_scenario(tmp_path)
    polls = tmp_path / "polls.csv"
    question = ",face-to-face,Hand over islands to Japan,for,"
    polls.write_text(polls.read_text().replace(f",1600{question}0.07,", f",1.6e3{question} 0.07 ,"))
    loaded = load_scenario(path)
    (target,) = targets(loaded, loaded.ratifiers[0][1])
    assert (target.share, target.n) == (0.07, 1600)


def test_fit_refuses_a_share_that_changed_since_the_check(tmp_path):
    from winset.support.fit import targets

    path = small_scenario(tmp_path)
    loaded = load_scenario(path)
    polls = tmp_path / "polls.csv"
    polls.write_text(polls.read_text().replace(",for,0.07,", ",for,nan,"))
    with pytest.raises(ScenarioError) as caught:
        targets(loaded, loaded.ratifiers[0][1])
    ((problem,),) = [caught.value.problems]
    assert problem.location == "parties[0].ratifiers[0].calibration[0]"
    assert problem.message == "line 2 gives share = 'nan', which is not a number between 0 and 1"

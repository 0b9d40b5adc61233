"""Sources in the report cite a fact sheet by its title and a poll by its pollster and dates,
not by a file name or line."""

from winset.report.citations import readable
from winset.scenario import load_scenario

TITLE = "The Kuril Islands / Northern Territories dispute: facts for the bundled scenario"


def test_a_fact_sheet_is_cited_by_its_title_and_passage():
    kuril = load_scenario("kuril")
    shown = readable(kuril, 'Art. 9 [README.md "1956-10-19"]; [data/README.md]')
    assert shown == f'Art. 9 ({TITLE}: "1956-10-19"); ({TITLE})'


def test_a_poll_is_cited_by_its_pollster_and_fieldwork():
    kuril = load_scenario("kuril")
    shown = readable(kuril, "38% for [polls.csv:41], 78% against [data/polls.csv:3]")
    assert shown == "38% for (Asahi, 2019-01-19/20), 78% against (Levada Center, 2016)"


def test_a_file_or_line_that_is_not_there_is_left_as_written():
    kuril = load_scenario("kuril")
    assert readable(kuril, 'see [missing.md "x"] and [gone.csv:3]') == 'see [missing.md "x"] and [gone.csv:3]'
    assert readable(kuril, "[polls.csv:999] [polls.csv:1]") == "[polls.csv:999] [polls.csv:1]"  # no row, the header


def test_the_kuril_report_cites_no_file_name(kuril):
    _, path = kuril
    page = path.read_text(encoding="utf-8")
    section = page[page.index('<section id="provenance">') :]
    assert "README.md" not in section and f"({TITLE}: &#34;1956-10-19&#34;)" in section
    assert "polls.csv:" not in section and "(Asahi, 2019-01-19/20)" in section

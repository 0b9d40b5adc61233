"""Sources in the report cite a fact sheet by its title, not by its file name."""

from winset.report.citations import readable
from winset.scenario import load_scenario

TITLE = "The Kuril Islands / Northern Territories dispute: facts for the bundled scenario"


def test_a_fact_sheet_is_cited_by_its_title_and_passage():
    kuril = load_scenario("kuril")
    shown = readable(kuril, 'Art. 9 [README.md "1956-10-19"]; [data/README.md]')
    assert shown == f'Art. 9 ({TITLE}: "1956-10-19"); ({TITLE})'


def test_a_file_that_is_not_there_is_left_as_written():
    kuril = load_scenario("kuril")
    assert readable(kuril, 'see [missing.md "x"] and [polls.csv:3]') == 'see [missing.md "x"] and [polls.csv:3]'


def test_the_kuril_report_cites_no_file_name(kuril):
    _, path = kuril
    page = path.read_text(encoding="utf-8")
    section = page[page.index('<section id="provenance">') :]
    assert "README.md" not in section and f"({TITLE}: &#34;1956-10-19&#34;)" in section

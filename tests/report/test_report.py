"""The report page: its numbers are the engine's, it is self-contained, and it never overwrites a
file that is not a report."""

import json
import subprocess
import sys
from html.parser import HTMLParser

import numpy as np
import pytest

from winset.engine import describe
from winset.report.analysis import map_publics, ratification_map, sample_valid
from winset.report.html import interval, number, percent
from winset.report.output import OutputError, check_writable, write_report
from winset.space import STATUS_QUO_WORD as STATUS_QUO


class Cells(HTMLParser):
    """The support cells of the page: (row attributes, cell attributes, text)."""

    def __init__(self):
        super().__init__()
        self.row: dict = {}
        self.cell: dict | None = None
        self.text: list[str] = []
        self.cells: list[tuple[dict, dict, str]] = []
        self.json = ""
        self._in_json = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr":
            self.row = attrs
        elif tag == "td" and "support" in attrs.get("class", ""):
            self.cell, self.text = attrs, []
        elif tag == "small" and self.cell is not None:
            self.text.append("|")
        elif tag == "script" and attrs.get("id") == "winset-data":
            self._in_json = True

    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None:
            self.cells.append((self.row, self.cell, "".join(self.text)))
            self.cell = None
        elif tag == "script":
            self._in_json = False

    def handle_data(self, data):
        if self.cell is not None:
            self.text.append(data)
        if self._in_json:
            self.json += data


def parsed(path) -> Cells:
    cells = Cells()
    cells.feed(path.read_text(encoding="utf-8"))
    return cells


def test_proposal_support_shown_is_the_engines(kuril):
    """Every support cell of the proposals table shows the engine's estimate and 90% interval,
    computed afresh from the problem, in the page's format."""
    analysis, path = kuril
    problem = analysis.problem
    names = list(analysis.proposal_codes)
    fresh = describe(problem, np.array(list(analysis.proposal_codes.values())))
    shown = {
        (row["data-proposal"], cell["data-public"]): text
        for row, cell, text in parsed(path).cells
        if "data-proposal" in row
    }
    assert len(shown) == len(names) * len(problem.publics)
    for index, name in enumerate(names):
        for public in problem.publics:
            support = fresh[f"{public.id}_support"].iloc[index]
            lower, upper = fresh[f"{public.id}_lower"].iloc[index], fresh[f"{public.id}_upper"].iloc[index]
            p_rule = fresh[f"{public.id}_p_rule"].iloc[index]
            expected = f"{percent(support)}|{interval(lower, upper)}"
            if name != "status_quo":  # the reference gets no verdict
                expected += f"|P(rule met) {number(p_rule, 2)}"
            assert shown[(name, public.id)] == expected


def test_exact_values_and_data_block_match(kuril):
    analysis, path = kuril
    page = parsed(path)
    document = json.loads(page.json)
    assert document["winset_size"] == analysis.solution.winset_size == 0
    assert document["gap"]["shift"] == pytest.approx(analysis.solution.gap.shift)
    exact = {
        (row["data-proposal"], cell["data-public"]): float(cell["data-value"])
        for row, cell, _ in page.cells
        if "data-proposal" in row
    }
    for record in document["proposals"]:
        for public in analysis.problem.publics:
            assert exact[(record["name"], public.id)] == record[f"{public.id}_support"]


def test_gap_and_verdict_shown(kuril):
    analysis, path = kuril
    html = path.read_text(encoding="utf-8")
    gap = analysis.solution.gap
    assert f'<b id="gap-shift">{number(gap.shift)}</b>' in html
    assert "No package passes at home on every side." in html
    for row in gap.table.to_dict(orient="records"):
        assert f'<td class="num">{percent(row["support_after_shift"])}</td>' in html


def test_page_fetches_nothing(kuril):
    """Self-contained: no external scripts, styles, images or fonts; a policy forbids fetching."""
    _, path = kuril
    html = path.read_text(encoding="utf-8")
    for pattern in ('src="http', "src='http", 'href="http', "url(http", "@import", "<link", "<script src"):
        assert pattern not in html
    assert "default-src 'none'" in html


def test_labels_in_every_language(kuril):
    analysis, path = kuril
    html = path.read_text(encoding="utf-8")
    scenario = analysis.scenario
    for language in ("en", "ru", "ja"):
        assert (
            f'<span class="l-{language}" lang="{language}" dir="auto">{scenario.text(scenario.parties[1], language)}</span>'
            in html
        )


def test_ratification_map_covers_the_space(kuril):
    analysis, _ = kuril
    ratification = analysis.ratification_map
    assert not ratification.sampled and ratification.total == 34_478  # every deal
    assert len(ratification.packages) == 34_479  # and the status quo; the proposals are among them
    assert (ratification.x, ratification.y) == ("russian_public", "japanese_public")
    assert not ratification.in_winset.any()
    point = analysis.problem.evaluate(ratification.packages[:50])
    # the Russian rule counts its regions (steps of votes): placed by its margin; the Japanese by support
    assert ratification.margins == (True, False)
    np.testing.assert_allclose(ratification.support[0, :50], point.margin[0])
    np.testing.assert_allclose(ratification.support[1, :50], point.support[2][0, :])


def test_a_sampled_map_keeps_the_extra_packages(kuril):
    analysis, _ = kuril
    problem = analysis.problem
    extra = np.array(list(analysis.proposal_codes.values()))
    ratification = ratification_map(problem, extra, limit=500)
    assert ratification.sampled and 500 <= len(ratification.packages) <= 500 + len(extra)
    assert problem.space.is_valid(ratification.packages).all()
    assert len(np.unique(ratification.packages, axis=0)) == len(ratification.packages)
    rows = {tuple(p) for p in ratification.packages}
    assert all(tuple(p) in rows for p in extra)


def test_sample_valid_is_uniform_over_valid_packages(kuril):
    analysis, _ = kuril
    space = analysis.problem.space
    sample = sample_valid(space, 4000, np.random.default_rng(1))
    assert len(sample) == 4000 and space.is_valid(sample).all()
    # about as many valid packages with each Habomai option as the space holds
    counts = np.bincount(sample[:, 0], minlength=space.shape[0]) / len(sample)
    everything = np.vstack(list(space.iter_valid()))
    expected = np.bincount(everything[:, 0], minlength=space.shape[0]) / len(everything)
    np.testing.assert_allclose(counts, expected, atol=0.03)


def test_map_publics_are_one_binding_public_per_party(kuril):
    analysis, _ = kuril
    first, second = map_publics(analysis.problem)
    assert analysis.problem.publics[first].party != analysis.problem.publics[second].party


def test_proposals_table_starts_with_the_status_quo(kuril):
    analysis, _ = kuril
    assert analysis.proposals["name"].iloc[0] == STATUS_QUO
    assert list(analysis.proposals["name"].iloc[1:]) == [p.id for p in analysis.scenario.proposals]


# ------------------------------------------------------------------------------ writing the file
def test_never_overwrites_a_file_that_is_not_a_report(tmp_path, kuril):
    _, report = kuril
    target = tmp_path / "notes.html"
    target.write_text("<html>my own notes</html>")
    with pytest.raises(OutputError, match="not a winset report"):
        write_report("<html>new</html>", target)
    assert target.read_text() == "<html>my own notes</html>"
    write_report(report.read_text(encoding="utf-8"), target, force=True)
    # a winset report may be replaced by the next one
    write_report(report.read_text(encoding="utf-8"), target)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.html"]  # no temporary file left


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("missing/report.html", "the folder does not exist"),
        ("report.txt", "a report is a .html or .htm file"),
        (".", "is a folder"),
    ],
)
def test_bad_output_paths_are_refused(tmp_path, name, message):
    path = tmp_path / name if name != "." else tmp_path / "folder.html"
    if name == ".":
        path.mkdir()
    with pytest.raises(OutputError, match=message):
        check_writable(path, force=False)


def test_a_page_without_a_map_says_why(kuril):
    from dataclasses import replace

    from winset.report import render

    analysis, _ = kuril
    html = render(replace(analysis, ratification_map=None), language="ja")
    assert "The map needs two publics" in html
    assert 'id="lang-ja" value="ja" checked' in html


def test_no_minus_sign_on_a_number_that_rounds_to_zero():
    from winset.cli.render import _number

    assert number(-0.0004) == "0.000" and number(-0.0006) == "-0.001" and number(float("nan")) == ""
    assert _number(-0.0004) == "0.000" and _number(-0.0006) == "-0.001" and _number(True) == "yes"


def test_a_gap_table_row_no_member_blocks_says_nothing(kuril):
    """A public that no member of decides shows an empty cell, not "nan"."""
    _, path = kuril
    page = path.read_text(encoding="utf-8")
    assert "decided by nan" not in page and ">nan<" not in page


def test_the_report_package_loads_its_parts_on_first_use():
    """``winset solve`` imports ``winset.report.documents``: that must not load the figures' plotting
    library; the package's names still import, and a wrong one fails cleanly."""
    code = (
        "import sys, winset.report, winset.report.documents\n"
        "assert 'matplotlib' not in sys.modules and 'jinja2' not in sys.modules\n"
        "assert {'analyse', 'render', 'write_report'} <= set(dir(winset.report))\n"
        "from winset.report import Analysis, analyse, render, write_report\n"
        "assert 'matplotlib' in sys.modules\n"
        "try:\n    from winset.report import nosuch\nexcept ImportError:\n    print('refused')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "refused"

"""The bundled worked example: valid, labelled in three languages, and true to its cited sources."""

import csv
import re

import pytest

from winset import load_scenario
from winset.compile import negotiator
from winset.scenarios import bundled_path

from .conftest import SHARED

PATH = bundled_path("kuril")
DATA = PATH.parent / "data"
TEXT = PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def kuril():
    return load_scenario(PATH)


def test_loads_and_has_the_required_issues(kuril):
    ids = [i.id for i in kuril.issues]
    for required in [
        "habomai",
        "shikotan",
        "kunashir",
        "iturup",
        "treaty",
        "security",
        "residents",
        "economy",
        "fishing",
        "exchanges",
    ]:
        assert required in ids
    assert [o.id for o in kuril.issue("security").options] == ["no_limits", "no_foreign_forces", "demilitarised"]
    assert {o.id for o in kuril.issue("kunashir").options} >= {"russia", "japan", "japan_phased", "joint"}
    assert kuril.space.size == 3 * 3 * 4 * 4 * 2 * 3 * 3 * 3 * 3 * 3


def test_every_label_is_in_english_russian_and_japanese(kuril):
    assert kuril.languages == ["en", "ru", "ja"]
    labelled = [kuril.scenario.title]
    labelled += [i.label for i in kuril.issues] + [o.label for i in kuril.issues for o in i.options]
    labelled += [p.label for p in kuril.parties] + [r.label for _, r in kuril.ratifiers]
    labelled += [p.label for p in kuril.proposals]
    for label in labelled:
        assert isinstance(label, dict) and set(label) == {"en", "ru", "ja"}, label
        assert re.search("[А-Яа-я]", label["ru"]), label
        assert re.search("[\u3040-\u30ff\u4e00-\u9fff]", label["ja"]), label


def test_the_1956_condition_is_a_constraint(kuril):
    space = kuril.space
    for island in ["habomai", "shikotan", "kunashir", "iturup"]:
        assert not space.is_valid(space.parse(f"{island}=japan", check_constraints=False))
        assert space.is_valid(space.parse(f"{island}=japan,treaty=signed"))


def test_parties_and_ratifiers(kuril):
    assert [p.id for p in kuril.parties] == ["russia", "japan"]
    ratifiers = {r.id: (p.id, r) for p, r in kuril.ratifiers}
    assert ratifiers["russian_public"][0] == "russia" and ratifiers["russian_public"][1].required
    assert ratifiers["japanese_public"][0] == "japan" and ratifiers["japanese_public"][1].rule.threshold == 0.5
    assert ratifiers["island_residents"][0] == "russia" and not ratifiers["island_residents"][1].required
    for party in kuril.parties:
        assert sum(party.utility.weights.values()) == pytest.approx(1.0)


def test_historic_proposals_are_valid_and_the_negotiators_disagree_on_them(kuril):
    space = kuril.space
    russia = negotiator(kuril, "russia")
    japan = negotiator(kuril, "japan")
    gains = {
        p.id: (russia(space.parse(p.package)) - russia.reservation, japan(space.parse(p.package)) - japan.reservation)
        for p in kuril.proposals
    }
    assert set(gains) >= {"declaration_1956", "two_plus_alpha", "phased_return", "all_four", "joint_administration"}
    assert gains["all_four"][0] < 0 < gains["all_four"][1]
    assert gains["declaration_1956"][0] > 0 and gains["declaration_1956"][1] > 0


# ------------------------------------------------------------------------------------------ sources
CITATION = re.compile(r"\[(polls|islands)\.csv:(\d+)\]")
PASSAGE = re.compile(r'\[README\.md \\?"(.+?)\\?"\]')
PROCEDURE = re.compile(r'\[procedures\.md \\?"(.+?)\\?"\]')


def test_citations_point_at_existing_lines_and_passages():
    lines = {name: (DATA / f"{name}.csv").read_text(encoding="utf-8").splitlines() for name in ("polls", "islands")}
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    cited = CITATION.findall(TEXT)
    passages = PASSAGE.findall(TEXT)
    assert len(cited) >= 15 and len(passages) >= 15
    for name, line in cited:
        assert 2 <= int(line) <= len(lines[name]), f"{name}.csv:{line}"
    for passage in passages:
        assert passage.replace('\\"', '"') in readme, passage
    procedures = (DATA / "procedures.md").read_text(encoding="utf-8")
    sections = PROCEDURE.findall(TEXT)
    assert set(sections) == {"Russia", "Japan"}
    for section in sections:
        assert f"\n## {section}\n" in procedures, section


def test_quoted_poll_figures_match_the_cited_lines():
    polls = list(csv.DictReader((DATA / "polls.csv").open(encoding="utf-8")))
    for match in re.finditer(r"(\d+)%[^\[\n%]*?\[polls\.csv:(\d+)\]", TEXT):
        percent, line = int(match.group(1)), int(match.group(2))
        assert round(float(polls[line - 2]["share"]) * 100) == percent, match.group(0)


def test_island_facts_match_islands_csv(kuril):
    islands = {row["id"]: row for row in csv.DictReader((DATA / "islands.csv").open(encoding="utf-8"))}
    for island, row in islands.items():
        description = kuril.issue(island).description
        assert f"{int(row['area_km2']):,} km2" in description
        if int(row["pop_2016_russian"]):
            assert f"{int(row['pop_2016_russian']):,} Russian residents" in description
        assert (
            kuril.issue(island).label["ru"].endswith(row["name_ru"])
            or row["name_ru"] in kuril.issue(island).label["ru"]
        )
        assert row["name_ja"] == kuril.issue(island).label["ja"]


def test_every_modelling_number_is_marked_as_an_assumption():
    weights = re.findall(r"\[parties\.utility\.weights\](.*?)\[parties\.utility\.scores\]\n(.*?)\n", TEXT, re.DOTALL)
    assert len(weights) == 2
    for block, first_score_line in weights:
        for line in block.splitlines():
            if "=" in line and not line.strip().startswith("#"):
                assert "# ASSUMPTION" in line, line
        assert first_score_line.strip().startswith("# ASSUMPTION: every score in this table"), first_score_line
    rules = [line for line in TEXT.splitlines() if line.strip().startswith("rule = ")]
    assert len(rules) == 2  # the residents' and the Japanese public's; the Russian rule is a table
    for line in rules:
        assert line.endswith("# ASSUMPTION"), line
    russian = TEXT[TEXT.index("[parties.ratifiers.rule]") : TEXT.index("[parties.ratifiers.groups]")]
    thresholds = [line for line in russian.splitlines() if line.strip().startswith("threshold = 0")]
    assert thresholds and all(line.endswith("# ASSUMPTION") for line in thresholds)
    assert "ASSUMPTION: its chambers pass what a majority of all" in TEXT  # the step not modelled from opinion


@pytest.mark.shared("data", "kuril")
def test_bundled_copies_equal_the_shared_fact_sheet():
    for name in ("polls.csv", "islands.csv", "README.md"):
        assert (DATA / name).read_bytes() == (SHARED / "data" / "kuril" / name).read_bytes(), name

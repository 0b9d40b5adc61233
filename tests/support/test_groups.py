"""Publics split into groups: the scenario format and its located errors, post-stratified fits,
and the rules compiled from them."""

import numpy as np
import pytest

from winset import ScenarioError, load_scenario
from winset.compile import deal_problem, ratification_rule
from winset.conjoint import ConjointError
from winset.engine.rules import WHOLE
from winset.support import fit_scenario

from ..small_scenario import small_scenario

RULE = '  rule = { threshold = 0.5, population = "adults" }'


def grouped(text: str, groups: str, rule: str) -> str:
    """The small scenario with the Russian public split into ``groups`` under ``rule``."""
    assert RULE in text
    return text.replace(RULE, f"  rule = {rule}\n  groups = {groups}", 1)


AGE = '{ covariate = "age", values = { old = ["old"], young = ["young"] }, shares = { old = 0.6, young = 0.4 } }'
CHAMBER = (
    '{ kind = "chamber", name = "Duma", threshold = "2/3", seats = 100, blocs = ['
    '{ id = "elders", group = "old", seats = 60 }, { id = "youth", group = "young", seats = 40, defect = 0.1 }] }'
)


def problems_of(tmp_path, groups: str, rule: str) -> list[tuple[str, str]]:
    with pytest.raises(ScenarioError) as error:
        small_scenario(tmp_path, scenario_edit=lambda t: grouped(t, groups, rule))
    return [(p.location, p.message) for p in error.value.problems]


def test_a_rule_over_groups_needs_groups(tmp_path):
    def edit(text):
        return text.replace(RULE, '  rule = { kind = "every_group", threshold = 0.5 }', 1)

    with pytest.raises(ScenarioError) as error:
        small_scenario(tmp_path, scenario_edit=edit)
    [(location, message)] = [(p.location, p.message) for p in error.value.problems]
    assert location == "parties[0].ratifiers[0].rule.kind"
    assert "counts groups, but the ratifier has no [groups]" in message


@pytest.mark.parametrize(
    ("rule", "location", "message"),
    [
        (
            CHAMBER.replace("seats = 100", "seats = 99"),
            "rule.seats",
            "the blocs' seats add up to 100, not the chamber's 99",
        ),
        (
            CHAMBER.replace('group = "old"', 'group = "olf"'),
            "rule.blocs[0].group",
            "'olf' is not one of the ratifier's groups (did you mean 'old'?)",
        ),
        (CHAMBER.replace('"2/3"', '"3/2"'), "rule.threshold", "must be a share of the seats in (0, 1]"),
        (
            CHAMBER.replace('"2/3"', "0.99"),
            "rule.threshold",
            "it needs 99 of 100 seats, but its blocs cast at most 96 yes votes",
        ),
        (CHAMBER.replace('id = "youth"', 'id = "elders"'), "rule.blocs[1].id", "duplicate bloc id 'elders'"),
        (
            '{ kind = "double_majority", threshold = 0.5, groups_needed = 3 }',
            "rule.groups_needed",
            "it needs 3 groups, but counts only 2",
        ),
        (
            '{ kind = "every_group", threshold = 1.5 }',
            "rule.threshold",
            "threshold must be above 0 and at most 1, got 1.5",
        ),
        (
            '{ kind = "chamberr", threshold = 0.5 }',
            "rule.kind",
            "unknown rule kind 'chamberr' (did you mean 'chamber'?)",
        ),
        (
            '{ kind = "steps", steps = [{ kind = "steps", steps = [] }] }',
            "rule.steps[0].kind",
            "a step cannot itself be steps",
        ),
        (
            '{ kind = "steps", steps = [{ kind = "every_grup", threshold = 0.5 }] }',
            "rule.steps[0].kind",
            "unknown rule kind 'every_grup' (did you mean 'every_group'?)",
        ),
        ('{ kind = "every_group", threshold = 0.5, groups = ["old", "olf"] }', "rule.groups[1]", "'olf' is not one"),
    ],
)
def test_located_rule_errors(tmp_path, rule, location, message):
    found = problems_of(tmp_path, AGE, rule)
    assert any(loc == f"parties[0].ratifiers[0].{location}" and message in text for loc, text in found), found


def test_group_shares_must_name_the_groups_and_sum_to_one(tmp_path):
    found = problems_of(tmp_path, AGE.replace("young = 0.4", "yung = 0.3"), '{ kind = "every_group", threshold = 0.5 }')
    found = dict(found)
    yung = found["parties[0].ratifiers[0].groups.shares.yung"]
    assert yung.endswith("'yung' is not one of the ratifier's groups (did you mean 'young'?)")
    assert found["parties[0].ratifiers[0].groups.shares"].endswith("the shares sum to 0.9000, not 1")


def test_a_chamber_threshold_that_is_no_share_says_how_to_write_one(tmp_path):
    with pytest.raises(ScenarioError) as error:
        small_scenario(tmp_path, scenario_edit=lambda t: grouped(t, AGE, CHAMBER.replace('"2/3"', '"2/3x"')))
    [problem] = error.value.problems
    assert problem.location == "parties[0].ratifiers[0].rule.threshold"
    assert problem.fix.startswith('write the share of the seats the chamber needs: threshold = "2/3"')


def test_a_reversed_range_is_refused(tmp_path):
    groups = '{ covariate = "age", values = { old = { min = 5, max = 1 } } }'
    found = dict(problems_of(tmp_path, groups, '{ kind = "every_group", threshold = 0.5 }'))
    assert found["parties[0].ratifiers[0].groups.values.old"].endswith("min 5 is above max 1")


def test_groups_need_a_survey(tmp_path):
    def edit(text):
        text = text.replace('survey = "survey.csv", covariates = ["age"], ', "", 1)
        text = text.replace("  population = { age = { old = 0.6, young = 0.4 } }\n", "", 1)
        return grouped(text, AGE, '{ kind = "every_group", threshold = 0.5 }')

    with pytest.raises(ScenarioError) as error:
        small_scenario(tmp_path, scenario_edit=edit)
    messages = {p.location: p.message for p in error.value.problems}
    assert "this ratifier has no survey" in messages["parties[0].ratifiers[0].groups"]


def fitted(tmp_path, groups=AGE, rule=CHAMBER, survey_edit=None, draws=4, edit=lambda t: t):
    path = small_scenario(tmp_path, survey_edit=survey_edit, scenario_edit=lambda t: grouped(edit(t), groups, rule))
    scenario = load_scenario(path)
    return scenario, fit_scenario(scenario, draws=draws, seed=3)


def test_each_group_is_fitted_on_its_own_respondents(tmp_path):
    """Post-stratification: a group's support is what a fit on that group's respondents alone
    gives, and the whole public's is the share-weighted sum."""
    (tmp_path / "groups").mkdir()
    scenario, fits = fitted(tmp_path / "groups", edit=without_margins)
    fit = fits["russian_public"]
    assert fit.groups is not None and fit.groups.names == ("old", "young") and fit.groups.stated
    codes = np.array(list(scenario.space.iter_valid()))
    problem = deal_problem(scenario, fits)
    public = problem.publics[0]
    table = public.rule_table
    per_group = table.support(codes)[:2]  # the point estimate's two groups
    np.testing.assert_allclose(
        fit.table.group(0).support(codes)[0], 0.6 * per_group[0] + 0.4 * per_group[1], atol=1e-12
    )
    # each group alone, as a public without groups: the same point estimate of support
    for name, g in (("old", 0), ("young", 1)):

        def only(frame, name=name):
            return frame[frame["age"] == name]

        (tmp_path / name).mkdir()
        path = small_scenario(tmp_path / name, survey_edit=only, scenario_edit=without_margins)
        alone = load_scenario(path)
        support = fit_scenario(alone, draws=2, seed=3)["russian_public"].table.group(0).support(codes)[0]
        np.testing.assert_allclose(per_group[g], support, rtol=1e-6, atol=1e-8)


def without_margins(text: str) -> str:
    """No population margins and no calibration for the Russian public: its fit is the survey's alone."""
    text = text.replace("  population = { age = { old = 0.6, young = 0.4 } }\n", "", 1)
    return text.replace('  calibration = [{ line = 2, package = "two_islands" }]', "", 1)


def test_fit_errors_name_the_groups_table(tmp_path):
    with pytest.raises(ScenarioError) as error:  # caught from the survey's header, before any fit
        fitted(tmp_path, groups=AGE.replace('covariate = "age"', 'covariate = "agee"'))
    [problem] = error.value.problems
    assert problem.location == "parties[0].ratifiers[0].data.survey"
    assert "has no column 'agee' for the groups' covariate" in problem.message
    empty = '{ covariate = "age", values = { old = ["old"], young = ["young"], none = ["unborn"] } }'
    with pytest.raises(ConjointError) as error:
        (tmp_path / "empty").mkdir()
        fitted(tmp_path / "empty", groups=empty, rule='{ kind = "every_group", threshold = 0.5 }')
    assert [p.message for p in error.value.problems] == ["group 'none' has no respondents in the survey"]


def test_the_rule_compiles_to_votes(tmp_path):
    scenario, fits = fitted(tmp_path)
    rule = ratification_rule(scenario.ratifier("russian_public"), fits["russian_public"].groups)
    [vote] = rule.votes
    assert vote.members == ("elders", "youth") and vote.sources == (0, 1)
    assert vote.weights == (60.0, 40.0) and vote.defect == (0.0, 0.1)
    assert vote.needed == pytest.approx(200 / 3)
    assert rule.shares == (0.6, 0.4) and WHOLE not in vote.sources


def test_an_unknown_key_in_a_chamber_lists_the_chambers_keys(tmp_path):
    rule = CHAMBER.replace("seats = 100", "sets = 100").replace("seats = 60 }", "seat = 60 }")
    with pytest.raises(ScenarioError) as error:
        small_scenario(tmp_path, scenario_edit=lambda t: grouped(t, AGE, rule))
    found = {p.location: p for p in error.value.problems}
    chamber = found["parties[0].ratifiers[0].rule.sets"]
    assert "unknown key 'sets' (did you mean 'seats'?)" in chamber.message
    assert "'blocs'" in chamber.fix and "'population'" not in chamber.fix  # the chamber's keys, not a share's
    bloc = found["parties[0].ratifiers[0].rule.blocs[0].seat"]
    assert "bloc 'elders'" in bloc.message and "'defect'" in bloc.fix


def with_region(frame):
    """A second respondent characteristic that goes with support (so its model term matters)."""
    mean = frame.groupby("respondent")["support"].transform("mean")
    return frame.assign(region=np.where(mean > mean.median(), "north", "south"))


def test_the_other_covariates_stay_in_each_groups_model(tmp_path):
    """With the group covariate listed before another one, each group's support is still what a
    fit of that group's respondents alone, with the other covariate, gives."""

    def edit(text):
        text = without_margins(text).replace('covariates = ["age"]', 'covariates = ["age", "region"]', 1)
        return grouped(text, AGE, '{ kind = "every_group", threshold = 0.3 }')

    (tmp_path / "both").mkdir()
    path = small_scenario(tmp_path / "both", survey_edit=with_region, scenario_edit=edit)
    scenario = load_scenario(path)
    fits = fit_scenario(scenario, draws=2, seed=3)
    codes = np.array(list(scenario.space.iter_valid()))
    per_group = deal_problem(scenario, fits).publics[0].rule_table.support(codes)[:2]
    for name, g in (("old", 0), ("young", 1)):

        def only(frame, name=name):
            return with_region(frame).query("age == @name")

        def alone(text):
            return without_margins(text).replace('covariates = ["age"]', 'covariates = ["region"]', 1)

        (tmp_path / name).mkdir()
        single = load_scenario(small_scenario(tmp_path / name, survey_edit=only, scenario_edit=alone))
        support = fit_scenario(single, draws=2, seed=3)["russian_public"].table.group(0).support(codes)[0]
        np.testing.assert_allclose(per_group[g], support, rtol=1e-6, atol=1e-8)

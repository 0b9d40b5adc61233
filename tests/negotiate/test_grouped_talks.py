"""Simulated talks where a public ratifies by a rule over its groups: the stage's needed shifts and
verdicts are the rule's, by brute force, and strict talks sign only what that rule accepts."""

import numpy as np
import pytest
from hypothesis import given

pytest.importorskip("negmas")

from winset import load_scenario
from winset.compile import deal_problem
from winset.negotiate.montecarlo import simulate
from winset.negotiate.opinion import Opinion
from winset.negotiate.stage import Stage
from winset.negotiate.talks import Settings
from winset.support import fit_scenario

from ..engine.conftest import EXACT
from ..engine.instances import naive_rule, problems
from ..small_scenario import small_scenario
from ..support.test_groups import AGE, grouped

STILL = Opinion(drift=0.0, own_noise=0.0, other_noise=0.0, audience_cost=0.0)


def naive_needed(public, package) -> float:
    """The smallest shift at which the public's rule passes on the point estimate, by bisection on
    the rule counted vote by vote."""
    point = public.draw(0)
    low, high = -70.0, 70.0
    if not naive_rule(point, package[None, :], high)[0][0, 0]:
        return np.inf
    for _ in range(80):
        middle = (low + high) / 2
        low, high = (low, middle) if naive_rule(point, package[None, :], middle)[0][0, 0] else (middle, high)
    return high


@EXACT
@given(problems(max_issues=3, max_options=3, min_negotiators=1))
def test_the_stage_decides_on_each_publics_rule(problem):
    if not problem.space.is_valid(np.array(problem.space.status_quo)):
        return
    stage = Stage.build(problem)
    for i, public in enumerate(problem.publics):
        for position in range(0, stage.size, max(1, stage.size // 4)):
            package = stage.codes[position]
            expected = naive_needed(public, package)
            got = stage.needed[i, position]
            # the engine looks no further than 64 on the logit scale either way: compare within it
            assert (np.isinf(expected) and np.isinf(got)) or abs(
                np.clip(got, -60, 60) - np.clip(expected, -60, 60)
            ) < 1e-6
            for draw in range(public.n_draws + 1):
                shifts = np.zeros(len(problem.publics))
                shifts[i] = 0.3
                verdict = stage.ratifies(position, shifts, draw)[i]
                assert verdict == naive_rule(public.draw(draw), package[None, :], 0.3)[0][0, 0]


CONSENT = '{ kind = "every_group", threshold = 0.15 }'


def test_strict_talks_sign_only_what_every_group_accepts(tmp_path):
    def edit(text):  # consent of both age groups in Russia, 30% in Japan: a joint win-set to reach
        return grouped(text, AGE, CONSENT).replace("rule = { threshold = 0.5 }", "rule = { threshold = 0.3 }")

    path = small_scenario(tmp_path, scenario_edit=edit)
    scenario = load_scenario(path)
    problem = deal_problem(scenario, fit_scenario(scenario, 6, 0))
    stage = Stage.build(problem)
    inside = set(stage.index[stage.joint_winset()])
    assert inside  # the rule leaves a joint win-set to reach
    settings = Settings(rounds=40, mode="strict", opinion=STILL, draws=False)
    runs = simulate(stage, settings, 6, seed=0, strategies=("boulware", "conceder")).runs
    signed = runs[runs["signed"]]
    assert len(signed)
    russian = problem.publics[0]
    for package in signed["package"]:
        codes = np.array(problem.space.parse(package))
        assert problem.space.encode(codes[None, :])[0] in inside
        assert naive_rule(russian.draw(0), codes[None, :])[0][0, 0]  # every age group at 15% or more

"""``winset check``: validate a scenario and summarise it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .common import check_language, print_json, stdout, user_errors
from .options import JsonOpt, LanguageOpt, ScenarioArg

if TYPE_CHECKING:
    from ..scenario import Scenario


def _scenario_json(scenario: Scenario) -> dict[str, Any]:
    space = scenario.space
    return {
        "ok": True,
        "scenario": scenario.scenario.id,
        "issues": {issue.id: [o.id for o in issue.options] for issue in scenario.issues},
        "status_quo": scenario.status_quo,
        "packages": space.size,
        "valid_packages": space.count_valid(),
        "constraints": [c.id for c in scenario.constraints],
        "parties": {p.id: [r.id for r in p.ratifiers] for p in scenario.parties},
        "proposals": {p.id: space.format(space.parse(p.package), changes_only=True) for p in scenario.proposals},
    }


def _show(scenario: Scenario, language: str | None, as_json: bool) -> None:
    check_language(scenario, language)
    if as_json:
        print_json(_scenario_json(scenario))
    else:
        from .summary import summary

        stdout().print(summary(scenario, language))


@user_errors
def check_command(scenario: ScenarioArg, language: LanguageOpt = None, as_json: JsonOpt = False) -> None:
    """Validate a scenario file and summarise it.

    Prints the issues and options, the size of the package space, the constraints, the parties and
    their ratifiers, and the proposals. A file with problems gets every problem listed, each with its
    place and a fix, and exit code 2, as does a ratifier without survey evidence to learn from.
    """
    from ..scenario import load_scenario
    from ..scenario.evidence import require_evidence

    loaded = load_scenario(scenario)
    require_evidence(loaded)
    _show(loaded, language, as_json)

"""A scenario's prior for a public without a survey, as the additive model's normal priors.

The effects in support points (an elicitation on the points scale, a published table) are put on
the logit scale at one support level, the *base*: the support the prior gives the status quo
(``status_quo``'s central value) where it says, else the first poll's (the anchoring topline),
else 50%. An elicited ``[central, low, high]`` is a central value and a 90% range; a published
``estimate`` and ``std_error`` are a normal (so its 90% range is estimate +- 1.645 standard
errors). A published table's effects are re-based on the status quo's option of each issue: the
effect of option o is ``estimate(o) - estimate(status quo option)``, with the two standard errors
added in quadrature (the table's covariances are not published); an AMCE table that leaves the
status quo's option out has it as its baseline (0). Whatever the prior does not name keeps the
stated defaults (:data:`~winset.support.additive.DEFAULT_EFFECT_SD`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.special import logit

from ..errors import Problem, ScenarioError
from ..scenario import Prior, Ratifier, Scenario
from ..scenario.published import read_effects
from .additive import DEFAULT_EFFECT_SD, DEFAULT_LEVEL_SD, Z90, AdditivePrior, points_to_logit
from .calibration import Target


def additive_prior(scenario: Scenario, ratifier: Ratifier, polls: Sequence[Target]) -> AdditivePrior:
    """The ratifier's prior (its ``prior`` table, or the stated defaults), on the logit scale."""
    spec = ratifier.prior or Prior()
    space = scenario.space
    offsets = np.cumsum((0, *space.shape[:-1]))
    mean, sd = np.zeros(sum(space.shape)), np.full(sum(space.shape), DEFAULT_EFFECT_SD)
    points = spec.scale == "points"
    if spec.status_quo is not None:
        central, low, high = spec.status_quo
        base = central if points else 0.5
        if points:
            level_mean, level_sd = float(logit(central)), (float(logit(high)) - float(logit(low))) / (2 * Z90)
        else:
            level_mean, level_sd = central, (high - low) / (2 * Z90)
    else:  # the level is learned from the polls: its prior is the stated default, centred on 50%
        base = polls[0].support if polls else 0.5
        level_mean, level_sd = 0.0, DEFAULT_LEVEL_SD
    if points and not 0 < base < 1:  # a first poll of 0% or 100%: measure effects at 50% instead
        base = 0.5

    def column(issue: str, option: str) -> int:
        k = space.issue_ids.index(issue)
        return int(offsets[k]) + space.option_ids[k].index(option)

    if spec.kind == "elicitation":
        for issue, options in spec.options.items():
            for option, (central, low, high) in options.items():
                at = column(issue, option)
                mean[at], sd[at] = (
                    points_to_logit(base, central, low, high) if points else (central, (high - low) / (2 * Z90))
                )
    elif spec.kind == "table":
        for (issue, option), (estimate, error) in _rebased(scenario, ratifier, spec).items():
            mean[column(issue, option)], sd[column(issue, option)] = points_to_logit(
                base, estimate, estimate - Z90 * error, estimate + Z90 * error
            )
    source = {
        "default": "stated weakly informative defaults",
        "elicitation": "elicited judgement",
        "table": f"the published table {spec.table}",
    }[spec.kind]
    if spec.source:
        source += f" ({spec.source})"
    return AdditivePrior(space.shape, space.status_quo, level_mean, level_sd, mean, sd, source=source)


def _rebased(scenario: Scenario, ratifier: Ratifier, spec: Prior) -> dict[tuple[str, str], tuple[float, float]]:
    """A published table's effects against each issue's status quo option, with their standard
    errors; ScenarioError (naming the file's lines) if the table cannot serve."""
    assert spec.table is not None  # the scenario's checks refuse a table prior without its table
    path = scenario.data_path(spec.table)
    names = {
        issue.id: {
            **{text: option.id for option in issue.options for text in _labels(option.label)},
            **{option.id: option.id for option in issue.options},
        }
        for issue in scenario.issues
    }
    effects, problems = read_effects(path, names)
    by_issue: dict[str, dict[str, tuple[float, float]]] = {}
    for effect in effects:
        by_issue.setdefault(effect.feature, {})[effect.option] = (effect.estimate, effect.std_error)
    out = {}
    for issue, rows in by_issue.items():
        own = scenario.status_quo[issue]
        if own in rows:
            reference = rows[own]
        elif spec.estimate == "amce":
            reference = (0.0, 0.0)  # the AMCEs' baseline
        else:
            problems.append(
                Problem(
                    f"issue '{issue}'",
                    f"the table gives marginal means for issue '{issue}' but not for the status quo's option '{own}'",
                    "add the status quo option's row: its effects are measured against it",
                )
            )
            continue
        for option, (estimate, error) in rows.items():
            if option != own:
                out[issue, option] = (estimate - reference[0], float(np.hypot(error, reference[1])))
    if problems:
        raise ScenarioError(problems, source=path)
    return out


def _labels(label: object) -> list[str]:
    if isinstance(label, dict):
        return [text for text in label.values() if isinstance(text, str)]
    return [label] if isinstance(label, str) else []

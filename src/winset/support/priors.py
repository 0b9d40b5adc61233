"""A scenario's prior for a public without a survey, as the additive model's normal priors.

The effects in support points (an elicitation on the points scale, a published table) are put on
the logit scale at one support level, the *base*: the support the prior gives the status quo
(``status_quo``'s central value) where it says, else 50%. It never depends on the polls, so that
the prior is the same whichever poll comes first. An elicited ``[central, low, high]`` is a central
value and a 90% range; a published ``estimate`` and ``std_error`` are a normal (its 90% range:
estimate +- 1.645 standard errors), re-based on the status quo's options
(:func:`winset.scenario.published.rebased`). Whatever the prior does not name keeps the stated
defaults (:data:`~winset.support.additive.DEFAULT_EFFECT_SD`).
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, logit

from ..defaults import Z90
from ..errors import ScenarioError
from ..scenario import Prior, Ratifier, Scenario
from ..scenario.published import read_effects, rebased
from .additive import DEFAULT_EFFECT_SD, DEFAULT_LEVEL_SD, AdditivePrior, points_to_logit


def additive_prior(scenario: Scenario, ratifier: Ratifier) -> AdditivePrior:
    """The ratifier's prior (its ``prior`` table, or the stated defaults), on the logit scale."""
    spec = ratifier.prior or Prior()
    space = scenario.space
    offsets = np.cumsum((0, *space.shape[:-1]))
    mean, sd = np.zeros(sum(space.shape)), np.full(sum(space.shape), DEFAULT_EFFECT_SD)
    points = spec.scale == "points"
    if spec.status_quo is not None:
        central, low, high = spec.status_quo
        base = central if points else float(expit(central))
        if points:
            level_mean, level_sd = float(logit(central)), (float(logit(high)) - float(logit(low))) / (2 * Z90)
        else:
            level_mean, level_sd = central, (high - low) / (2 * Z90)
    else:  # the level is learned from the polls; effects in points are read at 50%
        base, level_mean, level_sd = 0.5, 0.0, DEFAULT_LEVEL_SD

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
        for (issue, option), (estimate, error) in _rebased(scenario, spec, base).items():
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


def _rebased(scenario: Scenario, spec: Prior, base: float) -> dict[tuple[str, str], tuple[float, float]]:
    """A published table's effects against each issue's status quo option, with their standard
    errors; ScenarioError (naming the file's lines) if the table cannot serve."""
    assert spec.table is not None  # the scenario's checks refuse a table prior without its table
    path = scenario.data_path(spec.table)
    effects, problems = read_effects(path, scenario.option_names())
    out, more = rebased(effects, scenario.status_quo, spec.estimate, base)
    if problems or more:
        raise ScenarioError(problems + more, source=path)
    return out

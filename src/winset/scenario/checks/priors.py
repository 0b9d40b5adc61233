"""A ratifier's prior (for a public without a survey): a kind that has what it needs, ranges that
are [central, low, high], effects of options that exist (and are not the status quo's own), and a
published table that can be read."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ... import files
from ...errors import ScenarioError
from ..published import read_effects, rebased
from .common import Checks, Loc, is_number, table_at, table_list

MAX_LOGIT = 20.0  # beyond it support is 0 or 1 to nine decimals
MIN_WIDTH = 0.01  # a 90% range narrower than this (logit, or a tenth of it in points) says "known exactly"


def prior(check: Checks, loc: Loc, ratifier: Mapping[str, Any]) -> None:
    spec = ratifier.get("prior")
    if not isinstance(spec, Mapping):
        return
    where = (*loc, "prior")
    if isinstance(table_at(ratifier, "data").get("survey"), str):
        check.add(
            where,
            "a prior is for a public without a survey: a survey's model learns the options' effects itself",
            "remove the prior, or the survey",
        )
        return
    kind, scale = spec.get("kind", "default"), spec.get("scale", "points")
    if kind == "default" and ("status_quo" in spec or spec.get("options")):
        check.add(
            where,
            'a prior of kind "default" takes no values: it is the stated defaults',
            'write kind = "elicitation" to use the values given',
        )
    if kind != "elicitation" and spec.get("options"):
        check.add((*where, "options"), 'elicited effects need kind = "elicitation"', 'write kind = "elicitation"')
    if kind == "elicitation" and not spec.get("options") and "status_quo" not in spec:
        check.add(
            where,
            "an elicitation with no values",
            "give status_quo = [central, low, high] (support for the status quo) and effects under options",
        )
    if kind == "table" and not isinstance(spec.get("table"), str):
        check.add(where, 'a prior of kind "table" needs its table', 'write table = "effects.csv"')
    if kind != "table" and "table" in spec:
        check.add((*where, "table"), 'a published table needs kind = "table"', 'write kind = "table"')
    base = _base(spec, scale) if "status_quo" in spec else 0.5
    if "status_quo" in spec:
        _range(check, (*where, "status_quo"), spec["status_quo"], scale, None)
    options = spec.get("options")
    for issue, values in options.items() if isinstance(options, Mapping) else ():
        if not check.issue_ref((*where, "options", issue), issue) or not isinstance(values, Mapping):
            continue
        own = (check.status or {}).get(issue)
        for option, value in values.items():
            at = (*where, "options", issue, option)
            if not check.option_ref(at, issue, option):
                continue
            if option == own:
                check.add(
                    at,
                    f"'{option}' is the status quo's option of issue '{issue}': effects are measured against it",
                    "remove it, and give the effects of the issue's other options",
                )
                continue
            _range(check, at, value, scale, base)
    if kind == "table" and isinstance(spec.get("table"), str) and base is not None:
        estimate = spec.get("estimate", "amce")
        _table(check, (*where, "table"), spec["table"], estimate if estimate in ("amce", "mm") else "amce", base)


def _base(spec: Mapping[str, Any], scale: Any) -> float | None:
    """The support that effects in points are measured at: the status quo's central value (a
    logit on the logit scale); None where it cannot be read (reported elsewhere)."""
    value = spec.get("status_quo")
    if not (isinstance(value, list) and len(value) == 3 and is_number(value[0]) and math.isfinite(value[0])):
        return None
    if scale != "points":
        return 1 / (1 + math.exp(-value[0])) if abs(value[0]) <= MAX_LOGIT else None
    return float(value[0]) if 0 < value[0] < 1 else None


def _range(check: Checks, loc: Loc, value: Any, scale: Any, base: float | None) -> None:
    """``[central, low, high]``: ordered, and (in points) support that can be."""
    if not (isinstance(value, list) and len(value) == 3 and all(is_number(v) and math.isfinite(v) for v in value)):
        return  # the structural validation reports it
    central, low, high = value
    if not (low <= central <= high and low < high):
        check.add(
            loc,
            f"{value} is not [central, low, high] with low <= central <= high and low < high",
            "write the central value first, then the low and high ends of a 90% range",
        )
        return
    if scale != "points":
        if max(abs(low), abs(high)) > MAX_LOGIT or high - low < MIN_WIDTH:
            check.add(
                loc,
                f"{value} on the logit scale is beyond +-{MAX_LOGIT:g} or narrower than {MIN_WIDTH:g}: it says "
                "support is certain, or known exactly",
                "write logits within +-20 and a range that says how unsure the judgement is",
            )
        return
    if high - low < MIN_WIDTH / 10:
        check.add(loc, f"the range {value} is narrower than 0.1 points", "give a range that says how unsure you are")
        return
    if base is None and loc[-1] == "status_quo":
        base = 0.0  # the status quo's support itself
    if loc[-1] == "status_quo" and not (low > 0 and high < 1):
        check.add(loc, f"support {value} is not between 0 and 1", "write support as a fraction: 0.35 for 35%")
    elif loc[-1] != "status_quo" and base is not None and not (base + low > 0 and base + high < 1):
        check.add(
            loc,
            f"the effect {value} takes support outside 0 to 1 from the status quo's {base:g}",
            "write effects in points as fractions (0.05 for 5 points), within what support can be",
        )


def _table(check: Checks, loc: Loc, relative: str, estimate: str, base: float) -> None:
    path = check.base_dir / relative
    try:
        if files.kind(path, ScenarioError) != "file":
            check.add(loc, f"'{relative}' is not a file", "name the published table (a CSV file)")
            return
        effects, problems = read_effects(path, option_names(check))
        if check.status is not None:
            problems += rebased(effects, check.status, estimate, base)[1]
    except ScenarioError as error:
        problems = error.problems
    for problem in problems:
        check.add(loc, f"{relative}, {problem.location}: {problem.message}", problem.fix)


def option_names(check: Checks) -> dict[str, dict[str, str]]:
    """Each issue's options by id and by label in every language -> option id."""
    out: dict[str, dict[str, str]] = {}
    for _, issue in table_list(check.doc, "issues"):
        if not isinstance(issue.get("id"), str):
            continue
        names = out.setdefault(issue["id"], {})
        for _, option in table_list(issue, "options"):
            if not isinstance(option.get("id"), str):
                continue
            label = option.get("label")
            labels = label.values() if isinstance(label, Mapping) else [label]
            names.update({text: option["id"] for text in labels if isinstance(text, str)})
            names[option["id"]] = option["id"]
    return out

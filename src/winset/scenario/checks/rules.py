"""A ratifier's rule and groups: a rule that counts groups needs the ratifier's ``groups`` and a
survey to read them from; the groups a rule and its blocs name must be the ratifier's; a chamber's
seats must add up to the seats it states and its blocs must be able to carry it; a double
majority cannot need more groups than it counts; population shares name known groups and sum to 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from ...errors import did_you_mean, known_list
from .common import Checks, Loc, is_number, table_at, table_list

GROUP_KINDS = ("every_group", "double_majority", "chamber")


def rule(check: Checks, loc: Loc, ratifier: Mapping[str, Any]) -> None:
    """Every cross-reference of one ratifier's rule and groups (see the module text)."""
    spec = ratifier.get("rule")
    if not isinstance(spec, Mapping):
        return
    steps: list[tuple[int | None, Mapping[str, Any]]] = (
        list(table_list(spec, "steps")) if spec.get("kind") == "steps" else [(None, spec)]
    )
    groups = table_at(ratifier, "groups")
    named = [str(g) for g in table_at(groups, "values")]  # empty: the groups are the data's values
    counting = [(i, s) for i, s in steps if s.get("kind") in GROUP_KINDS]
    if counting and "groups" not in ratifier:
        i, step = counting[0]
        check.add(
            _at(loc, i, "kind"),
            f"a rule of kind '{step.get('kind')}' counts groups, but the ratifier has no [groups]",
            'add [parties.ratifiers.groups] with the survey column that splits the public (covariate = "region")',
        )
    if "groups" in ratifier and "survey" not in table_at(ratifier, "data"):
        check.add(
            (*loc, "groups"),
            "groups are read from a survey's respondents, and this ratifier has no survey",
            "add data.survey with the group covariate, or remove [groups] and use a share of the whole public",
        )
    for i, step in counting:
        if named:
            for k, name in enumerate(step.get("groups", []) if isinstance(step.get("groups"), list) else []):
                _known(check, _at(loc, i, "groups", k), name, named)
        if step.get("kind") == "double_majority":
            needed, listed = step.get("groups_needed"), step.get("groups") or named
            if isinstance(needed, int) and listed and needed > len(listed):
                check.add(
                    _at(loc, i, "groups_needed"),
                    f"it needs {needed} groups, but counts only {len(listed)}",
                    f"give groups_needed from 1 to {len(listed)}",
                )
        if step.get("kind") == "chamber":
            _chamber(check, loc, i, step, named)
    for name, values in table_at(groups, "values").items():
        bounds = (values.get("min"), values.get("max")) if isinstance(values, Mapping) else (None, None)
        if is_number(bounds[0]) and is_number(bounds[1]) and bounds[0] > bounds[1]:
            check.add(
                (*loc, "groups", "values", name),
                f"the range runs from min to max, and min {bounds[0]:g} is above max {bounds[1]:g}",
                f"write {{ min = {bounds[1]:g}, max = {bounds[0]:g} }}",
            )
    shares = table_at(groups, "shares")
    if named:
        for name in shares:
            _known(check, (*loc, "groups", "shares", name), name, named)
    values = [v for v in shares.values() if is_number(v)]
    complete = values and len(values) == len(shares) and (not named or len(shares) == len(named))
    if complete and abs(sum(values) - 1) > 1e-6:
        check.add((*loc, "groups", "shares"), f"the shares sum to {sum(values):.4f}, not 1", "make them sum to 1")


def _chamber(check: Checks, loc: Loc, i: int | None, step: Mapping[str, Any], named: list[str]) -> None:
    blocs = table_list(step, "blocs")
    check.unique_ids(_at(loc, i, "blocs"), blocs, "bloc")
    for k, bloc in blocs:
        if named and isinstance(bloc.get("group"), str):
            _known(check, _at(loc, i, "blocs", k, "group"), bloc["group"], named)
    seats = [b["seats"] for _, b in blocs if isinstance(b.get("seats"), int) and b["seats"] > 0]
    if len(seats) != len(blocs):
        return
    total = sum(seats)
    stated = step.get("seats")
    if isinstance(stated, int) and stated != total:
        check.add(
            _at(loc, i, "seats"),
            f"the blocs' seats add up to {total}, not the chamber's {stated}",
            "give every bloc its seats (a bloc for independents too), or correct the chamber's seats",
        )
    try:
        share = Fraction(str(step.get("threshold")))
    except (ValueError, ZeroDivisionError):
        return
    defects = [b.get("defect", 0.0) for _, b in blocs]
    if not all(is_number(d) for d in defects):
        return
    most = sum(s * (1 - d) for s, d in zip(seats, defects, strict=True))
    if 0 < share <= 1 and float(share) * total > most + 1e-9:
        check.add(
            _at(loc, i, "threshold"),
            f"it needs {float(share) * total:g} of {total} seats, but its blocs cast at most {most:g} yes votes",
            "lower the threshold, or the blocs' defect shares",
        )


def _known(check: Checks, loc: Loc, name: Any, named: list[str]) -> None:
    if name not in named:
        check.add(
            loc,
            f"'{name}' is not one of the ratifier's groups{did_you_mean(str(name), named)}",
            f"use {known_list(named)}",
        )


def _at(loc: Loc, step: int | None, *rest: Any) -> Loc:
    """Where a key of the rule (or of one of its steps) is."""
    return (*loc, "rule", *(("steps", step) if step is not None else ()), *rest)

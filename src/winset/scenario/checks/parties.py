"""The negotiating parties of a scenario document: unique ids, labels, each negotiator's utility
(weights and scores of existing issues and options, on a scale floating point can add up) and
reservation value (one some package can reach), and each party's ratifiers, whose data files and
support models :mod:`.references`, :mod:`.support_models` and :mod:`.priors` check.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ...compare import reservation_floor
from ...errors import known_list
from . import priors, references, rules, support_models
from .common import Checks, Loc, is_number, item_id, table_at, table_list


def parties(check: Checks) -> None:
    """Parties and their ratifiers: unique ids, labels, utilities, data and support models."""
    parties = table_list(check.doc, "parties")
    check.unique_ids(("parties",), parties, "party")
    ratifier_ids: list[tuple[Loc, str]] = []
    for i, party in parties:
        check.label(("parties", i, "label"), party.get("label"))
        utility(check, i, party)
        for j, ratifier in table_list(party, "ratifiers"):
            loc = ("parties", i, "ratifiers", j)
            if name := item_id(ratifier):
                ratifier_ids.append(((*loc, "id"), name))
            check.label((*loc, "label"), ratifier.get("label"))
            references.data_files(
                check, (*loc, "data"), table_at(ratifier, "data"), "data" in ratifier, "prior" in ratifier
            )
            support_models.support_model(check, loc, ratifier)
            rules.rule(check, loc, ratifier)
            priors.prior(check, loc, ratifier)
    check.duplicates(ratifier_ids, "ratifier")


def utility(check: Checks, i: int, party: Mapping[str, Any]) -> None:
    """A negotiator's weights and scores refer to existing issues and options, score every option of a weighted issue, and weight some issue above 0."""
    utility = table_at(party, "utility")
    weights = table_at(utility, "weights")
    scores = table_at(utility, "scores")
    loc = ("parties", i, "utility")
    for issue in weights:
        check.issue_ref((*loc, "weights", issue), issue)
    for issue, table in scores.items():
        if not check.issue_ref((*loc, "scores", issue), issue) or not isinstance(table, Mapping):
            continue
        for option in table:
            check.option_ref((*loc, "scores", issue, option), issue, option)
        if issue not in weights and weights:
            check.add(
                (*loc, "scores", issue),
                f"issue '{issue}' has scores but no weight",
                f"add {issue} = <weight> to [parties.utility.weights], or remove its scores",
            )
    for issue, weight in weights.items():
        if issue not in check.options or not is_number(weight) or weight <= 0:
            continue
        table = scores.get(issue)
        scored = table if isinstance(table, Mapping) else {}
        missing = [o for o in check.options[issue] if o not in scored]
        if missing:
            check.add(
                (*loc, "scores", issue),
                f"issue '{issue}' has weight {weight} but no score for option {known_list(missing)}",
                "score every option of an issue that has a weight (0 for the worst is fine)",
            )
    numeric = [w for w in weights.values() if is_number(w)]
    if weights and len(numeric) == len(weights) and not any(w > 0 for w in numeric):
        check.add(
            (*loc, "weights"),
            "every weight is 0: the negotiator would be indifferent between all packages",
            "give a positive weight to at least one issue the party cares about",
        )
    utility_scale(check, loc, weights, scores)
    reservation(check, i, party, weights, scores)


def utility_scale(check: Checks, loc: Loc, weights: Mapping, scores: Mapping) -> None:
    """Utilities must add up in floating point, and no weighted issue may be so small beside
    the others that it counts for nothing (winset keeps utilities to 2^-40 of their scale)."""
    parts = {}
    for issue, weight in weights.items():
        table = scores.get(issue)
        values = [v for v in table.values() if is_number(v)] if isinstance(table, Mapping) else []
        if is_number(weight) and weight > 0 and values:
            with np.errstate(over="ignore"):
                parts[issue] = float(np.float64(weight) * max(abs(float(v)) for v in values))
    if not parts:
        return
    with np.errstate(over="ignore"):
        total = float(np.sum(list(parts.values())))
    if not np.isfinite(total):
        check.add(
            (*loc, "weights"),
            "weights times scores are too large to add up in floating point",
            "rescale the weights or the scores (only their ratios matter): e.g. weights that sum to 1",
        )
        return
    small = [issue for issue, part in parts.items() if 0 < part < total * 1e-9]
    for issue in small:
        check.add(
            (*loc, "weights", issue),
            f"issue '{issue}' counts for less than a billionth of the utility ({parts[issue]:.3g} beside a "
            f"total of {total:.3g}), below the precision winset keeps",
            "give the issue a weight in proportion to the others, or weight it 0",
        )


def reservation(check: Checks, i: int, party: Mapping[str, Any], weights: Mapping, scores: Mapping) -> None:
    """A reservation above the best utility the party can get leaves no deal possible."""
    reservation = party.get("reservation")
    if not is_number(reservation):
        return
    best, scale = 0.0, 0.0
    for issue, weight in weights.items():
        if weight == 0:
            continue  # an issue the party does not care about needs no scores
        table = scores.get(issue)
        values = [v for v in table.values() if is_number(v)] if isinstance(table, Mapping) else []
        if not is_number(weight) or not values:
            return
        best += weight * max(values)
        scale += abs(weight) * max(abs(v) for v in values)
    if best < reservation_floor(reservation, scale):  # the engine's test: a tie reaches it
        check.add(
            ("parties", i, "reservation"),
            f"reservation {reservation} is above the best utility any package gives this party ({best:g})",
            'lower the reservation value, or use reservation = "status_quo"',
        )

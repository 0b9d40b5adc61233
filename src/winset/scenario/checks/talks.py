"""The ``[talks]`` table of a scenario document: scripted opinion events (of existing ratifiers,
at a round or a date within the talks), the linkage experiment's issue (a new id; utilities and
support of existing parties and ratifiers) and the ban experiment's issues (existing, each once).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeGuard

from ...errors import did_you_mean, known_list
from .common import Checks, ids, is_number, item_id, table_at, table_list


def talks(check: Checks) -> None:
    """Events, the linked issue and the ban refer to what exists, and events fall within the talks."""
    talks = table_at(check.doc, "talks")
    ratifiers = [name for _, party in table_list(check.doc, "parties") for name in ids(table_list(party, "ratifiers"))]
    rounds = talks.get("rounds", 40)
    for i, event in table_list(talks, "events"):
        loc = ("talks", "events", i)
        check.label((*loc, "label"), event.get("label"))
        ratifier = event.get("ratifier")
        if isinstance(ratifier, str) and ratifier not in ratifiers:
            check.add(
                (*loc, "ratifier"),
                f"unknown ratifier '{ratifier}'" + did_you_mean(ratifier, ratifiers),
                f"use the id of a ratifier of one of the parties ({known_list(ratifiers)})",
            )
        has_round, has_date = "round" in event, "date" in event
        if has_round == has_date:
            check.add(
                loc,
                "an event needs a round or a date (one of them)"
                if not has_round
                else "an event has both a round and a date",
                "give round = N (counted from the start of the talks) or date = YYYY-MM-DD",
            )
        elif has_date and "start" not in talks:
            check.add(
                (*loc, "date"),
                "an event is dated but the talks have no start date to count rounds from",
                "add start = YYYY-MM-DD (and days_per_round) to [talks], or give the event a round",
            )
        when = event.get("round")
        if is_number(when) and is_number(rounds) and when > rounds:
            check.add(
                (*loc, "round"),
                f"round {when} is after the last round of the talks ({rounds})",
                "give a round within the talks, or raise talks.rounds",
            )
        start, date = talks.get("start"), event.get("date")
        if _is_date(start) and _is_date(date):
            days = talks.get("days_per_round", 30)
            if date < start:
                check.add(
                    (*loc, "date"),
                    f"{date} is before the talks start ({start})",
                    "give a date on or after talks.start",
                )
            elif is_number(days) and days > 0 and is_number(rounds) and (date - start).days / days > rounds:
                check.add(
                    (*loc, "date"),
                    f"{date} is after the last round of the talks ({rounds} rounds of {days} days from {start})",
                    "give a date within the talks, or raise talks.rounds",
                )
    linkage(check, table_at(talks, "linkage"), ratifiers)
    ban = table_at(talks, "ban")
    check.label(("talks", "ban", "label"), ban.get("label"))
    banned = ban.get("issues", []) if isinstance(ban.get("issues"), list) else []
    for i, issue in enumerate(banned):
        if isinstance(issue, str):
            check.issue_ref(("talks", "ban", "issues", i), issue)
            if issue in banned[:i]:
                check.add(("talks", "ban", "issues", i), f"issue '{issue}' is banned twice", "list each issue once")


def linkage(check: Checks, linkage: Mapping[str, Any], ratifiers: list[str]) -> None:
    """The linked issue has a new id, unique option ids, labels, and utilities and support for existing parties and ratifiers."""
    loc = ("talks", "linkage")
    check.label((*loc, "label"), linkage.get("label"))
    if item_id(linkage) in check.options:
        check.add(
            (*loc, "id"), f"'{item_id(linkage)}' is already an issue of the scenario", "give the linked issue a new id"
        )
    parties = ids(table_list(check.doc, "parties"))
    options = table_list(linkage, "options")
    check.unique_ids((*loc, "options"), options, "option")
    for i, option in options:
        check.label((*loc, "options", i, "label"), option.get("label"))
        for key, known, what in (("utility", parties, "party"), ("support", ratifiers, "ratifier")):
            for name in table_at(option, key):
                if name not in known:
                    check.add(
                        (*loc, "options", i, key, name),
                        f"unknown {what} '{name}'" + did_you_mean(name, known),
                        f"use the id of a {what} of the scenario ({known_list(known)})",
                    )


def _is_date(value: Any) -> TypeGuard[datetime.date]:
    """A TOML date (a date-time is not one: the structural check reports it)."""
    return isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)

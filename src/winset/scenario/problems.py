"""Problems of a scenario document in plain words: pydantic's validation errors turned into
problems with a location and a fix, how a location is written (``issues[2].options[1].id``), and
the order of the file that problems are reported in."""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import Problem, did_you_mean, known_list

# What a list's item is called in messages: parties[1] is a "party".
ITEM_NAMES = {
    "issues": "issue",
    "options": "option",
    "constraints": "constraint",
    "parties": "party",
    "ratifiers": "ratifier",
    "proposals": "proposal",
    "blocs": "bloc",
}

# How to add a required key that is missing, by key name.
MISSING_FIXES = {
    "status_quo": 'add a [status_quo] table that names one option per issue, e.g. treaty = "none"',
    "ratifiers": (
        "add at least one [[parties.ratifiers]] table: the public or veto player whose consent this party needs"
    ),
    "issues": "add at least one [[issues]] table with an id and [[issues.options]]",
    "options": "add at least one [[issues.options]] table with an id",
    "parties": "add at least one [[parties]] table",
    "rule": "add a rule, e.g. rule = { threshold = 0.5 } for a majority",
    "data": 'add a data table, e.g. data = { survey = "survey.csv" }, with paths relative to the scenario file',
    "utility": "add [parties.utility.weights] and [parties.utility.scores] tables",
    "threshold": "add threshold = 0.5 (a share between 0 and 1; 0.5 for a majority)",
    "scenario": 'add a [scenario] table with id = "..." and title = "..."',
    "title": 'add title = "..." (or a table of titles by language)',
    "id": 'add id = "..." (letters, digits, "_" and "-")',
    "package": 'add package = "issue=option,..." (issues left out keep their status-quo option)',
    "reason": 'add reason = "..." saying why the combination cannot be part of a package',
    "forbid": 'add forbid = { issue = "option", other_issue = ["option", ...] }',
}

TYPE_WORDS = {
    "float_type": "a number",
    "int_type": "a whole number",
    "string_type": "a text in quotes",
    "bool_type": "true or false",
    "list_type": "a list in [brackets]",
    "dict_type": "a table",
    "model_type": "a table",
    "model_attributes_type": "a table",
}


def pydantic_problems(error: ValidationError, document: Mapping[str, Any], root: type[BaseModel]) -> list[Problem]:
    """One Problem per pydantic error of validating ``document`` as ``root`` (the scenario
    model), located by path (``issues[2].options[1].id``)."""
    return [_problem(e, document, root) for e in error.errors(include_url=False)]


def file_order(document: Mapping[str, Any]) -> Callable[[Problem], tuple[int, ...]]:
    """Sort key that puts problems in the order of the file: keys in the order they were written,
    list items by index, keys the file lacks after those it has."""

    def key(problem: Problem) -> tuple[int, ...]:
        ranks = []
        node: Any = document
        for index, name in re.findall(r"\[(\d+)\]|([^.\[\]]+)", problem.location):
            if index:
                ranks.append(int(index))
                node = node[int(index)] if isinstance(node, list) and int(index) < len(node) else None
            else:
                keys = list(node) if isinstance(node, Mapping) else []
                ranks.append(keys.index(name) if name in keys else len(keys))
                node = node.get(name) if isinstance(node, Mapping) else None
        return tuple(ranks)

    return key


def format_location(loc: Sequence[str | int]) -> str:
    """``('issues', 2, 'options', 1, 'id')`` -> ``issues[2].options[1].id``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            key = part if part.replace("_", "").replace("-", "").isalnum() else f'"{part}"'
            out += f".{key}" if out else key
    return out


def context(document: Any, loc: Sequence[str | int]) -> str:
    """Name the items on the path, e.g. ``in party 'russia', ratifier 'public'``, to say where an
    index points; empty if no item on the path has an id."""
    names = []
    node = document
    for i, part in enumerate(loc):
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(part, int) and isinstance(node, Mapping) and isinstance(node.get("id"), str) and i > 0:
            names.append(f"{ITEM_NAMES.get(str(loc[i - 1]), 'item')} '{node['id']}'")
    return f"in {', '.join(names)}: " if names else ""


RULE_TAGS = ("support_share", "every_group", "double_majority", "chamber", "steps")


def _untagged(loc: Sequence[str | int]) -> tuple[str | int, ...]:
    """A location without the names pydantic gives the kinds of a rule (``rule.chamber.seats``
    is ``rule.seats`` in the file)."""
    return tuple(
        part
        for i, part in enumerate(loc)
        if not (
            part in RULE_TAGS and i and (loc[i - 1] == "rule" or (isinstance(loc[i - 1], int) and "steps" in loc[:i]))
        )
    )


def _problem(error: Any, document: Mapping[str, Any], root: type[BaseModel]) -> Problem:
    loc = _untagged(error["loc"])
    kind = error["type"]
    value = error.get("input")
    where = context(document, loc)
    ctx = error.get("ctx") or {}
    key = loc[-1] if loc else ""
    if kind == "missing" and key == "ratifiers":
        return _too_short(loc, where, "ratifiers")
    if kind == "missing":
        return Problem(
            format_location(loc),
            f"{where}missing required key '{key}'",
            MISSING_FIXES.get(str(key), f"add '{key}' here"),
        )
    if kind == "extra_forbidden":
        known = list(_model_at(tuple(error["loc"])[:-1], root).model_fields)
        return Problem(
            format_location(loc),
            f"{where}unknown key '{key}'{did_you_mean(str(key), known)}",
            f"remove it or use one of the keys allowed here: {known_list(known)}",
        )
    if kind in TYPE_WORDS:
        fix = f"write {TYPE_WORDS[kind]} here"
        if kind in ("float_type", "int_type") and isinstance(value, str) and _is_numeric(value):
            fix = f"remove the quotes: {value.strip()}"
        return Problem(format_location(loc), f"{where}must be {TYPE_WORDS[kind]}, got {_show(value)}", fix)
    if kind == "finite_number":
        return Problem(
            format_location(loc), f"{where}must be a finite number, got {_show(value)}", "write an ordinary number"
        )
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        return Problem(format_location(loc), f"{where}{_range_message(loc, kind, ctx, value)}", _range_fix(loc, value))
    if kind in ("too_short", "too_long") and "prior" in loc and (loc[-1] == "status_quo" or "options" in loc):
        return Problem(
            format_location(loc),
            f"{where}{_show(value)} is not [central, low, high]: it needs exactly 3 numbers",
            "write the central value, then the low and high ends of a 90% range, e.g. [0.4, 0.3, 0.5]",
        )
    if kind == "too_short":
        return _too_short(loc, where, str(loc[-1]) if loc else "")
    if kind == "string_too_short":
        return Problem(format_location(loc), f"{where}must not be empty", "write some text here")
    if kind == "string_pattern_mismatch":
        if "languages" in loc or (len(loc) >= 2 and loc[-2] in ("label", "title")):
            return Problem(
                format_location(loc),
                f"{where}{_show(value)} is not a language code",
                "use a code like 'en', 'ru', 'ja' or 'pt-BR'",
            )
        return Problem(
            format_location(loc),
            f"{where}{_show(value)} is not a valid id",
            "use letters, digits, '_' and '-' only, starting with a letter or digit (e.g. 'peace_treaty')",
        )
    if kind == "rule_kind":
        return _rule_kind(loc, where, value)
    if kind == "literal_error":
        expected = ctx.get("expected", "")
        return Problem(
            format_location(loc),
            f"{where}must be {expected}, got {_show(value)}",
            f"write {expected}",
        )
    # our own messages (labels, reservation) and anything else pydantic may say
    return Problem(format_location(loc), f"{where}{error['msg'][0].lower()}{error['msg'][1:]}", _custom_fix(kind))


def _rule_kind(loc: tuple, where: str, value: Any) -> Problem:
    """A rule of no known kind: the kind given, the closest known one, the kinds allowed there
    (a step of ``steps`` cannot itself be ``steps``)."""
    inside = "steps" in loc
    kinds = [k for k in RULE_TAGS if not (inside and k == "steps")]
    given = value.get("kind") if isinstance(value, Mapping) else None
    if inside and given == "steps":
        message = "a step cannot itself be steps: list every step in the one rule"
    elif isinstance(given, str):
        message = f"unknown rule kind '{given}'{did_you_mean(given, kinds)}"
    else:
        message = 'must be a rule, a table such as { threshold = 0.5 } or { kind = "chamber", ... }'
    return Problem(
        format_location((*loc, "kind") if given is not None else loc),
        f"{where}{message}",
        f"use kind = one of {known_list(kinds)}",
    )


def _custom_fix(kind: str) -> str:
    if kind == "reservation":
        return 'write a number (the negotiator\'s walk-away utility) or "status_quo"'
    if kind == "label":
        return 'write label = "..." or label = { en = "...", ru = "...", ja = "..." }'
    if kind == "date":
        return "write the date alone, without a time of day: date = 2020-07-01"
    if kind == "seat_share":
        return 'write the share of the seats the chamber needs: threshold = "2/3", or a number such as 0.6'
    if kind == "group_values":
        return 'write values = { left = ["1", "2"] } or values = { left = { min = 0, max = 4 } }'

    return "see the scenario format in the README"


def _range_message(loc: tuple, kind: str, ctx: dict, value: Any) -> str:
    if loc and loc[-1] == "threshold":
        return f"threshold must be above 0 and at most 1, got {_show(value)}"
    bound = next(iter(ctx.values()), "")
    bound = f"{bound:g}" if isinstance(bound, (int, float)) else bound
    words = {
        "greater_than_equal": "at least",
        "greater_than": "above",
        "less_than_equal": "at most",
        "less_than": "below",
    }[kind]
    if "weights" in loc:
        return f"weight must be {words} {bound}, got {_show(value)}"
    return f"must be {words} {bound}, got {_show(value)}"


def _range_fix(loc: tuple, value: Any) -> str:
    if loc and loc[-1] == "threshold":
        if isinstance(value, (int, float)) and 1 < value <= 100:
            return f"write shares as fractions: {value / 100:g} for {value:g}%"
        return "write the share of support needed as a number in (0, 1], e.g. 0.5 for a majority"
    if "weights" in loc:
        return "weights say how much an issue matters: use 0 for an issue the party does not care about, more for more"
    return "write a number in the allowed range"


def _too_short(loc: tuple, where: str, key: str) -> Problem:
    if key == "ratifiers":
        return Problem(
            format_location(loc),
            f"{where}no ratifier: a deal needs someone to ratify it at home",
            MISSING_FIXES["ratifiers"],
        )
    if key == "forbid":
        return Problem(
            format_location(loc),
            f"{where}forbid names no issue",
            'name the issues and options to forbid, e.g. forbid = { habomai = "japan", treaty = "none" }',
        )
    return Problem(
        format_location(loc),
        f"{where}'{key}' must not be empty",
        MISSING_FIXES.get(key, f"give at least one item in '{key}'"),
    )


def _is_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _show(value: Any) -> str:
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def _model_at(loc: Sequence[str | int], root: type[BaseModel]) -> type[BaseModel]:
    """The model class that validates the table at ``loc`` in ``root`` (to list the keys allowed
    there)."""
    annotation: Any = root
    for part in loc:
        member = _tagged(annotation, part)
        if member is not None:  # a union's member, named by its tag (a rule's kind)
            annotation = member
            continue
        annotation = _strip(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if isinstance(part, str) and part in annotation.model_fields:
                annotation = annotation.model_fields[part].annotation
        elif typing.get_origin(annotation) in (list, dict):
            annotation = typing.get_args(annotation)[-1]
    annotation = _strip(annotation)
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else root


def _tagged(annotation: Any, part: str | int) -> type[BaseModel] | None:
    """The member of a tagged union (as the rule kinds are) whose ``kind`` is ``part``, if
    ``annotation`` is such a union."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if not isinstance(part, str) or typing.get_origin(annotation) not in (typing.Union, types.UnionType):
        return None
    for option in typing.get_args(annotation):
        model = option
        while typing.get_origin(model) is typing.Annotated:
            model = typing.get_args(model)[0]
        fields = model.model_fields if isinstance(model, type) and issubclass(model, BaseModel) else {}
        if "kind" in fields and part in typing.get_args(fields["kind"].annotation):
            return model
    return None


def _strip(annotation: Any) -> Any:
    """Remove Annotated[...] and Optional[...] wrappers."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
            annotation = models[0] if models else args[0]
        else:
            return annotation

"""Reading TOML (scenario and design files): at most 10 MB, syntax errors located by line and
column, and nesting bounded before and after parsing (:mod:`tomllib` recurses, so a few thousand
``[`` would exhaust the stack).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from ..errors import Problem, WinsetError
from .opening import MB, Error, advance, read_text

TOML_BYTES = 10 * MB
MAX_NESTING = 64


def read_toml(path: str | Path, error: Error = WinsetError) -> dict[str, Any]:
    """A TOML file (at most 10 MB, nested at most 64 deep) as a dictionary."""
    return parse_toml(read_text(path, TOML_BYTES, error), source=path, error=error)


def parse_toml(text: str, source: str | Path | None = None, error: Error = WinsetError) -> dict[str, Any]:
    """Parse TOML text; syntax errors and deep nesting are problems located by line and column
    (or, for nested tables, by key path)."""
    deep = _bracket_depth_problem(text)
    if deep is not None:
        raise error([deep], source=source)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as failure:
        raise error([_syntax_problem(str(failure), text)], source=source) from None
    deep = _table_depth_problem(document)
    if deep is not None:
        raise error([deep], source=source)
    return document


def _syntax_problem(message: str, text: str) -> Problem:
    match = re.search(r"\(at line (\d+), column (\d+)\)$", message) or re.search(r"\(at end of document\)$", message)
    if not match:
        return Problem("", f"TOML syntax error: {message}", "correct the TOML syntax (see https://toml.io)")
    if match.groups():
        line, column = int(match.group(1)), int(match.group(2))
    else:  # the end of the document: the last line, after its last character
        line, column = advance(1, 1, text)
    lines = text.splitlines()
    shown = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    reason = message[: match.start()].strip()
    return Problem(
        f"line {line}, column {column}",
        f"TOML syntax error: {reason[0].lower()}{reason[1:]}" + (f" in `{shown}`" if shown else ""),
        'correct the TOML syntax here: text in "quotes", key = value, [table] headers closed (see https://toml.io)',
    )


# the characters that matter for nesting, and where each kind of string or comment ends
_SIGNIFICANT = re.compile(r"""[\[\]{}#"']""")
_STRING_ENDS = {
    '"""': re.compile(r'(?:[^"\\]|\\.|"(?!""))*"""(?:"{1,2}(?!"))?', re.DOTALL),
    "'''": re.compile(r"(?:[^']|'(?!''))*'''(?:'{1,2}(?!'))?", re.DOTALL),
    '"': re.compile(r'(?:[^"\\\n]|\\.)*"'),
    "'": re.compile(r"[^'\n]*'"),
}


def _bracket_depth_problem(text: str) -> Problem | None:
    """Where arrays and inline tables first nest deeper than MAX_NESTING, skipping strings and
    comments; None if they never do (or a string is unterminated: the parser says so)."""
    depth, position = 0, 0
    while (found := _SIGNIFICANT.search(text, position)) is not None:
        char, start = found.group(), found.start()
        if char in "[{":
            depth += 1
            if depth > MAX_NESTING:
                line = text.count("\n", 0, start) + 1
                column = start - (text.rfind("\n", 0, start) + 1) + 1
                return Problem(
                    f"line {line}, column {column}",
                    f"arrays and inline tables nest more than {MAX_NESTING} levels deep",
                    "a scenario or design needs a few levels: close the brackets, or remove the nested value",
                )
            position = start + 1
        elif char in "]}":
            depth = max(depth - 1, 0)
            position = start + 1
        elif char == "#":
            end = text.find("\n", start)
            position = len(text) if end < 0 else end + 1
        else:
            opening = char * 3 if text.startswith(char * 3, start) else char
            closed = _STRING_ENDS[opening].match(text, start + len(opening))
            if closed is None:
                return None
            position = closed.end()
    return None


def _table_depth_problem(document: dict[str, Any]) -> Problem | None:
    """Where the parsed tables and lists first nest deeper than MAX_NESTING (by key path)."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(document, ())]
    while stack:
        node, path = stack.pop()
        if len(path) > MAX_NESTING:
            shown = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path[:8]).lstrip(".")
            return Problem(
                f"{shown}...",
                f"tables and lists nest more than {MAX_NESTING} levels deep",
                "a scenario or design needs a few levels: shorten the dotted keys or table headers",
            )
        if isinstance(node, dict):
            stack.extend((value, (*path, key)) for key, value in node.items())
        elif isinstance(node, list):
            stack.extend((value, (*path, i)) for i, value in enumerate(node))
    return None

"""Texts of a scenario hold no control characters: a NUL or an escape written into a TOML string
(``"\\u0000"``) would reach the report's HTML, where such characters are not allowed."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .common import Checks, Loc

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # tab, newline and return are text


def control_characters(check: Checks) -> None:
    """Every string in the document, at any depth."""

    def walk(loc: Loc, value: Any) -> None:
        if isinstance(value, str):
            found = CONTROL.search(value)
            if found:
                check.add(loc, f"text holds the control character U+{ord(found.group()):04X}", "remove it")
        elif isinstance(value, Mapping):
            for key, item in value.items():
                walk((*loc, key), item)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk((*loc, i), item)

    walk((), check.doc)

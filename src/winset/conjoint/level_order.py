"""The order of a feature's levels when nothing gives it: by value where every level is a number,
a range or a threshold ("<75%", "75-95%", "95-105%", ">125%"; "$10", "$1,000"; "18-29", "65+"),
else in natural order (digit runs compared as numbers: "5%" before "15%").

Natural order alone puts "<75%" and ">125%" after the ranges (a sign sorts after a digit), so the
baseline, the first level, would not be the lowest band.
"""

from __future__ import annotations

import re

NUMBER = r"[-−]?\d[\d,]*(?:\.\d+)?\s*(?:k|m|bn)?"
BELOW = r"<=|<|≤|under|below|less than|up to"
ABOVE = r">=|>|≥|over|above|more than|at least"
VALUE = re.compile(
    rf"^(?:(?P<below>{BELOW})|(?P<above>{ABOVE}))?\s*(?P<low>{NUMBER})"
    rf"(?:\s*(?:-|–|—|to)\s*(?P<high>{NUMBER}))?\s*(?P<plus>\+|or more|and over)?$",
    re.IGNORECASE,
)
UNITS = re.compile(r"[$€£¥%]|\b(?:usd|eur|years?|yrs?)\b", re.IGNORECASE)
SCALE = {"k": 1e3, "m": 1e6, "bn": 1e9}


def in_order(levels: list[str]) -> list[str]:
    """``levels`` by value if every one is a number, range or threshold, else in natural order."""
    keys = [value_key(level) for level in levels]
    if levels and all(key is not None for key in keys):
        return [
            level
            for _, level in sorted(zip(keys, levels, strict=True), key=lambda pair: (pair[0], natural_key(pair[1])))
        ]
    return sorted(levels, key=natural_key)


def natural_key(text: str) -> list[tuple[int, int | str]]:
    """Sort key that reads digit runs as numbers: "5%" before "15%", "2" before "10"."""
    return [(0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", text) if part]


def value_key(text: str) -> tuple[float, int, float] | None:
    """Where a level lies on the number line: (its lower end, -1 below a threshold, 0 a value or
    range, 1 above a threshold; its upper end); None for a level that is not a number."""
    found = VALUE.match(UNITS.sub("", text).strip())
    if found is None:
        return None
    low = _number(found["low"])
    high = _number(found["high"]) if found["high"] else low
    side = -1 if found["below"] else 1 if found["above"] or found["plus"] else 0
    return (low, side, high)


def _number(text: str) -> float:
    text = text.replace(",", "").replace("−", "-").replace(" ", "").lower()
    for suffix, scale in SCALE.items():
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * scale
    return float(text)

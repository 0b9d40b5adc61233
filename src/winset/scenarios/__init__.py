"""Scenarios that ship with winset."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from ..errors import Problem, ScenarioError, known_list

BUNDLED = ("kuril", "climate")


def bundled_path(name: str = "kuril") -> Path:
    """Path of a bundled scenario file (``kuril``: the Kuril Islands / Northern Territories;
    ``climate``: a global climate agreement before the US public)."""
    if name not in BUNDLED:
        raise ScenarioError([Problem(name, "no bundled scenario by this name", f"use one of {known_list(BUNDLED)}")])
    return Path(str(files(__name__) / name / "scenario.toml"))

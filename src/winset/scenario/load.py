"""Loading a scenario: find its file (a path, a folder holding ``scenario.toml``, or the name of a
bundled scenario), read the TOML, and validate it, collecting every problem before raising."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .. import files
from ..errors import Problem, ScenarioError, did_you_mean, known_list
from .model import Scenario

SCENARIO_FILE = "scenario.toml"


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file (TOML); a folder means its ``scenario.toml``, and the
    name of a bundled scenario (``kuril``) that scenario, unless a file of that name exists.

    Raises ScenarioError listing every problem, each with its place and a fix.
    """
    from ..scenarios import BUNDLED, bundled_path

    path = Path(path)
    found = files.kind(path, ScenarioError)
    if found == "missing" and str(path) in BUNDLED:
        path, found = bundled_path(str(path)), "file"
    if found == "folder" and files.kind(path / SCENARIO_FILE, ScenarioError) != "missing":
        path, found = path / SCENARIO_FILE, files.kind(path / SCENARIO_FILE, ScenarioError)
    if found == "missing":
        raise ScenarioError(
            [
                Problem(
                    files.shown(path),
                    "no such file" + did_you_mean(str(path), BUNDLED),
                    f"check the path to the scenario file, or name a bundled scenario: {known_list(BUNDLED)}",
                )
            ]
        )
    if found == "folder":
        raise ScenarioError(
            [Problem(files.shown(path), f"is a folder without a {SCENARIO_FILE}", "name the scenario file itself")]
        )
    document = files.read_toml(path, ScenarioError)
    return validate_document(document, base_dir=path.parent.resolve(), source=path)


def parse_toml(text: str, source: str | Path | None = None) -> dict[str, Any]:
    """Parse TOML text; a syntax error or absurdly deep nesting becomes a ScenarioError located
    by line and column."""
    return files.parse_toml(text, source=source, error=ScenarioError)


def validate_document(
    document: Mapping[str, Any], base_dir: str | Path | None = None, source: str | Path | None = None
) -> Scenario:
    """Validate a parsed scenario document; raise ScenarioError with every problem found."""
    return Scenario.from_dict(document, base_dir=base_dir, source=source)

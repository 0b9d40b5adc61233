"""Read a scenario file and validate it, collecting every problem before raising."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .. import files
from ..errors import Problem, ScenarioError, known_list
from .checks import package_problems, reference_problems
from .model import Scenario
from .problems import pydantic_problems

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
                    "no such file",
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
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    problems: list[Problem] = []
    scenario = None
    try:
        scenario = Scenario.model_validate(document)
    except ValidationError as error:
        problems += pydantic_problems(error, document)
    problems += reference_problems(document, base)
    if problems:
        raise ScenarioError(sorted(problems, key=_file_order(document)), source=source)
    assert scenario is not None
    scenario._base_dir = base.resolve()
    scenario._source = Path(source).resolve() if source is not None else None
    problems = package_problems(scenario)
    if problems:
        raise ScenarioError(problems, source=source)
    return scenario


def _file_order(document: Mapping[str, Any]):
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

"""winset: which settlement could every side of a negotiation actually ratify at home?

The names below are imported when first used (PEP 562), so that ``winset --version`` and ``winset
--help`` start without loading the scenario model and its dependencies.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("winset")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"

_EXPORTS = {
    "PackageError": ".errors",
    "Problem": ".errors",
    "ScenarioError": ".errors",
    "WinsetError": ".errors",
    "PackageSpace": ".space",
    "Scenario": ".scenario",
    "load_scenario": ".scenario",
}

if TYPE_CHECKING:
    from .errors import PackageError, Problem, ScenarioError, WinsetError
    from .scenario import Scenario, load_scenario
    from .space import PackageSpace

__all__ = [
    "PackageError",
    "PackageSpace",
    "Problem",
    "Scenario",
    "ScenarioError",
    "WinsetError",
    "__version__",
    "load_scenario",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'winset' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)

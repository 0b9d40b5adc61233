"""winset: which settlement could every side of a negotiation actually ratify at home?"""

from importlib.metadata import PackageNotFoundError, version

from .errors import PackageError, Problem, ScenarioError, WinsetError
from .negotiator import NegotiatorUtility
from .scenario import Scenario, load_scenario
from .space import PackageSpace

try:
    __version__ = version("winset")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"

__all__ = [
    "NegotiatorUtility",
    "PackageError",
    "PackageSpace",
    "Problem",
    "Scenario",
    "ScenarioError",
    "WinsetError",
    "__version__",
    "load_scenario",
]

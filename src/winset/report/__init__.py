"""The whole analysis of a scenario and its report: one self-contained HTML page.

Its parts load when first used: ``winset solve`` needs the documents, not the figures' plotting
library or the page's templates.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .analysis import Analysis, RatificationMap, analyse
    from .html import render
    from .output import write_report

__all__ = ["Analysis", "RatificationMap", "analyse", "render", "write_report"]
_MODULE = {
    "Analysis": "analysis",
    "RatificationMap": "analysis",
    "analyse": "analysis",
    "render": "html",
    "write_report": "output",
}


def __getattr__(name: str) -> Any:
    if name not in _MODULE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_MODULE[name]}", __name__), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})

"""JSON for a ``<script type="application/json">`` element of the report.

Inside a script element the HTML parser ends the element at ``</script`` and, after ``<!--``,
treats a later ``<script`` as opening another, so that the rest of the page becomes script text:
a scenario's label could hide the report after it. JSON written with every ``<`` as ``\\u003c``
(valid JSON, the same value: ``<`` occurs only inside strings) can do neither.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from markupsafe import Markup


def embedded_json(document: Any, default: Callable[[Any], Any] | None = None) -> Markup:
    """``document`` as JSON that a script element holds whole."""
    return Markup(json.dumps(document, ensure_ascii=False, default=default).replace("<", "\\u003c"))

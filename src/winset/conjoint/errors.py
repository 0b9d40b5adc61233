"""The error of conjoint analysis: data, a design or an analysis request that cannot be used as
given, with every problem located (a column, rows by their file lines) and a fix."""

from __future__ import annotations

from ..errors import WinsetError


class ConjointError(WinsetError, ValueError):
    """Conjoint data, a design or an analysis request that cannot be used as given."""

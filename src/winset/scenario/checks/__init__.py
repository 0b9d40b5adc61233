"""Cross-reference checks of a scenario document: names that must exist, ids that must be unique.

They read the raw document (the parsed TOML) and skip any part whose structure is broken, so that
they can run beside the structural validation and every problem in a file is reported at once.
One module per part of the file: :mod:`.packages` (issues, options, status quo, constraints,
proposals, and the built package space), :mod:`.parties` (negotiators and ratifiers),
:mod:`.references` (the data files named), :mod:`.support_models` (covariates, population
margins, calibration targets), :mod:`.priors` (the prior of a public without a survey) and
:mod:`.talks` (events, linkage, ban); :mod:`.common` holds what they share.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ...errors import Problem
from .characters import control_characters
from .common import Checks, languages
from .packages import constraints, issues, package_problems, proposals, status_quo
from .parties import parties
from .talks import talks

__all__ = ["package_problems", "reference_problems"]


def reference_problems(document: Mapping[str, Any], base_dir: Path) -> list[Problem]:
    """Every cross-reference problem in a scenario document, in file order."""
    check = Checks(document, base_dir)
    languages(check)
    issues(check)
    status_quo(check)
    constraints(check)
    parties(check)
    proposals(check)
    talks(check)
    control_characters(check)
    return check.problems

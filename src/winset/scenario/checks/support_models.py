"""What a ratifier's support model is to learn from and match: its covariates and interactions,
the population margins to rake respondents to, and its calibration targets (rows of the polls file
that must exist, lie within the ratifier's polls and imply a support, and packages of the
scenario).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ... import files
from ...errors import ScenarioError, did_you_mean, known_list
from .. import polls
from .common import Checks, Loc, is_number, item_id, table_at, table_list
from .packages import package_text


def support_model(check: Checks, loc: Loc, ratifier: Mapping[str, Any]) -> None:
    """Interactions, population margins and calibration targets must refer to things that
    exist: issues, covariates, lines of the polls file, packages."""
    data = table_at(ratifier, "data")
    covariates = (
        [c for c in data.get("covariates", []) if isinstance(c, str)]
        if isinstance(data.get("covariates"), list)
        else []
    )
    for k, pair in enumerate(data.get("interactions", []) if isinstance(data.get("interactions"), list) else []):
        where = (*loc, "data", "interactions", k)
        if not (isinstance(pair, list) and len(pair) == 2):
            check.add(
                where,
                "an interaction is a pair [issue, covariate]",
                'write interactions = [["kunashir", "region"]]',
            )
            continue
        issue, covariate = pair
        check.issue_ref(where, issue)
        if covariate not in covariates:
            check.add(
                where,
                f"'{covariate}' is not one of the covariates{did_you_mean(str(covariate), covariates)}",
                f"add it to data.covariates, or use one of {known_list(covariates)}",
            )
    if isinstance(data.get("repeated"), str) and data.get("model") == "choice" and data.get("optout", True) is True:
        check.add(
            (*loc, "data", "repeated"),
            "a repeated task cannot measure answer error in a choice with an opt-out (choosing neither follows "
            "no flip model)",
            "remove repeated, or field a forced choice (optout = false)",
        )
    for name, shares in table_at(ratifier, "population").items():
        where = (*loc, "population", name)
        if name not in covariates:
            check.add(
                where,
                f"population margins for '{name}', which is not a covariate{did_you_mean(name, covariates)}",
                "list it in data.covariates (the survey column), or remove the margins",
            )
        values = [v for v in shares.values() if is_number(v)] if isinstance(shares, Mapping) else []
        if values and len(values) == len(shares) and abs(sum(values) - 1) > 1e-6:
            check.add(
                where,
                f"the population shares sum to {sum(values):.4f}, not 1",
                "make the shares of every level sum to 1",
            )
    targets = table_list(ratifier, "calibration")
    if targets and not isinstance(data.get("polls"), str):
        check.add(
            (*loc, "calibration"),
            "calibration targets need a polls file",
            'add polls = "polls.csv" to the data table',
        )
        return
    path = check.base_dir / data["polls"] if targets else None
    found = None
    if path is not None and _kind(path) == "file":
        found = check.read_polls((*loc, "data", "polls"), path, data["polls"])
    if found is not None:
        lacking = polls.missing_columns(found, data["polls"], any("n" not in target for _, target in targets))
        if lacking:
            check.add((*loc, "data", "polls"), *lacking)
            found = None
    proposals = {pid: p.get("package") for _, p in table_list(check.doc, "proposals") if (pid := item_id(p))}
    cited: dict[Any, int] = {}
    for k, target in targets:
        where = (*loc, "calibration", k)
        calibration_package(check, (*where, "package"), target.get("package"), proposals)
        line = target.get("line")
        if isinstance(line, int) and not isinstance(line, bool):
            if line in cited:
                check.add(
                    (*where, "line"),
                    f"line {line} is cited by calibration[{cited[line]}] already: the same poll would count twice",
                    "cite each poll once (a poll asking about two packages has a line for each)",
                )
            cited.setdefault(line, k)
        if target.get("side", "for") == "for" and target.get("dont_know", 0.0) not in (0, 0.0):
            check.add(
                (*where, "dont_know"),
                'dont_know is only read with side = "against" (support = 1 - share - dont_know)',
                'remove it, or write side = "against" if the share is of those against',
            )
        if found is None or not isinstance(line, int) or isinstance(line, bool) or line < 2:  # < 2: structure
            continue
        row = found.row(line)
        if row is None:
            check.add(
                (*where, "line"),
                f"the polls file has no row on line {line} (its rows are on lines {found.span()})",
                "cite the line a row starts on",
            )
            continue
        selection = table_at(data, "polls_where")
        off = [f"{c}={row.get(c)}" for c, v in selection.items() if c in row and row[c] != str(v)]
        if off:
            check.add(
                (*where, "line"),
                f"line {line} is outside this ratifier's polls ({', '.join(off)})",
                "cite a poll of this ratifier's public, or correct polls_where",
            )
        side = target.get("side", "for")
        dont_know = target.get("dont_know", 0.0)
        if not (is_number(dont_know) and 0 <= dont_know < 1):
            side = None  # the structural check reports it; the share alone can be checked
        for about_line, message, fix in polls.topline_problems(
            row, line, side if side in ("for", "against") else None, dont_know, "n" not in target
        ):
            check.add((*where, "line") if about_line else where, message, fix)


def calibration_package(check: Checks, loc: Loc, text: Any, proposals: Mapping[str, Any]) -> None:
    """A calibration target's package, as text or a proposal id, must be a package of the scenario."""
    if not isinstance(text, str):
        return
    package = proposals.get(text, text)
    if not isinstance(package, str):
        return
    package_text(check, loc, package, f" (or name a proposal: {known_list(list(proposals))})")


def _kind(path: Path) -> str | None:
    """What is at a data path, or None for one the system cannot look up (reported by references.data_files)."""
    try:
        return files.kind(path, ScenarioError)
    except ScenarioError:
        return None

"""What the report's deal explorer computes from: each public's packed table and rule, each
negotiator's, and the engine's constants, as one JSON-ready document.

The page's script (``explorer_core.js``) repeats the engine's arithmetic on these, so each rule is
given with what the engine derives from it (a vote's base, the yes votes each member adds, its
tolerance, whether every member is needed), not re-derived in the page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..compare import SUPPORT_TOLERANCE
from ..defaults import INTERVAL
from ..engine import DealProblem
from ..engine.rules import Rule
from .packed_tables import pack

SCRIPTS = ("explorer_core.js", "explorer_ui.js")


def explorer_data(problem: DealProblem) -> dict[str, Any]:
    """The document the page's script reads."""
    space = problem.space
    return {
        "tolerance": SUPPORT_TOLERANCE,
        "interval": list(INTERVAL),
        "confidence": problem.confidence,
        "status_quo": [int(c) for c in space.status_quo],
        "constraints": [
            {"id": c.id, "issues": list(c.issues), "forbidden": [np.flatnonzero(m).tolist() for m in c.masks]}
            for c in space.constraints
        ],
        "publics": [
            {
                "id": public.id,
                "party": public.party,
                "binding": bool(binding),
                "shift": float(shift),
                "table": pack(public.table, public.cells),
                "rule": _rule(public.rule),
            }
            for public, binding, shift in zip(problem.publics, problem.binding, problem.shifts, strict=True)
        ],
        "negotiators": [
            {"id": n.id, "reservation": float(n.reservation), "floor": float(n.floor), "table": pack(n.table)}
            for n in problem.negotiators
        ],
    }


def _rule(rule: Rule) -> dict[str, Any]:
    return {
        "plain": rule.plain,
        "threshold": None if not rule.is_share else float(rule.threshold),
        "groups": list(rule.groups),
        "shares": [float(s) for s in rule.shares],
        "votes": [
            {
                "name": vote.name,
                "members": list(vote.members),
                "sources": [int(s) for s in vote.sources],
                "thresholds": [float(t) for t in vote.thresholds],
                "needed": float(vote.needed),
                "base": vote.base,
                "contributions": [float(c) for c in vote.contributions],
                "tolerance": vote.tolerance,
                "every_member_needed": vote.every_member_needed,
                "wins": vote.winning_subsets,
            }
            for vote in rule.votes
        ],
    }


def script(parts: tuple[str, ...] = SCRIPTS) -> str:
    """The explorer's script (its arithmetic, then the page's controls), for the page to embed."""
    return "\n".join((Path(__file__).parent / name).read_text(encoding="utf-8") for name in parts)

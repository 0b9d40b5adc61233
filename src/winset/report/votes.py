"""The report's section on rules that count groups: for every proposal, each vote of such a rule
member by member (support, interval, verdict), and who decides it."""

from __future__ import annotations

from typing import Any

import numpy as np
from markupsafe import Markup, escape

from ..engine.verdicts import votes_table
from ..scenario import Ratifier
from ..scenario.rules_model import ChamberRule, steps_of
from .analysis import Analysis
from .labels import Labels


def rule_text(analysis: Analysis, public_id: str) -> str:
    """A public's rule as the page states it."""
    public = next(p for p in analysis.problem.publics if p.id == public_id)
    return public.rule.describe().replace(">=", "≥")


def bloc_labels(ratifier: Ratifier, labels: Labels) -> dict[str, Markup]:
    """The labels of the blocs a ratifier's chambers count, by bloc id."""
    return {b.id: labels.of(b) for step in steps_of(ratifier.rule) if isinstance(step, ChamberRule) for b in step.blocs}


def votes_context(analysis: Analysis, labels: Labels) -> list[dict[str, Any]]:
    """Per proposal (the status quo aside) and per public whose rule counts groups, its votes."""
    problem, scenario = analysis.problem, analysis.scenario
    grouped = [p for p in problem.publics if not p.rule.plain]
    if not grouped:
        return []
    named = scenario.named_packages()
    out = []
    for number, (name, codes) in enumerate(named.items()):
        if number == 0:  # the status quo: no verdict
            continue
        for public in grouped:
            ratifier = scenario.ratifier(public.id)
            blocs = bloc_labels(ratifier, labels)
            table = votes_table(public, np.array(codes))
            for vote, rows in table.groupby("vote", sort=False):
                first = rows.iloc[0]
                out.append(
                    {
                        "number": number,
                        "proposal": labels.of(scenario.proposal(name)),
                        "public": labels.of(ratifier),
                        "vote": "" if vote == scenario.text(ratifier) else vote,
                        "passes": bool(first["vote_passes"]),
                        "count": f"{first['yes_votes']:.4g} yes votes, {first['needed_text']} needed",
                        "members": [
                            {
                                "member": blocs.get(row["member"], Markup(escape(row["member"]))),
                                "source": row["source"],
                                "support": f"{row['support'] * 100:.1f}%",
                                "interval": ""
                                if np.isnan(row["lower"])
                                else f"{row['lower'] * 100:.1f}–{row['upper'] * 100:.1f}",
                                "threshold": f"{row['threshold'] * 100:.1f}%",
                                "points": f"{row['margin'] * 100:+.1f}",
                                "weight": f"{row['weight']:g}",
                                "yes": bool(row["yes"]),
                                "decides": "the rule" if row["blocking"] else ("the vote" if row["pivotal"] else ""),
                            }
                            for row in rows.to_dict(orient="records")
                        ],
                    }
                )
    return out

"""What a public's rule says of a package, vote by vote and member by member: each group's or
bloc's support against its threshold, how the vote counts, and the veto player that decides it.

The *pivotal* member of a vote is the one whose support decides it (see
:mod:`winset.engine.rules`): where the vote fails, the member whose opinion must move furthest
among those the vote needs; where it passes, the one that would block it first. The *blocking*
member of a rule is the pivotal member of its vote with the smallest margin.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..compare import meets
from ..defaults import INTERVAL
from .problem import Public


def group_supports(public: Public, codes: np.ndarray) -> np.ndarray:
    """Each group's support of each package, per draw: (draws, groups, m) (one group, the whole
    public, for a public without groups)."""
    codes = np.atleast_2d(np.asarray(codes, dtype=np.int64))
    return public.supports(public.rule_table.support(codes))


def blocking(public: Public, codes: np.ndarray) -> list[str]:
    """For each package, the member that decides the public's rule on the point estimate: the
    vote's name for a vote of one member, the member's for a rule of one vote, else
    ``vote: member``."""
    rule = public.rule
    _, vote, pivot = rule.explain(group_supports(public, codes)[:1])
    names = []
    for v, p in zip(vote[0], pivot[0], strict=True):
        chosen = rule.votes[int(v)]
        member = chosen.members[int(p)]
        if len(chosen.members) == 1:
            names.append(chosen.name)
        else:
            names.append(member if len(rule.votes) == 1 else f"{chosen.name}: {member}")
    return names


def votes_table(public: Public, package: tuple[int, ...] | np.ndarray) -> pd.DataFrame:
    """One row per vote and member of the public's rule for one package: the member's source and
    its support (point estimate, and the 90% interval over the draws), threshold, margin (support
    minus threshold: how far its opinion must move, where negative), weight (seats),
    whether it votes yes, the vote's yes votes, needed votes, margin and verdict, and whether the
    member is pivotal (``pivotal``) and decides the whole rule (``blocking``)."""
    rule = public.rule
    supports = group_supports(public, np.asarray(package)[None])  # (draws, groups, 1)
    sources = rule.sources(supports)[..., 0]  # (1 + groups, draws)
    margin, vote_index, pivot_index = rule.explain(supports[:1])
    decisive = int(vote_index[0, 0])
    rows = []
    for v, vote in enumerate(rule.votes):
        point = np.array([sources[s + 1, 0] for s in vote.sources])
        member_margins = point - np.asarray(vote.thresholds)
        vote_margin, pivot = vote.margins(member_margins[:, None])
        yes = meets(point, np.asarray(vote.thresholds))
        for j, member in enumerate(vote.members):
            draws = sources[vote.sources[j] + 1, 1:]
            rows.append(
                {
                    "public": public.id,
                    "vote": vote.name,
                    "member": member,
                    "source": rule.source_name(vote.sources[j]),
                    "support": point[j],
                    "lower": float(np.quantile(draws, INTERVAL[0])) if len(draws) else np.nan,
                    "upper": float(np.quantile(draws, INTERVAL[1])) if len(draws) else np.nan,
                    "threshold": vote.thresholds[j],
                    "margin": float(member_margins[j]),
                    "weight": vote.weights[j],
                    "defect": vote.defect[j],
                    "yes": bool(yes[j]),
                    "yes_votes": vote.yes_votes(point),
                    "needed": vote.needed,
                    "needed_text": vote.needed_text,
                    "vote_margin": float(vote_margin[0]),
                    "vote_passes": bool(meets(vote_margin[0], 0.0)),
                    "pivotal": j == int(pivot[0]),
                    "blocking": v == decisive and j == int(pivot_index[0, 0]),
                }
            )
    table = pd.DataFrame(rows)
    table.attrs["margin"] = float(margin[0, 0])
    return table

"""A ratifier's poll toplines (its calibration targets) as read from its polls file."""

from __future__ import annotations

from ..scenario import Ratifier, Scenario
from ..scenario.polls import read_polls, topline
from .calibration import Target


def targets(scenario: Scenario, ratifier: Ratifier) -> list[Target]:
    """The ratifier's calibration targets, read from its polls file (refused, as ``winset check``
    refuses them, if a cited line cannot serve as a target)."""
    if not ratifier.calibration:
        return []
    polls_file = ratifier.data.polls
    assert polls_file is not None  # the scenario's checks refuse calibration targets without a polls file
    path = scenario.data_path(polls_file)
    polls = read_polls(path)
    where = next(
        f"parties[{i}].ratifiers[{j}]"
        for i, party in enumerate(scenario.parties)
        for j, candidate in enumerate(party.ratifiers)
        if candidate.id == ratifier.id
    )
    out = []
    for k, target in enumerate(ratifier.calibration):
        share, n = topline(polls, target.line, target.side, target.dont_know, target.n, f"{where}.calibration[{k}]")
        row = polls.row(target.line)
        assert row is not None  # topline() has refused a line with no row
        answer = f" ({row['option']})" if row.get("option") else ""
        who = " ".join(v for v in (row.get("pollster"), row.get("fieldwork")) if v)
        label = target.label or f"{who}: {row.get('question') or ''}{answer}".strip(": ")
        out.append(
            Target(
                label=label,
                codes=scenario.space.parse(scenario.resolve_package(target.package)),
                share=share,
                n=n,
                side=target.side,
                dont_know=target.dont_know,
                source=f"{ratifier.data.polls}:{target.line}",
            )
        )
    return out

"""The report's section on simulated talks: how the runs ended, the packages signed, the
experiments, each with its figure (built only when the analysis has talks, which needs NegMAS)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import pandas as pd
from markupsafe import Markup

from ..formats import fixed, share
from ..negotiate.opinion import first_round
from .analysis import Analysis
from .figures import svg

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .labels import Labels

TITLES = {
    "schelling": "The Schelling conjecture: does a narrower win-set pay?",
    "linkage": "Synergistic linkage: a wider deal",
    "ban": "A ban on changing some issues",
}


def _figure(figure: Figure) -> Markup:
    text = svg(figure)
    plt.close(figure)
    return Markup(text)


def talks_context(analysis: Analysis, labels: Labels) -> dict[str, Any] | None:
    """What the template shows about simulated talks, or None when there are none."""
    if analysis.talks is None:
        return None
    from ..negotiate import figures

    simulation, results = analysis.talks.simulation, analysis.talks.experiments
    settings, summary = simulation.settings, simulation.numbers()
    scenario = analysis.scenario
    space = scenario.space
    packages = [
        {
            "package": labels.package(space.parse(row["package"]) if row["package"] else space.status_quo),
            "signed": row["signed"],
            "share": share(row["share"]),
            "ratified": row["ratified"],
        }
        for row in simulation.packages().to_dict("records")
    ]
    strategies = [
        {
            "strategies": [row[f"strategy_{n}"] for n in simulation.negotiators],
            "runs": row["runs"],
            "signed": share(row["agreement_rate"]),
            "ratified": share(row["ratified_rate"]),
            "failed": share(row["failed_share"]),
        }
        for row in simulation.by_strategy().to_dict("records")
    ]
    experiments = []
    for name, table in results.items():
        figure = (
            figures.schelling_figure(table)
            if name == "schelling"
            else figures.comparison_figure(table, TITLES[name].split(":")[0])
        )
        experiments.append(
            {
                "id": name,
                "title": TITLES[name],
                "svg": _figure(figure),
                "rows": _rows(name, table, simulation.negotiators),
            }
        )
    return {
        "runs": summary["runs"],
        "rounds": settings.rounds,
        "mode": settings.mode,
        "seed": simulation.seed,
        "any_signed": summary["signed"] > 0,
        "signed": share(summary["agreement_rate"]),
        "ratified": share(summary["ratified_rate"]),
        "failed": share(summary["failed_share"]),
        "median_rounds": fixed(summary["median_rounds"], 0) or "–",
        "events": [
            {
                "label": labels.of(source),
                "public": labels.of(scenario.ratifier(e.public)),
                "round": str(first_round(e.round)) + (f" (± {e.timing_sd:g})" if e.timing_sd > 0 else ""),
                "date": source.date.isoformat() if source.date else "",
                "shift": f"{e.shift:+g}",
            }
            for source, e in zip(scenario.talks.events, settings.opinion.events, strict=True)
        ],
        "dated_events": any(e.date for e in scenario.talks.events),
        "days_per_round": scenario.talks.days_per_round,
        "start": scenario.talks.start.isoformat() if scenario.talks.start else "",
        "timing_varies": any(e.timing_sd > 0 for e in settings.opinion.events),
        "opinion": settings.opinion,
        "svg": _figure(figures.outcome_figure(simulation)),
        "packages": packages,
        "strategies": strategies,
        "negotiators": list(simulation.negotiators),
        "experiments": experiments,
    }


def _rows(name: str, table: pd.DataFrame, negotiators: Sequence[str]) -> list[dict[str, Any]]:
    rows = []
    for row in table.to_dict("records"):
        condition = (
            f"gap + {row['margin']:g}: {row['narrowed']} narrowed by {row['narrowing']:g}"
            if name == "schelling"
            else f"{row['condition']}, opinion {row['opinion']}"
        )
        rows.append(
            {
                "condition": condition,
                "winset": f"{row['winset']:,}",
                "signed": share(row["agreement_rate"]),
                "ratified": share(row["ratified_rate"]),
                "failed": share(row["failed_share"]),
                "utilities": [fixed(row[f"deal_utility_{n}"]) or "–" for n in negotiators],
            }
        )
    return rows

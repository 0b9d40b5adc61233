"""What ``winset simulate`` prints (tables, or a JSON document) and the figures it writes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from rich.table import Table

from ..formats import fixed, records, share
from ..outputs import Output, save_figure
from ..scenario import Scenario
from .common import stdout

if TYPE_CHECKING:
    from ..negotiate.montecarlo import Simulation


def write_figures(
    folder: Path, outputs: dict[str, Output], simulation: Simulation, results: Mapping[str, pd.DataFrame]
) -> list[str]:
    import matplotlib.pyplot as plt

    from ..negotiate import figures

    folder.mkdir(exist_ok=True)
    made = {"outcomes": figures.outcome_figure(simulation)}
    titles = {"linkage": "Synergistic linkage", "ban": "Ban on ceding territory"}
    for name, table in results.items():
        made[name] = (
            figures.schelling_figure(table) if name == "schelling" else figures.comparison_figure(table, titles[name])
        )
    paths = []
    for name, figure in made.items():
        save_figure(figure, outputs[name], dpi=120)
        plt.close(figure)
        paths.append(str(outputs[name].path))
    return paths


def document(
    scenario: Scenario,
    simulation: Simulation,
    results: Mapping[str, pd.DataFrame],
    written: Sequence[str],
    shift: float,
) -> dict[str, Any]:
    s = simulation.settings
    return {
        "ok": True,
        "scenario": scenario.scenario.id,
        "seed": simulation.seed,
        "shift": shift,
        "settings": {
            "rounds": s.rounds,
            "mode": s.mode,
            "drift": s.opinion.drift,
            "own_noise": s.opinion.own_noise,
            "other_noise": s.opinion.other_noise,
            "audience_cost": s.opinion.audience_cost,
            "events": [e.__dict__ for e in s.opinion.events],
            "strategies": list(simulation.strategies),
        },
        "summary": records(pd.DataFrame([simulation.numbers()]))[0],
        "by_strategy": records(simulation.by_strategy()),
        "packages": records(simulation.packages()),
        "runs": records(simulation.runs),
        "experiments": {name: records(table) for name, table in results.items()},
        "figures": written,
    }


def print_simulation(
    simulation: Simulation, results: Mapping[str, pd.DataFrame], written: Sequence[str], shift: float
) -> None:
    out = stdout()
    s = simulation.numbers()
    settings = simulation.settings
    moved = f", opinion moved by {shift:+g} (logit)" if shift else ""
    out.print(
        f"[bold]{s['runs']} simulated talks[/] ({settings.rounds} rounds, {settings.mode} ratification, "
        f"seed {simulation.seed}{moved})"
    )
    out.print(
        f"Signed: {share(s['agreement_rate'])}   ratified at home: {share(s['ratified_rate'])}   "
        f"signed deals that failed at home: {share(s['failed_share'])}   "
        f"rounds to signing (median): {fixed(s['median_rounds'], 0) or '–'}"
    )
    table = Table(title="By strategy")
    strategy_columns = [f"strategy_{n}" for n in simulation.negotiators]
    for name in [*simulation.negotiators, "runs", "signed", "ratified", "failed at home", "rounds (mean)"]:
        strategy = name in simulation.negotiators  # kept whole: 'tit-for-tat', not 'tit-for-t…'
        table.add_column(
            name, justify="left" if strategy else "right", no_wrap=strategy, min_width=11 if strategy else None
        )
    for row in simulation.by_strategy().to_dict("records"):
        table.add_row(
            *[row[c] for c in strategy_columns],
            str(row["runs"]),
            share(row["agreement_rate"]),
            share(row["ratified_rate"]),
            share(row["failed_share"]),
            fixed(row["mean_rounds"], 1) or "–",
        )
    out.print(table)
    packages = simulation.packages()
    if not packages.empty:
        top = Table(title="Packages signed most often (changes from the status quo)")
        top.add_column("package", overflow="fold")
        for name in ("runs signed", "share of signed", "runs ratified"):
            top.add_column(name, justify="right")
        for row in packages.to_dict("records"):
            shown = row["package"].replace(",", ", ")  # as solve writes a package, and wrapped between issues
            top.add_row(shown, str(row["signed"]), share(row["share"]), str(row["ratified"]))
        out.print(top)
    for name, frame in results.items():
        out.print(_experiment_table(name, frame, simulation.negotiators))
    for path in written:
        out.print(f"Figure written: {path}")


def _experiment_table(name: str, frame: pd.DataFrame, negotiators: Sequence[str]) -> Table:
    keys = ["opinion", "narrowed", "by (logit)"] if name == "schelling" else ["opinion", "condition"]
    table = Table(title={"schelling": "Schelling conjecture", "linkage": "Synergistic linkage", "ban": "Ban"}[name])
    utilities = [f"deal_utility_{n}" for n in negotiators]
    for column in [
        *keys,
        "winset",
        "signed",
        "ratified",
        "failed at home",
        *[f"{n} utility in deals" for n in negotiators],
    ]:
        table.add_column(column, justify="left" if column in keys else "right")
    for record in frame.to_dict("records"):
        row = record
        if name == "schelling":  # the opinion as the other experiments name it
            row = {**record, "opinion": f"gap + {record['margin']:g}", "by (logit)": f"{record['narrowing']:g}"}
        table.add_row(
            *[f"{row[k]:g}" if isinstance(row[k], float) else str(row[k]) for k in keys],
            f"{row['winset']:,}",
            share(row["agreement_rate"]),
            share(row["ratified_rate"]),
            share(row["failed_share"]),
            *[fixed(row[u]) or "–" for u in utilities],
        )
    return table

"""Figures of simulated talks: the outcome distribution and the three experiments (matplotlib)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from .montecarlo import Simulation  # noqa: E402

WIDTH = 9.0


def outcome_figure(simulation: Simulation, top: int = 8):
    """Left: how the runs ended. Right: the packages signed most often, and how many were ratified."""
    summary = simulation.summary()
    runs = summary["runs"]
    ratified = int(simulation.runs["ratified"].sum())
    failed = summary["signed"] - ratified
    figure, (left, right) = plt.subplots(1, 2, figsize=(WIDTH, 3.6), width_ratios=[1, 2.2])
    labels = ["no deal signed", "signed, failed at home", "signed and ratified"]
    counts = [runs - summary["signed"], failed, ratified]
    left.barh(labels, counts, color=["#999999", "#d62728", "#2ca02c"])
    left.set_xlabel(f"runs (of {runs})")
    left.set_title("How the talks ended")
    packages = simulation.packages(top)
    if packages.empty:
        right.text(0.5, 0.5, "no deal was signed in any run", ha="center", va="center")
        right.set_axis_off()
    else:
        names = [_short(p) for p in packages["package"]][::-1]
        right.barh(names, packages["signed"][::-1], color="#d62728", label="signed")
        right.barh(names, packages["ratified"][::-1], color="#2ca02c", label="ratified")
        right.set_xlabel("runs")
        right.set_title("Signed packages (changes from the status quo)")
        right.legend(loc="lower right", fontsize=8)
        right.tick_params(axis="y", labelsize=7)
    figure.tight_layout()
    return figure


def schelling_figure(table: pd.DataFrame):
    """For each narrowed side and opening of opinion: its mean utility in ratified deals, and the
    share of runs ratified."""
    figure, (left, right) = plt.subplots(1, 2, figsize=(WIDTH, 3.6))
    colours = dict(
        zip(dict.fromkeys(table["narrowed"]), plt.rcParams["axes.prop_cycle"].by_key()["color"], strict=False)
    )
    styles = dict(zip(dict.fromkeys(table["margin"]), ["--", "-", ":", "-."], strict=False))
    for (margin, name), part in table.groupby(["margin", "narrowed"], sort=False):
        style = {"color": colours[name], "linestyle": styles[margin], "marker": "o"}
        label = f"{name} narrowed, gap + {margin:g}"
        left.plot(part["narrowing"], part[f"deal_utility_{name}"], label=label, **style)
        right.plot(part["narrowing"], part["ratified_rate"], label=label, **style)
    left.set_xlabel("narrowing of its own win-set (logit)")
    left.set_ylabel("its utility in ratified deals")
    left.set_title("Schelling: does a narrower win-set pay?")
    right.set_xlabel("narrowing of its own win-set (logit)")
    right.set_ylabel("share of runs ratified")
    right.set_ylim(0, 1)
    right.set_title("and what it costs in agreements")
    left.legend(fontsize=7)
    figure.tight_layout()
    return figure


def comparison_figure(table: pd.DataFrame, title: str):
    """Conditions side by side at each level of opinion: the joint win-set and how talks ended."""
    figure, (left, right) = plt.subplots(1, 2, figsize=(WIDTH, 3.4))
    opinions = list(dict.fromkeys(table["opinion"]))
    conditions = list(dict.fromkeys(table["condition"]))
    width = 0.8 / len(conditions)
    for c, condition in enumerate(conditions):
        part = table[table["condition"] == condition].set_index("opinion").loc[opinions]
        x = [i + c * width for i in range(len(opinions))]
        left.bar(x, part["winset"], width, label=condition)
        right.bar(x, part["ratified_rate"], width, label=condition)
    for axis in (left, right):
        axis.set_xticks([i + width * (len(conditions) - 1) / 2 for i in range(len(opinions))], opinions)
        axis.set_xlabel("opinion")
        axis.legend(fontsize=8)
    left.set_ylabel("packages in the joint win-set")
    left.set_title(title)
    right.set_ylabel("share of runs ratified")
    right.set_ylim(0, 1)
    right.set_title("Talks ratified")
    figure.tight_layout()
    return figure


def _short(package: str, limit: int = 60) -> str:
    return package if len(package) <= limit else package[: limit - 1] + "…"

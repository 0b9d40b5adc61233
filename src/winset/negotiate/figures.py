"""Figures of simulated talks: the outcome distribution and the three experiments (matplotlib)."""

from __future__ import annotations

import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .montecarlo import Simulation

WIDTH = 9.0


def outcome_figure(simulation: Simulation, top: int = 8) -> Figure:
    """Top: how the runs ended. Below: the packages signed most often, and how many were ratified."""
    summary = simulation.numbers()
    runs = summary["runs"]
    ratified = int(simulation.runs["ratified"].sum())
    failed = summary["signed"] - ratified
    packages = simulation.packages(top)
    names = [_wrapped(p) for p in packages["package"]]
    lines = sum(name.count("\n") + 1 for name in names)
    figure, (upper, lower) = plt.subplots(
        2, 1, figsize=(WIDTH, 2.2 + 0.22 * max(lines, 3)), height_ratios=[1.1, max(lines, 3) * 0.35]
    )
    labels = ["signed and ratified", "signed, failed at home", "no deal signed"]
    counts = [ratified, failed, runs - summary["signed"]]
    bars = upper.barh(labels, counts, color=["#2ca02c", "#d62728", "#999999"])
    upper.bar_label(bars, [f"{c} ({c / runs:.0%})" for c in counts], fontsize=8, padding=3)
    upper.set_xlim(0, runs * 1.15)
    upper.set_xlabel(f"runs (of {runs})")
    upper.set_title("How the talks ended")
    if packages.empty:
        lower.text(0.5, 0.5, "no deal was signed in any run", ha="center", va="center")
        lower.set_axis_off()
    else:
        lower.barh(names[::-1], packages["signed"][::-1], color="#d62728", label="signed")
        lower.barh(names[::-1], packages["ratified"][::-1], color="#2ca02c", label="of those, ratified")
        lower.set_xlabel("runs")
        lower.xaxis.set_major_locator(MaxNLocator(integer=True))
        lower.set_title("Packages signed most often (changes from the status quo)", fontsize=10)
        lower.legend(loc="lower right", fontsize=8)
        lower.tick_params(axis="y", labelsize=7)
    figure.tight_layout()
    return figure


def schelling_figure(table: pd.DataFrame) -> Figure:
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


def comparison_figure(table: pd.DataFrame, title: str) -> Figure:
    """Conditions side by side at each level of opinion: the joint win-set (symmetric log scale,
    counts on the bars), the share of runs ratified, the share of signed deals that failed at home,
    and each negotiator's mean utility in ratified deals."""
    figure, axes = plt.subplots(2, 2, figsize=(WIDTH, 6.4))
    opinions = list(dict.fromkeys(table["opinion"]))
    conditions = list(dict.fromkeys(table["condition"]))
    negotiators = [c.removeprefix("deal_utility_") for c in table.columns if c.startswith("deal_utility_")]
    width = 0.8 / len(conditions)
    centre = [i + width * (len(conditions) - 1) / 2 for i in range(len(opinions))]
    markers = ["o", "s", "^", "D"]
    for c, condition in enumerate(conditions):
        part = table[table["condition"] == condition].set_index("opinion").loc[opinions]
        x = [i + c * width for i in range(len(opinions))]
        bars = axes[0, 0].bar(x, part["winset"], width, label=condition)
        axes[0, 0].bar_label(bars, [f"{v:,}" for v in part["winset"]], fontsize=7)
        axes[0, 1].bar(x, part["ratified_rate"], width, label=condition)
        axes[1, 0].bar(x, part["failed_share"].fillna(0.0), width, label=condition)
        for n, name in enumerate(negotiators):
            axes[1, 1].plot(
                x,
                part[f"deal_utility_{name}"],
                linestyle="",
                marker=markers[n % len(markers)],
                color=bars.patches[0].get_facecolor(),
                label=f"{name}, {condition}",
            )
    axes[0, 0].set_yscale("symlog", linthresh=1)
    axes[0, 0].set_ylim(0, max(10.0, float(table["winset"].max()) * 5))  # room for the counts
    axes[0, 0].set_ylabel("packages in the joint win-set")
    axes[0, 0].set_title(title)
    axes[0, 1].set_ylabel("share of runs ratified")
    axes[0, 1].set_title("Talks ratified at home")
    axes[1, 0].set_ylabel("share of signed deals")
    axes[1, 0].set_title("Signed, then failed at home")
    axes[1, 1].set_ylabel("mean utility in ratified deals")
    axes[1, 1].set_title("What the negotiators got")
    for axis in axes.flat:
        axis.set_xticks(centre, opinions)
        axis.set_xlabel("opinion")
        axis.legend(fontsize=7)
    for axis in (axes[0, 1], axes[1, 0]):
        axis.set_ylim(0, 1)
    figure.tight_layout()
    return figure


def _wrapped(package: str, width: int = 60) -> str:
    """Package text over lines of at most about ``width`` characters, broken after commas."""
    return "\n".join(textwrap.wrap(package.replace(",", ", "), width)) or "no change"

"""The report's figures, as SVG text to inline in the page: each public's AMCEs, the ratification
map and the negotiators' Pareto frontiers.

Figures use the scenario's first language (labels that any font can draw); the tables of the report
carry the labels in every language.
"""

from __future__ import annotations

import io
import textwrap

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..conjoint.plot import plot
from ..formats import counted
from .analysis import Analysis

WINSET = "#2e8b57"
OTHER = "#b8b8b8"
PROPOSAL = "#1b1b1b"
CLOSEST = "#d1495b"
UNRESTRICTED = "#1b6ca8"


def svg(fig: Figure) -> str:
    """The figure as an ``<svg>`` element (no XML prolog, no date: the same figure, the same text)."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def svg_axes(fig: Figure) -> dict[str, list[float]]:
    """Where a value falls in the figure's SVG on its first axes, once :func:`svg` has written it
    (the layout is the one made for the SVG): per axis ``[a, b]`` with ``svg coordinate = a + b *
    value``. SVG units are points, and y runs down."""
    ax = fig.axes[0]
    width, height = fig.get_size_inches() * 72
    box, (x0, x1), (y0, y1) = ax.get_position(), ax.get_xlim(), ax.get_ylim()
    bx, by = box.width * width / (x1 - x0), box.height * height / (y1 - y0)
    return {"x": [box.x0 * width - bx * x0, bx], "y": [height - box.y0 * height + by * y0, -by]}


def amce_figure(analysis: Analysis, ratifier_id: str) -> Figure:
    """Dot-and-whisker AMCEs of a ratifier's survey (or an additive model's posterior effects),
    with issue and option labels."""
    scenario = analysis.scenario
    table = analysis.amces[ratifier_id].copy()
    issues = {issue.id: issue for issue in scenario.issues}
    table["level"] = [
        scenario.option_text(feature, level) if feature in issues else level
        for feature, level in zip(table["feature"], table["level"], strict=True)
    ]
    table["feature"] = [scenario.text(issues[f]) if f in issues else f for f in table["feature"]]
    fit = analysis.fits[ratifier_id]
    if fit.additive:
        xlabel = "Change in support for the status quo package (posterior effect)"
    else:
        outcome = "chosen" if fit.ratifier.data.model == "choice" else "supported"
        xlabel = f"Change in the probability that a profile is {outcome} (AMCE)"
    # on two lines: the option labels leave the axes too narrow for it on one, and its end was cut
    fig = plot(table, xlabel=textwrap.fill(xlabel, 40))
    fig.axes[0].xaxis.set_major_locator(MaxNLocator(6))
    return fig


def map_figure(analysis: Analysis) -> Figure | None:
    """Support in one public against support in the other (or a rule's margin, for a rule over
    groups): every valid package (or a sample), the thresholds as lines, the joint win-set in green, the proposals numbered as in the
    report's table, the closest package (where the win-set is empty) as a red star."""
    ratification = analysis.ratification_map
    if ratification is None:
        return None
    problem, scenario = analysis.problem, analysis.scenario
    publics = {p.id: p for p in problem.publics}
    x, y = publics[ratification.x], publics[ratification.y]
    fig = Figure(figsize=(7.0, 6.5), layout="constrained")
    ax = fig.add_subplot()
    inside = ratification.in_winset
    points = ratification.support * 100
    size = float(np.clip(20_000 / len(inside), 3, 25))  # dots shrink as packages crowd the plane
    x_support, y_support = points
    ax.scatter(
        x_support[~inside],
        y_support[~inside],
        s=size,
        color=OTHER,
        linewidths=0,
        rasterized=True,
        label="other packages",
    )
    if inside.any():
        ax.scatter(
            x_support[inside],
            y_support[inside],
            s=size * 1.6,
            color=WINSET,
            linewidths=0,
            rasterized=True,
            label="joint win-set",
        )
    by_margin = ratification.margins
    ax.axvline(0.0 if by_margin[0] else x.threshold * 100, color="#555555", linestyle="--", linewidth=1)
    ax.axhline(0.0 if by_margin[1] else y.threshold * 100, color="#555555", linestyle="--", linewidth=1)
    proposals = analysis.proposals
    px = proposals[f"{x.id}_{'margin' if by_margin[0] else 'support'}"] * 100
    py = proposals[f"{y.id}_{'margin' if by_margin[1] else 'support'}"] * 100
    ax.scatter(px, py, s=28, color=PROPOSAL, zorder=3, label="status quo (0) and proposals")
    for number, (a, b) in enumerate(zip(px, py, strict=True)):
        ax.annotate(str(number), (a, b), xytext=(4, 4), textcoords="offset points", fontsize=9, weight="bold")
    gap = analysis.solution.gap
    if gap is not None and gap.package is not None:
        q = problem.evaluate(np.array([gap.package]))
        index = [p.id for p in problem.publics]
        star = [
            float(q.margin[index.index(p.id), 0] if margin else q.support[index.index(p.id)][0, 0]) * 100
            for p, margin in zip((x, y), by_margin, strict=True)
        ]
        ax.scatter(star[0], star[1], s=160, marker="*", color=CLOSEST, zorder=4, label="first to pass as opinion moves")
    for public, margin, label, limits, values in (
        (x, by_margin[0], ax.set_xlabel, ax.set_xlim, x_support),
        (y, by_margin[1], ax.set_ylabel, ax.set_ylim, y_support),
    ):
        name = scenario.text(scenario.ratifier(public.id))
        if margin:  # the change of support in every group its rule counts that would flip it
            label(f"Margin of the rule of {name} (points; it passes at 0 and above)")
            reach = max(20.0, 10.0 * float(np.ceil(np.nanmax(np.abs(values)) / 10.0)))
            limits(-reach, reach)
        else:
            label(f"Support in {name} (%)")
            limits(0, 100)
    ax.grid(color="#eeeeee")
    ax.spines[["top", "right"]].set_visible(False)
    fig.legend(loc="outside lower center", ncols=2, frameon=False, fontsize=8)
    return fig


def frontier_figure(analysis: Analysis) -> Figure | None:
    """The first two negotiators' utilities: the Pareto frontier over all packages and over the
    joint win-set, the reservation values as lines, the status quo and the proposals numbered."""
    problem, scenario = analysis.problem, analysis.scenario
    if len(problem.negotiators) < 2:
        return None
    a, b = problem.negotiators[:2]
    frontier = analysis.solution.frontier
    fig = Figure(figsize=(7.0, 6.0), layout="constrained")
    ax = fig.add_subplot()
    for which, color, label, size in (
        ("unrestricted", UNRESTRICTED, "Pareto frontier, all packages", 3.5),
        ("ratifiable", WINSET, "Pareto frontier, joint win-set", 6.0),
    ):
        points = frontier[frontier["frontier"] == which].sort_values(f"{a.id}_utility")
        if len(points):
            ax.plot(
                points[f"{a.id}_utility"],
                points[f"{b.id}_utility"],
                "-",
                marker="o",
                markersize=size,
                color=color,
                label=f"{label} ({counted(len(points), 'point')})",
                drawstyle="steps-post",
                zorder=2 if which == "unrestricted" else 2.5,
            )
        else:
            ax.plot([], [], "-", color=color, label=f"{label}: none")
    ax.axvline(a.reservation, color="#555555", linestyle="--", linewidth=1)
    ax.axhline(b.reservation, color="#555555", linestyle="--", linewidth=1)
    proposals = analysis.proposals
    ua, ub = proposals[f"{a.id}_utility"], proposals[f"{b.id}_utility"]
    ax.scatter(ua, ub, s=28, color=PROPOSAL, zorder=3, label="status quo (0) and proposals")
    for number, (u, v) in enumerate(zip(ua, ub, strict=True)):
        ax.annotate(str(number), (u, v), xytext=(4, 4), textcoords="offset points", fontsize=9, weight="bold")
    ax.set_xlabel(f"Utility of {scenario.text(scenario.party(a.id))}'s negotiator")
    ax.set_ylabel(f"Utility of {scenario.text(scenario.party(b.id))}'s negotiator")
    ax.grid(color="#eeeeee")
    ax.spines[["top", "right"]].set_visible(False)
    fig.legend(loc="outside lower center", ncols=2, frameon=False, fontsize=8)
    return fig

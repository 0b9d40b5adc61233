"""Power curves: the probability that the pass/fail call is right, by respondents, one panel per
public, in the style of the AMCE figure (:mod:`winset.conjoint.plot`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..conjoint.plot import COLORS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .result import DesignResult

LABEL_LENGTH = 40


def power_figure(result: DesignResult) -> Figure:
    """P(right call) by respondents: a line per package (the normal approximation; solid for
    the proposals, dashed for the packages near the threshold), the
    simulated checks as dots with their Wilson intervals, the promised probability dashed and
    the design's size dotted."""
    from matplotlib.figure import Figure

    curves = result.curves()
    publics = result.publics
    fig = Figure(figsize=(9.5, 3.2 * max(1, len(publics))), layout="constrained")
    axes = fig.subplots(max(1, len(publics)), 1, squeeze=False)[:, 0]
    for ax, power in zip(axes, publics, strict=False):
        mine = curves[curves["ratifier"] == power.ratifier]
        for i, (name, kind, margin) in enumerate(
            zip(power.targets["target"], power.targets["kind"], power.targets["true_margin"], strict=True)
        ):
            color = COLORS[i % len(COLORS)]
            line = mine[(mine["target"] == name) & (mine["source"] == "normal approximation")]
            style = "-" if kind == "proposal" else "--"
            label = _label(str(name), str(kind), float(margin))
            ax.plot(line["respondents"], line["p_right"], style, color=color, linewidth=1.3, label=label)
            dots = mine[(mine["target"] == name) & (mine["source"] == "simulation")]
            if len(dots):
                ax.errorbar(
                    dots["respondents"],
                    dots["p_right"],
                    yerr=[dots["p_right"] - dots["lower"], dots["upper"] - dots["p_right"]],
                    fmt="o",
                    color=color,
                    markersize=4,
                    linewidth=1,
                )
        ax.axhline(power.confidence, color="#888888", linewidth=0.8, linestyle="--")
        if power.respondents:
            ax.axvline(power.respondents, color="#888888", linewidth=0.8, linestyle=":")
        ax.set_xscale("log")
        ax.set_ylim(0.45, 1.02)
        ax.set_xlabel("Respondents")
        ax.set_ylabel("P(call right)")
        ax.set_title(f"{power.ratifier}: {power.study.tasks} tasks x {power.study.profiles} profiles", fontsize=10)
        ax.grid(color="#eeeeee")
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(frameon=False, fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def _label(name: str, kind: str, margin: float) -> str:
    if kind != "proposal":
        name = f"near threshold, {'passes' if margin >= 0 else 'fails'}"
    short = name if len(name) <= LABEL_LENGTH else name[: LABEL_LENGTH - 1] + "…"
    return f"{short} ({margin:+.1%})"

"""The standard conjoint figure: estimates as dots with confidence whiskers, grouped by feature."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import Problem
from ..outputs import FIGURE_SUFFIXES, Output, is_figure, output_problems, save_figure
from .errors import ConjointError
from .tidy import COLUMNS, LABELS

if TYPE_CHECKING:  # matplotlib is imported when a figure is drawn: most commands draw none
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

COLORS = ("#1b6ca8", "#d1495b", "#2e8b57", "#edae49", "#6a4c93", "#00798c")


def plot(
    results: pd.DataFrame,
    path: str | Path | None = None,
    *,
    reference: float | None = 0.0,
    title: str | None = None,
    xlabel: str = "Estimate",
) -> Figure:
    """Dot-and-whisker figure of AMCEs or marginal means, one block of levels per feature.

    ``results`` is a table from :func:`amce`, :func:`mm` or their differences; a column besides the
    standard ones (the ``by`` column) gives one colour per group. ``reference`` draws a vertical
    line (0 for AMCEs, e.g. 0.5 for forced-choice marginal means; None for none). With ``path``
    (``.png``, ``.svg`` or ``.pdf``) the figure is also saved there.
    """
    missing = [c for c in COLUMNS if c not in results.columns]
    if missing:
        raise ConjointError(
            [
                Problem(
                    "results",
                    f"the table lacks columns {missing}",
                    "pass a table returned by amce, mm or their differences",
                )
            ]
        )
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.5, max(2.5, 0.28 * height(results) + 1.2)), layout="constrained")
    draw(fig.add_subplot(), results, reference=reference, xlabel=xlabel, title=title)
    if path is not None:
        save(fig, path)
    return fig


def height(results: pd.DataFrame) -> int:
    """The rows a table takes in the figure: a heading per feature and a row per level."""
    return results["feature"].nunique() + len(dict.fromkeys(zip(results["feature"], results["level"], strict=True)))


def draw(
    ax: Axes,
    results: pd.DataFrame,
    *,
    reference: float | None = 0.0,
    xlabel: str = "Estimate",
    title: str | None = None,
    group: str | None = None,
) -> None:
    """Draw a table of estimates on ``ax`` as :func:`plot` does (``group``: the column whose
    values get a colour each, by default the table's grouping column)."""
    # a grouping column (by, reference) colours the groups; else several statistics do (an
    # estimate beside its correction); the error rate ``tau`` of a corrected table is no group
    group_columns = [c for c in results.columns if c not in COLUMNS and c not in LABELS and c != "tau"]
    if not group_columns and "statistic" in results.columns and results["statistic"].nunique() > 1:
        group_columns = ["statistic"]
    group = group or (group_columns[0] if group_columns else None)
    groups = list(dict.fromkeys(results[group])) if group else [None]
    rows = list(dict.fromkeys(zip(results["feature"], results["level"], strict=True)))
    features = list(dict.fromkeys(results["feature"]))

    positions, labels, bold = {}, [], []
    y = 0
    for feature in features:
        labels.append(str(feature))
        bold.append(True)
        y += 1
        for row in (r for r in rows if r[0] == feature):
            positions[row] = y
            labels.append(f"  {row[1]}")
            bold.append(False)
            y += 1

    if reference is not None:
        ax.axvline(reference, color="#888888", linewidth=0.8, zorder=0)
    spread = 0.5 / max(len(groups), 1)
    for g, name in enumerate(groups):
        part = results if group is None else results[results[group] == name]
        offset = (g - (len(groups) - 1) / 2) * spread
        ys = np.array([positions[(f, lv)] for f, lv in zip(part["feature"], part["level"], strict=True)]) + offset
        color = COLORS[g % len(COLORS)]
        has_error = part["std_error"].notna().to_numpy()
        ax.hlines(ys[has_error], part["lower"][has_error], part["upper"][has_error], color=color, linewidth=1.4)
        ax.plot(
            part["estimate"][has_error],
            ys[has_error],
            "o",
            color=color,
            markersize=4.5,
            label=str(name) if group and has_error.any() else None,
        )
        ax.plot(
            part["estimate"][~has_error],
            ys[~has_error],
            "o",
            markerfacecolor="white",
            color=color,
            markersize=4.5,
            label=str(name) if group and not has_error.any() else None,
        )
    ax.set_yticks(range(len(labels)), labels)
    for tick, is_feature in zip(ax.get_yticklabels(), bold, strict=True):
        tick.set_fontweight("bold" if is_feature else "normal")
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", color="#eeeeee")
    ax.spines[["top", "right"]].set_visible(False)
    if group:
        ax.legend(title=group, frameon=False, loc="best")
    if title:
        ax.set_title(title)


def save(fig: Figure, path: str | Path) -> None:
    """Save a figure as PNG, SVG or PDF (by the file's suffix), marked as winset's and written
    atomically (:mod:`winset.outputs`); the caller chose the path, so an existing file is replaced."""
    output = Output(Path(path), "figure", "path", FIGURE_SUFFIXES, is_figure, force=True)
    problems = output_problems(output)
    if problems:
        raise ConjointError(problems)
    save_figure(fig, output, dpi=150)

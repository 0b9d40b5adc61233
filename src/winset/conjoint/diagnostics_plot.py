"""The diagnostics as one figure, a panel per diagnostic in the style of the AMCE figure: each
level's share of the profiles shown beside its share under the design (balance), and the AMCEs by
task (carryover), by profile position (profile order) and by an attribute's on-screen position
(attribute order), each panel titled with its F or chi-square test."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy.stats import norm

from .diagnostics import Diagnostics
from .plot import draw, height, save

if TYPE_CHECKING:
    from matplotlib.figure import Figure

SHOWN, DESIGN = "shown", "design"


def diagnostics_figure(diagnostics: Diagnostics, path: str | Path | None = None, alpha: float = 0.05) -> Figure:
    """The figure of :func:`~winset.conjoint.diagnostics.diagnose`'s tables (see the module), with
    ``1 - alpha`` intervals on the shares shown; saved to ``path`` where given."""
    # each panel: its table, the reference line, the axis label, the title and the colouring column
    panels: list[tuple[pd.DataFrame, float | None, str, str, str | None]] = [
        (_balance(diagnostics.balance, alpha), None, "Share of profiles", _balance_title(diagnostics), "source")
    ]
    for table, test, what in (
        (diagnostics.carryover, diagnostics.carryover_test, "Carryover: AMCEs by task"),
        (diagnostics.profile_order, diagnostics.profile_order_test, "Profile order: AMCEs by profile position"),
    ):
        if len(table):
            panels.append((table, 0.0, "AMCE", f"{what} (F test p = {test.iloc[1]['p']:.3g})", None))
    if len(diagnostics.attribute_order):
        tests = ", ".join(f"{r.feature} p = {r.p:.3g}" for r in diagnostics.attribute_order_tests.itertuples())
        panels.append(
            (
                diagnostics.attribute_order,
                0.0,
                "AMCE",
                f"Attribute order: AMCEs by position (F tests {tests})",
                "position",
            )
        )
    from matplotlib.figure import Figure

    rows = [height(table) for table, *_ in panels]
    fig = Figure(figsize=(7.5, 0.28 * sum(rows) + 1.4 * len(panels)), layout="constrained")
    axes = fig.subplots(len(panels), 1, squeeze=False, gridspec_kw={"height_ratios": [r + 3 for r in rows]})[:, 0]
    for ax, (table, reference, xlabel, title, group) in zip(axes, panels, strict=True):
        draw(ax, table, reference=reference, xlabel=xlabel, title=title, group=group)
        ax.title.set_fontsize(9)
    if path is not None:
        save(fig, path)
    return fig


def _balance(balance: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """Each level's share of the profiles shown (a normal interval over its feature's profiles)
    and its share under the design, as two groups of the figure's rows."""
    n = balance.groupby("feature", sort=False)["count"].transform("sum")
    se = np.sqrt(balance["share"] * (1 - balance["share"]) / n)
    z = norm.ppf(1 - alpha / 2)
    shown = balance.assign(
        estimate=balance["share"], std_error=se, lower=balance["share"] - z * se, upper=balance["share"] + z * se
    )
    design = balance.assign(estimate=balance["expected_share"], std_error=np.nan, lower=np.nan, upper=np.nan)
    columns = ["feature", "level", "estimate", "std_error", "lower", "upper"]
    return pd.concat([shown[columns].assign(source=SHOWN), design[columns].assign(source=DESIGN)], ignore_index=True)


def _balance_title(diagnostics: Diagnostics) -> str:
    worst = diagnostics.balance_tests.sort_values("p").head(1)
    if not len(worst):
        return "Balance"
    row = worst.iloc[0]
    return f"Balance: shares shown and by design (chi-square; smallest p = {row['p']:.3g}, {row['feature']})"

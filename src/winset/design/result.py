"""What ``winset design`` found for every public: tidy tables and a statsmodels-style summary."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..conjoint.power import minimum_detectable_amce
from ..space import PackageSpace
from .power import PublicPower

MDE_POWER = 0.8  # the power at which the minimum detectable AMCE is given
MDE_ALPHA = 0.05
CURVE_POINTS = 25
TABLE_COLUMNS = [
    "ratifier", "target", "kind", "true_margin", "spread", "bias", "respondents_needed", "too_close",
    "respondents", "tasks", "profiles", "right_rate", "lower", "upper", "reps",
]  # fmt: skip


@dataclass
class DesignResult:
    """Every public's :class:`PublicPower`, over the scenario's package space."""

    space: PackageSpace
    publics: list[PublicPower]

    def table(self) -> pd.DataFrame:
        """One row per public and package to call: its true margin, the spread of its estimate,
        the respondents it alone needs, and the check at the design's size."""
        rows = []
        for power in self.publics:
            last = _last_check(power)
            for target in power.targets.to_dict("records"):
                check = last.get(str(target["target"]), {})
                rows.append(
                    {
                        "ratifier": power.ratifier,
                        "target": target["target"],
                        "kind": target["kind"],
                        "true_margin": target["true_margin"],
                        "spread": target["spread"],
                        "bias": target["bias"],
                        "respondents_needed": target["respondents_needed"],
                        "too_close": bool(target["too_close"]),
                        "respondents": power.respondents,
                        "tasks": power.study.tasks,
                        "profiles": power.study.profiles,
                        "right_rate": check.get("right_rate", np.nan),
                        "lower": check.get("lower", np.nan),
                        "upper": check.get("upper", np.nan),
                        "reps": check.get("reps", 0),
                    }
                )
        return pd.DataFrame(rows, columns=TABLE_COLUMNS)

    def curves(self) -> pd.DataFrame:
        """P(right call) by respondents for every public and package: the normal approximation
        on a grid around the design's size, and the simulated checks (``source``)."""
        parts = []
        for power in self.publics:
            centre = power.respondents or power.pilot
            sizes = np.unique(np.geomspace(max(10, centre / 8), centre * 4, CURVE_POINTS).round(-1).astype(int))
            curve = power.curve(sizes.tolist()).assign(source="normal approximation", lower=np.nan, upper=np.nan)
            checks = power.checks.rename(columns={"right_rate": "p_right"}).assign(
                ratifier=power.ratifier, source="simulation"
            )
            parts += [curve, checks[["ratifier", "target", "respondents", "p_right", "source", "lower", "upper"]]]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()

    def detectable(self) -> pd.DataFrame:
        """The minimum detectable AMCE of every issue for each public's design (cjpowR's
        approximation, power 0.8 at alpha 0.05; NaN where the design needs more than the cap)."""
        rows = []
        for power in self.publics:
            n = power.respondents
            effective = n * power.study.tasks * power.study.profiles if n else None
            for k, issue in enumerate(self.space.issue_ids):
                levels = self.space.n_options[k]
                mde = minimum_detectable_amce(effective, MDE_POWER, levels, MDE_ALPHA) if effective else np.nan
                rows.append(
                    {
                        "ratifier": power.ratifier,
                        "issue": issue,
                        "levels": int(levels),
                        "effective_n": effective,
                        "mde": mde,
                    }
                )
        return pd.DataFrame(rows)

    def summary(self) -> str:
        lines = []
        for power in self.publics:
            design = f"{power.study.tasks} tasks of {power.study.profiles} profiles"
            if power.respondents is None:
                why = power.notes[0] if power.notes else "no size calls every package"
                head = f"{power.ratifier}: no design ({design}): {why}"
            else:
                state = "checked" if power.met else "NOT reached in the check"
                head = (
                    f"{power.ratifier}: {power.respondents:,} respondents, {design}, call right with"
                    f" probability >= {power.confidence:.0%} ({state})"
                )
            lines.append(head)
            simulated = bool(power.targets["spread"].notna().any()) or not power.checks.empty
            spread = f"; the estimates' spread from {power.reps} simulated surveys of {power.pilot:,} respondents"
            lines.append(f"  rule: {power.rule}{spread if simulated else ''}")
            if power.design_effect is not None and power.design_effect > 1.01:
                lines.append(
                    f"  the current survey's weights have a design effect of {power.design_effect:.2f}:"
                    " a sample that needs such weights needs about as many times more respondents"
                )
            lines += [f"  note: {note}" for note in power.notes[1 if power.respondents is None else 0 :]]
        return "\n".join(lines)


def _last_check(power: PublicPower) -> dict[str, dict[str, Any]]:
    """The check at the design's size, per package by name."""
    if power.checks.empty:
        return {}
    last = power.checks[power.checks["respondents"] == power.respondents]
    return {str(row["target"]): {str(k): v for k, v in row.items()} for row in last.to_dict("records")}

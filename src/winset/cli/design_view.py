"""What ``winset design`` prints and writes: the packages to call, the detectable AMCEs, JSON."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from rich.console import Group
from rich.text import Text

from ..outputs import FIGURE_SUFFIXES, Output, is_figure, is_table
from .common import jsonable
from .text_tables import plain_table

if TYPE_CHECKING:
    from ..design import DesignResult, PublicPower
    from ..scenario import Scenario

CURVE_COLUMNS = ["ratifier", "target", "respondents", "p_right", "source", "lower", "upper"]


def check_outputs(out: Path | None, plot: Path | None, inputs: Sequence[Path], force: bool) -> dict[str, Output]:
    """The files asked for, refused (with the fix) before any simulation where they may not be written."""
    outputs = {}
    if out is not None:
        outputs["table"] = Output(out, "table", "--out", (".csv",), is_table(CURVE_COLUMNS), tuple(inputs), force)
    if plot is not None:
        outputs["figure"] = Output(plot, "figure", "--plot", FIGURE_SUFFIXES, is_figure, tuple(inputs), force)
    if out is not None and plot is not None and Path(out).resolve() == Path(plot).resolve():
        from ..errors import Problem, WinsetError

        raise WinsetError([Problem("--plot", "is the same file as --out", "give the figure its own file")])
    for output in outputs.values():
        output.check()
    return outputs


FIELD_FILES = {
    "randomisation": ".csv",
    "balance": ".csv",
    "qualtrics": ".js",
    "survey": ".toml",
}
BALANCE_COLUMNS = ["issue", "option", "profiles", "share", "design_share", "chi2", "df", "p"]


def field_outputs(
    folder: Path, ratifiers: Sequence[str], issues: Sequence[str], inputs: Sequence[Path], force: bool
) -> dict[str, Output]:
    """The files ``--field`` writes for each public (``RATIFIER-randomisation.csv``, ``-balance.csv``,
    ``-qualtrics.js``, ``-survey.toml``), refused before any simulation where they may not be
    written; the folder must exist."""
    from ..errors import Problem, WinsetError
    from ..files import kind, shown
    from ..outputs import has_mark, output_problems

    if kind(folder) != "folder":
        raise WinsetError([Problem("--field", f"{shown(folder)} is not a folder", "create the folder first")])
    ours = {
        "randomisation": is_table(["respondent", "task", "profile", *issues, "repeats", "issue_order"]),
        "balance": is_table(BALANCE_COLUMNS),
        "qualtrics": has_mark(b"// winset: a randomised conjoint design"),
        "survey": has_mark(b"# winset survey design"),
    }
    outputs = {}
    for rid in ratifiers:
        for name, suffix in FIELD_FILES.items():
            path = folder / f"{rid}-{name}{suffix}"
            outputs[f"{rid}/{name}"] = Output(path, name, "--field", (suffix,), ours[name], tuple(inputs), force)
    problems = [p for output in outputs.values() for p in output_problems(output)]
    if problems:
        raise WinsetError(problems)
    return outputs


def targets_table(result: DesignResult, power: PublicPower) -> Group:
    """A public's packages to call: true margin, respondents each needs alone, the check; the
    packages near the threshold are named below the table."""
    table = result.table()
    mine = table[table["ratifier"] == power.ratifier]
    names, packages = [], []
    counts = {"passes": 0, "fails": 0}
    for target, kind in zip(mine["target"], mine["kind"], strict=True):
        if kind == "proposal":
            names.append(target)
            continue
        side = "passes" if "passes" in kind else "fails"
        counts[side] += 1
        names.append(f"{side} #{counts[side]}")
        packages.append(Text(f"  {names[-1]}: {target.replace(',', ', ')}"))
    frame = pd.DataFrame(
        {
            "package": names,
            "true_margin": mine["true_margin"].to_numpy(),
            "needs": [
                "too close" if c else (int(n) if np.isfinite(n) else "-")
                for n, c in zip(mine["respondents_needed"], mine["too_close"], strict=True)
            ],
            "right_at_size": mine["right_rate"].to_numpy(),
            "lower": mine["lower"].to_numpy(),
            "upper": mine["upper"].to_numpy(),
        }
    )
    size = f"{power.respondents:,}" if power.respondents else "no size"
    title = f"{power.ratifier}: each call at {size} respondents ({power.reps} fresh surveys)"
    if packages:
        packages.insert(0, Text("Near the threshold:"))
    return Group(plain_table(title, frame, ["package"]), *packages)


def detectable_table(result: DesignResult) -> Group:
    """The smallest AMCE each issue's design detects (power 0.8, alpha 0.05, cjpowR's approximation)."""
    frame = result.detectable()
    frame = frame.assign(effective_n=frame["effective_n"].map(lambda v: int(v) if pd.notna(v) else "-"))
    return plain_table(
        "Minimum detectable AMCE at the design's size (power 0.8, alpha 0.05; cjpowR's approximation)",
        frame,
        ["ratifier", "issue"],
    )


def write_field(
    scenario: Scenario, power: PublicPower, outputs: dict[str, Output], repeat: int | None, seed: int
) -> tuple[list[Path], pd.DataFrame]:
    """Write a public's randomised design at its size (the pilot's where no size suffices):
    the table, its balance, the Qualtrics script and the survey design; the paths and the balance."""
    from ..design.fielding import balance, qualtrics_script, randomise, site_design

    space = scenario.space
    n = power.respondents or power.pilot
    table = randomise(space, n, power.study.tasks, power.study.profiles, seed, repeat)
    checked = balance(table, space)
    issue_labels = {issue.id: scenario.text(issue) for issue in scenario.issues}
    option_labels = {issue.id: {o.id: scenario.text(o) for o in issue.options} for issue in scenario.issues}
    script = qualtrics_script(table, space, issue_labels, option_labels)
    design = site_design(power.study.tasks, power.study.profiles, power.respondents, repeat)
    rid = power.ratifier
    written = [
        outputs[f"{rid}/randomisation"].write(lambda path: table.to_csv(path, index=False)),
        outputs[f"{rid}/balance"].write(lambda path: checked.to_csv(path, index=False)),
        outputs[f"{rid}/qualtrics"].write(lambda path: path.write_text(script, encoding="utf-8")),
        outputs[f"{rid}/survey"].write(lambda path: path.write_text(design, encoding="utf-8")),
    ]
    return written, checked


def document(
    result: DesignResult, written: list[Path], balances: dict[str, pd.DataFrame] | None = None
) -> dict[str, Any]:
    """The JSON document: every public's size, calls, checks and detectable AMCEs (and the
    balance of the randomised design written)."""
    table = result.table()
    detectable = result.detectable()
    publics = {}
    for power in result.publics:
        publics[power.ratifier] = {
            "party": power.party,
            "rule": power.rule,
            "respondents": power.respondents,
            "tasks": power.study.tasks,
            "profiles": power.study.profiles,
            "confidence": power.confidence,
            "met": power.met,
            "pilot": power.pilot,
            "reps": power.reps,
            "design_effect": power.design_effect,
            "notes": power.notes,
            "targets": jsonable(table[table["ratifier"] == power.ratifier].drop(columns="ratifier").to_dict("records")),
            "checks": jsonable(power.checks.to_dict("records")),
            "detectable": jsonable(
                detectable[detectable["ratifier"] == power.ratifier].drop(columns="ratifier").to_dict("records")
            ),
        }
        if balances and power.ratifier in balances:
            publics[power.ratifier]["balance"] = jsonable(balances[power.ratifier].to_dict("records"))
    return {"ok": True, "publics": publics, "written": [str(p) for p in written]}

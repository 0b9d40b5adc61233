"""What ``winset fit`` prints for each ratifier: its model, calibration, coefficients, AMCEs and
support, as rich tables or as a JSON document."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import numpy as np
import pandas as pd
from rich.console import Group, RenderableType
from rich.markup import escape
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from ..compile import rule_text
from ..formats import fixed, records
from ..scenario import Scenario, share_threshold
from ..space import STATUS_QUO_WORD as STATUS_QUO
from ..support.fit import RatifierFit, amce_table


def support_table(scenario: Scenario, fit: RatifierFit, packages: dict[str, tuple[int, ...]]) -> pd.DataFrame:
    """Support of the named packages. The status quo is the reference every support is measured
    against, not a deal: what the model says of it is shown, but no probability that a rule is met.
    The probability that the rule is met is the share of draws in which the engine finds it met."""
    from ..compare import margin_meets
    from ..compile import public

    codes = np.array(list(packages.values()))
    table = fit.support(codes)
    margins = public(scenario, fit.party, fit.ratifier, fit).margins(codes)  # the rule as the engine decides it
    table["p_rule_met"] = margin_meets(margins[1:] if len(margins) > 1 else margins).mean(axis=0)
    table.insert(0, "package", list(packages))
    table["status_quo"] = [name == STATUS_QUO for name in packages]
    table.loc[table["status_quo"], "p_rule_met"] = np.nan
    return table


def report(scenario: Scenario, fit: RatifierFit, packages: dict[str, tuple[int, ...]]) -> Group:
    """Everything ``winset fit`` says about one ratifier."""
    spec = fit.ratifier.data
    survey = not fit.additive
    if survey:
        evidence = f"{fit.kind}; {fit.evidence}; survey {spec.survey}"
        draws = f"{fit.table.n_groups - 1} bootstrap draws; calibration shift {fit.shift:+.3f} (logit)"
    else:
        evidence = f"model: Bayesian additive, from {fit.evidence}"
        draws = f"{fit.table.n_groups - 1} posterior draws"
    header = Text.assemble(
        (f"{scenario.text(fit.ratifier)} ({fit.ratifier.id}), ratifier for {scenario.text(fit.party)}\n", "bold"),
        f"{'model: ' if survey else ''}{evidence}\n",
        f"rule: {rule_text(fit.ratifier)}; {draws}",
    )
    parts: list[RenderableType] = [header]
    for warning in fit.warnings:
        parts.append(Text(f"Warning: {warning}", style="bold yellow"))
    if spec.provenance:
        parts.append(Text(f"Data: {spec.provenance}", style="bold yellow"))
    parts += [
        _table(
            "Support against the status quo (90% interval; share of draws meeting the rule); "
            "the status quo is the reference: no agreement",
            support_table(scenario, fit, packages).assign(
                package=lambda t: [
                    f"{p} (no agreement)" if q else p for p, q in zip(t["package"], t["status_quo"], strict=True)
                ]
            ),
            ["package"],
            ["estimate", "lower", "upper", "p_rule_met"],
        ),
    ]
    if fit.response_error is not None:
        parts += corrected_parts(fit, packages)
    if len(fit.calibration):
        calibration = fit.calibration.assign(row=fit.calibration["source"].str.rsplit("/", n=1).str[-1])
        if survey:
            title = "Calibration to polls: the share for (or against) as published, the model's before and after"
            columns = ["poll", "before", "after", "z_before", "z_after"]
            calibration = calibration.rename(columns={"microdata": "before", "calibrated": "after"})
        else:
            title = (
                "The polls the model learns from: the share for (or against) as published, under the prior, fitted; "
                "z_prior counts the prior's own spread too"
            )
            columns = ["poll", "prior", "fitted", "z_prior", "z_fitted"]
        parts.append(_table(f"{title}; z = (model - poll) / se", calibration, ["row", "side"], columns))
        questions = dict(zip(calibration["row"], calibration["target"], strict=True))
        parts.append(Text("\n".join(f"  {row}: {question}" for row, question in questions.items()), style="dim"))
    coefficients = fit.coefficients.reset_index().rename(columns={"index": "parameter"})
    if survey:
        parts.append(
            _table(
                "Model coefficients (logit scale; bootstrap standard errors)",
                coefficients,
                ["parameter"],
                ["estimate", "std_error"],
            )
        )
    else:
        parts.append(
            _table(
                "Model coefficients (logit scale): posterior mode and sd, prior mean and sd, and the share of "
                "each one's precision the polls gave (0: the prior alone)",
                coefficients,
                ["parameter"],
                ["estimate", "std_error", "prior_mean", "prior_sd", "information"],
            )
        )
    amce = amce_table(fit)
    parts.append(
        _table(
            f"AMCEs of the survey ({spec.outcome_column}; respondent clusters)"
            if survey
            else "Each option's effect on support for the status quo package (posterior; 90% interval)",
            amce,
            ["feature", "level"],
            ["estimate", "std_error", "lower", "upper"],
        )
    )
    return Group(Rule(style="dim"), *parts)


def corrected_table(fit: RatifierFit, packages: dict[str, tuple[int, ...]]) -> pd.DataFrame:
    """The named packages' support as the survey measured it and corrected for the answers' error
    (the status quo marked, with no probability that a rule is met)."""
    table = fit.corrected_support(np.array(list(packages.values())))
    table.insert(0, "package", list(packages))
    table["status_quo"] = [name == STATUS_QUO for name in packages]
    table.loc[table["status_quo"], "p_rule_met"] = np.nan
    return table


def corrected_parts(fit: RatifierFit, packages: dict[str, tuple[int, ...]]) -> list[RenderableType]:
    """The answers' reliability and the support corrected for their error."""
    assert fit.response_error is not None
    error = fit.response_error
    found = error.reliability
    calibrated = " before calibration to the polls," if len(fit.calibration) else ""
    how = (
        "the model refitted with answers flipped at rate tau in its likelihood"
        if error.corrected is not None
        else "(measured - tau) / (1 - 2 tau)"
    )
    lines = Text(
        f"Answer error, from a task asked again with its profiles swapped ({found.n_respondents:,} respondents): "
        f"{found.n_agree:,} of {found.n_answers:,} repeated answers the same, IRR {found.irr:.3f} "
        f"(se {found.irr_se:.3f}), so an answer is flipped with probability tau {found.tau:.3f} (se "
        f"{found.tau_se:.3f}); weighted as the respondents are, tau {error.tau[0]:.3f}.",
    )
    return [
        lines,
        _table(
            f"Support corrected for the answers' error: the survey's own ('measured',{calibrated} without the "
            f"repeated task), then {how} with its 90% interval and share of draws meeting the rule",
            corrected_table(fit, packages).assign(
                package=lambda t: [
                    f"{p} (no agreement)" if q else p for p, q in zip(t["package"], t["status_quo"], strict=True)
                ]
            ),
            ["package"],
            ["measured", "estimate", "lower", "upper", "p_rule_met"],
        ),
    ]


def _table(title: str, frame: pd.DataFrame, text: list[str], numbers: list[str]) -> Table:
    """Text columns, then numbers (never wrapped)."""
    table = Table(title=title, title_justify="left")
    for column in text:
        table.add_column(column, overflow="fold")
    for column in numbers:
        table.add_column(column, justify="right", no_wrap=True)
    for row in frame.to_dict(orient="records"):
        table.add_row(*[escape(str(row[c])) for c in text], *[fixed(row[c]) for c in numbers])  # no "-0.000"
    return table


def fit_json(scenario: Scenario, fit: RatifierFit, packages: dict[str, tuple[int, ...]]) -> dict[str, Any]:
    return {
        "party": fit.party.id,
        "model": "additive" if fit.additive else fit.ratifier.data.model,
        "provenance": fit.ratifier.data.provenance,
        "evidence": fit.evidence,
        "respondents": fit.respondents.n if fit.respondents is not None else None,
        "profiles": fit.data.n_rows if fit.data is not None else None,
        "draws": fit.table.n_groups - 1,
        "threshold": share_threshold(fit.ratifier.rule),
        "rule": rule_text(fit.ratifier),
        "calibration_shift": None if fit.additive else fit.shift,
        "warnings": fit.warnings,
        "support": records(support_table(scenario, fit, packages)),
        "calibration": records(fit.calibration),
        "coefficients": records(fit.coefficients.reset_index().rename(columns={"index": "parameter"})),
        "amce": records(amce_table(fit)),
        **_error_json(fit, packages),
    }


def _error_json(fit: RatifierFit, packages: dict[str, tuple[int, ...]]) -> dict[str, Any]:
    """The answers' reliability and the corrected support, where the survey repeats a task."""
    if fit.response_error is None:
        return {}
    error = fit.response_error
    return {
        "reliability": {
            **asdict(error.reliability),
            "tau_weighted": None if np.isnan(error.tau[0]) else float(error.tau[0]),
        },
        "corrected_support": records(corrected_table(fit, packages)),
    }

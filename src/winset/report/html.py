"""The report: one self-contained HTML page (styles, figures and data inline; nothing fetched).

Every number the page shows is formatted here from the analysis; each support cell also carries
the exact value (``data-value``) and the page embeds the engine's results as JSON
(``<script type="application/json" id="winset-data">``) for scripts. Option labels come in every
language of the scenario; a switch at the top of the page (plain HTML and CSS, no script) chooses.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from markupsafe import Markup

from .. import __version__
from ..formats import counted, records
from ..formats import fixed as number
from ..space import STATUS_QUO_WORD as STATUS_QUO
from ..support.additive import AdditiveSupportModel
from .analysis import Analysis
from .citations import readable
from .documents import RECOMMENDATIONS, provenance, solution_document
from .embedding import embedded_json
from .explorer import explorer, page_template
from .figures import amce_figure, frontier_figure, map_figure, svg, svg_axes
from .labels import Labels
from .talks import talks_context
from .votes import rule_text, votes_context

if TYPE_CHECKING:
    from matplotlib.figure import Figure

GENERATOR = "winset"  # the page's <meta name="generator">: marks files winset may overwrite
# each name in its own script, and in English for a reader whose machine has no font for that script
LANGUAGE_NAMES = {"en": "English", "ru": "Русский (Russian)", "ja": "日本語 (Japanese)"}


def percent(value: float) -> str:
    """Support as the page shows it: 45.3%."""
    return f"{value * 100:.1f}%"


def interval(lower: float, upper: float) -> str:
    """A 90% interval as the page shows it: 41.2–49.5."""
    return f"{lower * 100:.1f}–{upper * 100:.1f}"


def render(analysis: Analysis, language: str | None = None) -> str:
    """The report page for an analysis; ``language`` is the label language selected at first."""
    scenario = analysis.scenario
    language = language or scenario.languages[0]
    template = page_template("report.html.j2")
    return template.render(**_context(analysis, language))


def _context(analysis: Analysis, language: str) -> dict[str, Any]:
    scenario, problem, solution = analysis.scenario, analysis.problem, analysis.solution
    labels = Labels(scenario)
    own = (
        dict(zip(solution.winsets["public"], solution.winsets["winset_size"], strict=True))
        if len(solution.winsets)
        else {}
    )
    publics = [
        {
            "id": p.id,
            "label": labels.of(scenario.ratifier(p.id)),
            "party": labels.of(scenario.party(p.party)),
            "threshold": percent(p.threshold),
            "rule": rule_text(analysis, p.id),
            "binding": bool(b),
            "accepts": f"{own.get(p.id, 0):,}",
        }
        for p, b in zip(problem.publics, problem.binding, strict=True)
    ]
    negotiators = [{"id": n.id, "label": labels.of(scenario.party(n.id))} for n in problem.negotiators]
    document = solution_document(scenario, problem, solution)
    document["proposals"] = records(analysis.proposals)
    if analysis.talks is not None:
        document["talks"] = {
            "summary": analysis.talks.simulation.numbers(),
            "packages": records(analysis.talks.simulation.packages()),
            "experiments": {name: records(table) for name, table in analysis.talks.experiments.items()},
        }
    figures = {
        "map": map_figure(analysis),
        "frontier": frontier_figure(analysis),
    }
    return {
        "generator": GENERATOR,
        "version": __version__,
        "created": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "title": labels.of(scenario.scenario.title),
        "plain_title": scenario.text(scenario.scenario.title),
        "description": scenario.scenario.description,
        "languages": [(code, LANGUAGE_NAMES.get(code, code), code == language) for code in scenario.languages],
        "settings": _settings(analysis),
        "publics": publics,
        "negotiators": negotiators,
        "summary": _summary(analysis, labels),
        "proposals": _package_rows(analysis, analysis.proposals, labels, names=True),
        "votes": votes_context(analysis, labels),
        "best": _package_rows(analysis, solution.best, labels),
        "criterion": solution.criterion,
        "recommendations": _recommendation_rows(analysis, labels),
        "gap": _gap(analysis, labels),
        "frontier": _frontier(analysis),
        "map": _map(analysis, labels, figures["map"]),
        "frontier_svg": Markup(svg(figures["frontier"])) if figures["frontier"] is not None else None,
        "amces": _amces(analysis, labels),
        "talks": talks_context(analysis, labels),
        "provenance": _provenance(analysis, labels),
        "data_json": embedded_json(document, default=_json_default),
        "explorer": explorer(analysis, _placements(analysis, figures)),
    }


def _placements(analysis: Analysis, figures: dict[str, Figure | None]) -> dict[str, Any]:
    """Where the explorer marks its package on the ratification map and the frontier figure (once
    their SVG is written: the context above writes it before it asks)."""
    out: dict[str, Any] = {}
    ratification = analysis.ratification_map
    if figures["map"] is not None and ratification is not None:
        out["map"] = {"x": ratification.x, "y": ratification.y, "margins": list(ratification.margins)}
        out["map"]["svg"] = svg_axes(figures["map"])
    if figures["frontier"] is not None:
        a, b = analysis.problem.negotiators[:2]
        out["frontier"] = {"x": a.id, "y": b.id, "svg": svg_axes(figures["frontier"])}
    return out


def _settings(analysis: Analysis) -> dict[str, Any]:
    problem = analysis.problem
    test = (
        "support at least the threshold, on the point estimate"
        if problem.confidence is None
        else f"the rule met in at least {problem.confidence:.0%} of the draws"
    )
    return {
        "draws": analysis.draws,
        "seed": analysis.seed,
        "test": test,
        "packages": f"{problem.space.size:,}",
        "valid": f"{problem.space.count_valid():,}",
        "deals": f"{problem.deals.count_valid():,}",
        "issues": problem.space.n_issues,
    }


def _summary(analysis: Analysis, labels: Labels) -> dict[str, Any]:
    solution, problem = analysis.solution, analysis.problem
    total = problem.deals.count_valid()
    summary = {
        "size": f"{solution.winset_size:,}",
        "total": f"{total:,}",
        "share": f"{solution.winset_size / max(total, 1):.1%}",
        "empty": solution.winset_size == 0,
    }
    if len(solution.best):
        summary["best"] = labels.package(problem.space.parse(solution.best["package"].iloc[0]))
    if solution.gap is not None and solution.gap.package is not None and math.isfinite(solution.gap.shift):
        summary["gap_shift"] = number(solution.gap.shift)
        summary["closest"] = labels.package(solution.gap.package)
    return summary


def _support_cells(analysis: Analysis, row: dict[Hashable, Any]) -> list[dict[str, Any]]:
    """Each public's support of a row's package; the status quo's is the reference (no verdict:
    ``passes`` is None)."""
    reference = bool(row.get("status_quo"))
    cells = []
    for public, binding in zip(analysis.problem.publics, analysis.problem.binding, strict=True):
        value = row[f"{public.id}_support"]
        lower = row.get(f"{public.id}_lower")  # with its upper end: the interval's columns come together
        cells.append(
            {
                "public": public.id,
                "value": repr(float(value)),
                "text": percent(value),
                "interval": interval(lower, row[f"{public.id}_upper"])
                if lower is not None and not pd.isna(lower)
                else "",
                "p_rule": number(row.get(f"{public.id}_p_rule"), 2)
                if f"{public.id}_p_rule" in row and not reference
                else "",
                "passes": None if reference else bool(row[f"{public.id}_accepts"]),
                "binding": bool(binding),
            }
        )
    return cells


def _package_rows(analysis: Analysis, frame: pd.DataFrame, labels: Labels, names: bool = False) -> list[dict[str, Any]]:
    """Rows of a package table: the package (or proposal name with its package), each public's
    support with interval, each negotiator's gain, whether it is in the joint win-set."""
    scenario, space = analysis.scenario, analysis.problem.space
    rows = []
    for index, row in enumerate(frame.to_dict(orient="records")):
        codes = analysis.proposal_codes[row["name"]] if names else space.parse(row["package"])
        name = None
        if names:
            name = (
                Markup("Status quo (no agreement)")
                if row["name"] == STATUS_QUO
                else labels.of(scenario.proposal(row["name"]))
            )
        rows.append(
            {
                "number": index,
                "id": row.get("name", row["package"]),
                "name": name,
                "package": "" if names and row["name"] == STATUS_QUO else labels.package(codes),
                "text": row["package"],
                "supports": _support_cells(analysis, row),
                "p_all": number(row["p_all_rules"], 2) if "p_all_rules" in row and not row.get("status_quo") else "",
                "reference": bool(row.get("status_quo")),
                "gains": [number(row[f"{n.id}_gain"]) for n in analysis.problem.negotiators],
                "in_winset": bool(row["in_winset"]),
                "value": number(row[analysis.solution.criterion], 4) if analysis.solution.criterion in row else "",
            }
        )
    return rows


def _recommendation_rows(analysis: Analysis, labels: Labels) -> list[dict[str, Any]]:
    frame = analysis.solution.recommendations
    if not len(frame):
        return []
    rows = _package_rows(analysis, frame, labels)
    for row, name in zip(rows, frame["recommendation"], strict=True):
        text = RECOMMENDATIONS[name][1]
        row["name"] = text[0].upper() + text[1:]
    return rows


def _gap(analysis: Analysis, labels: Labels) -> dict[str, Any] | None:
    gap = analysis.solution.gap
    if gap is None:
        return None
    if gap.package is None or not math.isfinite(gap.shift):
        return {"none": True}
    publics = {p.id: p for p in analysis.problem.publics}
    rows = [
        {
            "public": labels.of(analysis.scenario.ratifier(row["public"])),
            "id": row["public"],
            "needed": number(row["needed_shift"]),
            "before": percent(row["support"]),
            "after": percent(row["support_after_shift"]),
            "points": f"{row['points']:+.1f}",
            "threshold": percent(publics[row["public"]].threshold),
            "rule": rule_text(analysis, row["public"]),
            "blocking": row["blocking"] if isinstance(row.get("blocking"), str) else "",  # NaN: no member blocks
        }
        for row in gap.table.to_dict(orient="records")
    ]
    return {"shift": number(gap.shift), "package": labels.package(gap.package), "rows": rows}


def _frontier(analysis: Analysis) -> dict[str, Any]:
    frame, negotiators = analysis.solution.frontier, analysis.problem.negotiators
    best: dict[str, list[str] | str | None] = {}
    for which in ("unrestricted", "ratifiable"):
        points = frame[frame["frontier"] == which]
        best[which] = [number(points[f"{n.id}_utility"].max()) for n in negotiators] if len(points) else None
        best[f"{which}_count"] = counted(len(points), "point")
    return best


def _map(analysis: Analysis, labels: Labels, figure: Figure | None) -> dict[str, Any] | None:
    ratification = analysis.ratification_map
    if ratification is None or figure is None:
        return None
    inside = int(ratification.in_winset.sum())
    return {
        "svg": Markup(svg(figure)),
        "x": labels.of(analysis.scenario.ratifier(ratification.x)),
        "y": labels.of(analysis.scenario.ratifier(ratification.y)),
        "shown": f"{ratification.packages.shape[0]:,}",
        "total": f"{ratification.total:,}",
        "sampled": ratification.sampled,
        "inside": f"{inside:,}",
        "point_test": analysis.problem.confidence is not None,
    }


def _amces(analysis: Analysis, labels: Labels) -> list[dict[str, Any]]:
    out = []
    for party, ratifier in analysis.scenario.ratifiers:
        fit = analysis.fits[ratifier.id]
        if fit.additive:
            caption = (
                f"Bayesian additive model from {fit.evidence}: each option's effect on support for the status quo "
                "package, in points (posterior 90% intervals)."
            )
        else:
            caption = f"{fit.kind}; {fit.evidence}; calibration shift {fit.shift:+.3f} (logit)."
        out.append(
            {
                "id": ratifier.id,
                "label": labels.of(ratifier),
                "party": labels.of(party),
                "caption": caption,
                "svg": Markup(svg(amce_figure(analysis, ratifier.id))),
            }
        )
    return out


def _provenance(analysis: Analysis, labels: Labels) -> dict[str, Any]:
    scenario = analysis.scenario
    data = provenance(scenario)
    ratifiers = []
    for party, ratifier in scenario.ratifiers:
        fit = analysis.fits[ratifier.id]
        calibration = fit.calibration
        ratifiers.append(
            {
                "label": labels.of(ratifier),
                "party": labels.of(party),
                "provenance": data.get(ratifier.id, "not stated in the scenario"),
                "simulated": "SIMULATED" in data.get(ratifier.id, "").upper(),
                "survey": ratifier.data.survey,
                "prior": f"prior: {fit.model.prior.source}" if isinstance(fit.model, AdditiveSupportModel) else None,
                "polls": ratifier.data.polls,
                "targets": len(calibration),
                "z_before": _largest(calibration, "z_before") or _largest(calibration, "z_prior"),
                "z_after": _largest(calibration, "z_after") or _largest(calibration, "z_fitted"),
                "z_words": ("before", "after") if not fit.additive else ("under the prior", "fitted"),
                "warnings": fit.warnings,
            }
        )
    proposals = [
        {"label": labels.of(p), "source": readable(scenario, p.source) if p.source else "not stated in the scenario"}
        for p in scenario.proposals
    ]
    sources = [readable(scenario, s) for s in scenario.scenario.sources]
    return {"sources": sources, "ratifiers": ratifiers, "proposals": proposals}


def _largest(frame: pd.DataFrame, column: str) -> str:
    if column not in frame.columns or not len(frame):
        return ""
    return f"{np.abs(frame[column].to_numpy()).max():.1f}"


def _json_default(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    return str(value)

"""The report's deal explorer: pick an option on each issue and see, in the page, every public's
support with its interval and the chance its rule is met, every rule's verdict, each negotiator's
gain, and whether the package is in the joint win-set.

The section is rendered here (``explorer.html.j2``) with its data (:mod:`.explorer_data`) and its
script, which the page's content security policy admits by its hash and nothing else. Without
the script (a reader that blocks it) the section says so and the rest of the report is whole.
"""

from __future__ import annotations

import base64
import hashlib
import json
from importlib.resources import files
from typing import Any

from jinja2 import Environment, Template, select_autoescape
from markupsafe import Markup

from ..defaults import DRAWS
from .analysis import Analysis
from .embedding import embedded_json
from .explorer_answers import answers
from .explorer_data import explorer_data, script
from .labels import Labels
from .votes import bloc_labels


def page_template(name: str) -> Template:
    """A template of the report's, its values HTML-escaped unless marked safe."""
    environment = Environment(autoescape=select_autoescape(default=True), trim_blocks=True, lstrip_blocks=True)
    return environment.from_string((files(__package__) / name).read_text(encoding="utf-8"))


def explorer(analysis: Analysis, placements: dict[str, Any] | None = None) -> dict[str, Any]:
    """The section's HTML and the hash of its script, for the page's policy; ``placements`` say
    where the package is marked on the report's figures (:func:`.figures.svg_axes`)."""
    scenario, problem = analysis.scenario, analysis.problem
    labels = Labels(scenario)
    code = script()
    if "</script" in code.lower():
        raise ValueError("the explorer's script may not close its own element")
    issues = [
        {
            "id": issue.id,
            "label": labels.of(issue),
            "options": [
                {
                    "id": option.id,
                    "text": scenario.text(option, scenario.languages[0]),
                    "labels": json.dumps({lang: scenario.text(option, lang) for lang in scenario.languages}),
                }
                for option in issue.options
            ],
        }
        for issue in scenario.issues
    ]
    reasons = {c.id: labels.of(c.reason) for c in scenario.constraints}
    starts = [{"id": "status_quo", "label": Markup("status quo"), "package": ""}] + [
        {"id": p.id, "label": labels.of(p), "package": p.package} for p in scenario.proposals
    ]
    votes = []  # the rules over groups, vote by vote: the page fills in each member's figures
    for public in problem.publics:
        if public.rule.plain:
            continue
        ratifier = scenario.ratifier(public.id)
        blocs = bloc_labels(ratifier, labels)
        for vote in public.rule.votes:
            members = [
                {
                    "label": blocs.get(member, member),
                    "source": public.rule.source_name(source),
                    "threshold": f"{threshold * 100:.1f}%",
                    "weight": f"{weight:g}",
                }
                for member, source, threshold, weight in zip(
                    vote.members, vote.sources, vote.thresholds, vote.weights, strict=True
                )
            ]
            votes.append(
                {
                    "public_id": public.id,
                    "public": labels.of(ratifier),
                    "vote": vote.name,
                    "needed": vote.needed_text,
                    "members": members,
                }
            )
    data = explorer_data(problem)
    data["issues"] = [issue.id for issue in scenario.issues]
    data["options"] = [[option.id for option in issue.options] for issue in scenario.issues]
    data["placements"] = placements or {}
    passes = analysis.what_passes
    if passes is None:  # an analysis made without it
        passes = answers(problem, analysis.solution.winset_size, analysis.proposal_codes)
    data["what_passes"] = passes
    data["command_options"] = command_options(analysis)
    html = page_template("explorer.html.j2").render(
        search=passes["search"],
        listed=passes.get("winset", {}).get("count", 0),
        issues=issues,
        starts=starts,
        reasons=reasons,
        votes=votes,
        publics=[{"id": p.id, "label": labels.of(scenario.ratifier(p.id))} for p in problem.publics],
        negotiators=[{"id": n.id, "label": labels.of(scenario.party(n.id))} for n in problem.negotiators],
        data_json=embedded_json(data),
        script=Markup(code),
    )
    digest = base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode("ascii")
    return {"html": Markup(html), "script_hash": f"sha256-{digest}"}


def command_options(analysis: Analysis) -> str:
    """The options that make ``winset assess`` and ``winset solve`` answer the question the report
    answers (its draws, seed, test over the draws and ratifiers), as the commands the page gives."""
    problem, options = analysis.problem, []
    if analysis.draws != DRAWS:
        options.append(f"--draws {analysis.draws}")
    if analysis.seed != 0:
        options.append(f"--seed {analysis.seed}")
    if problem.confidence is not None:
        options.append(f"--confidence {problem.confidence:g}")
    if problem.include_optional:
        options.append("--include-optional")
    return "".join(f" {option}" for option in options)

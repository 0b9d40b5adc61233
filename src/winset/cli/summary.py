"""``winset check``'s summary of a scenario, as rich tables."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..compile import negotiator, rule_text
from ..formats import counted
from ..scenario import Scenario
from .terminal import printable


def summary(scenario: Scenario, language: str | None = None) -> RenderableType:
    """The scenario at a glance: issues, package space, constraints, parties, ratifiers, proposals."""
    t = _Labeller(scenario, language)
    space = scenario.space
    parts: list[RenderableType] = [
        Text.assemble(
            (t(scenario.scenario.title), "bold"),
            f" ({scenario.scenario.id}; labels in {', '.join(scenario.languages)})",
        ),
        _issues(scenario, t),
        Text.assemble(
            "Package space: ",
            (f"{space.size:,}", "bold"),
            " packages, ",
            (f"{space.count_valid():,}", "bold"),
            " of them allowed by the " + counted(len(scenario.constraints), "constraint")
            if scenario.constraints
            else " allowed (no constraints)",
        ),
    ]
    if scenario.constraints:
        parts.append(_constraints(scenario, t))
    parts += [_parties(scenario, t), _ratifiers(scenario, t)]
    if scenario.proposals:
        parts.append(_proposals(scenario, t))
    return Group(*parts)


class _Labeller:
    """Labels in the chosen language, falling back to the scenario's first language, safe to
    print (control characters escaped)."""

    def __init__(self, scenario: Scenario, language: str | None):
        self.scenario = scenario
        self.language = language

    def __call__(self, item: Any) -> str:
        return printable(self.scenario.text(item, self.language))

    def named(self, item: Any) -> str:
        """The item's id, and its label below it where it has one of its own (not the id again)."""
        label = self(item)
        return item.id if label == item.id else f"{item.id}\n{label}"


def _issues(scenario: Scenario, t: _Labeller) -> Table:
    title = "Issues (the status quo marked *, in bold)"
    table = Table(title=title, title_justify="left", min_width=len(title))
    table.add_column("issue", overflow="fold")
    table.add_column("options", overflow="fold")
    for issue in scenario.issues:
        sq = scenario.status_quo[issue.id]
        options = Text()
        for j, option in enumerate(issue.options):
            if j:
                options.append("\n")
            marker = " *" if option.id == sq else ""  # said in text too: a log or a pipe has no bold
            named = option.id if t(option) == option.id else f"{option.id}: {t(option)}"  # no label: the id once
            options.append(f"{named}{marker}", style="bold" if option.id == sq else "")
        table.add_row(Text(t.named(issue)), options)
    return table


def _constraints(scenario: Scenario, t: _Labeller) -> Table:
    table = Table(title="Constraints (combinations no package may contain)", title_justify="left")
    table.add_column("constraint", overflow="fold")
    table.add_column("forbids (all at once)", overflow="fold")
    table.add_column("reason")
    for constraint in scenario.constraints:
        forbids = "\n".join(f"{issue}: {', '.join(options)}" for issue, options in constraint.forbid.items())
        table.add_row(constraint.id, Text(forbids), Text(t(constraint.reason)))
    return table


def _parties(scenario: Scenario, t: _Labeller) -> Table:
    table = Table(title="Parties (negotiators' utilities)", title_justify="left")
    table.add_column("party", overflow="fold")
    table.add_column("issue weights (largest first)")
    table.add_column("reservation", justify="right")
    table.add_column("best", justify="right")
    table.add_column("ratifiers", overflow="fold")  # an id folded on a narrow terminal, never cut short
    for party in scenario.parties:
        utility = negotiator(scenario, party.id)
        weights = sorted(party.utility.weights.items(), key=lambda kv: -kv[1])
        reservation = f"{utility.reservation:.3g}"
        if party.reservation == "status_quo":
            reservation += " (status quo)"
        table.add_row(
            Text(t.named(party)),
            ", ".join(f"{issue} {w:g}" for issue, w in weights if w > 0),
            reservation,
            f"{utility.best:.3g}",
            "\n".join(r.id for r in party.ratifiers),
        )
    return table


def _ratifiers(scenario: Scenario, t: _Labeller) -> Table:
    table = Table(title="Ratifiers (whose consent each party needs)", title_justify="left")
    table.add_column("ratifier", overflow="fold")
    table.add_column("party", overflow="fold")
    table.add_column("rule")
    table.add_column("binding")
    table.add_column("data", overflow="fold")
    for party, ratifier in scenario.ratifiers:
        rule = rule_text(ratifier)
        population = getattr(ratifier.rule, "population", None)
        if population:
            rule += f" of {population}"
        data = ratifier.data
        sources = [f"survey: {data.survey} ({data.model} model)"] if data.survey else []
        if data.polls:
            where = ", ".join(f"{k}={v}" for k, v in (data.polls_where or {}).items())
            sources.append(f"polls: {data.polls}" + (f"\nwhere {where}" if where else ""))
        if not data.survey:
            prior = ratifier.prior.kind if ratifier.prior else "default"
            sources.append(f"additive model: {counted(len(ratifier.calibration), 'poll')}, {prior} prior")
        table.add_row(
            Text(t.named(ratifier)),
            party.id,
            Text(printable(rule)),
            "yes" if ratifier.required else "no",
            Text(printable("\n".join(sources))),
        )
    return table


def _proposals(scenario: Scenario, t: _Labeller) -> Table:
    space = scenario.space
    utilities = [negotiator(scenario, p.id) for p in scenario.parties]
    table = Table(title="Proposals (negotiators' utility, and gain over reservation)", title_justify="left")
    table.add_column("proposal", overflow="fold")
    table.add_column("changes from the status quo", overflow="fold")
    for utility in utilities:
        table.add_column(utility.id, justify="right")
    for proposal in scenario.proposals:
        codes = space.parse(proposal.package)
        cells = []
        for utility in utilities:
            value = utility(codes)
            gain = value - utility.reservation
            cells.append(Text(f"{value:.3f} ({gain:+.3f})", style="green" if value >= utility.floor else "red"))
        changes = space.format(codes, changes_only=True).replace(",", "\n")
        table.add_row(Text(t.named(proposal)), Text(changes), *cells)
    return table

"""What participants read on the board and in the survey, in their language: proposals' titles,
what a proposal changes from the status quo, and the option a package takes on an issue. The
labels come from the scenario; a proposal the scenario does not know keeps the title it was posted
with.
"""

from __future__ import annotations

from typing import Any

from ...scenario import Scenario


class Labels:
    """The scenario's labels of board rows and packages, in every language it has."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        # the scenario's own proposals, by (package, title), to show their labels in every language
        self.proposals = {(scenario.space.parse(p.package), scenario.text(p)): p for p in scenario.proposals}

    def title(self, row: dict[str, Any], language: str) -> str:
        """The title of a board row (a proposal or an imported statement) in ``language``."""
        if row["package"] is None:  # a statement imported from Polis
            return row["title"]
        known = self.proposals.get((self.scenario.space.parse(row["package"]), row["title"]))
        return self.scenario.text(known, language) if known else row["title"]

    def changes(self, package: str | None, language: str) -> list[tuple[str, str]]:
        """(issue, option) of every issue on which ``package`` leaves the status quo."""
        if package is None:
            return []
        scenario = self.scenario
        codes = scenario.space.parse(package)
        return [
            (scenario.text(issue, language), scenario.text(issue.options[c], language))
            for issue, c, sq in zip(scenario.issues, codes, scenario.space.status_quo, strict=True)
            if c != sq
        ]

    def option(self, package: str, issue_id: str, language: str) -> str:
        """The option ``package`` takes on issue ``issue_id``, in ``language``."""
        option = self.scenario.space.ids_of(self.scenario.space.parse(package))[issue_id]
        return self.scenario.option_text(issue_id, option, language)

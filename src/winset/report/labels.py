"""A scenario's labels as the report's HTML shows them: every language at once, one span each (the
page's language switch shows one)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from markupsafe import Markup, escape

from ..scenario import Scenario


class Labels:
    """A scenario's labels as HTML carrying every language (one span per language)."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario

    def of(self, item: object) -> Markup:
        spans = [
            f'<span class="l-{code}" lang="{code}" dir="auto">{escape(self.scenario.text(item, code))}</span>'
            for code in self.scenario.languages
        ]
        return Markup("".join(spans))

    def package(self, codes: Sequence[int] | np.ndarray) -> Markup:
        """The changes a package makes to the status quo, issue: option, one per line."""
        space, scenario = self.scenario.space, self.scenario
        changes = [
            (scenario.issues[k], scenario.issues[k].options[c])
            for k, (c, sq) in enumerate(zip(codes, space.status_quo, strict=True))
            if c != sq
        ]
        if not changes:
            return Markup('<span class="status-quo">no change: the status quo</span>')
        items = "".join(f"<li>{self.of(issue)}: <b>{self.of(option)}</b></li>" for issue, option in changes)
        return Markup(f'<ul class="package">{items}</ul>')
